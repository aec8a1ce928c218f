"""Questionnaires of the cycles before the newest are closed when the lifecycle
is introduced (issue #15): until now nothing was ever closed, and the 2019
questionnaire still accepted answers and sent reminders. The newest cycle's
questionnaires follow their dates. Recorded as an event without an actor.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

REASON = "Stängd när enkätstatus infördes: tidigare omgång."


def close_earlier_cycles(apps, schema_editor):
    Cycle = apps.get_model("surveys", "Cycle")
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    QuestionnaireEvent = apps.get_model("surveys", "QuestionnaireEvent")
    newest = Cycle.objects.aggregate(year=Max("year"))["year"]
    if newest is None:
        return
    earlier = Questionnaire.objects.filter(
        cycle__year__lt=newest, closed_at__isnull=True
    )
    ids = list(earlier.values_list("pk", flat=True))
    earlier.update(closed_at=timezone.now())
    QuestionnaireEvent.objects.bulk_create(
        QuestionnaireEvent(questionnaire_id=pk, kind="closed", reason=REASON)
        for pk in ids
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_questionnaire_lifecycle"),
    ]

    operations = [
        migrations.RunPython(close_earlier_cycles, migrations.RunPython.noop),
    ]

"""`seed_demo_history` gives `make demo` an invented 2023 region questionnaire
with invented answers (reports/demo/2023/), imported through the raw-data
import, so the 2024 region questionnaire has something to compare with."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.models import Response, ResponseStatus
from reports.tabulation.comparison import compare
from surveys.models import Question, Questionnaire, User

pytestmark = pytest.mark.django_db

STAFF = "statistiker@socialstyrelsen.example"


def test_it_refuses_to_run_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo_history")
    assert not Questionnaire.objects.filter(cycle__year=2023).exists()


def test_it_needs_the_demo_staff_account(debug_settings: LazySettings) -> None:
    with pytest.raises(CommandError, match="Kör seed_demo först"):
        call_command("seed_demo_history")


def test_it_imports_an_invented_2023_to_compare_2024_with(
    debug_settings: LazySettings,
) -> None:
    User.objects.create_user(email=STAFF, password="x", is_staff=True)
    out = StringIO()
    call_command("seed_demo_history", stdout=out)
    earlier = Questionnaire.objects.get(cycle__year=2023, key="region")
    assert "påhittad" in earlier.title and earlier.closed_at is not None
    assert (
        Response.objects.filter(
            questionnaire=earlier, status=ResponseStatus.SUBMITTED
        ).count()
        == 21
    )
    # The shipped 2024 file's footnote now names the year compared with.
    assert Question.objects.get(
        questionnaire__cycle__year=2024,
        questionnaire__key="region",
        variable="r04_handlingsplan",
    ).footnotes[0] == (
        "Frågans formulering har ändrats jämfört med 2023. "
        "Jämför med tidigare resultat med försiktighet."
    )
    later = Questionnaire.objects.get(cycle__year=2024, key="region")
    comparison = compare(later)
    linked = {
        q.current.question.number: q.changes
        for q in comparison.questions
        if not q.is_new
    }
    # The seven questions the 2024 file compares with the year before.
    assert linked == {
        "2": (),
        "4": ("frågetext",),
        "15": ("frågetext",),
        "28": (),
        "29a": (),
        "33": (),
        "35": (),
    }
    q2, q4 = (
        q
        for q in comparison.questions
        if q.current.question.variable in ("r02_breddinfort", "r04_handlingsplan")
    )
    # Counted from reports/demo/2023/radata.csv.
    assert q2.previous is not None and q4.previous is not None
    assert q2.previous.items[0].by_group[0].counts == {"ja": 14, "nej": 7}
    assert q4.previous.items[0].by_group[0].counts == {
        "ja": 15,
        "nej_forslag": 4,
        "nej": 2,
    }
    # Again: nothing more.
    call_command("seed_demo_history", stdout=out)
    assert Response.objects.filter(questionnaire=earlier).count() == 21
    assert "har redan svar" in out.getvalue()

"""python manage.py seed_demo_history: an invented earlier year for `make demo`
(docs/year-over-year.md), so that the 2024 region questionnaire has a previous
version to compare with.

Loads the invented 2023 region questionnaire (reports/demo/2023/), reloads the
shipped questionnaires (their comparability footnotes then name 2023), imports
the invented answers (reports/demo/2023/radata.csv) through the raw-data import
as the demo's staff account, and closes the questionnaire as an archived cycle.
Safe to run again: nothing is imported into a questionnaire that has answers.
Like seed_demo, it runs only with DEBUG=true: the data are invented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.imports.jobs import import_responses
from surveys.models import Questionnaire, User
from surveys.services import close_questionnaire, load_questionnaires

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_YEAR = 2023
STAFF = "statistiker@socialstyrelsen.example"


class Command(BaseCommand):
    help = (
        "Lägger till en påhittad tidigare omgång (2023, regionenkäten) med påhittade "
        "svar, för jämförelsen med tidigare år i demon. Kräver DEBUG=true."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo_history lägger in påhittade svar och körs bara med "
                "DEBUG=true."
            )
        staff = User.objects.filter(email=STAFF, is_staff=True).first()
        if staff is None:
            raise CommandError(f"Kör seed_demo först ({STAFF} saknas).")
        with transaction.atomic():
            load_questionnaires(DEMO_DIR)
            # The shipped files again: their footnotes now name the year compared with.
            load_questionnaires()
            questionnaire = Questionnaire.objects.select_related("cycle").get(
                cycle__year=DEMO_YEAR, key="region"
            )
            if questionnaire.responses.exists():
                self.stdout.write(f"{questionnaire.title}: har redan svar.")
                return
            summary = import_responses(
                questionnaire,
                (DEMO_DIR / str(DEMO_YEAR) / "radata.csv").read_bytes(),
                actor=staff,
                file_name="radata.csv",
                submit=True,
                historical=True,
            )
            if questionnaire.closed_at is None:
                close_questionnaire(
                    questionnaire,
                    actor=staff,
                    reason="Påhittad tidigare omgång (demo).",
                )
        self.stdout.write(
            f"{questionnaire.title}: {summary.submitted} påhittade inskickade svar."
        )

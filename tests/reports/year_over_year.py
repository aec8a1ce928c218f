"""Two synthetic cycles of one region questionnaire with their raw data,
imported through the real import (tests/fixtures/year_over_year/README.md
lists the figures)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports.imports.jobs import import_responses
from surveys.models import Questionnaire, User
from surveys.services.questionnaires import load_questionnaires

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "year_over_year"


@dataclass(frozen=True)
class TwoYears:
    earlier: Questionnaire  # 2033
    later: Questionnaire  # 2034


def load_two_years(actor: User, *, import_later: bool = True) -> TwoYears:
    load_questionnaires(FIXTURES)
    earlier = Questionnaire.objects.select_related("cycle").get(
        key="jamforelse", cycle__year=2033
    )
    later = Questionnaire.objects.select_related("cycle").get(
        key="jamforelse", cycle__year=2034
    )
    # 2033 is an earlier year's data: Kronoberg's submitted row leaves required
    # questions unanswered, which only historical data may.
    import_responses(
        earlier,
        (FIXTURES / "2033" / "radata.csv").read_bytes(),
        actor=actor,
        file_name="radata.csv",
        submit=True,
        historical=True,
    )
    if import_later:
        import_responses(
            later,
            (FIXTURES / "2034" / "radata.csv").read_bytes(),
            actor=actor,
            file_name="radata.csv",
            submit=True,
        )
    return TwoYears(earlier=earlier, later=later)

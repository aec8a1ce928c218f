"""What an RSS's adjustment of a kommun count may do (issue #4): only move the
member kommuner that answered between the alternatives, never add answers.

The one rule, `count_limit_problem`, is shared by the form, the save
(`intake.services.adjustments`), the freeze on submit and the import of raw data
(`reports.imports.importing`); it is a module of its own so that each of them takes the
rule without taking the queries of the live counts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from intake.consolidation.results import CountRow, KommunCount
from surveys.errors import DomainError
from surveys.models import (
    Question,
)

# Where a missing kommun answer is registered instead of adjusting a count: the
# RSS status page ("Se kommunernas svar") links each kommun's form as proxy entry.
PROXY_HINT = (
    "Saknas en kommuns svar, registrera det för kommunen (”Fyll i åt kommunen” "
    "under ”Se kommunernas svar”)."
)


# --- what an adjustment may do ------------------------------------------------------------


def item_name(row: CountRow) -> str:
    """The item a row of a count stands for, in a message."""
    return f"delfrågan ”{row.label}”" if row.code else "frågan"


def count_limit_problem(
    values: Collection[int], *, svarat: int, one_alternative: bool, item: str
) -> str | None:
    """Whether an item's counts fit its base; the Swedish reason if not.

    The base of an RSS kommun count is the service's: the member kommuner that
    answered the item. An adjustment only moves those kommuner between the
    alternatives and never adds answers (a missing answer is registered for the
    kommun, which keeps the kommun-level raw data consistent with the RSS's
    counts). So no count exceeds svarat and, where each kommun picks one
    alternative, neither does their sum: a tabulated share stays within 100 %.
    """
    if any(value > svarat for value in values):
        return (
            "Antalet kan inte vara större än antalet kommuner som har svarat på "
            f"{item} ({svarat}). {PROXY_HINT}"
        )
    total = sum(values)
    if one_alternative and total > svarat:
        return (
            f"Antalen är tillsammans {total}, men bara {svarat} kommuner har svarat "
            f"på {item} och varje kommun har ett svar: en justering kan bara flytta "
            f"kommuner mellan svarsalternativen. {PROXY_HINT}"
        )
    return None


def adjustment_problems(
    count: KommunCount,
    adjusted: Mapping[str, int],
    *,
    rows: Collection[str] | None = None,
) -> list[str]:
    """The RSS's adjusted counts (by slot; the other cells follow the live count)
    against the live base, row by row: the rows given by code ("" for a question
    without rows), or every row."""
    problems = []
    for row in count.rows:
        if rows is not None and row.code not in rows:
            continue
        problem = count_limit_problem(
            [adjusted.get(cell.slot, cell.live) for cell in row.cells],
            svarat=row.svarat,
            one_alternative=count.one_alternative,
            item=item_name(row),
        )
        if problem:
            problems.append(problem)
    return problems


class CountsAboveBaseError(DomainError):
    """An RSS response cannot be submitted: adjusted counts no longer fit the
    kommuner that have answered (a kommun's answer was removed or changed after
    the adjustment was saved). `problems` holds the messages by question variable,
    for the form to show beside each question."""

    def __init__(self, rows: Sequence[tuple[Question, CountRow]]) -> None:
        self.problems: dict[str, list[str]] = {}
        named = []
        for question, row in rows:
            where = f"fråga {question.number}"
            if row.code:
                where += f", ”{row.label}”"
            named.append(f"{where} ({row.svarat} kommuner har svarat nu)")
            self.problems.setdefault(question.variable, []).append(
                "De justerade antalen är fler än de kommuner som har svarat på "
                f"{item_name(row)} nu ({row.svarat}). Ändra justeringen. {PROXY_HINT}"
            )
        super().__init__(
            "Enkäten kan inte skickas in: de justerade antalen i "
            + _and_list(named)
            + " är fler än de kommuner som har svarat; en kommuns svar har tagits "
            "bort eller ändrats sedan justeringen. Ändra justeringen. " + PROXY_HINT
        )


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def rows_above_base(count: KommunCount) -> list[CountRow]:
    """The rows whose reported counts (adjusted or live) do not fit the live base."""
    return [
        row
        for row in count.rows
        if count_limit_problem(
            [cell.value for cell in row.cells],
            svarat=row.svarat,
            one_alternative=count.one_alternative,
            item=item_name(row),
        )
    ]

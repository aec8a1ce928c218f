"""The rules of an RSS's kommun counts in an imported file (issue #4; the module
docstring of `reports.imports.importing` states them): the bases given whole,
their totals, and counts without a base against the live consolidation.
Separate because only RSS rows have them, and they query the register and the
consolidation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count

from intake.cells import SVARAT, Cells
from intake.consolidation import (
    ONE_ALTERNATIVE_KINDS,
    KommunCount,
    adjustment_problems,
    consolidation_for,
)
from reports.rawdata.columns import Column
from surveys.kinds import facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)


def count_rules_of(
    questionnaire: Questionnaire,
    questions: Sequence[Question],
    organisations: Mapping[str, list[Organisation]],
) -> Callable[[Question, Organisation | None], _CountRules]:
    """The rules of every RSS kommun count in the file: two queries, plus the live
    counts of each RSS whose counts come without their base (at most one
    consolidation per RSS, a fixed number of queries each)."""
    counted = [q for q in questions if facts(q.kind).kommun_counts]
    if not counted:
        return lambda question, organisation: _CountRules(False, None, lambda: None)
    one_alternative = set(
        Question.objects.filter(
            pk__in=[q.source_question_id for q in counted],
            kind__in=ONE_ALTERNATIVE_KINDS,
        ).values_list("pk", flat=True)
    )
    rss_ids = [
        o.pk
        for found in organisations.values()
        for o in found
        if o.kind == OrganisationKind.RSS
    ]
    n_members = dict(
        RSSMembership.objects.filter(
            memberships_in_year(questionnaire.cycle.year), rss_id__in=rss_ids
        )
        .values("rss_id")
        .annotate(n=Count("kommun_id", distinct=True))
        .values_list("rss_id", "n")
        .order_by()
    )
    live: dict[int, dict[int, KommunCount]] = {}

    def live_count(
        question: Question, organisation: Organisation
    ) -> KommunCount | None:
        if organisation.pk not in live:
            consolidation = consolidation_for(
                questionnaire, organisation, response=None, questions=counted
            )
            live[organisation.pk] = consolidation.counts if consolidation else {}
        return live[organisation.pk].get(question.pk)

    def rules(question: Question, organisation: Organisation | None) -> _CountRules:
        if organisation is None or organisation.kind != OrganisationKind.RSS:
            return _CountRules(False, None, lambda: None)
        return _CountRules(
            one_alternative=question.source_question_id in one_alternative,
            n_members=n_members.get(organisation.pk, 0),
            live=lambda: live_count(question, organisation),
        )

    return rules


@dataclass(frozen=True)
class _CountRules:
    """What the kommun counts of one RSS row are checked against."""

    one_alternative: bool  # each kommun has one alternative (per matrix row)
    n_members: int | None  # the RSS's member kommuner in the cycle's year
    live: Callable[[], KommunCount | None]  # the live counts, for items without base


def kommun_count_errors(
    columns: Sequence[Column],
    cells: Cells,
    line: int,
    totals: dict[str, int],
    rules: _CountRules,
) -> list[str]:
    """The base checks of one RSS kommun count (see the module docstring).

    `totals` collects each item's total (by its first base column) across the
    row's questions, so that a total differing from the first one is reported.
    """
    errors: list[str] = []
    items: dict[str, list[Column]] = {}
    for column in columns:
        items.setdefault(column.row_code or "", []).append(column)
    for row_code, item in items.items():
        options = [c for c in item if c.base_slot is None]
        bases = [c for c in item if c.base_slot is not None]
        given = [c for c in bases if c.count_slot in cells]
        counts = {
            c: int(cells[c.count_slot].number or 0)
            for c in options
            if c.count_slot in cells
        }
        if not given:
            errors += _live_base_errors(counts, row_code, line, rules)
            continue
        if len(given) < len(bases):
            missing = next(c for c in bases if c not in given)
            errors.append(
                f"Rad {line}, kolumn {missing.name}: antalet saknas; ange antal "
                "kommuner som svarat, inte svarat och där frågan inte var aktuell, "
                "eller inget av dem."
            )
            continue
        total = sum(int(cells[c.count_slot].number or 0) for c in bases)
        svarat_column = next(c for c in bases if c.base_slot == SVARAT)
        svarat = int(cells[svarat_column.count_slot].number or 0)
        if not totals and rules.n_members is not None and total > rules.n_members:
            errors.append(
                f"Rad {line}, kolumn {bases[0].name}: svarat + inte svarat + ej "
                f"aktuell är {total} kommuner, men RSS:en har {rules.n_members} "
                "kommuner det året."
            )
        # An adjustment only moves kommuner that answered between the
        # alternatives (intake.consolidation.count_limit_problem).
        above = [(c, n) for c, n in counts.items() if n > svarat]
        for column, count in above:
            errors.append(
                f"Rad {line}, kolumn {column.name}: {count} kommuner är fler än de "
                f"{svarat} som har svarat ({svarat_column.name}); en justering kan "
                "bara flytta kommuner mellan svarsalternativen."
            )
        if rules.one_alternative and not above and sum(counts.values()) > svarat:
            errors.append(
                f"Rad {line}, kolumn {next(iter(counts)).name}: "
                + " + ".join(c.name for c in counts)
                + f" är {sum(counts.values())} kommuner, fler än de {svarat} som har "
                f"svarat ({svarat_column.name}); varje kommun har ett svar, så en "
                "justering kan bara flytta kommuner mellan svarsalternativen."
            )
        first_column, first_total = next(iter(totals.items()), (None, total))
        if total != first_total:
            errors.append(
                f"Rad {line}, kolumn {bases[0].name}: svarat + inte svarat + ej "
                f"aktuell är {total} kommuner men {first_total} i kolumn "
                f"{first_column}; RSS:en har lika många kommuner i varje fråga."
            )
        totals.setdefault(bases[0].name, total)
    return errors


def _live_base_errors(
    counts: Mapping[Column, int],
    row_code: str,
    line: int,
    rules: _CountRules,
) -> list[str]:
    """Counts without their base are saved as the RSS's adjustments, and frozen
    with the live base (`save_answers`, `submit_response`): they must fit the
    kommuner that have answered in the service; a blank cell follows the live
    count."""
    live = rules.live() if counts else None
    if live is None:
        return []
    problems = adjustment_problems(
        live, {c.count_slot: n for c, n in counts.items()}, rows={row_code}
    )
    return [f"Rad {line}, kolumn {next(iter(counts)).name}: {p}" for p in problems]

"""The save's check of an RSS's adjusted kommun counts (issue #4): only with a
written reason, never the base cells, and only within the kommuner that answered.

Separate from `saving` because it is the one part of the save that reads the live
consolidation (`intake.consolidation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from intake.cells import (
    BASE_SLOTS,
    Cells,
)
from intake.consolidation.limits import (
    adjustment_problems,
    count_limit_problem,
    item_name,
)
from intake.consolidation.live import consolidation_for
from intake.models import (
    Channel,
    Response,
)
from intake.selectors import StoredAnswer
from surveys.kinds import facts
from surveys.models import (
    Question,
)


def _adjustment_problems(
    response: Response,
    questions: Sequence[Question],
    *,
    existing: Sequence[StoredAnswer],
    before: dict[int, Cells],
    after: dict[int, Cells],
    channel: Channel,
    reasons: Mapping[str, str],
) -> dict[str, list[str]]:
    """An RSS may adjust a computed kommun count, with a written reason, but only
    by moving the kommuner that answered between the alternatives
    (`intake.consolidation.count_limit_problem`); the base cells are the service's
    alone (issue #4). The rows checked are those whose adjustments change."""
    counts = [q for q in questions if facts(q.kind).kommun_counts]
    if channel == Channel.COMPUTED or not counts:
        return {}
    was_adjusted = {
        (a.question_id, a.slot) for a in existing if a.channel != Channel.COMPUTED
    }
    problems: dict[str, list[str]] = {}
    touched: dict[Question, set[str]] = {}
    for question in counts:
        old, new = before.get(question.pk, {}), after.get(question.pk, {})
        changed = [s for s, cell in new.items() if old.get(s) != cell]
        # A removed adjustment falls back to the live count, which may no longer
        # fit beside the row's other adjustments.
        removed = [s for s in old if s not in new and (question.pk, s) in was_adjusted]
        if not changed and not removed:
            continue
        # An import restores the bases an earlier freeze wrote (raw data with
        # them, validated by reports.imports.importing); nobody else may set them.
        if channel != Channel.IMPORT and any(
            s.rpartition(".")[2] in BASE_SLOTS for s in changed
        ):
            problems[question.variable] = [
                "Antalet kommuner som har svarat beräknas av tjänsten och kan inte "
                "justeras."
            ]
            continue
        if changed and not reasons.get(question.variable, "").strip():
            problems[question.variable] = [
                "Ange varför antalet kommuner justeras. Det justerade antalet är "
                "inte sparat."
            ]
            continue
        touched[question] = {s.rpartition(".")[0] for s in [*changed, *removed]}
    if touched:
        problems.update(_base_problems(response, touched, after=after))
    return problems


def _base_problems(
    response: Response,
    touched: Mapping[Question, set[str]],
    *,
    after: dict[int, Cells],
) -> dict[str, list[str]]:
    """The adjusted counts of the touched rows against the live base; an imported
    row that carries its own base (the record of an earlier freeze) against that
    base, whose parts cannot add up to more than the RSS's member kommuner."""
    consolidation = consolidation_for(
        response.questionnaire,
        response.organisation,
        response=response,
        questions=list(touched),
    )
    live = consolidation.counts if consolidation else {}
    problems: dict[str, list[str]] = {}
    for question, rows in touched.items():
        count = live.get(question.pk)
        if count is None:  # no source question: nothing to count against
            continue
        new = after.get(question.pk, {})
        adjusted = {
            slot: int(cell.number or 0)
            for slot, cell in new.items()
            if slot.rpartition(".")[2] not in BASE_SLOTS
        }
        messages: list[str] = []
        for row in count.rows:
            if row.code not in rows:
                continue
            given_base = [new.get(row.slot(b)) for b in BASE_SLOTS]
            if given_base[0] is None:
                messages += adjustment_problems(count, adjusted, rows={row.code})
                continue
            svarat = int(given_base[0].number or 0)
            total = sum(int(c.number or 0) for c in given_base if c is not None)
            if total > count.n_kommuner:
                messages.append(
                    f"Svarat, ej svarat och ej aktuell är tillsammans {total} "
                    f"kommuner, men RSS:en har {count.n_kommuner} kommuner."
                )
            problem = count_limit_problem(
                [adjusted.get(cell.slot, 0) for cell in row.cells],
                svarat=svarat,
                one_alternative=count.one_alternative,
                item=item_name(row),
            )
            if problem:
                messages.append(problem)
        if messages:
            problems[question.variable] = messages
    return problems

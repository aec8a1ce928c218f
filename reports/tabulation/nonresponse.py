"""Item nonresponse at riket, for the kvalitetsdeklaration.

The same figures as a riket `tabulate`, from only the counts the declaration needs
(tests/reports/test_export_reuse.py compares them); separate from
`reports.tabulation.counts` because it is a second, smaller aggregation path with
its own queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import (
    Count,
    Q,
    Sum,
)

from intake.condition_sql import ByQuestionId, cell_test, holds_q
from intake.models import Answer, Response, ResponseStatus
from reports.tabulation.counts import _applicable_from_cells, _kommun_count
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import RIKET, ItemCounts, Level, Selection, Tabulation
from surveys.models import (
    MatrixRow,
    Question,
    Questionnaire,
)

# --- item nonresponse --------------------------------------------------------------------


@dataclass(frozen=True)
class ItemNonresponse:
    """One item's response at riket, for the kvalitetsdeklaration.

    `base` here is the item's applicable respondents (those who were shown it);
    `answered` gave a substantive answer, `escaped` the escape answer and
    `not_answered` nothing.
    """

    variable: str
    number: str
    label: str
    row: str  # matrix row label, "" for other questions
    respondents: int
    base: int
    answered: int
    not_answered: int
    not_applicable: int
    escaped: int

    @property
    def rate(self) -> Fraction | None:
        """Item nonresponse rate: not answered / applicable."""
        return Fraction(self.not_answered, self.base) if self.base else None


def item_nonresponse(
    questionnaire: Questionnaire, *, riket: Tabulation | None = None
) -> list[ItemNonresponse]:
    """Every item of a questionnaire (matrix rows apart), at riket.

    `riket`: the questionnaire's whole riket tabulation when the caller already
    has it, so that nothing is queried; otherwise `item_nonresponse_of`."""
    if (
        riket is None
        or riket.questionnaire_id != questionnaire.pk
        or riket.selection != Selection.SUBMITTED
    ):
        return item_nonresponse_of([questionnaire])[questionnaire.pk]
    if riket.level != Level.RIKET:
        raise ValueError("Partiellt bortfall räknas på riksnivå.")
    return [
        _item_nonresponse(
            question.question.variable,
            question.question.number,
            question.question.label,
            item.row.label if item.row else "",
            item.by_group[0],
        )
        for question in riket.questions
        for item in question.items
    ]


def _item_nonresponse(
    variable: str, number: str, label: str, row: str, counts: ItemCounts
) -> ItemNonresponse:
    return ItemNonresponse(
        variable=variable,
        number=number,
        label=label,
        row=row,
        respondents=counts.respondents,
        base=counts.applicable,
        answered=counts.base,
        not_answered=counts.not_answered,
        not_applicable=counts.not_applicable,
        escaped=counts.escaped,
    )


def item_nonresponse_of(
    questionnaires: Sequence[Questionnaire],
) -> dict[int, list[ItemNonresponse]]:
    """`item_nonresponse` of several questionnaires (a cycle's, for the
    kvalitetsdeklaration), by questionnaire id, in six queries whatever the
    number of questionnaires, questions or respondents. Submitted responses
    (Selection.SUBMITTED), as the declaration's response rates.

    The same figures as a riket `tabulate` (tests/reports/test_export_reuse.py
    compares them), from only the counts they need: respondents and, for a
    question with a display condition, those it applies to; per item the
    responses with any answer, the escape answers and the numbers given; for
    RSS kommun counts the sums of their base slots. A whole tabulation also
    counts every option in every group, which the declaration does not show.
    """
    ids = [q.pk for q in questionnaires]
    questions = list(
        Question.objects.filter(questionnaire_id__in=ids)
        .order_by("questionnaire_id", "position")
        .prefetch_related("options", "rows")
    )
    variables: dict[int, dict[str, Question]] = {}
    for question in questions:
        by_variable = variables.setdefault(question.questionnaire_id, {})
        by_variable[question.variable] = question
    conditional = [q for q in questions if q.condition]
    cell_tests = {
        q.pk: test
        for q in conditional
        if (test := cell_test(q.display_condition, variables[q.questionnaire_id]))
        is not None
    }
    by_exists = [q for q in conditional if q.pk not in cell_tests]

    respondents: dict[int, int] = {}
    applicable: dict[int, int] = {}
    for counted in (
        Response.objects.filter(
            questionnaire_id__in=ids, status=ResponseStatus.SUBMITTED
        )
        .values("questionnaire_id")
        .annotate(
            respondents=Count("pk"),
            **{
                # The questionnaire first: the condition is evaluated only
                # on its own responses.
                f"applicable_{q.pk}": Count(
                    "pk",
                    filter=Q(questionnaire_id=q.questionnaire_id)
                    & holds_q(
                        q.display_condition, ByQuestionId(variables[q.questionnaire_id])
                    ),
                )
                for q in by_exists
            },
        )
        .order_by()
    ):
        questionnaire_id: int = counted["questionnaire_id"]
        respondents[questionnaire_id] = counted["respondents"]
        for q in by_exists:
            if q.questionnaire_id == questionnaire_id:
                applicable[q.pk] = counted[f"applicable_{q.pk}"]  # type: ignore[literal-required]

    # Submitted responses only, as the declaration's response rates count them.
    answers = Answer.objects.filter(
        question_id__in=[q.pk for q in questions],
        response__status=ResponseStatus.SUBMITTED,
    )
    # (question, row): responses with any answer, escape answers, numbers given.
    answered: dict[tuple[int, int | None], tuple[int, int, int]] = {
        (cell["question_id"], cell["row_id"]): (
            cell["n_responses"],
            cell["n_escaped"],
            cell["n_numbers"],
        )
        for cell in answers.values("question_id", "row_id")
        .annotate(
            n_responses=Count("response_id", distinct=True),
            n_escaped=Count("pk", filter=Q(escaped=True)),
            n_numbers=Count(
                "pk",
                filter=Q(escaped=False, option__isnull=True, number__isnull=False),
            ),
        )
        .order_by()
    }
    # The cells of the RSS kommun counts (their sums) and of the questions that
    # conditions test (their counts), as a tabulation has them at riket.
    counted_cells = {q.pk for q in questions if tabulation(q.kind).kommun_counts} | {
        test.question_id for test in cell_tests.values()
    }
    slot_sums: dict[int, list[tuple[str, Decimal | None]]] = {}
    cells: list[tuple[Any, ...]] = []
    for cell in (
        answers.filter(question_id__in=sorted(counted_cells))
        .values("question_id", "slot", "row_id", "option_id", "escaped")
        .annotate(n=Count("pk"), total=Sum("number"))
        .order_by()
    ):
        cells.append(
            (
                None,
                cell["question_id"],
                cell["slot"],
                cell["row_id"],
                cell["option_id"],
                cell["escaped"],
                cell["n"],
            )
        )
        slot_sums.setdefault(cell["question_id"], []).append(
            (cell["slot"], cell["total"])
        )
    applicable.update(
        {
            question_id: n
            for (_, question_id), n in _applicable_from_cells(cell_tests, cells).items()
        }
    )

    result: dict[int, list[ItemNonresponse]] = {pk: [] for pk in ids}
    for question in questions:
        n_respondents = respondents.get(question.questionnaire_id, 0)
        n_applicable = (
            applicable.get(question.pk, 0) if question.condition else n_respondents
        )
        matrix_rows: list[MatrixRow | None] = [*question.rows.all()] or [None]
        for matrix_row in matrix_rows:
            if tabulation(question.kind).kommun_counts:
                counts = _kommun_count(
                    RIKET,
                    slot_sums.get(question.pk, []),
                    matrix_row.code if matrix_row else None,
                )
            else:
                any_answer, escaped, numbers = answered.get(
                    (question.pk, matrix_row.pk if matrix_row else None), (0, 0, 0)
                )
                counts = ItemCounts(
                    group=RIKET,
                    respondents=n_respondents,
                    not_applicable=n_respondents - n_applicable,
                    not_answered=max(n_applicable - any_answer, 0),
                    escaped=escaped,
                    base=(
                        numbers
                        if tabulation(question.kind).number
                        else any_answer - escaped
                    ),
                )
            result[question.questionnaire_id].append(
                _item_nonresponse(
                    question.variable,
                    question.number,
                    question.label,
                    matrix_row.label if matrix_row else "",
                    counts,
                )
            )
    return result

"""The raw data's rows: one per organisation, its answers as column values
(`build_raw_data`), read by one ordered query as the rows are consumed; and the
same data over rows already read (`replay`). Separate from the columns, which the
codebook and the import read without any answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

from django.utils import timezone

from intake.cells import Cell, Cells
from intake.models import Answer, Response, ResponseStatus
from intake.selectors import DisplayConditions, questions_of
from reports.rawdata.columns import (
    Column,
    RawData,
    RawDataOptions,
    Value,
)
from reports.rawdata.kinds import (
    option_numbers,
    question_values,
    raw_columns,
    raw_data_kind,
)
from surveys.models import (
    Organisation,
    OrganisationKind,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents


def build_raw_data(
    questionnaire: Questionnaire, *, options: RawDataOptions | None = None
) -> RawData:
    """Fetch one questionnaire's raw data in a fixed number of queries.

    Queries: questions, options, rows (3), responses (1), the frame (1, with
    `include_nonrespondents`), RSS memberships (1, kommun questionnaires) and the
    answers (1, ordered by organisation, pivoted into rows as they stream).
    """
    options = options or RawDataOptions()
    data_as_of = timezone.now()
    questions = questions_of(questionnaire)
    columns = raw_columns(questions, include_contacts=options.include_contacts)
    by_question: dict[int, list[Column]] = {}
    for column in columns:
        if column.question is not None:
            by_question.setdefault(column.question.pk, []).append(column)
    # Per question, what every row needs, worked out once: its id, columns,
    # options' numbers and its kind's values (2,2 million cells at 100 times
    # the kommun year, issue #20).
    plan = [
        (q, q.pk, by_question[q.pk], option_numbers(q), raw_data_kind(q))
        for q in questions
    ]
    conditions = DisplayConditions(questions)

    responses = list(
        Response.objects.filter(questionnaire=questionnaire)
        .select_related("organisation__region")
        .order_by("organisation__sort_order", "organisation__code")
    )
    entries: list[tuple[Organisation, Response | None]] = [
        (r.organisation, r) for r in responses
    ]
    if options.include_nonrespondents:
        answered = {r.organisation_id for r in responses}
        entries += [
            (organisation, None)
            for organisation in expected_respondents(questionnaire).select_related(
                "region"
            )
            if organisation.pk not in answered
        ]
        entries.sort(key=lambda e: (e[0].sort_order, e[0].code))

    rss_codes: dict[int, str] = {}
    if questionnaire.audience == OrganisationKind.KOMMUN:
        year = questionnaire.cycle.year
        rss_codes = dict(
            RSSMembership.objects.filter(memberships_in_year(year)).values_list(
                "kommun_id", "rss__code"
            )
        )

    def rows() -> Iterator[list[Value]]:
        answers = (
            Answer.objects.filter(response__questionnaire=questionnaire)
            .order_by(
                "response__organisation__sort_order",
                "response__organisation__code",
                "question_id",
                "slot",
            )
            .values_list(
                "response_id",
                "question_id",
                "slot",
                "row__code",
                "option__code",
                "number",
                "text",
                "escaped",
            )
        )
        grouped = groupby(answers.iterator(chunk_size=2000), key=lambda a: a[0])
        pending = next(grouped, None)
        # Cells are immutable and most are an option ticked (no number): the
        # same few recur in every response, and making each anew (a frozen
        # dataclass) took a third of the rows' time at national scale (issue
        # #20). A number is never shared: its Decimal's own digits are kept.
        shared: dict[tuple[Any, ...], Cell] = {}
        for organisation, response in entries:
            cells: dict[int, Cells] = {}
            if response is not None and pending and pending[0] == response.pk:
                for answer in pending[1]:
                    _, qid, slot, row, option, number, text, escaped = answer
                    if number is None:
                        key = answer[3:]
                        cell = shared.get(key)
                        if cell is None:
                            cell = shared[key] = Cell(
                                option=option, row=row, text=text, escaped=escaped
                            )
                    else:
                        cell = Cell(
                            option=option,
                            row=row,
                            number=number,
                            text=text,
                            escaped=escaped,
                        )
                    cells.setdefault(qid, {})[slot] = cell
                pending = next(grouped, None)
            yield _row(organisation, response, cells)

    def _row(
        organisation: Organisation, response: Response | None, cells: dict[int, Cells]
    ) -> list[Value]:
        submitted = (
            timezone.localtime(response.submitted_at).isoformat()
            if response and response.submitted_at
            else ""
        )
        values: list[Value] = [
            organisation.code,
            organisation.name,
            organisation.kind,
            organisation.region.code if organisation.region else "",
            rss_codes.get(organisation.pk, ""),
            response.status if response else ResponseStatus.NOT_STARTED.value,
            submitted,
        ]
        if options.include_contacts:
            values += (
                [response.contact_name, response.contact_email, response.contact_phone]
                if response
                else ["", "", ""]
            )
        if response is None:
            values += [None] * (len(columns) - len(values))
            return values
        shown = conditions.shown(cells)
        for question, pk, question_cols, numbers, kind in plan:
            values += question_values(
                question,
                question_cols,
                cells.get(pk, {}),
                shown=pk in shown,
                numbers=numbers,
                kind=kind,
            )
        return values

    return RawData(
        questionnaire=questionnaire,
        columns=columns,
        rows=rows(),
        row_count=len(entries),
        data_as_of=data_as_of,
    )


def replay(data: RawData, rows: Sequence[list[Value]]) -> RawData:
    """The same raw data over rows already read, so that several files written
    from it show one snapshot."""
    return RawData(
        questionnaire=data.questionnaire,
        columns=data.columns,
        rows=iter(rows),
        row_count=len(rows),
        data_as_of=data.data_as_of,
    )

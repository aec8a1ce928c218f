"""The member kommuner's answers counted for the consolidation (`live`): per
alternative, who answered each item, and who it does not apply to, in three
queries; kept for the next consolidation of the same answers (issue #20).

A posted «Skicka in» works the consolidation out twice in one request: for the
form, then for the freeze, under the lock on the kommun responses. The second
reuses the first's tallies only when the snapshot that keys them is the same:
every answer change bumps its response's version and `updated_at` in the same
transaction (`intake.services.saving`, `bulk`, the submit and the reopening), so
identical (id, version, status, updated_at) of every kommun response, read
under the lock, mean identical answers. The key also holds the members, the
kommun questions with their conditions and their questionnaires' content hash,
so a changed register or definition is never served either. One entry per
thread: the last tallies worked out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q

from intake.models import Answer, Response, ResponseStatus


@dataclass(frozen=True)
class Tallies:
    # (question id, row code, option code) -> (kommuner, of them submitted)
    per_option: Mapping[tuple[int, str, str], tuple[int, int]]
    # (question id, row code) -> the kommuner with an answer to the item
    answered_by: Mapping[tuple[int, str], frozenset[int]]
    # question id -> the kommuner whose display condition excludes the item
    not_applicable_by: Mapping[int, frozenset[int]]


_last = threading.local()


def kommun_tallies(
    key: Hashable,
    *,
    source_ids: set[int],
    responses: Sequence[Response],
    conditional: Mapping[int, tuple[int, str]],
    excluded: Callable[[int, str], Q],
) -> Tallies:
    """The tallies of `responses`' answers to the source questions `source_ids`;
    `conditional` are those with a display condition, by (questionnaire id,
    variable), `excluded` the Q on Response that excludes one
    (`live.DisplayConditions.excluded`). The last tallies if `key` is theirs:
    `key` must hold `snapshot(responses)` and what else the tallies depend on."""
    last: tuple[Hashable, Tallies] | None = getattr(_last, "tallies", None)
    if last is not None and last[0] == key:
        return last[1]
    tallies = _count(
        source_ids=source_ids,
        response_ids=[r.pk for r in responses],
        conditional=conditional,
        excluded=excluded,
    )
    _last.tallies = (key, tallies)
    return tallies


def forget_tallies() -> None:
    """Drop this thread's last tallies: the next consolidation counts again
    (bench/bulk_bench.py times that, the case of a request in another worker)."""
    _last.tallies = None


def snapshot(responses: Sequence[Response]) -> Hashable:
    """What identifies the answers of `responses` (see the module docstring);
    the database's name too, for processes that use more than one."""
    return (
        connection.settings_dict["NAME"],
        tuple(
            (r.pk, r.questionnaire_id, r.organisation_id, r.version, r.status)
            + (r.updated_at,)
            for r in responses
        ),
    )


def _count(
    *,
    source_ids: set[int],
    response_ids: list[int],
    conditional: Mapping[int, tuple[int, str]],
    excluded: Callable[[int, str], Q],
) -> Tallies:
    answers = Answer.objects.filter(
        question_id__in=source_ids, response_id__in=response_ids
    )
    # Kommuner per alternative: one GROUP BY over every counted question.
    per_option = {
        (a["question_id"], a["row__code"] or "", a["option__code"]): (
            a["n"],
            a["submitted"],
        )
        for a in answers.filter(option__isnull=False)
        .values("question_id", "row__code", "option__code")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(response__status=ResponseStatus.SUBMITTED)),
        )
        .order_by()
    }
    # The base: kommuner with an answer to the item (a matrix: per row), and who
    # they are, to name the kommuner that have not. A kommun has at most one
    # response to a questionnaire, and a question belongs to one, so the
    # distinct kommuner are the distinct responses: counting them in SQL as
    # well would read the same answers again (issue #20).
    answered_by: dict[tuple[int, str], set[int]] = {}
    for question_id, row_code, organisation_id in (
        answers.values_list("question_id", "row__code", "response__organisation_id")
        .distinct()
        .order_by()
    ):
        answered_by.setdefault((question_id, row_code or ""), set()).add(
            organisation_id
        )

    # Ej aktuell: the item's condition decided against it, in SQL.
    not_applicable_by: dict[int, set[int]] = {}
    if conditional and response_ids:
        flags = {
            f"x{pk}": Q(questionnaire_id=qn)
            & excluded(qn, var)
            & ~Q(Exists(Answer.objects.filter(response=OuterRef("pk"), question_id=pk)))
            for pk, (qn, var) in conditional.items()
        }
        # One row per kommun response with a flag per item, decided in SQL; the
        # count is the number of kommuner flagged (at most one response per
        # kommun and questionnaire), so a second query counting them in SQL
        # would only evaluate the same conditions again.
        for row in (
            Response.objects.filter(pk__in=response_ids)
            .annotate(
                **{
                    name: ExpressionWrapper(flag, output_field=BooleanField())
                    for name, flag in flags.items()
                }
            )
            .values("organisation_id", *flags)
        ):
            for pk in conditional:
                if row[f"x{pk}"]:
                    not_applicable_by.setdefault(pk, set()).add(row["organisation_id"])
    # Frozen: the same tallies may serve the next consolidation.
    return Tallies(
        per_option,
        {item: frozenset(kommuner) for item, kommuner in answered_by.items()},
        {pk: frozenset(kommuner) for pk, kommuner in not_applicable_by.items()},
    )

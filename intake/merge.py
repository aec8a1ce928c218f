"""Saving over other people's saves: the per-question merge (issue #13).

Two people (or two tabs) edit one response. Every save carries, per question, a
fingerprint of the stored answer the user's page was built from (`<variable>__bas`).
Against what is stored now, question by question:

- stored answer still as the user saw it: the user's answer is written;
- the user left it as they saw it, someone else changed it: the stored answer stays
  (the user has not seen it, so nothing of theirs should replace it);
- both changed it to different answers: a collision. Nothing is written for that
  question until the user chooses, beside the stored answer, "Ditt svar" or the
  saved one (`<variable>__val`, tied to the fingerprint of the answer they saw,
  so a third change reopens the choice).

`merge_answers` is the rule; `save_merged` applies it with the response's row
locked from the read to the write (and the optimistic version lock behind it).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from intake.cells import Cell, Cells
from intake.consolidation.live import adjustment_cells
from intake.models import Answer, AnswerChange, Channel, Response, ResponseStatus
from intake.selectors import (
    CELL_VALUES,
    StoredAnswer,
    answer_cells,
    cell_of_values,
    cells_of,
)
from intake.services.saving import StaleResponseError, save_answers_in_transaction
from intake.services.values import cells_for
from surveys.errors import DomainError
from surveys.kinds import facts
from surveys.models import Question, User
from surveys.prepared import Prepared

BASE = "__bas"
CHOICE = "__val"
MINE = "mitt"
THEIRS = "sparat"
# Someone saving between our read and our write (only where the database has no
# row lock: SQLite): read again and merge again. More attempts than that means
# the response is saved in a tight loop.
ATTEMPTS = 5


def base_field(variable: str) -> str:
    return f"{variable}{BASE}"


def choice_field(variable: str) -> str:
    return f"{variable}{CHOICE}"


def fingerprint(cells: Cells) -> str:
    """A short, stable digest of one question's answer (empty included). Numbers
    by value: the typed 18 and the stored 18.00 are the same answer."""
    # Every page and save works out one per question, mostly of answers it has
    # seen before (issue #20). Cells are frozen, and equal cells (18 == 18.00
    # included) have equal digests, so they can key a bounded cache.
    return _digest(frozenset(cells.items()))


@functools.lru_cache(maxsize=4096)
def _digest(cells: frozenset[tuple[str, Cell]]) -> str:
    payload = _payload(cells)
    if payload is None:
        payload = _json_payload(cells)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _json_payload(cells: frozenset[tuple[str, Cell]]) -> str:
    """What is digested: the cells as JSON, sorted. Every page open in a browser
    posts digests of it back, so it never changes."""
    return json.dumps(
        sorted((slot, _comparable(cell)) for slot, cell in cells),
        sort_keys=True,
        ensure_ascii=False,
    )


_quoted = json.encoder.encode_basestring  # json.dumps's, with ensure_ascii off


def _payload(cells: frozenset[tuple[str, Cell]]) -> str | None:
    """`_json_payload`, character for character, written out without the
    encoder's general machinery: half the cost of a digest not cached, of which
    a save of new answers works out some 40 (issue #20). None for a cell whose
    values are not the text, number and flag `Cell` declares."""
    parts = []
    for slot, cell in sorted(cells, key=_slot):
        option, row, number, text = cell.option, cell.row, cell.number, cell.text
        if not (
            type(slot) is str
            and (option is None or type(option) is str)
            and (row is None or type(row) is str)
            and (number is None or type(number) is Decimal)
            and type(text) is str
            and type(cell.escaped) is bool
        ):
            return None
        # as_json's keys, sorted: escaped, number, option, row, text.
        fields = []
        if cell.escaped:
            fields.append('"escaped": true')
        if number is not None:
            fields.append(f'"number": "{_number_text(number)}"')
        if option is not None:
            fields.append('"option": ' + _quoted(option))
        if row is not None:
            fields.append('"row": ' + _quoted(row))
        if text:
            fields.append('"text": ' + _quoted(text))
        parts.append(f"[{_quoted(slot)}, {{{', '.join(fields)}}}]")
    return f"[{', '.join(parts)}]"


def _slot(item: tuple[str, Cell]) -> str:
    return item[0]


def _number_text(number: Decimal) -> str:
    # -0 is 0 here as it is to ==, which the cache of digests keys on.
    number = number.normalize()
    return format(number.copy_abs() if number.is_zero() else number, "f")


def _comparable(cell: Cell) -> dict[str, Any]:
    value = cell.as_json()
    if cell.number is not None:
        value["number"] = _number_text(cell.number)
    return value


def choice_value(side: str, theirs: Cells) -> str:
    return f"{side}:{fingerprint(theirs)}"


@dataclass(frozen=True)
class Collision:
    """Both the user and someone else changed `variable` since the user's base."""

    variable: str
    theirs: Cells
    by: str = ""
    at: datetime.datetime | None = None


@dataclass
class Merge:
    write: dict[str, Any] = field(default_factory=dict)  # variable -> raw value
    kept: list[str] = field(default_factory=list)  # others' answer stays, unseen
    collisions: list[Collision] = field(default_factory=list)


def merge_answers(
    *,
    base: Mapping[str, str | None],
    mine: Mapping[str, tuple[Any, Cells]],
    theirs: Mapping[str, Cells],
    choices: Mapping[str, str] | None = None,
) -> Merge:
    """Per question (by variable): write the user's change, keep others' change,
    or report a collision. `base` is the fingerprint the user's page was built
    from (None: unknown, so any difference from the stored answer collides);
    `mine` the user's (raw value, cells); `theirs` what is stored now."""
    merge = Merge()
    for variable, (raw, my_cells) in mine.items():
        stored = theirs.get(variable, {})
        if my_cells == stored:
            # Equal cells have equal fingerprints (numbers by value, as
            # `fingerprint`): nothing to change, and no digest worked out.
            continue
        mine_fp, theirs_fp, base_fp = (
            fingerprint(my_cells),
            fingerprint(stored),
            base.get(variable),
        )
        if mine_fp == theirs_fp:
            continue  # nothing to change
        if base_fp == theirs_fp:
            merge.write[variable] = raw
        elif base_fp == mine_fp:
            merge.kept.append(variable)
        else:
            chosen = (choices or {}).get(variable, "")
            if chosen == f"{MINE}:{theirs_fp}":
                merge.write[variable] = raw
            elif chosen == f"{THEIRS}:{theirs_fp}":
                merge.kept.append(variable)
            else:
                merge.collisions.append(Collision(variable, stored))
    return merge


def stored_cells(
    response: Response | None,
    questions: Sequence[Question],
    cells: dict[int, Cells] | None = None,
) -> dict[str, Cells]:
    """What the form compares against, by variable: the stored answers (`cells`,
    by question id, when the caller has them), and for an RSS kommun count only
    the RSS's own adjustments (what its fields show)."""
    cells = dict(answer_cells(response) if cells is None else cells)
    cells.update(adjustment_cells(response, questions))
    return {q.variable: cells.get(q.pk, {}) for q in questions}


@dataclass
class MergedSave:
    response: Response
    written: list[str]  # variables whose stored answer changed
    kept: list[str]
    collisions: list[Collision]
    stored: dict[str, Cells]  # by variable, after the save


def save_merged(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    questions: Sequence[Question],
    values: Mapping[str, Any],
    bases: Mapping[str, str],
    choices: Mapping[str, str],
    seen_version: int,
    reasons: Mapping[str, str] | None = None,
    cells: Mapping[str, Cells] | None = None,
    whole: bool = False,
) -> MergedSave:
    """Save `values` (valid raw values by variable) merged with what others saved
    since `seen_version`. A question without a posted base counts as seen when
    nobody has changed it since `seen_version`. `cells` are the values already
    parsed (`intake.services.values.cells_for`) by the caller. `whole`: write
    nothing when others' answers are kept or a question collides (the merge's
    outcome is returned with nothing written, `written` empty). Raises what
    `save_answers` raises, except StaleResponseError, which it absorbs by merging
    again."""
    by_variable = {q.variable: q for q in questions}
    parsed = cells or {}
    mine = {
        v: (raw, parsed[v] if v in parsed else cells_for(by_variable[v], raw))
        for v, raw in values.items()
    }
    for _ in range(ATTEMPTS):
        try:
            return _merge_and_save(
                response,
                actor=actor,
                channel=channel,
                questions=questions,
                mine=mine,
                bases=bases,
                choices=choices,
                seen_version=seen_version,
                reasons=reasons or {},
                whole=whole,
            )
        except StaleResponseError:
            continue  # someone saved in between (SQLite has no row lock): again
    raise StaleResponseError(response.version)


UNKNOWN_VERSION = (
    "Svaren kunde inte sparas eftersom sidan anger en version av svaren som inte "
    "finns. Ladda om sidan och försök igen."
)


@transaction.atomic
def _merge_and_save(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    questions: Sequence[Question],
    mine: Mapping[str, tuple[Any, Cells]],
    bases: Mapping[str, str],
    choices: Mapping[str, str],
    seen_version: int,
    reasons: Mapping[str, str],
    whole: bool = False,
) -> MergedSave:
    """Read, merge and write as one step: the response's row is locked from the
    read of what is stored to the write, so that concurrent saves merge one
    after the other instead of the last writing over the first."""
    by_variable = {q.variable: q for q in questions}
    # Read once: compared here, and replaced by save_answers at this version.
    response.version, response.status, existing = _lock_with_answers(response)
    if seen_version > response.version:
        # No page can have shown a version that was never saved: a forged or
        # garbled one would otherwise read as "nothing changed since" and
        # write over what others saved.
        raise DomainError(UNKNOWN_VERSION)
    theirs = stored_cells(response, questions, cells_of(existing))
    base: dict[str, str | None] = {v: bases[v] for v in mine if bases.get(v)}
    unbased = [v for v in mine if v not in base]
    # The history is read only for questions posted without a base (the page
    # posts one for each, so a browser's save does not read it).
    changed_since = (
        set(
            AnswerChange.objects.filter(
                response=response, response_version__gt=seen_version
            ).values_list("question__variable", flat=True)
        )
        if unbased
        else set()
    )
    for variable in unbased:
        if variable not in changed_since:
            base[variable] = fingerprint(theirs.get(variable, {}))
        else:
            base[variable] = None
    merge = merge_answers(base=base, mine=mine, theirs=theirs, choices=choices)
    counts = [v for v in mine if facts(by_variable[v].kind).kommun_counts]
    for variable in _frozen_counts(response, counts):
        # A reopened RSS response still holds the counts frozen when it was
        # submitted; the first save lets them follow the kommuner again
        # (UNFROZEN_REASON in the history), as every save did before the merge.
        if fingerprint(mine[variable][1]) == fingerprint(theirs.get(variable, {})):
            merge.write[variable] = mine[variable][0]
    if whole and (merge.kept or merge.collisions):
        return MergedSave(response, [], merge.kept, merge.collisions, theirs)
    if merge.write:
        saved = save_answers_in_transaction(
            response,
            actor=actor,
            channel=channel,
            values=merge.write,
            expected_version=response.version,
            reasons={v: r for v, r in reasons.items() if v in merge.write},
            existing=existing,
            parsed={v: mine[v][1] for v in merge.write},
        )
        response = saved.response
        theirs = stored_cells(response, questions, saved.cells)
    return MergedSave(
        response=response,
        written=list(merge.write),
        kept=merge.kept,
        collisions=_with_authors(response, by_variable, merge.collisions),
        stored=theirs,
    )


def _locked_answers(response_id: int) -> QuerySet[Response]:
    # FOR UPDATE OF the response alone: the answers' side of the outer join
    # cannot be locked, and need not be (every write to them takes this lock).
    return (
        Response.objects.filter(pk=response_id)
        .select_for_update(of=("self",))
        .order_by()
        .values_list(
            "version",
            "status",
            *(f"answers__{name}" for name in ("pk", "question_id", "channel")),
            *(f"answers__{name}" for name in CELL_VALUES),
        )
    )


# Compiled once (surveys.prepared): every save sends it (issue #20).
_LOCKED_ANSWERS = Prepared(_locked_answers)


def _lock_with_answers(response: Response) -> tuple[int, str, list[StoredAnswer]]:
    """Lock the response's row and read its version, status and answer rows:
    one statement, one round trip (issue #20)."""
    rows = _LOCKED_ANSWERS.rows(response.pk)
    if not rows:
        raise Response.DoesNotExist
    version, status = rows[0][0], rows[0][1]
    return (
        version,
        status,
        [
            StoredAnswer(pk, question_id, slot, channel, cell_of_values(*value))
            for _, _, pk, question_id, channel, slot, *value in rows
            if pk is not None
        ],
    )


def _frozen_counts(response: Response, counts: Sequence[str]) -> set[str]:
    """The RSS kommun counts (by variable) that still hold frozen figures."""
    if not counts or response.status == ResponseStatus.SUBMITTED:
        return set()
    return set(
        Answer.objects.filter(
            response=response,
            channel=Channel.COMPUTED,
            question__variable__in=counts,
        ).values_list("question__variable", flat=True)
    )


def _with_authors(
    response: Response,
    by_variable: Mapping[str, Question],
    collisions: Sequence[Collision],
) -> list[Collision]:
    """Who saved the answer the user collided with, and when (one query)."""
    if not collisions:
        return []
    latest: dict[int, AnswerChange] = {}
    for change in (
        AnswerChange.objects.filter(
            response=response,
            question__in=[by_variable[c.variable] for c in collisions],
        )
        .select_related("changed_by")
        .order_by("changed_at", "pk")
    ):
        latest[change.question_id] = change
    result = []
    for collision in collisions:
        last = latest.get(by_variable[collision.variable].pk)
        result.append(
            Collision(
                collision.variable,
                collision.theirs,
                by=str(last.changed_by) if last else "",
                at=last.changed_at if last else None,
            )
        )
    return result

"""Writes to answers (docs/conventions.md §2, §6).

`save_answers` is the one way answers change, whatever the channel (web form,
Excel upload, proxy entry, import): it validates values against the definition,
applies the display conditions (an answer to a question that is not shown is
removed, and the history says so), writes answers and their history in one
transaction, and bumps the response's version under an optimistic lock.
`correct_answer` is staff's correction of a number through the same save.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from intake.cells import (
    Cells,
    given_answer,
)
from intake.models import (
    Answer,
    AnswerChange,
    Channel,
    Response,
    ResponseStatus,
)
from intake.selectors import (
    StoredAnswer,
    cells_of,
    questions_of,
    stored_answers,
)
from intake.services.adjustments import _adjustment_problems
from intake.services.answer_sql import write_rows
from intake.services.values import cells_for
from intake.writable import require_writable
from surveys.conditions import GivenAnswer, holds
from surveys.errors import DomainError
from surveys.kinds import NUMBER_KINDS
from surveys.models import (
    Question,
    User,
)

HIDDEN_REASON = "Följdfrågan gäller inte längre efter ändrat svar"
UNFROZEN_REASON = (
    "Det inskickade antalet gäller inte längre; antalet följer kommunernas svar "
    "tills enkäten skickas in igen"
)


class StaleResponseError(DomainError):
    """Someone else saved the response after this user loaded it."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Någon annan har sparat ändringar i enkäten sedan du öppnade den. "
            "Dina uppgifter har inte sparats; se vad som ändrats och spara igen."
        )


def save_answers(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    reason: str = "",
    reasons: Mapping[str, str] | None = None,
    existing: Sequence[StoredAnswer] | None = None,
) -> Response:
    """Change the answers named in `values` (by variable); leave the others.

    Values by kind: a code for yes/no and single choice; a list of codes for
    multiple choice; a {row: code} mapping for a matrix; a number, or
    {"escaped": True}, for integers and percentages; a string for text; a
    {"row.option" or "option": count} mapping for RSS kommun counts. None or an
    empty value clears the answer. `reasons` gives a question's change its own
    reason (by variable) instead of `reason`; an RSS's adjustment of a kommun
    count needs one (issue #4). `existing` are the response's answers when the
    caller has just read them at `expected_version` (`intake.merge`, under the
    response's row lock): any save since changed the version, so the lock below
    refuses them as stale.

    A correction (`Channel.CORRECTION`, see `correct_answer`) is staff's alone,
    needs a reason for every answer it changes, and is the one write a submitted
    response accepts: it stays submitted.

    Raises ValidationError keyed by variable (Swedish messages), DomainError if
    the response is locked or a respondent's channel finds the questionnaire
    not open (`intake.writable`), and StaleResponseError if `expected_version` is not
    the current version.
    """
    return save_answers_with_cells(
        response,
        actor=actor,
        channel=channel,
        values=values,
        expected_version=expected_version,
        reason=reason,
        reasons=reasons,
        existing=existing,
    ).response


@dataclass(frozen=True)
class SavedAnswers:
    response: Response
    # Every stored answer after the save, by question id and slot: what was
    # written is known, so the caller need not read it back (issue #20).
    cells: dict[int, Cells]


@transaction.atomic
def save_answers_with_cells(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    reason: str = "",
    reasons: Mapping[str, str] | None = None,
    existing: Sequence[StoredAnswer] | None = None,
) -> SavedAnswers:
    """`save_answers`, also returning the answers stored after the save."""
    return save_answers_in_transaction(
        response,
        actor=actor,
        channel=channel,
        values=values,
        expected_version=expected_version,
        reason=reason,
        reasons=reasons,
        existing=existing,
    )


def save_answers_in_transaction(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    reason: str = "",
    reasons: Mapping[str, str] | None = None,
    existing: Sequence[StoredAnswer] | None = None,
    parsed: Mapping[str, Cells] | None = None,
) -> SavedAnswers:
    """`save_answers_with_cells` inside the caller's own transaction, which
    must be open (`transaction.atomic`) and must end with what this raises:
    the per-question merge (intake.merge), whose transaction holds the row lock
    from its read to this write. A savepoint of its own would cost two round
    trips per save (issue #20) and undo nothing the caller's rollback does not.
    `parsed` are the cells `intake.services.values.cells_for` gave the caller
    for some of `values` (by variable), so they are not parsed again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_answers_in_transaction needs an open transaction")
    if channel == Channel.CORRECTION:
        _check_correction(actor, values=values, reason=reason, reasons=reasons)
    elif response.status == ResponseStatus.SUBMITTED:
        raise DomainError(
            "Enkäten är inskickad och låst. Be Socialstyrelsen öppna den igen."
        )
    require_writable(
        response.questionnaire, organisation=response.organisation, channel=channel
    )
    # The structure built once per questionnaire content (issue #20), the same
    # the view already used for this request.
    questions = questions_of(response.questionnaire)
    if existing is None:
        existing = stored_answers(response)
    planned = plan_save(
        response,
        questions=questions,
        existing=existing,
        values=values,
        channel=channel,
        reason=reason,
        reasons=reasons,
        parsed=parsed,
    )

    version = response.version if expected_version is None else expected_version
    now = timezone.now()
    new_status = (
        ResponseStatus.IN_PROGRESS
        if response.status == ResponseStatus.NOT_STARTED
        else response.status
    )
    if not _bump_version(response.pk, version, status=new_status, now=now):
        current = Response.objects.values_list("version", flat=True).get(pk=response.pk)
        raise StaleResponseError(current)
    # What the UPDATE wrote, without reading it back.
    response.version, response.status = version + 1, new_status
    response.updated_at = now

    write_answer_rows(
        answer_rows(
            response,
            planned,
            questions=questions,
            existing=existing,
            actor=actor,
            channel=channel,
            reason=reason,
            reasons=reasons,
        )
    )
    return SavedAnswers(
        response, {qid: cells for qid, cells in planned.after.items() if cells}
    )


def _bump_version(
    response_id: int, version: int, *, status: str, now: datetime.datetime
) -> bool:
    """The optimistic lock: the response's next version, its status and time,
    written only if `version` is still its version. Whether it was.

    The statement written out, not `QuerySet.update()`: the ORM compiled the
    same UPDATE anew on every save, 0,6 ms of the process's CPU (issue #20)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BUMP_VERSION,
            [
                status,
                connection.ops.adapt_datetimefield_value(now),
                response_id,
                version,
            ],
        )
        updated: int = cursor.rowcount
    return updated == 1


_BUMP_VERSION = """
    UPDATE intake_response SET version = version + 1, status = %s, updated_at = %s
    WHERE id = %s AND version = %s
"""
# Checked against the model here, so a renamed table or column stops the
# service from starting rather than failing a save.
if Response._meta.db_table != "intake_response" or not {
    "id",
    "version",
    "status",
    "updated_at",
} <= {f.column for f in Response._meta.concrete_fields}:
    raise RuntimeError("Response's table changed: update saving._BUMP_VERSION")


@dataclass(frozen=True)
class PlannedSave:
    """A save worked out before anything is written: the answers before and
    after, and the questions whose answers the display conditions clear."""

    before: dict[int, Cells]
    after: dict[int, Cells]
    hidden: set[int]


def plan_save(
    response: Response,
    *,
    questions: Sequence[Question],
    existing: Sequence[StoredAnswer],
    values: Mapping[str, Any],
    channel: Channel,
    reason: str,
    reasons: Mapping[str, str] | None,
    parsed: Mapping[str, Cells] | None = None,
) -> PlannedSave:
    """Validate `values` against the definition and apply the display
    conditions. Raises ValidationError keyed by variable; reads nothing more
    unless the questionnaire has RSS kommun counts (their limits). `parsed`:
    cells `cells_for` already gave for some of the values, by variable."""
    by_variable = {q.variable: q for q in questions}
    unknown = sorted(set(values) - set(by_variable))
    if unknown:
        raise ValidationError({v: ["Frågan finns inte i enkäten."] for v in unknown})
    before = cells_of(existing)

    after: dict[int, Cells] = {qid: dict(cells) for qid, cells in before.items()}
    errors: dict[str, list[str]] = {}
    parsed = parsed or {}
    for variable, raw in values.items():
        question = by_variable[variable]
        if variable in parsed:
            # The same rule (cells_for) on the same value: a whole-form save
            # parsed its 66 answers once already (issue #20).
            after[question.pk] = parsed[variable]
            continue
        try:
            after[question.pk] = cells_for(question, raw)
        except ValidationError as exc:
            errors[variable] = exc.messages
    reasons = dict(reasons or {})
    errors.update(
        _adjustment_problems(
            response,
            [by_variable[v] for v in values if v not in errors],
            existing=existing,
            before=before,
            after=after,
            channel=channel,
            reasons={v: reasons.get(v, reason) for v in values},
        )
    )
    if errors:
        raise ValidationError(errors)
    hidden = _apply_display_conditions(questions, after)
    return PlannedSave(before, after, hidden)


CORRECTION_STAFF_ONLY = "Bara Socialstyrelsen kan rätta ett svar."
CORRECTION_REASON_MISSING = "Ange varför svaret rättas."
CORRECTION_REASON_MAX_LENGTH = AnswerChange._meta.get_field("reason").max_length or 300


def _check_correction(
    actor: User,
    *,
    values: Mapping[str, Any],
    reason: str,
    reasons: Mapping[str, str] | None,
) -> None:
    if not actor.is_staff_member:
        raise DomainError(CORRECTION_STAFF_ONLY)
    missing = [v for v in values if not (reasons or {}).get(v, reason).strip()]
    if missing:
        raise ValidationError({v: [CORRECTION_REASON_MISSING] for v in missing})


@transaction.atomic
def correct_answer(
    response: Response,
    *,
    actor: User,
    variable: str,
    value: Any,
    reason: str,
    expected_version: int | None = None,
) -> Response:
    """Socialstyrelsen corrects one number answer (e.g. Kalmar's «179», read as
    179 000: docs/domain/region_questionnaire_2024.md §4, footnote 36), also in
    a submitted response, without reopening it.

    Goes through `save_answers` with `Channel.CORRECTION`, so the value is
    validated like any other, and the history keeps the value as entered, the
    corrected one, who, when and the reason; tables and exports read the
    corrected answer. `value` is what staff typed, or {"escaped": True} for the
    escape answer (a count that cannot be used: Gävleborg's «38»).
    """
    if not actor.is_staff_member:
        raise DomainError(CORRECTION_STAFF_ONLY)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [CORRECTION_REASON_MISSING]})
    if len(reason) > CORRECTION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    f"Anledningen får vara högst {CORRECTION_REASON_MAX_LENGTH} "
                    f"tecken (nu {len(reason)})."
                ]
            }
        )
    if value is None or value == "" or value == {}:
        # A correction replaces a value; removing an answer is the respondent's.
        raise ValidationError({variable: ["Ange det rättade värdet."]})
    question = response.questionnaire.questions.filter(variable=variable).first()
    if question is None or question.kind not in NUMBER_KINDS:
        raise DomainError("Bara svar som är tal kan rättas här.")
    if not response.answers.filter(question=question).exists():
        raise DomainError(
            f"{response.organisation} har inte svarat på fråga {question.number}; "
            "det finns inget att rätta."
        )
    return save_answers(
        response,
        actor=actor,
        channel=Channel.CORRECTION,
        values={variable: value},
        expected_version=expected_version,
        reason=reason,
    )


def _apply_display_conditions(
    questions: Sequence[Question], cells: dict[int, Cells]
) -> set[int]:
    """Clear the answers of questions whose condition does not hold; return their ids."""
    given = _GivenSoFar(cells)
    hidden: set[int] = set()
    for question in questions:
        question_id = question.pk
        if not holds(question.display_condition, given):
            if cells.get(question_id):
                hidden.add(question_id)
            cells[question_id] = {}
        given.passed[question.variable] = question_id
    return hidden


class _GivenSoFar(Mapping[str, GivenAnswer]):
    """The answers of the questions passed so far, as conditions read them,
    each worked out when a condition first asks for it: a whole form has 66
    questions, a few of which any condition names (issue #20). A question's
    cells are final once it is passed, so what is worked out stays true."""

    def __init__(self, cells: Mapping[int, Cells]) -> None:
        self.cells = cells
        self.passed: dict[str, int] = {}  # variable -> question id
        self.known: dict[str, GivenAnswer] = {}

    def __getitem__(self, variable: str) -> GivenAnswer:
        answer = self.known.get(variable)
        if answer is None:
            question_id = self.passed[variable]  # KeyError: not passed yet
            answer = given_answer(self.cells.get(question_id, {}))
            self.known[variable] = answer
        return answer

    def __iter__(self) -> Iterator[str]:
        return iter(self.passed)

    def __len__(self) -> int:
        return len(self.passed)


@dataclass
class AnswerRows:
    """The rows a save writes: answers replaced, and a history row per change."""

    to_delete: list[int] = field(default_factory=list)
    to_create: list[Answer] = field(default_factory=list)
    history: list[AnswerChange] = field(default_factory=list)

    def extend(self, other: AnswerRows) -> None:
        self.to_delete += other.to_delete
        self.to_create += other.to_create
        self.history += other.history


def answer_rows(
    response: Response,
    planned: PlannedSave,
    *,
    questions: Sequence[Question],
    existing: Sequence[StoredAnswer],
    actor: User,
    channel: Channel,
    reason: str,
    reasons: Mapping[str, str] | None = None,
) -> AnswerRows:
    """The answer rows to replace and the history of each change, at the
    response's new version."""
    before, after, hidden = planned.before, planned.after, planned.hidden
    existing_by_key = {(a.question_id, a.slot): a for a in existing}
    changes = AnswerRows()
    # Read once: a whole-form save builds some 160 rows, and `actor` is the
    # request's lazy user, each attribute of which goes through its proxy.
    response_id, actor_id, version = response.pk, actor.pk, response.version
    reasons = reasons or {}
    plain = _plain_rows()
    for question in questions:
        question_id = question.pk
        old_cells = before.get(question_id, {})
        new_cells = after.get(question_id, {})
        if old_cells == new_cells:
            continue
        options: dict[str, int] | None = None
        rows: dict[str, int] | None = None
        question_reason = reasons.get(question.variable, reason)
        for slot in sorted(set(old_cells) | set(new_cells)):
            old, new = old_cells.get(slot), new_cells.get(slot)
            if old == new:
                continue
            change_reason = question_reason
            if question_id in hidden and new is None:
                change_reason = HIDDEN_REASON
            if old is not None:
                old_answer = existing_by_key[(question_id, slot)]
                changes.to_delete.append(old_answer.pk)
                if (
                    new is None
                    and old_answer.channel == Channel.COMPUTED
                    and channel != Channel.COMPUTED
                ):
                    change_reason = UNFROZEN_REASON
            if new is not None:
                row_id = option_id = None
                if new.row:
                    if rows is None:
                        rows = {r.code: r.pk for r in question.rows.all()}
                    row_id = rows[new.row]
                if new.option:
                    if options is None:
                        options = {o.code: o.pk for o in question.options.all()}
                    option_id = options[new.option]
                # By id, not by object: a bulk save builds tens of thousands
                # of rows, and Django checks every related object it is given.
                changes.to_create.append(
                    _answer(
                        response_id,
                        question_id,
                        slot,
                        row_id,
                        option_id,
                        new.number,
                        new.text,
                        new.escaped,
                        channel,
                        actor_id,
                        plain=plain,
                    )
                )
            changes.history.append(
                _answer_change(
                    response_id,
                    question_id,
                    slot,
                    old.as_json() if old else None,
                    new.as_json() if new else None,
                    channel,
                    actor_id,
                    change_reason,
                    version,
                    plain=plain,
                )
            )
    return changes


# The rows built positionally, in the models' field order: Django's constructor
# then sets each value without looking a keyword up, half the cost of keyword
# arguments (a whole-form save builds some 130 rows, a bulk import 30 000;
# issue #20). The primary key and the times (`auto_now`, set when the row is
# inserted) start empty, as with keywords. Checked against the models here, so
# a changed model stops the service from starting rather than mixing columns.
_ANSWER_FIELDS = (
    "id",
    "response_id",
    "question_id",
    "slot",
    "row_id",
    "option_id",
    "number",
    "text",
    "escaped",
    "channel",
    "entered_by_id",
    "updated_at",
)
_ANSWER_CHANGE_FIELDS = (
    "id",
    "response_id",
    "question_id",
    "slot",
    "old_value",
    "new_value",
    "channel",
    "changed_by_id",
    "changed_at",
    "reason",
    "response_version",
)
for _model, _fields in (
    (Answer, _ANSWER_FIELDS),
    (AnswerChange, _ANSWER_CHANGE_FIELDS),
):
    if tuple(f.attname for f in _model._meta.concrete_fields) != _fields:
        raise RuntimeError(f"{_model.__name__}'s fields changed: update saving.py")
    # What `_plain` relies on: each field is read and set as a plain attribute
    # (a foreign key's id sets only its attribute on a new row, which has no
    # related object cached).
    if {type(getattr(_model, f)) for f in _fields} - {
        DeferredAttribute,
        ForeignKeyDeferredAttribute,
    }:
        raise RuntimeError(f"{_model.__name__}'s fields changed: update saving.py")


def _plain_rows() -> bool:
    """Whether new rows may be made without the model's constructor (`_plain`):
    only when nothing listens to its pre_init or post_init signal, which the
    constructor sends and `_plain` does not."""
    return not any(
        signal.has_listeners(model)
        for signal in (pre_init, post_init)
        for model in (Answer, AnswerChange)
    )


ModelT = TypeVar("ModelT", bound=Model)


def _new_row(
    model: type[ModelT], fields: tuple[str, ...], values: list[Any], *, plain: bool
) -> ModelT:
    # Through the type variable: django-stubs types a model's positional
    # arguments as its fields' related objects, where Django sets the column
    # (the id) it is given.
    return _plain(model, fields, values) if plain else model(*values)


def _plain(model: type[ModelT], fields: tuple[str, ...], values: list[Any]) -> ModelT:
    """A new, unsaved row with these field values, as `model(*values)` makes it
    (a fresh state; each value set as the field's attribute) without the
    constructor's per-field work: a whole-form save builds some 100 rows, and
    the constructor was two thirds of building them (issue #20)."""
    row = model.__new__(model)
    row.__dict__.update(zip(fields, values, strict=True))
    row._state = ModelState()
    return row


def _answer(
    response_id: int,
    question_id: int,
    slot: str,
    row_id: int | None,
    option_id: int | None,
    number: Any,
    text: str,
    escaped: bool,
    channel: Channel,
    entered_by_id: int,
    *,
    plain: bool = False,
) -> Answer:
    values: list[Any] = [
        None,
        response_id,
        question_id,
        slot,
        row_id,
        option_id,
        number,
        text,
        escaped,
        channel,
        entered_by_id,
        None,
    ]
    return _new_row(Answer, _ANSWER_FIELDS, values, plain=plain)


def _answer_change(
    response_id: int,
    question_id: int,
    slot: str,
    old_value: dict[str, Any] | None,
    new_value: dict[str, Any] | None,
    channel: Channel,
    changed_by_id: int,
    reason: str,
    response_version: int,
    *,
    plain: bool = False,
) -> AnswerChange:
    values: list[Any] = [
        None,
        response_id,
        question_id,
        slot,
        old_value,
        new_value,
        channel,
        changed_by_id,
        None,
        reason,
        response_version,
    ]
    return _new_row(AnswerChange, _ANSWER_CHANGE_FIELDS, values, plain=plain)


def write_answer_rows(changes: AnswerRows, *, batch_size: int | None = None) -> None:
    """Replace the changed answer rows and log each change, however many
    responses they span: on PostgreSQL one statement for both (the answers
    whose cell stays updated in place, `answer_sql.write_rows`), a bulk
    save's history by COPY; elsewhere a DELETE and two INSERTs of
    `batch_size` rows each."""
    write_rows(
        changes.to_delete, changes.to_create, changes.history, batch_size=batch_size
    )

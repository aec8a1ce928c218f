"""Writes to responses and answers (docs/conventions.md §2, §6).

`save_answers` is the one way answers change, whatever the channel (web form,
Excel upload, proxy entry, import): it validates values against the definition,
applies the display conditions (an answer to a question that is not shown is
removed, and the history says so), writes answers and their history in one
transaction, and bumps the response's version under an optimistic lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intake.cells import (
    BASE_SLOTS,
    Cell,
    Cells,
    cell_of,
    given_answer,
)
from intake.consolidation.freeze import (
    freeze_kommun_counts,
    record_consolidation_sources,
)
from intake.consolidation.limits import (
    adjustment_problems,
    count_limit_problem,
    item_name,
)
from intake.consolidation.live import consolidation_for
from intake.models import (
    Answer,
    AnswerChange,
    Channel,
    ContactChange,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from intake.selectors import missing_required_answers
from outbox.services import enqueue
from surveys.conditions import GivenAnswer, holds
from surveys.errors import DomainError
from surveys.formatting import swedish_number
from surveys.kinds import NUMBER_KINDS, SINGLE_VALUE_KINDS, TYPED_TEXT_KINDS, facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    User,
)
from surveys.sheet_text import holdable

HIDDEN_REASON = "Följdfrågan gäller inte längre efter ändrat svar"
UNFROZEN_REASON = (
    "Det inskickade antalet gäller inte längre; antalet följer kommunernas svar "
    "tills enkäten skickas in igen"
)

# The largest magnitude Answer.number holds (max_digits 14, 2 decimals): a bigger
# value would overflow the column (PostgreSQL refuses it, SQLite stores what it
# cannot read back), so it is refused here like any other invalid answer.
_NUMBER_FIELD = Answer._meta.get_field("number")
INTEGER_DIGITS = _NUMBER_FIELD.max_digits - _NUMBER_FIELD.decimal_places
TOO_LARGE = "Talet är för stort."


def _too_large(value: Decimal) -> bool:
    # adjusted() is the power of ten of the leading digit; unlike abs() or a
    # comparison it cannot overflow the decimal context on a value like 1e999999999.
    return bool(value) and value.adjusted() >= INTEGER_DIGITS


class StaleResponseError(DomainError):
    """Someone else saved the response after this user loaded it."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Någon annan har sparat ändringar i enkäten sedan du öppnade den. "
            "Dina uppgifter har inte sparats; se vad som ändrats och spara igen."
        )


@transaction.atomic
def get_or_create_response(
    questionnaire: Questionnaire, *, organisation: Organisation
) -> Response:
    if organisation.kind != questionnaire.audience:
        raise DomainError(
            f"{organisation.name} hör inte till enkätens målgrupp ({questionnaire.get_audience_display()})."
        )
    response, _ = Response.objects.get_or_create(
        questionnaire=questionnaire, organisation=organisation
    )
    return response


@transaction.atomic
def save_answers(
    response: Response,
    *,
    actor: User,
    channel: Channel,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    reason: str = "",
    reasons: Mapping[str, str] | None = None,
) -> Response:
    """Change the answers named in `values` (by variable); leave the others.

    Values by kind: a code for yes/no and single choice; a list of codes for
    multiple choice; a {row: code} mapping for a matrix; a number, or
    {"escaped": True}, for integers and percentages; a string for text; a
    {"row.option" or "option": count} mapping for RSS kommun counts. None or an
    empty value clears the answer. `reasons` gives a question's change its own
    reason (by variable) instead of `reason`; an RSS's adjustment of a kommun
    count needs one (issue #4).

    A correction (`Channel.CORRECTION`, see `correct_answer`) is staff's alone,
    needs a reason for every answer it changes, and is the one write a submitted
    response accepts: it stays submitted.

    Raises ValidationError keyed by variable (Swedish messages), DomainError if
    the response is locked, and StaleResponseError if `expected_version` is not
    the current version.
    """
    if channel == Channel.CORRECTION:
        _check_correction(actor, values=values, reason=reason, reasons=reasons)
    elif response.status == ResponseStatus.SUBMITTED:
        raise DomainError(
            "Enkäten är inskickad och låst. Be Socialstyrelsen öppna den igen."
        )
    questions = list(
        response.questionnaire.questions.order_by("position").prefetch_related(
            "options", "rows"
        )
    )
    by_variable = {q.variable: q for q in questions}
    unknown = sorted(set(values) - set(by_variable))
    if unknown:
        raise ValidationError({v: ["Frågan finns inte i enkäten."] for v in unknown})

    existing = list(response.answers.select_related("option", "row"))
    before: dict[int, Cells] = {}
    for answer in existing:
        before.setdefault(answer.question_id, {})[answer.slot] = cell_of(answer)

    after: dict[int, Cells] = {qid: dict(cells) for qid, cells in before.items()}
    errors: dict[str, list[str]] = {}
    for variable, raw in values.items():
        question = by_variable[variable]
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

    version = response.version if expected_version is None else expected_version
    now = timezone.now()
    new_status = (
        ResponseStatus.IN_PROGRESS
        if response.status == ResponseStatus.NOT_STARTED
        else response.status
    )
    locked = Response.objects.filter(pk=response.pk, version=version).update(
        version=F("version") + 1, status=new_status, updated_at=now
    )
    if not locked:
        current = Response.objects.values_list("version", flat=True).get(pk=response.pk)
        raise StaleResponseError(current)
    response.refresh_from_db(fields=["version", "status", "updated_at"])

    _write_changes(
        response,
        questions=questions,
        existing=existing,
        before=before,
        after=after,
        hidden=hidden,
        actor=actor,
        channel=channel,
        reason=reason,
        reasons=reasons,
    )
    return response


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


def _adjustment_problems(
    response: Response,
    questions: Sequence[Question],
    *,
    existing: Sequence[Answer],
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
        # them, validated by reports.importing); nobody else may set them.
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


def _apply_display_conditions(
    questions: Sequence[Question], cells: dict[int, Cells]
) -> set[int]:
    """Clear the answers of questions whose condition does not hold; return their ids."""
    given: dict[str, GivenAnswer] = {}
    hidden: set[int] = set()
    for question in questions:
        if not holds(question.display_condition, given):
            if cells.get(question.pk):
                hidden.add(question.pk)
            cells[question.pk] = {}
        given[question.variable] = given_answer(cells.get(question.pk, {}))
    return hidden


def _write_changes(
    response: Response,
    *,
    questions: Sequence[Question],
    existing: Sequence[Answer],
    before: dict[int, Cells],
    after: dict[int, Cells],
    hidden: set[int],
    actor: User,
    channel: Channel,
    reason: str,
    reasons: Mapping[str, str] | None = None,
) -> None:
    """Replace changed answer rows and log each change: a fixed number of queries."""
    existing_by_key = {(a.question_id, a.slot): a for a in existing}
    to_delete: list[int] = []
    to_create: list[Answer] = []
    history: list[AnswerChange] = []
    for question in questions:
        old_cells = before.get(question.pk, {})
        new_cells = after.get(question.pk, {})
        options = {o.code: o for o in question.options.all()}
        rows = {r.code: r for r in question.rows.all()}
        for slot in sorted(set(old_cells) | set(new_cells)):
            old, new = old_cells.get(slot), new_cells.get(slot)
            if old == new:
                continue
            change_reason = (reasons or {}).get(question.variable, reason)
            if question.pk in hidden and new is None:
                change_reason = HIDDEN_REASON
            if old is not None:
                old_answer = existing_by_key[(question.pk, slot)]
                to_delete.append(old_answer.pk)
                if (
                    new is None
                    and old_answer.channel == Channel.COMPUTED
                    and channel != Channel.COMPUTED
                ):
                    change_reason = UNFROZEN_REASON
            if new is not None:
                to_create.append(
                    Answer(
                        response=response,
                        question=question,
                        slot=slot,
                        row=rows[new.row] if new.row else None,
                        option=options[new.option] if new.option else None,
                        number=new.number,
                        text=new.text,
                        escaped=new.escaped,
                        channel=channel,
                        entered_by=actor,
                    )
                )
            history.append(
                AnswerChange(
                    response=response,
                    question=question,
                    slot=slot,
                    old_value=old.as_json() if old else None,
                    new_value=new.as_json() if new else None,
                    channel=channel,
                    changed_by=actor,
                    reason=change_reason,
                    response_version=response.version,
                )
            )
    if to_delete:
        Answer.objects.filter(pk__in=to_delete).delete()
    if to_create:
        Answer.objects.bulk_create(to_create)
    if history:
        AnswerChange.objects.bulk_create(history)


# --- parsing one question's value ------------------------------------------------------


def cells_for(question: Question, raw: Any) -> Cells:
    """Turn a submitted value into answer cells, or raise ValidationError (Swedish)."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return {}
    kind = question.kind
    option_codes = [o.code for o in question.options.all()]
    if kind in SINGLE_VALUE_KINDS:
        code = str(raw)
        if code not in option_codes:
            raise ValidationError("Välj ett av svarsalternativen.")
        return {"": Cell(option=code)}
    if facts(kind).multiple:
        if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
            raise ValidationError("Ange alternativen som en lista.")
        chosen = [str(c) for c in raw]
        bad = [c for c in chosen if c not in option_codes]
        if bad:
            raise ValidationError("Välj bland svarsalternativen.")
        return {code: Cell(option=code) for code in chosen}
    if facts(kind).matrix:
        if not isinstance(raw, Mapping):
            raise ValidationError("Ange ett svar per rad.")
        row_codes = [r.code for r in question.rows.all()]
        cells: Cells = {}
        for row, code in raw.items():
            if row not in row_codes:
                raise ValidationError("Frågan har ingen sådan delfråga.")
            if code in (None, ""):
                continue
            if code not in option_codes:
                raise ValidationError("Välj ett av svarsalternativen på varje rad.")
            cells[str(row)] = Cell(row=str(row), option=str(code))
        return cells
    if kind in NUMBER_KINDS:
        if isinstance(raw, Mapping) and raw.get("escaped") is True:
            if not question.escape_label:
                raise ValidationError("Frågan har inget sådant svarsalternativ.")
            return {"": Cell(escaped=True)}
        return {"": Cell(number=_number(question, raw))}
    if kind in TYPED_TEXT_KINDS:
        text = holdable(str(raw)).strip()
        if not text:
            return {}
        if question.max_length and len(text) > question.max_length:
            raise ValidationError(
                f"Svaret får vara högst {question.max_length} tecken (nu {len(text)})."
            )
        return {"": Cell(text=text)}
    if facts(kind).kommun_counts:
        return _kommun_count_cells(question, raw, option_codes)
    raise ValidationError("Okänd frågetyp.")  # pragma: no cover - kinds are closed


def _number(question: Question, raw: Any) -> Decimal:
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError("Ange ett tal, t.ex. 59 eller 59,5.") from None
    if not value.is_finite():
        raise ValidationError("Ange ett tal, t.ex. 59 eller 59,5.")
    if _too_large(value):
        raise ValidationError(TOO_LARGE)
    if facts(question.kind).whole_number and value != value.to_integral_value():
        raise ValidationError("Ange ett heltal.")
    if facts(question.kind).percentage and value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError("Ange andelen med högst två decimaler.")
    if question.min_value is not None and value < question.min_value:
        if question.min_value == 0:
            raise ValidationError("Värdet kan inte vara negativt.")
        raise ValidationError(
            f"Värdet måste vara minst {swedish_number(question.min_value, thousands=False)}."
        )
    if question.max_value is not None and value > question.max_value:
        raise ValidationError(
            f"Värdet får vara högst {swedish_number(question.max_value, thousands=False)}."
        )
    return value


def _kommun_count_cells(question: Question, raw: Any, option_codes: list[str]) -> Cells:
    if not isinstance(raw, Mapping):
        raise ValidationError("Ange ett antal kommuner per svarsalternativ.")
    row_codes = [r.code for r in question.rows.all()]
    cells: Cells = {}
    for slot, count in raw.items():
        row, _, option = str(slot).rpartition(".")
        if (
            option not in option_codes
            and option not in BASE_SLOTS
            or (row and row not in row_codes)
            or (row_codes and not row)
        ):
            raise ValidationError(f"Okänd cell {slot}.")
        if count in (None, ""):
            continue
        try:
            number = Decimal(str(count))
        except InvalidOperation:
            raise ValidationError("Antalet kommuner ska vara ett heltal.") from None
        if not number.is_finite():
            raise ValidationError("Antalet kommuner ska vara ett heltal.")
        if _too_large(number):
            raise ValidationError(TOO_LARGE)
        if number != number.to_integral_value() or number < 0:
            raise ValidationError("Antalet kommuner ska vara ett heltal, 0 eller mer.")
        cells[str(slot)] = Cell(
            row=row or None,
            option=None if option in BASE_SLOTS else option,
            number=number,
        )
    return cells


# --- submitting ----------------------------------------------------------------------


@transaction.atomic
def submit_response(
    response: Response,
    *,
    actor: User,
    expected_version: int | None = None,
    submitted_at: datetime.datetime | None = None,
    notify: bool = True,
    freeze_counts: bool = True,
    require_complete: bool = True,
) -> Response:
    """Lock a complete response. Raises DomainError listing what is missing.

    An import of earlier years keeps the time the answers were first submitted
    (`submitted_at`) and sends no receipt (`notify=False`). An RSS response whose
    kommun counts were imported with their bases keeps them (`freeze_counts=False`):
    they are the record of an earlier submission, which the kommun answers now in
    the database (if any) need not match. It also keeps the item nonresponse of
    what was submitted then (`require_complete=False`).
    """
    if response.status == ResponseStatus.SUBMITTED:
        raise DomainError("Enkäten är redan inskickad.")
    missing = missing_required_answers(response) if require_complete else []
    if missing:
        raise DomainError(
            "Enkäten kan inte skickas in förrän alla obligatoriska frågor är besvarade: "
            + ", ".join(f"fråga {m.number}" for m in missing)
            + "."
        )
    version = response.version if expected_version is None else expected_version
    sources: list[Any] = []
    if response.questionnaire.audience == OrganisationKind.RSS and freeze_counts:
        # The kommun counts as they stand become the RSS's answers (issue #4).
        response, sources = freeze_kommun_counts(
            response, actor=actor, expected_version=version, save=save_answers
        )
        version = response.version
    now = timezone.now()
    locked = Response.objects.filter(pk=response.pk, version=version).update(
        status=ResponseStatus.SUBMITTED,
        submitted_at=submitted_at or now,
        submitted_by=actor,
        version=F("version") + 1,
        updated_at=now,
    )
    if not locked:
        raise StaleResponseError(
            Response.objects.values_list("version", flat=True).get(pk=response.pk)
        )
    response.refresh_from_db()
    if sources:
        record_consolidation_sources(response, sources)
    event = ResponseEvent.objects.create(
        response=response, kind=ResponseEvent.Kind.SUBMITTED, actor=actor
    )
    if notify:
        # Recorded with the submission; sent once per event (intake.tasks).
        enqueue("intake.tasks.send_receipt", event.pk)
    return response


@transaction.atomic
def update_contact_details(
    response: Response, *, actor: User, name: str, email: str, phone: str
) -> Response:
    """The respondent's contact person (kvalitetsdeklaration: uppgiftslämnare).

    Personal data: shown to the organisation and staff only, and left out of raw
    data exports unless staff ask for them. Every change is kept in ContactChange
    (old and new value, who, when), which staff see in the response admin.
    """
    if response.status == ResponseStatus.SUBMITTED:
        raise DomainError(
            "Enkäten är inskickad och låst. Be Socialstyrelsen öppna den igen."
        )
    values = {
        "contact_name": holdable(name).strip(),
        "contact_email": holdable(email).strip(),
        "contact_phone": holdable(phone).strip(),
    }
    changed = [
        field for field, value in values.items() if getattr(response, field) != value
    ]
    if not changed:
        return response
    old = {field: getattr(response, field) for field in changed}
    for field in changed:
        setattr(response, field, values[field])
    response.full_clean(exclude=["questionnaire", "organisation", "submitted_by"])
    response.save(update_fields=[*changed, "updated_at"])
    ContactChange.objects.bulk_create(
        ContactChange(
            response=response,
            field=field,
            old_value=old[field],
            new_value=values[field],
            changed_by=actor,
        )
        for field in changed
    )
    return response


@transaction.atomic
def reopen_response(response: Response, *, actor: User, reason: str) -> Response:
    """Staff unlock a submitted response; the respondents are told by e-mail."""
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan öppna en inskickad enkät igen.")
    if response.status != ResponseStatus.SUBMITTED:
        raise DomainError("Enkäten är inte inskickad.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Ange varför enkäten öppnas igen."]})
    now = timezone.now()
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.REOPENED, version=F("version") + 1, updated_at=now
    )
    response.refresh_from_db()
    event = ResponseEvent.objects.create(
        response=response, kind=ResponseEvent.Kind.REOPENED, actor=actor, reason=reason
    )
    enqueue("intake.tasks.send_reopened_notice", event.pk)
    return response


# --- the Excel channel -----------------------------------------------------------------


@transaction.atomic
def import_kommun_workbook(
    questionnaire: Questionnaire,
    *,
    organisation: Organisation,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int,
    filename: str = "",
) -> Response:
    """Save the answers read from an uploaded Excel copy (`intake.excel`), as the
    uploader, through the same rules as every other channel.

    `expected_version` is the version the user's preview was based on: if someone
    saved in between, StaleResponseError and nothing is saved.
    """
    response = get_or_create_response(questionnaire, organisation=organisation)
    reason = f"Uppladdad Excel-fil «{filename[:200]}»" if filename else ""
    return save_answers(
        response,
        actor=actor,
        channel=Channel.EXCEL,
        values=values,
        expected_version=expected_version,
        reason=reason,
    )

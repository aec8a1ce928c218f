"""The respondent form, built from a questionnaire definition.

Each kind's fields, what they show and what they submit are its family's in
`intake.kinds`; fields accept what the user types, and the domain rules live in
`intake.services.cells_for`, which this form calls per question so that a draft
keeps every valid answer and marks the rest.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import QueryDict

from intake.cells import Cells
from intake.consolidation.limits import adjustment_problems
from intake.consolidation.results import (
    Consolidation,
    CountCell,
    CountRow,
    KommunCount,
    KommunText,
)
from intake.kinds import behaviour
from intake.kinds.base import (
    ESCAPED,
    KindBehaviour,
    adjust_field,
    count_slots,
    reason_field,
    row_field,
)
from intake.merge import (
    MINE,
    THEIRS,
    Collision,
    base_field,
    choice_field,
    choice_value,
    fingerprint,
)
from intake.selectors import StructureKey, structure
from intake.services.values import cells_for
from surveys.formatting import swedish_number
from surveys.kinds import (
    facts,
    kinds_where,
)
from surveys.models import Question
from surveys.sheet_text import (
    UNHOLDABLE,
    plain_unholdable_fields,
    refuse_unholdable,
)

# RSS kommun counts are computed from the kommuner's answers (issue #4); the form
# has a field per cell only to adjust the computed count, with a reason.
FORM_KINDS = kinds_where(
    lambda f: (
        f.single_value
        or f.multiple
        or f.matrix
        or f.number
        or f.typed_text
        or f.kommun_counts
    )
)
REASON_MISSING = (
    "Ange varför antalet kommuner justeras. Det justerade antalet är inte sparat."
)


def question_fields(questions: Sequence[Question]) -> dict[str, forms.Field]:
    """The form fields of `questions` (those of FORM_KINDS), in order: each
    kind's own (`intake.kinds`), then the question's base and choice for the
    per-question merge (intake.merge). They depend only on the definition."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        if question.kind not in FORM_KINDS:
            continue
        name = question.variable
        options = [(o.code, o.label) for o in question.options.all()]
        behaviour(question.kind).add_fields(fields, question, options)
        # No max_length: a base that is not a fingerprint simply matches
        # nothing; refused, its error would be on a field nobody sees.
        fields[base_field(name)] = forms.CharField(
            required=False, widget=forms.HiddenInput
        )
        fields[choice_field(name)] = forms.CharField(
            required=False, max_length=80, widget=forms.HiddenInput
        )
    plain_unholdable_fields(fields.values())
    return fields


# What a compiled cleaner returns when it cannot vouch for a value: the field's
# own `clean` then decides, and says what is wrong in its own words.
_UNSURE: Any = object()
FastClean = Callable[[Any], Any]


def _fast_clean(field: forms.Field) -> FastClean | None:
    """What `field.clean` returns for a value it accepts, worked out without
    Django's per-field machinery, or None for a field it does not know.

    A whole-form save cleans some 220 fields (issue #20), nearly all of them
    one of four simple kinds, and nearly every value valid. Each function
    here is that field's `to_python`, `validate` and validators for the values
    it accepts, and `_UNSURE` for anything else (a NUL or other unholdable
    character, too long, not an option): the field's own `clean` then gives
    the value or the error, so every message is Django's or the project's,
    word for word. Only fields built exactly as `question_fields` builds them
    qualify; anything else (required, disabled, another validator) is cleaned
    by Django."""
    if field.required or field.disabled:
        return None
    kind = type(field)
    if kind is forms.CharField and isinstance(field, forms.CharField):
        return _fast_char(field)
    if field.validators:
        return None
    if kind in (forms.ChoiceField, forms.MultipleChoiceField) and isinstance(
        field, forms.ChoiceField
    ):
        codes = _choice_codes(field)
        if codes is None:
            return None
        return (
            _fast_choice(codes) if kind is forms.ChoiceField else _fast_multiple(codes)
        )
    if kind is forms.BooleanField:
        # CheckboxInput reads a bool; an unrequired BooleanField keeps it.
        return lambda value: value if type(value) is bool else _UNSURE
    return None


def _fast_char(field: forms.CharField) -> FastClean | None:
    max_length = field.max_length
    for validator in field.validators:
        if validator is refuse_unholdable:
            continue
        if isinstance(validator, MaxLengthValidator) and (
            validator.limit_value == max_length
        ):
            continue
        return None
    if field.min_length is not None or not field.strip or field.empty_value != "":
        return None
    search = UNHOLDABLE.search

    def clean(value: Any) -> Any:
        if value is None:
            return ""
        if type(value) is not str:
            return _UNSURE
        value = value.strip()
        if not value:
            return ""
        # Any unholdable character, the manual line break too (which the
        # validator lets through): the validator decides.
        if (max_length is not None and len(value) > max_length) or search(value):
            return _UNSURE
        return value

    return clean


def _choice_codes(field: forms.ChoiceField) -> frozenset[str] | None:
    codes = set()
    choices: Any = field.choices  # normalised by Django to (code, label) pairs
    for key, label in choices:
        if isinstance(label, list | tuple) or not isinstance(key, str):
            return None  # a group of choices, or a code that is not text
        codes.add(key)
    return frozenset(codes)


def _fast_choice(codes: frozenset[str]) -> FastClean:
    def clean(value: Any) -> Any:
        if value is None or value == "":
            return ""
        return value if type(value) is str and value in codes else _UNSURE

    return clean


def _fast_multiple(codes: frozenset[str]) -> FastClean:
    def clean(value: Any) -> Any:
        if not value:
            return []
        if type(value) is not list or not all(
            type(v) is str and v in codes for v in value
        ):
            return _UNSURE
        return list(value)

    return clean


LAST, LIST = "last", "list"
_MISSING: Any = object()


def _reading(widget: forms.Widget) -> str:
    """How `widget.value_from_datadict` reads a QueryDict: its `get` (LAST),
    its `getlist` (LIST), or otherwise ("": the widget reads it)."""
    read = type(widget).value_from_datadict
    if read is forms.Widget.value_from_datadict:
        return LAST
    if read is forms.widgets.ChoiceWidget.value_from_datadict:
        return LIST if getattr(widget, "allow_multiple_selected", False) else LAST
    return ""


@dataclass(frozen=True)
class _QuestionPlan:
    """What `answer_values` needs of one question, looked up once."""

    question: Question
    value_fields: tuple[str, ...]
    first_field: str
    behaviour: KindBehaviour
    option_codes: list[str]
    counts: bool  # an RSS kommun count (its adjustments are checked)


def _question_plans(questions: Sequence[Question]) -> tuple[_QuestionPlan, ...]:
    return tuple(
        _QuestionPlan(
            question=q,
            value_fields=tuple(value_fields(q)),
            first_field=first_field(q),
            behaviour=behaviour(q.kind),
            option_codes=[o.code for o in q.options.all()],
            counts=facts(q.kind).kommun_counts,
        )
        for q in questions
    )


@dataclass(frozen=True)
class _CompiledForm:
    """What the form of a structure needs that depends only on the structure.

    `fields`: Django copies a form's declared fields per instance because a
    form may change them; ResponseForm never changes a field after building it
    (values and errors live on the form), so every form of the structure
    shares these. `cleaners`: each field with its compiled cleaner
    (`_fast_clean`). `empty_initial`: what the fields show for no answer.
    `plans`: the questions as `answer_values` reads them."""

    questions: tuple[Question, ...]
    fields: Mapping[str, forms.Field]
    cleaners: Mapping[str, tuple[forms.Field, FastClean, str]]
    empty_initial: Mapping[str, Any]
    plans: tuple[_QuestionPlan, ...]
    by_pk: Mapping[int, Question]


@lru_cache(maxsize=64)
def _compiled(key: StructureKey) -> _CompiledForm:
    """A structure's form, built once per process and content (issue #20): some
    220 fields for the region questionnaire were a fifth of a request, and
    Django's cleaning of them a tenth of a save. The key holds the content hash
    and load time (`intake.selectors.structure_key`), so it is never stale."""
    questions = tuple(q for q in structure(key) if q.kind in FORM_KINDS)
    fields = question_fields(questions)
    cleaners = {}
    for name, form_field in (*_OWN_FIELDS.items(), *fields.items()):
        fast = _fast_clean(form_field)
        if fast is not None:
            cleaners[name] = (form_field, fast, _reading(form_field.widget))
    empty_initial: dict[str, Any] = {}
    for question in questions:
        empty_initial.update(field_values(question, {}))
        empty_initial[base_field(question.variable)] = fingerprint({})
    return _CompiledForm(
        questions=questions,
        fields=MappingProxyType(fields),
        cleaners=MappingProxyType(cleaners),
        empty_initial=MappingProxyType(empty_initial),
        plans=_question_plans(questions),
        by_pk=MappingProxyType({q.pk: q for q in questions}),
    )


def forget_shared_fields() -> None:
    """Drop every structure's compiled form (tests start each case cold)."""
    _compiled.cache_clear()


def first_field(question: Question) -> str:
    """The field an error or a link to the question points at."""
    return behaviour(question.kind).first_field(question)


def value_fields(question: Question) -> list[str]:
    """The fields that carry the question's answer (its base and choice aside)."""
    return behaviour(question.kind).value_fields(question)


def field_values(question: Question, cells: Cells) -> dict[str, Any]:
    """What the question's fields show for a stored answer: the form's initial
    values, and what replaces a posted value when someone else's answer is kept."""
    return behaviour(question.kind).field_values(question, cells)


def _same(these: Sequence[Question], those: Sequence[Question]) -> bool:
    return len(these) == len(those) and all(map(operator.is_, these, those))


class _OwnFields(forms.Form):
    """ResponseForm's own fields, apart from the questions'."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The respondent's contact details (personal data: organisation and staff only).
    contact_name = forms.CharField(
        label="Namn", max_length=200, required=False, validators=[refuse_unholdable]
    )
    contact_email = forms.EmailField(
        label="E-post",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Ange en giltig e-postadress, t.ex. namn@region.se."
        },
    )
    contact_phone = forms.CharField(
        label="Telefon", max_length=40, required=False, validators=[refuse_unholdable]
    )


# Built once and shared by every form, as a structure's question fields are
# (`_CompiledForm`): Django's copy of declared fields per form was a quarter of
# building one.
_OWN_FIELDS: Mapping[str, forms.Field] = MappingProxyType(dict(_OwnFields.base_fields))
plain_unholdable_fields(_OWN_FIELDS.values())


class ResponseForm(forms.Form):
    def __init__(
        self,
        questions: Sequence[Question],
        *,
        answers: dict[int, Cells],
        version: int,
        contact: dict[str, str] | None = None,
        data: Any = None,
        counts: Mapping[int, KommunCount] | None = None,
        key: StructureKey | None = None,
    ) -> None:
        """`answers` for an RSS kommun count are the RSS's adjustments only
        (`intake.consolidation.adjustment_cells`); `counts` (by question id) are
        the live counts and bases they must fit. `key` names the structure
        `questions` are (`intake.selectors.structure_key`): the questions' fields
        are then the ones built once for it, not built again."""
        super().__init__(data=data, initial={"version": version, **(contact or {})})
        self.fields.update(_OWN_FIELDS)
        self.counts = counts or {}
        self.reasons: dict[str, str] = {}
        self.refused: dict[str, list[str]] = {}
        # The valid answers as cells by variable (`answer_values`), parsed once.
        self.answer_cells: dict[str, Cells] = {}
        self.questions = [q for q in questions if q.kind in FORM_KINDS]
        compiled = _compiled(key) if key is not None else None
        if compiled is not None and not _same(compiled.questions, self.questions):
            compiled = None  # not the structure the key names: built afresh
        self._cleaners: Mapping[str, tuple[forms.Field, FastClean, str]] = {}
        if compiled is None:
            self.fields.update(question_fields(self.questions))
            self._plans = _question_plans(self.questions)
            shown = self.questions
        else:
            self.fields.update(compiled.fields)
            self._cleaners = compiled.cleaners
            self._plans = compiled.plans
            # What no answer shows, copied (a multiple choice's list included),
            # then each answered question's own.
            self.initial.update(
                {
                    name: list(value) if type(value) is list else value
                    for name, value in compiled.empty_initial.items()
                }
            )
            by_pk = compiled.by_pk
            shown = [
                by_pk[pk] for pk, cells in answers.items() if cells and pk in by_pk
            ]
        for question in shown:
            cells = answers.get(question.pk, {})
            self.initial.update(field_values(question, cells))
            # The stored answer this page shows, for the per-question merge
            # (intake.merge).
            self.initial[base_field(question.variable)] = fingerprint(cells)

    def _clean_fields(self) -> None:
        """Django's `_clean_fields`, with each field of the structure cleaned by
        its compiled cleaner (`_fast_clean`) and no bound field built for it:
        a value the cleaner cannot vouch for, and every other field, is
        cleaned by the field itself, exactly as Django does."""
        if not self._cleaners or self.prefix or type(self) is not ResponseForm:
            super()._clean_fields()  # type: ignore[misc]
            return
        cleaners, data, files = self._cleaners, self.data, self.files
        cleaned = self.cleaned_data
        # A posted QueryDict's lists, read as its get and getlist read them.
        posted = data if type(data) is QueryDict else None
        for name, form_field in self.fields.items():
            compiled = cleaners.get(name)
            if compiled is None or compiled[0] is not form_field:
                try:
                    bound = self[name]
                    cleaned[name] = form_field._clean_bound_field(bound)  # type: ignore[attr-defined]
                except ValidationError as e:
                    self.add_error(name, e)
                continue
            reading = compiled[2]
            value: Any
            if posted is None or not reading:
                value = form_field.widget.value_from_datadict(data, files, name)
            elif reading == LAST:
                # MultiValueDict.get: the last value; None for none, or for [].
                got = dict.get(posted, name)
                value = got[-1] if got else None
                if type(value) is list and not value:
                    value = None
            else:
                # MultiValueDict.getlist: a copy of the list; [] for none.
                got = dict.get(posted, name, _MISSING)
                value = [] if got is _MISSING else None if got is None else list(got)
            result = compiled[1](value)
            if result is _UNSURE:
                try:
                    result = form_field.clean(value)
                except ValidationError as e:
                    self.add_error(name, e)
                    continue
            cleaned[name] = result

    def bases(self) -> dict[str, str]:
        """The posted fingerprint per variable of the answers the page was built on."""
        cleaned = getattr(self, "cleaned_data", {}) or {}
        return {
            q.variable: cleaned.get(base_field(q.variable)) or ""
            for q in self.questions
        }

    def choices(self) -> dict[str, str]:
        cleaned = getattr(self, "cleaned_data", {}) or {}
        return {
            q.variable: cleaned.get(choice_field(q.variable)) or ""
            for q in self.questions
        }

    def answer_values(self) -> dict[str, Any]:
        """The valid answers by variable; errors go onto the form, per question.

        A question with a refused field (an unknown option, a NUL character, a
        value longer than the field takes) is left out, not read as empty: its
        stored answer stays (issue #13). `self.refused` names them all."""
        values: dict[str, Any] = {}
        self.refused = {}
        self.answer_cells = {}
        cleaned = self.cleaned_data
        errors = self.errors
        for plan in self._plans:
            question = plan.question
            refused = [
                str(e) for name in plan.value_fields for e in errors.get(name, [])
            ]
            if refused:
                self.refused[question.variable] = refused
                continue
            try:
                raw = plan.behaviour.raw_value(question, cleaned)
                cells = cells_for(question, raw, option_codes=plan.option_codes)
                if plan.counts:
                    self._check_adjustments(question, cells, cleaned)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(plan.first_field, message)
                self.refused[question.variable] = list(exc.messages)
                continue
            values[question.variable] = raw
            self.answer_cells[question.variable] = cells
        return values

    def _check_adjustments(
        self, question: Question, cells: Cells, cleaned: dict[str, Any]
    ) -> None:
        """An adjusted count needs a reason and must fit the kommuner that have
        answered (`intake.consolidation.count_limit_problem`); the service says
        the same, this keeps the other answers saved. The rows checked are those
        whose fields changed, a cleared field included."""
        reason = (cleaned.get(reason_field(question)) or "").strip()
        typed = {
            slot: swedish_number(cell.number or Decimal(0), thousands=False)
            for slot, cell in cells.items()
        }
        shown = {
            slot: str(self.initial.get(adjust_field(question, slot), ""))
            for slot in count_slots(question)
        }
        changed = [slot for slot, value in typed.items() if shown.get(slot) != value]
        cleared = [slot for slot, value in shown.items() if value and slot not in typed]
        if changed and not reason:
            raise ValidationError(REASON_MISSING)
        count = self.counts.get(question.pk)
        if count is not None and (changed or cleared):
            problems = adjustment_problems(
                count,
                {slot: int(cell.number or 0) for slot, cell in cells.items()},
                rows={slot.rpartition(".")[0] for slot in [*changed, *cleared]},
            )
            if problems:
                raise ValidationError(problems)
        if reason:
            self.reasons[question.variable] = reason

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        return behaviour(question.kind).raw_value(question, cleaned)


# The compiled cleaning (`ResponseForm._clean_fields`) calls no `clean_<field>`
# method: checked at import, so that one added later cannot be skipped.
if any(name.startswith("clean_") for name in dir(ResponseForm)):  # pragma: no cover
    raise RuntimeError("ResponseForm._clean_fields calls no clean_<field> method")


@dataclass(frozen=True)
class CollisionView:
    """ "Ditt svar" and "Sparat av Namn, tid" side by side, for the user to choose."""

    field_name: str
    mine: list[str]
    mine_value: str
    theirs: list[str]
    theirs_value: str
    collision: Collision


@dataclass
class QuestionBlock:
    """What the template needs to render one question."""

    question: Question
    shown: bool
    fields: list[forms.BoundField] = field(default_factory=list)
    escape_field: forms.BoundField | None = None
    errors: list[str] = field(default_factory=list)
    # Advisory "Kontrollera: …" notices on a saved number (surveys/plausibility.py).
    notices: list[str] = field(default_factory=list)
    answered_cells: Cells = field(default_factory=dict)
    # RSS aggregates (issue #4): the computed counts, each cell with its field,
    # and the kommuner's texts beside a summary.
    count_rows: list[tuple[CountRow, list[tuple[CountCell, forms.BoundField]]]] = field(
        default_factory=list
    )
    n_kommuner: int = 0
    reason_field: forms.BoundField | None = None
    kommun_texts: list[KommunText] | None = None
    # The per-question merge (intake.merge): the fingerprint of the stored answer
    # the page shows, and, when someone else changed the same question, their
    # answer beside the user's with the choice between them.
    base_field: forms.BoundField | None = None
    collision: CollisionView | None = None
    # The question's HTML when it is shared per state (intake.fragments); empty:
    # the page includes the template.
    html: str = ""

    @property
    def kommun_texts_answered(self) -> int:
        return sum(1 for t in self.kommun_texts or [] if t.text)


def question_blocks(
    form: ResponseForm,
    shown: set[int],
    consolidation: Consolidation | None = None,
    notices: Mapping[int, list[str]] | None = None,
    collisions: Mapping[str, CollisionView] | None = None,
) -> list[QuestionBlock]:
    blocks = [
        _block(form, question, shown, consolidation, notices)
        for question in form.questions
    ]
    for block in blocks:
        block.base_field = form[base_field(block.question.variable)]
        block.collision = (collisions or {}).get(block.question.variable)
    return blocks


def collision_view(
    question: Question, collision: Collision, mine: Cells, words: Any
) -> CollisionView:
    """`words(question, cells)` puts an answer in words (intake.selectors)."""
    return CollisionView(
        field_name=choice_field(question.variable),
        mine=words(question, mine),
        mine_value=choice_value(MINE, collision.theirs),
        theirs=words(question, collision.theirs),
        theirs_value=choice_value(THEIRS, collision.theirs),
        collision=collision,
    )


def _block(
    form: ResponseForm,
    question: Question,
    shown: set[int],
    consolidation: Consolidation | None,
    notices: Mapping[int, list[str]] | None,
) -> QuestionBlock:
    if facts(question.kind).kommun_counts:
        return _count_block(form, question, shown, consolidation)
    if facts(question.kind).matrix:
        fields = [form[row_field(question, row.code)] for row in question.rows.all()]
    else:
        fields = [form[question.variable]]
    escape = (
        form[question.variable + ESCAPED]
        if question.variable + ESCAPED in form.fields
        else None
    )
    errors = [str(e) for f in fields for e in f.errors]
    return QuestionBlock(
        question=question,
        shown=question.pk in shown,
        fields=fields,
        escape_field=escape,
        errors=errors,
        notices=list((notices or {}).get(question.pk, [])),
        kommun_texts=consolidation.texts.get(question.pk) if consolidation else None,
    )


def _count_block(
    form: ResponseForm,
    question: Question,
    shown: set[int],
    consolidation: Consolidation | None,
) -> QuestionBlock:
    count = consolidation.counts.get(question.pk) if consolidation else None
    fields = [form[adjust_field(question, slot)] for slot in count_slots(question)]
    reason = form[reason_field(question)]
    rows = [
        (row, [(cell, form[adjust_field(question, cell.slot)]) for cell in row.cells])
        for row in (count.rows if count else [])
    ]
    return QuestionBlock(
        question=question,
        shown=question.pk in shown,
        fields=[*fields, reason],
        errors=[str(e) for f in [*fields, reason] for e in f.errors],
        count_rows=rows,
        n_kommuner=count.n_kommuner if count else 0,
        reason_field=reason,
    )


class WorkbookUploadForm(forms.Form):
    """The returned Excel copy of a kommun questionnaire (read by `intake.excel`)."""

    file = forms.FileField(
        label="Ifylld Excel-fil (.xlsx)",
        error_messages={
            "required": "Välj en fil att ladda upp.",
            "empty": "Filen är tom.",
            "invalid": "Välj en fil att ladda upp.",
        },
    )

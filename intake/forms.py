"""The respondent form, built from a questionnaire definition.

Each kind's fields, what they show and what they submit are its family's in
`intake.kinds`; fields accept what the user types, and the domain rules live in
`intake.services.cells_for`, which this form calls per question so that a draft
keeps every valid answer and marks the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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
    plain_unholdable_fields,
    plain_unholdable_messages,
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


@lru_cache(maxsize=64)
def _shared_fields(key: StructureKey) -> Mapping[str, forms.Field]:
    """The fields of a structure, built once per process and content (issue #20):
    some 200 fields for the region questionnaire were a fifth of a request.

    Django copies a form's declared fields per instance because a form may
    change them; ResponseForm never changes a field after building it (values
    and errors live on the form), so every form of the structure shares these.
    """
    return MappingProxyType(question_fields(structure(key)))


def forget_shared_fields() -> None:
    """Drop every structure's fields (tests start each case cold)."""
    _shared_fields.cache_clear()


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


class ResponseForm(forms.Form):
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
        plain_unholdable_messages(self)
        self.counts = counts or {}
        self.reasons: dict[str, str] = {}
        self.refused: dict[str, list[str]] = {}
        # The valid answers as cells by variable (`answer_values`), parsed once.
        self.answer_cells: dict[str, Cells] = {}
        self.questions = [q for q in questions if q.kind in FORM_KINDS]
        if key is None:
            self.fields.update(question_fields(self.questions))
        else:
            self.fields.update(_shared_fields(key))
        for question in self.questions:
            cells = answers.get(question.pk, {})
            self.initial.update(field_values(question, cells))
            # The stored answer this page shows, for the per-question merge
            # (intake.merge).
            self.initial[base_field(question.variable)] = fingerprint(cells)

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
        for question in self.questions:
            refused = [
                str(e)
                for name in value_fields(question)
                for e in self.errors.get(name, [])
            ]
            if refused:
                self.refused[question.variable] = refused
                continue
            try:
                raw = self.raw_value(question, cleaned)
                cells = cells_for(question, raw)
                if facts(question.kind).kommun_counts:
                    self._check_adjustments(question, cells, cleaned)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(first_field(question), message)
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

"""Forms of the staff pages that edit a questionnaire under preparation (issue #19).

They only parse what was typed; the file format's rules (codes, numbers,
variable names, conditions) are applied by the service, which parses the
edited definition as a file (surveys.services.next_cycle).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surveys.definitions.records import Choice, QuestionDef
from surveys.kinds import LISTED_OPTION_KINDS, QuestionKind, facts
from surveys.sheet_text import refuse_unholdable

# The kinds a question added on the page may have: those that need nothing but
# a text and perhaps alternatives (RSS counts and follow-ups are file work).
ADDABLE_KINDS = [
    QuestionKind.YES_NO,
    QuestionKind.YES_PARTLY_NO,
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.MATRIX,
    QuestionKind.INTEGER,
    QuestionKind.PERCENTAGE,
    QuestionKind.TEXT,
]

CHOICES_HELP = (
    "En rad per alternativ: kod = etikett, t.ex. «ja = Ja». Koden är "
    "variabelvärdet i rådata: behåll den för ett alternativ som finns kvar."
)


class NextCycleForm(forms.Form):
    opens_on = forms.DateField(
        label="Första enkäten öppnar",
        # Empty: the source cycle's first opening one year on (the service's
        # default), which must also be after today.
        required=False,
        help_text=(
            "Alla enkäters datum flyttas lika mycket, så att den första öppnar den "
            "här dagen. Välj en dag efter i dag: enkäterna kan ändras tills de öppnar."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ange ett datum som ÅÅÅÅ-MM-DD."},
    )


class _Seen(forms.Form):
    # The questionnaire's content hash when the page was read: the optimistic
    # lock (surveys.services.next_cycle.edit_questionnaire).
    seen = forms.CharField(widget=forms.HiddenInput)


def _choice_lines(
    raw: str, *, known: dict[str, Choice] | None = None
) -> tuple[Choice, ...]:
    choices = []
    problems = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        if not sep or not code.strip() or not label.strip():
            problems.append(f"Rad {number}: skriv kod = etikett.")
            continue
        code = code.strip()
        was = (known or {}).get(code)
        choices.append(Choice(code, label.strip(), was.is_other if was else False))
    if problems:
        raise ValidationError(problems)
    return tuple(choices)


def choice_text(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"{c.code} = {c.label}" for c in choices)


class WordingForm(_Seen):
    text = forms.CharField(
        label="Frågetext",
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[refuse_unholdable],
    )
    label = forms.CharField(
        label="Publiceringsetikett",
        max_length=300,
        help_text="Kort rubrik i tabeller och diagram.",
        validators=[refuse_unholdable],
    )


class ChoicesForm(_Seen):
    options = forms.CharField(
        label="Svarsalternativ",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=CHOICES_HELP,
        validators=[refuse_unholdable],
    )
    rows = forms.CharField(
        label="Delfrågor (matrisens rader)",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="En rad per delfråga: kod = text.",
        required=False,
        validators=[refuse_unholdable],
    )

    def __init__(self, *args: Any, question: QuestionDef, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        if not facts(question.kind).matrix:
            del self.fields["rows"]
        else:
            self.fields["rows"].required = True

    def clean_options(self) -> tuple[Choice, ...]:
        return _choice_lines(
            self.cleaned_data["options"],
            known={c.code: c for c in self.question.options},
        )

    def clean_rows(self) -> tuple[Choice, ...]:
        return _choice_lines(self.cleaned_data.get("rows", ""))


class RemoveForm(_Seen):
    confirm = forms.BooleanField(
        label="Ja, ta bort frågan ur enkäten",
        error_messages={"required": "Kryssa i att frågan ska tas bort."},
    )


class AddQuestionForm(_Seen):
    section = forms.ChoiceField(label="Avsnitt")
    after = forms.ChoiceField(
        label="Placering",
        help_text="Efter vilken fråga i avsnittet den nya frågan kommer.",
    )
    number = forms.CharField(
        label="Nummer", max_length=10, help_text="T.ex. «12» eller «12a»."
    )
    variable = forms.CharField(
        label="Variabelnamn",
        max_length=18,
        help_text="Högst 18 tecken a–z, 0–9 och _, börjar med en bokstav; "
        "blir också frågans linjenyckel.",
    )
    kind = forms.ChoiceField(
        label="Frågetyp",
        choices=[(kind.value, kind.label) for kind in ADDABLE_KINDS],
    )
    text = forms.CharField(
        label="Frågetext",
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[refuse_unholdable],
    )
    label = forms.CharField(
        label="Publiceringsetikett", max_length=300, validators=[refuse_unholdable]
    )
    options = forms.CharField(
        label="Svarsalternativ",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=CHOICES_HELP + " Bara för envals-, flervals- och matrisfrågor.",
        validators=[refuse_unholdable],
    )
    rows = forms.CharField(
        label="Delfrågor (matrisens rader)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Bara för matrisfrågor: en rad per delfråga, kod = text.",
        validators=[refuse_unholdable],
    )

    def __init__(
        self,
        *args: Any,
        sections: list[tuple[str, str]],
        positions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections  # type: ignore[attr-defined]
        self.fields["after"].choices = [  # type: ignore[attr-defined]
            ("", "Först i avsnittet"),
            *positions,
        ]
        self.fields["after"].required = False

    def clean_options(self) -> tuple[Choice, ...]:
        return _choice_lines(self.cleaned_data.get("options", ""))

    def clean_rows(self) -> tuple[Choice, ...]:
        return _choice_lines(self.cleaned_data.get("rows", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind is None:
            return data
        listed = QuestionKind(kind) in LISTED_OPTION_KINDS
        if listed and not data.get("options"):
            self.add_error("options", "Ange svarsalternativen, ett per rad.")
        if not listed and data.get("options"):
            self.add_error("options", "Frågetypen har inga egna svarsalternativ.")
        matrix = facts(kind).matrix
        if matrix and not data.get("rows"):
            self.add_error("rows", "Ange matrisens delfrågor, en per rad.")
        if not matrix and data.get("rows"):
            self.add_error("rows", "Bara matrisfrågor har delfrågor.")
        return data

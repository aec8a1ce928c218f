"""Report forms (they parse; `reports.*.services` and `reports.*.jobs` write): the report page's
choices (level, RSS, rounding), the kvalitetsdeklaration's texts, the raw-data
import upload and the export request.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from reports.exporters import FORMATS, Target, export_kinds, parse_option_pairs
from reports.imports.reading import MAX_IMPORT_BYTES
from reports.layouts import Rounding
from reports.models import TEXT_FIELDS, Kvalitetsdeklaration
from reports.tabulation.results import Level, Selection, levels_for
from surveys.models import RSS, Cycle, Questionnaire
from surveys.sheet_text import (
    holdable,
    plain_unholdable_messages,
    refuse_unholdable,
)


class SelectionForm(forms.Form):
    """Which responses the report pages count: submitted (the official figures)
    unless preliminary figures are asked for."""

    svar = forms.ChoiceField(
        label="Svar som ingår",
        choices=[(s.value, s.label) for s in Selection],
        initial=Selection.SUBMITTED.value,
        required=False,  # links made before the choice existed stay valid
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def selection(self) -> Selection:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("svar"):
            return Selection(self.cleaned_data["svar"])
        return Selection.SUBMITTED


class ReportOptionsForm(SelectionForm):
    niva = forms.ChoiceField(label="Nivå", initial=Level.RIKET.value)
    rss = forms.ModelChoiceField(
        label="RSS (för nivån per kommun)",
        queryset=RSS.objects.none(),
        required=False,
        empty_label="Välj RSS",
    )
    avrundning = forms.ChoiceField(
        label="Avrundning av procent",
        choices=[
            (Rounding.HALF_UP.value, "Varje cell för sig (avrundning uppåt vid 0,5)"),
            (Rounding.LARGEST_REMAINDER.value, "Varje rad summerar till 100"),
        ],
        initial=Rounding.HALF_UP.value,
    )

    field_order = ("niva", "rss", "avrundning", "svar")

    def __init__(self, questionnaire: Questionnaire, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        levels = levels_for(questionnaire.audience)
        self.fields["niva"].choices = [(level.value, level.label) for level in levels]  # type: ignore[attr-defined]
        if Level.KOMMUN in levels:
            self.fields["rss"].queryset = RSS.objects.order_by(  # type: ignore[attr-defined]
                "region__sort_order", "code"
            )
        else:
            del self.fields["rss"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("niva") == Level.KOMMUN and not cleaned.get("rss"):
            self.add_error("rss", "Välj vilket RSS:s kommuner som ska visas.")
        return cleaned


class KvalitetsdeklarationForm(forms.ModelForm[Kvalitetsdeklaration]):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Kvalitetsdeklaration
        fields = TEXT_FIELDS
        widgets = {
            field: forms.Textarea(attrs={"rows": 4})
            for field in TEXT_FIELDS
            if field != "diarienummer"
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        plain_unholdable_messages(self)
        if "version" not in self.initial and self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "version" in self.errors:
            # A hidden field, so its own error would show nowhere on the page.
            self.add_error(
                None,
                "Texten kunde inte sparas eftersom sidan saknar uppgiften om vilken "
                "version den visar. Ladda om sidan och försök igen.",
            )
        for field in TEXT_FIELDS:
            if isinstance(cleaned.get(field), str):
                try:
                    cleaned[field] = holdable(cleaned[field])
                except ValidationError as exc:
                    self.add_error(field, exc)
        return cleaned

    def text_values(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in TEXT_FIELDS}


class ImportForm(forms.Form):
    questionnaire = forms.ModelChoiceField(
        label="Enkät",
        queryset=Questionnaire.objects.select_related("cycle").order_by(
            "-cycle__year", "key"
        ),
        empty_label="Välj enkät",
        error_messages={"required": "Välj vilken enkät svaren gäller."},
    )
    file = forms.FileField(
        label="Fil med rådata (CSV eller Excel, .xlsx)",
        help_text="Samma layout som rådataexporten: en rad per organisation.",
        error_messages={
            "required": "Välj en fil.",
            "empty": "Filen är tom.",
        },
    )
    submit = forms.BooleanField(
        label="Markera rader med status Inskickad som inskickade",
        required=False,
    )
    historical = forms.BooleanField(
        label="Historiska uppgifter: godta inskickade svar där obligatoriska "
        "frågor saknar svar",
        help_text="Bara för svar som skickades in så ett tidigare år; de räknas "
        "som partiellt bortfall. Valet sparas i svarens historik.",
        required=False,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Filen är större än 20 MB.")
        return upload


def _target_choices() -> tuple[list[Any], dict[str, Target]]:
    """Grouped by cycle, newest first: the whole cycle, then each questionnaire.
    One query."""
    questionnaires = Questionnaire.objects.select_related("cycle").order_by(
        "-cycle__year", "is_supplementary", "audience", "key"
    )
    groups: dict[int, tuple[Cycle, list[tuple[str, str]]]] = {}
    targets: dict[str, Target] = {}
    for questionnaire in questionnaires:
        cycle = questionnaire.cycle
        if cycle.pk not in groups:
            value = f"cycle:{cycle.pk}"
            groups[cycle.pk] = (cycle, [(value, f"Hela omgången {cycle.year}")])
            targets[value] = cycle
        value = f"questionnaire:{questionnaire.pk}"
        groups[cycle.pk][1].append((value, questionnaire.title))
        targets[value] = questionnaire
    choices: list[Any] = [("", "Välj enkät eller omgång")]
    choices += [(cycle.name, options) for cycle, options in groups.values()]
    return choices, targets


class ExportRequestForm(forms.Form):
    target = forms.ChoiceField(
        label="Underlag",
        error_messages={
            "required": "Välj en enkät eller en omgång.",
            "invalid_choice": "Välj en enkät eller en omgång i listan.",
        },
    )
    kind = forms.ChoiceField(
        label="Export",
        widget=forms.RadioSelect,
        error_messages={"required": "Välj vilken export du vill ha."},
    )
    format = forms.ChoiceField(
        label="Filformat",
        widget=forms.RadioSelect,
        error_messages={"required": "Välj ett filformat."},
    )
    options = forms.CharField(
        label="Inställningar (valfritt)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="En per rad som nyckel=värde, t.ex. urval=ej-inskickade.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices, self.targets = _target_choices()
        self.fields["target"].choices = choices  # type: ignore[attr-defined]
        kinds = export_kinds()
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]  # type: ignore[attr-defined]
        offered = {f for k in kinds for f in k.formats}
        self.fields["format"].choices = [  # type: ignore[attr-defined]
            (f.key, f.label) for f in FORMATS.values() if f.key in offered
        ]

    def clean_target(self) -> Target:
        return self.targets[self.cleaned_data["target"]]

    def clean_options(self) -> dict[str, str]:
        try:
            return parse_option_pairs(self.cleaned_data["options"].splitlines())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class CorrectionForm(forms.Form):
    """Staff's correction of one flagged number (`intake.services.correct_answer`,
    which validates the value and requires the reason)."""

    response = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    variable = forms.CharField(widget=forms.HiddenInput, max_length=24)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    value = forms.CharField(
        label="Rättat värde",
        max_length=40,
        required=False,
        validators=[refuse_unholdable],
    )
    escaped = forms.BooleanField(label="Kan inte uppskattas", required=False)
    reason = forms.CharField(
        label="Anledning",
        max_length=300,
        required=False,
        error_messages={"max_length": "Anledningen får vara högst 300 tecken."},
        validators=[refuse_unholdable],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("escaped") and (cleaned.get("value") or "").strip():
            self.add_error(
                "value",
                "Ange antingen ett värde eller ”Kan inte uppskattas”, inte båda.",
            )
        return cleaned

    def corrected_value(self) -> Any:
        """The value as `save_answers` takes it: the typed text or the escape."""
        if self.cleaned_data.get("escaped"):
            return {"escaped": True}
        return (self.cleaned_data.get("value") or "").strip()

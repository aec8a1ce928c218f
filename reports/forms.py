"""Report forms: the report page's choices (level, RSS, rounding) and the
kvalitetsdeklaration's text form. They parse; `reports.services` writes.


"""

from __future__ import annotations

from typing import Any

from django import forms

from reports.layouts import Rounding
from reports.models import TEXT_FIELDS, Kvalitetsdeklaration
from reports.tabulation import Level, levels_for
from surveys.models import RSS, Questionnaire


class ReportOptionsForm(forms.Form):
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

    def __init__(self, questionnaire: Questionnaire, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
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
        if "version" not in self.initial and self.instance.pk:
            self.initial["version"] = self.instance.version

    def text_values(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in TEXT_FIELDS}


MAX_IMPORT_BYTES = 20 * 1024 * 1024


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

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Filen är större än 20 MB.")
        return upload

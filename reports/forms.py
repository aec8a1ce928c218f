"""The kvalitetsdeklaration's text form: it parses; `reports.services` writes."""

from __future__ import annotations

from typing import Any

from django import forms

from reports.models import TEXT_FIELDS, Kvalitetsdeklaration


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

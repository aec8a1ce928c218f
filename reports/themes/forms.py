"""Forms of the theme pages (they parse; reports.themes.services writes)."""

from __future__ import annotations

from typing import Any

from django import forms

from reports.themes.models import Theme


class ThemeForm(forms.Form):
    name = forms.CharField(label="Namn", max_length=120)
    description = forms.CharField(
        label="Beskrivning", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CodingForm(forms.Form):
    """One answer's themes; the choices are the scheme's themes in use."""

    response = forms.IntegerField(widget=forms.HiddenInput)
    themes = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(t.pk, t.name) for t in themes]  # type: ignore[attr-defined]

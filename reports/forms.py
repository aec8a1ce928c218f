from __future__ import annotations

from django import forms

from surveys.models import Questionnaire

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

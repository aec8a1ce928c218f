"""Forms for the status boards: filters and kommun contacts."""

from __future__ import annotations

from typing import Any

from django import forms

from intake.models import Channel, ResponseStatus
from surveys.models import Organisation
from surveys.sheet_text import plain_unholdable_messages, refuse_unholdable


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Alla")] + list(ResponseStatus.choices),
        required=False,
    )
    kanal = forms.ChoiceField(
        label="Senaste svar via",
        choices=[("", "Alla")] + list(Channel.choices),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid value filters nothing."""
        if not self.is_valid():
            return {"status": "", "channel": ""}
        return {
            "status": self.cleaned_data["status"],
            "channel": self.cleaned_data["kanal"],
        }


class ContactForm(forms.Form):
    email = forms.EmailField(label="E-postadress", max_length=254)
    first_name = forms.CharField(
        label="Förnamn", max_length=150, required=False, validators=[refuse_unholdable]
    )
    last_name = forms.CharField(
        label="Efternamn",
        max_length=150,
        required=False,
        validators=[refuse_unholdable],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        plain_unholdable_messages(self)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )

    def mark_errors(self) -> None:
        """Point each invalid input at its message (WCAG 3.3.1)."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {
                        "aria-invalid": "true",
                        "aria-describedby": f"{self[name].auto_id}-fel",
                    }
                )


class KommunChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.code})"


class KommunContactForm(ContactForm):
    """A contact for any kommun of the roster (staff, supplementary questionnaire)."""

    kommun = KommunChoiceField(label="Kommun", queryset=Organisation.objects.none())

    field_order = ["kommun", "email", "first_name", "last_name"]

    def __init__(self, *args: Any, kommuner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kommun"]
        assert isinstance(field, KommunChoiceField)  # noqa: S101 - declared above
        field.queryset = kommuner.order_by("name")

"""Forms for signing in, for staff inviting users and for a questionnaire's lifecycle."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from surveys.models import ROUND_KINDS, Organisation
from surveys.sheet_text import refuse_unholdable

# The id of the login page's error message, which both inputs point at.
LOGIN_ERROR_ID = "inloggningsfel"


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, by e-mail address, with Swedish messages.

    Django's own message says both fields are case-sensitive; the address is not
    (see surveys.auth.EmailBackend), so it is replaced.
    """

    error_messages = {
        "invalid_login": "Fel e-postadress eller lösenord. Kontrollera uppgifterna och försök igen.",
        "inactive": "Kontot är avstängt. Kontakta Socialstyrelsen.",
    }

    def __init__(
        self, request: HttpRequest | None = None, *args: Any, **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"].widget
        assert isinstance(username, forms.TextInput)  # noqa: S101 - Django's field
        username.input_type = "email"
        # No autofocus: it would skip screen-reader users past the page's heading.
        username.attrs.pop("autofocus", None)
        username.attrs["spellcheck"] = "false"

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            # A wrong address or password: which one is not said, so both inputs
            # are marked and described by the message at the top.
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": LOGIN_ERROR_ID}
                )
            raise


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class InvitationForm(forms.Form):
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
    organisation = OrganisationChoiceField(
        label="Organisation",
        queryset=Organisation.objects.order_by("kind", "name"),
        required=False,
        empty_label="Ingen (t.ex. Socialstyrelsens personal)",
        help_text="Regionen, RSS:et eller kommunen som personen ska svara för.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )


class CurrentPasswordChangeForm(PasswordChangeForm):
    """Django's password change form (the current password first), in our words."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Det nuvarande lösenordet stämmer inte. Skriv det igen.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Nuvarande lösenord"


class LifecycleActionForm(forms.Form):
    """Confirming that a questionnaire is opened, closed or reopened."""

    reason = forms.CharField(
        label="Anledning",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_unholdable],
        help_text="Sparas i enkätens historik. Krävs när en stängd enkät öppnas igen.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DeadlineExtensionForm(forms.Form):
    organisation = OrganisationChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Välj organisation",
        error_messages={"required": "Välj den organisation som får ny sista dag."},
    )
    closes_on = forms.DateField(
        label="Ny sista dag",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ange ett datum som ÅÅÅÅ-MM-DD."},
    )
    reason = forms.CharField(
        label="Anledning",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_unholdable],
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, OrganisationChoiceField)  # noqa: S101 - declared above
        field.queryset = organisations


class RoundForm(forms.Form):
    """An information letter or reminder round: text, time and recipients."""

    kind = forms.ChoiceField(label="Typ av utskick", choices=list(ROUND_KINDS.items()))
    subject = forms.CharField(
        label="Ämnesrad", max_length=200, validators=[refuse_unholdable]
    )
    body = forms.CharField(
        label="Text",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        validators=[refuse_unholdable],
    )
    when = forms.ChoiceField(
        label="När",
        choices=[("now", "Skicka nu"), ("later", "Schemalägg")],
        widget=forms.RadioSelect,
        initial="now",
    )
    send_date = forms.DateField(
        label="Datum",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ange ett datum som ÅÅÅÅ-MM-DD."},
    )
    send_time = forms.TimeField(
        label="Klockslag",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Ange ett klockslag som TT:MM."},
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Mottagare",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ingen vald = alla i målgruppen som inte har skickat in när "
        "utskicket går.",
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - declared above
        field.queryset = organisations

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("when") == "later":
            if not cleaned.get("send_date"):
                self.add_error("send_date", "Ange datum för utskicket.")
            if not cleaned.get("send_time"):
                self.add_error("send_time", "Ange klockslag för utskicket.")
        return cleaned

    def send_at(self) -> datetime.datetime | None:
        if self.cleaned_data.get("when") != "later":
            return None
        return timezone.make_aware(
            datetime.datetime.combine(
                self.cleaned_data["send_date"], self.cleaned_data["send_time"]
            )
        )

    def selection(self) -> list[int] | None:
        chosen = self.cleaned_data.get("organisations")
        return [o.pk for o in chosen] if chosen else None

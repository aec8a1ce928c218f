from __future__ import annotations

from django import forms


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="Kod",
        max_length=20,
        help_text="Sex siffror från autentiseringsappen, eller en av dina reservkoder.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
        error_messages={"required": "Skriv koden."},
    )


class EnrolTokenForm(forms.Form):
    token = forms.CharField(
        label="Kod från appen",
        max_length=10,
        help_text="De sex siffror appen visar efter att du läst in QR-koden.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        error_messages={"required": "Skriv koden från appen."},
    )

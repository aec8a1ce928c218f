from __future__ import annotations

from django import forms
from django.conf import settings

from api.models import TokenScope


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Namn",
        max_length=100,
        help_text="Vad nyckeln används till, t.ex. regionens ärendesystem.",
    )
    scope = forms.ChoiceField(
        label="Behörighet", choices=TokenScope.choices, initial=TokenScope.READ
    )
    days = forms.IntegerField(
        label="Giltig i antal dagar",
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=90,
    )

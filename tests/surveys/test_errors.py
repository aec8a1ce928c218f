"""The one view helper for the domain's refusals (surveys/errors.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from surveys.errors import DomainError, shown_errors


class ContactForm(forms.Form):
    email = forms.CharField()


def _request():  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_domain_error_goes_on_the_named_field_and_the_block_stops() -> None:
    form = ContactForm({"email": "a@b.se"})
    assert form.is_valid()
    reached = False
    with shown_errors(form=form, field="email") as outcome:
        raise DomainError("Kontot är avstängt.")
        reached = True  # type: ignore[unreachable]
    assert (outcome.ok, outcome.error, reached) == (False, "Kontot är avstängt.", False)
    assert form.errors == {"email": ["Kontot är avstängt."]}
    assert form.data["email"] == "a@b.se", "what the user typed stays"


def test_a_validation_error_by_field_lands_on_those_fields() -> None:
    form = ContactForm({"email": "x"})
    form.is_valid()
    with shown_errors(form=form) as outcome:
        raise ValidationError({"email": ["Ogiltig adress."], "other": ["Fel."]})
    assert not outcome.ok
    assert form.errors["email"] == ["Ogiltig adress."]
    assert form.non_field_errors() == ["Fel."]


def test_without_a_form_it_becomes_a_message_for_the_next_page() -> None:
    request = _request()
    with shown_errors(request) as outcome:
        raise ValidationError("Värdet är för stort.")
    assert not outcome.ok
    assert [m.message for m in get_messages(request)] == ["Värdet är för stort."]


def test_success_leaves_nothing_behind_and_other_errors_pass_through() -> None:
    request = _request()
    with shown_errors(request) as outcome:
        pass
    assert outcome.ok and list(get_messages(request)) == []
    with pytest.raises(KeyError), shown_errors(request):
        raise KeyError("a bug is not a refusal")

"""The error vocabulary of the domain, and the one way a view shows it.

Services raise `DomainError` (a rule was broken; the message is Swedish and meant
for the user) or Django's `ValidationError` (a value was refused, keyed by field).
Views do not repeat try/except blocks for them: `shown_errors` catches both and
puts the Swedish text where the user looks, on the form (typed input stays) or as
a message on the next page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class DomainError(Exception):
    """A rule of the domain was broken; `message` is Swedish and shown to the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def error_text(exc: DomainError | ValidationError) -> str:
    """The Swedish text of either kind of refusal, as one sentence or more."""
    if isinstance(exc, DomainError):
        return exc.message
    return " ".join(exc.messages)


@dataclass
class Outcome:
    """What happened inside a `shown_errors` block: `ok` unless it was refused."""

    ok: bool = True
    error: str = ""


@contextmanager
def shown_errors(
    request: HttpRequest | None = None,
    *,
    form: forms.Form | None = None,
    field: str | None = None,
) -> Iterator[Outcome]:
    """Run a service call and show its refusal instead of raising it.

    With a form, the text goes on `field` (or, for a ValidationError keyed by the
    form's own fields, on those fields; otherwise on the form as a whole), so the
    page is rendered again with what the user typed. Without one, it becomes an
    error message for the next page (`request` is then required). Check
    `outcome.ok` after the block: the statements after a refused call in the
    block do not run.
    """
    outcome = Outcome()
    try:
        yield outcome
    except (DomainError, ValidationError) as exc:
        outcome.ok = False
        outcome.error = error_text(exc)
        if form is None:
            if request is None:
                raise
            messages.error(request, outcome.error)
        elif (
            field is None
            and isinstance(exc, ValidationError)
            and hasattr(exc, "error_dict")
        ):
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            # Each of a ValidationError's messages as an error of its own.
            form.add_error(
                field, exc.messages if isinstance(exc, ValidationError) else exc.message
            )

"""Reads for the API's own rows: a user's tokens (one query)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from api.models import ApiToken
from surveys.models import User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_token_of(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; Http404 for anyone else's."""
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("Nyckeln finns inte.")
    return token

"""Tokens and clients for the API tests: every call goes through the test client
with a real token in the Authorization header, as an integration sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from api.services import create_api_token
from surveys.models import Questionnaire, User


class ApiClient:
    """The Django test client with a token and JSON bodies."""

    def __init__(self, secret: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = (
            {"Authorization": f"Bearer {secret}"} if secret else {}
        )

    def get(self, url: str, **headers: str) -> Any:
        return self.client.get(url, headers={**self.headers, **headers})

    def _send(self, method: str, url: str, data: Any, headers: dict[str, str]) -> Any:
        return getattr(self.client, method)(
            url,
            data=data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def post(self, url: str, data: Any = None, **headers: str) -> Any:
        return self._send("post", url, data, headers)

    def patch(self, url: str, data: Any = None, **headers: str) -> Any:
        return self._send("patch", url, data, headers)

    def delete(self, url: str, **headers: str) -> Any:
        return self._send("delete", url, None, headers)


TokenFor = Callable[..., ApiClient]


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttles count in the cache, which outlives a test: start each from zero."""
    cache.clear()


@pytest.fixture
def api_as(db: None) -> TokenFor:
    """A client authenticated by a fresh token of `user` with `scope`."""

    def make(user: User, scope: str = "write", days: int = 30) -> ApiClient:
        created = create_api_token(actor=user, name="test", scope=scope, days=days)
        return ApiClient(created.secret)

    return make


@pytest.fixture
def region_questionnaire(db: None) -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


@pytest.fixture
def kommun_questionnaire(db: None) -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun")

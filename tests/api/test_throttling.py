"""Rate limits per token and per anonymous address (issue #18 point 5)."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.conf import settings as django_settings

from surveys.models import User
from tests.api.conftest import ApiClient, TokenFor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(settings: LazySettings) -> None:
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"caller": "3/min", "anon": "2/min"},
    }


def test_a_token_past_its_rate_gets_429_and_another_token_does_not(
    tight_rates: None, api_as: TokenFor, region_user: User
) -> None:
    first, second = api_as(region_user), api_as(region_user)
    codes = [first.get("/api/v1/questionnaires/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = first.get("/api/v1/questionnaires/")
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("För många anrop. Försök igen om")
    assert second.get("/api/v1/questionnaires/").status_code == 200


def test_calls_without_a_valid_token_are_limited_per_address(
    tight_rates: None, api_as: TokenFor, region_user: User
) -> None:
    """Guessing tokens is throttled, and does not use up the valid token's rate."""
    codes = [ApiClient().get("/api/v1/questionnaires/").status_code for _ in range(2)]
    codes.append(ApiClient("nv_guess").get("/api/v1/questionnaires/").status_code)
    assert codes == [401, 401, 429]
    assert api_as(region_user).get("/api/v1/questionnaires/").status_code == 200

"""`seed_demo` gives a new user one account per role and answers in every state."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from intake.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from intake.models import Response
from surveys.models import OrganisationRole, User

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")
    assert not User.objects.filter(email=DEMO_ACCOUNTS[0][0]).exists()


def test_it_creates_one_account_per_role_and_demo_answers(
    debug_settings: LazySettings,
) -> None:
    call_command("seed_demo")
    staff = User.objects.get(email="statistiker@socialstyrelsen.example")
    assert staff.is_staff and staff.check_password(DEMO_PASSWORD)
    roles = dict(
        OrganisationRole.objects.values_list("user__email", "organisation__kind")
    )
    assert roles == {
        "kontakt@sormland.example": "region",
        "kollega@sormland.example": "region",
        "samordnare@rss-kronoberg.example": "rss",
        "kontakt@vaxjo.example": "kommun",
    }
    by_state = dict(
        Response.objects.values_list("questionnaire__key", "status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
        .order_by()
    )
    assert set(by_state) == {"submitted", "in_progress"}
    assert Response.objects.filter(questionnaire__key="region").count() == 20
    assert not Response.objects.filter(
        organisation__code="04", questionnaire__key="region"
    ).exists()
    assert (
        Response.objects.filter(questionnaire__key="kommun", status="submitted").count()
        == 6
    )

    answers_before = sorted(Response.objects.values_list("pk", "version"))
    call_command("seed_demo")
    assert sorted(Response.objects.values_list("pk", "version")) == answers_before

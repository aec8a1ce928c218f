"""`seed_demo` gives a new user one account per role and answers in every state."""

from __future__ import annotations

import base64

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.management.commands.seed_demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY_BASE32,
)
from intake.models import Response
from surveys.models import (
    Mailing,
    MailingKind,
    OrganisationRole,
    Questionnaire,
    QuestionnaireEvent,
    QuestionnaireState,
    User,
)

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
    } | {f"kontakt@{slug}.example": "kommun" for slug in KRONOBERG_SLUGS}
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
    assert kronoberg_states() == EXPECTED_STATES
    assert supplementary_states() == {
        "0760": ("submitted", "web"),
        "0761": ("submitted", "web"),
        "0763": ("in_progress", "web"),
    }
    # Every kommun has a contact; two had a sign-in link, and one reminder round
    # went to the three that had not submitted (all have contacts).
    links = Mailing.objects.filter(kind=MailingKind.SIGN_IN_LINK)
    assert sorted(links.values_list("dispatches__organisation__code", flat=True)) == [
        "0767",
        "0780",
    ]
    (reminder,) = Mailing.objects.filter(kind=MailingKind.REMINDER)
    assert reminder.is_bulk and reminder.scope.code == "rss-07"
    assert sorted(reminder.dispatches.values_list("organisation__code", flat=True)) == [
        "0767",
        "0780",
        "0781",
    ]

    # The earlier cycle is an archive, closed by staff; 2024 stays open to answer.
    states = {
        (q.cycle.year, q.key): q.state
        for q in Questionnaire.objects.select_related("cycle")
    }
    assert states[(2019, "kommun")] == QuestionnaireState.CLOSED
    assert {s for (year, _), s in states.items() if year == 2024} == {
        QuestionnaireState.OPEN
    }
    assert QuestionnaireEvent.objects.get().actor == staff

    answers_before = sorted(Response.objects.values_list("pk", "version"))
    call_command("seed_demo")
    assert QuestionnaireEvent.objects.count() == 1
    assert sorted(Response.objects.values_list("pk", "version")) == answers_before
    assert kronoberg_states() == EXPECTED_STATES
    assert Mailing.objects.count() == 3
    assert OrganisationRole.objects.count() == 4 + 7


# Uppvidinge, Lessebo, Tingsryd, Alvesta, Älmhult, Markaryd and Ljungby (Växjö's
# demo contact is kontakt@vaxjo.example, one of the accounts above).
KRONOBERG_SLUGS = [
    "uppvidinge",
    "lessebo",
    "tingsryd",
    "alvesta",
    "almhult",
    "markaryd",
    "ljungby",
]
# kommunkod: (status, channel of the latest change), by hand from KRONOBERG_PLAN.
EXPECTED_STATES = {
    "0760": ("submitted", "web"),
    "0761": ("submitted", "web"),
    "0763": ("submitted", "proxy"),
    "0764": ("submitted", "excel"),
    "0765": ("submitted", "web"),
    "0767": ("in_progress", "proxy"),
    "0780": ("in_progress", "web"),
}


def states(key: str) -> dict[str, tuple[str, str]]:
    return {
        r.organisation.code: (
            r.status,
            r.changes.order_by("-pk").values_list("channel", flat=True)[0],
        )
        for r in Response.objects.filter(
            questionnaire__key=key, questionnaire__cycle__year=2024
        ).select_related("organisation")
    }


def kronoberg_states() -> dict[str, tuple[str, str]]:
    return states("kommun")


def supplementary_states() -> dict[str, tuple[str, str]]:
    return states("kommun-extra")


def test_the_staff_demo_account_passes_the_second_factor_with_the_readme_key(
    debug_settings: LazySettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user signs in as staff without an authenticator app: the code
    `demo_code` prints is the one the device accepts (issue #18)."""
    call_command("seed_demo")
    call_command("seed_demo")  # again: still one device
    staff = User.objects.get(email="statistiker@socialstyrelsen.example")
    (device,) = TOTPDevice.objects.filter(user=staff)
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode() == DEMO_TOTP_KEY_BASE32
    capsys.readouterr()
    call_command("demo_code")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    assert device.verify_token(code)


def test_demo_code_refuses_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("demo_code")

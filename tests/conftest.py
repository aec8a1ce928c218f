"""Test-wide settings, the reference data, and the named personas (docs/conventions.md §11, §13)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from intake.forms import forget_shared_fields
from intake.fragments import forget_fragments
from intake.selectors import forget_question_structures as questions_of_cache_clear
from reports.tabulation.plan import forget_plans
from surveys.models import RSS, Kommun, Organisation, OrganisationRole, Region, User
from surveys.services import load_questionnaires, load_reference_data
from tests.battery import Tally, add_up, summary_line
from tests.script_posts import ENCODINGS, ScriptPost
from tests.second_factor import force_login_with_second_factor


def pytest_configure(config: Any) -> None:
    # Speed: a cheap password hash. Determinism: tasks run in-process and raise,
    # e-mail and cache stay in memory. The broker and the real processes are
    # tested apart, in test_celery_broker.py and test_process_layout.py.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def cold_question_structures() -> Iterator[None]:
    """Each test starts as a fresh process would: no questionnaire structure built
    yet (intake.selectors.questions_of), no form fields (intake.forms) and no
    question rendered (intake.fragments), so pinned query counts do not depend on
    which tests ran before in the same worker."""
    questions_of_cache_clear()
    forget_plans()
    forget_shared_fields()
    forget_fragments()
    yield


@pytest.fixture(autouse=True)
def staff_force_login_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(staff)` gives a session past the second factor, as if
    the person had entered their TOTP code (tests/second_factor.py); tests of the
    step itself sign in through the login page or `unverified_force_login`."""
    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def wsgi_keeps_the_test_s_connection() -> Iterator[None]:
    """For tests that call the WSGI application directly (the bench's profiles):
    a WSGI request closes an obsolete connection before and after it; the
    test's is inside its transaction, so, as Django's test client does, not."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The register and the shipped questionnaires never change during a run:
    load them once per test database."""
    with django_db_blocker.unblock():
        load_reference_data()
        load_questionnaires()
    yield


@pytest.fixture
def register_again(django_db_blocker: Any) -> Iterator[None]:
    """For a test with transaction=True, whose flush empties every table: the
    register and the questionnaires loaded again for the tests after it.
    Requested before transactional_db, so that it tears down after the flush."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()
        load_questionnaires()


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


# What gives a test the database (pytest-django refuses it any other way): these
# fixtures, or one of ours that unblocks it with django_db_blocker (which
# pytest-django's own autouse fixtures request for every test).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_db_setup",
    }
)


def database_fixtures(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ()))
    found = set(DATABASE_FIXTURES & names)
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for name in names:
        for definition in definitions.get(name, ()):
            module = getattr(definition.func, "__module__", "")
            if "django_db_blocker" in definition.argnames and not module.startswith(
                "pytest_django"
            ):
                found.add(name)
    return found


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tests marked engine_independent run in CI's first pass only (SQLite): the
    services pass exists to run what touches PostgreSQL and Redis, and these
    touch neither. The mark is refused on a test that could reach the database,
    so that it cannot hide one from the services pass."""
    for item in items:
        if item.get_closest_marker("engine_independent") is None:
            continue
        fixtures = database_fixtures(item)
        if (
            fixtures
            or item.get_closest_marker("django_db")
            or item.get_closest_marker("services")
        ):
            raise pytest.UsageError(
                f"{item.nodeid} is marked engine_independent but can reach the"
                f" database or the services ({', '.join(sorted(fixtures)) or 'mark'})"
            )
    if not services_required():
        return
    left = [i for i in items if i.get_closest_marker("engine_independent") is None]
    if len(left) < len(items):
        config.hook.pytest_deselected(
            items=[i for i in items if i.get_closest_marker("engine_independent")]
        )
        items[:] = left


def require_postgresql(reason: str) -> None:
    """Skip the test unless the database is PostgreSQL, saying `reason`; fail
    instead where REQUIRE_SERVICES=1 (CI's services pass) forbids skipping."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if services_required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping it")
    pytest.skip(reason)


def make_user(
    email: str, organisation: Organisation | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(email=email, password="secret-password", **extra)
    if organisation is not None:
        OrganisationRole.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture(params=ENCODINGS)
def script_post(request: pytest.FixtureRequest) -> ScriptPost:
    """Posts form data to a script's endpoint, once as JSON and once urlencoded."""
    return ScriptPost(request.param)


@pytest.fixture
def staff_user(db: None) -> User:
    return make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)


@pytest.fixture
def region(db: None) -> Region:
    return Region.objects.get(code="04")  # Sörmland


@pytest.fixture
def other_region(db: None) -> Region:
    return Region.objects.get(code="07")  # Kronoberg


@pytest.fixture
def region_user(region: Region) -> User:
    return make_user("kontakt@sormland.test", region)


@pytest.fixture
def other_region_user(other_region: Region) -> User:
    return make_user("kontakt@kronoberg.test", other_region)


@pytest.fixture
def rss(db: None) -> RSS:
    return RSS.objects.get(code="rss-07")  # Kronoberg, 8 kommuner


@pytest.fixture
def rss_user(rss: RSS) -> User:
    return make_user("samordnare@rss-kronoberg.test", rss)


@pytest.fixture
def kommun(db: None) -> Kommun:
    return Kommun.objects.get(code="0780")  # Växjö


@pytest.fixture
def kommun_user(kommun: Kommun) -> User:
    return make_user("kontakt@vaxjo.test", kommun)


@pytest.fixture
def debug_settings(settings: LazySettings) -> LazySettings:
    settings.DEBUG = True
    return settings


@pytest.fixture
def battery(record_property: Callable[[str, object], None]) -> Iterator[Tally]:
    """A test's share of the battery's totals (tests/test_battery.py and the
    fault tests in tests/test_faults.py)."""
    tally = Tally()
    yield tally
    # Read below from the teardown report, also under xdist.
    record_property("battery", tally.counts())


# --- the fault and bad-input battery's totals (tests/test_battery.py) --------------------

BATTERY_TOTAL: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Under xdist this runs in the controller too, with the workers' reports and
    # their user properties; only the teardown report is counted, once per test.
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == "battery" and isinstance(value, dict):
            add_up(BATTERY_TOTAL, value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if BATTERY_TOTAL.get("inputs") or BATTERY_TOTAL.get("emails_expected"):
        terminalreporter.write_sep("-", "fault and bad-input battery")
        terminalreporter.write_line(summary_line(BATTERY_TOTAL))

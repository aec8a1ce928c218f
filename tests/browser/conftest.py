"""Browser tests: Playwright drives Debian's chromium against Django's live server.

They run in a pass of their own (`make pytest` runs `-m browser` after the rest):
a live server needs real transactions, and the flush after each transactional
test would wipe the reference data that the other tests share within a worker.
Each browser test therefore gets the register and the questionnaires back
(RegisterCopy). Tests of one file may run in different workers (`make pytest`
runs them with --dist=worksteal): no fixture here is shared beyond a worker's
session.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from surveys.models import OrganisationRole, Region, User
from surveys.services import load_questionnaires, load_reference_data
from tests.second_factor import current_code, totp_device, unverified_force_login

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from a thread with a running loop unless told this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make pytest` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class RegisterCopy:
    """The database as it is just after the register and the questionnaires are
    loaded, kept by each worker to put back before each browser test.

    Loading them costs some 2 s of CPU a test, a third of the browser pass. On
    SQLite the first test of a worker loads them and keeps a copy of the whole
    database (SQLite's online backup, into memory); the next tests get that copy
    back in a millisecond, the rows the loaders would have written, with the same
    primary keys each time. On PostgreSQL every test loads them again.
    """

    def __init__(self) -> None:
        self.copy: sqlite3.Connection | None = None

    def put_in_place(self) -> None:
        if connection.vendor != "sqlite":
            load_reference_data()
            load_questionnaires()
            return
        connection.ensure_connection()
        if self.copy is None:
            load_reference_data()
            load_questionnaires()
            # Read and written only from the test's thread (its fixtures).
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
            return
        # Replaces every table, the flush's post_migrate content types included.
        self.copy.backup(connection.connection)
        # Their cache would name the ids the flush gave them, not the copy's.
        ContentType.objects.clear_cache()
        # Cached entries keyed by a primary key (the API's throttle history, by
        # user) would otherwise meet the next test's rows with the same keys.
        cache.clear()

    def close(self) -> None:
        if self.copy is not None:
            self.copy.close()


@pytest.fixture(scope="session")
def register_copy() -> Iterator[RegisterCopy]:
    copy = RegisterCopy()
    yield copy
    copy.close()


@pytest.fixture(autouse=True)
def register(transactional_db: None, register_copy: RegisterCopy) -> None:
    """The register and the questionnaires in place for each browser test (see
    the module doc and RegisterCopy)."""
    register_copy.put_in_place()


@pytest.fixture
def contact(register: None) -> User:
    """A region contact of Region Sörmland (04), signed in by password in the
    tests that use the login page."""
    user = User.objects.create_user(
        email="kontakt@sormland.test", password="ett-bra-losenord"
    )
    OrganisationRole.objects.create(
        user=user, organisation=Region.objects.get(code="04")
    )
    return user


class ServerRequests:
    """Counts the requests the live server has open, from Django's request signals.

    On SQLite the live server shares the test's in-memory database connection
    (pytest-django passes it to the server thread). A test that ends, or reads the
    database, while the server is still answering (a follow-up check, an autosave,
    the beacon a closing tab sends) uses that connection from two threads at once;
    the server thread's error surfaced as PytestUnhandledThreadExceptionWarning.
    `wait_idle()` waits until nothing is open and nothing new has started for
    `quiet` seconds: a tab's last beacon reaches the server just after it closes.
    """

    def __init__(self) -> None:
        self.open = 0
        self.changed = time.monotonic()
        self.lock = threading.Lock()

    def started(self, **kwargs: Any) -> None:
        with self.lock:
            self.open += 1
            self.changed = time.monotonic()

    def finished(self, **kwargs: Any) -> None:
        with self.lock:
            self.open -= 1
            self.changed = time.monotonic()

    def wait_idle(self, *, quiet: float = 0.3, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.open <= 0 and time.monotonic() - self.changed >= quiet:
                    return
            time.sleep(0.05)
        raise AssertionError(f"the live server still has {self.open} request(s) open")


@pytest.fixture(scope="session")
def server_requests() -> Iterator[ServerRequests]:
    requests = ServerRequests()
    # Only the live server's threads: the test client's requests run synchronously.
    main = threading.main_thread()

    def started(**kwargs: Any) -> None:
        if threading.current_thread() is not main:
            requests.started()

    def finished(**kwargs: Any) -> None:
        if threading.current_thread() is not main:
            requests.finished()

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    yield requests
    request_started.disconnect(started)
    request_finished.disconnect(finished)


class LiveServerGate:
    """The live server's WSGI application behind a gate that is open only while a
    test runs, and on an in-memory SQLite database one request at a time.

    Closed between tests: a request that reaches the server after its test has
    ended (a closed tab's last autosave beacon, late under load) would otherwise
    run while the database is flushed for the next test. On SQLite that request
    shares the flush's one connection: its transaction took the flush's deletes
    with it, and the next test met the previous test's user ("UNIQUE constraint
    failed: surveys_user.email", once in CI). Closing waits for the requests
    already inside; later ones are answered 503 without touching the database.

    One at a time on in-memory SQLite: the live server's request threads share
    the test's one connection (see ServerRequests). Two requests at once, as when
    the autosave timer fires while a button's save is on its way, then meet
    inside one transaction: "cannot start a transaction within a transaction", a
    500 that the service itself cannot have (each thread has its own connection
    on any real database). The body is read inside the lock, so the response's
    close, and with it Django's request_finished, happens before the next one.
    """

    def __init__(self, application: Any, *, one_at_a_time: bool) -> None:
        self.application = application
        self.one_at_a_time = one_at_a_time
        self.serial = threading.Lock()
        self.state = threading.Condition()
        self.is_open = False
        self.inside = 0

    def open(self) -> None:
        with self.state:
            self.is_open = True

    def close(self, *, timeout: float = 15) -> None:
        with self.state:
            self.is_open = False
            if not self.state.wait_for(lambda: self.inside == 0, timeout=timeout):
                raise AssertionError(
                    f"the live server still answers {self.inside} request(s)"
                )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.state:
            if not self.is_open:
                start_response(
                    "503 Service Unavailable", [("Content-Type", "text/plain")]
                )
                return [b"between tests"]
            self.inside += 1
        try:
            if self.one_at_a_time:
                with self.serial:
                    return self._answer(environ, start_response)
            return self._answer(environ, start_response)
        finally:
            with self.state:
                self.inside -= 1
                self.state.notify_all()

    def _answer(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        result = self.application(environ, start_response)
        try:
            return list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


@pytest.fixture(scope="session")
def live_server(live_server: Any) -> Any:
    """pytest-django's live server behind a LiveServerGate."""
    server = live_server.thread.httpd
    if not isinstance(server.get_app(), LiveServerGate):
        in_memory = bool(live_server.thread.connections_override)
        server.set_app(LiveServerGate(server.get_app(), one_at_a_time=in_memory))
    return live_server


@pytest.fixture(autouse=True)
def live_server_open_during_the_test(
    register: None, live_server: Any
) -> Iterator[None]:
    """Opens the gate once the test's data is loaded and closes it before the
    database is flushed: set up after `register` (and so after the database
    fixture), torn down before it."""
    gate: LiveServerGate = live_server.thread.httpd.get_app()
    gate.open()
    yield
    gate.close()


@pytest.fixture
def new_context(
    browser: Browser, live_server: Any, server_requests: ServerRequests
) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    # Close the pages first (a closing tab may still send its autosave), then let
    # the server finish before the database is flushed behind it.
    for context in contexts:
        context.close()
    server_requests.wait_idle()


@pytest.fixture
def page(new_context: Any) -> Page:
    page: Page = new_context().new_page()
    return page


def sign_in_as(context: BrowserContext, user: User, live_server: Any) -> None:
    """Start a signed-in session without the login page (which has its own test).
    Staff still have their second factor ahead of them (`login` passes it)."""
    client = Client()
    unverified_force_login(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": live_server.url,
            }
        ]
    )


def login(page: Page, live_server: Any, user: User) -> None:
    sign_in_as(page.context, user, live_server)
    if user.is_staff_member:
        pass_second_factor(page, live_server, user)


def pass_second_factor(page: Page, live_server: Any, user: User) -> None:
    """The staff's TOTP step on its real page, with the code their app would show."""
    device = totp_device(user)
    page.goto(f"{live_server.url}/logga-in/tvastegs/")
    page.get_by_label("Kod", exact=True).fill(current_code(device))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url(f"{live_server.url}/")


def assert_accessible(page: Page) -> None:
    """No WCAG 2.1 A or AA violations that axe-core can find on the page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    readable = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert not violations, "\n".join(readable)

"""config/gunicorn.py: the web worker freezes what is alive once it has loaded
the application and after its first and hundredth request, and not otherwise."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from config import gunicorn

# Neither the database nor the services: CI's services pass leaves it to the first.
pytestmark = pytest.mark.engine_independent


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def request_done(number: int) -> None:
    gunicorn.post_request(SimpleNamespace(nr=number), None, None, None)


def test_a_worker_freezes_what_it_loaded(unfrozen: None) -> None:
    gunicorn.post_worker_init(SimpleNamespace(nr=0))
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize("number", gunicorn.FREEZE_AFTER_REQUESTS)
def test_the_caches_of_the_first_requests_are_frozen_too(
    unfrozen: None, number: int
) -> None:
    gunicorn.post_worker_init(SimpleNamespace(nr=0))
    frozen = gc.get_freeze_count()
    kept = [[index] for index in range(1000)]  # a cache a request built
    request_done(number)
    assert gc.get_freeze_count() >= frozen + len(kept)


def test_other_requests_freeze_nothing(unfrozen: None) -> None:
    gunicorn.post_worker_init(SimpleNamespace(nr=0))
    frozen = gc.get_freeze_count()
    kept = [[index] for index in range(1000)]
    for number in (2, 3, 99, 101, 1000):
        request_done(number)
    assert gc.get_freeze_count() == frozen
    assert kept

"""bench/show_profile.py cannot rot (issue #20 point 2): its request reaches the
filled form through the WSGI application, as gunicorn's would, and anything but
that page stops the measurement instead of being timed."""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application

from bench.compare import ours
from bench.one_process import targets
from bench.show_profile import shower

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("wsgi_keeps_the_test_s_connection"),
]


def test_each_show_is_the_filled_form_of_a_signed_in_respondent() -> None:
    ours.build(filled=2, blank=0, seed=3)
    found = targets(2)
    assert len(found) == 2 and found[0] != found[1]
    show = shower(get_wsgi_application(), found)
    sizes = [show(i) for i in range(3)]
    assert all(size > 20_000 for size in sizes)


def test_a_page_other_than_the_form_stops_the_measurement() -> None:
    ours.build(filled=1, blank=0, seed=3)
    path, _ = targets(1)[0]
    show = shower(get_wsgi_application(), [(path, "no-such-session")])
    with pytest.raises(SystemExit, match="show: 302"):
        show(0)

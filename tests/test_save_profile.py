"""bench/save_profile.py cannot rot (issue #20 point 2): its request is the save
in place the page's script posts, through the WSGI application as gunicorn's
would be, the next save goes on from what the last one answered, and anything
but a clean save stops the measurement instead of being timed."""

from __future__ import annotations

import random

import pytest
from django.core.wsgi import get_wsgi_application

from bench.compare import ours
from bench.compare.plan import plan
from bench.one_process import targets
from bench.save_profile import Respondent
from intake.models import Response
from surveys.http import form_json

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("wsgi_keeps_the_test_s_connection"),
]


def test_each_save_rewrites_the_form_and_the_next_goes_on_from_it() -> None:
    ours.build(filled=1, blank=0, seed=3)
    path, session = targets(1)[0]
    person = Respondent(get_wsgi_application(), path, session)
    fields, spec, rng = ours.Fields(), ours.question_spec(), random.Random(1)
    versions = []
    for i in range(2):
        data = fields.replace(person.pairs, plan(spec, rng, f"t{i}"))
        body = person.post(form_json(data), person.token())
        assert len(body["saved_answers"]) > 30
        person.apply(data, body)
        versions.append(body["version"])
    assert versions[1] == versions[0] + 1
    stored = Response.objects.get(questionnaire=ours.questionnaire())
    assert stored.version == versions[1]


def test_a_save_that_is_not_clean_stops_the_measurement() -> None:
    ours.build(filled=1, blank=0, seed=3)
    path, session = targets(1)[0]
    person = Respondent(get_wsgi_application(), path, session)
    fields, spec, rng = ours.Fields(), ours.question_spec(), random.Random(1)
    page = list(person.pairs)
    person.post(form_json(fields.replace(page, plan(spec, rng, "a"))), person.token())
    # The same page again, its version and bases not updated: every question
    # was changed by someone else since, so they collide.
    stale = fields.replace(page, plan(spec, rng, "b"))
    with pytest.raises(SystemExit, match="save: 409"):
        person.post(form_json(stale), person.token())

"""Messages and error marking on the respondent pages (issue #17): the submit
message shows on the receipt and nowhere after it; a refused submit marks each
missing question beside itself."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.demo import demo_values
from intake.models import Channel
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers
from intake.views.form import MISSING_ANSWER
from surveys.models import Region, User
from tests.intake.test_response_views import (
    edit_url,
    form_data,
    region_questionnaire,
    var,
)

pytestmark = pytest.mark.django_db

SUBMITTED = "Enkäten är inskickad. Tack!"


def test_the_submit_message_is_on_the_receipt_and_not_on_the_next_page(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    q = region_questionnaire()
    save_answers(
        get_or_create_response(q, organisation=region),
        actor=region_user,
        channel=Channel.WEB,
        values=demo_values(questions_of(q.pk), random.Random(3)),
    )
    response = client.post(edit_url(q, region), form_data(q, region, action="submit"))
    assert response["Location"] == reverse(
        "intake:response-receipt", args=[q.pk, region.pk]
    )

    receipt = client.get(response["Location"]).content.decode()
    assert SUBMITTED in receipt
    assert 'id="meddelanden"' in receipt  # the box the page's script focuses
    assert SUBMITTED not in client.get(reverse("intake:response-list")).content.decode()
    assert SUBMITTED not in client.get(response["Location"]).content.decode()


def test_a_refused_submit_marks_each_missing_question_inline(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    q = region_questionnaire()
    response = client.post(
        edit_url(q, region),
        form_data(q, region, **{var("2"): "ja", "action": "submit"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    missing = var("4")
    block = re.search(
        rf'<div class="question has-error" id="q-{missing}".*?</fieldset>', page, re.S
    )
    assert block, "the missing question is not marked as an error"
    assert f'<p class="error" id="err-{missing}">{MISSING_ANSWER}' in block.group(0)
    assert re.search(rf'aria-describedby="[^"]*\berr-{missing}"', block.group(0))
    assert 'aria-invalid="true"' in block.group(0)
    # The form posts to its own address: no #fragment from an error link survives.
    assert f'action="{edit_url(q, region)}"' in page

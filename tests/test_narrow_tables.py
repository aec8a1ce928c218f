"""At 320 CSS px a data table scrolls inside its own region, not the page
(WCAG 1.4.10; the pattern of base.css `.table-scroll`). Found in QA of the demo:
staff's list of mailing rounds and the kommuner's texts on the RSS form pushed
the page to 931 and 389 px."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import RSS, MailingKind, Questionnaire, User
from surveys.services.rounds import DEFAULT_TEXTS, schedule_round

pytestmark = pytest.mark.django_db

SCROLLING_TABLE = re.compile(
    r'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="([^"]+)">\s*'
    r'<table>\s*<caption[^>]*id="\1"'
)


def test_the_rounds_table_scrolls_in_its_own_region(
    client: Client, staff_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    subject, body = DEFAULT_TEXTS[MailingKind.REMINDER]
    schedule_round(
        questionnaire,
        kind=MailingKind.REMINDER,
        subject=subject,
        body=body,
        actor=staff_user,
    )
    client.force_login(staff_user)
    page = client.get(
        reverse("surveys:questionnaire-rounds", args=[questionnaire.pk])
    ).content.decode()
    assert "Ordinarie påminnelse" in page
    assert len(SCROLLING_TABLE.findall(page)) == page.count("<table")


def test_the_kommun_texts_on_the_rss_form_scroll_in_their_own_region(
    client: Client, rss: RSS, rss_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    client.force_login(rss_user)
    page = client.get(
        reverse("intake:response-edit", args=[questionnaire.pk, rss.pk])
    ).content.decode()
    assert page.count('class="kommun-texts"') > 0
    assert len(SCROLLING_TABLE.findall(page)) == page.count('class="kommun-texts"')

"""Django's `{# … #}` comment is single-line only: a comment spread over lines is
printed to the page as text. The respondent's form once showed a developer note
this way (QA of the demo)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys.models import Questionnaire, Region, User

pytestmark = pytest.mark.django_db


def test_the_response_form_shows_no_template_comment(
    client: Client, region: Region, region_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    client.force_login(region_user)
    page = client.get(
        reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "{#" not in text and "#}" not in text


def test_no_template_opens_a_comment_it_does_not_close_on_the_same_line() -> None:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    unclosed = [
        f"{path}:{number}"
        for root in roots
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert unclosed == []

"""Saving an uploaded Excel copy (`intake.excel`): the write that follows the
reader and the user's preview, through the same rules as every other channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from intake.models import (
    Channel,
    Response,
)
from intake.services.lifecycle import get_or_create_response
from intake.services.saving import save_answers
from surveys.models import (
    Organisation,
    Questionnaire,
    User,
)

# --- the Excel channel -----------------------------------------------------------------


@transaction.atomic
def import_kommun_workbook(
    questionnaire: Questionnaire,
    *,
    organisation: Organisation,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int,
    filename: str = "",
) -> Response:
    """Save the answers read from an uploaded Excel copy (`intake.excel`), as the
    uploader, through the same rules as every other channel.

    `expected_version` is the version the user's preview was based on: if someone
    saved in between, StaleResponseError and nothing is saved.
    """
    response = get_or_create_response(
        questionnaire, organisation=organisation, channel=Channel.EXCEL
    )
    reason = f"Uppladdad Excel-fil «{filename[:200]}»" if filename else ""
    return save_answers(
        response,
        actor=actor,
        channel=Channel.EXCEL,
        values=values,
        expected_version=expected_version,
        reason=reason,
    )

"""Writes to responses and answers (docs/conventions.md §2, §6), by sub-domain:
`values` (parsing one question's value), `saving` (`save_answers`, the one way
answers change, and staff's corrections), `adjustments` (the save's check of an
RSS's adjusted counts), `lifecycle` (create, contact details, submit, reopen),
`bulk` (many responses of one questionnaire at once: the raw-data import),
`excel_import` (saving an uploaded Excel copy) and `contacts` (staff's contact
persons for regions and RSS, and the history of every organisation's contacts).

Inside `intake`, import from those modules; this package re-exports only the
names other apps, the benchmark and the tests import.
"""

from intake.services.bulk import (
    BulkSaveError,
    Submission,
    get_or_create_responses,
    save_answers_in_bulk,
    submit_responses_in_bulk,
)
from intake.services.lifecycle import (
    get_or_create_response,
    reopen_response,
    submit_response,
    update_contact_details,
)
from intake.services.saving import (
    HIDDEN_REASON,
    UNFROZEN_REASON,
    StaleResponseError,
    _apply_display_conditions,
    correct_answer,
    save_answers,
)
from intake.services.values import cells_for

__all__ = [
    "BulkSaveError",
    "HIDDEN_REASON",
    "UNFROZEN_REASON",
    "StaleResponseError",
    "Submission",
    "_apply_display_conditions",
    "cells_for",
    "correct_answer",
    "get_or_create_response",
    "get_or_create_responses",
    "reopen_response",
    "save_answers",
    "save_answers_in_bulk",
    "submit_response",
    "submit_responses_in_bulk",
    "update_contact_details",
]

"""Writes to the register, the questionnaires and the accounts (docs/conventions.md §2).

One module per sub-domain: `reference_data` (the organisation register),
`questionnaires` (loading the definition files), `next_cycle` (the next
cycle copied from the current one, and edits before opening), `accounts` (users, invitations,
passwords), `lifecycle` (opening and closing questionnaires, extended
deadlines) and `sign_in_records` (django-axes' records). Inside `surveys`, code
imports from those modules; the names other apps (and the views) import from
`surveys.services` are re-exported here.
"""

from __future__ import annotations

from surveys.services.accounts import account_for, invite_user, set_user_password
from surveys.services.lifecycle import (
    close_questionnaire,
    extend_deadline,
    open_questionnaire,
    reopen_questionnaire,
)
from surveys.services.questionnaires import load_questionnaires
from surveys.services.reference_data import load_reference_data

__all__ = [
    "account_for",
    "close_questionnaire",
    "extend_deadline",
    "invite_user",
    "load_questionnaires",
    "load_reference_data",
    "open_questionnaire",
    "reopen_questionnaire",
    "set_user_password",
]

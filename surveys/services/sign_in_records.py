"""Deleting django-axes' sign-in records after their retention period.

Apart from the accounts: a scheduled job with no user behind it
(surveys.tasks.delete_old_sign_in_records), and the one write to axes' tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import transaction
from django.utils import timezone

from surveys.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInRecordsDeleted:
    attempts: int
    logs: int
    failure_logs: int


@transaction.atomic
def delete_old_sign_in_records(*, age_days: int) -> SignInRecordsDeleted:
    """Delete django-axes' records of sign-ins older than `age_days` days.

    They hold e-mail addresses, IP addresses and browser strings: personal data
    kept only as long as AXES_LOG_RETENTION_DAYS says. A scheduled job with no
    user behind it, hence no actor. Access and failure logs go through axes' own
    handler (as its `axes_reset_logs` command does); axes has no age-based reset
    for the attempt counters, whose rows stop counting after AXES_COOLOFF_TIME
    anyway, so those are deleted by the same rule here.
    """
    if age_days < 1:
        raise DomainError("Sparad inloggningslogg måste gälla minst en dag.")
    limit = timezone.now() - timedelta(days=age_days)
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lte=limit).delete()
    logs = AxesProxyHandler.reset_logs(age_days=age_days)
    failure_logs = AxesProxyHandler.reset_failure_logs(age_days=age_days)
    deleted = SignInRecordsDeleted(
        attempts=attempts, logs=logs, failure_logs=failure_logs
    )
    logger.info("Deleted sign-in records older than %d days: %s", age_days, deleted)
    return deleted

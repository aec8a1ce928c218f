"""The message log: every mailing (utskick) and each of its e-mails (Dispatch).

Its own module because it ties the other three together (who sent what to whom,
for which organisation and questionnaire) and is written only by surveys.mailings.
"""

from __future__ import annotations

from django.db import models

from surveys.formatting import swedish_datetime
from surveys.models.questionnaires import Questionnaire
from surveys.models.register import Organisation
from surveys.models.users import User


class MailingKind(models.TextChoices):
    INVITATION = "invitation", "Inbjudan"
    SIGN_IN_LINK = "sign_in_link", "Inloggningslänk"
    # A bulk reminder is an ordinary round ("ordinarie påminnelse" in the
    # kvalitetsdeklaration); to one organisation it is an ad-hoc reminder.
    REMINDER = "reminder", "Påminnelse"
    # Staff's rounds from their own text (issue #15, surveys.services.rounds).
    INFORMATION = "information", "Informationsbrev"
    EXTRA_REMINDER = "extra_reminder", "Extra påminnelse"


# The kinds of a round staff write themselves, with the words they see.
ROUND_KINDS = {
    MailingKind.INFORMATION: "Informationsbrev",
    MailingKind.REMINDER: "Ordinarie påminnelse",
    MailingKind.EXTRA_REMINDER: "Extra påminnelse",
}


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Schemalagd"
    SENT = "sent", "Skickad"
    CANCELLED = "cancelled", "Inställd"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", "Köad"
    SENT = "sent", "Skickad"
    FAILED = "failed", "Misslyckades"
    # Checked again at sending time: the questionnaire had closed, or the
    # organisation had submitted, after the e-mail was queued (issue #15).
    SKIPPED = "skipped", "Inte skickad"


class Mailing(models.Model):
    """One send action (utskick): an invitation, a sign-in link or a reminder to
    one organisation's contacts, or a bulk round to many organisations.

    The message log is two tables because two things are counted: the
    kvalitetsdeklaration counts reminder *rounds* ("två ordinarie påminnelser",
    bulk mailings, kept apart from ad-hoc single reminders) and the status board
    counts reminders *per organisation* (a reminder to a kommun with two contacts
    is one reminder, two e-mails). Each e-mail is a `Dispatch` row.

    In `surveys` rather than `intake` because the staff invitation
    (`surveys.services.accounts.invite_user`) writes here too and `surveys` does
    not depend on `intake`.
    """

    kind = models.CharField("typ", max_length=20, choices=MailingKind.choices)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="enkät",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailings",
        help_text="Tomt för en inbjudan till kontot utan enkät.",
    )
    is_bulk = models.BooleanField(
        "utskick till alla",
        default=False,
        help_text="En ordinarie omgång till alla som inte har skickat in, "
        "inte ett enskilt utskick.",
    )
    scope = models.ForeignKey(
        Organisation,
        verbose_name="avsändande RSS",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="RSS:et vars kommuner utskicket gick till; tomt = Socialstyrelsen "
        "till alla.",
    )
    sent_by = models.ForeignKey(
        User, verbose_name="skickat av", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("skapat", auto_now_add=True, db_index=True)
    # A round staff write and send now or schedule (issue #15): their text with
    # placeholders, when it goes, and to whom. The e-mails (Dispatch rows) are
    # made when it goes, so an organisation that submits before then is not
    # mailed. Other mailings are made and sent at once (status "sent").
    subject = models.CharField("ämnesrad", max_length=200, blank=True)
    body = models.TextField("text", blank=True)
    scheduled_for = models.DateTimeField(
        "skickas", null=True, blank=True, db_index=True
    )
    status = models.CharField(
        "status",
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.SENT,
    )
    selection = models.JSONField(
        "valda organisationer",
        null=True,
        blank=True,
        help_text="Id:n; tomt = alla i målgruppen som inte har skickat in.",
    )
    dispatched_at = models.DateTimeField("e-post skapad", null=True, blank=True)
    note = models.CharField(
        "anmärkning",
        max_length=300,
        blank=True,
        help_text="T.ex. varför en schemalagd omgång inte gick i väg.",
    )

    class Meta:
        verbose_name = "utskick"
        verbose_name_plural = "utskick"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {swedish_datetime(self.created_at)}"


class Dispatch(models.Model):
    """One e-mail to one respondent, its address as sent, and whether it went."""

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="dispatches"
    )
    # Denormalised from the mailing so that the per-organisation counts on the
    # status board are one indexed filter.
    kind = models.CharField("typ", max_length=20, choices=MailingKind.choices)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="enkät",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
    )
    recipient = models.ForeignKey(
        User, verbose_name="mottagare", on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField("e-postadress")
    sent_by = models.ForeignKey(
        User, verbose_name="skickat av", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("skapat", auto_now_add=True)
    status = models.CharField(
        "status",
        max_length=10,
        choices=DispatchStatus.choices,
        default=DispatchStatus.QUEUED,
    )
    sent_at = models.DateTimeField("skickat", null=True, blank=True)
    # Set by the send task before it sends (cleared if the mail server refuses),
    # so a task delivered twice sends the e-mail once.
    claimed_at = models.DateTimeField("sänds sedan", null=True, blank=True)
    error = models.TextField("fel", blank=True)

    class Meta:
        verbose_name = "e-postmeddelande"
        verbose_name_plural = "e-postmeddelanden"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["questionnaire", "organisation", "kind"]),
        ]
        constraints = [
            # A round run twice (a retried or restarted task) cannot mail anyone
            # twice: the second run's rows conflict and are skipped.
            models.UniqueConstraint(
                fields=["mailing", "organisation", "recipient"],
                name="dispatch_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} till {self.email}"

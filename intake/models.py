"""Responses and answers.

Answers are rows, not blobs (docs/design.md): one row per answered item, with typed
columns, so that counting per alternative is a GROUP BY in the database.

- yes/no, yes/partly/no, single choice: one row, `option` set.
- matrix: one row per answered matrix row, `row` and `option` set.
- multiple choice: one row per ticked option. A question with no ticked option is
  unanswered; an unticked option of an answered question is published as «.».
- integer and percentage: one row with `number`, or `escaped` for the escape answer.
- text and RSS summaries: one row with `text`.
- RSS kommun counts: one row per (row, option) cell with the count in `number`.

`slot` names the cell within the question ("" for single-valued questions, the
row code, the option code, or "row.option") so that uniqueness holds portably.
Every change is also written to AnswerChange by the service that makes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from surveys.formatting import swedish_datetime
from surveys.models import MatrixRow, Option, Organisation, Question, Questionnaire


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Ej påbörjad"
    IN_PROGRESS = "in_progress", "Pågår"
    SUBMITTED = "submitted", "Inskickad"
    REOPENED = "reopened", "Återöppnad"


class Channel(models.TextChoices):
    WEB = "web", "Webbformulär"
    EXCEL = "excel", "Excel-uppladdning"
    PROXY = "proxy", "Inmatad av RSS för kommunens räkning"
    IMPORT = "import", "Import"
    # RSS kommun counts written by the service when the RSS submits (issue #4).
    COMPUTED = "computed", "Beräknat av tjänsten"
    # Socialstyrelsen's correction of a flagged answer, with a reason, also after
    # submission (reports/plausibility.py); the history keeps the value as entered.
    CORRECTION = "correction", "Rättning av Socialstyrelsen"
    # Written by a program through the REST API with the user's token (issue #18).
    API = "api", "API"


class Response(models.Model):
    """One organisation's answers to one questionnaire."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="enkät",
        on_delete=models.PROTECT,
        related_name="responses",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="responses",
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=ResponseStatus.choices,
        default=ResponseStatus.NOT_STARTED,
    )
    # Optimistic lock: every save of answers bumps it; a save based on an older
    # version is refused instead of silently overwriting someone else's work.
    version = models.PositiveIntegerField("version", default=0)
    contact_name = models.CharField("kontaktperson", max_length=200, blank=True)
    contact_email = models.EmailField("e-post", blank=True)
    contact_phone = models.CharField("telefon", max_length=40, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)
    submitted_at = models.DateTimeField("inskickad", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inskickad av",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "svar"
        verbose_name_plural = "svar"
        ordering = ["questionnaire", "organisation__sort_order", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "organisation"],
                name="response_questionnaire_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.questionnaire}"


class Answer(models.Model):
    # Every save inserts or updates tens of these rows, each updating every
    # index (issue #20), so no index repeats another's leading column: the
    # response is the unique constraint's first, the question the (question,
    # option) index's first. The row and option indexes (kept for the rare
    # delete of a matrix row or option, which checks no answer names it) hold
    # only the rows that name one.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", db_index=False
    )
    slot = models.CharField("cell", max_length=30, default="", blank=True)
    row = models.ForeignKey(
        MatrixRow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        db_index=False,
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        db_index=False,
    )
    number = models.DecimalField(
        "tal", max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.TextField("text", blank=True)
    escaped = models.BooleanField("undantagssvar", default=False)
    channel = models.CharField("kanal", max_length=10, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inmatad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    class Meta:
        verbose_name = "svarsuppgift"
        verbose_name_plural = "svarsuppgifter"
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "slot"],
                name="answer_response_question_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "option"]),
            models.Index(
                fields=["row"],
                condition=models.Q(row__isnull=False),
                name="answer_row",
            ),
            models.Index(
                fields=["option"],
                condition=models.Q(option__isnull=False),
                name="answer_option",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.variable}[{self.slot}]"


class AnswerChange(models.Model):
    """Append-only history: every change to an answer, who made it and when.

    `old_value` and `new_value` are JSON snapshots of the answer's value columns
    (None when the answer did not exist, or was removed), so any earlier state of
    a response can be rebuilt.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="changes"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    slot = models.CharField("cell", max_length=30, default="", blank=True)
    old_value = models.JSONField("tidigare värde", null=True, blank=True)
    new_value = models.JSONField("nytt värde", null=True, blank=True)
    channel = models.CharField("kanal", max_length=10, choices=Channel.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ändrad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("tidpunkt", auto_now_add=True)
    reason = models.CharField("anledning", max_length=300, blank=True)
    response_version = models.PositiveIntegerField("svarets version")

    class Meta:
        verbose_name = "ändring"
        verbose_name_plural = "ändringshistorik"
        ordering = ["response", "changed_at", "pk"]

    def __str__(self) -> str:
        return (
            f"{self.question.variable}[{self.slot}] {swedish_datetime(self.changed_at)}"
        )


class ResponseEvent(models.Model):
    """A change of a response's status: who submitted or reopened it, when and why."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Inskickad"
        REOPENED = "reopened", "Återöppnad"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("händelse", max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("anledning", blank=True)
    created_at = models.DateTimeField("tidpunkt", auto_now_add=True)
    # Set by the task that e-mails the receipt or the reopened notice, before it
    # sends: a redelivered or re-dispatched task finds it set and sends nothing.
    notified_at = models.DateTimeField("e-post skickad", null=True, blank=True)

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["response", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {swedish_datetime(self.created_at)}"


class ConsolidationSource(models.Model):
    """Which kommun answers an RSS response's frozen kommun counts came from.

    Written when the RSS submits (`intake.consolidation.freeze.freeze_kommun_counts`): one
    row per member kommun and kommun questionnaire counted, with the kommun
    response's version and status at that moment (no response: both empty). The
    rows of the latest submission carry the RSS response's version after it; a
    kommun response whose version has since moved on flags the counts as stale.
    """

    rss_response = models.ForeignKey(
        Response,
        verbose_name="RSS:ens svar",
        on_delete=models.CASCADE,
        related_name="consolidation_sources",
    )
    rss_response_version = models.PositiveIntegerField("RSS-svarets version")
    kommun = models.ForeignKey(
        Organisation, verbose_name="kommun", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="kommunenkät",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kommun_response = models.ForeignKey(
        Response,
        verbose_name="kommunens svar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kommun_response_version = models.PositiveIntegerField(
        "kommunsvarets version", null=True, blank=True
    )
    kommun_response_status = models.CharField(
        "kommunsvarets status",
        max_length=20,
        choices=ResponseStatus.choices,
        default=ResponseStatus.NOT_STARTED,
    )
    frozen_at = models.DateTimeField("fastställt")

    class Meta:
        verbose_name = "källa till sammanställning"
        verbose_name_plural = "källor till sammanställningar"
        ordering = ["rss_response", "-rss_response_version", "kommun__code"]
        indexes = [models.Index(fields=["rss_response", "rss_response_version"])]

    def __str__(self) -> str:
        return f"{self.kommun} v{self.kommun_response_version} → {self.rss_response}"


class ContactChange(models.Model):
    """Append-only history of contact details (personal data), one row per change,
    with the old and the new value, who and when: a response's contact fields, or
    (issue #15) an organisation's contact persons, added or removed by staff or
    the RSS (`organisation` set, `response` empty, field "contact")."""

    class Field(models.TextChoices):
        NAME = "contact_name", "Kontaktperson"
        EMAIL = "contact_email", "E-post"
        PHONE = "contact_phone", "Telefon"
        CONTACT = "contact", "Kontaktperson för organisationen"

    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_changes",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_changes",
    )
    field = models.CharField("uppgift", max_length=20, choices=Field.choices)
    old_value = models.CharField("tidigare värde", max_length=254, blank=True)
    new_value = models.CharField("nytt värde", max_length=254, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ändrad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "ändring av kontaktuppgift"
        verbose_name_plural = "ändringar av kontaktuppgifter"
        ordering = ["response", "changed_at", "pk"]
        constraints = [
            # A response's contact details, or an organisation's contact persons.
            models.CheckConstraint(
                condition=models.Q(response__isnull=False)
                | models.Q(organisation__isnull=False),
                name="contactchange_response_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {swedish_datetime(self.changed_at)}"

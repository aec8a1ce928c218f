"""The yearly questionnaires: cycles, questionnaires, sections, questions and their choices.

Questionnaires are loaded from versioned files (`surveys/questionnaires/`) and are
read-only in the admin: the files are the source of truth. The next cycle is
copied from the current one, and edited before it opens, by
surveys.services.next_cycle, which writes through the same loader and gives
staff the files to commit.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from surveys.conditions import Condition, parse_stored
from surveys.kinds import CLOSED_KINDS, QuestionKind
from surveys.models.register import OrganisationKind


class Cycle(models.Model):
    """One year's follow-up (e.g. 2024, collected Nov 2024 – Mar 2025)."""

    year = models.PositiveIntegerField("år", unique=True)
    name = models.CharField("namn", max_length=200)
    reference_period = models.CharField(
        "referensperiod",
        max_length=200,
        help_text="T.ex. ”kalenderåret 2024; vissa frågor sedan starten ca 2019”.",
    )
    description = models.TextField("beskrivning", blank=True)

    class Meta:
        verbose_name = "omgång"
        verbose_name_plural = "omgångar"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name


class QuestionnaireState(models.TextChoices):
    """Where a questionnaire is in its cycle (issue #15). Derived, not stored:
    open from `opens_on` (or earlier, when staff open it), closed only when staff
    close it, so answers after the deadline still count until then."""

    PREPARATION = "preparation", "Under förberedelse"
    OPEN = "open", "Öppen"
    CLOSED = "closed", "Stängd"


def open_on(day: datetime.date) -> Q:
    """The questionnaires open on `day`, as a filter (the rule of `state`)."""
    return Q(closed_at__isnull=True) & (
        Q(opened_at__isnull=False) | Q(opens_on__lte=day)
    )


class Questionnaire(models.Model):
    cycle = models.ForeignKey(
        Cycle,
        verbose_name="omgång",
        on_delete=models.PROTECT,
        related_name="questionnaires",
    )
    key = models.SlugField(
        "nyckel",
        max_length=40,
        help_text="Samma nyckel år efter år (region, rss, kommun, …) binder ihop "
        "enkätens versioner.",
    )
    audience = models.CharField(
        "målgrupp", max_length=10, choices=OrganisationKind.choices
    )
    is_supplementary = models.BooleanField(
        "kompletterande enkät",
        default=False,
        help_text="Skickas direkt till målgruppen, utanför den ordinarie vägen.",
    )
    title = models.CharField("titel", max_length=300)
    intro = models.TextField("inledning", blank=True)
    version = models.PositiveIntegerField("version", default=1)
    opens_on = models.DateField("öppnar")
    closes_on = models.DateField("stänger")
    source_file = models.CharField("definitionsfil", max_length=300)
    content_hash = models.CharField("kontrollsumma", max_length=64)
    loaded_at = models.DateTimeField("inläst", auto_now=True)
    # Set only through surveys.services.lifecycle, which records who and why in
    # QuestionnaireEvent; the loader never touches them, so reloading the file
    # does not reopen a closed questionnaire.
    opened_at = models.DateTimeField(
        "öppnad i förtid",
        null=True,
        blank=True,
        help_text="Socialstyrelsen öppnade enkäten före öppningsdagen.",
    )
    closed_at = models.DateTimeField("stängd", null=True, blank=True)

    class Meta:
        verbose_name = "enkät"
        verbose_name_plural = "enkäter"
        ordering = ["-cycle__year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "key"], name="questionnaire_cycle_key"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="questionnaire_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def state_on(self, day: datetime.date) -> QuestionnaireState:
        if self.closed_at is not None:
            return QuestionnaireState.CLOSED
        if self.opened_at is not None or self.opens_on <= day:
            return QuestionnaireState.OPEN
        return QuestionnaireState.PREPARATION

    @property
    def state(self) -> QuestionnaireState:
        return self.state_on(timezone.localdate())

    @property
    def is_open(self) -> bool:
        return self.state == QuestionnaireState.OPEN


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField("nyckel", max_length=60)
    position = models.PositiveIntegerField("ordning")
    title = models.CharField("rubrik", max_length=300)
    intro = models.TextField("inledning", blank=True)

    class Meta:
        verbose_name = "avsnitt"
        verbose_name_plural = "avsnitt"
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="section_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReferencePeriod(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", "Kalenderår"
    SINCE_START = "since_start", "Sedan omställningens start (ca 2019)"
    POINT_IN_TIME = "point_in_time", "Tidpunkt"
    CURRENT = "current", "Nuläge"


class Comparability(models.TextChoices):
    NEW = "new", "Ny fråga"
    SAME = "same", "Oförändrad"
    WORDING_CHANGED = "wording_changed", "Ändrad formulering"
    OPTIONS_CHANGED = "options_changed", "Ändrade svarsalternativ"


class BaseConvention(models.TextChoices):
    """Of whom a closed question's shares are (issue #16 point 4; reports/bases.py)."""

    ANSWERED = "answered", "Av dem som har svarat"
    FRAME = "frame", "Av hela ramen, med «Inte lämnat svar» som egen kategori"


class NationalFigure(models.TextChoices):
    """How a number question's riket figure is formed, as published."""

    MEAN = "mean", "Medelvärde av de som angett ett värde"
    SUM = "sum", "Summa"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(
        "ordning", help_text="Ordningen i hela enkäten, från 1."
    )
    number = models.CharField(
        "nummer",
        max_length=10,
        help_text="Numret som publicerat (”2”, ”29”); följdfrågor får förälderns nummer "
        "och en bokstav (”29a”).",
    )
    variable = models.CharField("variabelnamn", max_length=24)
    parent = models.ForeignKey(
        "self",
        verbose_name="följdfråga till",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    kind = models.CharField("frågetyp", max_length=30, choices=QuestionKind.choices)
    text = models.TextField("frågetext")
    help_text = models.TextField("hjälptext", blank=True)
    label = models.CharField(
        "publiceringsetikett",
        max_length=300,
        help_text="Kort rubrik i tabeller; får skilja sig från frågetexten.",
    )
    required = models.BooleanField("obligatorisk", default=True)
    condition = models.JSONField(
        "visningsvillkor",
        null=True,
        blank=True,
        help_text="Visas bara när villkoret på tidigare svar är uppfyllt; tomt = visas alltid.",
    )
    escape_label = models.CharField(
        "undantagssvar",
        max_length=200,
        blank=True,
        help_text="T.ex. ”Andelen kan inte uppskattas”; tomt = inget undantagssvar.",
    )
    min_value = models.DecimalField(
        "minsta värde", max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        "största värde", max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField("enhet", max_length=40, blank=True)
    max_length = models.PositiveIntegerField(
        "högsta antal tecken", null=True, blank=True
    )
    national_figure = models.CharField(
        "riketvärde", max_length=10, choices=NationalFigure.choices, blank=True
    )
    reference_period = models.CharField(
        "referensperiod", max_length=20, choices=ReferencePeriod.choices
    )
    reference_text = models.CharField(
        "referensperiod i text",
        max_length=200,
        blank=True,
        help_text="T.ex. ”2024”, ”sedan ca 2019”, ”31 december 2024”.",
    )
    reconstructed = models.BooleanField(
        "rekonstruerad",
        default=False,
        help_text="Formuleringen är rekonstruerad ur rapporten, inte ordagrann.",
    )
    source_note = models.TextField("källa", blank=True)
    lineage_key = models.SlugField(
        "linjenyckel",
        max_length=60,
        help_text="Binder ihop samma fråga mellan år.",
    )
    comparability = models.CharField(
        "jämförbarhet", max_length=20, choices=Comparability.choices
    )
    source_question = models.ForeignKey(
        "self",
        verbose_name="kommunfråga",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aggregated_by",
        help_text="För RSS-frågor som räknar eller sammanfattar kommunernas svar.",
    )
    # Declared plausibility checks (docs/questionnaire-format.md, `plausibility`):
    # what a count is a count of, so that the service can compare it with the
    # register and with the organisation's own answers (surveys/plausibility.py).
    counts_population = models.BooleanField(
        "räknar personer i befolkningen",
        default=False,
        help_text="Antalet avser personer i organisationens befolkning och jämförs "
        "med befolkningsuppgiften i registret.",
    )
    percentage_question = models.ForeignKey(
        "self",
        verbose_name="motsvarande andelsfråga",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="count_questions",
        help_text="Andelsfrågan som anger samma uppgift i procent.",
    )
    # Printed under every table and chart of the question: the comparability
    # note the loader derives, then the file's own (surveys/definitions/footnotes.py).
    base_convention = models.CharField(
        "bas för andelar",
        max_length=10,
        choices=BaseConvention.choices,
        default=BaseConvention.ANSWERED,
    )
    footnotes = models.JSONField(
        "fotnoter",
        default=list,
        blank=True,
        help_text="Fotnoter under frågans tabeller och diagram, i ordning.",
    )

    class Meta:
        verbose_name = "fråga"
        verbose_name_plural = "frågor"
        ordering = ["questionnaire", "position"]
        constraints = [
            # Only the variable is constrained: it is the key a reload matches on.
            # Numbers and positions are checked unique by the loader, so that a
            # reload can renumber questions in place.
            models.UniqueConstraint(
                fields=["questionnaire", "variable"], name="question_variable"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    @property
    def is_closed(self) -> bool:
        return self.kind in CLOSED_KINDS

    @cached_property
    def display_condition(self) -> Condition | None:
        """The stored condition, typed (surveys.conditions); None = always shown."""
        return parse_stored(self.condition)


class Option(models.Model):
    """An answer alternative with a stable code (also the columns of a matrix)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveIntegerField("ordning")
    code = models.CharField("kod", max_length=12)
    label = models.CharField("etikett", max_length=300)
    is_other = models.BooleanField(
        "annat, beskriv",
        default=False,
        help_text="Alternativet följs av en fritextfråga.",
    )

    class Meta:
        verbose_name = "svarsalternativ"
        verbose_name_plural = "svarsalternativ"
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code"),
        ]

    def __str__(self) -> str:
        return self.label


class MatrixRow(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveIntegerField("ordning")
    code = models.CharField("kod", max_length=12)
    label = models.CharField("etikett", max_length=300)

    class Meta:
        verbose_name = "delfråga"
        verbose_name_plural = "delfrågor"
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="matrixrow_code"),
        ]

    def __str__(self) -> str:
        return self.label

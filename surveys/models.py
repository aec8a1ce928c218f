"""Organisation register, users and the yearly questionnaires.

The register is data with time in it: RSS membership carries a validity period in
years, so each cycle's roster (who is expected to answer what) is derived from it.
Questionnaires are loaded from versioned files (`surveys/questionnaires/`) and are
read-only in the admin: the files are the source of truth.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from surveys.conditions import Condition, parse_stored

# QuestionKind is re-exported: the kinds and their facts are declared in surveys.kinds.
from surveys.kinds import CLOSED_KINDS
from surveys.kinds import QuestionKind as QuestionKind


class EmailUserManager(UserManager["User"]):
    """Users sign in with their e-mail address; the username mirrors it."""

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    email = models.EmailField("e-postadress", unique=True)
    phone = models.CharField("telefon", max_length=40, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_staff_member(self) -> bool:
        """Socialstyrelsen staff with a working account: the one staff check.
        `is_staff` alone stays true on a deactivated account (issue #14)."""
        return self.is_active and self.is_staff


class OrganisationKind(models.TextChoices):
    REGION = "region", "Region"
    RSS = "rss", "RSS"
    KOMMUN = "kommun", "Kommun"


class Organisation(models.Model):
    """A region, an RSS or a kommun.

    One table for all three so that a response, a user role or a roster entry has
    one foreign key, and so that tabulation can group any respondent by `region`.
    `region` is the region (län) the organisation belongs to; a region belongs to
    itself, which makes "per region" a plain GROUP BY for every audience.
    """

    kind = models.CharField("typ", max_length=10, choices=OrganisationKind.choices)
    code = models.CharField(
        "kod",
        max_length=40,
        help_text="Länskod (01–25) för regioner, SCB:s kommunkod för kommuner, "
        "en fast kod för RSS.",
    )
    name = models.CharField("namn", max_length=200)
    short_name = models.CharField(
        "kortnamn",
        max_length=100,
        help_text="Namnet som används i publicerade tabeller, t.ex. ”Sörmland”.",
    )
    lan_name = models.CharField("län", max_length=100, blank=True)
    region = models.ForeignKey(
        "self",
        verbose_name="region (län)",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.REGION},
    )
    sort_order = models.PositiveIntegerField(
        "ordning", default=0, help_text="Ordningen i publicerade tabeller."
    )
    email = models.EmailField("e-post till organisationen", blank=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisationer"
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], name="organisation_kind_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionManager(models.Manager["Region"]):
    def get_queryset(self) -> models.QuerySet[Region]:
        return super().get_queryset().filter(kind=OrganisationKind.REGION)


class KommunManager(models.Manager["Kommun"]):
    def get_queryset(self) -> models.QuerySet[Kommun]:
        return super().get_queryset().filter(kind=OrganisationKind.KOMMUN)


class RSSManager(models.Manager["RSS"]):
    def get_queryset(self) -> models.QuerySet[RSS]:
        return super().get_queryset().filter(kind=OrganisationKind.RSS)


class Region(Organisation):
    objects: ClassVar[RegionManager] = RegionManager()

    class Meta:
        proxy = True
        verbose_name = "region"
        verbose_name_plural = "regioner"
        ordering = ["sort_order"]


class Kommun(Organisation):
    objects: ClassVar[KommunManager] = KommunManager()

    class Meta:
        proxy = True
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"
        ordering = ["code"]


class RSS(Organisation):
    objects: ClassVar[RSSManager] = RSSManager()

    class Meta:
        proxy = True
        verbose_name = "RSS"
        verbose_name_plural = "RSS"
        ordering = ["region__sort_order", "code"]


class RSSMembership(models.Model):
    """A kommun's membership of an RSS from one year to another (inclusive).

    Every kommun belongs to exactly one RSS in a given year; the admin form and
    `surveys.services.check_rss_coverage` enforce it, since an exclusion constraint
    on overlapping ranges would not be portable to SQLite.
    """

    rss = models.ForeignKey(
        Organisation,
        verbose_name="RSS",
        on_delete=models.PROTECT,
        related_name="rss_memberships",
        limit_choices_to={"kind": OrganisationKind.RSS},
    )
    kommun = models.ForeignKey(
        Organisation,
        verbose_name="kommun",
        on_delete=models.PROTECT,
        related_name="kommun_memberships",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
    )
    valid_from = models.PositiveIntegerField("från och med år")
    valid_to = models.PositiveIntegerField("till och med år", null=True, blank=True)

    class Meta:
        verbose_name = "RSS-medlemskap"
        verbose_name_plural = "RSS-medlemskap"
        ordering = ["rss", "kommun__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "valid_from"], name="rssmembership_kommun_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="rssmembership_period_order",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to or "…"
        return f"{self.kommun} i {self.rss} ({self.valid_from}–{end})"


def memberships_in_year(year: int, *, prefix: str = "") -> Q:
    """The Q that selects RSS memberships valid in `year`; `prefix` reaches them
    through a relation, e.g. "kommun_memberships__"."""
    return Q(**{f"{prefix}valid_from__lte": year}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": year})
    )


class OrganisationRole(models.Model):
    """A user's right to answer for one organisation (region contact, RSS
    coordinator or kommun respondent). Socialstyrelsen staff are `is_staff` users
    and need no role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisationrole_user_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


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


class MailingKind(models.TextChoices):
    INVITATION = "invitation", "Inbjudan"
    SIGN_IN_LINK = "sign_in_link", "Inloggningslänk"
    REMINDER = "reminder", "Påminnelse"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", "Köad"
    SENT = "sent", "Skickad"
    FAILED = "failed", "Misslyckades"


class Mailing(models.Model):
    """One send action (utskick): an invitation, a sign-in link or a reminder to
    one organisation's contacts, or a bulk round to many organisations.

    The message log is two tables because two things are counted: the
    kvalitetsdeklaration counts reminder *rounds* ("två ordinarie påminnelser",
    bulk mailings, kept apart from ad-hoc single reminders) and the status board
    counts reminders *per organisation* (a reminder to a kommun with two contacts
    is one reminder, two e-mails). Each e-mail is a `Dispatch` row.

    In `surveys` rather than `intake` because the staff invitation
    (`surveys.services.invite_user`) writes here too and `surveys` does not depend
    on `intake`.
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

    class Meta:
        verbose_name = "utskick"
        verbose_name_plural = "utskick"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


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

    def __str__(self) -> str:
        return f"{self.get_kind_display()} till {self.email}"


class Population(models.Model):
    """An organisation's population on a date, with its source: register data
    for the plausibility checks of counts of persons (surveys/plausibility.py).

    Loaded from `surveys/reference/population.csv` by `load_reference_data`; staff
    may correct a row in the admin, and the loader then reports the difference
    instead of overwriting it (as for the rest of the register).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="populations",
    )
    reference_date = models.DateField("avser datum")
    population = models.PositiveIntegerField("antal invånare")
    source = models.CharField("källa", max_length=300)

    class Meta:
        verbose_name = "befolkningsuppgift"
        verbose_name_plural = "befolkningsuppgifter"
        ordering = ["organisation__kind", "organisation__sort_order", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference_date"],
                name="population_organisation_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.reference_date:%Y-%m-%d}: {self.population}"

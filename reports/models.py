"""The reports app's stored rows: the kvalitetsdeklaration's texts and export jobs.

- `Kvalitetsdeklaration`: only what the service cannot compute (the fields marked
  STAFF or STATIC in docs/domain/kvalitetsdeklaration.md), with a per-field
  history. Frames, response counts and rates, collection periods, reminders, item
  nonresponse and the revision list are computed when the declaration is shown or
  exported (`reports/kvalitetsdeklaration.py`).
- `ExportJob`: a row per requested export (docs/conventions.md §9). A Celery task runs the
  registered exporter (`reports.exporters`), reporting progress on the row, and
  stores the file and its manifest here. The row outlives the file: retention
  deletes old files but keeps who asked for what, when, and the manifest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename

from surveys.formatting import swedish_datetime
from surveys.models import Cycle, Questionnaire


class Kvalitetsdeklaration(models.Model):
    """One cycle's kvalitetsdeklaration: the texts staff write, prefilled from the
    previous cycle's declaration (`reports.kvalitetsdeklaration.services.create_kvalitetsdeklaration`)."""

    cycle = models.OneToOneField(
        Cycle,
        verbose_name="omgång",
        on_delete=models.PROTECT,
        related_name="kvalitetsdeklaration",
    )
    prefilled_from = models.ForeignKey(
        "self",
        verbose_name="förifylld från",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic lock, as on responses: every save bumps it; a save based on an
    # older version is refused instead of overwriting a colleague's text.
    version = models.PositiveIntegerField("version", default=0)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="skapad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    # --- administrativa uppgifter ---------------------------------------------------
    diarienummer = models.CharField(
        "diarienummer",
        max_length=40,
        blank=True,
        help_text="Kvalitetsdeklarationens diarienummer, t.ex. ”95010/2024-4”. "
        "Förifylls inte: det är nytt varje år.",
    )
    purpose_text = models.TextField(
        "statistikens ändamål",
        blank=True,
        help_text="Vad undersökningen ska ge kunskap om, t.ex. ”få information om "
        "huruvida det finns beslut för samverkan mellan kommun och region samt en "
        "gemensam målbild för omställningen”.",
    )
    publication_text = models.TextField(
        "publicering",
        blank=True,
        help_text="Rapportens titel och var den publiceras, t.ex. ”Uppföljning av "
        "omställningen till en god och nära vård (2025), publicerad på "
        "socialstyrelsen.se”.",
    )
    contact_text = models.TextField(
        "kontakt",
        blank=True,
        help_text="Vart man vänder sig för att begära hela kvalitetsdeklarationen, "
        "t.ex. ”socialstyrelsen@socialstyrelsen.se”.",
    )

    # --- 1.1 objekt och population --------------------------------------------------
    target_population_text = models.TextField(
        "målpopulation",
        blank=True,
        default="Målpopulationen är de objekt man vill analysera och dra slutsatser "
        "om. I undersökningen utgörs de av samtliga regioner och regionala "
        "samverkans- och stödstrukturerna (RSS) i respektive län.",
        help_text="Standardtext. Kommunerna ingår inte i målpopulationen: de "
        "redovisas genom sitt RSS.",
    )
    frame_text = models.TextField(
        "rampopulation",
        blank=True,
        default="Rampopulationen skapas med hjälp av lista av kontaktpersoner.",
        help_text="Standardtext. Antalen i ramen räknas fram ur organisationsregistret.",
    )
    kommun_route_text = models.TextField(
        "kommunernas väg in i undersökningen",
        blank=True,
        default="De {n_rss} RSS:erna ska i sin enkät sammanfatta vad {n_kommuner} "
        "kommuner har svarat i en hjälpenkät. Hjälpenkäten skickas inte direkt till "
        "kommunerna utan till RSS:erna, som sammanfattar alla kommunsvar i sin enkät.",
        help_text="Standardtext med platshållarna {n_rss} och {n_kommuner}, som "
        "ersätts med antalen i ramen. Ändra texten om insamlingssättet för "
        "kommunerna ändras (2024: ”en digitalt utskickad pappersenkät”).",
    )

    # --- 1.2 variabler och statistiska mått -----------------------------------------
    question_basis_text = models.TextField(
        "frågornas underlag",
        blank=True,
        help_text="Vad frågorna bygger på och vem som tagit fram dem, t.ex. ”föregående "
        "års frågestruktur med relativt omfattande revideringar”, framtagna av "
        "projektledare och experter tillsammans med en enkätfrågekonstruktör.",
    )
    consultation_text = models.TextField(
        "samråd och test",
        blank=True,
        help_text="T.ex. ”samråd med SKR, vilket även det ledde till vissa "
        "revideringar”; ”Innan utskick testades enkäterna av statistiker.”",
    )

    # --- 1.3 viktberäkning och estimation -------------------------------------------
    design_text = models.TextField(
        "viktberäkning och estimation",
        blank=True,
        default="Enkätundersökningarna är totalundersökningar och ingen viktberäkning "
        "samt estimation genomförs.",
        help_text="Standardtext så länge undersökningen är en totalundersökning.",
    )

    # --- 1.4 datainsamling ----------------------------------------------------------
    collection_text = models.TextField(
        "insamlingssätt och utskick",
        blank=True,
        help_text="Hur enkäterna samlades in och hur de svarande informerades, t.ex. "
        "”via två webbenkäter” och ”Ett informationsbrev skickades till alla regioner "
        "och RSS via e-post.”",
    )
    extra_question_text = models.TextField(
        "kompletterande insamling",
        blank=True,
        help_text="Skälet till en kompletterande enkät, om en sådan gjordes, t.ex. en "
        "fråga som ”hade helt missats att ställas i kommunenkäten”. Perioden och "
        "svarsfrekvensen räknas fram.",
    )

    # --- 2 tillförlitlighet ---------------------------------------------------------
    sampling_text = models.TextField(
        "urval",
        blank=True,
        default="Undersökningen är en totalundersökning av Sveriges samtliga regioner "
        "och RSS, urvalsosäkerhet förekommer därmed inte.",
        help_text="Standardtext så länge undersökningen är en totalundersökning.",
    )
    coverage_text = models.TextField(
        "ramtäckning",
        blank=True,
        default="Ingen över- eller undertäckning förekommer då ramen sammanfaller med "
        "målpopulationen.",
        help_text="Bekräfta mot ramens antal ovan, som räknas fram ur registret.",
    )
    measurement_error_text = models.TextField(
        "mätfel",
        blank=True,
        help_text="T.ex. ”Enkäten har konstruerats med ämneskunnig, "
        "enkätfrågekonstruktör, en statistiker samt i samråd med SKR för att "
        "ytterligare minska för mätfel på grund av missförstånd i frågan.”",
    )
    nonresponse_text = models.TextField(
        "bortfall, kommentar",
        blank=True,
        help_text="Kommentar till objekt- och partiellt bortfall, som räknas fram. "
        "Observera att RSS-enkätens kommunantal kan innehålla ”Inte lämnat svar”, "
        "dvs. partiellt bortfall på kommunnivå.",
    )
    processing_text = models.TextField(
        "bearbetning",
        blank=True,
        default="Vid den manuella och maskinella bearbetningen av datamaterialet kan "
        "bearbetningsfel uppstå. Exempel på bearbetningsfel är registreringsfel och "
        "kodningsfel. Enkätsvar i undersökningen samlas in via webbverktyg som "
        "minimerar steg i dataprocessen samt kodnings- och bearbetningsfel.",
        help_text="Standardtext; ändra om insamlingssättet ändras.",
    )

    # --- 3 tillgänglighet och tydlighet ---------------------------------------------
    access_text = models.TextField(
        "tillgång till statistiken",
        blank=True,
        default="Resultaten på enkätundersökningen publiceras på Socialstyrelsens "
        "webbplats www.socialstyrelsen.se.",
        help_text="Var och när resultaten publiceras.",
    )
    presentation_text = models.TextField(
        "presentation",
        blank=True,
        help_text="T.ex. ”De insamlade statistikuppgifterna sammanställs i Excel … "
        "Rådataset diarieförs.” Ange rådatasetets diarienummer.",
    )
    documentation_text = models.TextField(
        "dokumentation",
        blank=True,
        default="Denna kvalitetsdeklaration utgör en produktbeskrivning och är en del "
        "av dokumentationen av statistiken.",
        help_text="Standardtext.",
    )

    # --- 4 jämförbarhet och samanvändbarhet -----------------------------------------
    edition_text = models.TextField(
        "undersökningens ordningsnummer",
        blank=True,
        help_text="T.ex. ”Det är tredje gången Socialstyrelsen genomför "
        "undersökningen.” Kontrollera att året och antalet stämmer.",
    )
    comparability_text = models.TextField(
        "jämförbarhet över tid, kommentar",
        blank=True,
        help_text="Kommentar till de frågor som lagts till, ändrats eller tagits bort "
        "sedan förra omgången; listan räknas fram ur enkätversionerna.",
    )

    # --- 5 allmänna uppgifter -------------------------------------------------------
    personal_data_text = models.TextField(
        "personuppgiftsbehandling",
        blank=True,
        default="Vi samlar in kontaktuppgifter för den svarande i enkäten. "
        "Kontaktuppgifter är personuppgifter och behandlas hos Socialstyrelsen i "
        "enlighet med dataskyddsförordningen (EU) 2016/679.",
        help_text="Standardtext; länka gärna till Socialstyrelsens sida om "
        "personuppgifter i enkätundersökningar riktade till verksamheter.",
    )
    public_access_text = models.TextField(
        "sekretess och allmänna handlingar",
        blank=True,
        default="Enkätsvar som kommer in till Socialstyrelsen är enligt huvudregeln "
        "allmänna handlingar, om det inte finns uppgifter som är sekretessbelagda "
        "enligt offentlighets- och sekretesslagen (2009:400).",
        help_text="Standardtext.",
    )
    retention_text = models.TextField(
        "bevarande och gallring",
        blank=True,
        default="Socialstyrelsen följer lagar och förordningar gällande hantering och "
        "gallring av handlingar.",
        help_text="Standardtext.",
    )

    class Meta:
        verbose_name = "kvalitetsdeklaration"
        verbose_name_plural = "kvalitetsdeklarationer"
        ordering = ["-cycle__year"]

    def __str__(self) -> str:
        return f"Kvalitetsdeklaration {self.cycle.year}"


TEXT_FIELDS: tuple[str, ...] = (
    "diarienummer",
    "purpose_text",
    "publication_text",
    "contact_text",
    "target_population_text",
    "frame_text",
    "kommun_route_text",
    "question_basis_text",
    "consultation_text",
    "design_text",
    "collection_text",
    "extra_question_text",
    "sampling_text",
    "coverage_text",
    "measurement_error_text",
    "nonresponse_text",
    "processing_text",
    "access_text",
    "presentation_text",
    "documentation_text",
    "edition_text",
    "comparability_text",
    "personal_data_text",
    "public_access_text",
    "retention_text",
)


NOT_PREFILLED: frozenset[str] = frozenset({"diarienummer"})


class KvalitetsdeklarationChange(models.Model):
    """Append-only history: one row per changed field, with who, when, old and new."""

    deklaration = models.ForeignKey(
        Kvalitetsdeklaration,
        verbose_name="kvalitetsdeklaration",
        on_delete=models.CASCADE,
        related_name="changes",
    )
    field = models.CharField("fält", max_length=60)
    old_value = models.TextField("tidigare text", blank=True)
    new_value = models.TextField("ny text", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ändrad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("tidpunkt", auto_now_add=True)
    version = models.PositiveIntegerField(
        "version", help_text="Deklarationens version efter ändringen."
    )

    class Meta:
        verbose_name = "ändring i kvalitetsdeklaration"
        verbose_name_plural = "ändringar i kvalitetsdeklarationer"
        ordering = ["deklaration", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field} {swedish_datetime(self.changed_at)}"

    @property
    def field_label(self) -> str:
        field = Kvalitetsdeklaration._meta.get_field(self.field)
        return str(getattr(field, "verbose_name", self.field))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "I kö"
    RUNNING = "running", "Pågår"
    DONE = "done", "Klar"
    FAILED = "failed", "Misslyckades"


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A generated name that carries no user input and cannot be guessed:
    exports/2025/03/<random>-<safe download name>."""

    now = timezone.now()
    safe = get_valid_filename(filename)[-80:] or "export"
    return f"exports/{now:%Y/%m}/{uuid.uuid4().hex}-{safe}"


class ExportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beställd av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name="omgång", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="enkät",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("exporttyp", max_length=50)
    format = models.CharField("filformat", max_length=10)
    options = models.JSONField("inställningar", default=dict, blank=True)
    status = models.CharField(
        "status",
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(
        "förlopp (%)", default=0, validators=[MaxValueValidator(100)]
    )
    progress_message = models.CharField(
        "förloppsmeddelande", max_length=200, blank=True
    )
    error = models.TextField("felmeddelande", blank=True)
    file = models.FileField(
        "fil", upload_to=export_upload_to, max_length=300, blank=True
    )
    file_name = models.CharField("filnamn vid nedladdning", max_length=200, blank=True)
    file_deleted_at = models.DateTimeField("fil rensad", null=True, blank=True)
    manifest = models.JSONField("manifest", null=True, blank=True)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("startad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)
    # Written by the worker while the job runs; a stale heartbeat means the worker
    # died, and beat re-queues the job (reports.exports.jobs.recover_export_jobs).
    heartbeat_at = models.DateTimeField("senaste livstecken", null=True, blank=True)
    # Runs started; each run writes only under its own number, so a run that a
    # dead worker's redelivery replaced cannot overwrite the new run's row.
    attempts = models.PositiveSmallIntegerField("körningar", default=0)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exporter"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="exportjob_progress_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.format}) #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def has_file(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file)


def import_upload_to(instance: ImportJob, filename: str) -> str:
    """A generated name that carries no user input: imports/2025/03/<random>."""
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ImportStage(models.TextChoices):
    CHECK = "check", "Kontroll"
    APPLY = "apply", "Inläsning"


class ImportJob(models.Model):
    """A raw-data import too large for the web request (issue #13 point 6): the
    check and, once confirmed, the import run as Celery tasks; the staff page
    polls the row."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beställd av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="enkät", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("fil", upload_to=import_upload_to, max_length=300)
    file_name = models.CharField("filnamn", max_length=200)
    submit = models.BooleanField("markera inskickade", default=False)
    stage = models.CharField(
        "steg", max_length=10, choices=ImportStage.choices, default=ImportStage.CHECK
    )
    status = models.CharField(
        "status",
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )
    summary = models.JSONField("sammanfattning", null=True, blank=True)
    errors = models.JSONField("fel", default=list, blank=True)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    class Meta:
        verbose_name = "rådatainläsning"
        verbose_name_plural = "rådatainläsningar"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_stage_display()}, {self.get_status_display()})"

    @property
    def historical(self) -> bool:
        """Staff chose "historical data" (reports.imports.jobs.request_import):
        kept in the summary, so that no migration is needed for one flag."""
        return bool((self.summary or {}).get("historical"))


# Free-text themes live in their own package (reports/themes/); importing them here
# keeps their migrations in the reports app.
from reports.themes.models import Coding as Coding  # noqa: E402
from reports.themes.models import CodingChange as CodingChange  # noqa: E402
from reports.themes.models import Theme as Theme  # noqa: E402
from reports.themes.models import ThemeEvent as ThemeEvent  # noqa: E402
from reports.themes.models import ThemeScheme as ThemeScheme  # noqa: E402

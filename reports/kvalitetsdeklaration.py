"""The kvalitetsdeklaration's computed parts, and its outline.

Everything here is read from the database in a fixed number of queries, whatever
the number of respondents or questions (docs/conventions.md §3, §15); the structure follows
docs/domain/kvalitetsdeklaration.md. The staff-entered texts are on
`reports.models.Kvalitetsdeklaration`.

Two figures come from other parts of the service through adapters whose contract
is stated below: `reminders_for` (the reminder log) and `item_nonresponse_of_all`
(the tabulation). An adapter that returns None is shown as "uppgift saknas",
never as 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from intake.models import Response, ResponseEvent, ResponseStatus
from reports.models import Kvalitetsdeklaration
from reports.tabulation.nonresponse import ItemNonresponse as TabulatedItemNonresponse
from reports.tabulation.nonresponse import (
    item_nonresponse as tabulation_item_nonresponse,
)
from reports.tabulation.nonresponse import (
    item_nonresponse_of as tabulation_item_nonresponse_of,
)
from reports.tabulation.results import Tabulation
from surveys.formatting import swedish_date, swedish_number, swedish_percent_of
from surveys.models import (
    RSS,
    Comparability,
    Cycle,
    Mailing,
    MailingKind,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents

# --- adapters to other parts of the service --------------------------------------


@dataclass(frozen=True)
class ReminderRound:
    """One reminder round: one sending to the respondents of a questionnaire who had
    not submitted, counted once however many e-mails it took."""

    sent_on: datetime.date
    recipients: int
    ordinary: bool  # an "ordinarie påminnelse"; False for an ad hoc reminder


RemindersAdapter = Callable[[Questionnaire], Sequence[ReminderRound] | None]


def reminders_for(questionnaire: Questionnaire) -> Sequence[ReminderRound] | None:
    """The reminder rounds sent for a questionnaire, oldest first, from the
    message log (`surveys.Mailing`).

    One `ReminderRound` per reminder mailing (one send action, however many
    e-mails it took): a bulk mailing ("Påminn alla som inte har skickat in") is
    an ordinary round, a reminder to one organisation an ad hoc one. An empty
    sequence when none were sent. One query.
    """
    mailings = (
        Mailing.objects.filter(questionnaire=questionnaire, kind=MailingKind.REMINDER)
        .annotate(recipients=Count("dispatches__organisation", distinct=True))
        .order_by("created_at", "pk")
        .values_list("created_at", "recipients", "is_bulk")
    )
    return [
        ReminderRound(
            sent_on=timezone.localdate(created_at),
            recipients=recipients,
            ordinary=is_bulk,
        )
        for created_at, recipients, is_bulk in mailings
    ]


@dataclass(frozen=True)
class ItemNonresponse:
    """One item's nonresponse among the respondents (as the tables count them).

    base = answered + not_answered + escape: the respondents to which the item
    applied (it was shown). not_applicable: respondents routed past it by a
    display condition. base + not_applicable = respondents.
    """

    variable: str
    number: str
    label: str
    base: int
    answered: int
    not_answered: int
    not_applicable: int
    escape: int


ItemNonresponseAdapter = Callable[[Questionnaire], Sequence[ItemNonresponse] | None]


def item_nonresponse_for(
    questionnaire: Questionnaire, *, riket: Tabulation | None = None
) -> Sequence[ItemNonresponse] | None:
    """Item nonresponse per question (matrix rows apart), in questionnaire order,
    from the tabulation (`reports.tabulation.item_nonresponse`): the same
    respondents, bases and three kinds of "no number" as the published tables,
    in a fixed number of queries (none when `riket`, the questionnaire's whole
    riket tabulation, is given).
    """
    return _declared(tabulation_item_nonresponse(questionnaire, riket=riket))


def item_nonresponse_of_all(
    questionnaires: Sequence[Questionnaire],
) -> ItemNonresponseAdapter:
    """The default `item_nonresponse` adapter of a declaration: every
    questionnaire of the cycle counted at once (six queries in all,
    `reports.tabulation.item_nonresponse_of`), then looked up per questionnaire."""
    computed = tabulation_item_nonresponse_of(questionnaires)

    def adapter(questionnaire: Questionnaire) -> Sequence[ItemNonresponse] | None:
        if questionnaire.pk not in computed:
            return item_nonresponse_for(questionnaire)
        return _declared(computed[questionnaire.pk])

    return adapter


def _declared(items: Iterable[TabulatedItemNonresponse]) -> list[ItemNonresponse]:
    return [
        ItemNonresponse(
            variable=item.variable,
            number=item.number,
            label=f"{item.label}: {item.row}" if item.row else item.label,
            base=item.base,
            answered=item.answered,
            not_answered=item.not_answered,
            not_applicable=item.not_applicable,
            escape=item.escaped,
        )
        for item in items
    ]


# --- computed figures ------------------------------------------------------------

LEVEL_LABELS: dict[str, str] = {
    OrganisationKind.REGION: "Regioner",
    OrganisationKind.RSS: "RSS",
    OrganisationKind.KOMMUN: "Kommuner",
}
AUDIENCE_ORDER: dict[str, int] = {
    OrganisationKind.REGION: 0,
    OrganisationKind.RSS: 1,
    OrganisationKind.KOMMUN: 2,
}


@dataclass(frozen=True)
class CollectionFigures:
    """One questionnaire's frame, responses and collection period."""

    key: str
    title: str
    level: str
    audience: str
    is_supplementary: bool
    n_questions: int
    frame: int  # expected respondents from the register in the cycle's year
    submitted: int
    started: int  # started (in progress, or reopened) but not submitted
    opens_on: datetime.date
    closes_on: datetime.date
    first_submitted_on: datetime.date | None
    last_submitted_on: datetime.date | None
    reminders: tuple[ReminderRound, ...] | None

    @property
    def unit_nonresponse(self) -> int:
        return self.frame - self.submitted

    @property
    def response_rate(self) -> str:
        return swedish_percent_of(self.submitted, self.frame, decimals=1)

    @property
    def response_rate_whole(self) -> str:
        return swedish_percent_of(self.submitted, self.frame, decimals=0)

    @property
    def response_rate_words(self) -> str:
        """As in running text: "78 procent"."""
        return self.response_rate_whole.replace(" %", " procent")

    @property
    def ordinary_reminders(self) -> int | None:
        if self.reminders is None:
            return None
        return sum(1 for r in self.reminders if r.ordinary)

    @property
    def extra_reminders(self) -> int | None:
        if self.reminders is None:
            return None
        return sum(1 for r in self.reminders if not r.ordinary)


@dataclass(frozen=True)
class QuestionRef:
    number: str
    variable: str
    label: str


@dataclass(frozen=True)
class ChangedQuestion:
    number: str
    previous_number: str
    variable: str
    label: str
    changes: tuple[str, ...]  # "frågetext", "svarsalternativ", "delfrågor", "frågetyp"
    comparability: str  # as declared in the definition file, in words
    declared_same: bool  # declared unchanged although it changed: to be reviewed


@dataclass(frozen=True)
class Revision:
    """Questions added, changed and removed against the latest earlier cycle's
    questionnaire with the same key, matched by lineage key."""

    previous_year: int | None  # None: no earlier version to compare with
    added: tuple[QuestionRef, ...] = ()
    changed: tuple[ChangedQuestion, ...] = ()
    removed: tuple[QuestionRef, ...] = ()


@dataclass(frozen=True)
class QuestionnaireFigures:
    collection: CollectionFigures
    revision: Revision
    item_nonresponse: tuple[ItemNonresponse, ...] | None


@dataclass(frozen=True)
class ComputedDeclaration:
    year: int
    survey_name: str
    reference_period: str
    frames: dict[str, int]  # audience -> frame size, for the audiences asked
    n_lan: int | None  # distinct län over the RSS, when RSS are asked
    questionnaires: tuple[QuestionnaireFigures, ...]

    def frame_of(self, audience: str) -> int | None:
        return self.frames.get(audience)


def compute_kvalitetsdeklaration(
    cycle: Cycle,
    *,
    reminders: RemindersAdapter = reminders_for,
    item_nonresponse: ItemNonresponseAdapter | None = None,
) -> ComputedDeclaration:
    """Every computed figure of a cycle's declaration.

    Queries: one for the questionnaires, one per audience for the frame, one for
    the län, one for the response counts, one for the submission dates, one for
    the earlier versions and three for their questions; plus what the adapters
    make per questionnaire. None of it grows with respondents or questions.
    Without an `item_nonresponse` adapter, `item_nonresponse_of_all` counts
    every questionnaire's items at once.
    """
    questionnaires = sorted(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .annotate(n_questions=Count("questions")),
        key=lambda q: (q.is_supplementary, AUDIENCE_ORDER.get(q.audience, 9), q.key),
    )
    frames: dict[str, int] = {}
    for questionnaire in questionnaires:
        if questionnaire.audience not in frames:
            frames[questionnaire.audience] = expected_respondents(questionnaire).count()
    n_lan = (
        RSS.objects.values("region_id").distinct().count()
        if OrganisationKind.RSS in frames
        else None
    )
    if item_nonresponse is None:
        item_nonresponse = item_nonresponse_of_all(questionnaires)
    counts = _response_counts(cycle)
    dates = _submission_dates(cycle)
    revisions = _revisions(cycle, questionnaires)

    figures = []
    for questionnaire in questionnaires:
        count = counts.get(questionnaire.pk, {})
        first, last = dates.get(questionnaire.pk, (None, None))
        sent = reminders(questionnaire)
        level = LEVEL_LABELS.get(questionnaire.audience, questionnaire.audience)
        if questionnaire.is_supplementary:
            level = f"{level}, kompletterande enkät"
        nonresponse = item_nonresponse(questionnaire)
        figures.append(
            QuestionnaireFigures(
                collection=CollectionFigures(
                    key=questionnaire.key,
                    title=questionnaire.title,
                    level=level,
                    audience=questionnaire.audience,
                    is_supplementary=questionnaire.is_supplementary,
                    n_questions=questionnaire.n_questions,
                    frame=frames[questionnaire.audience],
                    submitted=count.get("submitted", 0),
                    started=count.get("started", 0),
                    opens_on=questionnaire.opens_on,
                    closes_on=questionnaire.closes_on,
                    first_submitted_on=first,
                    last_submitted_on=last,
                    reminders=None if sent is None else tuple(sent),
                ),
                revision=revisions[questionnaire.pk],
                item_nonresponse=None if nonresponse is None else tuple(nonresponse),
            )
        )
    return ComputedDeclaration(
        year=cycle.year,
        survey_name=cycle.name,
        reference_period=cycle.reference_period,
        frames=frames,
        n_lan=n_lan,
        questionnaires=tuple(figures),
    )


def _framed_responses(cycle: Cycle) -> QuerySet[Response]:
    """The cycle's responses from organisations in the frame (`expected_respondents`):
    the questionnaire's audience, and for kommuner membership of an RSS that year."""
    in_rss = RSSMembership.objects.filter(memberships_in_year(cycle.year)).values(
        "kommun_id"
    )
    return Response.objects.filter(
        Q(organisation__kind=F("questionnaire__audience")),
        ~Q(questionnaire__audience=OrganisationKind.KOMMUN)
        | Q(organisation_id__in=in_rss),
        questionnaire__cycle=cycle,
    )


def _response_counts(cycle: Cycle) -> dict[int, dict[str, int]]:
    rows = (
        _framed_responses(cycle)
        .values("questionnaire_id")
        .annotate(
            submitted=Count("pk", filter=Q(status=ResponseStatus.SUBMITTED)),
            started=Count(
                "pk",
                filter=Q(
                    status__in=[ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED]
                ),
            ),
        )
        .order_by()
    )
    return {
        row["questionnaire_id"]: {
            "submitted": row["submitted"],
            "started": row["started"],
        }
        for row in rows
    }


def _submission_dates(
    cycle: Cycle,
) -> dict[int, tuple[datetime.date | None, datetime.date | None]]:
    """First and last submission per questionnaire, from the submission events (a
    response reopened and submitted again keeps its first submission)."""
    rows = (
        ResponseEvent.objects.filter(
            kind=ResponseEvent.Kind.SUBMITTED, response__in=_framed_responses(cycle)
        )
        .values("response__questionnaire_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    return {
        row["response__questionnaire_id"]: (
            timezone.localdate(row["first"]),
            timezone.localdate(row["last"]),
        )
        for row in rows
    }


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _changes(question: Question, previous: Question) -> tuple[str, ...]:
    changes = []
    if _normalised(question.text) != _normalised(previous.text):
        changes.append("frågetext")
    options = [(o.code, _normalised(o.label)) for o in question.options.all()]
    previous_options = [(o.code, _normalised(o.label)) for o in previous.options.all()]
    if options != previous_options:
        changes.append("svarsalternativ")
    rows = [(r.code, _normalised(r.label)) for r in question.rows.all()]
    previous_rows = [(r.code, _normalised(r.label)) for r in previous.rows.all()]
    if rows != previous_rows:
        changes.append("delfrågor")
    if question.kind != previous.kind:
        changes.append("frågetyp")
    return tuple(changes)


def _ref(question: Question) -> QuestionRef:
    return QuestionRef(question.number, question.variable, question.label)


def revision(
    questions: Iterable[Question], previous: Iterable[Question], previous_year: int
) -> Revision:
    """Compare two versions of a questionnaire by lineage key. Questions come with
    options and rows prefetched, in position order."""
    current = {q.lineage_key: q for q in questions}
    earlier = {q.lineage_key: q for q in previous}
    changed = []
    for key, question in current.items():
        if key not in earlier:
            continue
        changes = _changes(question, earlier[key])
        if changes:
            changed.append(
                ChangedQuestion(
                    number=question.number,
                    previous_number=earlier[key].number,
                    variable=question.variable,
                    label=question.label,
                    changes=changes,
                    comparability=question.get_comparability_display(),
                    declared_same=question.comparability == Comparability.SAME,
                )
            )
    return Revision(
        previous_year=previous_year,
        added=tuple(_ref(q) for key, q in current.items() if key not in earlier),
        changed=tuple(changed),
        removed=tuple(_ref(q) for key, q in earlier.items() if key not in current),
    )


def _revisions(
    cycle: Cycle, questionnaires: Sequence[Questionnaire]
) -> dict[int, Revision]:
    earlier: dict[str, Questionnaire] = {}
    for candidate in (
        Questionnaire.objects.filter(
            key__in=[q.key for q in questionnaires], cycle__year__lt=cycle.year
        )
        .select_related("cycle")
        .order_by("key", "-cycle__year")
    ):
        earlier.setdefault(candidate.key, candidate)
    compared = [q for q in questionnaires if q.key in earlier]
    ids = [q.pk for q in compared] + [earlier[q.key].pk for q in compared]
    by_questionnaire: dict[int, list[Question]] = {}
    if ids:
        for question in (
            Question.objects.filter(questionnaire_id__in=ids)
            .order_by("questionnaire_id", "position")
            .prefetch_related("options", "rows")
        ):
            by_questionnaire.setdefault(question.questionnaire_id, []).append(question)
    revisions = {}
    for questionnaire in questionnaires:
        previous = earlier.get(questionnaire.key)
        if previous is None:
            revisions[questionnaire.pk] = Revision(previous_year=None)
            continue
        revisions[questionnaire.pk] = revision(
            by_questionnaire.get(questionnaire.pk, []),
            by_questionnaire.get(previous.pk, []),
            previous.cycle.year,
        )
    return revisions


# --- the declaration's outline, shared by the page and the exports ---------------


@dataclass(frozen=True)
class Table:
    """A computed table, every cell already formatted the Swedish way."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty_text: str = ""


@dataclass(frozen=True)
class Part:
    """A numbered part of the declaration: staff texts, computed facts, tables."""

    number: str
    title: str
    fields: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()  # computed or configured sentences
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Chapter:
    number: str
    title: str
    parts: tuple[Part, ...]


def fill_placeholders(text: str, computed: ComputedDeclaration) -> str:
    """The standard texts' placeholders, with the frame's numbers."""
    values = {
        "{n_rss}": computed.frame_of(OrganisationKind.RSS),
        "{n_kommuner}": computed.frame_of(OrganisationKind.KOMMUN),
        "{n_regioner}": computed.frame_of(OrganisationKind.REGION),
    }
    for placeholder, value in values.items():
        if value is not None:
            text = text.replace(placeholder, swedish_number(value))
    return text


def field_text(
    deklaration: Kvalitetsdeklaration, field: str, computed: ComputedDeclaration
) -> str:
    return fill_placeholders(str(getattr(deklaration, field)), computed)


def field_label(field: str) -> str:
    model_field = Kvalitetsdeklaration._meta.get_field(field)
    label = str(getattr(model_field, "verbose_name", field))
    return label[:1].upper() + label[1:]


def _n(value: int | None) -> str:
    return "uppgift saknas" if value is None else swedish_number(value)


def outline(computed: ComputedDeclaration) -> tuple[Chapter, ...]:
    """The declaration in the domain file's order (docs/domain/kvalitetsdeklaration.md)."""
    figures = [f.collection for f in computed.questionnaires]
    frame_rows = tuple((c.title, c.level, swedish_number(c.frame)) for c in figures)
    frame_facts = []
    if OrganisationKind.RSS in computed.frames and computed.n_lan is not None:
        frame_facts.append(
            f"RSS:erna i ramen finns i {swedish_number(computed.n_lan)} län."
        )
    return (
        Chapter(
            "",
            "Administrativa uppgifter",
            (
                Part(
                    "",
                    "Administrativa uppgifter",
                    fields=(
                        "diarienummer",
                        "purpose_text",
                        "publication_text",
                        "contact_text",
                    ),
                    facts=(
                        f"Undersökning: {computed.survey_name}.",
                        f"Referensår: {computed.year}.",
                    ),
                ),
            ),
        ),
        Chapter(
            "1",
            "Statistikens innehåll",
            (
                Part(
                    "1.1",
                    "Objekt och population",
                    fields=(
                        "target_population_text",
                        "frame_text",
                        "kommun_route_text",
                    ),
                    facts=tuple(frame_facts),
                    tables=(
                        Table(
                            "Ramen per enkät: organisationer som förväntas svara "
                            "enligt organisationsregistret",
                            ("Enkät", "Nivå", "Antal i ramen"),
                            frame_rows,
                        ),
                    ),
                ),
                Part(
                    "1.2",
                    "Variabler och statistiska mått",
                    fields=("question_basis_text", "consultation_text"),
                    tables=(_questions_table(computed),),
                ),
                Part("1.3", "Viktberäkning och estimation", fields=("design_text",)),
                Part(
                    "1.4",
                    "Datainsamling",
                    fields=("collection_text", "extra_question_text"),
                    tables=(_period_table(figures), _reminder_table(figures)),
                ),
                Part(
                    "1.5",
                    "Svarsfrekvens",
                    facts=tuple(
                        f"{c.title}: {swedish_number(c.submitted)} av "
                        f"{swedish_number(c.frame)} har skickat in svar "
                        f"({c.response_rate_words})."
                        for c in figures
                    ),
                    tables=(_response_table(figures),),
                ),
                Part(
                    "1.6",
                    "Referenstider",
                    facts=(f"Referensperiod: {computed.reference_period}",),
                ),
            ),
        ),
        Chapter(
            "2",
            "Tillförlitlighet",
            (
                Part("2.1", "Urval", fields=("sampling_text",)),
                Part("2.2", "Ramtäckning", fields=("coverage_text",)),
                Part("2.3", "Mätfel", fields=("measurement_error_text",)),
                Part(
                    "2.4",
                    "Bortfall",
                    fields=("nonresponse_text",),
                    tables=(
                        _unit_nonresponse_table(figures),
                        *_item_nonresponse_tables(computed),
                    ),
                ),
                Part("2.5", "Bearbetning", fields=("processing_text",)),
            ),
        ),
        Chapter(
            "3",
            "Tillgänglighet och tydlighet",
            (
                Part("3.1", "Tillgång till statistiken", fields=("access_text",)),
                Part("3.2", "Presentation", fields=("presentation_text",)),
                Part("3.3", "Dokumentation", fields=("documentation_text",)),
            ),
        ),
        Chapter(
            "4",
            "Jämförbarhet och samanvändbarhet",
            (
                Part(
                    "4",
                    "Jämförbarhet och samanvändbarhet",
                    fields=("edition_text", "comparability_text"),
                    tables=tuple(_revision_table(f) for f in computed.questionnaires),
                ),
            ),
        ),
        Chapter(
            "5",
            "Allmänna uppgifter",
            (
                Part(
                    "5.1",
                    "Sekretess och personuppgiftsbehandling",
                    fields=("personal_data_text", "public_access_text"),
                ),
                Part("5.2", "Bevarande och gallring", fields=("retention_text",)),
            ),
        ),
    )


def _questions_table(computed: ComputedDeclaration) -> Table:
    rows = []
    for figures in computed.questionnaires:
        revision = figures.revision
        compared = revision.previous_year is not None
        rows.append(
            (
                figures.collection.title,
                swedish_number(figures.collection.n_questions),
                str(revision.previous_year) if compared else "–",
                swedish_number(len(revision.added)) if compared else "–",
                swedish_number(len(revision.changed)) if compared else "–",
                swedish_number(len(revision.removed)) if compared else "–",
            )
        )
    return Table(
        "Antal frågor (inklusive följdfrågor) och förändringar mot föregående version",
        ("Enkät", "Antal frågor", "Jämförd med", "Nya", "Ändrade", "Borttagna"),
        tuple(rows),
    )


def _period_table(figures: Sequence[CollectionFigures]) -> Table:
    return Table(
        "Insamlingsperiod per enkät: planerad och faktisk",
        (
            "Enkät",
            "Öppnade",
            "Stängde",
            "Första inskickade svar",
            "Sista inskickade svar",
        ),
        tuple(
            (
                c.title,
                swedish_date(c.opens_on),
                swedish_date(c.closes_on),
                swedish_date(c.first_submitted_on),
                swedish_date(c.last_submitted_on),
            )
            for c in figures
        ),
    )


def _reminder_table(figures: Sequence[CollectionFigures]) -> Table:
    return Table(
        "Påminnelser per enkät",
        ("Enkät", "Ordinarie påminnelser", "Övriga påminnelser"),
        tuple(
            (c.title, _n(c.ordinary_reminders), _n(c.extra_reminders)) for c in figures
        ),
    )


def _response_table(figures: Sequence[CollectionFigures]) -> Table:
    return Table(
        "Svarsfrekvens per enkät: inskickade svar av antalet i ramen",
        (
            "Enkät",
            "Nivå",
            "Antal i ramen",
            "Inskickade svar",
            "Påbörjade, ej inskickade",
            "Svarsfrekvens",
        ),
        tuple(
            (
                c.title,
                c.level,
                swedish_number(c.frame),
                swedish_number(c.submitted),
                swedish_number(c.started),
                c.response_rate,
            )
            for c in figures
        ),
    )


def _unit_nonresponse_table(figures: Sequence[CollectionFigures]) -> Table:
    return Table(
        "Objektbortfall per enkät: organisationer i ramen utan inskickat svar",
        ("Enkät", "Antal i ramen", "Objektbortfall", "Andel"),
        tuple(
            (
                c.title,
                swedish_number(c.frame),
                swedish_number(c.unit_nonresponse),
                swedish_percent_of(c.unit_nonresponse, c.frame, decimals=1),
            )
            for c in figures
        ),
    )


def _item_nonresponse_tables(computed: ComputedDeclaration) -> list[Table]:
    tables = []
    for figures in computed.questionnaires:
        caption = f"Partiellt bortfall per fråga: {figures.collection.title}"
        items = figures.item_nonresponse
        if items is None:
            tables.append(
                Table(caption, (), (), empty_text="Uppgift saknas ännu för enkäten.")
            )
            continue
        tables.append(
            Table(
                caption,
                (
                    "Fråga",
                    "Variabel",
                    "Bas",
                    "Besvarad",
                    "Ej besvarad",
                    "Undantagssvar",
                    "Ej aktuell",
                ),
                tuple(
                    (
                        f"{i.number}. {i.label}",
                        i.variable,
                        swedish_number(i.base),
                        swedish_number(i.answered),
                        swedish_number(i.not_answered),
                        swedish_number(i.escape),
                        swedish_number(i.not_applicable),
                    )
                    for i in items
                ),
                empty_text="Enkäten har inga frågor.",
            )
        )
    return tables


def _revision_table(figures: QuestionnaireFigures) -> Table:
    revision = figures.revision
    title = figures.collection.title
    if revision.previous_year is None:
        return Table(
            f"Förändringar i frågorna: {title}",
            (),
            (),
            empty_text="Enkäten har ingen tidigare version att jämföra med.",
        )
    rows: list[tuple[str, ...]] = []
    rows += [("Ny", q.number, "–", q.variable, q.label, "", "") for q in revision.added]
    rows += [
        (
            "Ändrad",
            q.number,
            q.previous_number,
            q.variable,
            q.label,
            ", ".join(q.changes),
            q.comparability + (" (granska)" if q.declared_same else ""),
        )
        for q in revision.changed
    ]
    rows += [
        ("Borttagen", "–", q.number, q.variable, q.label, "", "")
        for q in revision.removed
    ]
    return Table(
        f"Förändringar i frågorna mot {revision.previous_year}: {title}",
        (
            "Förändring",
            "Nr",
            f"Nr {revision.previous_year}",
            "Variabel",
            "Fråga",
            "Vad som ändrats",
            "Jämförbarhet enligt enkätfilen",
        ),
        tuple(rows),
        empty_text="Inga frågor har lagts till, ändrats eller tagits bort.",
    )

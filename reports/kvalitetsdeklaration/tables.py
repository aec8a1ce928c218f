"""The declaration's computed tables, every cell already formatted the Swedish way.

Separate from the outline so that the outline reads as the declaration's order,
and each table's formatting is found in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.kvalitetsdeklaration.figures import (
    CollectionFigures,
    ComputedDeclaration,
    QuestionnaireFigures,
)
from surveys.formatting import swedish_date, swedish_number, swedish_percent_of


@dataclass(frozen=True)
class Table:
    """A computed table, every cell already formatted the Swedish way."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty_text: str = ""


def _n(value: int | None) -> str:
    return "uppgift saknas" if value is None else swedish_number(value)


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


def _opened(c: CollectionFigures) -> str:
    return swedish_date(c.lifecycle.opened_on if c.lifecycle else c.opens_on)


def _extended(c: CollectionFigures) -> str:
    if c.lifecycle is None or not c.lifecycle.n_extended:
        return "–"
    return (
        f"{swedish_number(c.lifecycle.n_extended)} "
        f"{'organisation' if c.lifecycle.n_extended == 1 else 'organisationer'}, "
        f"senast till {swedish_date(c.lifecycle.latest_extension)}"
    )


def _closed(c: CollectionFigures) -> str:
    if c.lifecycle is None or not c.lifecycle.closed:
        return "ännu inte stängd"
    if c.lifecycle.closed_on is None:
        return "uppgift saknas"
    return swedish_date(c.lifecycle.closed_on)


def _period_table(figures: Sequence[CollectionFigures]) -> Table:
    """The period as it happened (issue #15): the opening day (or the day staff
    opened it early), the deadline, deadlines extended for single
    organisations, and the day staff closed it, from the lifecycle record."""
    return Table(
        "Insamlingsperiod per enkät: planerad och faktisk",
        (
            "Enkät",
            "Öppnade",
            "Sista svarsdag",
            "Förlängd svarstid",
            "Stängdes",
            "Första inskickade svar",
            "Sista inskickade svar",
        ),
        tuple(
            (
                c.title,
                _opened(c),
                swedish_date(c.closes_on),
                _extended(c),
                _closed(c),
                swedish_date(c.first_submitted_on),
                swedish_date(c.last_submitted_on),
            )
            for c in figures
        ),
    )


def _reminder_dates(c: CollectionFigures) -> str:
    if c.reminders is None:
        return "uppgift saknas"
    days = sorted({r.sent_on for r in c.reminders if r.ordinary})
    return ", ".join(swedish_date(day) for day in days) or "–"


def _reminder_table(figures: Sequence[CollectionFigures]) -> Table:
    return Table(
        "Påminnelser per enkät",
        (
            "Enkät",
            "Ordinarie påminnelser",
            "Skickade",
            "Övriga påminnelser",
        ),
        tuple(
            (
                c.title,
                _n(c.ordinary_reminders),
                _reminder_dates(c),
                _n(c.extra_reminders),
            )
            for c in figures
        ),
    )


def letter_facts(figures: Sequence[CollectionFigures]) -> tuple[str, ...]:
    """The information letters sent, from the message log."""
    facts = []
    for c in figures:
        for day, recipients in c.lifecycle.information_letters if c.lifecycle else ():
            facts.append(
                f"Informationsbrev om {c.title} skickades {swedish_date(day)} "
                f"till {swedish_number(recipients)} organisationer."
            )
    return tuple(facts)


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

"""The declaration's outline, shared by the page and the exports: chapters and
parts in the order of docs/domain/kvalitetsdeklaration.md, with the staff texts'
placeholders filled.

Separate from the figures (what is computed) because this is how it is laid
out; the tables it shows are built in `reports.kvalitetsdeklaration.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.kvalitetsdeklaration.figures import ComputedDeclaration
from reports.kvalitetsdeklaration.tables import (
    Table,
    _item_nonresponse_tables,
    _period_table,
    _questions_table,
    _reminder_table,
    _response_table,
    _revision_table,
    _unit_nonresponse_table,
    letter_facts,
)
from reports.models import Kvalitetsdeklaration
from surveys.formatting import swedish_number
from surveys.models import (
    OrganisationKind,
)

# --- the declaration's outline, shared by the page and the exports ---------------


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
                    facts=letter_facts(figures),
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

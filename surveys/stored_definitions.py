"""A stored questionnaire read back as definition records (surveys.definitions),
the form the loader writes from and the dumper writes out.

So a copy or an edit in the database goes through the same validation, the
same writer and the same file format as a file in the repository, and
`dump(stored_definition(q))` is the file staff commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from surveys.definitions.footnotes import is_change_note
from surveys.definitions.records import (
    Choice,
    CycleDef,
    QuestionDef,
    QuestionnaireDef,
    SectionDef,
    SourceRef,
)
from surveys.kinds import IMPLICIT_OPTION_KINDS, LISTED_OPTION_KINDS, QuestionKind
from surveys.kinds import facts as kind_facts
from surveys.models.questionnaires import (
    Cycle,
    Question,
    Questionnaire,
    Section,
)
from surveys.models.register import OrganisationKind


def _question(question: Question) -> QuestionDef:
    kind = QuestionKind(question.kind)
    has_options = kind in LISTED_OPTION_KINDS or kind in IMPLICIT_OPTION_KINDS
    source = question.source_question
    return QuestionDef(
        section_key=question.section.key,
        position=question.position,
        number=question.number,
        variable=question.variable,
        kind=kind,
        text=question.text,
        label=question.label,
        help_text=question.help_text,
        required=question.required,
        parent=question.parent.variable if question.parent else None,
        show_if=question.condition,
        options=tuple(
            Choice(o.code, o.label, o.is_other) for o in question.options.all()
        )
        if has_options
        else (),
        rows=tuple(Choice(r.code, r.label) for r in question.rows.all())
        if kind_facts(kind).matrix
        else (),
        escape_label=question.escape_label,
        min_value=question.min_value,
        max_value=question.max_value,
        unit=question.unit,
        max_length=question.max_length,
        national_figure=question.national_figure,
        reference_period=question.reference_period,
        reference_text=question.reference_text,
        reconstructed=question.reconstructed,
        source_note=question.source_note,
        lineage_key=question.lineage_key,
        comparability=question.comparability,
        source_question=SourceRef(source.questionnaire.key, source.variable)
        if source is not None
        else None,
        counts_population=question.counts_population,
        percentage_question=question.percentage_question.variable
        if question.percentage_question
        else None,
        # The file's own footnotes: the comparability notes are derived again
        # whenever the definition is written.
        footnotes=tuple(n for n in question.footnotes if not is_change_note(n)),
        base_convention=question.base_convention,
    )


def stored_definitions(
    questionnaires: Iterable[Questionnaire],
) -> dict[int, QuestionnaireDef]:
    """Each questionnaire (by pk) as records: five queries for any number."""
    ids = [q.pk for q in questionnaires]
    questions = (
        Question.objects.order_by("position")
        .select_related(
            "section", "parent", "percentage_question", "source_question__questionnaire"
        )
        .prefetch_related("options", "rows")
    )
    loaded = Questionnaire.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position")),
        Prefetch("questions", queryset=questions),
    )
    return {q.pk: _definition(q) for q in loaded}


def stored_definition(questionnaire: Questionnaire) -> QuestionnaireDef:
    return stored_definitions([questionnaire])[questionnaire.pk]


def _definition(questionnaire: Questionnaire) -> QuestionnaireDef:
    return QuestionnaireDef(
        file=questionnaire.source_file,
        key=questionnaire.key,
        audience=OrganisationKind(questionnaire.audience),
        supplementary=questionnaire.is_supplementary,
        title=questionnaire.title,
        intro=questionnaire.intro,
        version=questionnaire.version,
        opens_on=questionnaire.opens_on,
        closes_on=questionnaire.closes_on,
        sections=tuple(
            SectionDef(s.key, s.position, s.title, s.intro)
            for s in questionnaire.sections.all()
        ),
        questions=tuple(_question(q) for q in questionnaire.questions.all()),
        content_hash=questionnaire.content_hash,
    )


def stored_cycle(cycle: Cycle) -> CycleDef:
    """A cycle with every questionnaire, as the loader would read its directory."""
    questionnaires = list(cycle.questionnaires.order_by("key"))
    definitions = stored_definitions(questionnaires)
    return CycleDef(
        file=f"questionnaires/{cycle.year}/cycle.yaml",
        year=cycle.year,
        name=cycle.name,
        reference_period=cycle.reference_period,
        description=cycle.description,
        questionnaires=tuple(definitions[q.pk] for q in questionnaires),
    )

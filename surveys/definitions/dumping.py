"""Writing records back as definition files (docs/questionnaire-format.md): the
inverse of `parsing`, so that a questionnaire copied or edited in the database
(surveys.services.next_cycle) can be committed to the repository as a file.

The contract, tested on every shipped file: `parse(dump(x)) == x`. Every
question's reference period, lineage key and comparability are written out, so a
copied file says in itself what ties it to the previous cycle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from surveys.definitions.records import (
    Choice,
    CycleDef,
    QuestionDef,
    QuestionnaireDef,
)
from surveys.kinds import LISTED_OPTION_KINDS, facts
from surveys.models.questionnaires import BaseConvention


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, as the shipped files write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _number(value: Decimal) -> int | str:
    # A whole number as YAML int; anything else as text, which the parser reads
    # back as the same Decimal (a float would not survive).
    if value == value.to_integral_value():
        return int(value)
    return str(value.normalize())


def _choices(choices: tuple[Choice, ...], *, with_other: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for choice in choices:
        item: dict[str, Any] = {"code": choice.code, "label": choice.label}
        if with_other and choice.is_other:
            item["other"] = True
        out.append(item)
    return out


def question_mapping(question: QuestionDef) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": question.number,
        "variable": question.variable,
        "kind": question.kind.value,
        "text": question.text,
        "label": question.label,
    }
    if question.help_text:
        data["help_text"] = question.help_text
    if not question.required:
        data["required"] = False
    if question.parent:
        data["parent"] = question.parent
    if question.show_if is not None:
        data["show_if"] = question.show_if
    if question.kind in LISTED_OPTION_KINDS:
        data["options"] = _choices(question.options, with_other=True)
    if facts(question.kind).matrix:
        data["rows"] = _choices(question.rows, with_other=False)
    if question.escape_label:
        data["escape"] = question.escape_label
    if question.min_value is not None:
        data["min"] = _number(question.min_value)
    if question.max_value is not None:
        data["max"] = _number(question.max_value)
    if question.unit:
        data["unit"] = question.unit
    if question.max_length is not None:
        data["max_length"] = question.max_length
    if question.national_figure:
        data["national_figure"] = question.national_figure
    data["reference_period"] = question.reference_period
    if question.reference_text:
        data["reference_text"] = question.reference_text
    if question.reconstructed:
        data["reconstructed"] = True
    if question.source_note:
        data["source"] = question.source_note
    data["lineage"] = question.lineage_key
    data["comparability"] = question.comparability
    if question.source_question is not None:
        data["source_question"] = {
            "questionnaire": question.source_question.questionnaire,
            "variable": question.source_question.variable,
        }
    plausibility: dict[str, str] = {}
    if question.counts_population:
        plausibility["counts"] = "population"
    if question.percentage_question:
        plausibility["percentage_question"] = question.percentage_question
    if plausibility:
        data["plausibility"] = plausibility
    if question.footnotes:
        data["footnotes"] = list(question.footnotes)
    if question.base_convention != BaseConvention.ANSWERED:
        data["base"] = question.base_convention
    return data


def questionnaire_mapping(questionnaire: QuestionnaireDef) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": questionnaire.key,
        "audience": questionnaire.audience.value,
        "supplementary": questionnaire.supplementary,
        "title": questionnaire.title,
        "version": questionnaire.version,
        "opens_on": questionnaire.opens_on,
        "closes_on": questionnaire.closes_on,
    }
    if questionnaire.intro:
        data["intro"] = questionnaire.intro
    sections = []
    for section in questionnaire.sections:
        section_data: dict[str, Any] = {"key": section.key, "title": section.title}
        if section.intro:
            section_data["intro"] = section.intro
        section_data["questions"] = [
            question_mapping(q)
            for q in questionnaire.questions
            if q.section_key == section.key
        ]
        sections.append(section_data)
    data["sections"] = sections
    return data


def cycle_mapping(cycle: CycleDef) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": cycle.year,
        "name": cycle.name,
        "reference_period": cycle.reference_period,
    }
    if cycle.description:
        data["description"] = cycle.description
    return data


def to_yaml(data: dict[str, Any], *, header: str = "") -> str:
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=88,
        default_flow_style=False,
    )
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + body


def dump_questionnaire(questionnaire: QuestionnaireDef, *, header: str = "") -> str:
    return to_yaml(questionnaire_mapping(questionnaire), header=header)


def dump_cycle(cycle: CycleDef, *, header: str = "") -> str:
    return to_yaml(cycle_mapping(cycle), header=header)

"""Reading a cycle directory of definition files from disk: YAML, hashes, names.

The only part of the definitions that touches the file system; it parses each
file and validates the cycle as a whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from surveys.definitions.parsing import parse_cycle, parse_questionnaire
from surveys.definitions.records import (
    CycleDef,
    DefinitionError,
    Problem,
    QuestionnaireDef,
)
from surveys.definitions.validation import validate_cycle


def read_cycle_directory(
    directory: Path, *, display_root: Path | None = None
) -> CycleDef:
    """Parse `cycle.yaml` and every other `*.yaml` in a cycle directory.

    Raises DefinitionError with every problem in the directory's files, including
    cross-file ones (aggregate questions pointing into kommun questionnaires).
    """
    root = display_root or directory.parent
    problems: list[Problem] = []
    cycle_path = directory / "cycle.yaml"
    cycle_name = _display(cycle_path, root)
    if not cycle_path.exists():
        raise DefinitionError([Problem(cycle_name, "", "filen saknas")])
    cycle_data, cycle_problems = _load_yaml(cycle_path, root)
    problems += cycle_problems
    questionnaires: list[QuestionnaireDef] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "cycle.yaml":
            continue
        data, file_problems = _load_yaml(path, root)
        problems += file_problems
        if data is None:
            continue
        questionnaire, q_problems = parse_questionnaire(
            data, file=_display(path, root), content_hash=_hash(path)
        )
        problems += q_problems
        if questionnaire is not None:
            questionnaires.append(questionnaire)
    cycle: CycleDef | None = None
    if cycle_data is not None:
        cycle, c_problems = parse_cycle(cycle_data, file=cycle_name)
        problems += c_problems
    if cycle is not None:
        if str(cycle.year) != directory.name:
            problems.append(
                Problem(
                    cycle_name,
                    "",
                    f"året {cycle.year} stämmer inte med mappen {directory.name}",
                )
            )
        cycle = CycleDef(
            file=cycle.file,
            year=cycle.year,
            name=cycle.name,
            reference_period=cycle.reference_period,
            description=cycle.description,
            questionnaires=tuple(questionnaires),
        )
        problems += validate_cycle(cycle)
    if problems:
        raise DefinitionError(problems)
    assert cycle is not None  # noqa: S101 - no problems implies a parsed cycle
    return cycle


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_yaml(path: Path, root: Path) -> tuple[Any, list[Problem]]:
    name = _display(path, root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [Problem(name, "", f"filen går inte att läsa som YAML: {exc}")]
    except UnicodeDecodeError:
        return None, [Problem(name, "", "filen är inte UTF-8")]
    if not isinstance(data, dict):
        return None, [Problem(name, "", "filen ska innehålla en mappning på toppnivå")]
    return data, []

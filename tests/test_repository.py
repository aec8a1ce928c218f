"""The repository stands alone and pins what it runs (issue #14 points 1 and 6):
nothing reads a sibling folder, every runtime dependency has an upper bound, and
the lock files the Makefile, CI and Dockerfile install from match pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Text the project ships or runs: code, templates, questionnaires, build and CI files.
SCANNED = (
    "*.py",
    "*.html",
    "*.yaml",
    "*.toml",
    "*.js",
    "Makefile",
    "Dockerfile",
    "run",
)
# .bench-venv: the comparison benchmark's generic app (bench/compare/generic.py).
SKIPPED_DIRS = {".venv", ".bench-venv", ".git", "node_modules", "__pycache__"}


def sibling_path(folder: str) -> re.Pattern[str]:
    """A path out of the repository to a folder beside it, in the spellings the
    code once used: "../x", "/work/x", `.parent / "x"`, or "x" as a path part."""
    name = re.escape(folder)
    return re.compile(rf"(\.\./|/work/|parent\s*/\s*['\"]){name}\b|['\"]{name}['\"]")


# The team's reference folder, which a clone of the repository does not have.
SIBLING = sibling_path("shared")


def _files() -> list[Path]:
    found: list[Path] = []
    for pattern in SCANNED:
        for path in ROOT.rglob(pattern):
            if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                found.append(path)
    return found


def test_no_file_reaches_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _files()
        if path != Path(__file__).resolve()  # the guard names the folder it forbids
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SIBLING.search(line)
    ]
    assert offenders == []


def test_the_guard_sees_a_sibling_path() -> None:
    # The pattern must catch the spellings the code used before (issue #14);
    # shown with another folder name, so this file names no path outside.
    beside = sibling_path("elsewhere")
    assert beside.search('Path(settings.BASE_DIR).parent / "elsewhere" / "domain"')
    assert beside.search("see ../elsewhere/NOTES.md")
    assert beside.search("/work/elsewhere/domain/x.json")
    assert not beside.search("ties elsewhere by largest remainder")


def test_cited_documents_are_in_the_repository() -> None:
    cited = {
        match
        for path in _files()
        for match in re.findall(r"docs/[\w/.-]+\.md", path.read_text(encoding="utf-8"))
    }
    assert cited, "the code cites its design notes in docs/"
    assert sorted(doc for doc in cited if not (ROOT / doc).is_file()) == []


def test_published_figures_are_fixtures_with_their_source() -> None:
    fixtures = ROOT / "tests" / "fixtures"
    readme = (fixtures / "README.md").read_text(encoding="utf-8")
    for path in fixtures.glob("*.json"):
        assert path.name in readme, (
            f"{path.name} has no source in tests/fixtures/README.md"
        )


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = (
        project["optional-dependencies"][extra] if extra else project["dependencies"]
    )
    return [Requirement(line) for line in lines]


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    unbounded = [
        str(req)
        for req in _requirements()
        if not any(spec.operator in {"<", "<=", "==", "~="} for spec in req.specifier)
    ]
    assert unbounded == []


def _locked(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))],
)
def test_lock_file_pins_every_dependency_within_its_range(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = _locked(lock)
    wanted = _requirements() + [req for extra in extras for req in _requirements(extra)]
    problems = []
    for req in wanted:
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in {lock}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req.specifier}")
    assert problems == [], "run `make lock` after changing pyproject.toml"


def test_the_image_and_the_install_use_the_lock_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    assert "--no-deps ." in dockerfile
    assert "-r requirements-dev.lock" in makefile
    assert "--no-deps -e ." in makefile


def test_the_image_copies_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    packages = [
        pattern.rstrip("*")
        for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    missing = [name for name in packages if f"COPY {name} ./{name}" not in dockerfile]
    assert missing == []

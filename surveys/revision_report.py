"""The revision report of a cycle (issue #19): per questionnaire, the questions
added, removed, reworded, re-optioned and retyped against the previous cycle,
with their numbers in both years. The facts are surveys.revisions' (the same the
kvalitetsdeklaration and the footnotes use); this module only groups them for
the page and the CSV download.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from surveys.models.questionnaires import Cycle, Questionnaire
from surveys.revisions import QuestionContent, Revision, revisions_of
from surveys.sheet_text import csv_text

# The report's groups, in the order an analyst reads them, and which change
# names put a changed question in each (a question may be in more than one).
CHANGE_GROUPS = (
    ("reworded", "Ändrad frågetext", ("frågetext",)),
    (
        "reoptioned",
        "Ändrade svarsalternativ eller delfrågor",
        ("svarsalternativ", "delfrågor"),
    ),
    ("retyped", "Ändrad frågetyp", ("frågetyp",)),
)


@dataclass(frozen=True)
class ReportRow:
    number: str  # in the cycle's year; "" for a removed question
    previous_number: str  # in the previous year; "" for an added question
    variable: str
    label: str
    what: str  # the change names, in words
    comparability: str  # as declared, in words
    to_review: bool  # declared unchanged although it changed
    before: str
    after: str


@dataclass(frozen=True)
class ReportGroup:
    slug: str
    title: str
    rows: tuple[ReportRow, ...]


@dataclass(frozen=True)
class QuestionnaireRevision:
    questionnaire: Questionnaire
    revision: Revision
    groups: tuple[ReportGroup, ...]

    @property
    def compared(self) -> bool:
        return self.revision.previous_year is not None

    @property
    def unchanged(self) -> bool:
        return not any(group.rows for group in self.groups)


def _content_text(content: QuestionContent | None, names: tuple[str, ...]) -> str:
    if content is None:
        return ""
    parts = []
    if "frågetext" in names:
        parts.append(content.text)
    if "svarsalternativ" in names:
        parts.append("; ".join(f"{code} = {label}" for code, label in content.options))
    if "delfrågor" in names:
        parts.append("; ".join(f"{code} = {label}" for code, label in content.rows))
    if "frågetyp" in names:
        parts.append(content.kind)
    return " | ".join(parts)


def _groups(revision: Revision) -> tuple[ReportGroup, ...]:
    groups = [
        ReportGroup(
            "added",
            "Nya frågor",
            tuple(
                ReportRow(
                    q.number, "", q.variable, q.label, "ny", "Ny fråga", False, "", ""
                )
                for q in revision.added
            ),
        ),
        ReportGroup(
            "removed",
            "Borttagna frågor",
            tuple(
                ReportRow(
                    "", q.number, q.variable, q.label, "borttagen", "", False, "", ""
                )
                for q in revision.removed
            ),
        ),
    ]
    for slug, title, names in CHANGE_GROUPS:
        rows = []
        for changed in revision.changed:
            shown = tuple(name for name in changed.changes if name in names)
            if not shown:
                continue
            rows.append(
                ReportRow(
                    changed.number,
                    changed.previous_number,
                    changed.variable,
                    changed.label,
                    ", ".join(shown),
                    changed.comparability,
                    changed.declared_same,
                    _content_text(changed.before, shown),
                    _content_text(changed.after, shown),
                )
            )
        groups.append(ReportGroup(slug, title, tuple(rows)))
    return tuple(groups)


def revision_report(cycle: Cycle) -> list[QuestionnaireRevision]:
    """Every questionnaire of the cycle with its grouped revision: five queries."""
    questionnaires = list(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .order_by("is_supplementary", "audience", "key")
    )
    revisions = revisions_of(questionnaires)
    return [
        QuestionnaireRevision(q, revisions[q.pk], _groups(revisions[q.pk]))
        for q in questionnaires
    ]


CSV_HEADER = (
    "Enkät",
    "Ändring",
    "Nr",
    "Nr föregående omgång",
    "Föregående omgång",
    "Variabel",
    "Etikett",
    "Vad",
    "Jämförbarhet enligt definitionen",
    "Att granska",
    "Före",
    "Efter",
)


def revision_csv(report: list[QuestionnaireRevision]) -> str:
    """The report as CSV in the exports' dialect (UTF-8 with BOM, semicolons)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in report:
        previous = str(item.revision.previous_year or "")
        for group in item.groups:
            for row in group.rows:
                writer.writerow(
                    csv_text(str(value))
                    for value in (
                        item.questionnaire.key,
                        group.title,
                        row.number,
                        row.previous_number,
                        previous,
                        row.variable,
                        row.label,
                        row.what,
                        row.comparability,
                        "ja" if row.to_review else "",
                        row.before,
                        row.after,
                    )
                )
    return out.getvalue()

"""Consolidating the kommuner's answers into the RSS questionnaire (issue #4).

An RSS questionnaire's `kommun_count` questions count, per alternative of a closed
kommun question, how many of the RSS's member kommuner chose it; its
`kommun_text_summary` questions show the coordinator the kommuner's free text.

Which kommun answers count: every current answer of a member kommun, drafts
included, so that the coordinator sees the figures grow while the kommuner work;
each count also says how many came from submitted kommun responses ("varav
inskickade"). When the RSS submits, the counts as they stand are frozen into the
RSS response (`freeze_kommun_counts`), and `ConsolidationSource` records each
kommun response's version and status at that moment, so the frozen figure says
exactly which answers, submitted or not, it came from.

The base of every item is kept in three parts that add up to the number of member
kommuner (N):
- svarat: the kommun has an answer to the item (a matrix: to that row);
- ej aktuell: the item's display condition is decided against it (the parent
  answer excludes it, or the kommun response is submitted without the condition
  holding), evaluated in the database;
- ej svarat: everything else, including kommuner that have not started.

By sub-domain: `results` (the values the selectors return), `live` (the counts
and texts, in SQL), `limits` (what an adjustment may do), `freeze` (on submit),
`stale` (frozen figures whose kommuner changed since). Inside `intake`, import
from those modules; this package re-exports only the names other apps and the
tests import.
"""

from intake.consolidation.freeze import FROZEN_REASON
from intake.consolidation.limits import (
    CountsAboveBaseError,
    adjustment_problems,
    count_limit_problem,
)
from intake.consolidation.live import (
    DisplayConditions,
    adjustment_cells,
    consolidation_for,
    kommun_counts,
    kommun_texts,
)
from intake.consolidation.results import KommunCount
from intake.consolidation.stale import stale_consolidations
from surveys.kinds import ONE_ALTERNATIVE_KINDS

__all__ = [
    "FROZEN_REASON",
    "ONE_ALTERNATIVE_KINDS",
    "CountsAboveBaseError",
    "DisplayConditions",
    "KommunCount",
    "adjustment_cells",
    "adjustment_problems",
    "consolidation_for",
    "count_limit_problem",
    "kommun_counts",
    "kommun_texts",
    "stale_consolidations",
]

"""Tabulation of a questionnaire's answers, by sub-domain: the result types
(`results`), the groups of a level (`groups`), the counts (`counts`) and the
kvalitetsdeklaration's item nonresponse (`nonresponse`).

Re-exports the names imported from outside the reports app."""

from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level

__all__ = ["Level", "tabulate"]

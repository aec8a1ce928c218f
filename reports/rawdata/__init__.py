"""Raw data: one row per organisation, one column per answer cell (issue #5 B), by
sub-domain: the layout (`columns`, whose docstring describes it), each kind's
columns and values (`kinds`), the rows
(`rows`), CSV and Excel (`spreadsheets`), SPSS and Stata (`statistical`) and the
choice of writer per format (`writers`).

Re-exports the names imported from outside the reports app."""

from reports.rawdata.columns import LEADING_COLUMNS, STATA_NAME_MAX, RawDataOptions
from reports.rawdata.rows import build_raw_data
from reports.rawdata.statistical import write_dta, write_sav
from reports.rawdata.writers import write_raw_data

__all__ = [
    "LEADING_COLUMNS",
    "STATA_NAME_MAX",
    "RawDataOptions",
    "build_raw_data",
    "write_dta",
    "write_raw_data",
    "write_sav",
]

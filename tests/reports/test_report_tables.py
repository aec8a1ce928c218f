"""A wide report table with few rows is turned on screen (issue #17)."""

from __future__ import annotations

from reports.layouts import Table
from reports.templatetags.report_tables import for_screen


def test_a_wide_table_with_one_row_is_turned() -> None:
    header = ("Nivå", *(f"Alternativ {n}" for n in range(1, 29)))
    table = Table("Fråga 3", header, (("Riket", *(str(n) for n in range(28))),))
    turned = for_screen(table)
    assert turned.header == ("Uppgift", "Riket")
    assert turned.rows[0] == ("Alternativ 1", "0")
    assert turned.rows[-1] == ("Alternativ 28", "27")
    assert turned.title == "Fråga 3"


def test_a_table_with_many_rows_or_few_columns_keeps_its_layout() -> None:
    narrow = Table("t", ("Region", "Ja", "Nej"), (("Riket", "1", "2"),))
    assert for_screen(narrow) is narrow
    header = ("Region", *(f"A{n}" for n in range(10)))
    tall = Table("t", header, tuple((f"R{r}", *("0",) * 10) for r in range(21)))
    assert for_screen(tall) is tall

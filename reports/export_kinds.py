"""Every export kind of issue #5 point 3, registered in one place (imported from
`ReportsConfig.ready`); "svarsstatus" is in reports/exports/svarsstatus.py.

| key                  | formats               | target        | options                                   |
| -------------------- | --------------------- | ------------- | ----------------------------------------- |
| tabeller             | xlsx                  | questionnaire | niva, avrundning, svar                    |
| radata               | csv, xlsx, sav, dta   | questionnaire | varden, kontaktuppgifter, ej-svarande     |
| kodbok               | xlsx, csv             | questionnaire | kontaktuppgifter                          |
| radatapaket          | zip                   | questionnaire | varden, kontaktuppgifter, ej-svarande     |
| diagram              | zip                   | questionnaire | niva, svar                                |
| kvalitetsdeklaration | docx                  | cycle         | –                                         |

Contact details are personal data: off unless asked for (`kontaktuppgifter=ja`).
Tables and charts count submitted responses unless `svar=paborjade` asks for
preliminary figures (reports.tabulation.results.Selection); the manifest records it.
Option keys are ASCII (they are typed as `--option nyckel=värde`); labels Swedish.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from reports.bases import conventions
from reports.charts import ChartText, bar_chart_png
from reports.codebook import codebook_rows, write_codebook_csv, write_codebook_xlsx
from reports.comparison_charts import comparison_charts
from reports.comparison_layouts import comparison_source
from reports.exporters import (
    ExportKind,
    ExportOption,
    ExportTarget,
    ExportWriter,
    Manifest,
    Progress,
    Target,
    base_manifest,
    cycle_of,
    register,
)
from reports.exports.bundle import export_raw_data
from reports.kvalitetsdeklaration.writers import kvalitetsdeklaration_docx
from reports.layouts import Rounding
from reports.question_parts import (
    chart_data,
    item_charts,
    question_charts,
    source_line,
)
from reports.rawdata.columns import RawDataOptions
from reports.rawdata.rows import build_raw_data, replay
from reports.rawdata.writers import FORMATS as RAW_FORMATS
from reports.rawdata.writers import RawFormat, write_data
from reports.tabulation.comparison import compare, previous_version
from reports.tabulation.results import Selection, Tabulation
from reports.workbook import (
    WorkbookLevel,
    resolve_level,
    tabulate_for_workbook,
    write_table_workbook,
)
from reports.year_charts import year_chart_data, year_chart_png
from surveys.models import Questionnaire

YES_NO = (("ja", "Ja"), ("nej", "Nej"))

LEVEL_OPTION = ExportOption(
    key="niva",
    label="Nivå",
    choices=(
        (WorkbookLevel.STANDARD.value, "Enkätens egen nivå (RSS för kommunenkäter)"),
        (WorkbookLevel.RIKET.value, "Bara riket"),
        (WorkbookLevel.REGION.value, "Per region (län)"),
        (WorkbookLevel.RSS.value, "Per RSS"),
        (WorkbookLevel.KOMMUN.value, "Per kommun"),
    ),
    default=WorkbookLevel.STANDARD.value,
)
ROUNDING_OPTION = ExportOption(
    key="avrundning",
    label="Avrundning av procent",
    choices=(
        ("cellvis", "Varje cell för sig (avrundning uppåt vid 0,5)"),
        ("summa-100", "Varje rad summerar till 100"),
    ),
    default="cellvis",
)
SELECTION_OPTION = ExportOption(
    key="svar",
    label="Svar som ingår",
    choices=tuple((s.value, s.label) for s in Selection),
    default=Selection.SUBMITTED.value,
)
ROUNDINGS = {"cellvis": Rounding.HALF_UP, "summa-100": Rounding.LARGEST_REMAINDER}
VALUES_OPTION = ExportOption(
    key="varden",
    label="Värden",
    choices=(("koder", "Koder"), ("etiketter", "Etiketter")),
    default="koder",
)
CONTACTS_OPTION = ExportOption(
    key="kontaktuppgifter",
    label="Kontaktuppgifter (personuppgifter)",
    choices=YES_NO,
    default="nej",
)
NONRESPONDENTS_OPTION = ExportOption(
    key="ej-svarande",
    label="Ta med organisationer som inte svarat",
    choices=YES_NO,
    default="nej",
)
RAW_OPTIONS = (VALUES_OPTION, CONTACTS_OPTION, NONRESPONDENTS_OPTION)


def raw_data_options(options: Mapping[str, str]) -> RawDataOptions:
    return RawDataOptions(
        values="labels" if options.get("varden") == "etiketter" else "codes",
        include_contacts=options.get("kontaktuppgifter") == "ja",
        include_nonrespondents=options.get("ej-svarande") == "ja",
    )


def selection_of(options: Mapping[str, str]) -> Selection:
    return Selection(options.get("svar", SELECTION_OPTION.default))


# --- Tabeller ------------------------------------------------------------------------


def check_level(target: Questionnaire, options: Mapping[str, str]) -> None:
    """DomainError (Swedish) for a level the questionnaire's audience lacks."""
    resolve_level(target, options["niva"])


def write_tabeller_xlsx(
    target: Questionnaire,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    resolve_level(target, options["niva"])  # a Swedish error before any work
    manifests: list[Manifest] = []

    def manifest(counts: dict[str, int], extra: dict[str, Any]) -> dict[str, object]:
        made = base_manifest(
            target,
            kind="tabeller",
            format="xlsx",
            options=options,
            row_counts=counts,
            extra=extra,
        )
        manifests.append(made)
        return made.as_dict()

    write_table_workbook(
        target,
        output,
        level=options["niva"],
        rounding=ROUNDINGS[options["avrundning"]],
        selection=selection_of(options),
        progress=progress,
        manifest=manifest,
    )
    return manifests[0]


# --- Rådata, Kodbok, Rådatapaket -------------------------------------------------------


def _raw_writer(fmt: RawFormat) -> ExportWriter:
    def write(
        target: Questionnaire,
        *,
        options: Mapping[str, str],
        output: BinaryIO,
        progress: Progress,
    ) -> Manifest:
        raw_options = raw_data_options(options)
        progress(5, "Läser svaren")
        data = build_raw_data(target, options=raw_options)
        rows = list(data.rows)
        counts = {"rader": len(rows), "kolumner": len(data.columns)}
        manifest = base_manifest(
            target, kind="radata", format=fmt, options=options, row_counts=counts
        )
        progress(50, "Skriver filen")
        write_data(
            replay(data, rows),
            output,
            format=fmt,
            options=raw_options,
            manifest=manifest.as_dict() if fmt == "xlsx" else None,
        )
        return manifest

    return write


def _codebook_writer(fmt: str) -> ExportWriter:
    def write(
        target: Questionnaire,
        *,
        options: Mapping[str, str],
        output: BinaryIO,
        progress: Progress,
    ) -> Manifest:
        progress(5, "Läser enkäten")
        entries = codebook_rows(
            target, include_contacts=options.get("kontaktuppgifter") == "ja"
        )
        manifest = base_manifest(
            target,
            kind="kodbok",
            format=fmt,
            options=options,
            row_counts={"variabler": len(entries)},
        )
        if fmt == "xlsx":
            write_codebook_xlsx(entries, output, manifest=manifest.as_dict())
        else:
            write_codebook_csv(entries, output)
        return manifest

    return write


def write_radatapaket_zip(
    target: Questionnaire,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    """Raw data in every format, the codebook, the corrections (rattningar.csv)
    and manifest.json, zipped."""
    progress(5, "Skriver rådata i alla format")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        package = export_raw_data(target, folder, options=raw_data_options(options))
        progress(80, "Packar filerna")
        # Deflated at level 1: at national scale the package holds some 230 MB
        # of csv, sav and dta, whose default level 6 took about 8 s more for
        # a zip a third larger (issue #20: under 30 s). The .xlsx is a zip
        # already: stored as it is.
        with zipfile.ZipFile(
            output, "w", zipfile.ZIP_DEFLATED, compresslevel=1
        ) as archive:
            for path in sorted(folder.iterdir()):
                stored = path.suffix == ".xlsx"
                archive.write(
                    path,
                    arcname=path.name,
                    compress_type=zipfile.ZIP_STORED if stored else None,
                )
        files = len(package.files) + 1  # and manifest.json
    return base_manifest(
        target,
        kind="radatapaket",
        format="zip",
        options=options,
        row_counts={"rader": package.rows, "kolumner": package.columns, "filer": files},
    )


# --- Diagram -----------------------------------------------------------------------------


def png_name(number: str, row: int | None, *, level: str = "") -> str:
    stem = "fraga-" + "".join(c if c.isalnum() else "-" for c in number)
    if level:
        stem += f"-{level}"
    return f"{stem}-{row}.png" if row else f"{stem}.png"


def write_diagram_zip(
    target: Questionnaire,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    """The question's charts as PNGs (`question_charts`: at riket per matrix
    row, and one bar per group at the chosen level; numbers and RSS count
    questions included), the year-over-year charts at riket when the
    questionnaire has a previous version (`comparison_pngs`), and manifest.json.
    The questionnaire is tabulated once at riket and once at the level (and its
    previous version once at riket)."""
    progress(5, "Räknar tabellerna")
    selection = selection_of(options)
    level = resolve_level(target, options.get("niva", LEVEL_OPTION.default))
    tabulated = tabulate_for_workbook(target, level=level, selection=selection)
    source = source_line(target, selection)
    charts = 0
    names: list[str] = []
    # The charts at a level name the same groups: each name is laid out and
    # rendered once for the whole zip, not once per chart (issue #20).
    chart_text = ChartText()
    # Each PNG goes into the output file as it is drawn: at national scale the
    # zip is hundreds of megabytes, and a copy of it in memory (and another from
    # BytesIO.getvalue) put the export far past 500 MB (issue #20).
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        total = max(len(tabulated.riket.questions), 1)
        for position, (riket, grouped) in enumerate(tabulated.pairs()):
            drawn = question_charts(
                riket, grouped, audience=target.audience, level=level
            )
            at_riket = len(item_charts(riket, audience=target.audience))
            for index, chart in enumerate(drawn, start=1):
                if index <= at_riket:
                    number = index if at_riket > 1 else None
                    name = png_name(riket.question.number, number)
                else:
                    number = index - at_riket
                    name = png_name(riket.question.number, number, level=level)
                data = chart_data(chart, source=source)
                # Stored, not deflated again: a PNG is compressed already.
                archive.writestr(
                    name,
                    bar_chart_png(data, chart_text=chart_text),
                    compress_type=zipfile.ZIP_STORED,
                )
                names.append(name)
                charts += 1
            progress(10 + 80 * (position + 1) // total, "Ritar diagrammen")
        progress(90, "Ritar jämförelsen med tidigare år")
        for name, png in comparison_pngs(target, tabulated.riket, source):
            archive.writestr(name, png, compress_type=zipfile.ZIP_STORED)
            names.append(name)
            charts += 1
        manifest = base_manifest(
            target,
            kind="diagram",
            format="zip",
            options=options,
            row_counts={"diagram": charts, "svarande": tabulated.riket.respondents},
            extra={
                "filer": names,
                "svar_som_ingar": tabulated.riket.selection_note,
                "bas": conventions(q.question for q in tabulated.riket.questions),
            },
        )
        archive.writestr(
            "manifest.json",
            json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n",
        )
    return manifest


def comparison_pngs(
    target: Questionnaire, riket: Tabulation, source: str
) -> Iterator[tuple[str, bytes]]:
    """The year-over-year charts at riket (docs/year-over-year.md) as (name, PNG),
    in a folder named for the two years: the same charts as the question's
    comparison page, for every question with a predecessor. Nothing when the
    questionnaire has no previous version or none of its questions is linked."""
    previous = previous_version(target)
    if previous is None:
        return
    comparison = compare(
        target, selection=riket.selection, previous=previous, current=riket
    )
    if not comparison.linked:
        return
    folder = f"jamforelse-{comparison.previous_year}-{comparison.year}"
    year_source = comparison_source(source, comparison)
    for question in comparison.questions:
        if question.is_new:
            continue  # nothing to compare: the page says so in words
        drawn = [
            chart
            for chart in comparison_charts(
                comparison, question, audience=target.audience
            )
            if chart.has_bars
        ]
        for index, chart in enumerate(drawn, start=1):
            name = png_name(
                question.current.question.number, index if len(drawn) > 1 else None
            )
            png = year_chart_png(year_chart_data(chart, source=year_source))
            yield f"{folder}/{name}", png


# --- Kvalitetsdeklaration -------------------------------------------------------------------


def write_kvalitetsdeklaration_docx(
    target: Target,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    cycle = cycle_of(target)
    progress(5, "Beräknar kvalitetsdeklarationen")
    output.write(kvalitetsdeklaration_docx(cycle))
    return base_manifest(
        cycle,
        kind="kvalitetsdeklaration",
        format="docx",
        options=options,
        row_counts={"dokument": 1},
    )


TABELLER = register(
    ExportKind(
        key="tabeller",
        label="Tabeller",
        description="Tabellbok: en innehållsförteckning, ett blad per fråga med "
        "tabeller, fotnoter om baser, källa och diagram, kvalitetsdeklarationen "
        "och manifestet.",
        target=ExportTarget.QUESTIONNAIRE,
        writers={"xlsx": write_tabeller_xlsx},
        options=(LEVEL_OPTION, ROUNDING_OPTION, SELECTION_OPTION),
        check=check_level,
    )
)
RADATA = register(
    ExportKind(
        key="radata",
        label="Rådata",
        description="En rad per organisation, en kolumn per svarscell, med koder "
        "för ej aktuell (-1), ej besvarad (-2) och undantagssvar (-3).",
        target=ExportTarget.QUESTIONNAIRE,
        writers={fmt: _raw_writer(fmt) for fmt in RAW_FORMATS},
        options=RAW_OPTIONS,
    )
)
KODBOK = register(
    ExportKind(
        key="kodbok",
        label="Kodbok",
        description="En rad per variabel i rådata: fråga, typ, värden och "
        "saknade värden.",
        target=ExportTarget.QUESTIONNAIRE,
        writers={fmt: _codebook_writer(fmt) for fmt in ("xlsx", "csv")},
        options=(CONTACTS_OPTION,),
    )
)
RADATAPAKET = register(
    ExportKind(
        key="radatapaket",
        label="Rådatapaket",
        description="Rådata som CSV, Excel, SPSS och Stata, kodboken, Socialstyrelsens "
        "rättningar och manifest.json i ett zip-arkiv.",
        target=ExportTarget.QUESTIONNAIRE,
        writers={"zip": write_radatapaket_zip},
        options=RAW_OPTIONS,
    )
)
DIAGRAM = register(
    ExportKind(
        key="diagram",
        label="Diagram",
        description="Stapeldiagram (PNG) för varje redovisad fråga: riket per "
        "svarsalternativ och en stapel per region eller RSS på vald nivå, med "
        "bas och källa, i ett zip-arkiv med manifest.json.",
        target=ExportTarget.QUESTIONNAIRE,
        writers={"zip": write_diagram_zip},
        options=(LEVEL_OPTION, SELECTION_OPTION),
        check=check_level,
    )
)
KVALITETSDEKLARATION = register(
    ExportKind(
        key="kvalitetsdeklaration",
        label="Kvalitetsdeklaration",
        description="Omgångens kvalitetsdeklaration som Word-dokument.",
        target=ExportTarget.CYCLE,
        writers={"docx": write_kvalitetsdeklaration_docx},
    )
)

"""`manage.py export`: run one registered exporter now, without a job row.

The same exporter and validation as the staff page's Celery job, run in the
foreground: for scripts, cron on the server, and the benchmark. No ExportJob row
is made (a file written straight to disk has nothing to download from the site);
the manifest is written beside the file as <output>.manifest.json.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.exporters import (
    Target,
    clean_export_request,
    export_kinds,
    parse_option_pairs,
    run_exporter,
)
from surveys.models import Cycle, Questionnaire


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


class Command(BaseCommand):
    help = (
        "Kör en export direkt och skriver filen och dess manifest "
        "(<fil>.manifest.json). Runs one export now and writes the file and its manifest."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = ", ".join(k.key for k in export_kinds())
        parser.add_argument("--cycle", type=int, required=True, help="Omgångens år.")
        parser.add_argument(
            "--questionnaire",
            default="",
            help="Enkätens nyckel (region, rss, kommun, …); utelämnas för hela omgången.",
        )
        parser.add_argument("--kind", required=True, help=f"Exporttyp: {kinds}.")
        parser.add_argument("--format", required=True, help="Filformat, t.ex. xlsx.")
        parser.add_argument("--output", required=True, help="Filen som skrivs.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Inställning för exporten; kan upprepas.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = self._target(options["cycle"], options["questionnaire"])
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Katalogen {output.parent} finns inte.")
        try:
            kind, cleaned = clean_export_request(
                target,
                kind=options["kind"],
                format=options["format"],
                options=parse_option_pairs(options["option"]),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        manifest = run_exporter(
            target,
            kind=kind,
            format=options["format"],
            options=cleaned,
            path=output,
            file_name=output.name,
        )
        manifest_path(output).write_text(
            json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        rows = ", ".join(f"{k} {v}" for k, v in manifest.row_counts.items())
        self.stdout.write(
            f"{kind.label} ({manifest.format}) för {target} skriven till {output} "
            f"({rows}; sha256 {manifest.sha256[:12]}…)"
        )

    def _target(self, year: int, key: str) -> Target:
        cycle = Cycle.objects.filter(year=year).first()
        if cycle is None:
            known = ", ".join(
                str(y) for y in Cycle.objects.values_list("year", flat=True)
            )
            raise CommandError(
                f"Omgången {year} finns inte (finns: {known or 'inga'})."
            )
        if not key:
            return cycle
        questionnaire = (
            Questionnaire.objects.select_related("cycle")
            .filter(cycle=cycle, key=key)
            .first()
        )
        if questionnaire is None:
            keys = ", ".join(cycle.questionnaires.values_list("key", flat=True))
            raise CommandError(
                f"Enkäten ”{key}” finns inte i omgången {year} (finns: {keys})."
            )
        return questionnaire

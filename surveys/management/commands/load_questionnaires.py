from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.definitions.records import DefinitionError
from surveys.services.questionnaires import (
    DEFINITIONS_DIR,
    load_questionnaires,
    read_definitions,
)


class Command(BaseCommand):
    help = (
        "Validerar enkätdefinitionerna i surveys/questionnaires/ och läser in dem. "
        "Ingenting läses in om någon fil har fel."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=DEFINITIONS_DIR,
            help="Mappen med en undermapp per omgång (standard: surveys/questionnaires).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Validera filerna utan att läsa in något.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"Mappen {directory} finns inte")
        try:
            if options["check"]:
                cycles = read_definitions(directory)
                count = sum(len(c.questionnaires) for c in cycles)
                self.stdout.write(
                    f"{count} enkäter i {len(cycles)} omgångar är giltiga."
                )
                return
            report = load_questionnaires(directory)
        except DefinitionError as exc:
            raise CommandError(
                "Ingenting lästes in. Rätta följande:\n"
                + "\n".join(f"- {problem}" for problem in exc.problems)
            ) from exc
        for file in report.loaded:
            self.stdout.write(f"Läste in {file}")
        for file in report.unchanged:
            self.stdout.write(f"Oförändrad: {file}")

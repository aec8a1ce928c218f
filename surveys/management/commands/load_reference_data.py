from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.selectors import active_register_years
from surveys.services.reference_data import load_reference_data, rss_coverage_problems


class Command(BaseCommand):
    help = (
        "Läser in regioner, kommuner, RSS, RSS-medlemskap och befolkning från "
        "surveys/reference/."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Skriv över rader som skiljer sig från filen (annars rapporteras de bara).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference_data(update=options["update"])
        for what, count in sorted(report.created.items()):
            self.stdout.write(f"Skapade {count} {what}")
        for what, count in sorted(report.updated.items()):
            self.stdout.write(f"Uppdaterade {count} {what}")
        if not report.created and not report.updated:
            self.stdout.write("Registret var redan inläst; inget ändrades.")
        for difference in report.differences:
            self.stdout.write(
                self.style.WARNING(f"Skiljer sig från filen: {difference}")
            )
        problems = [
            p for year in active_register_years() for p in rss_coverage_problems(year)
        ]
        if problems:
            raise CommandError("\n".join(problems))

"""Writes to the organisation register (docs/conventions.md §2): the reference-data
loader and the checks staff run on RSS membership.

The loader is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Count, Q

from surveys.errors import DomainError
from surveys.models.register import (
    Kommun,
    Organisation,
    OrganisationKind,
    Population,
    RSSMembership,
    memberships_in_year,
)

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


@dataclass
class ReferenceDataReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Rows where the database differs from the file and was left alone (staff edits).
    differences: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], what: str) -> None:
        bucket[what] = bucket.get(what, 0) + 1


@transaction.atomic
def load_reference_data(
    *, directory: Path = REFERENCE_DIR, update: bool = False
) -> ReferenceDataReport:
    """Load regions, kommuner, RSS, RSS memberships and the region populations
    from the versioned files.

    Creates what is missing. A row that exists but differs from the file is left
    as it is and reported, because staff may have corrected it in the admin;
    `update=True` makes the file win.
    """
    report = ReferenceDataReport()
    regions = _read_csv(directory / "regions.csv")
    kommuner = _read_csv(directory / "kommuner.csv")
    rss_data = yaml.safe_load((directory / "rss.yaml").read_text(encoding="utf-8"))

    region_by_lan: dict[str, Organisation] = {}
    for row in regions:
        region = _upsert_organisation(
            report,
            kind=OrganisationKind.REGION,
            code=row["lanskod"],
            values={
                "name": row["region_name"],
                "short_name": row["short_name"],
                "lan_name": row["lan_name"],
                "sort_order": int(row["sort_order"]),
            },
            update=update,
        )
        if region.region_id != region.pk:
            # A region belongs to itself, so "per region" groups every audience alike.
            region.region = region
            region.save(update_fields=["region"])
        region_by_lan[row["lanskod"]] = region

    kommun_by_code: dict[str, Organisation] = {}
    for row in kommuner:
        region = region_by_lan[row["lanskod"]]
        kommun_by_code[row["kommunkod"]] = _upsert_organisation(
            report,
            kind=OrganisationKind.KOMMUN,
            code=row["kommunkod"],
            values={
                "name": row["name"],
                "short_name": row["name"],
                "lan_name": region.lan_name,
                "region": region,
                "sort_order": int(row["kommunkod"]),
            },
            update=update,
        )

    for position, item in enumerate(rss_data["rss"], start=1):
        region = region_by_lan[item["lanskod"]]
        rss = _upsert_organisation(
            report,
            kind=OrganisationKind.RSS,
            code=item["code"],
            values={
                "name": item["name"],
                "short_name": item["name"],
                "lan_name": region.lan_name,
                "region": region,
                "sort_order": position,
            },
            update=update,
        )
        for member in item["members"]:
            kommun = kommun_by_code[member["kommunkod"]]
            valid_to = member.get("to")
            membership = RSSMembership.objects.filter(
                kommun=kommun, valid_from=member["from"]
            ).first()
            if membership is None:
                RSSMembership.objects.create(
                    rss=rss, kommun=kommun, valid_from=member["from"], valid_to=valid_to
                )
                report.count(report.created, "RSS-medlemskap")
            elif membership.rss_id != rss.pk or membership.valid_to != valid_to:
                if update:
                    membership.rss = rss
                    membership.valid_to = valid_to
                    membership.save(update_fields=["rss", "valid_to"])
                    report.count(report.updated, "RSS-medlemskap")
                else:
                    report.differences.append(
                        f"{kommun.name} ({kommun.code}) från {member['from']}: "
                        f"filen säger {rss.name}, databasen {membership.rss}"
                    )

    population_path = directory / "population.csv"
    if population_path.exists():
        _load_populations(
            report, _read_csv(population_path), region_by_lan, update=update
        )
    return report


def _load_populations(
    report: ReferenceDataReport,
    rows: list[dict[str, str]],
    region_by_lan: dict[str, Organisation],
    *,
    update: bool,
) -> None:
    """Region (län) populations by länskod: the sources spell the names in several
    ways («Jönköpingslän», «Region Jönköpings län»), so the file carries the code
    and the register's län name, and a name that does not match the code is an
    error rather than a silent misalignment."""
    for row in rows:
        code = row["lanskod"]
        region = region_by_lan.get(code)
        if region is None:
            raise DomainError(f"population.csv: okänd länskod {code}")
        if row["lan_name"] != region.lan_name:
            raise DomainError(
                f"population.csv: länskod {code} är {region.lan_name}, "
                f"inte {row['lan_name']}"
            )
        reference_date = datetime.date.fromisoformat(row["reference_date"])
        values = {"population": int(row["population"]), "source": row["source"]}
        existing = Population.objects.filter(
            organisation=region, reference_date=reference_date
        ).first()
        if existing is None:
            population = Population(
                organisation=region, reference_date=reference_date, **values
            )
            population.full_clean()
            population.save()
            report.count(report.created, "befolkningsuppgift")
            continue
        changed = [
            name for name, value in values.items() if getattr(existing, name) != value
        ]
        if not changed:
            continue
        if update:
            for name in changed:
                setattr(existing, name, values[name])
            existing.full_clean()
            existing.save(update_fields=changed)
            report.count(report.updated, "befolkningsuppgift")
        else:
            report.differences.append(
                f"Befolkning {region.lan_name} {reference_date:%Y-%m-%d}: "
                f"{', '.join(changed)} skiljer sig från filen"
            )


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert_organisation(
    report: ReferenceDataReport,
    *,
    kind: OrganisationKind,
    code: str,
    values: dict[str, Any],
    update: bool,
) -> Organisation:
    organisation = Organisation.objects.filter(kind=kind, code=code).first()
    label = OrganisationKind(kind).label
    if organisation is None:
        organisation = Organisation(kind=kind, code=code, **values)
        organisation.full_clean(exclude=["region"])
        organisation.save()
        report.count(report.created, label)
        return organisation
    changed = [
        name
        for name, value in values.items()
        if (
            getattr(organisation, f"{name}_id")
            if name == "region"
            else getattr(organisation, name)
        )
        != (value.pk if name == "region" else value)
    ]
    if not changed:
        return organisation
    if update:
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.save(update_fields=changed)
        report.count(report.updated, label)
    else:
        report.differences.append(
            f"{label} {code} ({organisation.name}): {', '.join(changed)} skiljer sig från filen"
        )
    return organisation


def rss_coverage_problems(year: int) -> list[str]:
    """Kommuner that do not belong to exactly one RSS in `year`, as Swedish sentences."""
    kommuner = Kommun.objects.annotate(
        rss_count=Count(
            "kommun_memberships",
            filter=memberships_in_year(year, prefix="kommun_memberships__"),
        )
    ).exclude(rss_count=1)
    problems = []
    for kommun in kommuner.order_by("code"):
        if kommun.rss_count == 0:
            problems.append(f"{kommun.name} ({kommun.code}) tillhör inget RSS {year}")
        else:
            problems.append(
                f"{kommun.name} ({kommun.code}) tillhör {kommun.rss_count} RSS {year}"
            )
    return problems


def overlapping_memberships(membership: RSSMembership) -> list[RSSMembership]:
    """Other memberships of the same kommun whose years overlap this one's."""
    others = RSSMembership.objects.filter(kommun_id=membership.kommun_id).exclude(
        pk=membership.pk
    )
    end = membership.valid_to
    overlap = Q(valid_to__isnull=True) | Q(valid_to__gte=membership.valid_from)
    if end is not None:
        overlap &= Q(valid_from__lte=end)
    return list(others.filter(overlap).select_related("rss"))

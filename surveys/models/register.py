"""The organisation register: regions, kommuner, RSS, RSS membership and populations.

The register is data with time in it: RSS membership carries a validity period in
years, so each cycle's roster (who is expected to answer what) is derived from it.
The lowest of the model modules: users, questionnaires and the message log all
point into it.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from surveys.formatting import swedish_date


class OrganisationKind(models.TextChoices):
    REGION = "region", "Region"
    RSS = "rss", "RSS"
    KOMMUN = "kommun", "Kommun"


class Organisation(models.Model):
    """A region, an RSS or a kommun.

    One table for all three so that a response, a user role or a roster entry has
    one foreign key, and so that tabulation can group any respondent by `region`.
    `region` is the region (län) the organisation belongs to; a region belongs to
    itself, which makes "per region" a plain GROUP BY for every audience.
    """

    kind = models.CharField("typ", max_length=10, choices=OrganisationKind.choices)
    code = models.CharField(
        "kod",
        max_length=40,
        help_text="Länskod (01–25) för regioner, SCB:s kommunkod för kommuner, "
        "en fast kod för RSS.",
    )
    name = models.CharField("namn", max_length=200)
    short_name = models.CharField(
        "kortnamn",
        max_length=100,
        help_text="Namnet som används i publicerade tabeller, t.ex. ”Sörmland”.",
    )
    lan_name = models.CharField("län", max_length=100, blank=True)
    region = models.ForeignKey(
        "self",
        verbose_name="region (län)",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.REGION},
    )
    sort_order = models.PositiveIntegerField(
        "ordning", default=0, help_text="Ordningen i publicerade tabeller."
    )
    email = models.EmailField("e-post till organisationen", blank=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisationer"
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], name="organisation_kind_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionManager(models.Manager["Region"]):
    def get_queryset(self) -> models.QuerySet[Region]:
        return super().get_queryset().filter(kind=OrganisationKind.REGION)


class KommunManager(models.Manager["Kommun"]):
    def get_queryset(self) -> models.QuerySet[Kommun]:
        return super().get_queryset().filter(kind=OrganisationKind.KOMMUN)


class RSSManager(models.Manager["RSS"]):
    def get_queryset(self) -> models.QuerySet[RSS]:
        return super().get_queryset().filter(kind=OrganisationKind.RSS)


class Region(Organisation):
    objects: ClassVar[RegionManager] = RegionManager()

    class Meta:
        proxy = True
        verbose_name = "region"
        verbose_name_plural = "regioner"
        ordering = ["sort_order"]


class Kommun(Organisation):
    objects: ClassVar[KommunManager] = KommunManager()

    class Meta:
        proxy = True
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"
        ordering = ["code"]


class RSS(Organisation):
    objects: ClassVar[RSSManager] = RSSManager()

    class Meta:
        proxy = True
        verbose_name = "RSS"
        verbose_name_plural = "RSS"
        ordering = ["region__sort_order", "code"]


class RSSMembership(models.Model):
    """A kommun's membership of an RSS from one year to another (inclusive).

    Every kommun belongs to exactly one RSS in a given year; the admin form and
    `surveys.services.reference_data.rss_coverage_problems` enforce it, since an
    exclusion constraint on overlapping ranges would not be portable to SQLite.
    """

    rss = models.ForeignKey(
        Organisation,
        verbose_name="RSS",
        on_delete=models.PROTECT,
        related_name="rss_memberships",
        limit_choices_to={"kind": OrganisationKind.RSS},
    )
    kommun = models.ForeignKey(
        Organisation,
        verbose_name="kommun",
        on_delete=models.PROTECT,
        related_name="kommun_memberships",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
    )
    valid_from = models.PositiveIntegerField("från och med år")
    valid_to = models.PositiveIntegerField("till och med år", null=True, blank=True)

    class Meta:
        verbose_name = "RSS-medlemskap"
        verbose_name_plural = "RSS-medlemskap"
        ordering = ["rss", "kommun__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "valid_from"], name="rssmembership_kommun_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="rssmembership_period_order",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to or "…"
        return f"{self.kommun} i {self.rss} ({self.valid_from}–{end})"


def memberships_in_year(year: int, *, prefix: str = "") -> Q:
    """The Q that selects RSS memberships valid in `year`; `prefix` reaches them
    through a relation, e.g. "kommun_memberships__"."""
    return Q(**{f"{prefix}valid_from__lte": year}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": year})
    )


class Population(models.Model):
    """An organisation's population on a date, with its source: register data
    for the plausibility checks of counts of persons (surveys/plausibility.py).

    Loaded from `surveys/reference/population.csv` by `load_reference_data`; staff
    may correct a row in the admin, and the loader then reports the difference
    instead of overwriting it (as for the rest of the register).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="populations",
    )
    reference_date = models.DateField("avser datum")
    population = models.PositiveIntegerField("antal invånare")
    source = models.CharField("källa", max_length=300)

    class Meta:
        verbose_name = "befolkningsuppgift"
        verbose_name_plural = "befolkningsuppgifter"
        ordering = ["organisation__kind", "organisation__sort_order", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference_date"],
                name="population_organisation_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {swedish_date(self.reference_date)}: {self.population}"

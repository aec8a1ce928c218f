"""Staff administration of the register and read-only views of the questionnaires.

Questionnaires are defined in versioned files (surveys/questionnaires/) and loaded with
`manage.py load_questionnaires`, so the admin shows them but does not edit them:
a change made here would be lost at the next load and would bypass the loader's
checks (lineage, conditions, aggregate sources).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from surveys.errors import DomainError
from surveys.models.lifecycle import (
    DeadlineExtension,
    DefinitionChange,
    QuestionnaireEvent,
)
from surveys.models.message_log import Dispatch, Mailing
from surveys.models.questionnaires import (
    Cycle,
    MatrixRow,
    Option,
    Question,
    Questionnaire,
    Section,
)
from surveys.models.register import (
    RSS,
    Kommun,
    Organisation,
    OrganisationKind,
    Population,
    Region,
    RSSMembership,
)
from surveys.models.users import OrganisationRole, User
from surveys.services.accounts import send_invitation
from surveys.services.reference_data import overlapping_memberships


class OrganisationRoleInline(admin.TabularInline[OrganisationRole, User]):
    model = OrganisationRole
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name = "organisation som användaren svarar för"
    verbose_name_plural = "organisationer som användaren svarar för"


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "last_login",
    ]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [OrganisationRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Behörighet",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Datum", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        # The username mirrors the e-mail address (sign-in is by e-mail).
        obj.username = obj.email.lower()
        obj.email = obj.email.lower()
        super().save_model(request, obj, form, change)

    actions = ["send_invitation_link"]

    @admin.action(
        description="Skicka inbjudan med inloggningslänk", permissions=["change"]
    )
    def send_invitation_link(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        actor = request.user
        assert isinstance(actor, User)  # noqa: S101 - the admin requires staff
        sent = 0
        for user in queryset.order_by("email"):
            try:
                send_invitation(user, actor=actor)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                f"Inbjudan med inloggningslänk skickas till {sent} användare.",
                messages.SUCCESS,
            )


class _OrganisationAdmin(admin.ModelAdmin[Any]):
    kind: OrganisationKind
    search_fields = ["name", "short_name", "code"]
    list_display = ["code", "name", "short_name", "lan_name"]
    readonly_fields = ["kind"]

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        obj.kind = self.kind
        super().save_model(request, obj, form, change)
        if self.kind == OrganisationKind.REGION and obj.region_id != obj.pk:
            obj.region = obj
            obj.save(update_fields=["region"])


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    """Backs the autocomplete fields; staff edit organisations under Regioner,
    Kommuner and RSS, so this one stays out of the admin index."""

    search_fields = ["name", "short_name", "code"]
    list_display = ["code", "name", "kind", "lan_name"]
    list_filter = ["kind"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(_OrganisationAdmin):
    kind = OrganisationKind.REGION
    list_display = ["sort_order", "code", "short_name", "name", "lan_name"]
    list_display_links = ["short_name"]
    fields = ["kind", "code", "name", "short_name", "lan_name", "sort_order", "email"]


class RSSMembershipForm(forms.ModelForm[RSSMembership]):
    class Meta:
        model = RSSMembership
        fields = ["rss", "kommun", "valid_from", "valid_to"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = RSSMembership(
            pk=self.instance.pk,
            rss=cleaned.get("rss"),
            kommun=cleaned.get("kommun"),
            valid_from=cleaned["valid_from"],
            valid_to=cleaned.get("valid_to"),
        )
        overlaps = overlapping_memberships(candidate)
        if overlaps:
            raise forms.ValidationError(
                "Kommunen tillhör redan ett RSS under samma år: "
                + "; ".join(str(m) for m in overlaps)
                + ". Avsluta det medlemskapet först (ange ”till och med år”)."
            )
        return cleaned


class KommunMembershipInline(admin.TabularInline[RSSMembership, Any]):
    model = RSSMembership
    form = RSSMembershipForm
    fk_name = "kommun"
    extra = 0
    autocomplete_fields = ["rss"]
    verbose_name = "RSS-medlemskap"
    verbose_name_plural = "RSS-medlemskap"


class RSSMemberInline(KommunMembershipInline):
    fk_name = "rss"
    autocomplete_fields = ["kommun"]
    verbose_name = "medlemskommun"
    verbose_name_plural = "medlemskommuner"


class _MemberOrganisationAdmin(_OrganisationAdmin):
    """Kommuner and RSS: organisations that belong to a region (län)."""

    list_display = ["code", "name", "lan_name"]
    list_filter = ["region"]
    fields = [
        "kind",
        "code",
        "name",
        "short_name",
        "region",
        "lan_name",
        "sort_order",
        "email",
    ]


@admin.register(Kommun)
class KommunAdmin(_MemberOrganisationAdmin):
    kind = OrganisationKind.KOMMUN
    inlines = [KommunMembershipInline]


@admin.register(RSS)
class RSSAdmin(_MemberOrganisationAdmin):
    kind = OrganisationKind.RSS
    inlines = [RSSMemberInline]


@admin.register(RSSMembership)
class RSSMembershipAdmin(admin.ModelAdmin[RSSMembership]):
    form = RSSMembershipForm
    list_display = ["kommun", "rss", "valid_from", "valid_to"]
    list_filter = ["rss"]
    search_fields = ["kommun__name", "kommun__code", "rss__name"]
    autocomplete_fields = ["rss", "kommun"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin[Population]):
    """Register data for the plausibility checks; loaded from
    surveys/reference/population.csv, and correctable here like the rest of the
    register (the loader then reports the difference instead of overwriting)."""

    list_display = ["organisation", "reference_date", "population", "source"]
    list_filter = ["reference_date", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code", "source"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


class ReadOnlyAdminMixin:
    """Shown to staff, changed only through the definition files."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Cycle]):
    """Cycles come from each cycle's cycle.yaml, like the questionnaires."""

    list_display = ["year", "name", "reference_period"]


class SectionInline(ReadOnlyAdminMixin, admin.TabularInline[Section, Questionnaire]):
    model = Section
    fields = readonly_fields = tuple(["position", "key", "title"])
    extra = 0


class QuestionnaireEventInline(
    ReadOnlyAdminMixin, admin.TabularInline[QuestionnaireEvent, Questionnaire]
):
    model = QuestionnaireEvent
    fields = readonly_fields = tuple(["kind", "created_at", "actor", "reason"])
    extra = 0


class DefinitionChangeInline(
    ReadOnlyAdminMixin, admin.TabularInline[DefinitionChange, Questionnaire]
):
    model = DefinitionChange
    fields = readonly_fields = tuple(
        ["kind", "number", "variable", "created_at", "actor", "before", "after"]
    )
    extra = 0


class DeadlineExtensionInline(
    ReadOnlyAdminMixin, admin.TabularInline[DeadlineExtension, Questionnaire]
):
    model = DeadlineExtension
    fields = readonly_fields = tuple(
        ["organisation", "closes_on", "reason", "granted_by", "granted_at"]
    )
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Questionnaire]):
    list_display = [
        "title",
        "cycle",
        "key",
        "audience",
        "is_supplementary",
        "version",
        "opens_on",
        "closes_on",
        "state_label",
        "question_count",
    ]
    list_filter = ["cycle", "audience"]
    inlines = [
        SectionInline,
        QuestionnaireEventInline,
        DefinitionChangeInline,
        DeadlineExtensionInline,
    ]

    @admin.display(description="status")
    def state_label(self, obj: Questionnaire) -> str:
        # Changed on the staff page /samordning/enkater/ (issue #15), not here.
        return str(obj.state.label)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Questionnaire]:
        return super().get_queryset(request).annotate(n_questions=Count("questions"))

    @admin.display(description="antal frågor", ordering="n_questions")
    def question_count(self, obj: Questionnaire) -> int:
        return int(getattr(obj, "n_questions", 0))


class OptionInline(ReadOnlyAdminMixin, admin.TabularInline[Option, Question]):
    model = Option
    fields = readonly_fields = tuple(["position", "code", "label", "is_other"])
    extra = 0


class MatrixRowInline(ReadOnlyAdminMixin, admin.TabularInline[MatrixRow, Question]):
    model = MatrixRow
    fields = readonly_fields = tuple(["position", "code", "label"])
    extra = 0


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Question]):
    list_display = [
        "number",
        "variable",
        "label",
        "kind",
        "required",
        "reconstructed",
        "comparability",
        "questionnaire",
    ]
    list_filter = [
        "questionnaire",
        "kind",
        "reconstructed",
        "comparability",
        "counts_population",
    ]
    search_fields = ["variable", "text", "label", "lineage_key"]
    list_select_related = ["questionnaire"]
    inlines = [OptionInline, MatrixRowInline]


# --- the message log (issue #4): read-only, written by surveys.mailings -------------


class DispatchInline(admin.TabularInline[Dispatch, Mailing]):
    model = Dispatch
    fields = readonly_fields = (
        "email",
        "recipient",
        "organisation",
        "status",
        "sent_at",
        "error",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin[Mailing]):
    list_display = (
        "created_at",
        "kind",
        "questionnaire",
        "is_bulk",
        "scope",
        "sent_by",
        "status",
        "scheduled_for",
    )
    list_filter = ("kind", "is_bulk", "status", "questionnaire")
    readonly_fields = (
        "kind",
        "questionnaire",
        "is_bulk",
        "scope",
        "sent_by",
        "created_at",
        "status",
        "scheduled_for",
        "dispatched_at",
        "selection",
        "subject",
        "body",
        "note",
    )
    inlines = [DispatchInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

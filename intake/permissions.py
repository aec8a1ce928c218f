"""The one access gateway for responses (docs/conventions.md §5).

A region contact reads and edits their region's responses; an RSS coordinator
their RSS's and, in a cycle's year, its member kommuner's (proxy entry); a kommun
respondent their kommun's. Staff read everything but do not edit through the
respondent form. Anything outside a user's scope answers 404, the same as
"does not exist"; read-only access to a write answers 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from intake.models import Response
from surveys.models import (
    Cycle,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    Questionnaire,
    RSSMembership,
    User,
    memberships_in_year,
)
from surveys.prepared import Prepared, columns, instance


@dataclass(frozen=True)
class ResponseAccess:
    """A questionnaire and organisation pair the user may open, and its response
    (None until someone saves the first answer)."""

    questionnaire: Questionnaire
    organisation: Organisation
    response: Response | None
    can_write: bool
    # The user answers for the organisation itself (a role of its own), not as
    # an RSS coordinator for one of its kommuner: the channel of what they write.
    own: bool = False


def _role_organisation_ids(user: User) -> list[int]:
    return list(
        OrganisationRole.objects.filter(user=user).values_list(
            "organisation_id", flat=True
        )
    )


def _coordinated_kommun(user: User, *, year: int) -> Q:
    """Kommuner that belong, in `year`, to an RSS the user coordinates."""
    rss_ids = OrganisationRole.objects.filter(
        user=user, organisation__kind=OrganisationKind.RSS
    ).values("organisation_id")
    memberships = RSSMembership.objects.filter(
        memberships_in_year(year), rss_id__in=rss_ids
    )
    return Q(pk__in=memberships.values("kommun_id"))


def responses_visible_to(user: User) -> QuerySet[Response]:
    """Every response the user may read."""
    if not user.is_active:
        return Response.objects.none()
    if user.is_staff_member:
        return Response.objects.all()
    own = Q(organisation_id__in=_role_organisation_ids(user))
    year = OuterRef("questionnaire__cycle__year")
    coordinated = RSSMembership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=year),
        kommun_id=OuterRef("organisation_id"),
        valid_from__lte=year,
        rss__roles__user=user,
    )
    return Response.objects.filter(own | Q(Exists(coordinated)))


def may_write(
    user: User,
    questionnaire: Questionnaire,
    organisation: Organisation,
    *,
    role_ids: Sequence[int] | None = None,
) -> bool:
    """`role_ids`: the user's own organisations, when the caller has read them."""
    if not user.is_active:
        return False
    if organisation.kind != questionnaire.audience:
        return False
    if role_ids is None:
        role_ids = _role_organisation_ids(user)
    if organisation.pk in role_ids:
        return True
    if organisation.kind != OrganisationKind.KOMMUN:
        return False
    year = questionnaire.cycle.year
    return Organisation.objects.filter(
        _coordinated_kommun(user, year=year), pk=organisation.pk
    ).exists()


def _response_query(
    user_id: int, questionnaire_id: int, organisation_id: int
) -> QuerySet[Response]:
    # An id out of the column's range finds nothing (`Prepared`), not a 500.
    return (
        Response.objects.filter(
            questionnaire__pk=questionnaire_id, organisation__pk=organisation_id
        )
        .annotate(
            user_has_role=Exists(
                OrganisationRole.objects.filter(
                    user_id=user_id, organisation_id=OuterRef("organisation_id")
                )
            )
        )
        .order_by("pk")
        .values_list(*_RESPONSE_COLUMNS, "user_has_role")[:1]
    )


# The response with its questionnaire, the questionnaire's cycle and the
# organisation, as `select_related` would read them, in `Model.from_db` order.
_RESPONSE_MODELS = (
    (Response, ""),
    (Questionnaire, "questionnaire__"),
    (Cycle, "questionnaire__cycle__"),
    (Organisation, "organisation__"),
)
_RESPONSE_COLUMNS = [
    name for model, prefix in _RESPONSE_MODELS for name in columns(model, prefix)
]
# Compiled once per database: the gateway runs on every request (issue #20).
_RESPONSE_QUERY = Prepared(_response_query)


def _response_with_role(
    user: User, *, questionnaire_id: int, organisation_id: int
) -> tuple[Response | None, bool]:
    """The pair's response (None if there is none) with its questionnaire,
    cycle and organisation, and whether the user has a role of the
    organisation's own: one query."""
    rows = _RESPONSE_QUERY.rows(user.pk, questionnaire_id, organisation_id)
    if not rows:
        return None, False
    values = list(rows[0])
    objects = []
    for model, _ in _RESPONSE_MODELS:
        n = len(model._meta.concrete_fields)
        objects.append(instance(model, values[:n]))
        values = values[n:]
    response, questionnaire, cycle, organisation = objects
    questionnaire.cycle = cycle
    response.questionnaire = questionnaire
    response.organisation = organisation
    return response, bool(values[0])


def get_response_access(
    user: User, *, questionnaire_id: int, organisation_id: int, for_write: bool
) -> ResponseAccess:
    """Open one organisation's answers to one questionnaire.

    Raises Http404 for anything outside the user's scope (or that does not exist)
    and PermissionDenied when the user may read but the request would write.
    """
    # Most pages open a response that exists: one query reads it with its
    # questionnaire and organisation (issue #20), which the services then use
    # without reading them again. Nothing of it is returned before the checks.
    # The same query says whether the user has a role of the organisation's own
    # (one round trip fewer for every request, issue #20).
    response, user_has_role = _response_with_role(
        user, questionnaire_id=questionnaire_id, organisation_id=organisation_id
    )
    questionnaire = (
        response.questionnaire
        if response is not None
        else Questionnaire.objects.select_related("cycle")
        .filter(pk=questionnaire_id)
        .first()
    )
    if questionnaire is None:
        raise Http404("Enkäten finns inte.")
    organisation = (
        response.organisation
        if response is not None
        else Organisation.objects.filter(pk=organisation_id).first()
    )
    if organisation is None:
        raise Http404("Organisationen finns inte.")
    if organisation.kind != questionnaire.audience:
        raise Http404("Organisationen finns inte.")
    own = (
        user_has_role
        if response is not None
        else organisation.pk in _role_organisation_ids(user)
    )
    # Of the user's own organisations, may_write asks only about this one.
    role_ids = [organisation.pk] if own else []
    can_write = may_write(user, questionnaire, organisation, role_ids=role_ids)
    if not (can_write or user.is_staff_member):
        raise Http404("Enkäten finns inte.")
    if for_write and not can_write:
        raise PermissionDenied("Du kan läsa men inte ändra de här svaren.")
    return ResponseAccess(
        questionnaire,
        organisation,
        response,
        can_write,
        own=own,
    )


def answerable_pairs(user: User) -> list[tuple[Questionnaire, Organisation]]:
    """The questionnaires the user answers, each with the organisation answered for.

    Own organisations only: an RSS coordinator's kommuner appear on the RSS
    status page (issue #4), not in the coordinator's own list.
    """
    organisations = list(
        Organisation.objects.filter(roles__user=user).order_by(
            "kind", "sort_order", "code"
        )
    )
    kinds = {o.kind for o in organisations}
    questionnaires = Questionnaire.objects.filter(audience__in=kinds).select_related(
        "cycle"
    )
    return [
        (questionnaire, organisation)
        for questionnaire in questionnaires.order_by(
            "-cycle__year", "is_supplementary", "key"
        )
        for organisation in organisations
        if organisation.kind == questionnaire.audience
    ]


# --- RSS status pages and sending to kommuner (issue #4) ---------------------------


@dataclass(frozen=True)
class RSSStatusAccess:
    """An RSS's status page for one kommun questionnaire (the hjälpenkät).

    Staff see every RSS's page and may also send and manage contacts from it;
    `sent_by` in the message log says who did.
    """

    rss: Organisation
    questionnaire: Questionnaire

    @property
    def year(self) -> int:
        return self.questionnaire.cycle.year


def get_rss_status_access(
    user: User, *, rss_id: int, questionnaire_id: int
) -> RSSStatusAccess:
    """Open an RSS's status page. Raises Http404 unless the user coordinates that
    RSS or is staff, and the questionnaire is one the RSS sends to its kommuner
    (audience kommun, not a supplementary one: Socialstyrelsen sends those)."""
    if not user.is_active:
        raise Http404("Sidan finns inte.")
    questionnaire = (
        Questionnaire.objects.select_related("cycle")
        .filter(
            pk=questionnaire_id,
            audience=OrganisationKind.KOMMUN,
            is_supplementary=False,
        )
        .first()
    )
    if questionnaire is None:
        raise Http404("Enkäten finns inte.")
    rss = Organisation.objects.filter(pk=rss_id, kind=OrganisationKind.RSS).first()
    if rss is None:
        raise Http404("RSS:et finns inte.")
    if user.is_staff_member:
        return RSSStatusAccess(rss, questionnaire)
    if not OrganisationRole.objects.filter(user=user, organisation=rss).exists():
        raise Http404("RSS:et finns inte.")
    return RSSStatusAccess(rss, questionnaire)


def get_member_kommun(access: RSSStatusAccess, *, kommun_id: int) -> Organisation:
    """A kommun of the page's RSS in the questionnaire's cycle year, else Http404."""
    memberships = RSSMembership.objects.filter(
        memberships_in_year(access.year), rss=access.rss
    )
    kommun = Organisation.objects.filter(
        pk=kommun_id,
        kind=OrganisationKind.KOMMUN,
        pk__in=memberships.values("kommun_id"),
    ).first()
    if kommun is None:
        raise Http404("Kommunen finns inte.")
    return kommun


def get_supplementary_questionnaire(
    user: User, *, questionnaire_id: int
) -> Questionnaire:
    """A supplementary kommun questionnaire, for staff only; Http404 otherwise."""
    if not user.is_staff_member:
        raise Http404("Sidan finns inte.")
    questionnaire = (
        Questionnaire.objects.select_related("cycle")
        .filter(
            pk=questionnaire_id,
            audience=OrganisationKind.KOMMUN,
            is_supplementary=True,
        )
        .first()
    )
    if questionnaire is None:
        raise Http404("Enkäten finns inte.")
    return questionnaire


def get_expected_kommun(
    questionnaire: Questionnaire, *, kommun_id: int
) -> Organisation:
    """A kommun that belongs to some RSS in the questionnaire's year, else Http404."""
    year = questionnaire.cycle.year
    kommun = Organisation.objects.filter(
        pk=kommun_id,
        kind=OrganisationKind.KOMMUN,
        pk__in=RSSMembership.objects.filter(memberships_in_year(year)).values(
            "kommun_id"
        ),
    ).first()
    if kommun is None:
        raise Http404("Kommunen finns inte.")
    return kommun


def may_manage_kommun(user: User, kommun: Organisation, *, year: int) -> bool:
    """Staff, or a coordinator of the RSS the kommun belongs to in `year`: who may
    register the kommun's contacts and send them links and reminders."""
    if not user.is_active:
        return False
    if user.is_staff_member:
        return True
    if kommun.kind != OrganisationKind.KOMMUN:
        return False
    return Organisation.objects.filter(
        _coordinated_kommun(user, year=year), pk=kommun.pk
    ).exists()


def rss_status_pages(user: User) -> list[tuple[Organisation, Questionnaire]]:
    """The RSS status pages the user may open, newest cycle first: an RSS
    coordinator's own RSS, every RSS for staff. Two queries."""
    if not user.is_active:
        return []
    rss = Organisation.objects.filter(kind=OrganisationKind.RSS)
    if not user.is_staff_member:
        rss = rss.filter(roles__user=user)
    rss_list = list(rss.select_related("region").order_by("sort_order", "code"))
    if not rss_list:
        return []
    questionnaires = Questionnaire.objects.filter(
        audience=OrganisationKind.KOMMUN, is_supplementary=False
    ).select_related("cycle")
    return [
        (organisation, questionnaire)
        for questionnaire in questionnaires.order_by("-cycle__year", "key")
        for organisation in rss_list
    ]

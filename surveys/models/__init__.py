"""Organisation register, users, the yearly questionnaires, their lifecycle and the
message log.

One module per sub-domain (register, users, questionnaires, lifecycle, message_log); Django
finds an app's models through this package, so each is imported here, and other
apps import them from `surveys.models` as before. Inside `surveys`, code imports
from the submodules.
"""

from __future__ import annotations

# QuestionKind is re-exported: the kinds and their facts are declared in surveys.kinds.
from surveys.kinds import QuestionKind as QuestionKind
from surveys.models.lifecycle import (
    DeadlineExtension,
    DefinitionChange,
    QuestionnaireEvent,
)
from surveys.models.message_log import (
    ROUND_KINDS,
    Dispatch,
    DispatchStatus,
    Mailing,
    MailingKind,
    RoundStatus,
)
from surveys.models.questionnaires import (
    BaseConvention,
    Comparability,
    Cycle,
    MatrixRow,
    NationalFigure,
    Option,
    Question,
    Questionnaire,
    QuestionnaireState,
    ReferencePeriod,
    Section,
    open_on,
)
from surveys.models.register import (
    RSS,
    Kommun,
    KommunManager,
    Organisation,
    OrganisationKind,
    Population,
    Region,
    RegionManager,
    RSSManager,
    RSSMembership,
    memberships_in_year,
)
from surveys.models.users import (
    EmailUserManager,
    OrganisationRole,
    User,
)

__all__ = [
    "ROUND_KINDS",
    "BaseConvention",
    "Comparability",
    "Cycle",
    "DeadlineExtension",
    "DefinitionChange",
    "Dispatch",
    "DispatchStatus",
    "EmailUserManager",
    "Kommun",
    "KommunManager",
    "Mailing",
    "MailingKind",
    "MatrixRow",
    "NationalFigure",
    "Option",
    "Organisation",
    "OrganisationKind",
    "OrganisationRole",
    "Population",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireEvent",
    "QuestionnaireState",
    "RSS",
    "RSSManager",
    "RSSMembership",
    "ReferencePeriod",
    "Region",
    "RoundStatus",
    "RegionManager",
    "Section",
    "User",
    "memberships_in_year",
    "open_on",
]

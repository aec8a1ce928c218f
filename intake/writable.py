"""The one rule "may this organisation write to this questionnaire now" (issue #15).

Every respondent write asks it: the form and autosave (`save_answers` through
`intake.merge`), the RSS's proxy entry, the Excel upload, the contact details
and the submit (`intake.services`). Respondents write only while the
questionnaire is open; after its deadline too, until staff close it. Staff's own
channels (a raw-data import of an earlier cycle, a correction, the service's
computed counts) are not respondents' writes and are not limited by it.

Who may write at all (the user's organisation, an RSS's kommuner) is the access
gateway's question (`intake.permissions`); this one is about time.
"""

from __future__ import annotations

from intake.models import Channel
from surveys.errors import DomainError
from surveys.formatting import swedish_date
from surveys.models import Organisation, Questionnaire, QuestionnaireState

# The API is a respondent's program writing as the respondent (issue #18).
RESPONDENT_CHANNELS = frozenset(
    {Channel.WEB, Channel.PROXY, Channel.EXCEL, Channel.API}
)

CLOSED_MESSAGE = (
    "Enkäten är stängd. Svaren och kvittot går att läsa men inte ändra. "
    "Kontakta Socialstyrelsen om något behöver rättas."
)
PREPARATION_MESSAGE = (
    "Enkäten har inte öppnat än. Den öppnar {opens_on}; då kan ni börja svara."
)


def refusal(questionnaire: Questionnaire, organisation: Organisation) -> str | None:
    """Why the organisation may not write now, in Swedish; None when it may.

    `organisation` is part of the rule on purpose: the deadline is per
    organisation (extensions), and a per-organisation closing belongs here.
    """
    state = questionnaire.state
    if state == QuestionnaireState.CLOSED:
        return CLOSED_MESSAGE
    if state == QuestionnaireState.PREPARATION:
        return PREPARATION_MESSAGE.format(opens_on=swedish_date(questionnaire.opens_on))
    return None


def require_writable(
    questionnaire: Questionnaire, *, organisation: Organisation, channel: Channel
) -> None:
    """Raise DomainError (Swedish) unless a respondent may write now."""
    if channel not in RESPONDENT_CHANNELS:
        return
    message = refusal(questionnaire, organisation)
    if message is not None:
        raise DomainError(message)

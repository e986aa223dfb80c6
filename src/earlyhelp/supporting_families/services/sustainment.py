"""Sustainment checks: whether a need's positive outcome at closure still held at least the programme rule's
months after the episode closed. A check is recorded only when it is due."""

import datetime

from earlyhelp.programme.models import Need, NeedStatus, ProgrammeRules
from earlyhelp.records.calendar import add_months


def due_on(need: Need, *, rules: ProgrammeRules | None = None) -> datetime.date | None:
    """The first day a sustainment check of the need may be recorded: the episode's closure date plus the
    rule's months (month ends as `records.calendar.add_months` counts them). None while the need has no closed
    episode."""
    episode = need.episode
    if episode is None or episode.closed_on is None:
        return None
    rules = rules or ProgrammeRules.current()
    return add_months(episode.closed_on, rules.sustainment_months)


def is_sustained(need: Need) -> bool:
    """True when the need's outcome was met at closure and a check recorded on or after its due date found it
    sustained."""
    if need.status != NeedStatus.MET:
        return False
    due = due_on(need)
    if due is None:
        return False
    return need.sustainment_checks.filter(sustained=True, checked_on__gte=due).exists()

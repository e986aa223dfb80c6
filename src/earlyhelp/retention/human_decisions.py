"""The suggestions this app proposes and who decides them (see `privacy.services.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services.decisions import DecisionKind

from .services.disposal import accept_disposal_batch

DECISION_KINDS = [
    DecisionKind(SuggestionKind.RETENTION, permission=Permission.DECIDE_DISPOSAL, apply=accept_disposal_batch),
]

"""The suggestions this app proposes and who decides them (see `privacy.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.privacy.decisions import DecisionKind
from earlyhelp.privacy.models import SuggestionKind

from .services.disposal import accept_disposal_batch

DECISION_KINDS = [
    DecisionKind(SuggestionKind.RETENTION, permission=Permission.DECIDE_DISPOSAL, apply=accept_disposal_batch),
]

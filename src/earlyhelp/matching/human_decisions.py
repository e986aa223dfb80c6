"""The suggestions this app proposes and who decides them (see `privacy.services.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.audit.models import Purpose
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services.decisions import DecisionKind

from .needs import confirm_matched_need
from .review import accept_match, accept_new_person

DECISION_KINDS = [
    DecisionKind(SuggestionKind.MATCH, permission=Permission.DECIDE_MATCHES, apply=accept_match,
                 purpose=Purpose.DATA_MATCHING),
    DecisionKind(SuggestionKind.NEW_PERSON, permission=Permission.DECIDE_MATCHES, apply=accept_new_person,
                 purpose=Purpose.DATA_MATCHING),
    # The data team confirms the needs a linked partner record suggests.
    DecisionKind(SuggestionKind.MATCHED_NEED, permission=Permission.DECIDE_MATCHES, apply=confirm_matched_need,
                 purpose=Purpose.DATA_MATCHING),
]

"""The suggestions this app proposes and who decides them (see `privacy.services.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services.decisions import DecisionKind

from .services.needs import confirm_assessment_need

DECISION_KINDS = [
    # The family's own practitioners confirm the needs the approved assessment points to (P13).
    DecisionKind(SuggestionKind.NEED, permission=Permission.CASEWORK, apply=confirm_assessment_need,
                 family_need="can_work_on_case"),
]

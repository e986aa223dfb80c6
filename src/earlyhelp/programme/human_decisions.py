"""The suggestions this app proposes and who decides them (see `privacy.services.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services.decisions import DecisionKind

from .services import confirm_eligibility

DECISION_KINDS = [
    # The family's own practitioners confirm the headline areas a family meets (P13).
    DecisionKind(SuggestionKind.ELIGIBILITY, permission=Permission.CASEWORK, apply=confirm_eligibility,
                 family_need="can_work_on_case"),
]

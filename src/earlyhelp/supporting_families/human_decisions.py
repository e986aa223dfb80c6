"""The suggestions this app proposes and who decides them (see `privacy.services.decisions`)."""

from earlyhelp.access.policy import Permission
from earlyhelp.audit.models import Purpose
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services.decisions import DecisionKind

from .services.shortlist import accept_onto_programme

DECISION_KINDS = [
    # The data team decides which families on the shortlist join the programme (P13).
    DecisionKind(SuggestionKind.ELIGIBILITY, permission=Permission.RUN_PROGRAMME, apply=accept_onto_programme,
                 purpose=Purpose.SUPPORTING_FAMILIES_RETURNS),
]

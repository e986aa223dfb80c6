"""Reading requests made online, for the front door: always through the access table (`SEE_ONLINE_REQUESTS`)."""

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .models import HelpRequest, RequestStatus


def waiting_for(user):
    """Requests sent and waiting for the front door: for roles that see online requests, otherwise none."""
    if not policy.has_permission(user, policy.Permission.SEE_ONLINE_REQUESTS):
        return HelpRequest.objects.none()
    return HelpRequest.objects.filter(status=RequestStatus.SUBMITTED).order_by("submitted_at", "pk")


def open_request(user, request_id) -> HelpRequest:
    """One request waiting for the front door, as an audited read; anything else is the same audited 404."""
    policy.require(user, policy.Permission.SEE_ONLINE_REQUESTS, purpose=Purpose.EARLY_HELP_CASEWORK,
                   object_type="online.helprequest", object_id=request_id)
    found = waiting_for(user).filter(pk=request_id).first()
    if found is None:
        policy.refuse(user, object_type="online.helprequest", object_id=request_id,
                      purpose=Purpose.EARLY_HELP_CASEWORK)
    audit.record(actor=user, action=Action.VIEW, event="online.help_request.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[found])
    return found

from django.conf import settings
from django.utils import timezone

from earlyhelp.access import policy


def service(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        # Navigation shows only what the user's role can use (the rules live in the access policy).
        "can_search": signed_in and policy.may_search(user),
        "can_record_contacts": signed_in and policy.may_record_contacts(user),
        "can_use_emergency_access": signed_in and user.role in policy.EMERGENCY_ROLES,
        "can_manage_retention": signed_in and policy.may_manage_retention(user),
        "can_do_data_matching": signed_in and policy.may_do_data_matching(user),
        "service_name": settings.EARLYHELP_SERVICE_NAME,
        "council_name": settings.EARLYHELP_COUNCIL_NAME,
        "demo_mode": settings.EARLYHELP_DEMO_MODE,
        "today": timezone.localdate(),
    }

from django.conf import settings
from django.utils import timezone

from earlyhelp.access import policy


def service(request):
    user = getattr(request, "user", None)
    return {
        # Pages and navigation show only what the user's role can use, e.g. `{% if can.search_people %}`:
        # the permission table is the access policy's.
        "can": policy.Grants(user),
        "service_name": settings.EARLYHELP_SERVICE_NAME,
        "council_name": settings.EARLYHELP_COUNCIL_NAME,
        "public_service_name": settings.EARLYHELP_PUBLIC_SERVICE_NAME,
        "demo_mode": settings.EARLYHELP_DEMO_MODE,
        "today": timezone.localdate(),
    }

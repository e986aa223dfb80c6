from django.conf import settings
from django.utils import timezone


def service(request):
    return {
        "service_name": settings.EARLYHELP_SERVICE_NAME,
        "council_name": settings.EARLYHELP_COUNCIL_NAME,
        "demo_mode": settings.EARLYHELP_DEMO_MODE,
        "today": timezone.localdate(),
    }

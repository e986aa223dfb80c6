"""Performance reports for managers (their team) and the data team (the council)."""

from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose


def performance(request):
    policy.require_any(request.user, policy.Permission.SEE_TEAM_PERFORMANCE, policy.Permission.SEE_ALL_PERFORMANCE,
                       purpose=Purpose.STATISTICS)
    return render(request, "reporting/performance.html", {})


urlpatterns = [path("performance/", performance, name="performance")]

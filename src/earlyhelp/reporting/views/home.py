"""The data team's home for returns, research and the Ofsted list."""

from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose


def home(request):
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=Purpose.SUPPORTING_FAMILIES_RETURNS)
    return render(request, "reporting/home.html", {})


urlpatterns = [path("", home, name="home")]

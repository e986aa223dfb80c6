"""The programme's home for the data team, and the outcomes framework pages."""

from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS


def home(request):
    policy.require(request.user, policy.Permission.RUN_PROGRAMME, purpose=PURPOSE)
    return render(request, "supporting_families/home.html", {})


urlpatterns = [path("", home, name="home")]

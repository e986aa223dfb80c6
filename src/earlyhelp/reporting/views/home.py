"""The data team's home for returns, research and the Ofsted list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.http_methods import require_safe

from ..models import PublishedReturn


@require_safe
@login_required
def home(request):
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=Purpose.SUPPORTING_FAMILIES_RETURNS)
    return render(request, "reporting/home.html", {"latest": PublishedReturn.objects.first()})


urlpatterns = [path("", home, name="home")]

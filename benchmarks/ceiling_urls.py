"""The framework's ceiling for the headroom benchmark (`load.py --scenario ceiling`): the application's own URLs plus
one trivial signed-in view, served with every middleware of the family page. Loaded only by the benchmark's server
(benchmarks/ceiling_settings.py), never by the application."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from earlyhelp.urls import urlpatterns as application


@login_required
def trivial(request):
    return HttpResponse("ok" if request.user.is_verified() else "not verified", content_type="text/plain")


urlpatterns = [path("benchmark-ceiling/", trivial), *application]

"""Performance reports for managers (their team) and the data team (the council).

Who sees which teams, and whether figures are protected, is decided by `services.performance` through the
permission table; this page reads the period, shows the tables with their charts, and offers the CSV."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.http_methods import require_export, require_safe
from earlyhelp.ui.service_forms import run_service

from ..returns_forms import PeriodForm
from ..services import performance as service


def _scope(user):
    try:
        return service.scope_of(user)
    except PermissionDenied:  # a manager of no team: the page says so when it runs the report
        return None


def _require(request):
    policy.require_any(request.user, policy.Permission.SEE_TEAM_PERFORMANCE, policy.Permission.SEE_ALL_PERFORMANCE,
                       purpose=Purpose.STATISTICS)


def _period_form(request):
    """The period from the query string; when none is given, the last 12 months for a team, the last financial
    quarter that has ended for every team."""
    if any(key.startswith(("start_", "end_")) for key in request.GET):
        return PeriodForm(request.GET)
    start, end = service.default_period(_scope(request.user))
    return PeriodForm({"start_day": start.day, "start_month": start.month, "start_year": start.year,
                       "end_day": end.day, "end_month": end.month, "end_year": end.year})


@require_safe
@login_required
def performance(request):
    _require(request)
    form = _period_form(request)
    built = None
    if form.is_valid():
        built = run_service(form, lambda: service.report(by=request.user, start=form.cleaned_data["start"],
                                                         end=form.cleaned_data["end"]))
    context = {"form": form, "report": built}
    if built is not None:
        context.update({
            "timeliness": [(built.table(title), service.percent_within(built.table(title)))
                           for title in (service.TIMELINESS_BY_TEAM, service.TIMELINESS_BY_MONTH)],
            "charted": [built.table(title) for title in service.CHARTED if _has(built, title)],
            "other_tables": [built.table(title) for title in
                             (service.OPEN_BY_STAGE_AND_TEAM, service.RE_REFERRALS_BY_TEAM) if _has(built, title)],
            "query": _query(built.start, built.end),
        })
    return render(request, "reporting/performance.html", context)


def _has(built, title) -> bool:
    return any(table.title == title for table in built.tables)


def _query(start, end) -> str:
    """The period as a query string, for the download link."""
    return urlencode({"start_day": start.day, "start_month": start.month, "start_year": start.year,
                      "end_day": end.day, "end_month": end.month, "end_year": end.year})


@require_export
@login_required
def performance_download(request):
    # Only figures published for every team leave: a team's own figures are for the screen.
    policy.require(request.user, policy.Permission.SEE_ALL_PERFORMANCE, purpose=Purpose.STATISTICS)
    form = _period_form(request)
    if form.is_valid():
        made = run_service(form, lambda: service.report_csv(by=request.user, start=form.cleaned_data["start"],
                                                            end=form.cleaned_data["end"]))
        if made is not None:
            name, content = made
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "reporting/performance.html", {"form": form, "report": None}, status=400)


urlpatterns = [
    path("performance/", performance, name="performance"),
    path("performance/download/", performance_download, name="performance-download"),
]

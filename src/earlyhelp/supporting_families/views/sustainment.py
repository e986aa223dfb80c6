"""Sustainment checks: the needs whose positive outcome at closure must be checked again, and recording a check.
Both name the family's members, so every view is an audit event under the Supporting Families purpose."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from earlyhelp.programme.models import HeadlineArea, Need, ProgrammeRules
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..forms import SustainmentCheckForm
from ..models import SustainmentMethod
from ..services import sustainment as services
from .framework import page_of, posted, require, viewed

STATES = [("", "All awaiting a check"), ("reminder", "Overdue, due today or due soon"), ("overdue", "Overdue"),
          ("due", "Due today"), ("soon", "Due soon")]


@require_safe
@login_required
def checks(request):
    require(request)
    rules, today = ProgrammeRules.current(), timezone.localdate()
    state = request.GET.get("state", "reminder")
    state = state if state in dict(STATES) else "reminder"
    area = request.GET.get("area", "")
    found = services.due_checks(today=today, within_reminder=state != "")
    if state not in ("", "reminder"):
        found = [item for item in found if item.state == state]
    if area:
        found = [item for item in found if item.need.descriptor.area.code == area]
    page = page_of(request, found)
    viewed(request, "sustainment_checks.view", objects=[item.need for item in page.object_list],
           listed=len(page.object_list))
    return render(request, "supporting_families/sustainment.html", {
        "page": page, "state": state, "states": STATES, "area": area, "areas": HeadlineArea.objects.all(),
        "rules": rules, "today": today, "counts": services.counts(today=today)})


@require_form_page
@login_required
def check(request, need_id):
    need = require(request, Need, need_id, services.awaiting_check())
    due = services.due_on(need)
    records = list(services.offered_records(need))
    form = SustainmentCheckForm(posted(request), records=records,
                                initial={"checked_on": timezone.localdate() if due <= timezone.localdate() else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(form, lambda: services.record_check(
            by=request.user, need_id=need.pk, method=data["method"], sustained=data["sustained"],
            evidence=data["evidence"], checked_on=data["checked_on"], source_record_id=data["source_record"]))
        if done is not None:
            messages.success(request, "The sustainment check is recorded: the outcome was sustained."
                             if done.sustained else "The sustainment check is recorded: the outcome was not sustained.")
            return redirect("programme:sustainment")
    viewed(request, "sustainment_need.view", objects=[need, *records])
    return render(request, "supporting_families/sustainment_check.html", {
        "need": need, "due": due, "records": records, "form": form, "not_yet_due": due > timezone.localdate(),
        "closure": need.progress.filter(occasion="closure").first(), "matched": SustainmentMethod.MATCHED_DATA,
        "days_to_go": (due - timezone.localdate()).days if isinstance(due, datetime.date) else None})


urlpatterns = [
    path("sustainment/", checks, name="sustainment"),
    path("sustainment/needs/<int:need_id>/", check, name="sustainment-check"),
]

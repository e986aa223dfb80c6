"""Pages for what leaves the team: panel packs (P26) and the family's "who has my information" report (P17)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from . import provenance
from .forms import PanelPackForm
from .services import panel_packs

PURPOSE = Purpose.EARLY_HELP_CASEWORK


def _caseworker_access(request, household_id):
    return policy.require_family(request.user, household_id, purpose=PURPOSE, need="can_work_on_case")


@require_form_page
@login_required
def panel_pack_new(request, household_id):
    """Choose the sections; the pack (a PDF) is logged as a disclosure and handed over at once."""
    access = policy.open_family(request.user, household_id, purpose=PURPOSE, need="can_work_on_case")
    form = PanelPackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = run_service(form, lambda: panel_packs.prepare_panel_pack(
            by=request.user, household=access.household, panel=data["panel"], sections=data["sections"],
            basis=data["basis"], reason=data["reason"], special_category_shared=data["special_category_shared"]))
        if result:
            pdf, pack = result
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="panel-pack-{pack.reference}.pdf"'
            return response
    return render(request, "casework/form_page.html", {
        "title": "Prepare a multi-agency panel pack", "button": "Prepare the pack", "form": form, "access": access,
        "household": access.household})


@require_safe
@login_required
def family_information(request, household_id):
    """Who has the family's information, who gave it to us, and why: to answer the family (P17)."""
    access = _caseworker_access(request, household_id)
    report = provenance.open_information_report(request.user, access.household, purpose=PURPOSE)
    return render(request, "casework/family_information.html", {
        "access": access, "household": access.household, "report": report})

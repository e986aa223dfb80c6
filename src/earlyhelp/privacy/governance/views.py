"""The DPO's pages for breaches, DPIAs, data-sharing agreements and the physical safeguards' reviews, beside the processing register.

Who may read and keep them is the one door's (`READ_REGISTER`, `KEEP_REGISTER`); anyone else gets an audited
404. Every page view and every change is an audit event; changes go through `governance.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import run_service

from ..models import ProcessingPurpose
from . import hosting, services
from .forms import (
    BREACH_FILTERS,
    AgreementForm,
    BreachFilterForm,
    BreachForm,
    DpiaForm,
    HostingReviewForm,
    IcoReportForm,
)
from .models import Breach, DataSharingAgreement, Dpia, HostingReview, Reportable

PURPOSE = services.AUDIT_PURPOSE


def _require(request, model, *, keep: bool, entry_id=None):
    """The entry (if named) for a user allowed to read the registers, or to keep them; else an audited 404."""
    permission = policy.Permission.KEEP_REGISTER if keep else policy.Permission.READ_REGISTER
    object_type = model._meta.label_lower
    if not policy.has_permission(request.user, permission):
        policy.refuse(request.user, object_type=object_type, object_id=entry_id, purpose=PURPOSE)
    if entry_id is None:
        return None
    entry = model.objects.filter(pk=entry_id).first()
    if entry is None:
        policy.refuse(request.user, object_type=object_type, object_id=entry_id, purpose=PURPOSE)
    return entry


def _viewed(request, event, *, objects=(), **metadata):
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=PURPOSE, objects=objects,
                 metadata=metadata)


def _may_keep(request) -> bool:
    return policy.has_permission(request.user, policy.Permission.KEEP_REGISTER)


# --- Breaches -------------------------------------------------------------------------------------------------------

@require_safe
@login_required
def breach_list(request):
    _require(request, Breach, keep=False)
    form = BreachFilterForm(request.GET or None)
    show = (form.cleaned_data.get("show") if form.is_valid() else "") or "open"
    now = timezone.now()
    breaches = list(Breach.objects.all())
    rows = [b for b in breaches if show == "all" or (show == "open" and b.is_open)
            or (show == "closed" and not b.is_open) or (show == "overdue" and b.ico_overdue(now))]
    _viewed(request, "breach_register.view", show=show, listed=len(rows))
    page = paged_rows(request, rows)
    return render(request, "privacy/governance/breaches.html", {
        "rows": page.object_list, "page": page, "now": now, "show": show, "filters": BREACH_FILTERS, "form": form,
        "overdue": sum(b.ico_overdue(now) for b in breaches), "open": sum(b.is_open for b in breaches),
        "may_keep": _may_keep(request)})


@require_safe
@login_required
def breach_detail(request, breach_id):
    breach = _require(request, Breach, keep=False, entry_id=breach_id)
    _viewed(request, "breach.view", objects=[breach])
    return render(request, "privacy/governance/breach.html", {
        "breach": breach, "now": timezone.now(), "overdue": breach.ico_overdue(timezone.now()),
        "history": services.history(breach, services.BREACH_LABELS), "may_keep": _may_keep(request),
        "not_reportable": breach.reportable == Reportable.NO})


@require_form_page
@login_required
def breach_new(request):
    _require(request, Breach, keep=True)
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        breach = run_service(form, lambda: services.save_breach(by=request.user, **form.service_fields()))
        if breach is not None:
            messages.success(request, f"Breach {breach.reference} is recorded.")
            return redirect("web:breach", breach_id=breach.pk)
    return render(request, "privacy/governance/breach_form.html", {"form": form})


@require_form_page
@login_required
def breach_edit(request, breach_id):
    breach = _require(request, Breach, keep=True, entry_id=breach_id)
    form = BreachForm(request.POST or None, breach=breach)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.save_breach(by=request.user, breach=breach,
                                                          reason=form.cleaned_data["change_reason"],
                                                          **form.service_fields()))
        if saved is not None:
            messages.success(request, f"Breach {saved.reference}: your changes are saved.")
            return redirect("web:breach", breach_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "breach.view", objects=[breach], page="edit")
    return render(request, "privacy/governance/breach_form.html", {"form": form, "breach": breach})


@require_form_page
@login_required
def breach_report(request, breach_id):
    breach = _require(request, Breach, keep=True, entry_id=breach_id)
    form = IcoReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.report_breach_to_ico(
            by=request.user, breach=breach, reported_at=form.cleaned_data["reported_at"],
            ico_reference=form.cleaned_data["ico_reference"], late_reason=form.cleaned_data["late_reason"]))
        if saved is not None:
            messages.success(request, f"The report of {saved.reference} to the ICO is recorded.")
            return redirect("web:breach", breach_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "breach.view", objects=[breach], page="report")
    return render(request, "privacy/governance/breach_report.html", {"form": form, "breach": breach})


@require_POST
@login_required
def breach_close(request, breach_id):
    breach = _require(request, Breach, keep=True, entry_id=breach_id)
    try:
        services.close_breach(by=request.user, breach=breach)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Breach {breach.reference} is closed.")
    return redirect("web:breach", breach_id=breach.pk)


# --- Data-sharing agreements ----------------------------------------------------------------------------------------

@require_safe
@login_required
def agreement_list(request):
    _require(request, DataSharingAgreement, keep=False)
    today = timezone.localdate()
    agreements = list(DataSharingAgreement.objects.prefetch_related("parties", "purposes"))
    _viewed(request, "sharing_agreements.view", listed=len(agreements))
    page = paged_rows(request, agreements)
    return render(request, "privacy/governance/agreements.html", {
        "rows": [{"agreement": a, "standing": a.standing_on(today)} for a in page.object_list], "page": page,
        "may_keep": _may_keep(request)})


@require_safe
@login_required
def agreement_detail(request, agreement_id):
    agreement = _require(request, DataSharingAgreement, keep=False, entry_id=agreement_id)
    _viewed(request, "sharing_agreement.view", objects=[agreement])
    return render(request, "privacy/governance/agreement.html", {
        "agreement": agreement, "standing": agreement.standing_on(timezone.localdate()),
        "imports": agreement.import_batches.count(), "disclosures": agreement.disclosures_cited.count(),
        "history": services.history(agreement, {}), "may_keep": _may_keep(request)})


@require_form_page
@login_required
def agreement_new(request):
    _require(request, DataSharingAgreement, keep=True)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.save_agreement(by=request.user, **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.reference} is added to the register of agreements.")
            return redirect("web:agreement", agreement_id=saved.pk)
    return render(request, "privacy/governance/agreement_form.html", {"form": form})


@require_form_page
@login_required
def agreement_edit(request, agreement_id):
    agreement = _require(request, DataSharingAgreement, keep=True, entry_id=agreement_id)
    form = AgreementForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.save_agreement(by=request.user, agreement=agreement,
                                                             reason=form.cleaned_data["change_reason"],
                                                             **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.reference}: your changes are saved.")
            return redirect("web:agreement", agreement_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "sharing_agreement.view", objects=[agreement], page="edit")
    return render(request, "privacy/governance/agreement_form.html", {"form": form, "agreement": agreement})


# --- DPIAs ----------------------------------------------------------------------------------------------------------

@require_safe
@login_required
def dpia_list(request):
    _require(request, Dpia, keep=False)
    today = timezone.localdate()
    dpias = list(Dpia.objects.prefetch_related("purposes"))
    _viewed(request, "dpia_register.view", listed=len(dpias))
    page = paged_rows(request, dpias)
    return render(request, "privacy/governance/dpias.html", {
        "rows": [{"dpia": d, "overdue": d.review_overdue(today)} for d in page.object_list], "page": page,
        "overdue": sum(d.review_overdue(today) for d in dpias), "may_keep": _may_keep(request)})


@require_safe
@login_required
def dpia_detail(request, dpia_id):
    dpia = _require(request, Dpia, keep=False, entry_id=dpia_id)
    _viewed(request, "dpia.view", objects=[dpia])
    return render(request, "privacy/governance/dpia.html", {
        "dpia": dpia, "overdue": dpia.review_overdue(timezone.localdate()),
        "history": services.history(dpia, {}), "may_keep": _may_keep(request)})


@require_form_page
@login_required
def dpia_new(request):
    _require(request, Dpia, keep=True)
    initial = {}
    purpose_id = request.GET.get("purpose", "")
    if purpose_id.isdigit():
        initial["purposes"] = list(ProcessingPurpose.objects.filter(pk=int(purpose_id)))
    form = DpiaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.save_dpia(by=request.user, **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.reference} is added to the register of DPIAs.")
            return redirect("web:dpia", dpia_id=saved.pk)
    return render(request, "privacy/governance/dpia_form.html", {"form": form})


@require_form_page
@login_required
def dpia_edit(request, dpia_id):
    dpia = _require(request, Dpia, keep=True, entry_id=dpia_id)
    form = DpiaForm(request.POST or None, dpia=dpia)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.save_dpia(by=request.user, dpia=dpia,
                                                        reason=form.cleaned_data["change_reason"],
                                                        **form.service_fields()))
        if saved is not None:
            messages.success(request, f"{saved.reference}: your changes are saved.")
            return redirect("web:dpia", dpia_id=saved.pk)
    if request.method != "POST":
        _viewed(request, "dpia.view", objects=[dpia], page="edit")
    return render(request, "privacy/governance/dpia_form.html", {"form": form, "dpia": dpia})


# --- Physical safeguards (P23) ------------------------------------------------------------------------------------

@require_safe
@login_required
def hosting_reviews(request):
    _require(request, HostingReview, keep=False)
    page = Paginator(HostingReview.objects.select_related("recorded_by"), 10).get_page(request.GET.get("page"))
    _viewed(request, "hosting_review_register.view", listed=len(page.object_list))
    return render(request, "privacy/governance/hosting_reviews.html", {
        "current": hosting.current_review(), "problem": hosting.standing(), "page": page,
        "may_keep": _may_keep(request)})


@require_form_page
@login_required
def hosting_review_new(request):
    _require(request, HostingReview, keep=True)
    form = HostingReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: hosting.record_hosting_review(by=request.user, **form.service_fields()))
        if saved is not None:
            messages.success(request, "The review of the physical safeguards is recorded.")
            return redirect("web:hosting-reviews")
    return render(request, "privacy/governance/hosting_review_form.html", {"form": form})

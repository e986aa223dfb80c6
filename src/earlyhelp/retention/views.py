"""The DPO's retention pages: rules, legal holds, sweeps, disposal batches and certificates (P4, P20).

Only the DPO may use them (`policy.Permission.MANAGE_RETENTION`); anyone else gets an audited 404. Every page view
and every change is an audit event; changes go through the services (`rules`, `holds`, `sweep`, `disposal`).
Pages show families by their reference only, never a name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.template.loader import render_to_string

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.ui.http_methods import require_export, require_form_page, require_POST, require_safe
from earlyhelp.ui.progress import auto_refresh, cancel_job
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import run_service

from .forms import DecisionForm, DisposeForm, HoldForm, LiftForm, RuleForm
from .models import (
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    DisposalCertificate,
    HoldKind,
    HoldScope,
    LegalHold,
    RecordClass,
    RetentionRule,
    RuleAction,
    SweepRun,
)
from .services import disposal, holds, rules, sweep

AUDIT_PURPOSE = Purpose.EARLY_HELP_CASEWORK
CANDIDATES_SHOWN = 200


def _require(request, model=RetentionRule, object_id=None):
    """An audited 404 for anyone who may not manage retention, and for a record that does not exist."""
    if not policy.has_permission(request.user, policy.Permission.MANAGE_RETENTION):
        policy.refuse(request.user, object_type=model._meta.label_lower, object_id=object_id, purpose=AUDIT_PURPOSE)
    if object_id is None:
        return None
    found = model.objects.filter(pk=object_id).first()
    if found is None:
        policy.refuse(request.user, object_type=model._meta.label_lower, object_id=object_id, purpose=AUDIT_PURPOSE)
    return found


def _posted(request):
    """The posted data, or None for a GET: an empty post is still a post, and gets its errors."""
    return request.POST if request.method == "POST" else None


def _viewed(request, event, *, objects=(), action=Action.VIEW, **metadata):
    audit.record(actor=request.user, action=action, event=event, purpose=AUDIT_PURPOSE, objects=objects,
                 metadata=metadata)


def _error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


EPOCHS_SHOWN = 20


# --- Overview ----------------------------------------------------------------------------------------

@require_safe
@login_required
def home(request):
    _require(request)
    batches = DisposalBatch.objects.exclude(status=BatchStatus.BUILDING)
    context = {
        "active_rules": RetentionRule.objects.filter(is_active=True).count(),
        "rules": RetentionRule.objects.count(),
        "active_holds": holds.active_holds().count(),
        "pending": batches.filter(status=BatchStatus.PENDING).count(),
        "approved": batches.filter(status=BatchStatus.APPROVED).count(),
        "certificates": DisposalCertificate.objects.count(),
        "last_run": SweepRun.objects.first(),
        "epochs": list(audit.sealed_epochs()[:EPOCHS_SHOWN]),
    }
    _viewed(request, "retention.view")
    return render(request, "retention/home.html", context)


# --- Rules -------------------------------------------------------------------------------------------

@require_safe
@login_required
def rule_list(request):
    _require(request)
    page = paged_rows(request, RetentionRule.objects.all())
    _viewed(request, "retention_rules.view", rules_listed=len(page.object_list))
    return render(request, "retention/rules.html", {"rules": page.object_list, "page": page})


def _rule_form_page(request, form, rule=None):
    return render(request, "retention/rule_form.html", {"form": form, "rule": rule,
                                                       "history": rules.history(rule) if rule else []})


@require_form_page
@login_required
def rule_new(request):
    _require(request)
    form = RuleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: rules.save_rule(by=request.user, **form.service_fields()))
        if saved is not None:
            messages.success(request, f"Rule {saved.code} is added.")
            return redirect("retention:rules")
    return _rule_form_page(request, form)


@require_form_page
@login_required
def rule_edit(request, rule_id):
    rule = _require(request, RetentionRule, rule_id)
    form = RuleForm(_posted(request), rule=rule)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: rules.save_rule(by=request.user, rule=rule,
                                                          reason=form.cleaned_data["change_reason"],
                                                          **form.service_fields()))
        if saved is not None:
            messages.success(request, f"Rule {saved.code}: your changes are saved.")
            return redirect("retention:rules")
    if request.method != "POST":
        _viewed(request, "retention_rule.view", objects=[rule])
    return _rule_form_page(request, form, rule)


# --- Legal holds ---------------------------------------------------------------------------------------

def _hold_row(hold):
    if hold.scope == HoldScope.HOUSEHOLD:
        target = f"Family {hold.household.reference}" if hold.household_id else "A family whose records are gone"
    elif hold.scope == HoldScope.PERSON:
        target = f"Person {hold.person_id}" if hold.person_id else "A person whose records are gone"
    else:
        target = hold.get_criterion_display()
    families = holds.households_covered(hold).count() if hold.is_active else None
    return {"hold": hold, "target": target, "families": families}


@require_safe
@login_required
def hold_list(request):
    _require(request, LegalHold)
    rows = [_hold_row(h) for h in LegalHold.objects.select_related("household", "placed_by", "lifted_by")]
    _viewed(request, "legal_holds.view", holds_listed=len(rows))
    return render(request, "retention/holds.html", {
        "active": [r for r in rows if r["hold"].is_active], "lifted": [r for r in rows if not r["hold"].is_active]})


@require_form_page
@login_required
def hold_new(request):
    _require(request, LegalHold)
    form = HoldForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        hold = run_service(form, lambda: holds.place_hold(by=request.user, **form.cleaned_data))
        if hold is not None:
            messages.success(request, f"Legal hold {hold.reference} is placed: nothing it covers will be disposed of.")
            return redirect("retention:holds")
    return render(request, "retention/hold_form.html", {"form": form})


@require_form_page
@login_required
def hold_lift(request, hold_id):
    hold = _require(request, LegalHold, hold_id)
    form = LiftForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        lifted = run_service(form, lambda: holds.lift_hold(by=request.user, hold=hold,
                                                           reason=form.cleaned_data["lift_reason"]))
        if lifted is not None:
            messages.success(request, f"Legal hold {lifted.reference} is lifted.")
            return redirect("retention:holds")
    if request.method != "POST":
        _viewed(request, "legal_hold.view", objects=[hold])
    return render(request, "retention/hold_lift.html", {"form": form, "row": _hold_row(hold)})


# --- Sweeps --------------------------------------------------------------------------------------------

@require_form_page
@login_required
def sweep_list(request):
    _require(request, SweepRun)
    if request.method == "POST":
        try:
            run = sweep.start_sweep(by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_error_messages(error)))
            return redirect("retention:sweeps")
        return redirect("retention:sweep", run_id=run.pk)
    runs = list(SweepRun.objects.select_related("requested_by")[:50])
    _viewed(request, "retention_sweeps.view", runs_listed=len(runs))
    return render(request, "retention/sweeps.html", {"runs": runs, "running": any(r.is_running for r in runs)})


def _report_rows(report):
    rows = []
    for entry in report.get("rules", []):
        rows.append({**entry, "record_class_label": disposal.record_class_label(entry.get("record_class", "")),
                     "action_label": RuleAction(entry["action"]).label if entry.get("action") in RuleAction.values
                     else entry.get("action", ""),
                     "held_kinds": [(holds_kind_label(kind), count) for kind, count in entry.get("held_by_kind", {}).items()]})
    return rows


def holds_kind_label(kind):
    return HoldKind(kind).label if kind in HoldKind.values else kind


@require_safe
@login_required
def sweep_detail(request, run_id):
    run = _require(request, SweepRun, run_id)
    _viewed(request, "retention_sweep.view", objects=[run])
    batches = list(run.batches.exclude(status=BatchStatus.BUILDING))
    return render(request, "retention/sweep.html", {
        "run": run, "rows": _report_rows(run.report), "batches": batches,
        **auto_refresh(request, running=run.is_running, cancel_url=reverse("retention:sweep-cancel", args=[run.pk]),
                       cancel_label="Cancel this sweep")})


@require_POST
@login_required
def sweep_cancel(request, run_id):
    run = _require(request, SweepRun, run_id)
    cancel_job(request, lambda: sweep.cancel_sweep(by=request.user, run=run),
               done="The sweep was cancelled: the batch it was building was dropped.")
    return redirect("retention:sweep", run.pk)


# --- Batches -------------------------------------------------------------------------------------------

@require_safe
@login_required
def batch_list(request):
    _require(request, DisposalBatch)
    batches = list(DisposalBatch.objects.exclude(status=BatchStatus.BUILDING).select_related("approved_by"))
    _viewed(request, "disposal_batches.view", batches_listed=len(batches))
    return render(request, "retention/batches.html", {
        "waiting": [b for b in batches if b.status in (BatchStatus.PENDING, BatchStatus.APPROVED)],
        "decided": [b for b in batches if b.status not in (BatchStatus.PENDING, BatchStatus.APPROVED)]})


def _dry_run_rows(data: dict):
    return [{"label": sweep.model_label_text(label), "model": label, "count": count}
            for label, count in sorted(data.get("models", {}).items(), key=lambda item: (-item[1], item[0]))]


CHART_AREA = 400  # px for the longest bar; labels take 300, the figure up to 100


def _section_label(section: str) -> str:
    """The inventory's sections are written for a family reading its subject access pack ("Your record"): say
    them for the DPO."""
    label = section.replace("your family's", "the family's").replace("Your family", "Family")
    label = label.replace("Your record", "People's own records").replace("Your ", "")
    return label[:1].upper() + label[1:]


def _chart(rows, caption, chart_id):
    largest = max((count for _, count in rows), default=0) or 1
    bars = [{"label": label, "count": count, "width": round(CHART_AREA * count / largest), "y": i * 36}
            for i, (label, count) in enumerate(rows)]
    return {"caption": caption, "id": chart_id, "bars": bars, "height": len(bars) * 36}


def _batch_context(batch, *, form=None):
    candidates = batch.candidates.select_related("household", "hold")
    tally = dict(candidates.values_list("status").annotate(n=Count("pk")))
    shown = list(candidates.filter(~Q(status=CandidateStatus.DISPOSED)).order_by(
        Case(When(status=CandidateStatus.PROPOSED, then=1), default=0), "pk")[:CANDIDATES_SHOWN])  # held first
    return {
        "batch": batch, "form": form or DecisionForm(), "record_class": RecordClass(batch.record_class).label,
        "rule_changed": batch.rule_changed() and batch.status in (BatchStatus.PENDING, BatchStatus.APPROVED),
        "dry_run": _dry_run_rows(batch.dry_run), "result": _dry_run_rows({"models": batch.result}),
        "chart": _chart([(_section_label(section), count) for section, count in sorted(
            batch.dry_run.get("sections", {}).items(), key=lambda item: (-item[1], item[0]))],
            "Records disposal would reach, by part of the record", "dry-run-chart"),
        "candidates": shown, "tally": [(CandidateStatus(status).label, n) for status, n in sorted(tally.items())],
        "candidate_count": sum(tally.values()), "shown_all": len(shown) >= sum(
            n for status, n in tally.items() if status != CandidateStatus.DISPOSED),
        "decision": batch.decision(), "certificate": getattr(batch, "certificate", None),
    }


def _batch(request, batch_id):
    return _require(request, DisposalBatch, batch_id)


@require_safe
@login_required
def batch_detail(request, batch_id):
    batch = _batch(request, batch_id)
    if batch.status == BatchStatus.BUILDING:
        policy.refuse(request.user, object_type="retention.disposalbatch", object_id=batch_id, purpose=AUDIT_PURPOSE)
    _viewed(request, "disposal_batch.view", objects=[batch], families=batch.families_proposed)
    return render(request, "retention/batch.html", _batch_context(batch))


@require_POST
@login_required
def batch_decide(request, batch_id):
    batch = _batch(request, batch_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        decided = run_service(form, lambda: disposal.decide_batch(by=request.user, batch=batch, approve=approve,
                                                                  reason=form.cleaned_data["reason"]))
        if decided is not None:
            if decided.status == BatchStatus.APPROVED:
                messages.success(request, f"{decided.reference} is approved. Nothing is disposed of until you "
                                          f"choose to dispose of it.")
            else:
                messages.success(request, f"{decided.reference} is {decided.get_status_display().lower()}.")
            return redirect("retention:batch", batch_id=decided.pk)
    batch.refresh_from_db()
    return render(request, "retention/batch.html", _batch_context(batch, form=form))


@require_form_page
@login_required
def batch_dispose(request, batch_id):
    batch = _batch(request, batch_id)
    form = DisposeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            certificate = disposal.dispose_batch(by=request.user, batch=batch)
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            batch.refresh_from_db()
            if certificate is not None:
                messages.success(request, f"{batch.reference}: {certificate.families} "
                                          f"{'family' if certificate.families == 1 else 'families'} "
                                          f"{batch.get_status_display().lower()}. Certificate {certificate.reference} "
                                          f"is issued.")
                return redirect("retention:certificate", certificate_id=certificate.pk)
            messages.success(request, f"{batch.reference}: no family could be disposed of (held or no longer due).")
            return redirect("retention:batch", batch_id=batch.pk)
    if request.method != "POST":
        _viewed(request, "disposal_batch.view", objects=[batch], page="dispose")
    return render(request, "retention/batch_dispose.html", {**_batch_context(batch), "form": form})


# --- Certificates --------------------------------------------------------------------------------------

@require_safe
@login_required
def certificate_list(request):
    _require(request, DisposalCertificate)
    page = paged_rows(request, DisposalCertificate.objects.select_related("batch", "approved_by"))
    _viewed(request, "disposal_certificates.view", certificates_listed=len(page.object_list))
    return render(request, "retention/certificates.html", {"certificates": page.object_list, "page": page})


def _certificate_context(certificate):
    return {"certificate": certificate, "batch": certificate.batch,
            "record_class": RecordClass(certificate.record_class).label,
            "rows": _dry_run_rows({"models": certificate.records})}


@require_safe
@login_required
def certificate_detail(request, certificate_id):
    certificate = _require(request, DisposalCertificate, certificate_id)
    _viewed(request, "disposal_certificate.view", objects=[certificate])
    return render(request, "retention/certificate.html", _certificate_context(certificate))


@require_export
@login_required
def certificate_pdf(request, certificate_id):
    from weasyprint import (
        HTML,  # imported here: loading Pango is slow and only the PDF needs it
    )

    certificate = _require(request, DisposalCertificate, certificate_id)
    html = render_to_string("retention/certificate_print.html", _certificate_context(certificate), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    _viewed(request, "disposal_certificate.export", objects=[certificate], action=Action.EXPORT)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="disposal-certificate-{certificate.reference}.pdf"'
    return response

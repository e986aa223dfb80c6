"""Claims pages for the data team: batches per period, a person's decision on each claim, submission with the
assurance sample, and each family's evidence bundle (PDF).

Only the data team may use them (`Permission.RUN_PROGRAMME`); anyone else, and anyone asking for a batch or
claim that does not exist, gets the audited "Page not found". Every page showing a family is an audit event
under the Supporting Families returns purpose; every change goes through `services.claims`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.access.restrictions import without_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.ui.http_methods import require_export, require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..claims_forms import BatchForm, DecisionForm, SubmitForm
from ..models import BatchStatus, Claim, ClaimBatch, ClaimStatus
from ..services import claims

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS
PAGE_SIZE = 50
SORTS = {"reference": ("household__reference", "pk"), "closed": ("episode__closed_on", "pk"),
         "status": ("status", "pk")}


def _require(request, model=None, object_id=None, queryset=None):
    """An audited 404 for anyone outside the data team, and for a batch or claim that does not exist."""
    label = model._meta.label_lower if model is not None else "supporting_families.claimbatch"
    policy.require(request.user, policy.Permission.RUN_PROGRAMME, purpose=PURPOSE, object_type=label,
                   object_id=object_id)
    if model is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=object_id).first()
    if found is None:
        policy.refuse(request.user, object_type=label, object_id=object_id, purpose=PURPOSE)
    return found


def _viewed(request, event, *, objects=(), household_id=None, action=Action.VIEW, **metadata):
    audit.record(actor=request.user, action=action, event=event, purpose=PURPOSE, objects=objects,
                 household_id=household_id, metadata=metadata)


def _posted(request):
    return request.POST if request.method == "POST" else None


@require_safe
@login_required
def batch_list(request):
    _require(request)
    batches = ClaimBatch.objects.select_related("created_by", "submitted_by").annotate(
        claim_count=Count("claims"), accepted=Count("claims", filter=Q(claims__status=ClaimStatus.ACCEPTED)),
        waiting=Count("claims", filter=Q(claims__status=ClaimStatus.PROPOSED))).order_by("-period_end", "-pk")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    _viewed(request, "claim_batches.view", listed=len(page.object_list))
    return render(request, "supporting_families/claim_batches.html", {"page": page})


@require_form_page
@login_required
def batch_new(request):
    _require(request)
    form = BatchForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = run_service(form, lambda: claims.create_batch(
            by=request.user, period_start=data["period_start"], period_end=data["period_end"],
            sample_fraction=form.sample_fraction))
        if batch is not None:
            count = batch.claims.count()
            messages.success(request, f"{count} famil{'y' if count == 1 else 'ies'} proposed for a claim")
            return redirect("programme:claim-batch", batch.pk)
    return render(request, "supporting_families/claim_batch_new.html", {"form": form})


def _batch_summary(batch) -> dict:
    counts = dict(batch.claims.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"batch": batch, "period": claims.period_of(batch), "waiting": counts.get(ClaimStatus.PROPOSED, 0),
            "accepted": counts.get(ClaimStatus.ACCEPTED, 0), "refused": counts.get(ClaimStatus.REFUSED, 0),
            "sample_percent": f"{(batch.sample_fraction * 100).normalize():f}"}


@require_safe
@login_required
def batch_detail(request, batch_id):
    batch = _require(request, ClaimBatch, batch_id, ClaimBatch.objects.select_related("created_by", "submitted_by"))
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "reference")
    rows = batch.claims.select_related("household", "episode", "decided_by").order_by(
        *SORTS.get(sort, SORTS["reference"]))
    if status in ClaimStatus.values:
        rows = rows.filter(status=status)
    elif status == "sample":
        rows = rows.filter(in_assurance_sample=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = claims.family_names(claim.household_id for claim in page.object_list)
    table = [{"claim": claim, "family_name": names.get(claim.household_id, ""),
              "met": claims.conditions_met(claim)} for claim in page.object_list]
    nearly = []
    if batch.status == BatchStatus.DRAFT:  # who nearly qualifies changes until the batch is submitted
        _, misses = claims.review_period(batch.period_end, leave_out_batch=batch)
        missing_names = claims.family_names(miss.episode.household_id for miss in misses)
        nearly = [{"miss": miss, "family_name": missing_names.get(miss.episode.household_id, "")} for miss in misses]
    _viewed(request, "claim_batch.view", objects=[batch], listed=len(table), nearly_qualifying=len(nearly))
    return render(request, "supporting_families/claim_batch.html", {
        **_batch_summary(batch), "page": page, "table": table, "nearly": nearly, "status": status, "sort": sort,
        "statuses": ClaimStatus.choices})


def _claim(request, claim_id):
    # A family restricted under Article 18 after its claim was proposed is out of reach (storage only): the same
    # audited 404 as a claim that does not exist.
    return _require(request, Claim, claim_id, without_restricted(Claim.objects.select_related(
        "batch", "household", "episode", "decided_by"), household="household"))


@require_form_page
@login_required
def claim_decide(request, claim_id):
    claim = _claim(request, claim_id)
    form = DecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        decided = run_service(form, lambda: claims.decide_claim(
            by=request.user, claim=claim, accept=form.accept, reason=form.cleaned_data["reason"]))
        if decided is not None:
            messages.success(request, f"{claim.household.reference}: "
                                      f"{'claimed' if decided.status == ClaimStatus.ACCEPTED else 'not claimed'}")
            return redirect("programme:claim-batch", claim.batch_id)
    deciding = claim.status == ClaimStatus.PROPOSED and claim.batch.status == BatchStatus.DRAFT
    conditions = ([c.as_json() for c in claims.check_conditions(claim.episode)] if deciding else claim.conditions)
    needs = [{"need": need, "closure": claims.closure_score(need)} for need in claims.claimable_needs(claim.episode)]
    if request.method != "POST":
        _viewed(request, "claim.view", objects=[claim], household_id=claim.household_id)
    return render(request, "supporting_families/claim_decide.html", {
        "claim": claim, "batch": claim.batch, "period": claims.period_of(claim.batch), "form": form,
        "deciding": deciding, "conditions": conditions, "all_met": all(c["met"] for c in conditions),
        "needs": needs, "claimed_need_ids": set(claim.claimed_needs.values_list("need_id", flat=True)),
        "family_name": claims.family_names([claim.household_id]).get(claim.household_id, "")})


@require_form_page
@login_required
def batch_submit(request, batch_id):
    batch = _require(request, ClaimBatch, batch_id)
    form = SubmitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        submitted = run_service(form, lambda: claims.submit_batch(by=request.user, batch=batch))
        if submitted is not None:
            sampled = submitted.claims.filter(in_assurance_sample=True).count()
            messages.success(request, f"Claims for {claims.period_of(submitted)} submitted. {sampled} "
                                      f"famil{'y is' if sampled == 1 else 'ies are'} in the assurance sample.")
            return redirect("programme:claim-batch", batch.pk)
    if request.method != "POST":
        _viewed(request, "claim_batch.view", objects=[batch], page="submit")
    return render(request, "supporting_families/claim_batch_submit.html", {
        **_batch_summary(batch), "form": form,
        "sample_size": claims.sample_size(batch.claims.filter(status=ClaimStatus.ACCEPTED).count(),
                                          batch.sample_fraction)})


@require_export
@login_required
def claim_evidence(request, claim_id):
    claim = _claim(request, claim_id)
    pdf = claims.evidence_pdf(by=request.user, claim=claim)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="claim-evidence-{claim.household.reference}.pdf"'
    return response


urlpatterns = [
    path("claims/", batch_list, name="claim-batches"),
    path("claims/new/", batch_new, name="claim-batch-new"),
    path("claims/<int:batch_id>/", batch_detail, name="claim-batch"),
    path("claims/<int:batch_id>/submit/", batch_submit, name="claim-batch-submit"),
    path("claims/claim/<int:claim_id>/", claim_decide, name="claim-decide"),
    path("claims/claim/<int:claim_id>/evidence.pdf", claim_evidence, name="claim-evidence"),
]

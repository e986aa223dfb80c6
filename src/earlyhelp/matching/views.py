"""The data team's pages: partner imports and their errors, linkage runs, the review queue and new people.

Only the performance and data team may use them (`policy.Permission.DO_DATA_MATCHING`); anyone else gets an audited 404.
Every page that shows a person's details is an audit event under the data matching purpose, and every change
goes through the services (`imports`, `linkage`, `review`, `privacy.services.decisions`).
"""

import functools
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.access import policy, search_first
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people import selectors as people_selectors
from earlyhelp.people.forms import SearchForm
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.ui.progress import auto_refresh, cancel_job
from earlyhelp.ui.service_forms import run_service

from earlyhelp.privacy.models import Suggestion
from earlyhelp.ui.http_methods import require_form_page, require_POST, require_safe

from . import imports, linkage, review, schemas
from . import needs as matched_needs
from .filters import CandidateFilter
from .forms import ImportForm, MatchDecisionForm, NeedDecisionForm, NewPersonForm
from .models import (
    IDENTIFIER_FIELDS,
    BatchStatus,
    DatasetType,
    ImportBatch,
    LinkageRun,
    MatchCandidate,
    RunStatus,
    SourceRecord,
)

PURPOSE = Purpose.DATA_MATCHING
PAGE_SIZE = 50
ERRORS_SHOWN = 500
COMPARED_FIELDS = (("Given name", "given_name"), ("Family name", "family_name"), ("Date of birth", "date_of_birth"),
                   ("Address", "address_line_1"), ("Postcode", "postcode"), ("NHS number", "nhs_number"),
                   ("National Insurance number", "ni_number"), ("Unique Pupil Number", "upn"),
                   ("Police National Computer number", "pnc"))


def _require(request, model=ImportBatch, object_id=None, queryset=None):
    """An audited 404 for anyone outside the data team, and for a record that does not exist."""
    if not policy.has_permission(request.user, policy.Permission.DO_DATA_MATCHING):
        policy.refuse(request.user, object_type=model._meta.label_lower, object_id=object_id, purpose=PURPOSE)
    if object_id is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=object_id).first()
    if found is None:
        policy.refuse(request.user, object_type=model._meta.label_lower, object_id=object_id, purpose=PURPOSE)
    return found


def _viewed(request, event, *, objects=(), **metadata):
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=PURPOSE, objects=objects,
                 metadata=metadata)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _filtered(request) -> bool:
    """Whether the list is narrowed by a filter (a page number alone does not narrow it)."""
    return any(key != "page" for key in request.GET)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Overview ---------------------------------------------------------------------------------------------

@require_safe
@login_required
def home(request):
    _require(request)
    context = {
        "imported": ImportBatch.objects.filter(status=BatchStatus.IMPORTED).count(),
        "rejected": ImportBatch.objects.filter(status=BatchStatus.REJECTED).count(),
        "waiting_records": SourceRecord.objects.filter(batch__in=linkage.linkable_batches()).count(),
        "pending": review.pending_candidates().count(),
        "linked": SourceRecord.objects.filter(person__isnull=False).count(),
        "unmatched": review.unmatched_records().count(),
        "last_run": LinkageRun.objects.first(),
    }
    _viewed(request, "matching.view")
    return render(request, "matching/home.html", context)


# --- Imports --------------------------------------------------------------------------------------------------

@require_safe
@login_required
def batch_list(request):
    _require(request)
    page = _page(request, ImportBatch.objects.select_related("source_organisation", "imported_by"))
    _viewed(request, "import_batches.view", listed=len(page.object_list))
    return render(request, "matching/batches.html", {"page": page})


@require_form_page
@login_required
def batch_new(request):
    _require(request)
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        batch = run_service(form, lambda: imports.start_import(
            by=request.user, dataset_type=data["dataset_type"], source_organisation=data["source_organisation"],
            received_on=data["received_on"], purpose=data["purpose"],
            agreement=data["agreement"], file_name=upload.name,
            content=upload.read()))
        if batch is not None:
            return redirect("matching:batch", batch.pk)
    return render(request, "matching/batch_new.html", {"form": form, "datasets": _dataset_guides()})


def _dataset_guides() -> list[dict]:
    """Each dataset's columns as the import page lists them, from the schema (the one home of the columns)."""
    return [{"code": code, "name": name, "columns": schemas.schema_for(code).columns}
            for code, name in DatasetType.choices]


@require_safe
@login_required
def batch_template(request, dataset_type):
    """A dataset's CSV template: its header row, and with `?example=1` one synthetic example row marked as such."""
    _require(request)
    schema = schemas.schema_for(dataset_type)
    if schema is None:
        raise Http404
    with_example = request.GET.get("example") == "1"
    response = HttpResponse(schemas.template_csv(schema, with_example=with_example), content_type="text/csv")
    name = f"{dataset_type}-{'example' if with_example else 'template'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@login_required
def batch_detail(request, batch_id):
    batch = _require(request, ImportBatch, batch_id)
    linked = batch.records.filter(person__isnull=False).count()
    _viewed(request, "import_batch.view", objects=[batch])
    return render(request, "matching/batch.html", {
        "batch": batch, "errors": batch.errors[:ERRORS_SHOWN], "errors_hidden": max(0, batch.error_count - ERRORS_SHOWN),
        "linked": linked, "runs": batch.linkage_runs.all()[:10],
        **auto_refresh(request, running=batch.is_running, cancel_url=reverse("matching:batch-cancel", args=[batch.pk]),
                       cancel_label="Cancel this check")})


@require_POST
@login_required
def batch_cancel(request, batch_id):
    batch = _require(request, ImportBatch, batch_id)
    cancel_job(request, lambda: imports.cancel_import(by=request.user, batch=batch),
               done="The check was cancelled: nothing was imported and the stored file was deleted.")
    return redirect("matching:batch", batch.pk)


# --- Linkage runs ------------------------------------------------------------------------------------------------

@require_form_page
@login_required
def run_list(request):
    _require(request)
    if request.method == "POST":
        try:
            run = linkage.start_linkage(by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("matching:runs")
        return redirect("matching:run", run.pk)
    runs = _page(request, LinkageRun.objects.select_related("requested_by").annotate(batch_count=Count("batches"))
                 .order_by("-queued_at", "-pk"))
    _viewed(request, "linkage_runs.view", listed=len(runs.object_list))
    return render(request, "matching/runs.html", {
        "page": runs, "running": LinkageRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists(),
        "waiting_batches": linkage.linkable_batches().count(), "backend": linkage.backend()})


def _probability_bands(run) -> list[dict]:
    """How many candidates fall in each tenth of match probability at and above the threshold: a chart."""
    floor = math.floor(run.threshold * 10) / 10
    edges = [round(floor + step / 10, 1) for step in range(int(round((1 - floor) * 10)))]
    counts = []
    for low in edges:
        high = round(low + 0.1, 1)
        band = run.candidates.filter(match_probability__gte=max(low, run.threshold))
        band = band.filter(match_probability__lt=high) if high < 1 else band
        counts.append({"label": f"{low:.0%} to {min(high, 1):.0%}", "count": band.count()})
    return _bars(counts)


def _bars(rows: list[dict], area: int = 400) -> list[dict]:
    top = max((row["count"] for row in rows), default=0) or 1
    return [{**row, "y": index * 36, "width": int(area * row["count"] / top)} for index, row in enumerate(rows)]


@require_safe
@login_required
def run_detail(request, run_id):
    run = _require(request, LinkageRun, run_id)
    _viewed(request, "linkage_run.view", objects=[run])
    bars = _probability_bands(run) if run.status == RunStatus.FINISHED else []
    return render(request, "matching/run.html", {
        "run": run, "batches": run.batches.select_related("source_organisation"), "bars": bars,
        "chart_height": max(1, len(bars)) * 36, "area": 400,
        "decided": run.candidates.exclude(suggestion__status=SuggestionStatus.PENDING).count(),
        **auto_refresh(request, running=run.is_running, cancel_url=reverse("matching:run-cancel", args=[run.pk]),
                       cancel_label="Cancel this run")})


@require_POST
@login_required
def run_cancel(request, run_id):
    run = _require(request, LinkageRun, run_id)
    cancel_job(request, lambda: linkage.cancel_linkage(by=request.user, run=run),
               done="The run was cancelled: no candidates were kept.")
    return redirect("matching:run", run.pk)


# --- Review ----------------------------------------------------------------------------------------------------------

@require_safe
@login_required
def review_queue(request):
    _require(request)
    filters = CandidateFilter(request.GET or None, queryset=review.pending_candidates())
    page = _page(request, filters.qs)
    chosen = filters.form.cleaned_data if filters.is_bound and filters.is_valid() else {}
    _viewed(request, "match_queue.view", objects=[c.record for c in page.object_list], listed=len(page.object_list),
            run=chosen["run"].pk if chosen.get("run") else None, dataset=chosen.get("dataset") or None)
    return render(request, "matching/queue.html", {"page": page, "filters": filters,
                                                   "filtered": _filtered(request)})


def _person_side(person: Person) -> dict:
    address = person.addresses.filter(valid_to__isnull=True).first()
    held = dict(person.identifiers.values_list("scheme", "value"))
    return {"given_name": person.given_name, "family_name": person.family_name, "date_of_birth": person.date_of_birth,
            "address_line_1": address.line_1 if address else "", "postcode": address.postcode if address else "",
            **{column: held.get(scheme, "") for scheme, column in IDENTIFIER_FIELDS.items()}}


def _side_by_side(record: SourceRecord, person: Person | None) -> list[dict]:
    theirs = _person_side(person) if person else {}
    rows = []
    for label, field in COMPARED_FIELDS:
        ours, partner = theirs.get(field) or "", getattr(record, field) or ""
        rows.append({"label": label, "partner": partner, "ours": ours,
                     "same": bool(partner) and str(partner).replace(" ", "").lower() == str(ours).replace(" ", "").lower()})
    return rows


CHART_AXIS, CHART_HALF_WIDTH = 570, 300


def _explanation_bars(explanation: list[dict]) -> list[dict]:
    """One bar per comparison, right of the axis for evidence for a match, left for evidence against."""
    top = max((abs(item["match_weight"]) for item in explanation), default=0) or 1
    bars = []
    for index, item in enumerate(explanation):
        width = max(1, int(CHART_HALF_WIDTH * abs(item["match_weight"]) / top))
        against = item["match_weight"] < 0
        bars.append({**item, "y": index * 36, "width": width, "against": against,
                     "x": CHART_AXIS - width if against else CHART_AXIS + 1})
    return bars


@require_form_page
@login_required
def candidate_detail(request, candidate_id):
    reviewable = review.reviewable(MatchCandidate.objects).select_related(
        "record__batch__source_organisation", "person", "suggestion", "run")
    candidate = _require(request, MatchCandidate, candidate_id, queryset=reviewable)
    form = MatchDecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        decided = run_service(form, lambda: decisions.decide(by=request.user, suggestion_id=candidate.suggestion_id,
                                                             accept=form.accept, reason=form.cleaned_data["reason"]))
        if decided is not None:
            messages.success(request, "The records are linked." if form.accept else "The match is rejected: it will "
                                                                                   "not be proposed again.")
            return redirect("matching:queue")
    _viewed(request, "match_candidate.view", objects=[candidate, candidate.record, candidate.person])
    others = (MatchCandidate.objects.filter(record=candidate.record, suggestion__status=SuggestionStatus.PENDING)
              .exclude(pk=candidate.pk).count())
    return render(request, "matching/candidate.html", {
        "candidate": candidate, "record": candidate.record, "rows": _side_by_side(candidate.record, candidate.person),
        "bars": _explanation_bars(candidate.explanation), "chart_height": max(1, len(candidate.explanation)) * 36,
        "form": form, "others": others, "decided": candidate.suggestion.status != SuggestionStatus.PENDING})


@require_safe
@login_required
def unmatched_list(request):
    _require(request)
    page = _page(request, review.unmatched_records())
    _viewed(request, "unmatched_records.view", objects=list(page.object_list), listed=len(page.object_list))
    return render(request, "matching/unmatched.html", {"page": page})


@require_form_page
@login_required
def new_person(request, record_id):
    record = _require(request, SourceRecord, record_id, queryset=review.unmatched_records())
    searching = request.method == "POST" and request.POST.get("step") == "search"
    search_form = SearchForm(request.POST if searching else None, initial={
        "family_name": record.family_name, "given_name": record.given_name, "date_of_birth": record.date_of_birth})
    outcome = search_first.run_search(request, search_form, functools.partial(
        people_selectors.search_people, for_matching=True)) if searching else None
    form = NewPersonForm(None if searching else _posted(request))
    if request.method == "POST" and not searching and form.is_valid():
        person = run_service(form, lambda: review.create_new_person(by=request.user, record=record,
                                                                    reason=form.cleaned_data["reason"]))
        if person is not None:
            messages.success(request, "The person is added to the person index, with the partner's record.")
            return redirect("matching:unmatched")
    _viewed(request, "source_record.view", objects=[record])
    return render(request, "matching/new_person.html", {
        "record": record, "rows": _side_by_side(record, None), "form": form, "search_form": search_form,
        "outcome": outcome, "may_search": policy.has_permission(request.user, policy.Permission.SEARCH_PEOPLE_TO_MATCH)})



# --- Needs suggested by partner data ----------------------------------------------------------------------------

@require_safe
@login_required
def need_suggestions(request):
    """Needs the council's dataset rules found in linked partner records, each waiting for a person's decision (P13)."""
    _require(request, Suggestion)
    page = _page(request, matched_needs.pending_suggestions())
    rows = matched_needs.describe(list(page.object_list))
    _viewed(request, "matched_needs.view", objects=[row.suggestion for row in rows], listed=len(rows))
    return render(request, "matching/needs.html", {"page": page, "rows": rows})


@require_form_page
@login_required
def need_suggestion_decide(request, suggestion_id):
    suggestion = _require(request, Suggestion, suggestion_id, queryset=matched_needs.pending_suggestions())
    row = matched_needs.describe([suggestion])[0]
    form = NeedDecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if form.accept and row.record is None:
            form.add_error("decision", "The partner's record has been deleted: the need can only be rejected")
        elif run_service(form, lambda: decisions.decide(by=request.user, suggestion_id=suggestion.pk,
                                                        accept=form.accept, reason=form.cleaned_data["reason"])):
            messages.success(request, "The need is confirmed and is on the family's record." if form.accept else
                             "The suggestion is rejected: it will not be suggested again.")
            return redirect("matching:needs")
    _viewed(request, "matched_need.view", objects=[suggestion, *([row.record] if row.record else [])])
    return render(request, "matching/need_decide.html", {"row": row, "form": form})

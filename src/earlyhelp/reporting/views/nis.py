"""National Impact Study transfer pages: the list, a new transfer, its manifest (page and JSON) and the one-time
download. The data team only (`MAKE_RETURNS`); anyone else gets the audited 404. Pages name no person."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..forms import NisTransferForm
from ..services import files, nis

PURPOSE = Purpose.NATIONAL_IMPACT_STUDY
PER_PAGE = 50


def require(request, purpose=PURPOSE, *, kind=None, object_id=None):
    """The data team only; with `kind`, the logged file of that kind, or an audited 404."""
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=purpose,
                   object_type="privacy.datasetdisclosure" if object_id else "", object_id=object_id)
    if kind is None:
        return None
    found = (DatasetDisclosure.objects.filter(pk=object_id, kind=kind)
             .select_related("purpose", "decided_by", "export_file").first())
    if found is None:
        policy.refuse(request.user, object_type="privacy.datasetdisclosure", object_id=object_id, purpose=purpose)
    return found


def viewed(request, event, purpose=PURPOSE, *, objects=(), **metadata):
    audit.record(actor=request.user, action=Action.VIEW, event=event, purpose=purpose, objects=objects,
                 metadata=metadata)


def page_of(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def manifest_response(disclosure) -> HttpResponse:
    response = HttpResponse(json.dumps(files.manifest(disclosure), indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{disclosure.file_name.removesuffix(".csv")}.manifest.json"'
    response["Cache-Control"] = "no-store"
    return response


def download_response(request, disclosure, purpose, back):
    try:
        handle = files.collect(by=request.user, disclosure=disclosure, purpose=purpose)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back, disclosure.pk)
    response = FileResponse(handle, as_attachment=True, filename=disclosure.file_name, content_type="text/csv")
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@login_required
def transfer_list(request):
    require(request)
    page = page_of(request, nis.transfers())
    viewed(request, "national_impact_study.list", listed=len(page.object_list))
    return render(request, "reporting/nis_list.html", {"page": page})


@require_form_page
@login_required
def transfer_new(request):
    require(request)
    form = NisTransferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        disclosure = run_service(form, lambda: nis.make_transfer(by=request.user, **form.cleaned_data))
        if disclosure is not None:
            messages.success(request, f"The file for {disclosure.period_start:%-d %B %Y} to "
                                      f"{disclosure.period_end:%-d %B %Y} is ready: {disclosure.row_count} rows. "
                                      "Download it once, then send it to ONS by the agreed secure route.")
            return redirect("reporting:nis-transfer", disclosure.pk)
    return render(request, "reporting/nis_new.html", {"form": form, "columns": nis.COLUMNS})


@require_safe
@login_required
def transfer_detail(request, disclosure_id):
    disclosure = require(request, kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY, object_id=disclosure_id)
    viewed(request, "national_impact_study.view", objects=[disclosure])
    return render(request, "reporting/nis_transfer.html", {
        "disclosure": disclosure, "manifest": files.manifest(disclosure), "descriptions": nis.COLUMNS,
        "export": getattr(disclosure, "export_file", None)})


@require_safe
@login_required
def transfer_manifest(request, disclosure_id):
    disclosure = require(request, kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY, object_id=disclosure_id)
    viewed(request, "national_impact_study.manifest", objects=[disclosure])
    return manifest_response(disclosure)


@require_POST
@login_required
def transfer_download(request, disclosure_id):
    disclosure = require(request, kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY, object_id=disclosure_id)
    return download_response(request, disclosure, PURPOSE, "reporting:nis-transfer")


urlpatterns = [
    path("national-impact-study/", transfer_list, name="nis-transfers"),
    path("national-impact-study/new/", transfer_new, name="nis-new"),
    path("national-impact-study/<int:disclosure_id>/", transfer_detail, name="nis-transfer"),
    path("national-impact-study/<int:disclosure_id>/manifest.json", transfer_manifest, name="nis-manifest"),
    path("national-impact-study/<int:disclosure_id>/download/", transfer_download, name="nis-download"),
]

"""Research project pages: projects, a new project, its allowlist (editable until the first extract), ending it
early, a new extract, an extract's manifest (page and JSON) and its one-time download. The data team only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.privacy.models import DatasetDisclosureKind
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..forms import ResearchColumnsForm, ResearchExtractForm, ResearchProjectForm
from ..models import ResearchProject
from ..services import files, research
from .nis import download_response, manifest_response, page_of, require, viewed

PURPOSE = Purpose.RESEARCH
KIND = DatasetDisclosureKind.RESEARCH_EXTRACT


def _project(request, project_id):
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=PURPOSE,
                   object_type="reporting.researchproject", object_id=project_id)
    found = ResearchProject.objects.filter(pk=project_id).first()
    if found is None:
        policy.refuse(request.user, object_type="reporting.researchproject", object_id=project_id, purpose=PURPOSE)
    return found


@require_safe
@login_required
def project_list(request):
    require(request, PURPOSE)
    page = page_of(request, ResearchProject.objects.all())
    viewed(request, "research_project.list", PURPOSE, listed=len(page.object_list))
    return render(request, "reporting/research_projects.html", {"page": page})


@require_form_page
@login_required
def project_new(request):
    require(request, PURPOSE)
    form = ResearchProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        project = run_service(form, lambda: research.create_project(by=request.user, **form.cleaned_data))
        if project is not None:
            messages.success(request, f"Project {project.reference} is set up, with its own key.")
            return redirect("reporting:research-project", project.pk)
    return render(request, "reporting/research_project_new.html", {"form": form})


def _project_page(request, project, columns_form=None):
    return render(request, "reporting/research_project.html", {
        "project": project, "ended": research.is_ended(project), "editable": research.columns_editable(project),
        "extracts": list(research.extracts_of(project)[:100]), "catalogue": research.CATALOGUE,
        "columns_form": columns_form or ResearchColumnsForm(initial={"columns": project.columns})})


@require_safe
@login_required
def project_detail(request, project_id):
    project = _project(request, project_id)
    viewed(request, "research_project.view", PURPOSE, objects=[project])
    return _project_page(request, project)


@require_POST
@login_required
def project_columns(request, project_id):
    project = _project(request, project_id)
    form = ResearchColumnsForm(request.POST)
    if form.is_valid():
        changed = run_service(form, lambda: research.change_columns(by=request.user, project=project,
                                                                    columns=form.cleaned_data["columns"]))
        if changed is not None:
            messages.success(request, "The project's columns are saved.")
            return redirect("reporting:research-project", project.pk)
    return _project_page(request, project, form)


@require_form_page
@login_required
def project_end(request, project_id):
    project = _project(request, project_id)
    if request.method == "POST":
        try:
            research.end_project(by=request.user, project=project)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Project {project.reference} has ended: its key is destroyed, so no more "
                                      "extracts can be made and its references can never be recomputed.")
        return redirect("reporting:research-project", project.pk)
    viewed(request, "research_project.view", PURPOSE, objects=[project])
    return render(request, "reporting/research_project_end.html", {"project": project,
                                                                    "ended": research.is_ended(project)})


@require_form_page
@login_required
def extract_new(request, project_id):
    project = _project(request, project_id)
    form = ResearchExtractForm(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        disclosure = run_service(form, lambda: research.make_extract(by=request.user, project=project,
                                                                     **form.cleaned_data))
        if disclosure is not None:
            messages.success(request, f"The extract is ready: {disclosure.row_count} rows. Download it once, then "
                                      "send it to the researchers by the agreed secure route.")
            return redirect("reporting:research-extract", disclosure.pk)
    return render(request, "reporting/research_extract_new.html", {
        "form": form, "project": project, "ended": research.is_ended(project)})


def _extract(request, disclosure_id):
    return require(request, PURPOSE, kind=KIND, object_id=disclosure_id)


@require_safe
@login_required
def extract_detail(request, disclosure_id):
    disclosure = _extract(request, disclosure_id)
    viewed(request, "research_extract.view", PURPOSE, objects=[disclosure])
    return render(request, "reporting/research_extract.html", {
        "disclosure": disclosure, "manifest": files.manifest(disclosure), "descriptions": research.CATALOGUE,
        "export": getattr(disclosure, "export_file", None),
        "project": ResearchProject.objects.filter(reference=disclosure.reference).first()})


@require_safe
@login_required
def extract_manifest(request, disclosure_id):
    disclosure = _extract(request, disclosure_id)
    viewed(request, "research_extract.manifest", PURPOSE, objects=[disclosure])
    return manifest_response(disclosure)


@require_POST
@login_required
def extract_download(request, disclosure_id):
    disclosure = _extract(request, disclosure_id)
    return download_response(request, disclosure, PURPOSE, "reporting:research-extract")


urlpatterns = [
    path("research/", project_list, name="research-projects"),
    path("research/new/", project_new, name="research-project-new"),
    path("research/<int:project_id>/", project_detail, name="research-project"),
    path("research/<int:project_id>/columns/", project_columns, name="research-project-columns"),
    path("research/<int:project_id>/end/", project_end, name="research-project-end"),
    path("research/<int:project_id>/extracts/new/", extract_new, name="research-extract-new"),
    path("research/extracts/<int:disclosure_id>/", extract_detail, name="research-extract"),
    path("research/extracts/<int:disclosure_id>/manifest.json", extract_manifest, name="research-extract-manifest"),
    path("research/extracts/<int:disclosure_id>/download/", extract_download, name="research-extract-download"),
]

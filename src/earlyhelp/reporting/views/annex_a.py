"""The Ofsted Annex A list (List 2, early help) for the data team: the inspection date in, a file out.

Anyone without `MAKE_RETURNS` gets an audited 404. The list itself is built and audited by `services.annex_a`."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.ui.http_methods import require_form_page
from earlyhelp.ui.service_forms import run_service

from ..returns_forms import AnnexAForm
from ..services import annex_a


@require_form_page
@login_required
def annex_a_list(request):
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=annex_a.PURPOSE)
    form = AnnexAForm(request.POST if request.method == "POST" else None, initial={"file_format": "xlsx"})
    if request.method == "POST" and form.is_valid():
        exported = run_service(form, lambda: annex_a.export_list_2(
            by=request.user, inspection_date=form.cleaned_data["inspection_date"],
            file_format=form.cleaned_data["file_format"]))
        if exported is not None:
            name, content_type, content = exported
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "reporting/annex_a.html", {
        "form": form, "columns": annex_a.COLUMNS,
        "sources": [(source.label, code) for source, code in annex_a.LIST_1_SOURCE_CODES.items()]})


urlpatterns = [path("ofsted-annex-a/", annex_a_list, name="annex-a")]

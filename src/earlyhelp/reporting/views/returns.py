"""Supporting Families returns: the quarterly progress return and the six-monthly family progress data.

Only the data team (`MAKE_RETURNS`); anyone else gets an audited 404. Making a return is one service call
(`services.returns`), which counts, applies disclosure control, keeps the return as published and audits it."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.ui.http_methods import require_export, require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..models import PublishedReturn
from ..returns_forms import FamilyProgressForm, QuarterlyReturnForm
from ..services import returns

PURPOSE = returns.PURPOSE


def _require(request, object_id=None):
    policy.require(request.user, policy.Permission.MAKE_RETURNS, purpose=PURPOSE,
                   object_type="reporting.publishedreturn" if object_id else "", object_id=object_id)
    if object_id is None:
        return None
    found = PublishedReturn.objects.filter(pk=object_id).first()
    if found is None:
        policy.refuse(request.user, object_type="reporting.publishedreturn", object_id=object_id, purpose=PURPOSE)
    return found


@require_safe
@login_required
def return_list(request):
    _require(request)
    page = Paginator(returns.published_returns(), 25).get_page(request.GET.get("page"))
    audit.record(actor=request.user, action=Action.VIEW, event="returns.view", purpose=PURPOSE,
                 metadata={"listed": len(page.object_list)})
    return render(request, "reporting/returns.html", {"page": page})


def _make(request, form_class, template, make):
    _require(request)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        published = run_service(form, lambda: make(form.cleaned_data))
        if published is not None:
            return redirect("reporting:return", published.pk)
    return render(request, template, {"form": form})


@require_form_page
@login_required
def quarterly_new(request):
    return _make(request, QuarterlyReturnForm, "reporting/return_quarterly_new.html",
                 lambda data: returns.make_quarterly_return(by=request.user, year=data["year"],
                                                            quarter=data["quarter"]))


@require_form_page
@login_required
def progress_new(request):
    return _make(request, FamilyProgressForm, "reporting/return_progress_new.html",
                 lambda data: returns.make_family_progress_return(by=request.user, year=data["year"],
                                                                  half=data["half"]))


@require_safe
@login_required
def return_detail(request, return_id):
    published = _require(request, return_id)
    audit.record(actor=request.user, action=Action.VIEW, event="return.view", purpose=PURPOSE, objects=[published])
    tables = [{"title": title, "header": rows[0], "rows": rows[1:]} for title, rows in published.ordered_tables()]
    return render(request, "reporting/return.html", {"published": published, "tables": tables})


@require_export
@login_required
def return_download(request, return_id):
    published = _require(request, return_id)
    name, content = returns.return_csv(by=request.user, published=published)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("returns/", return_list, name="returns"),
    path("returns/quarterly/new/", quarterly_new, name="return-quarterly-new"),
    path("returns/family-progress/new/", progress_new, name="return-progress-new"),
    path("returns/<int:return_id>/", return_detail, name="return"),
    path("returns/<int:return_id>/download/", return_download, name="return-download"),
]

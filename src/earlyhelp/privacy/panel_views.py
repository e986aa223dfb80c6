"""Pages for keeping the multi-agency panels (P26): for those with `KEEP_PANELS`; anyone else gets an audited 404.
Every change goes through `panels.save_panel`, kept in the panel's history with its reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import run_service

from .forms import PanelForm
from .models import Panel
from .services import panels

OBJECT_TYPE = "privacy.panel"


def _require(request, panel_id=None) -> Panel | None:
    def refuse():
        policy.refuse(request.user, object_type=OBJECT_TYPE, object_id=panel_id, purpose=panels.AUDIT_PURPOSE)

    if not policy.has_permission(request.user, policy.Permission.KEEP_PANELS):
        refuse()
    if panel_id is None:
        return None
    panel = Panel.objects.filter(pk=panel_id).first()
    if panel is None:
        refuse()
    return panel


@require_safe
@login_required
def panel_list(request):
    _require(request)
    page = paged_rows(request, Panel.objects.prefetch_related("members").order_by("-is_active", "name", "pk"))
    audit.record(actor=request.user, action=Action.VIEW, event="panels.view", purpose=panels.AUDIT_PURPOSE,
                 metadata={"listed": len(page.object_list)})
    return render(request, "privacy/panels/list.html", {
        "rows": [{"panel": p, "members": panels.describe_members(p)} for p in page.object_list], "page": page})


@require_safe
@login_required
def panel_detail(request, panel_id):
    panel = _require(request, panel_id)
    audit.record(actor=request.user, action=Action.VIEW, event="panel.view", purpose=panels.AUDIT_PURPOSE,
                 objects=[panel])
    return render(request, "privacy/panels/detail.html", {
        "panel": panel, "members": panels.describe_members(panel), "history": panels.history(panel)})


def _save(request, form, panel=None):
    data = form.cleaned_data
    return run_service(form, lambda: panels.save_panel(
        by=request.user, panel=panel, name=data["name"], description=data["description"], members=data["members"],
        is_active=data["is_active"], reason=data["change_reason"]))


@require_form_page
@login_required
def panel_new(request):
    _require(request)
    form = PanelForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, f"{saved.name} is added to the panels.")
            return redirect("web:panel", panel_id=saved.pk)
    return render(request, "privacy/panels/form.html", {"form": form, "panel": None})


@require_form_page
@login_required
def panel_edit(request, panel_id):
    panel = _require(request, panel_id)
    form = PanelForm(request.POST or None, panel=panel)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, panel)
        if saved is not None:
            messages.success(request, f"{saved.name}: your changes are saved.")
            return redirect("web:panel", panel_id=saved.pk)
    return render(request, "privacy/panels/form.html", {"form": form, "panel": panel})

"""The rights officer's pages for subject access packs: build (in the background, with a progress page), review
third-party information, release, download.

Only those who handle rights requests (the DPO) may use them; anyone else gets an audited 404. Downloads are
of the released pack only, with the redactions applied, and each is an audited export.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import PackStatus, RedactionStatus, SubjectAccessPack
from earlyhelp.ui.http_methods import require_export, require_form_page, require_POST, require_safe
from earlyhelp.ui.progress import auto_refresh, cancel_job
from earlyhelp.ui.service_forms import run_service

from .forms import MentionDecisionForm, RedactionDecisionForm
from .models import MentionStatus, RightsRequest, SubjectAccessBuild
from .services import mentions
from .services import subject_access as sar


def _require_pack(request, pack_id) -> SubjectAccessPack:
    pack = SubjectAccessPack.objects.select_related("request").filter(pk=pack_id).first()
    if not policy.has_permission(request.user, policy.Permission.HANDLE_RIGHTS_REQUESTS) or pack is None:
        policy.refuse(request.user, object_type="privacy.subjectaccesspack", object_id=pack_id,
                      purpose=Purpose.RIGHTS_REQUESTS)
    return pack


@require_POST
@login_required
def pack_build(request, request_id):
    rights_request = RightsRequest.objects.filter(pk=request_id).first()
    if not policy.has_permission(request.user, policy.Permission.HANDLE_RIGHTS_REQUESTS) or rights_request is None:
        policy.refuse(request.user, object_type="rights.rightsrequest", object_id=request_id,
                      purpose=Purpose.RIGHTS_REQUESTS)
    try:
        build = sar.start_build(by=request.user, request=rights_request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("rights:detail", rights_request.pk)
    return redirect("web:sar-build-progress", build.pk)


def _require_build(request, build_id) -> SubjectAccessBuild:
    """The build, through the same door as the pack it leads to (an audited 404 otherwise)."""
    build = SubjectAccessBuild.objects.select_related("request").filter(pk=build_id).first()
    if not policy.has_permission(request.user, policy.Permission.HANDLE_RIGHTS_REQUESTS) or build is None:
        policy.refuse(request.user, object_type="rights.subjectaccessbuild", object_id=build_id,
                      purpose=Purpose.RIGHTS_REQUESTS)
    return build


@require_safe
@login_required
def build_progress(request, build_id):
    """A pack being built in the background: waiting, running, built (with a link to the pack) or failed. It
    refreshes itself until the build ends; the same door as the pack it leads to."""
    build = _require_build(request, build_id)
    audit.record(actor=request.user, action=Action.VIEW, event="subject_access_build.view",
                 purpose=Purpose.RIGHTS_REQUESTS, objects=[build], metadata={"request_id": build.request_id})
    return render(request, "rights/subject_access_build.html", {
        "build": build, **auto_refresh(request, running=build.is_running,
                                       cancel_url=reverse("web:sar-build-cancel", args=[build.pk]),
                                       cancel_label="Cancel this build")})


@require_POST
@login_required
def build_cancel(request, build_id):
    build = _require_build(request, build_id)
    cancel_job(request, lambda: sar.cancel_build(by=request.user, build=build),
               done="The build was cancelled: no pack was made.")
    return redirect("web:sar-build-progress", build.pk)


@require_form_page
@login_required
def pack_detail(request, pack_id):
    pack = _require_pack(request, pack_id)
    form = RedactionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        same_text = data["scope"] == RedactionDecisionForm.SCOPE_SAME_TEXT
        proposal = pack.proposals.filter(pk=data["proposal"]).first()
        if proposal is None:
            form.add_error(None, "Choose a proposal from the list")
        else:
            done = run_service(form, lambda: sar.decide_redaction(
                by=request.user, pack=pack, redact=data["decision"] == "redact", reason=data["reason"],
                **({"text": proposal.text} if same_text else {"proposal_id": proposal.pk})))
            if done:
                messages.success(request, f"{done} decision{'s' if done != 1 else ''} recorded")
                return redirect("web:sar-pack", pack.pk)
    audit.record(actor=request.user, action=Action.VIEW, event="subject_access.view", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"request_id": pack.request_id})
    proposals = list(pack.proposals.select_related("decided_by"))
    pending = [p for p in proposals if p.status == RedactionStatus.PENDING]
    shown = pending[:50]
    context = sar.proposal_context(pack, shown)
    for proposal in shown:
        proposal.context = context[proposal.pk]
    waiting_mentions = list(pack.mentions.filter(status=MentionStatus.PENDING).select_related("pack__subject")[:50])
    for mention in waiting_mentions:
        mention.preview = mentions.preview(mention)
    return render(request, "rights/subject_access_review.html", {
        "pack": pack, "form": form, "pending": shown, "pending_count": len(pending),
        "mentions": waiting_mentions,
        "decided_mentions": list(pack.mentions.exclude(status=MentionStatus.PENDING).select_related("decided_by")),
        "decided": _described([p for p in proposals if p.status != RedactionStatus.PENDING], pack),
        "index": pack.content.get("index", []),
    })


def _described(decided, pack):
    descriptions = sar.describe_decisions(pack, decided)
    for proposal in decided:
        proposal.description = descriptions[proposal.pk]
    return decided


@require_POST
@login_required
def pack_mention(request, pack_id):
    """Include a mention of the requester in another family's record, or leave it out, with a reason."""
    pack = _require_pack(request, pack_id)
    form = MentionDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: mentions.decide_mention(
                by=request.user, pack=pack, mention_id=data["mention"], include=data["decision"] == "include",
                reason=data["reason"])):
            messages.success(request, "Decision recorded")
            return redirect("web:sar-pack", pack.pk)
    for message in [m for errors in form.errors.values() for m in errors]:
        messages.error(request, message)
    return redirect("web:sar-pack", pack.pk)


@require_form_page
@login_required
def pack_release(request, pack_id):
    """A confirmation step: who the pack goes to and what it holds, then Confirm."""
    pack = _require_pack(request, pack_id)
    if request.method == "POST":
        try:
            sar.release_pack(by=request.user, pack=pack, confirmed=request.POST.get("confirm") == "yes")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "The pack has been released and the release is in the disclosure log")
        return redirect("web:sar-pack", pack.pk)
    if pack.status == PackStatus.RELEASED:
        return redirect("web:sar-pack", pack.pk)
    blockers = sar.release_blockers(pack)
    if blockers:  # nothing to confirm yet: back to the pack, saying what is left to decide
        for blocker in blockers:
            messages.error(request, blocker)
        return redirect("web:sar-pack", pack.pk)
    audit.record(actor=request.user, action=Action.VIEW, event="subject_access.view", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"request_id": pack.request_id})
    return render(request, "rights/subject_access_release.html", {
        "pack": pack, "requester": pack.request.requester_display, "index": pack.content.get("index", []),
        "withheld": pack.proposals.filter(status=RedactionStatus.REDACT).count()})


@require_export
@login_required
def pack_download(request, pack_id, fmt):
    pack = _require_pack(request, pack_id)
    if pack.status != PackStatus.RELEASED or fmt not in ("json", "pdf"):
        raise Http404("Page not found")
    body = sar.render_json(pack) if fmt == "json" else sar.render_pdf(pack)
    audit.record(actor=request.user, action=Action.EXPORT, event=f"subject_access.download_{fmt}",
                 purpose=Purpose.RIGHTS_REQUESTS, objects=[pack], metadata={"request_id": pack.request_id})
    response = HttpResponse(body, content_type="application/json" if fmt == "json" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{pack.request.reference}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response

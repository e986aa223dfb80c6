"""The rights request register: the DPO's pages. Thin: reads from `rights.selectors`, changes through
`rights.services`. Anyone else gets an audited 404 (`policy.Permission.HANDLE_RIGHTS_REQUESTS`).

URLs carry record ids only. The people a search found are remembered in the session, and only those can
be picked as the subject of a new request.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import Consent, Disclosure
from earlyhelp.ui.forms import today
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import run_service

from . import acknowledgement, deadlines, forms, selectors
from .models import (
    OPEN_STATUSES,
    BuildStatus,
    ProcessingRestriction,
    RecipientNotification,
    RequestKind,
    RequestStatus,
)
from .services import clock, decisions, intake, notifications, rectification, restriction
from .services.acknowledgement import acknowledge_complaint

PURPOSE = Purpose.RIGHTS_REQUESTS
CORRECTION_LABELS = {name: str(field.label) for name, field in forms.CorrectionForm.base_fields.items()} | {
    "address": "Address"}
FOUND_KEY = "earlyhelp_rights_people_found"


def _require(request, *, object_type="rights.rightsrequest", object_id=None):
    if not policy.has_permission(request.user, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        policy.refuse(request.user, object_type=object_type, object_id=object_id, purpose=PURPOSE)


def _detail(rights_request, anchor=""):
    return reverse("rights:detail", args=[rights_request.pk]) + (f"#{anchor}" if anchor else "")


# --- Dashboard and list ---------------------------------------------------------------------------

@require_safe
@login_required
def dashboard(request):
    _require(request)
    board = selectors.dashboard(request.user, today=today())
    return render(request, "rights/dashboard.html", {
        "board": board, "acknowledgements": acknowledgement.awaiting(request.user, today=today())})


@require_safe
@login_required
def request_list(request):
    _require(request)
    form = forms.FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.request_list(request.user, today=today(), status=filters.get("status", ""),
                                  kind=filters.get("kind", ""), deadline=filters.get("deadline", ""),
                                  channel=filters.get("channel", ""))
    page = paged_rows(request, rows)
    return render(request, "rights/list.html", {"form": form, "rows": page.object_list, "page": page,
                                                "today": today()})


# --- Logging a request ----------------------------------------------------------------------------

@require_form_page
@login_required
def new(request):
    """Find the person the request is about (or say they are not on our records)."""
    _require(request)
    form = forms.FindPersonForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = run_service(form, lambda: selectors.find_people(
            request.user, family_name=form.cleaned_data["family_name"], given_name=form.cleaned_data["given_name"],
            date_of_birth=form.cleaned_data["date_of_birth"]))
        if matches is not None:
            request.session[FOUND_KEY] = [m.person.pk for m in matches]
    return render(request, "rights/find_person.html", {"form": form, "matches": matches})


def _found_person(request, person_id) -> Person:
    if person_id not in request.session.get(FOUND_KEY, []):
        policy.refuse(request.user, object_type="people.person", object_id=person_id, purpose=PURPOSE)
    return Person.objects.get(pk=person_id)


@require_form_page
@login_required
def new_for_person(request, person_id):
    _require(request, object_type="people.person", object_id=person_id)
    return _log_request(request, _found_person(request, person_id))


@require_form_page
@login_required
def new_without_record(request):
    _require(request)
    return _log_request(request, None)


def _log_request(request, subject):
    choices = selectors.requester_choices(subject)
    consents = selectors.consent_choices(subject)
    form = forms.RequestForm(request.POST or None, requester_choices=choices, consent_choices=consents,
                             initial={"received_on": today()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        requester_id, consent_id = data.pop("requester_person"), data.pop("consent")
        data["requester_person"] = Person.objects.get(pk=requester_id) if requester_id else None
        data["consent"] = Consent.objects.get(pk=consent_id) if consent_id else None
        saved = run_service(form, lambda: intake.log_request(by=request.user, subject=subject, **data))
        if saved is not None:
            request.session.pop(FOUND_KEY, None)
            messages.success(request, f"Request {saved.reference} is logged.")
            return redirect("rights:detail", request_id=saved.pk)
    if request.method != "POST" and subject is not None:
        audit.record(actor=request.user, action=Action.VIEW, event="rights_person.view", purpose=PURPOSE,
                     objects=[subject], metadata={"page": "log_request"})
    return render(request, "rights/request_form.html", {"form": form, "subject": subject})


# --- One request ----------------------------------------------------------------------------------

@require_safe
@login_required
def detail(request, request_id):
    rights_request = selectors.open_request(request.user, request_id)
    clock = deadlines.clock_for(rights_request, today=today())
    subject_id = rights_request.subject_id
    context = {
        "r": rights_request, "clock": clock, "pauses": list(rights_request.pauses.all()),
        "disputes": list(rights_request.disputes.select_related("recorded_by")),
        "restrictions": list(rights_request.restrictions.select_related("started_by", "lifted_by")),
        "notifications": [(n, _recipient_names(n.disclosures)) for n in
                          rights_request.notifications.select_related("organisation", "recorded_by")],
        "recipients": [(organisation, disclosures, _recipient_names([d.pk for d in disclosures])) for
                       organisation, disclosures in (notifications.disclosure_recipients(subject_id) if subject_id
                                                     else {}).items()],
        "is_open": rights_request.status in OPEN_STATUSES,
        "RequestKind": RequestKind, "RequestStatus": RequestStatus,
        "ico_text": decisions.ICO_TEXT,
        "subject_restricted": bool(subject_id and selectors.active_restriction_for(subject_id)),
        "corrected": [CORRECTION_LABELS.get(code, code) for code in rights_request.corrected_fields],
        "packs": list(rights_request.packs.order_by("-built_at")),
        "building": rights_request.pack_builds.filter(status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING]).first(),
        "acknowledgement_clock": acknowledgement.clock_for(rights_request, today=today()),
    }
    context["preview_recipients"] = bool(context["is_open"] and context["recipients"] and rights_request.kind in (
        RequestKind.RECTIFICATION, RequestKind.ERASURE, RequestKind.RESTRICTION))
    return render(request, "rights/detail.html", context)


def _recipient_names(disclosure_ids) -> list[str]:
    """The named people at a recipient organisation, from the disclosure log."""
    return sorted(set(Disclosure.objects.filter(pk__in=disclosure_ids).exclude(recipient_person="")
                      .values_list("recipient_person", flat=True)))


def _form_page(request, rights_request, form, *, title, button, intro="", **extra):
    return render(request, "rights/form_page.html", {"r": rights_request, "form": form, "title": title,
                                                     "button": button, "intro": intro, **extra})


def _action(request, request_id, form_class, *, title, button, service, done, intro="", form_kwargs=None, **extra):
    """A page with one form that changes one request through one service."""
    rights_request = selectors.open_request(request.user, request_id, page=form_class.__name__)
    form = form_class(request.POST or None, **(form_kwargs(rights_request) if form_kwargs else {}))
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: service(rights_request, form))
        if result is not None:
            messages.success(request, done)
            return redirect(_detail(rights_request))
    return _form_page(request, rights_request, form, title=title, button=button, intro=intro, **extra)


@require_form_page
@login_required
def identity(request, request_id):
    def record(r, form):
        data = dict(form.cleaned_data)
        requester_id = data.pop("requester_person")
        return intake.record_identity(by=request.user, request=r, requester_person=(
            Person.objects.get(pk=requester_id) if requester_id else None), **data)
    return _action(request, request_id, forms.IdentityForm, title="Record proof of identity or authority",
                   button="Record the proof", service=record,
                   done="Proof recorded: the clock is running.",
                   form_kwargs=lambda r: {"requester_choices": selectors.requester_choices(r.subject)})


MATCH_KEY = "earlyhelp_rights_match_found"


@require_form_page
@login_required
def match(request, request_id):
    """Find the person on our records a request is about (one from the online form names nobody)."""
    rights_request = selectors.open_request(request.user, request_id, page="match")
    form = forms.FindPersonForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = run_service(form, lambda: selectors.find_people(
            request.user, family_name=form.cleaned_data["family_name"], given_name=form.cleaned_data["given_name"],
            date_of_birth=form.cleaned_data["date_of_birth"]))
        if matches is not None:
            request.session[MATCH_KEY] = {"request": rights_request.pk, "people": [m.person.pk for m in matches]}
    return render(request, "rights/match_person.html", {"r": rights_request, "form": form, "matches": matches})


@require_POST
@login_required
def match_person(request, request_id, person_id):
    """The DPO chose the person: only someone their search found for this request can be chosen."""
    rights_request = selectors.open_request(request.user, request_id, page="match")
    found = request.session.get(MATCH_KEY) or {}
    if found.get("request") != rights_request.pk or person_id not in found.get("people", []):
        policy.refuse(request.user, object_type="people.person", object_id=person_id, purpose=PURPOSE)
    try:
        intake.match_subject(by=request.user, request=rights_request, subject=Person.objects.get(pk=person_id))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail(rights_request))
    request.session.pop(MATCH_KEY, None)
    messages.success(request, "The request now names the person it is about.")
    return redirect(_detail(rights_request, "subject"))


@require_form_page
@login_required
def acknowledge(request, request_id):
    return _action(request, request_id, forms.AcknowledgementForm, title="Record the acknowledgement",
                   button="Record the acknowledgement", service=lambda r, form: acknowledge_complaint(
                       by=request.user, request=r, **form.cleaned_data),
                   done="The acknowledgement is recorded.",
                   intro="A data protection complaint received on or after 19 June 2026 must be acknowledged "
                         "within 30 days of receipt.")


@require_POST
@login_required
def start(request, request_id):
    rights_request = selectors.open_request(request.user, request_id, page="start")
    try:
        intake.start_work(by=request.user, request=rights_request)
        messages.success(request, "You are handling this request.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_detail(rights_request))


@require_form_page
@login_required
def pause(request, request_id):
    return _action(request, request_id, forms.PauseForm, title="Pause the clock while waiting for clarification",
                   button="Pause the clock", done="The clock is paused until the clarification arrives.",
                   intro="Pause only when you cannot answer without the clarification, and ask for it promptly.",
                   service=lambda r, f: clock.pause_clock(by=request.user, request=r, **f.cleaned_data))


@require_form_page
@login_required
def resume(request, request_id):
    return _action(request, request_id, forms.ResumeForm, title="Record the clarification",
                   button="Restart the clock", done="The clock has restarted: the due date has moved.",
                   service=lambda r, f: clock.resume_clock(by=request.user, request=r, **f.cleaned_data))


@require_form_page
@login_required
def extend(request, request_id):
    return _action(request, request_id, forms.ExtendForm, title="Extend the deadline by two months",
                   button="Extend the deadline", done="The deadline is extended.",
                   intro="A complex request, or several from the same person, can take up to three months from the "
                         "start. The extension must be made, and the requester told why, within the first month.",
                   service=lambda r, f: clock.extend_deadline(by=request.user, request=r, **f.cleaned_data))


@require_form_page
@login_required
def decide(request, request_id):
    def record(r, form):
        data = form.cleaned_data
        return decisions.decide(by=request.user, request=r, outcome=data["outcome"], reason=data["reason"],
                               response_text=data["response_text"], documents=data.get("documents") or ())
    return _action(request, request_id, forms.DecisionForm, title="Record the decision", button="Record the decision",
                   done="Decision recorded.", service=record,
                   form_kwargs=lambda r: {"kind": r.kind, "subject": r.subject},
                   ico_text=decisions.ICO_TEXT)


@require_form_page
@login_required
def correct(request, request_id):
    rights_request = selectors.open_request(request.user, request_id, page="correct")
    if rights_request.kind != RequestKind.RECTIFICATION or rights_request.subject is None:
        raise Http404("Page not found")
    form = forms.CorrectionForm(request.POST or None, person=rights_request.subject)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: rectification.apply_corrections(by=request.user, request=rights_request,
                                                                      changes=form.changes()))
        if result is not None:
            messages.success(request, "The record is corrected. What was there before is kept in its history.")
            return redirect(_detail(rights_request, "corrections"))
    return _form_page(request, rights_request, form, title="Correct the person's record", button="Save corrections",
                      intro="Change only what is wrong. The record keeps what was there before.")


@require_form_page
@login_required
def dispute(request, request_id):
    return _action(request, request_id, forms.DisputeForm, title="Mark the record as disputed",
                   button="Mark as disputed", done="The record is marked as disputed.",
                   intro="When the council does not agree that the record is wrong, the record stays as it is and "
                         "shows that the person disagrees, with their statement.",
                   service=lambda r, f: rectification.record_dispute(by=request.user, request=r, **f.cleaned_data))


@require_form_page
@login_required
def notification(request, request_id, notification_id):
    rights_request = selectors.open_request(request.user, request_id, page="notification")
    item = RecipientNotification.objects.filter(pk=notification_id, request=rights_request) \
        .select_related("organisation").first()
    if item is None:
        policy.refuse(request.user, object_type="rights.recipientnotification", object_id=notification_id,
                      purpose=PURPOSE)
    form = forms.NotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: notifications.record_notification(by=request.user, notification=item,
                                                                        **form.cleaned_data))
        if result is not None:
            messages.success(request, f"Recorded that {item.organisation.name} was told.")
            return redirect(_detail(rights_request, "notifications"))
    return _form_page(request, rights_request, form, title=f"Record telling {item.organisation.name}",
                      button="Record", intro="Tell them what was corrected, erased or restricted (UK GDPR Article 19).")


@require_form_page
@login_required
def lift_restriction(request, restriction_id):
    _require(request, object_type="rights.processingrestriction", object_id=restriction_id)
    processing_restriction = ProcessingRestriction.objects.filter(pk=restriction_id).select_related("request").first()
    if processing_restriction is None:
        policy.refuse(request.user, object_type="rights.processingrestriction", object_id=restriction_id,
                      purpose=PURPOSE)
    rights_request = selectors.open_request(request.user, processing_restriction.request_id, page="lift_restriction")
    form = forms.LiftRestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: restriction.lift_restriction(
            by=request.user, restriction=processing_restriction, **form.cleaned_data))
        if result is not None:
            messages.success(request, "The restriction is lifted. It stays on the request as a record.")
            return redirect(_detail(rights_request, "restriction"))
    return _form_page(request, rights_request, form, title="Lift the restriction", button="Lift the restriction",
                      intro="Tell the person before the restriction is lifted (UK GDPR Article 18(3)).")

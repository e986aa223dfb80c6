"""The privacy notice, generated from the processing register: public, as a page and as a PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import parse_id, run_service

from .forms import ConsentForm, DisclosureForm, SuggestionDecisionForm, WithdrawalForm
from .models import Consent, ConsentStatus, PrivacyNotice, SuggestionStatus, recipient_label
from .services import consent as consents
from .services import decisions, disclosures


def _notice(version):
    notices = PrivacyNotice.objects.all()
    notice = notices.filter(version=version).first() if version else notices.order_by("-version").first()
    if notice is None:
        raise Http404("Page not found")
    return notice


def _context(notice):
    purposes = [
        {**p, "recipients": [recipient_label(code) for code in p["recipient_types"]]}
        for p in notice.content["purposes"]
    ]
    return {"notice": notice, "purposes": purposes, "statements": notice.content["statements"],
            "versions": PrivacyNotice.objects.values_list("version", "published_at")}


@require_safe
def notice_page(request, version=None):
    return render(request, "privacy/notice.html", _context(_notice(version)))


@require_safe
def notice_pdf(request, version=None):
    from weasyprint import (
        HTML,  # imported here: loading Pango is slow and only the PDF needs it
    )

    notice = _notice(version)
    html = render_to_string("privacy/notice_print.html", _context(notice), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="privacy-notice-v{notice.version}.pdf"'
    return response


# --- Consent ------------------------------------------------------------------------------------

def _family_access(request, household_id):
    """A page about one family (its members are named on the consent form): an audited read."""
    return policy.open_family(request.user, household_id, purpose=Purpose.EARLY_HELP_CASEWORK,
                                 need="can_work_on_case")


@require_form_page
@login_required
def consent_new(request, household_id):
    access = _family_access(request, household_id)
    household = access.household
    members = list(household.memberships.filter(end_date__isnull=True).select_related("person"))
    form = ConsentForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = {str(m.person_id): m.person for m in members}
        if run_service(form, lambda: consents.record_consent(
                by=request.user, household=household, subject=people.get(data["subject"]),
                given_by=people.get(data["given_by"]), covers_support=data["covers_support"],
                sharing_partner_types=data["sharing_partner_types"], must_not_see=data["must_not_see"],
                excluded_organisation_types=data["excluded_organisation_types"],
                excluded_practitioners=[data["excluded_practitioners"]] if data["excluded_practitioners"] else [],
                national_evaluation_opt_out=data["national_evaluation_opt_out"],
                evidence_type=data["evidence_type"], evidence_reference=data["evidence_reference"],
                witness_name=data["witness_name"], given_on=data["given_on"])):
            messages.success(request, "Consent recorded.")
            return redirect(reverse("web:family", args=[household_id]) + "#consent")
    return render(request, "casework/form_page.html", {"title": "Record consent", "button": "Record consent",
                                                       "form": form, "access": access, "household": household})


@require_form_page
@login_required
def consent_withdraw(request, household_id, consent_id):
    access = _family_access(request, household_id)
    consent = access.household.consents.filter(pk=consent_id, status=ConsentStatus.ACTIVE).first()
    if consent is None:
        policy.refuse(request.user, object_type="privacy.consent", object_id=consent_id, household_id=household_id,
                      purpose=Purpose.EARLY_HELP_CASEWORK)
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: consents.request_withdrawal(
                by=request.user, consent_id=consent.pk, channel=form.cleaned_data["channel"],
                requested_on=form.cleaned_data["requested_on"])):
            messages.success(request, "Consent withdrawn. Nothing more will be shared on the strength of it; "
                                      "finish processing the withdrawal within 14 days.")
            return redirect(reverse("web:family", args=[household_id]) + "#consent")
    return render(request, "casework/form_page.html", {"title": "Withdraw consent", "button": "Withdraw consent",
                                                       "form": form, "access": access, "household": access.household})


@require_form_page
@login_required
def withdrawals(request):
    """Withdrawals waiting to be processed, with their due dates (14 days from the request)."""
    if not (policy.has_permission(request.user, policy.Permission.PROCESS_ALL_WITHDRAWALS)
            or policy.has_permission(request.user, policy.Permission.PROCESS_TEAM_WITHDRAWALS)):
        policy.refuse(request.user, purpose=Purpose.EARLY_HELP_CASEWORK)
    if request.method == "POST":
        consent_id = parse_id(request.POST.get("consent_id"))
        # Only a withdrawal this user may process (as listed for them) is answered: another team's pending
        # withdrawal and an id that does not exist get the same audited 404 (P2).
        mine = consents.pending_withdrawals(request.user).filter(pk=consent_id).exists() if consent_id else False
        done = Consent.objects.filter(pk=consent_id, status=ConsentStatus.WITHDRAWN).values_list(
            "household_id", flat=True).first() if consent_id and not mine else None
        already_processed = done is not None and policy.may_take_withdrawal(request.user, done)
        if not (mine or already_processed):
            policy.refuse(request.user, object_type="privacy.consent", object_id=consent_id,
                          purpose=Purpose.EARLY_HELP_CASEWORK)
        try:
            consents.complete_withdrawal(by=request.user, consent_id=consent_id)
            messages.success(request, "Withdrawal processed.")
        except ValidationError as error:  # say why nothing happened, rather than nothing at all
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            policy.refuse(request.user, object_type="privacy.consent", object_id=consent_id,
                          purpose=Purpose.EARLY_HELP_CASEWORK)
        return redirect("web:consent-withdrawals")
    page = paged_rows(request, consents.pending_withdrawals(request.user))
    pending = page.object_list
    audit.record(actor=request.user, action=Action.VIEW, event="consent.withdrawals", purpose=Purpose.EARLY_HELP_CASEWORK,
                 metadata={"listed": len(pending)})
    return render(request, "privacy/withdrawals.html", {"pending": pending, "page": page})


# --- Disclosures --------------------------------------------------------------------------------

@require_form_page
@login_required
def disclosure_new(request, household_id):
    access = _family_access(request, household_id)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: disclosures.record_disclosure(
                by=request.user, household=access.household, recipient_organisation=data["recipient_organisation"],
                purpose_code=data["purpose"].code, basis=data["basis"], sections=data["sections"],
                reason=data["reason"], shared=data["shared"] == "yes", recipient_person=data["recipient_person"])):
            messages.success(request, "Sharing decision recorded.")
            return redirect(reverse("web:family", args=[household_id]) + "#sharing")
    return render(request, "casework/form_page.html", {
        "title": "Record a sharing decision", "button": "Record decision", "form": form, "access": access,
        "household": access.household})


# --- Human decisions on suggestions (P13) --------------------------------------------------------

@require_form_page
@login_required
def suggestion_decide(request, household_id, suggestion_id):
    access = _family_access(request, household_id)
    suggestion = access.household.suggestions.filter(pk=suggestion_id, status=SuggestionStatus.PENDING).first()
    if suggestion is None:
        policy.refuse(request.user, object_type="privacy.suggestion", object_id=suggestion_id,
                      household_id=household_id, purpose=Purpose.EARLY_HELP_CASEWORK)
    form = SuggestionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: decisions.decide(by=request.user, suggestion_id=suggestion.pk,
                                                      accept=form.cleaned_data["decision"] == "accept",
                                                      reason=form.cleaned_data["reason"])):
            messages.success(request, "Decision recorded.")
            return redirect(reverse("web:family", args=[household_id]) + "#needs")
    return render(request, "casework/form_page.html", {
        "title": f"Decide: {suggestion.get_kind_display().lower()}", "button": "Record decision", "form": form,
        "access": access, "household": access.household, "lead": suggestion.rule})

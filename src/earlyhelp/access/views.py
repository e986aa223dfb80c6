"""Managers decide who may see a family: restriction and named exclusions."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from earlyhelp.audit.models import Purpose
from earlyhelp.organisations.models import User
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.http_methods import require_form_page
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import parse_id, run_service

from . import policy, search_first, services
from .messages import ENTER_EMERGENCY_ACCESS_REASON, ENTER_REVIEW_CONCLUSION


class RestrictionForm(TextRulesForm):
    restricted = forms.ChoiceField(
        label="Should this family's record be restricted?", widget=forms.RadioSelect,
        choices=[("yes", "Yes: only the lead practitioner, managers and the Team Around the Family can open it"),
                 ("no", "No: the whole holding team can open it")],
        error_messages={"required": "Select whether the record should be restricted"})
    reason = forms.CharField(label="Reason", widget=forms.Textarea, error_messages={"required": "Enter the reason"})


class ExclusionForm(TextRulesForm):
    user = forms.ModelChoiceField(label="Who must not see this family's record?",
                                  queryset=User.objects.filter(is_active=True).order_by("last_name"),
                                  error_messages={"required": "Select the person"})
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             error_messages={"required": "Enter why this person must not see the record"})


@require_form_page
@login_required
def family_access(request, household_id):
    access = policy.open_family(request.user, household_id, purpose=Purpose.EARLY_HELP_CASEWORK,
                                need="can_manage")
    household = access.household
    action = request.POST.get("form")
    restriction = RestrictionForm(request.POST if action == "restriction" else None,
                                  initial={"restricted": "yes" if household.is_restricted else "no"},
                                  prefix="restriction")
    exclusion = ExclusionForm(request.POST if action == "exclusion" else None, prefix="exclusion")
    if action == "restriction" and restriction.is_valid():
        if run_service(restriction, lambda: services.set_restricted(
                by=request.user, household=household, restricted=restriction.cleaned_data["restricted"] == "yes",
                reason=restriction.cleaned_data["reason"])):
            messages.success(request, "Record restriction updated.")
            return redirect("web:family-access", household_id=household_id)
    if action == "exclusion" and exclusion.is_valid():
        if run_service(exclusion, lambda: services.exclude(by=request.user, household=household,
                                                           user=exclusion.cleaned_data["user"],
                                                           reason=exclusion.cleaned_data["reason"])):
            messages.success(request, "The person can no longer see this family's record.")
            return redirect("web:family-access", household_id=household_id)
    if action == "remove":
        item = household.access_exclusions.filter(pk=parse_id(request.POST.get("exclusion_id")),
                                                  ended_at__isnull=True).first()
        if item is None:
            policy.refuse(request.user, household_id=household_id, purpose=Purpose.EARLY_HELP_CASEWORK)
        services.end_exclusion(by=request.user, exclusion=item)
        messages.success(request, "Exclusion lifted.")
        return redirect("web:family-access", household_id=household_id)
    return render(request, "access/family_access.html", {
        "household": household, "restriction": restriction, "exclusion": exclusion,
        "exclusions": household.access_exclusions.filter(ended_at__isnull=True)
        .select_related("user", "user__organisation", "recorded_by"),
    })


class EmergencyAccessForm(TextRulesForm):
    reason = forms.CharField(label="Why do you need to see this family's record now?", widget=forms.Textarea,
                             error_messages={"required": ENTER_EMERGENCY_ACCESS_REASON})


@require_form_page
@login_required
def emergency_access(request, person_id):
    """Break-glass from a search result: the family of a person the user's last search returned."""
    person = search_first.person_from_last_search(request, person_id)
    membership = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    if membership is None or not policy.has_permission(request.user, policy.Permission.USE_EMERGENCY_ACCESS):
        policy.refuse(request.user, object_type="people.person", object_id=person_id,
                      purpose=Purpose.EARLY_HELP_CASEWORK)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.start_emergency_access(
                by=request.user, household=membership.household, reason=form.cleaned_data["reason"])):
            messages.success(request, f"Emergency access for {settings.EARLYHELP_EMERGENCY_ACCESS_MINUTES} minutes. "
                                      "Everything you open is recorded and will be reviewed.")
            return redirect("web:family", household_id=membership.household_id)
    return render(request, "access/emergency_access.html", {"form": form})


class ReviewForm(TextRulesForm):
    note = forms.CharField(label="Your conclusion", widget=forms.Textarea,
                           error_messages={"required": ENTER_REVIEW_CONCLUSION})


@require_form_page
@login_required
def emergency_reviews(request):
    if not (policy.has_permission(request.user, policy.Permission.REVIEW_ALL_EMERGENCY_ACCESS)
            or policy.has_permission(request.user, policy.Permission.REVIEW_TEAM_EMERGENCY_ACCESS)):
        policy.refuse(request.user, purpose=Purpose.ACCESS_OVERSIGHT)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.review_emergency_access(
                by=request.user, grant_id=parse_id(request.POST.get("grant_id")), note=form.cleaned_data["note"])):
            messages.success(request, "Review recorded.")
            return redirect("web:emergency-reviews")
    page = paged_rows(request, services.list_emergency_access_to_review(request.user))
    return render(request, "access/emergency_reviews.html", {"pending": page.object_list, "page": page, "form": form})

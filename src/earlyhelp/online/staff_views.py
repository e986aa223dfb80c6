"""The front door's queue of requests made online, and recording one as a contact once the officer has searched for
the person it is about (P13: the officer picks; P22: a contact with channel "web")."""

import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from earlyhelp.access import policy, search_first
from earlyhelp.audit.models import Purpose
from earlyhelp.people import selectors as people
from earlyhelp.people.forms import SearchForm
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows
from earlyhelp.ui.service_forms import parse_id, run_service

from . import intake, questions, selectors, staff_forms
from .models import Route


@require_safe
@login_required
def request_list(request):
    policy.require(request.user, policy.Permission.SEE_ONLINE_REQUESTS, purpose=Purpose.EARLY_HELP_CASEWORK)
    page = paged_rows(request, selectors.waiting_for(request.user))
    return render(request, "online/staff/list.html", {"page": page})


def _search_initial(help_request) -> dict:
    answers = help_request.answers
    born = answers.get("date_of_birth")
    return {"family_name": answers.get("family_name", ""), "given_name": answers.get("given_name", ""),
            "date_of_birth": datetime.date.fromisoformat(born) if born else None}


def _search_again(request):
    """The officer's last search by name, run again (audited as any search) so the page can show its results."""
    terms = search_first.new_person_initial(request)
    if not terms.get("family_name"):
        return None
    try:
        outcome = people.search_people(request.user, family_name=terms["family_name"],
                                       given_name=terms.get("given_name", ""), date_of_birth=terms.get("date_of_birth"))
    except ValidationError:
        return None
    search_first.remember_results(request, [r.person_id for r in outcome.results])
    return outcome


@require_form_page
@login_required
def request_detail(request, request_id):
    help_request = selectors.open_request(request.user, request_id)
    step = request.POST.get("step") if request.method == "POST" else None
    search_form = SearchForm(request.POST if step == "search" else None, initial=_search_initial(help_request))
    record_form = staff_forms.RecordForm(
        request.POST if step == "record" else None,
        initial={"team": request.user.team_id, "source": "self" if help_request.route == Route.SELF else ""})
    close_form = staff_forms.CloseForm(request.POST if step == "close" else None)
    outcome = None
    if step == "close" and close_form.is_valid():
        closed = run_service(close_form, lambda: intake.close_request(
            by=request.user, help_request=help_request, reason=close_form.cleaned_data["reason"]))
        if closed:
            flash.success(request, f"Request {closed.reference} closed without a contact.")
            return redirect("online_requests:list")
    if step == "search":
        outcome = search_first.run_search(request, search_form, people.search_people)
    elif step == "record":
        person = search_first.person_from_last_search(request, parse_id(request.POST.get("person_id")))
        contact = record_form.is_valid() and run_service(record_form, lambda: intake.record_as_contact(
            by=request.user, help_request=help_request, subject=person, team=record_form.cleaned_data["team"],
            source=record_form.cleaned_data["source"]))
        if contact:
            flash.success(request, "Request recorded as a contact and sent to the team.")
            return redirect("web:contact", contact_id=contact.pk)
        outcome = _search_again(request)  # the form has errors: show the people found again beside it
    return render(request, "online/staff/detail.html", {
        "help_request": help_request, "proposed": questions.answer_rows(help_request.route, help_request.answers),
        "form": search_form, "record_form": record_form, "close_form": close_form, "outcome": outcome,
        "can_create": search_first.searched_recently(request)})

"""Search-first: people are found before anyone creates a new record.

Search terms travel by POST, never in the URL. The ids a search returned are remembered in the
session, and only those can be picked; creating a new person needs a search in the last 30 minutes.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render

from earlyhelp.access import policy, search_first
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.service_forms import run_service

from . import selectors, services
from .forms import PersonForm, SearchForm
from .models import Person

# The names and date of birth last searched for, to start a new record with (kept server-side only).
SEARCH_TERMS_KEY = "earlyhelp_search_terms"


def run_search(request, form):
    """Validate and run a search; remember what it returned for the next step."""
    if not form.is_valid():
        return None
    outcome = run_service(form, lambda: selectors.search_people(
        request.user, family_name=form.cleaned_data["family_name"], given_name=form.cleaned_data["given_name"],
        date_of_birth=form.cleaned_data["date_of_birth"], identifier=form.cleaned_data["identifier"]))
    if outcome is not None:
        search_first.remember_results(request, [r.person_id for r in outcome.results])
        dob = form.cleaned_data["date_of_birth"]
        request.session[SEARCH_TERMS_KEY] = {
            "given_name": form.cleaned_data["given_name"], "family_name": form.cleaned_data["family_name"],
            "date_of_birth": dob.isoformat() if dob else None,
        }
    return outcome


def new_person_initial(request) -> dict:
    """Start a new record with what was just searched for, so nobody types it twice."""
    terms = dict(request.session.get(SEARCH_TERMS_KEY) or {})
    if terms.get("date_of_birth"):
        terms["date_of_birth"] = datetime.date.fromisoformat(terms["date_of_birth"])
    return terms


def forget_search_terms(request):
    request.session.pop(SEARCH_TERMS_KEY, None)


@transaction.atomic
def create_person_from_form(*, by, form: PersonForm, household_id=None) -> Person:
    data = form.cleaned_data
    person = services.create_person(
        by=by, given_name=data["given_name"], family_name=data["family_name"],
        preferred_name=data["preferred_name"], date_of_birth=data["date_of_birth"],
        expected_date_of_birth=data["expected_date_of_birth"], gender=data["gender"],
        ethnicity=data["ethnicity"] or "NOBT", first_language=data["first_language"],
        interpreter_needed=data["interpreter_needed"], disability=data["disability"] or "unknown",
        special_educational_needs=data["special_educational_needs"] or "unknown",
        identifier_values=form.identifier_values(),
    )
    if data["line_1"]:
        services.move_address(by=by, person=person, line_1=data["line_1"], line_2=data["line_2"], town=data["town"],
                              postcode=data["postcode"], valid_from=data["date_of_birth"] or
                              data["expected_date_of_birth"], household_id=household_id)
    return person


@login_required
def search(request):
    if not policy.has_permission(request.user, policy.Permission.SEARCH_PEOPLE):
        policy.refuse(request.user, purpose=Purpose.DUPLICATE_CHECK)
    form = SearchForm(request.POST or None)
    outcome = run_search(request, form) if request.method == "POST" else None
    return render(request, "people/search.html", {"form": form, "outcome": outcome})


@login_required
def person_detail(request, person_id):
    return render(request, "people/person_detail.html", {"record": selectors.open_person(request.user, person_id)})

"""Search first: a person is picked from a recent search, never browsed to.

The ids a search returned are remembered in the session, and only those can be picked (to record a contact
about them, add them to a family, or open their family in an emergency); creating a new person needs a search
in the last 30 minutes, so duplicates are found before anyone creates one. Search terms travel by POST and are
kept server-side only.
"""

import datetime
import time

from earlyhelp.audit.models import Purpose
from earlyhelp.people.models import Person
from earlyhelp.ui.service_forms import run_service

from .policy import refuse

SEARCH_RESULTS_KEY = "earlyhelp_search_results"
SEARCHED_AT_KEY = "earlyhelp_searched_at"
SEARCH_FIRST_SECONDS = 30 * 60
# The names and date of birth last searched for, to start a new record with (kept server-side only).
SEARCH_TERMS_KEY = "earlyhelp_search_terms"


def run_search(request, form, search):
    """Validate a search form (`people.forms.SearchForm`) and run `search` (`people.selectors.search_people`) for
    the user; terms it refuses become errors on the form. Remember whom it returned, for the next step, and what
    was searched for, to start a new record with."""
    if not form.is_valid():
        return None
    outcome = run_service(form, lambda: search(
        request.user, family_name=form.cleaned_data["family_name"], given_name=form.cleaned_data["given_name"],
        date_of_birth=form.cleaned_data["date_of_birth"], identifier=form.cleaned_data["identifier"]))
    if outcome is not None:
        remember_results(request, [r.person_id for r in outcome.results])
        dob = form.cleaned_data["date_of_birth"]
        request.session[SEARCH_TERMS_KEY] = {
            "given_name": form.cleaned_data["given_name"], "family_name": form.cleaned_data["family_name"],
            "date_of_birth": dob.isoformat() if dob else None,
        }
    return outcome


def remember_results(request, person_ids) -> None:
    request.session[SEARCH_RESULTS_KEY] = list(person_ids)
    request.session[SEARCHED_AT_KEY] = time.time()


def new_person_initial(request) -> dict:
    """Start a new record with what was just searched for, so nobody types it twice."""
    terms = dict(request.session.get(SEARCH_TERMS_KEY) or {})
    if terms.get("date_of_birth"):
        terms["date_of_birth"] = datetime.date.fromisoformat(terms["date_of_birth"])
    return terms


def forget_search_terms(request) -> None:
    request.session.pop(SEARCH_TERMS_KEY, None)


def remember_person(request, person) -> None:
    """A person just created from a search can be picked as if the search had returned them."""
    request.session[SEARCH_RESULTS_KEY] = [*request.session.get(SEARCH_RESULTS_KEY, []), person.pk]


def searched_recently(request) -> bool:
    return time.time() - request.session.get(SEARCHED_AT_KEY, 0) < SEARCH_FIRST_SECONDS


def person_from_last_search(request, person_id) -> Person:
    """The person, if the user's last search returned them; otherwise an audited 404."""
    if person_id is None or person_id not in request.session.get(SEARCH_RESULTS_KEY, []):
        refuse(request.user, object_type="people.person", object_id=person_id, purpose=Purpose.DUPLICATE_CHECK)
    return Person.objects.get(pk=person_id)

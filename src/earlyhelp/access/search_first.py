"""Search first: a person is picked from a recent search, never browsed to.

The ids a search returned are remembered in the session, and only those can be picked (to record a contact
about them, add them to a family, or open their family in an emergency); creating a new person needs a search
in the last 30 minutes, so duplicates are found before anyone creates one. Search terms travel by POST and are
kept server-side only.
"""

import time

from earlyhelp.audit.models import Purpose
from earlyhelp.people.models import Person

from .policy import refuse

SEARCH_RESULTS_KEY = "earlyhelp_search_results"
SEARCHED_AT_KEY = "earlyhelp_searched_at"
SEARCH_FIRST_SECONDS = 30 * 60


def remember_results(request, person_ids) -> None:
    request.session[SEARCH_RESULTS_KEY] = list(person_ids)
    request.session[SEARCHED_AT_KEY] = time.time()


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

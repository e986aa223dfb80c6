"""Search-first: people are found before anyone creates a new record.

Search terms travel by POST, never in the URL. The ids a search returned are remembered in the
session (`earlyhelp.access.search_first`), and only those can be picked; creating a new person needs a
search in the last 30 minutes.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from earlyhelp.access import policy, search_first
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.http_methods import require_form_page, require_safe

from . import selectors
from .forms import SearchForm


@require_form_page
@login_required
def search(request):
    if not policy.has_permission(request.user, policy.Permission.SEARCH_PEOPLE):
        policy.refuse(request.user, purpose=Purpose.DUPLICATE_CHECK)
    form = SearchForm(request.POST or None)
    outcome = search_first.run_search(request, form, selectors.search_people) if request.method == "POST" else None
    return render(request, "people/search.html", {"form": form, "outcome": outcome})


@require_safe
@login_required
def person_detail(request, person_id):
    return render(request, "people/person_detail.html", {"record": selectors.open_person(request.user, person_id)})

"""The shortlist (families who meet the eligibility rule, each decided by a person) and the families on the
programme. Both show who the family is, so every view is an audit event under the Supporting Families purpose."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path

from earlyhelp.access.restrictions import restricted_household_ids
from earlyhelp.casework.models import Episode, EpisodeStatus
from earlyhelp.people.models import Membership, MemberRole
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.ui.http_methods import require_form_page, require_safe
from earlyhelp.ui.service_forms import run_service

from ..forms import EligibilityDecisionForm
from ..models import ProgrammeFamily
from ..services import shortlist as services
from .framework import page_of, posted, require, viewed

ADULT_ROLES = {MemberRole.PARENT_CARER, MemberRole.OTHER_ADULT}
SORTS = {"oldest": ("suggested_at", "pk"), "newest": ("-suggested_at", "-pk"), "reference": ("household__reference",),
         "headlines": ("-headline_count", "suggested_at")}
FAMILY_SORTS = {"newest": ("-screened_on", "-pk"), "oldest": ("screened_on", "pk"),
                "reference": ("household__reference",)}


def _who(household_ids) -> dict:
    """Each family's current adults and children as the person index gives them, and its latest episode."""
    found = {household_id: {"adults": [], "children": [], "episode": None} for household_id in household_ids}
    memberships = (Membership.objects.filter(household_id__in=household_ids, end_date__isnull=True)
                   .select_related("person").order_by("person__date_of_birth", "pk"))
    for membership in memberships:
        group = "adults" if membership.role in ADULT_ROLES else "children"
        found[membership.household_id][group].append(membership.person)
    for episode in (Episode.objects.filter(household_id__in=household_ids).select_related("lead_practitioner")
                    .order_by("household_id", "opened_on", "pk")):
        found[episode.household_id]["episode"] = episode  # the latest wins
    return found


def _labels() -> dict:
    return dict(HeadlineArea.objects.values_list("code", "label"))


@require_form_page
@login_required
def shortlist(request):
    require(request)
    if request.method == "POST":
        proposed = services.propose_shortlist(by=request.user)
        viewed(request, "shortlist.screen", proposed=len(proposed))
        messages.success(request, f"Families screened: {len(proposed)} new on the shortlist."
                         if proposed else "Families screened: nobody new meets the rule.")
        return redirect("programme:shortlist")
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "oldest"
    headline = request.GET.get("headline", "")
    # The headlines are in each proposal's key: filter and sort in Python (the shortlist is hundreds, not millions).
    proposals = list(services.pending_proposals().select_related("household"))
    for proposal in proposals:
        proposal.headline_codes = services.headlines_of(proposal)
    if headline:
        proposals = [proposal for proposal in proposals if headline in proposal.headline_codes]
    reverse = sort in ("newest", "headlines")
    key = {"oldest": lambda p: (p.suggested_at, p.pk), "newest": lambda p: (p.suggested_at, p.pk),
           "reference": lambda p: p.household.reference,
           "headlines": lambda p: (len(p.headline_codes), p.suggested_at)}[sort]
    proposals.sort(key=key, reverse=reverse)
    page = page_of(request, proposals)
    who = _who([proposal.household_id for proposal in page.object_list])
    labels = _labels()
    rows = [{"proposal": proposal, "who": who[proposal.household_id],
             "headlines": [labels.get(code, code) for code in proposal.headline_codes]} for proposal in page]
    viewed(request, "shortlist.view", objects=[proposal.household for proposal in page.object_list],
           listed=len(page.object_list))
    return render(request, "supporting_families/shortlist.html", {
        "page": page, "rows": rows, "sort": sort, "sorts": [("oldest", "Longest waiting"), ("newest", "Newest"),
                                                            ("reference", "Family reference"),
                                                            ("headlines", "Most headlines")],
        "headline": headline, "areas": HeadlineArea.objects.all()})


@require_form_page
@login_required
def decide(request, suggestion_id):
    proposal = require(request, Suggestion, suggestion_id,
                       Suggestion.objects.filter(kind=SuggestionKind.ELIGIBILITY).exclude(
                           household_id__in=restricted_household_ids()).select_related("household"))
    form = EligibilityDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        decided = run_service(form, lambda: services.decide_eligibility(
            by=request.user, suggestion_id=proposal.pk, accept=form.accept, reason=form.cleaned_data["reason"],
            comparison_group=form.comparison_group))
        if form.is_valid():  # run_service adds the service's errors to the form
            if decided is not None:
                messages.success(request, "The family is on the programme, in the comparison group."
                                 if decided.comparison_group else "The family is on the programme.")
            else:
                messages.success(request, "The family is not taken onto the programme. It will be proposed again "
                                          "only if a new need is confirmed.")
            return redirect("programme:shortlist")
    who = _who([proposal.household_id])[proposal.household_id]
    labels = _labels()
    viewed(request, "shortlist_proposal.view", objects=[proposal, proposal.household])
    return render(request, "supporting_families/shortlist_decide.html", {
        "proposal": proposal, "who": who, "form": form,
        "headlines": [labels.get(code, code) for code in services.headlines_of(proposal)],
        "decided": proposal.status != SuggestionStatus.PENDING,
        "on_programme": ProgrammeFamily.objects.filter(household_id=proposal.household_id).first()})


@require_safe
@login_required
def families(request):
    require(request)
    sort = request.GET.get("sort") if request.GET.get("sort") in FAMILY_SORTS else "newest"
    group = request.GET.get("group", "")
    found = ProgrammeFamily.objects.exclude(household_id__in=restricted_household_ids()) \
        .select_related("household", "decided_by")
    if group == "support":
        found = found.filter(comparison_group=False)
    elif group == "comparison":
        found = found.filter(comparison_group=True)
    page = page_of(request, found.order_by(*FAMILY_SORTS[sort]))
    who = _who([family.household_id for family in page.object_list])
    labels = _labels()
    rows = [{"family": family, "who": who[family.household_id],
             "headlines": [labels.get(code, code) for code in family.criteria_met]} for family in page]
    viewed(request, "programme_families.view", objects=[family.household for family in page.object_list],
           listed=len(page.object_list))
    return render(request, "supporting_families/shortlist_families.html", {
        "page": page, "rows": rows, "sort": sort, "group": group,
        "sorts": [("newest", "Most recently screened"), ("oldest", "First screened"), ("reference", "Family reference")],
        "open_status": EpisodeStatus.OPEN})


urlpatterns = [
    path("shortlist/", shortlist, name="shortlist"),
    path("shortlist/<int:suggestion_id>/", decide, name="shortlist-decide"),
    path("families/", families, name="families"),
]

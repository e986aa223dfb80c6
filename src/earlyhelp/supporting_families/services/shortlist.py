"""Eligibility and the shortlist.

The council's rule (`programme.ProgrammeRules`, default: a dependent child or an expectant parent, and needs
in at least three distinct headlines) is applied to families' confirmed needs. Families who meet it are
proposed to the data team with why; a person decides each (P13). A family whose needs change is proposed
again; one decision stands for the same set of needs.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from earlyhelp.access.restrictions import restricted_household_ids
from earlyhelp.people.models import Household, Membership
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services import decisions
from earlyhelp.programme.models import EligibilityCounting, Need, NeedStatus, ProgrammeRules
from earlyhelp.records.calendar import add_months

from ..models import ProgrammeFamily


@dataclass(frozen=True)
class Screening:
    household_id: int
    headlines: tuple[str, ...]  # headline codes with a confirmed need
    descriptors: tuple[str, ...]
    has_dependant: bool
    meets_rule: bool
    why: str


def _dependants(household_ids, rules: ProgrammeRules, today: datetime.date) -> set[int]:
    """Families with a current member who is a dependent child (younger than the rule's age) or unborn."""
    born_after = add_months(today, -12 * rules.dependent_child_under)
    return set(Membership.objects.filter(household_id__in=household_ids, end_date__isnull=True).filter(
        Q(person__date_of_birth__gt=born_after) | Q(person__expected_date_of_birth__isnull=False))
        .values_list("household_id", flat=True))


def screen(household_ids=None, *, today: datetime.date | None = None) -> list[Screening]:
    """Apply the council's rule to families' confirmed needs (restricted families are left out)."""
    rules, today = ProgrammeRules.current(), today or timezone.localdate()
    needs = Need.objects.exclude(status=NeedStatus.WITHDRAWN).exclude(household_id__in=restricted_household_ids())
    if household_ids is not None:
        needs = needs.filter(household_id__in=household_ids)
    found: dict[int, tuple[set, set]] = {}
    for household_id, area, descriptor in needs.values_list("household_id", "descriptor__area__code",
                                                             "descriptor__code"):
        headlines, descriptors = found.setdefault(household_id, (set(), set()))
        headlines.add(area)
        descriptors.add(descriptor)
    dependants = _dependants(found.keys(), rules, today)
    screenings = []
    for household_id, (headlines, descriptors) in sorted(found.items()):
        counted = headlines if rules.counting == EligibilityCounting.HEADLINES else descriptors
        has_dependant = household_id in dependants or not rules.requires_dependent_child_or_expectant_parent
        meets = has_dependant and len(counted) >= rules.minimum_needs
        unit = "headlines" if rules.counting == EligibilityCounting.HEADLINES else "descriptors"
        why = f"Needs in {len(counted)} {unit} ({', '.join(sorted(headlines))}); at least {rules.minimum_needs} needed"
        if rules.requires_dependent_child_or_expectant_parent:
            why += ("; a dependent child or expectant parent in the family" if household_id in dependants
                    else "; no dependent child or expectant parent in the family")
        screenings.append(Screening(household_id, tuple(sorted(headlines)), tuple(sorted(descriptors)),
                                    has_dependant, meets, why))
    return screenings


def _key(screening: Screening) -> str:
    return f"household:{screening.household_id}:headlines:{'+'.join(screening.headlines)}"


def propose_shortlist(*, today: datetime.date | None = None) -> list:
    """Propose every family that meets the rule and is not yet on the programme; returns the new proposals."""
    on_programme = set(ProgrammeFamily.objects.values_list("household_id", flat=True))
    proposals = []
    for screening in screen(today=today):
        if not screening.meets_rule or screening.household_id in on_programme:
            continue
        proposal = decisions.suggest(kind=SuggestionKind.ELIGIBILITY, key=_key(screening), rule=screening.why,
                                     household=Household(pk=screening.household_id))
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def accept_onto_programme(suggestion, by) -> ProgrammeFamily:
    """Accepting a shortlist proposal: the family joins the programme, with the headlines met at screening."""
    headlines = suggestion.key.split(":headlines:")[1].split("+")
    return ProgrammeFamily.objects.create(household_id=suggestion.household_id, screened_on=timezone.localdate(),
                                          criteria_met=headlines, suggestion=suggestion, decided_by=by,
                                          decided_at=timezone.now())

"""Eligibility and the shortlist.

The council's rule (`programme.ProgrammeRules`, default: a dependent child or an expectant parent, and needs
in at least three distinct headlines) is applied to families' confirmed needs. Families who meet it are
proposed to the data team with why; a person decides each (P13). A family whose needs change is proposed
again; one decision stands for the same set of needs.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.access.restrictions import ensure_not_restricted, restricted_household_ids
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Household, Membership
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.programme.models import EligibilityCounting, Need, NeedStatus, ProgrammeRules
from earlyhelp.records.calendar import add_months

from ..models import ProgrammeFamily

ALREADY_ON_PROGRAMME = "This family is already on the programme"
CHOOSE_GROUP = "Choose whether the family is offered support or is in the comparison group"


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
        # An unborn child counts until a month after the expected date (a record not yet updated after the birth).
        Q(person__date_of_birth__gt=born_after) | Q(person__expected_date_of_birth__gte=add_months(today, -1)))
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


def _key(screening: Screening, rules: ProgrammeRules) -> str:
    """The same needs give the same key, so a decision stands for them; a new headline (or, when the rule counts
    descriptors, a new descriptor) gives a new key and the family is proposed again."""
    key = f"household:{screening.household_id}:headlines:{'+'.join(screening.headlines)}"
    if rules.counting == EligibilityCounting.DESCRIPTORS:
        key += f":descriptors:{'+'.join(screening.descriptors)}"
    return key[:200]


def headlines_of(suggestion) -> list[str]:
    """The headline codes a shortlist proposal was made on."""
    return [code for code in suggestion.key.split(":headlines:")[1].split(":descriptors:")[0].split("+") if code]


@transaction.atomic
def propose_shortlist(*, by=None, today: datetime.date | None = None) -> list:
    """Propose every family that meets the rule and is not yet on the programme; returns the new proposals. `by` is
    the person who asked for the screening (None for the nightly job)."""
    on_programme = set(ProgrammeFamily.objects.values_list("household_id", flat=True))
    rules = ProgrammeRules.current()
    proposals = []
    for screening in screen(today=today):
        if not screening.meets_rule or screening.household_id in on_programme:
            continue
        proposal = decisions.suggest(kind=SuggestionKind.ELIGIBILITY, key=_key(screening, rules),
                                     rule=screening.why[:300],
                                     household=Household(pk=screening.household_id))
        if proposal is not None:
            proposals.append(proposal)
    audit.record(actor=by, action=Action.CREATE, event="shortlist.propose", purpose=Purpose.SUPPORTING_FAMILIES_RETURNS,
                 objects=proposals, metadata={"proposed": len(proposals)})
    return proposals


def accept_onto_programme(suggestion, by, *, comparison_group: bool = False) -> ProgrammeFamily:
    """Accepting a shortlist proposal: the family joins the programme, with the headlines met at screening (the
    day the proposal was made), in the support group or the National Impact Study's comparison group."""
    if ProgrammeFamily.objects.filter(household_id=suggestion.household_id).exists():
        raise ValidationError(ALREADY_ON_PROGRAMME)
    return ProgrammeFamily.objects.create(
        household_id=suggestion.household_id, screened_on=timezone.localdate(suggestion.suggested_at),
        criteria_met=headlines_of(suggestion), comparison_group=comparison_group, suggestion=suggestion,
        decided_by=by, decided_at=timezone.now())


@transaction.atomic
def decide_eligibility(*, by, suggestion_id: int, accept: bool, reason: str,
                       comparison_group: bool | None = None) -> ProgrammeFamily | None:
    """A person's decision on a shortlist proposal (P13), through `privacy.services.decisions.decide`. Accepting
    needs the group: support, or the comparison group, which the generic decision cannot carry, so it is
    recorded here in the same transaction. Returns the programme family when accepted."""
    suggestion = Suggestion.objects.filter(pk=suggestion_id, kind=SuggestionKind.ELIGIBILITY).first()
    if suggestion is None:
        raise ValidationError("There is no such proposal")
    if accept and comparison_group is None:
        raise ValidationError({"group": CHOOSE_GROUP})
    ensure_not_restricted(household=suggestion.household_id)
    decisions.decide(by=by, suggestion_id=suggestion.pk, accept=accept, reason=reason)
    if not accept:
        return None
    family = ProgrammeFamily.objects.select_for_update().get(suggestion=suggestion)
    if comparison_group and not family.comparison_group:
        family.comparison_group = True
        family.save(update_fields=["comparison_group"])
    audit.record(actor=by, action=Action.CHANGE, event="programme_family.group", purpose=Purpose.SUPPORTING_FAMILIES_RETURNS,
                 objects=[family], household_id=family.household_id,
                 metadata={"comparison_group": family.comparison_group})
    return family


def pending_proposals():
    """Shortlist proposals waiting for a decision: families not yet on the programme, never a restricted one."""
    return (Suggestion.objects.filter(kind=SuggestionKind.ELIGIBILITY, status=SuggestionStatus.PENDING)
            .exclude(household_id__in=ProgrammeFamily.objects.values("household_id"))
            .exclude(household_id__in=restricted_household_ids()))

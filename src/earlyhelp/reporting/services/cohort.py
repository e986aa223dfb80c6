"""Who is in a National Impact Study transfer or a research extract for a period, read in chunks.

The families are those a person put on the Supporting Families programme (`supporting_families.ProgrammeFamily`,
the comparison group included) screened on or before the period's end, except a family whose support ended before
the period began (nothing about it changed in the period). Their members are the people in the family at some time
in the period.

Left out, always, before any row is written:

- everyone who opted out of the national evaluation (`privacy.Consent.national_evaluation_opt_out`). Every consent
  counts, in any family, whether it is active, withdrawn or replaced by a correction: withdrawing consent to
  support does not withdraw an objection, and a person who once said no is never sent. Both the person the consent
  is about (`subject`: a child whose parent opted them out) and the person who gave it (`given_by`) are left out,
  so an opt-out given by a parent for a child leaves out that parent too; the form records one opt-out per
  consent, and we read it in the way that sends less;
- everyone whose processing is restricted (UK GDPR Article 18, `access.restrictions`): a restricted record may be
  stored but not otherwise used, and a transfer or an extract is a use.

Efficiency: programme families are read with `values_list(...).iterator()` in chunks; each chunk needs one query
each for episodes and members (and the caller's own per-chunk queries), so 100,000 families take a few hundred
queries, never one per family.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from earlyhelp.access.restrictions import restricted_person_ids
from earlyhelp.casework.models import Episode
from earlyhelp.people.models import Membership
from earlyhelp.privacy.models import Consent
from earlyhelp.supporting_families.models import ProgrammeFamily

CHUNK = 1000

NOT_STARTED, IN_PROGRESS, ENDED = "not_started", "in_progress", "ended"


def excluded_person_ids() -> set[int]:
    """People never sent for evaluation or research: opted out (any consent) or restricted now."""
    excluded = set()
    for subject_id, given_by_id in Consent.objects.filter(national_evaluation_opt_out=True).values_list(
            "subject_id", "given_by_id"):
        excluded.update((subject_id, given_by_id))
    excluded.update(row["person_id"] for row in restricted_person_ids())
    return excluded


@dataclass
class Member:
    person_id: int
    role: str
    given_name: str
    family_name: str
    date_of_birth: object
    expected_date_of_birth: object
    gender: str
    ethnicity: str


@dataclass
class Family:
    household_id: int
    reference: str
    screened_on: object
    criteria_met: list
    comparison_group: bool
    status: str = NOT_STARTED
    started_on: object = None
    ended_on: object = None
    members: list = field(default_factory=list)


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def families(period_start, period_end, *, excluded: set[int], chunk_size: int = CHUNK):
    """Lists of `Family` (with their members, the excluded people already gone), chunk by chunk."""
    rows = (ProgrammeFamily.objects.filter(screened_on__lte=period_end).order_by("household_id")
            .values_list("household_id", "household__reference", "screened_on", "criteria_met", "comparison_group")
            .iterator(chunk_size=chunk_size))
    for chunk in _chunks(rows, chunk_size):
        found = {row[0]: Family(*row) for row in chunk}
        _add_interventions(found, period_end)
        found = {pk: f for pk, f in found.items()
                 if not (f.ended_on is not None and f.ended_on < period_start)}
        _add_members(found, period_start, period_end, excluded)
        batch = [f for f in found.values() if f.members]
        if batch:
            yield batch


def _add_interventions(found: dict, period_end):
    """The family's support as it stood at the period's end: its latest episode opened by then."""
    episodes = (Episode.objects.filter(household_id__in=list(found), opened_on__lte=period_end)
                .order_by("household_id", "opened_on", "pk").values_list("household_id", "opened_on", "closed_on"))
    for household_id, opened_on, closed_on in episodes:  # the last one per family wins
        family = found[household_id]
        family.started_on = opened_on
        family.ended_on = closed_on if closed_on is not None and closed_on <= period_end else None
        family.status = ENDED if family.ended_on else IN_PROGRESS


def _add_members(found: dict, period_start, period_end, excluded: set[int]):
    memberships = (Membership.objects.filter(household_id__in=list(found), start_date__lte=period_end)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gte=period_start))
                   .order_by("household_id", "start_date", "pk")
                   .values_list("household_id", "person_id", "role", "person__given_name", "person__family_name",
                                "person__date_of_birth", "person__expected_date_of_birth", "person__gender",
                                "person__ethnicity"))
    seen = defaultdict(dict)
    for household_id, person_id, *rest in memberships:
        if person_id in excluded:
            continue
        seen[household_id][person_id] = Member(person_id, *rest)  # a later membership replaces an earlier one
    for household_id, members in seen.items():
        found[household_id].members = list(members.values())

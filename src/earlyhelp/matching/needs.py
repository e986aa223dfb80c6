"""Confirmed partner facts suggest Supporting Families needs, through the council's dataset rules (data in
`programme.DatasetNeedRule`, not code). A suggestion becomes a need only when the data team accepts it (P13);
the need then names the partner and the import it came from (P17)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from earlyhelp.access.restrictions import ensure_not_restricted, without_restricted
from earlyhelp.casework.models import Episode
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.programme.models import DatasetNeedRule, Descriptor
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.records.provenance import SourceKind

from .models import DatasetType, SourceRecord


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def rule_matches(rule: DatasetNeedRule, facts: dict) -> bool:
    if rule.comparison == DatasetNeedRule.Comparison.ANY:
        return True
    held = facts.get(rule.fact)
    if held is None:
        return False
    if rule.comparison == DatasetNeedRule.Comparison.EQUALS:
        return str(held).strip().lower() == rule.value.strip().lower()
    held_number, limit = _number(held), _number(rule.value)
    if held_number is None or limit is None:
        return False
    return held_number < limit if rule.comparison == DatasetNeedRule.Comparison.BELOW else held_number >= limit


def _key(record_id: int, descriptor_id: int) -> str:
    return f"record:{record_id}:descriptor:{descriptor_id}"


def _household(person):
    membership = (person.memberships.filter(end_date__isnull=True).select_related("household")
                  .order_by("-start_date").first())
    return membership.household if membership else None


def suggest_needs(record: SourceRecord) -> list:
    """After a record is linked to a person: propose each need the council's rules find in its facts."""
    household = _household(record.person)
    if household is None:  # nobody to screen: needs belong to a family
        return []
    proposals = []
    rules = DatasetNeedRule.objects.filter(dataset_type=record.batch.dataset_type, is_active=True,
                                           descriptor__is_active=True).select_related("descriptor")
    for rule in rules:
        if not rule_matches(rule, record.facts):
            continue
        label = DatasetType(record.batch.dataset_type).label
        proposal = decisions.suggest(
            kind=SuggestionKind.MATCHED_NEED, key=_key(record.pk, rule.descriptor_id), household=household,
            rule=f"{label} (import {record.batch.reference}) suggests: {rule.descriptor.label}")
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def confirm_matched_need(suggestion, by):
    """Accepting a partner-data suggestion: a need for the person the record was linked to."""
    record_id, descriptor_id = parse_key(suggestion.key)
    ensure_not_restricted(household=suggestion.household_id)
    record = SourceRecord.objects.select_related("batch__source_organisation", "person").get(pk=int(record_id))
    descriptor = Descriptor.objects.get(pk=int(descriptor_id))
    episode = Episode.objects.filter(household_id=suggestion.household_id).open().first()
    return programme_needs.record_need(
        by=by, household_id=suggestion.household_id, episode_id=episode.pk if episode else None,
        person=record.person, descriptor_id=descriptor.pk, evidence=suggestion.rule,
        source_kind=SourceKind.DATA_MATCH, source_organisation=None,
        source_reference=f"Import {record.batch.reference}", suggestion=suggestion,
        identified_on=timezone.localdate())


def parse_key(key: str) -> tuple[int, int]:
    _, record_id, _, descriptor_id = key.split(":")
    return int(record_id), int(descriptor_id)


def pending_suggestions():
    """Needs partner data suggests, waiting for the data team's decision, oldest first."""
    pending = Suggestion.objects.filter(kind=SuggestionKind.MATCHED_NEED, status=SuggestionStatus.PENDING)
    # Families with a member whose processing is restricted (Article 18) stay out of routine lists.
    return (without_restricted(pending, household="household").select_related("household")
            .order_by("suggested_at", "pk"))


@dataclass
class SuggestedNeed:
    suggestion: Suggestion
    record: SourceRecord | None  # None when the partner record has since been deleted under the retention rule
    descriptor: Descriptor


def describe(suggestions) -> list[SuggestedNeed]:
    """What each suggestion proposes: the partner record it came from, for whom, and which need."""
    keys = {s.pk: parse_key(s.key) for s in suggestions}
    records = SourceRecord.objects.select_related("batch__source_organisation", "person").in_bulk(
        [record_id for record_id, _ in keys.values()])
    descriptors = Descriptor.objects.select_related("area").in_bulk([d for _, d in keys.values()])
    return [SuggestedNeed(s, records.get(keys[s.pk][0]), descriptors[keys[s.pk][1]]) for s in suggestions]

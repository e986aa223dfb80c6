"""What a subject access pack adds to the personal-data inventory's tables (P19, issue 13):

- every audit event about the person: events naming them or any record of theirs in the pack, and events about a
  family they were in while they were a member (searches that returned them name them, so they are here too),
  each with who, when, what and why, and the records named by kind and number, never by name;
- the data-matching decisions that linked a partner's record to them, or declined to: who decided, when and why,
  and where the partner's record came from.

Mentions of the person in other families' records are found by `mentions` and reach a pack only when the reviewer
includes them.
"""

import datetime

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.labels import event_label, purpose_label
from earlyhelp.audit.models import AuditEvent
from earlyhelp.matching.models import MatchCandidate, SourceRecord
from earlyhelp.organisations.models import User
from earlyhelp.people.models import Membership
from earlyhelp.ui.words import date_in_words

AUDIT_SECTION = "Who has looked at or changed your records"
MATCHING_SECTION = "Data matching decisions about you"


def _pairs_of(person, own_records) -> set[tuple[str, object]]:
    """(type, id) of the person and of every record reached through them (a family's records are reached through
    the family, whose events count while they were a member)."""
    return {("people.person", person.pk), *own_records}


def _membership_periods(person) -> dict[int, list[tuple[datetime.date, datetime.date | None]]]:
    periods: dict[int, list] = {}
    for household_id, start, end in Membership.objects.filter(person=person).values_list(
            "household_id", "start_date", "end_date"):
        periods.setdefault(household_id, []).append((start, end))
    return periods


def _during(periods, when: datetime.datetime) -> bool:
    day = timezone.localdate(when)
    return any(start <= day and (end is None or day <= end) for start, end in periods)


def audit_events_about(person, own_records) -> list[AuditEvent]:
    """Every audit event about the person, in the order they happened: events naming them or a record of theirs,
    and events about a family they were in, while they were a member."""
    periods = _membership_periods(person)
    found = {event.pk: event for event in audit.events_naming(_pairs_of(person, own_records))}
    family_events = AuditEvent.objects.filter(household_id__in=list(periods)).order_by("sequence")
    for event in family_events.iterator(chunk_size=2000):
        if event.pk not in found and _during(periods[event.household_id], event.occurred_at):
            found[event.pk] = event
    for event in audit.events_naming({("people.household", pk) for pk in periods}):
        named = {pk for t, pk in audit.objects_named(event) if t == "people.household"}
        if event.pk not in found and any(_during(periods[pk], event.occurred_at) for pk in named & set(periods)):
            found[event.pk] = event
    return sorted(found.values(), key=lambda e: e.sequence)


def _kind(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


def _records_named(event, pairs, their_families) -> str:
    """The kinds of record of theirs an event touched, in words ("Person, Your family"): never numbers."""
    kinds = []
    for t, pk in audit.objects_named(event):
        if t == "people.household" and pk in their_families:
            kind = "Your family"
        elif (t, pk) in pairs:
            kind = "Your record" if t == "people.person" else _kind(t)
        else:
            continue
        if kind not in kinds:
            kinds.append(kind)
    return ", ".join(kinds)


def audit_rows(person, own_records, label_user) -> list[dict]:
    pairs = _pairs_of(person, own_records)
    their_families = set(_membership_periods(person))
    rows = []
    for event in audit_events_about(person, own_records):
        fields = {"when": date_in_words(event.occurred_at), "who": label_user(event.actor_id) or "The system",
                  "what": event_label(event.event), "why": purpose_label(event.purpose)}
        named = _records_named(event, pairs, their_families)
        if named:
            fields["records"] = named
        if event.household_id:
            fields["family"] = "Your family" if event.household_id in their_families else "Another family"
        rows.append({"key": f"audit.AuditEvent:{event.pk}", "record": "Access to your records", "fields": fields})
    return rows


def _provenance(record: SourceRecord) -> dict:
    batch = record.batch
    return {"partner": batch.source_organisation.name, "dataset": batch.get_dataset_type_display(),
            "received on": date_in_words(batch.received_on), "import": batch.reference,
            "sharing agreement": batch.sharing_agreement_reference, "row in the partner's file": record.row_number}


def matching_rows(person, label_user) -> list[dict]:
    """Each decision on whether a partner's record is about the person: linked, declined, or added as someone new."""
    rows = []
    candidates = (MatchCandidate.objects.filter(Q(person=person) | Q(record__person=person))
                  .select_related("record__batch__source_organisation", "suggestion", "run").order_by("pk"))
    for candidate in candidates:
        suggestion = candidate.suggestion
        about_them = candidate.person_id == person.pk
        if suggestion.status == "accepted":
            outcome = "Linked to you" if about_them else "Linked to someone else"
        elif suggestion.status == "rejected":
            outcome = "Not linked to you: decided it is not about you" if about_them else "Not linked"
        else:
            outcome = "Waiting for a person to decide"
        fields = {"decision": outcome, "how likely a match": f"{candidate.match_probability:.0%}",
                  "linkage run": candidate.run.reference, **_provenance(candidate.record)}
        if suggestion.decided_by_id:
            fields.update({"decided by": label_user(suggestion.decided_by_id),
                           "decided at": date_in_words(suggestion.decided_at), "reason": suggestion.reason})
        rows.append({"key": f"matching.MatchCandidate:{candidate.pk}@decision", "record": "Data matching decision",
                     "fields": fields})
    for record in (SourceRecord.objects.filter(person=person, new_person_suggestion__isnull=False)
                   .select_related("batch__source_organisation", "new_person_suggestion")):
        suggestion = record.new_person_suggestion
        fields = {"decision": "Added to our records as someone new", **_provenance(record)}
        if suggestion.decided_by_id:
            fields.update({"decided by": label_user(suggestion.decided_by_id),
                           "decided at": date_in_words(suggestion.decided_at), "reason": suggestion.reason})
        rows.append({"key": f"matching.SourceRecord:{record.pk}@new_person", "record": "Data matching decision",
                     "fields": fields})
    for record in (SourceRecord.objects.filter(person=person).select_related("batch__source_organisation")
                   .order_by("pk")):
        rows.append({"key": f"matching.SourceRecord:{record.pk}@link", "record": "Partner's record linked to you",
                     "fields": {"linked by": label_user(record.linked_by_id),
                                "linked at": date_in_words(record.linked_at), **_provenance(record)}})
    return rows


def label_user_with(renderer):
    return lambda user_id: renderer.label(User, user_id)

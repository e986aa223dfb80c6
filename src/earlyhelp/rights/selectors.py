"""Reads for the rights request register. Only the data protection officer reads it; every read is audited
under the purpose "rights_requests" with ids and counts only."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from earlyhelp.access import policy, restrictions
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Membership, Person, Relationship
from earlyhelp.people.services import name_key
from earlyhelp.privacy.models import Consent, ConsentStatus

from . import messages
from .models import (
    OPEN_STATUSES,
    Channel,
    ProcessingRestriction,
    RecordDispute,
    RequestKind,
    RequestStatus,
    RightsRequest,
)

PURPOSE = Purpose.RIGHTS_REQUESTS
DUE_SOON_DAYS = 7
MAX_MATCHES = 20
RUNNING = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)

DEADLINE_FILTERS = {
    "overdue": "Overdue",
    "due_soon": f"Due in the next {DUE_SOON_DAYS} days",
    "due_later": "Due later",
    "paused": "Clock paused: waiting for clarification",
    "awaiting_id": "Waiting for proof of identity or authority",
    "awaiting_id_no_clock": "Waiting for proof of identity or authority, clock not started",
    "open": "All open requests",
    "closed": "Completed or refused",
}
# The dashboard's chart shares the open requests out, each in one bar: a request from the online form waiting for
# proof of identity has its clock running, so it is in its deadline's bar, and the last bar holds only those whose
# clock has not started (the list below the chart still links every request waiting for proof). Short labels: the
# chart's label column is narrow.
CHART_LABELS = {"overdue": "Overdue", "due_soon": f"Due in {DUE_SOON_DAYS} days", "due_later": "Due later",
                "paused": "Clock paused", "awaiting_id_no_clock": "Waiting for proof"}


def _require(user):
    if not policy.has_permission(user, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied(messages.ONLY_THE_DPO_HANDLES_REQUESTS)


# --- Finding the person a request is about ------------------------------------------------------

@dataclass(frozen=True)
class PersonMatch:
    person: Person
    families: list  # references of the families they are or were in


def find_people(user, *, family_name: str, given_name: str = "", date_of_birth=None) -> list[PersonMatch]:
    """People who may be the subject of a request: the family name's sound, with the given name's or the date
    of birth. Everyone is searched, restricted records included: the DPO handles their requests."""
    _require(user)
    family_name, given_name = family_name.strip(), given_name.strip()
    if not family_name or not (given_name or date_of_birth):
        raise ValidationError("Enter a family name with a given name or date of birth")
    condition = Q(family_name_key=name_key(family_name))
    narrow = Q()
    if given_name:
        narrow |= Q(given_name_key=name_key(given_name))
    if date_of_birth:
        narrow |= Q(date_of_birth=date_of_birth)
    people = list(Person.objects.filter(condition & narrow).order_by("family_name", "given_name", "pk")[:MAX_MATCHES])
    families = {}
    for person_id, reference in Membership.objects.filter(person__in=people).order_by("start_date") \
            .values_list("person_id", "household__reference"):
        families.setdefault(person_id, []).append(reference)
    matches = [PersonMatch(person=p, families=families.get(p.pk, [])) for p in people]
    audit.record(actor=user, action=Action.SEARCH, event="rights_person.search", purpose=PURPOSE,
                 objects=[("people.person", m.person.pk) for m in matches], metadata={"results": len(matches)})
    return matches


def requester_choices(subject) -> list[tuple[int, str]]:
    """People who might be asking for the subject: those related to them and the members of their families."""
    if subject is None:
        return []
    related = {r.person_id: f"{r.person.full_name} ({r.get_relationship_display().lower()}"
                            f"{', has parental responsibility' if r.has_parental_responsibility else ''})"
               for r in Relationship.objects.filter(related_person=subject).select_related("person")}
    families = Membership.objects.filter(person=subject).values("household_id")
    for m in Membership.objects.filter(household_id__in=families).exclude(person=subject).select_related("person"):
        related.setdefault(m.person_id, f"{m.person.full_name} ({m.get_role_display().lower()} in the family)")
    return [(subject.pk, f"{subject.full_name} (the person themselves)"), *sorted(related.items(), key=lambda i: i[1])]


def consent_choices(subject) -> list:
    if subject is None:
        return []
    return list(Consent.objects.filter(Q(subject=subject) | Q(given_by=subject), status=ConsentStatus.ACTIVE)
                .select_related("household", "subject").order_by("-given_on", "-pk"))


# --- The register -------------------------------------------------------------------------------

def _running():
    return RightsRequest.objects.filter(status__in=RUNNING)


# A request from the online form waits for its identity check with its clock already running.
CLOCK_RUNNING = Q(status__in=RUNNING) | Q(status=RequestStatus.AWAITING_ID, clock_started_on__isnull=False)


def deadline_filter(queryset, name: str, *, today: datetime.date):
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    filters = {
        "overdue": CLOCK_RUNNING & Q(due_on__lt=today),
        "due_soon": CLOCK_RUNNING & Q(due_on__gte=today, due_on__lte=soon),
        "due_later": CLOCK_RUNNING & Q(due_on__gt=soon),
        "paused": Q(status=RequestStatus.AWAITING_CLARIFICATION),
        "awaiting_id": Q(status=RequestStatus.AWAITING_ID),
        "awaiting_id_no_clock": Q(status=RequestStatus.AWAITING_ID, clock_started_on__isnull=True),
        "open": Q(status__in=OPEN_STATUSES),
        "closed": ~Q(status__in=OPEN_STATUSES),
    }
    return queryset.filter(filters[name]) if name in filters else queryset


@dataclass
class RightsDashboard:
    counts: list  # (label, count, filter name) for open requests, listed with links
    chart: list  # (short label, count): the open requests shared out, each in one bar
    overdue: list
    due_soon: list
    open_restrictions: int
    notifications_outstanding: int


def dashboard(user, *, today: datetime.date) -> RightsDashboard:
    _require(user)
    requests = RightsRequest.objects.all()
    counted = {name: deadline_filter(requests, name, today=today).count()
               for name in ("overdue", "due_soon", "due_later", "paused", "awaiting_id", "awaiting_id_no_clock")}
    counts = [(DEADLINE_FILTERS[name], counted[name], name)
              for name in ("overdue", "due_soon", "due_later", "paused", "awaiting_id")]
    result = RightsDashboard(
        counts=counts, chart=[(label, counted[name]) for name, label in CHART_LABELS.items()],
        overdue=list(deadline_filter(requests, "overdue", today=today).order_by("due_on", "pk")[:100]),
        due_soon=list(deadline_filter(requests, "due_soon", today=today).order_by("due_on", "pk")[:100]),
        open_restrictions=ProcessingRestriction.objects.filter(lifted_at__isnull=True).count(),
        notifications_outstanding=RightsRequest.objects.filter(notifications__method="").distinct().count(),
    )
    audit.record(actor=user, action=Action.VIEW, event="rights_dashboard.view", purpose=PURPOSE,
                 metadata={name: count for _, count, name in counts})
    return result


def request_list(user, *, today: datetime.date, status: str = "", kind: str = "", deadline: str = "",
                 channel: str = "") -> list:
    _require(user)
    requests = RightsRequest.objects.select_related("handled_by").order_by("due_on", "-received_on", "-pk")
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    if kind in RequestKind.values:
        requests = requests.filter(kind=kind)
    if channel in Channel.values:
        requests = requests.filter(channel=channel)
    requests = deadline_filter(requests, deadline, today=today)
    rows = list(requests[:500])
    audit.record(actor=user, action=Action.VIEW, event="rights_request.list", purpose=PURPOSE,
                 metadata={"listed": len(rows), "status": status, "kind": kind, "deadline": deadline,
                           "channel": channel})
    return rows


def open_request(user, request_id, *, page: str = "detail") -> RightsRequest:
    """One request for the DPO, audited; for anyone else, or a request that does not exist, an audited 404."""
    if not policy.has_permission(user, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        policy.refuse(user, object_type="rights.rightsrequest", object_id=request_id, purpose=PURPOSE)
    request = (RightsRequest.objects.select_related("subject", "requester_person", "recorded_by", "handled_by",
                                                    "decided_by", "extended_by", "consent", "identity_checked_by")
               .filter(pk=request_id).first())
    if request is None:
        policy.refuse(user, object_type="rights.rightsrequest", object_id=request_id, purpose=PURPOSE)
    flags = {"processing_restricted": True} \
        if request.subject_id and restrictions.person_is_restricted(request.subject_id) else {}
    audit.record(actor=user, action=Action.VIEW, event="rights_request.view", purpose=PURPOSE, objects=[request],
                 metadata={"page": page, **flags})
    return request


# --- Shown on a person's page (already access-checked and audited by people.selectors) -------------

def disputes_for(person_id) -> list:
    return list(RecordDispute.objects.filter(person_id=person_id).select_related("request", "recorded_by"))


def active_restriction_for(person_id) -> ProcessingRestriction | None:
    return ProcessingRestriction.objects.filter(lifted_at__isnull=True, person_id=person_id).select_related("request").first()

"""Sustainment checks: whether a need's positive outcome at closure still held at least the programme rule's
months after the episode closed. A check is recorded only when it is due."""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access.restrictions import ensure_not_restricted, without_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.matching.models import SourceRecord
from earlyhelp.people.models import Membership
from earlyhelp.programme.models import Need, NeedStatus, ProgrammeRules
from earlyhelp.records.calendar import add_months

from ..models import SustainmentCheck, SustainmentMethod

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS


def due_on(need: Need, *, rules: ProgrammeRules | None = None) -> datetime.date | None:
    """The first day a sustainment check of the need may be recorded: the episode's closure date plus the
    rule's months (month ends as `records.calendar.add_months` counts them). None while the need has no closed
    episode."""
    return due_after_closure(need.episode, rules=rules) if need.episode is not None else None


def due_after_closure(episode, *, rules: ProgrammeRules | None = None) -> datetime.date | None:
    """When an episode's outcomes may first be checked as sustained; None while it is open."""
    if episode.closed_on is None:
        return None
    rules = rules or ProgrammeRules.current()
    return add_months(episode.closed_on, rules.sustainment_months)


def is_sustained(need: Need) -> bool:
    """True when the need's outcome was met at closure and a check recorded on or after its due date found it
    sustained."""
    return need.status == NeedStatus.MET and has_sustained_check(need)


def has_sustained_check(need: Need) -> bool:
    """A check recorded on or after the due date found the outcome still held (whatever the closure recorded:
    claims test the outcome at closure as a condition of its own)."""
    due = due_on(need)
    if due is None:
        return False
    return any(check.sustained and check.checked_on >= due for check in need.sustainment_checks.all())


# --- Which checks are due --------------------------------------------------------------------------------------

NOT_YET_DUE = "This check is not yet due: it can be recorded from {date}"
NOT_CHECKABLE = "Only a need whose outcome was achieved at the closure of its episode can be checked"
ALREADY_CHECKED = "A sustainment check is already recorded for this need"
CHOOSE_METHOD = "Choose how the outcome was checked"
CHOOSE_SOURCE_RECORD = "Choose the partner record you re-checked"
CHOOSE_SUSTAINED = "Choose whether the outcome was sustained"
ENTER_EVIDENCE = "Enter what the check found"
ENTER_CHECKED_ON = "Enter the date of the check"
CHECKED_IN_FUTURE = "The date of the check must be today or in the past"


def closed_on_or_before(due_by: datetime.date, months: int) -> datetime.date:
    """The latest closure date whose check falls due on or before `due_by`. `add_months` never decreases as the
    date grows, so the closures due by then are exactly those on or before this date (a query can use it)."""
    latest = add_months(due_by, -months)
    if due_by.day == calendar.monthrange(due_by.year, due_by.month)[1]:
        # Closures later in that month fall due on the month's last day too (31 August + 6 months: end of February).
        latest = latest.replace(day=calendar.monthrange(latest.year, latest.month)[1])
    return latest


def awaiting_check():
    """Needs met at the closure of a closed episode with no sustainment check yet (restricted families left out)."""
    return (without_restricted(Need.objects.filter(status=NeedStatus.MET, episode__closed_on__isnull=False,
                                                   sustainment_checks__isnull=True), household="household_id")
            .select_related("episode", "descriptor__area", "household", "person"))


@dataclass(frozen=True)
class Due:
    need: Need
    due_on: datetime.date
    state: str  # "overdue", "due" (today) or "soon"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "due": "Due today", "soon": "Due soon", "later": "Not yet due"}[self.state]


def _state(due: datetime.date, today: datetime.date, remind_from: datetime.date) -> str:
    if due < today:
        return "overdue"
    if due == today:
        return "due"
    return "soon" if due <= remind_from else "later"


def due_checks(*, today: datetime.date | None = None, within_reminder: bool = True) -> list[Due]:
    """Checks due by the end of the reminder window (or all awaiting ones), soonest first."""
    rules, today = ProgrammeRules.current(), today or timezone.localdate()
    remind_from = today + datetime.timedelta(days=rules.sustainment_reminder_days)
    needs = awaiting_check()
    if within_reminder:
        needs = needs.filter(episode__closed_on__lte=closed_on_or_before(remind_from, rules.sustainment_months))
    found = [Due(need, due, _state(due, today, remind_from))
             for need in needs.order_by("episode__closed_on", "pk")
             for due in [due_on(need, rules=rules)]]
    return found


def counts(*, today: datetime.date | None = None) -> dict:
    """How many checks are overdue, due today and due within the reminder window: no personal data."""
    tally = {"overdue": 0, "due": 0, "soon": 0}
    for item in due_checks(today=today):
        tally[item.state] += 1
    return tally


# --- Recording a check ---------------------------------------------------------------------------------------------

def offered_records(need: Need):
    """Matched partner records about the need's person (or, for a family need, the family's current members)
    that arrived after the episode closed: what a re-check of matched data can look at."""
    if need.person_id is not None:
        people = [need.person_id]
    else:
        people = Membership.objects.filter(household_id=need.household_id, end_date__isnull=True).values("person_id")
    closed = need.episode.closed_on if need.episode_id and need.episode.closed_on else None
    if closed is None:
        return SourceRecord.objects.none()
    return (SourceRecord.objects.filter(person_id__in=people, batch__received_on__gt=closed)
            .select_related("batch__source_organisation", "person").order_by("-batch__received_on", "pk"))


@transaction.atomic
def record_check(*, by, need_id: int, method: str, sustained: bool | None, evidence: str,
                 checked_on: datetime.date | None, source_record_id: int | None = None) -> SustainmentCheck:
    # Only the need's row is locked: PostgreSQL cannot lock the nullable side of the join to its episode.
    need = Need.objects.select_for_update(of=("self",)).select_related("episode").filter(pk=need_id).first()
    if need is None or need.status != NeedStatus.MET or due_on(need) is None:
        raise ValidationError(NOT_CHECKABLE)
    ensure_not_restricted(household=need.household_id)
    if need.sustainment_checks.exists():
        raise ValidationError(ALREADY_CHECKED)
    due, today = due_on(need), timezone.localdate()
    errors = {}
    if method not in SustainmentMethod.values:
        errors["method"] = CHOOSE_METHOD
    record = None
    if method == SustainmentMethod.MATCHED_DATA:
        record = offered_records(need).filter(pk=source_record_id).first() if source_record_id else None
        if record is None:
            errors["source_record"] = CHOOSE_SOURCE_RECORD
    if sustained is None:
        errors["sustained"] = CHOOSE_SUSTAINED
    if not (evidence or "").strip():
        errors["evidence"] = ENTER_EVIDENCE
    if checked_on is None:
        errors["checked_on"] = ENTER_CHECKED_ON
    elif checked_on > today:
        errors["checked_on"] = CHECKED_IN_FUTURE
    elif checked_on < due:
        errors["checked_on"] = NOT_YET_DUE.format(date=f"{due.day} {due:%B %Y}")
    if errors:
        raise ValidationError(errors)
    check = SustainmentCheck.objects.create(need=need, due_on=due, checked_on=checked_on, method=method,
                                            sustained=sustained, evidence=evidence.strip(), source_record=record,
                                            checked_by=by)
    audit.record(actor=by, action=Action.CREATE, event="sustainment_check.record", purpose=PURPOSE,
                 objects=[check, need], household_id=need.household_id,
                 metadata={"method": method, "sustained": sustained})
    return check

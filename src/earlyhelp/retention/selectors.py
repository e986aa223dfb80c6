"""Reads for retention: which families a retention rule makes due on a given day (P4).

A family is never due while it is being helped: an episode that is not closed, or a contact awaiting a
decision, keeps everything. Otherwise, with `cutoff` the day the period must have started by (today less the
rule's years; 29 February counts as 28 February, so a period that starts on 29 February ends on 1 March):

* family case records (families that have had an episode):
  - episode closure: the last episode closed on or before the cutoff, and no contact came in or was decided
    after it (a later contact reopens the matter);
  - date of birth: every child of the family (past or present, and no unborn child) was born on or before
    the cutoff, i.e. the youngest has reached the age;
  - last activity: nothing happened after the cutoff: contacts, episodes opening or closing, case notes,
    reviews, steps up or down.
* contacts that did not lead to an episode (families with contacts and no episode at all):
  - date of birth, or last activity (the last contact received or decided), as above.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from earlyhelp.casework.models import (
    CaseNote,
    Contact,
    ContactStatus,
    Episode,
    EpisodeStatus,
    Review,
    Transition,
)
from earlyhelp.people.models import Household, MemberRole, Membership

from .models import RecordClass, Trigger

CHILD_ROLES = (MemberRole.CHILD, MemberRole.UNBORN)
CHUNK = 500


def cutoff(today: datetime.date, years: int) -> datetime.date:
    """The latest day a period of `years` may have started on to have ended by `today`."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year - years, day=28)


def written_before(today: datetime.date, years: int) -> datetime.datetime:
    """The moment before which something written (an audit entry) has been kept `years` by `today`: the start of
    the day after the cutoff, so an entry written on the cutoff day is due and one written the next day is not."""
    return _day_after(cutoff(today, years))


def _day_after(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, in the service's time zone (for timestamps)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _episodes(**filters):
    return Exists(Episode.objects.filter(household=OuterRef("pk"), **filters))


def _contacts(condition=Q()):
    return Exists(Contact.objects.filter(condition, household=OuterRef("pk")))


def _being_helped():
    return (Exists(Episode.objects.filter(household=OuterRef("pk")).exclude(status=EpisodeStatus.CLOSED))
            | _contacts(Q(status=ContactStatus.AWAITING_DECISION)))


def _in_class(record_class: str):
    if record_class == RecordClass.FAMILY_CASE_RECORDS:
        return Q(_episodes())
    if record_class == RecordClass.CONTACTS_WITHOUT_EPISODE:
        return Q(_contacts()) & ~Q(_episodes())
    raise ValueError(f"Unknown record class {record_class!r}")


def _trigger_passed(trigger: str, cut: datetime.date):
    after = _day_after(cut)
    contact_after = _contacts(Q(received_at__gte=after) | Q(decided_at__gte=after))
    if trigger == Trigger.EPISODE_CLOSURE:
        return ~Q(_episodes(closed_on__gt=cut)) & ~Q(contact_after)
    if trigger == Trigger.DATE_OF_BIRTH:
        children = Membership.objects.filter(household=OuterRef("pk"), role__in=CHILD_ROLES)
        too_young = children.filter(Q(person__date_of_birth__isnull=True) | Q(person__date_of_birth__gt=cut))
        return Q(Exists(children)) & ~Q(Exists(too_young))
    if trigger == Trigger.LAST_ACTIVITY:
        family = {"episode__household": OuterRef("pk")}
        return (~Q(contact_after)
                & ~Q(_episodes(opened_on__gt=cut)) & ~Q(_episodes(closed_on__gt=cut))
                & ~Q(Exists(CaseNote.objects.filter(occurred_at__gte=after, **family)))
                & ~Q(Exists(Review.objects.filter(held_on__gt=cut, **family)))
                & ~Q(Exists(Transition.objects.filter(occurred_on__gt=cut, **family))))
    raise ValueError(f"Unknown trigger {trigger!r}")


def due_households(*, record_class: str, trigger: str, period_years: int, today: datetime.date, among=None):
    """The families due under a rule (given by its parts) on `today`, as a queryset of Household; `among`
    limits it to these ids."""
    families = Household.objects.all() if among is None else Household.objects.filter(pk__in=list(among))
    return (families.filter(_in_class(record_class))
            .exclude(_being_helped())
            .filter(_trigger_passed(trigger, cutoff(today, period_years)))
            .order_by("pk"))


def due_household_ids(rule, *, today: datetime.date, among=None) -> list[int]:
    """The ids of the families due under `rule` (a RetentionRule or a DisposalBatch, which copies its rule)."""
    parts = {"record_class": rule.record_class, "trigger": rule.trigger, "period_years": rule.period_years,
             "today": today}
    if among is None:
        return list(due_households(**parts).values_list("pk", flat=True))
    among, found = sorted(set(among)), []
    for start in range(0, len(among), CHUNK):
        found += due_households(**parts, among=among[start:start + CHUNK]).values_list("pk", flat=True)
    return found

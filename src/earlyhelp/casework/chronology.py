"""A family's chronology: every event on its record in date order, as practitioners and inspectors read it.

A selector: what the viewer sees follows the same rules as the family page (`access.policy`). Each kind of event
belongs to a section of the record (`policy.Section`); a kind whose section the viewer does not see is never read
(a Team Around the Family member sees only the sections shared with them, and the plan actions given to them), and
detail that is special category or criminal offence data is a marker (`policy.masked`) unless the viewer's access
includes it. Contacts, consent and sharing are shown, as on the family page, only to those who hold the record.
Those who hold the record see every episode of the family; a Team Around the Family member sees the current one.

`chronology_for` is the audited read (the chronology page); `latest_events` is part of the family page's own read.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.functions import Coalesce, Greatest, Lag
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.policy import FamilyAccess
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import Consent, Disclosure

from . import probes
from .models import (
    ActionStatus,
    Allocation,
    Assessment,
    AssessmentStatus,
    CaseNote,
    Contact,
    Document,
    Episode,
    EpisodeStatus,
    Plan,
    PlanAction,
    Review,
    TafMember,
    Transition,
)

PER_PAGE = 25
RESTRICTED = policy.RESTRICTED


class Kind:
    """The kinds of event a chronology can be filtered by, in the record's order."""

    CONTACT = "contact"
    EPISODE = "episode"
    CONSENT = "consent"
    TAF = "taf"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    REVIEW = "review"
    NOTE = "note"
    DOCUMENT = "document"
    SHARING = "sharing"

    LABELS = {CONTACT: "Contacts", EPISODE: "Episode, allocation, step-up and closure", CONSENT: "Consent",
              TAF: "Team Around the Family", ASSESSMENT: "Assessment", PLAN: "Plan actions", REVIEW: "Reviews",
              NOTE: "Case notes", DOCUMENT: "Documents", SHARING: "Sharing"}


@dataclass
class Event:
    when: datetime.datetime
    kind: str
    title: str
    detail: object = ""  # text, or RESTRICTED: the viewer sees that something is recorded, not what
    by: str = ""
    has_time: bool = True  # False where the record keeps only the day

    @property
    def kind_label(self) -> str:
        return Kind.LABELS[self.kind]

    @property
    def on(self) -> datetime.date:
        return timezone.localtime(self.when).date() if self.has_time else self.when.date()


def kinds_visible(access: FamilyAccess) -> list[str]:
    """The kinds of event this viewer may see in the family's chronology (the family page's rules)."""
    holds = access.can_work_on_case
    shows = access.shows
    rules = {
        Kind.CONTACT: holds, Kind.EPISODE: shows(policy.Section.EPISODE), Kind.CONSENT: holds,
        Kind.TAF: shows(policy.Section.EPISODE), Kind.ASSESSMENT: shows(policy.Section.ASSESSMENT),
        Kind.PLAN: True,  # the plan, or only the actions given to the viewer (`FamilyAccess.shows_action`)
        Kind.REVIEW: shows(policy.Section.REVIEWS), Kind.NOTE: shows(policy.Section.NOTES),
        Kind.DOCUMENT: access.can_see_documents, Kind.SHARING: holds,
    }
    return [kind for kind in Kind.LABELS if rules[kind]]


def _when(newest, *also):
    """When a row's newest event is: `newest`, or the latest of it and those of `also` that are set."""
    return Greatest(newest, *[Coalesce(field, newest) for field in also]) if also else F(newest)


def _on_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _day_event(day, kind, title, **rest) -> Event:
    return Event(_on_day(day), kind, title, has_time=False, **rest)


def _name(user) -> str:
    return str(user) if user else ""


class _Reader:
    """Reads one family's events of each kind, for one viewer. With `latest`, each kind reads only its `latest` newest
    rows (by a row's newest date): the newest `latest` events of the whole record are among them, as the family page's
    preview needs, without reading the whole record."""

    def __init__(self, access: FamilyAccess, user, *, latest: int | None = None, episodes=None):
        """`episodes`: every episode of the family, when the caller has read them already (the family page)."""
        self.access, self.user, self.latest = access, user, latest
        self.full = access.sees_special_category
        if episodes is None:
            episodes = access.household.episodes.all()
            if access.is_partner_only:
                episodes = episodes.filter(is_current=True)
            self.episode_ids = list(episodes.values_list("pk", flat=True))
        else:
            self.episode_ids = [e.pk for e in episodes if e.is_current or not access.is_partner_only]

    def _newest(self, rows, newest, *also):
        """`rows`, or with `latest` only the newest of them by `newest` (and the later of `also`, where set)."""
        if self.latest is None:
            return rows
        return rows.order_by(_when(newest, *also).desc(), "-pk")[:self.latest]

    def bounds(self, kinds) -> dict:
        """For each of `kinds`, a time no earlier than its newest event (None: it has none), in one query
        (`probes`): the family page's preview reads only the kinds that can reach its newest events. A bound may be
        later than the newest event the viewer sees (every plan action's history counts, not only the viewer's
        actions), never earlier."""
        household, ids = (self.access.household.pk,), tuple(self.episode_ids)
        plans = tuple(Plan.objects.filter(episode_id__in=ids).values_list("pk", flat=True)) if Kind.PLAN in kinds \
            else ()
        sources = {  # kind: (model, the foreign key its rows are found by, its values, the columns dating events)
            Kind.CONTACT: [(Contact, "household", household, ("received_at", "decided_at"))],
            Kind.EPISODE: [(Episode, "id", ids, ("opened_on",)), (Episode.history.model, "id", ids, ("history_date",)),
                           (Allocation, "episode", ids, ("start_date",)), (Transition, "episode", ids, ("occurred_on",))],
            Kind.CONSENT: [(Consent, "household", household, ("given_on", "withdrawal_requested_on"))],
            Kind.TAF: [(TafMember, "episode", ids, ("start_date", "end_date"))],
            Kind.ASSESSMENT: [(Assessment, "episode", ids, ("started_on",)),
                              (Assessment.history.model, "episode", ids, ("history_date",))],
            Kind.PLAN: [(PlanAction.history.model, "plan", plans, ("history_date",))],
            Kind.REVIEW: [(Review, "episode", ids, ("held_on",))],
            Kind.NOTE: [(CaseNote, "episode", ids, ("occurred_at",))],
            Kind.DOCUMENT: [(Document, "episode", ids, ("uploaded_at",))],
            Kind.SHARING: [(Disclosure, "household", household, ("decided_at",))],
        }
        asked = [(kind, probes.Latest(model, key, values, column)) for kind in kinds
                 for model, key, values, columns in sources[kind] for column in columns]
        bounds = {kind: None for kind in kinds}
        for (kind, _), latest in zip(asked, probes.ask([lookup for _, lookup in asked])):
            if latest is not None:
                bounds[kind] = max(bounds[kind], latest) if bounds[kind] else latest
        return bounds

    def _changes(self, history, field="status"):
        """History rows with the value of `field` before each (None for the first), where it changed: the newest
        `latest` of them with `latest`, else all, oldest first."""
        rows = history.annotate(before=Window(Lag(field), partition_by=[F("id")],
                                              order_by=[F("history_date").asc(), F("history_id").asc()]))
        rows = rows.filter(Q(before__isnull=True) | ~Q(before=F(field)))
        if self.latest is None:
            return rows.order_by("id", "history_date", "history_id")
        return rows.order_by("-history_date", "-history_id")[:self.latest]

    def contact(self):
        rows = Contact.objects.filter(household=self.access.household).select_related("recorded_by", "decided_by")
        for c in self._newest(rows, "received_at", "decided_at"):
            yield Event(c.received_at, Kind.CONTACT, f"Contact received from {c.get_source_display().lower()} "
                        f"({c.get_channel_display().lower()})", by=_name(c.recorded_by))
            if c.decided_at:
                yield Event(c.decided_at, Kind.CONTACT, f"Contact decided: {c.get_status_display().lower()}",
                            by=_name(c.decided_by))

    def episode(self):
        for e in self._newest(Episode.objects.filter(pk__in=self.episode_ids).select_related("team"), "opened_on"):
            yield _day_event(e.opened_on, Kind.EPISODE, f"Early help episode opened ({e.team})")
        for row in self._changes(Episode.history.filter(id__in=self.episode_ids).select_related("history_user")):
            if row.before is None:
                continue  # opened: the event above
            if row.status == EpisodeStatus.CLOSURE_REQUESTED:
                title = f"Closure requested: {row.get_closure_reason_display().lower()}"
            elif row.status == EpisodeStatus.CLOSED:
                title = f"Episode closed: {row.get_closure_reason_display().lower()}"
            else:
                title = "Closure returned to the lead practitioner"
            yield Event(row.history_date, Kind.EPISODE, title, by=_name(row.history_user))
        allocations = Allocation.objects.filter(episode_id__in=self.episode_ids).select_related("practitioner",
                                                                                               "allocated_by")
        for a in self._newest(allocations, "start_date"):
            yield _day_event(a.start_date, Kind.EPISODE, f"Lead practitioner allocated: {a.practitioner}",
                             by=_name(a.allocated_by))
        transitions = Transition.objects.filter(episode_id__in=self.episode_ids).select_related("decided_by")
        for t in self._newest(transitions, "occurred_on"):
            yield _day_event(t.occurred_on, Kind.EPISODE, t.get_kind_display(), by=_name(t.decided_by))

    def consent(self):
        rows = self.access.household.consents.select_related("given_by", "recorded_by")
        for c in self._newest(rows, "given_on", "withdrawal_requested_on"):
            covers = "early help support" if c.covers_support else "sharing"
            yield _day_event(c.given_on, Kind.CONSENT, f"Consent given to {covers} by {c.given_by.full_name}",
                             by=_name(c.recorded_by))
            if c.withdrawal_requested_on:
                yield _day_event(c.withdrawal_requested_on, Kind.CONSENT,
                                 f"Consent withdrawn by {c.given_by.full_name}")

    def taf(self):
        rows = TafMember.objects.filter(episode_id__in=self.episode_ids).select_related(
            "practitioner", "organisation", "added_by")
        for m in self._newest(rows, "start_date", "end_date"):
            who = f"{m.practitioner} ({m.organisation})"
            yield _day_event(m.start_date, Kind.TAF, f"{who} invited to the Team Around the Family",
                             by=_name(m.added_by))
            if m.end_date:
                yield _day_event(m.end_date, Kind.TAF, f"{who} left the Team Around the Family")

    def assessment(self):
        assessments = Assessment.objects.filter(episode_id__in=self.episode_ids).select_related("completed_by")
        for a in self._newest(assessments, "started_on"):
            yield _day_event(a.started_on, Kind.ASSESSMENT, "Assessment started", by=_name(a.completed_by))
        titles = {(AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED): "Assessment submitted for approval",
                  (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED): "Assessment approved",
                  (AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT): "Assessment returned by the manager"}
        history = Assessment.history.filter(episode_id__in=self.episode_ids).select_related("history_user")
        for row in self._changes(history):
            if (row.before, row.status) in titles:
                yield Event(row.history_date, Kind.ASSESSMENT, titles[(row.before, row.status)],
                            by=_name(row.history_user))

    def plan(self):
        rows = PlanAction.objects.filter(plan__episode_id__in=self.episode_ids).select_related("area", "owner")
        if not self.access.shows(policy.Section.PLAN):
            rows = rows.filter(owner=self.user)  # only the actions given to them can be shown: read no others
        actions = {a.pk: a for a in rows if self.access.shows_action(a, self.user)}
        history = PlanAction.history.filter(id__in=list(actions)).select_related("history_user")
        for row in self._changes(history):
            action = actions[row.id]
            shown = policy.masked(self.full, action)
            detail = RESTRICTED if shown is RESTRICTED else action.action
            if row.before is None:
                yield Event(row.history_date, Kind.PLAN, f"Action agreed ({action.area.label}) for {action.owner}",
                            detail=detail, by=_name(row.history_user))
            else:
                yield Event(row.history_date, Kind.PLAN,
                            f"Action {ActionStatus(row.status).label.lower()} ({action.area.label})",
                            detail=detail, by=_name(row.history_user))

    def review(self):
        rows = Review.objects.filter(episode_id__in=self.episode_ids, held_on__isnull=False).select_related(
            "recorded_by")
        for r in self._newest(rows, "held_on"):
            shown = policy.masked(self.full, r)
            yield _day_event(r.held_on, Kind.REVIEW, "Review held",
                             detail=RESTRICTED if shown is RESTRICTED else r.summary, by=_name(r.recorded_by))

    def note(self):
        rows = CaseNote.objects.filter(episode_id__in=self.episode_ids).select_related("author")
        for n in self._newest(rows, "occurred_at"):
            channel = f" ({n.get_channel_display().lower()})" if n.channel else ""
            yield Event(n.occurred_at, Kind.NOTE, f"Case note{channel}",
                        detail=n.text if policy.shows_in_full(self.full, n) else RESTRICTED, by=_name(n.author))

    def document(self):
        rows = Document.objects.filter(episode_id__in=self.episode_ids).select_related("uploaded_by")
        for d in self._newest(rows, "uploaded_at"):
            yield Event(d.uploaded_at, Kind.DOCUMENT, f"{d.get_kind_display()} added: {d.title}",
                        by=_name(d.uploaded_by))

    def sharing(self):
        rows = self.access.household.disclosures.select_related("recipient_organisation", "decided_by",
                                                                "approved_by", "panel")
        for d in self._newest(rows, "decided_at"):
            title = f"Shared with {d.recipient_label}" if d.shared else f"Decided not to share with {d.recipient_label}"
            yield Event(d.decided_at, Kind.SHARING, f"{title}: {d.get_kind_display().lower()}",
                        by=_name(d.decided_by))


def _events(access, user, kinds, *, latest=None) -> list[Event]:
    reader = _Reader(access, user, latest=latest)
    events = [event for kind in kinds for event in getattr(reader, kind)()]
    return sorted(events, key=lambda event: event.when)


@dataclass
class Chronology:
    access: FamilyAccess
    kinds: list  # the kinds shown
    kinds_visible: list  # the kinds the viewer may choose from
    page: object  # a django.core.paginator.Page of events
    total: int
    newest_first: bool


def _filtered(access, user, *, kinds=None, date_from=None, date_to=None, newest_first=True):
    allowed = kinds_visible(access)
    chosen = [kind for kind in allowed if kind in kinds] if kinds else allowed
    events = [event for event in _events(access, user, chosen)
              if (date_from is None or event.on >= date_from) and (date_to is None or event.on <= date_to)]
    if newest_first:
        events.reverse()
    return allowed, chosen, events


def chronology_for(user, household_id, *, kinds=None, date_from=None, date_to=None, newest_first=True,
                   page=1, purpose=Purpose.EARLY_HELP_CASEWORK) -> Chronology:
    """One page of the family's chronology, filtered by kind and date range. Access-checked (an audited 404) and
    audited as a read of the family's record, naming what was asked for."""
    access = policy.require_family(user, household_id, purpose=purpose)
    allowed, chosen, events = _filtered(access, user, kinds=kinds, date_from=date_from, date_to=date_to,
                                        newest_first=newest_first)
    shown = Paginator(events, PER_PAGE).get_page(page)
    audit.record(actor=user, action=Action.VIEW, event="household.chronology", purpose=purpose,
                 objects=[access.household], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships), "kinds": chosen,
                           "from": date_from.isoformat() if date_from else None,
                           "to": date_to.isoformat() if date_to else None,
                           "page": shown.number, "events": len(shown.object_list)})
    return Chronology(access=access, kinds=chosen, kinds_visible=allowed, page=shown, total=len(events),
                      newest_first=newest_first)


def latest_events(access: FamilyAccess, user, *, count=5, episodes=None) -> list[Event]:
    """The most recent events, for the family page (read as part of the page's audited read): each kind reads only its
    newest rows, and a kind is read only while it may hold one of the newest events. Kinds are read from the one
    whose newest event may be latest (`_Reader.bounds`); once `count` events are found that are later than every
    unread kind's bound, the rest cannot reach the preview and are not read (the whole chronology's order is kept,
    ties included, because a kind is skipped only when all of its events are strictly earlier)."""
    kinds = kinds_visible(access)
    reader = _Reader(access, user, latest=count, episodes=episodes)
    bounds = reader.bounds(kinds)
    by_kind, found = {}, []
    for kind in sorted((k for k in kinds if bounds[k]), key=lambda k: bounds[k], reverse=True):
        if len(found) >= count and found[count - 1] > bounds[kind]:
            break
        by_kind[kind] = list(getattr(reader, kind)())
        found = sorted(found + [event.when for event in by_kind[kind]], reverse=True)
    events = sorted((event for kind in kinds for event in by_kind.get(kind, ())), key=lambda event: event.when)
    return list(reversed(events))[:count]

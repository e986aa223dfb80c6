"""Reads of casework, always through the access policy.

`family_record` gathers what one user may see of one family. Special category and criminal
offence detail is replaced by a marker ("recorded: restricted") for users whose access does not
include it (P16, P18); the template never decides this itself.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from earlyhelp.access import policy, restrictions
from earlyhelp.access import services as access_services
from earlyhelp.access.models import AccessExclusion
from earlyhelp.access.policy import FamilyAccess
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Marker, Membership
from earlyhelp.privacy.models import DatasetDisclosure, Disclosure, DisclosureSection, Suggestion, SuggestionKind
from earlyhelp.privacy.services import decisions
from earlyhelp.privacy.services.disclosures import dataset_disclosures_for
from earlyhelp.programme.models import HeadlineArea, Need
from earlyhelp.programme.services import needs as programme_needs

from . import probes
from .lists import rows as lists
from .models import (
    Assessment,
    Contact,
    Document,
    Episode,
    PlanAction,
    Transition,
    TafSectionChange,
    action_is_open,
    episode_is_open,
)

RESTRICTED = policy.RESTRICTED  # detail the viewer sees only as a marker (the access policy's masking rule)


@dataclass
class FamilyRecord:
    access: FamilyAccess
    members: list
    former_members: list
    markers: list
    episode: Episode | None
    past_episodes: list
    taf_members: list
    assessment: Assessment | None
    findings: list  # (area, finding or RESTRICTED)
    actions: list
    reviews: list
    notes: list  # (note, text or RESTRICTED)
    documents: list
    transitions: list
    consents: list
    disclosures: list
    needs: list = field(default_factory=list)
    dataset_disclosures: list = field(default_factory=list)  # files about many families that included this one
    suggestions: list = field(default_factory=list)  # (suggestion, headline area label) awaiting a decision
    taf_section_changes: list = field(default_factory=list)  # what Team Around the Family members see, changed (P8)
    exclusions: list = field(default_factory=list)  # who must not see the family (B3), for those who hold the record

    @property
    def episodes(self) -> list:
        """Every episode of the family, the latest first."""
        return [self.episode, *self.past_episodes] if self.episode else []


def section_labels(codes) -> list[str]:
    """The names of these sections of the record, in the record's order."""
    return [DisclosureSection(code).label for code in policy.SECTIONS if code in set(codes)]


def family_record(access: FamilyAccess, user) -> FamilyRecord:
    household = access.household
    full = access.sees_special_category
    memberships = list(
        Membership.objects.filter(household=household)
        .select_related("person")

        .order_by("role", "person__date_of_birth")
    )
    people_ids = tuple(m.person_id for m in memberships)
    episodes = list(household.episodes.select_related("lead_practitioner", "team", "contact").order_by("-opened_on"))
    episode = episodes[0] if episodes else None
    has = _parts_with_rows(household, episode, people_ids)
    markers = list(Marker.objects.filter(person_id__in=people_ids, end_date__isnull=True)
                   .select_related("person")) if has["markers"] else []
    record = FamilyRecord(
        access=access, members=[m for m in memberships if m.is_current],
        former_members=[m for m in memberships if not m.is_current], markers=markers, episode=episode,
        past_episodes=episodes[1:], taf_members=[], assessment=None, findings=[], actions=[], reviews=[], notes=[],
        documents=[], transitions=[], consents=[], disclosures=[],
    )
    if access.can_work_on_case:
        record.consents = list(household.consents.select_related("subject", "given_by", "notice"))
        record.disclosures = list(household.disclosures.select_related("recipient_organisation", "purpose",
                                                                       "decided_by")[:50]) if has["disclosures"] else []
        record.dataset_disclosures = list(dataset_disclosures_for(household)[:50]) if has["dataset_disclosures"] \
            else []
        record.taf_section_changes = list(TafSectionChange.objects.filter(member__episode__household=household)
                                          .select_related("member__practitioner", "member__organisation",
                                                          "changed_by")[:50])
        for change in record.taf_section_changes:
            change.added_labels, change.removed_labels = section_labels(change.added), section_labels(change.removed)
        record.exclusions = list(policy.active_exclusions(household).select_related("user")) if has["exclusions"] \
            else []
    if episode is None:
        return record
    record.taf_members = list(episode.taf_members.filter(end_date__isnull=True)
                              .select_related("practitioner", "organisation"))
    for member in record.taf_members:
        member.section_labels = section_labels(policy.taf_sections(member.sections))
    # P8: a section the viewer does not see is never read (a Team Around the Family member sees what they were given).
    if access.shows(policy.Section.ASSESSMENT):
        record.assessment = episode.assessments.select_related("completed_by", "approved_by").order_by("-pk").first()
    if record.assessment:
        record.findings = [
            (f.area, policy.masked(full, f))
            for f in record.assessment.findings.select_related("area", "source_organisation")
        ]
    actions = PlanAction.objects.filter(plan__episode=episode).select_related("area", "owner")
    if not access.shows(policy.Section.PLAN):
        actions = actions.filter(owner=user)  # only the actions given to them can be shown: read no others
    record.actions = [(a, policy.masked(full, a)) for a in actions if access.shows_action(a, user)]
    if access.shows(policy.Section.REVIEWS):
        record.reviews = [(r, policy.masked(full, r)) for r in episode.reviews.select_related("recorded_by")]
    if access.shows(policy.Section.NOTES):
        record.notes = [(n, n.text if policy.shows_in_full(full, n) else RESTRICTED)
                        for n in episode.notes.select_related("author", "source_organisation")[:50]]
    if access.can_see_documents and has["documents"]:
        record.documents = list(episode.documents.select_related("uploaded_by", "source_organisation"))
    if has["transitions"]:
        record.transitions = list(episode.transitions.select_related("decided_by"))
    # A need in a sensitive headline is special category or criminal offence data: a marker for partners. Needs
    # come from the assessment, and are shown with it.
    if access.shows(policy.Section.ASSESSMENT) and has["needs"]:
        record.needs = [(need, policy.masked(full, need))
                        for need in programme_needs.open_needs(episode).select_related("identified_by")
                        .prefetch_related("progress")]
    if access.can_work_on_case and has["suggestions"]:
        record.suggestions = [(s, programme_needs.area_of_suggestion(s).label) for s in decisions.pending_for(household)
                              .filter(kind=SuggestionKind.NEED)]
    return record


def _parts_with_rows(household, episode, people_ids) -> dict:
    """Which parts of the record that most families have none of have any rows at all (one query): the family page
    reads only those. A part may still turn out empty once the viewer's rules apply; one said to be empty is."""
    episode_ids = (episode.pk,) if episode else ()
    parts = {
        "markers": probes.Exists(Marker, "person", people_ids),
        "disclosures": probes.Exists(Disclosure, "household", (household.pk,)),
        "dataset_disclosures": probes.Exists(DatasetDisclosure.households.through, "household", (household.pk,)),
        "documents": probes.Exists(Document, "episode", episode_ids),
        "transitions": probes.Exists(Transition, "episode", episode_ids),
        "needs": probes.Exists(Need, "episode", episode_ids),
        "suggestions": probes.Exists(Suggestion, "household", (household.pk,)),
        "exclusions": probes.Exists(AccessExclusion, "household", (household.pk,)),
    }
    return dict(zip(parts, probes.ask(list(parts.values()))))


def open_family(user, household_id, *, route_purpose=Purpose.EARLY_HELP_CASEWORK) -> FamilyRecord:
    """The family page's read: access-checked (404 if none, audited) and audited when allowed."""
    return family_record(open_family_access(user, household_id, route_purpose=route_purpose), user)


def open_family_access(user, household_id, *, route_purpose=Purpose.EARLY_HELP_CASEWORK) -> FamilyAccess:
    """The family page's access decision (an audited 404 if none) and its audited read, before the record is read
    (or a kept page served: `casework.kept_pages`)."""
    access = policy.require_family(user, household_id, purpose=route_purpose)
    audit.record(actor=user, action=Action.VIEW, event="household.view", purpose=route_purpose,
                 objects=[access.household], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships), **_restricted_flag(access.household.pk)})
    return access


@dataclass
class Dashboard:
    """A short summary: how many rows each of the user's lists holds (the lists are `casework.lists`, paged)."""

    families: list  # (FamilyList, count), in the order the lists are shown
    reviews: int  # reviews to hold (the user's families, or their team's)
    reviews_overdue: int
    reviews_due_soon: int
    actions: int  # plan actions given to the user, not done
    actions_overdue: int
    contacts_awaiting: int
    caseload: list  # (stage, count) for a team manager's team, drawn as a chart
    partner_access_due: int = 0  # partners' access to the manager's team's families waiting for review (P18)
    restricted_families: int = 0  # left out of the lists: a member's record is restricted (UK GDPR Article 18)
    counted_at: datetime.datetime | None = None

    @property
    def has_work(self) -> bool:
        return any(count for _, count in self.families) or bool(self.reviews or self.actions or self.contacts_awaiting)


def _restricted_flag(household_id) -> dict:
    """Audit metadata for a read of a family with a member whose record is restricted (UK GDPR Article 18)."""
    return {"processing_restricted": True} if restrictions.household_is_restricted(household_id) else {}


def dashboard_for(user, *, today: datetime.date | None = None) -> Dashboard:
    """Counts only: nothing about any one family is read here. The counts are kept for
    EARLYHELP_DASHBOARD_FRESH_SECONDS (a dashboard is opened many times a day, and counting costs a dozen queries over
    every family the user may open), and counted again at once after the user's own change (`audit.last_change_by`);
    the page says when they were counted."""
    today = today or timezone.localdate()
    keep = settings.EARLYHELP_DASHBOARD_FRESH_SECONDS
    key = f"casework:dashboard:{user.pk}:{today.isoformat()}"
    kept = cache.get(key) if keep > 0 else None
    if kept is not None and kept.counted_at.timestamp() >= audit.last_change_by(user.pk):
        return kept
    dashboard = _count_dashboard(user, today)
    if keep > 0:
        cache.set(key, dashboard, keep)
    return dashboard


def _count_dashboard(user, today: datetime.date) -> Dashboard:
    counted_at = timezone.now()
    soon = today + datetime.timedelta(days=lists.REVIEW_SOON_DAYS)
    manages = policy.manages_team(user, user.team_id)
    reviews = lists.reviews(user).order_by().aggregate(
        all=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)))
    actions = lists.actions(user).order_by().aggregate(all=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    all_visible = policy.households_visible_to(user)
    return Dashboard(
        families=[(which, lists.families(user, which).order_by().count())
                  for which in lists.family_lists_for(user)],
        reviews=reviews["all"], reviews_overdue=reviews["overdue"], reviews_due_soon=reviews["soon"],
        actions=actions["all"], actions_overdue=actions["overdue"],
        contacts_awaiting=lists.contacts_awaiting(user).count(),
        caseload=lists.team_caseload(user.team_id) if manages else [],
        partner_access_due=access_services.partner_access_due_for_review(user).count(),
        restricted_families=all_visible.filter(pk__in=restrictions.restricted_household_ids()).count(),
        counted_at=counted_at,
    )


def contact_for(user, contact_id) -> Contact:
    contact = policy.contacts_visible_to(user).select_related("household", "subject", "team", "recorded_by").filter(
        pk=contact_id).first()
    if contact is None:
        policy.refuse(user, object_type="casework.contact", object_id=contact_id, purpose=Purpose.EARLY_HELP_CASEWORK)
    audit.record(actor=user, action=Action.VIEW, event="contact.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[contact], household_id=contact.household_id)
    return contact


def viewers_of_family(user, household_id) -> list:
    """Who has opened the family's record, for a manager of the team holding it or the DPO (an audited 404 for
    anyone else); the look is itself audited."""
    if not policy.can_see_family_viewers(user, household_id):
        policy.refuse(user, household_id=household_id, purpose=Purpose.ACCESS_OVERSIGHT)
    events = list(audit.viewers_of_household(household_id))
    audit.record(actor=user, action=Action.VIEW, event="household.viewers", purpose=Purpose.ACCESS_OVERSIGHT,
                 objects=[("people.household", household_id)], household_id=household_id)
    return events


def list_episodes(user, household_id, *, purpose=Purpose.EARLY_HELP_CASEWORK) -> list:
    access = policy.require_family(user, household_id, purpose=purpose)
    rows = list(access.household.episodes.select_related("team", "lead_practitioner").order_by("-opened_on", "-pk"))
    audit.record(actor=user, action=Action.VIEW, event="episode.list", purpose=purpose,
                 objects=[access.household], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships), "episodes": len(rows),
                           **_restricted_flag(access.household.pk)})
    return rows


team_caseload = lists.team_caseload  # the stages' one home is casework.lists.rows


@dataclass
class FamilyNeeds:
    access: FamilyAccess
    episode: Episode | None
    needs: list  # (need, the need or RESTRICTED, its progress oldest first)
    withdrawn: list  # (need, the need or RESTRICTED): recorded in error, kept with the reason


def family_needs(user, household_id) -> FamilyNeeds:
    """The family's Supporting Families needs on its current episode (and any found by data matching before it),
    with each need's progress; special category and criminal offence needs are markers for a viewer without the
    grant (P16). Access-checked (an audited 404) and audited."""
    access = policy.require_family(user, household_id, purpose=Purpose.EARLY_HELP_CASEWORK,
                                   section=policy.Section.ASSESSMENT)  # needs are shown with the assessment (P8)
    household = access.household
    episode = household.episodes.current().first()
    scope = Q(episode__isnull=True) | (Q(episode=episode) if episode else Q(pk__in=[]))
    rows = list(household.needs.filter(scope).select_related("descriptor__area", "person", "identified_by",
                                                             "source_organisation", "suggestion__decided_by")
                .prefetch_related("progress__recorded_by"))
    full = access.sees_special_category
    needs = [(n, policy.masked(full, n), list(n.progress.all())) for n in rows if n.status != "withdrawn"]
    withdrawn = [(n, policy.masked(full, n)) for n in rows if n.status == "withdrawn"]
    audit.record(actor=user, action=Action.VIEW, event="needs.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=rows or [household], household_id=household.pk,
                 metadata={"relationships": sorted(access.relationships), **_restricted_flag(household.pk)})
    return FamilyNeeds(access=access, episode=episode, needs=needs, withdrawn=withdrawn)


# --- What a manager approves ----------------------------------------------------------------------

@dataclass
class AssessmentForApproval:
    assessment: Assessment
    findings: list  # (area, finding or RESTRICTED), in the areas' order
    not_applicable: list  # headline areas the practitioner said do not apply


def assessment_for_approval(access: FamilyAccess, assessment: Assessment) -> AssessmentForApproval:
    """What the manager approves: the assessment's findings by area, the analysis and the child's voice. Read
    under the page's own audited access (`policy.open_family`), masked as the family page masks it."""
    full = access.sees_special_category
    findings = [(f.area, policy.masked(full, f))
                for f in assessment.findings.select_related("area", "source_organisation")]
    found = {area.pk for area, _ in findings}
    return AssessmentForApproval(assessment=assessment, findings=findings,
                                 not_applicable=[a for a in HeadlineArea.objects.all() if a.pk not in found])


def open_actions(access: FamilyAccess, episode: Episode) -> list:
    """The episode's plan actions still to do, soonest due first: (action, action or RESTRICTED)."""
    full = access.sees_special_category
    return [(a, policy.masked(full, a)) for a in PlanAction.objects.filter(action_is_open(), plan__episode=episode)
            .select_related("area", "owner").order_by("due_date", "pk")]


@dataclass
class ClosureForApproval:
    episode: Episode
    open_actions: list  # (action, action or RESTRICTED)


def closure_for_approval(access: FamilyAccess, episode: Episode) -> ClosureForApproval:
    """What the manager approves: the closure's reason, summary and the family's feedback (on the episode), and
    the plan actions still open with why the episode closes before they are done."""
    return ClosureForApproval(episode=episode, open_actions=open_actions(access, episode))

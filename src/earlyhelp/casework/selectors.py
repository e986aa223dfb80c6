"""Reads of casework, always through the access policy.

`family_record` gathers what one user may see of one family. Special category and criminal
offence detail is replaced by a marker ("recorded: restricted") for users whose access does not
include it (P16, P18); the template never decides this itself.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from earlyhelp.access import policy, restrictions
from earlyhelp.access.policy import FamilyAccess
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Marker, Membership
from earlyhelp.privacy.models import DisclosureSection, SuggestionKind
from earlyhelp.privacy.services import decisions
from earlyhelp.privacy.services.disclosures import dataset_disclosures_for
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.programme.services import needs as programme_needs

from .models import (
    Assessment,
    Contact,
    ContactStatus,
    Episode,
    EpisodeStatus,
    PlanAction,
    Review,
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
    people_ids = [m.person_id for m in memberships]
    markers = list(Marker.objects.filter(person_id__in=people_ids, end_date__isnull=True).select_related("person"))
    episodes = list(household.episodes.select_related("lead_practitioner", "team", "contact").order_by("-opened_on"))
    episode = episodes[0] if episodes else None
    record = FamilyRecord(
        access=access, members=[m for m in memberships if m.is_current],
        former_members=[m for m in memberships if not m.is_current], markers=markers, episode=episode,
        past_episodes=episodes[1:], taf_members=[], assessment=None, findings=[], actions=[], reviews=[], notes=[],
        documents=[], transitions=[], consents=[], disclosures=[],
    )
    if access.can_work_on_case:
        record.consents = list(household.consents.select_related("subject", "given_by", "notice"))
        record.disclosures = list(household.disclosures.select_related("recipient_organisation", "purpose",
                                                                       "decided_by")[:50])
        record.dataset_disclosures = list(dataset_disclosures_for(household)[:50])
        record.taf_section_changes = list(TafSectionChange.objects.filter(member__episode__household=household)
                                          .select_related("member__practitioner", "member__organisation",
                                                          "changed_by")[:50])
        for change in record.taf_section_changes:
            change.added_labels, change.removed_labels = section_labels(change.added), section_labels(change.removed)
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
    record.documents = list(episode.documents.select_related("uploaded_by", "source_organisation")) if access.can_see_documents else []
    record.transitions = list(episode.transitions.select_related("decided_by"))
    # A need in a sensitive headline is special category or criminal offence data: a marker for partners. Needs
    # come from the assessment, and are shown with it.
    if access.shows(policy.Section.ASSESSMENT):
        record.needs = [(need, policy.masked(full, need))
                        for need in programme_needs.open_needs(episode).select_related("identified_by")
                        .prefetch_related("progress")]
    if access.can_work_on_case:
        record.suggestions = [(s, programme_needs.area_of_suggestion(s).label) for s in decisions.pending_for(household)
                              .filter(kind=SuggestionKind.NEED)]
    return record


def open_family(user, household_id, *, route_purpose=Purpose.EARLY_HELP_CASEWORK) -> FamilyRecord:
    """The family page's read: access-checked (404 if none, audited) and audited when allowed."""
    access = policy.require_family(user, household_id, purpose=route_purpose)
    audit.record(actor=user, action=Action.VIEW, event="household.view", purpose=route_purpose,
                 objects=[access.household], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships), **_restricted_flag(access.household.pk)})
    return family_record(access, user)


@dataclass
class Dashboard:
    my_families: list
    reviews_due: list
    overdue_reviews: list
    unallocated: list
    contacts_awaiting: list
    awaiting_approval: list
    my_actions: list
    taf_families: list
    caseload: list  # (stage, count) for a team manager's team, drawn as a chart
    restricted_families: int = 0  # left out of the lists: a member's record is restricted (UK GDPR Article 18)


def _restricted_flag(household_id) -> dict:
    """Audit metadata for a read of a family with a member whose record is restricted (UK GDPR Article 18)."""
    return {"processing_restricted": True} if restrictions.household_is_restricted(household_id) else {}


def dashboard_for(user, *, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=14)
    all_visible = policy.households_visible_to(user)
    visible = restrictions.without_restricted(all_visible, household="pk")  # routine lists leave them out
    open_episodes = Episode.objects.filter(household__in=visible).open()
    mine = open_episodes.filter(lead_practitioner=user)
    manages = policy.manages_team(user, user.team_id)
    team_scope = open_episodes.filter(team_id=user.team_id) if manages else mine
    pending_reviews = Review.objects.filter(episode__in=team_scope, held_on__isnull=True).select_related(
        "episode__household", "episode__lead_practitioner")
    return Dashboard(
        my_families=list(mine.select_related("household")[:100]),
        reviews_due=list(pending_reviews.filter(due_on__gte=today, due_on__lte=soon).order_by("due_on")[:100]),
        overdue_reviews=list(pending_reviews.filter(due_on__lt=today).order_by("due_on")[:100]),
        unallocated=list(open_episodes.filter(team_id=user.team_id, lead_practitioner__isnull=True)
                         .select_related("household")[:100]) if user.team_id else [],
        contacts_awaiting=list(restrictions.without_restricted(policy.contacts_visible_to(user), household="household")
                               .filter(status=ContactStatus.AWAITING_DECISION).select_related("team")[:100]),
        awaiting_approval=list(
            open_episodes.filter(team_id=user.team_id).filter(
                Q(status=EpisodeStatus.CLOSURE_REQUESTED) | Q(assessments__status="submitted"))
            .select_related("household").distinct()[:100]
        ) if manages else [],
        my_actions=list(PlanAction.objects.filter(owner=user, plan__episode__in=open_episodes)
                        .exclude(status__in=["done", "dropped"]).select_related("plan__episode__household", "area")
                        .order_by("due_date")[:100]),
        caseload=team_caseload(user.team_id) if manages else [],
        taf_families=list(open_episodes.filter(taf_members__practitioner=user, taf_members__end_date__isnull=True)
                          .select_related("household").distinct()[:100]),
        restricted_families=all_visible.filter(pk__in=restrictions.restricted_household_ids()).count(),
    )


def overdue_reviews_for(user, *, today=None):
    today = today or timezone.localdate()
    visible = restrictions.without_restricted(policy.households_visible_to(user), household="pk")
    return (Review.objects.filter(episode__household__in=visible, held_on__isnull=True, due_on__lt=today)
            .filter(episode_is_open("episode"))
            .select_related("episode__household", "episode__lead_practitioner", "episode__team").order_by("due_on"))


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


def team_caseload(team_id) -> list:
    """How a team's open families are spread across the stages of early help (counts only)."""
    assessments = Assessment.objects.filter(episode=OuterRef("pk"))
    counts = (
        restrictions.without_restricted(Episode.objects.filter(team_id=team_id), household="household")
        .open()
        .annotate(draft=Exists(assessments.filter(status="draft")),
                  submitted=Exists(assessments.filter(status="submitted")),
                  approved=Exists(assessments.filter(status="approved")))
        .aggregate(
            unallocated=Count("pk", filter=Q(lead_practitioner__isnull=True)),
            not_assessed=Count("pk", filter=Q(lead_practitioner__isnull=False, draft=False, submitted=False,
                                              approved=False, status=EpisodeStatus.OPEN)),
            assessing=Count("pk", filter=Q(draft=True, status=EpisodeStatus.OPEN)),
            awaiting_approval=Count("pk", filter=Q(submitted=True, status=EpisodeStatus.OPEN)),
            plan=Count("pk", filter=Q(approved=True, draft=False, submitted=False, status=EpisodeStatus.OPEN)),
            closing=Count("pk", filter=Q(status=EpisodeStatus.CLOSURE_REQUESTED)),
        )
    )
    labels = {"unallocated": "Not allocated", "not_assessed": "Allocated, assessment not started",
              "assessing": "Assessment in progress", "awaiting_approval": "Assessment awaiting approval",
              "plan": "Plan and reviews", "closing": "Closure awaiting approval"}
    return [(label, counts[key]) for key, label in labels.items()]


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

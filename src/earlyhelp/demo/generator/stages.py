"""The stages of early help a demo family goes through, and the builder that draws each family.

Every family is at one stage of the lifecycle (`STAGES`): a contact awaiting a decision, an episode
at some point of its work, or an episode closed for one of the reasons. The builder draws the
family's household, then the contacts, episodes, assessments, plans, reviews and notes that bring
it to its stage. See `loader` for the council as a whole.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from earlyhelp.access.models import AccessExclusion
from earlyhelp.casework.models import (
    ActionStatus,
    Allocation,
    Assessment,
    AssessmentMember,
    AssessmentStatus,
    CaseNote,
    ClosureReason,
    ConsentAtReferral,
    Contact,
    ContactSource,
    ContactStatus,
    DomainFinding,
    Episode,
    EpisodeStatus,
    Plan,
    PlanAction,
    Review,
    TafMember,
    Transition,
    TransitionKind,
)
from earlyhelp.demo.generator.builders import HouseholdPeople
from earlyhelp.demo.generator.staff import StaffBuilder
from earlyhelp.demo.generator.words import (
    ACTIONS,
    ANALYSES,
    AREA_TEXT,
    ASSESSMENT_REASONS,
    CHANNEL_WEIGHTS,
    CHANNELS,
    CLOSURE_SUMMARIES,
    CONTACT_REASONS,
    CONTACT_SOURCE_WEIGHTS,
    CONTACT_SOURCES,
    DECISION_REASONS,
    EXCLUSION_REASONS,
    FAMILY_VIEWS,
    FEEDBACK,
    NOTES,
    REVIEW_SUMMARIES,
    SENSITIVE_NOTES,
    SOURCE_ORG_TYPE,
    STEP_UP_REASONS,
    VOICES,
)
from earlyhelp.organisations.models import (
    OrganisationType,
    Team,
    User,
)
from earlyhelp.people.models import (
    Gender,
    Household,
    MarkerKind,
    MemberRole,
    SpecialEducationalNeeds,
)
from earlyhelp.privacy.models import (
    Consent,
    ConsentStatus,
    EvidenceType,
    PrivacyNotice,
)
from earlyhelp.programme.models import HeadlineArea, ProgrammeRules
from earlyhelp.records.calendar import add_months

# --- Stages ------------------------------------------------------------------------------------
# Every family is at one stage of the lifecycle. The first len(STAGES) families take one stage
# each, in North Early Help with the demo `lead` and `partner`, so that even a tiny council covers
# every stage and the demo sign-ins see a full tour; later families draw stages by weight.
STAGES = [
    "contact_awaiting", "contact_signposted", "contact_nfa",
    "open_unallocated", "allocated", "assessment_draft", "assessment_submitted", "assessment_approved",
    "review_held", "review_overdue", "closure_requested",
    "closed_outcomes_met", "closed_stepped_down", "closed_withdrew", "closed_moved", "closed_other",
    "closed_stepped_up", "stepped_down_open", "returning",
]
STAGE_WEIGHTS = [4, 4, 3, 4, 6, 6, 3, 8, 10, 5, 3, 16, 6, 6, 2, 2, 4, 3, 5]
CLOSED_REASON_OF_STAGE = {
    "closed_outcomes_met": ClosureReason.OUTCOMES_MET, "closed_stepped_down": ClosureReason.STEPPED_DOWN,
    "closed_withdrew": ClosureReason.WITHDREW, "closed_moved": ClosureReason.MOVED,
    "closed_other": ClosureReason.OTHER, "closed_stepped_up": ClosureReason.STEPPED_UP,
}
# For open stages: (youngest, oldest) age of the episode in days, and how far the work has gone.
OPEN_STAGES = {
    "open_unallocated": ((1, 20), 0),
    "allocated": ((6, 30), 1),
    "assessment_draft": ((12, 40), 2),
    "assessment_submitted": ((28, 55), 3),
    "assessment_approved": ((32, 50), 4),
    "review_held": ((75, 320), 5),
    "review_overdue": ((80, 320), 5),
    "closure_requested": ((120, 420), 5),
    "stepped_down_open": ((30, 260), 5),
}
PROGRESS_STAGE = {1: "allocated", 2: "assessment_draft", 3: "assessment_submitted", 4: "assessment_approved",
                  5: "review_held"}
RESTRICTED_SPOTLIGHT = {6, 16}
EXCLUSION_SPOTLIGHT = {4, 13, 25, 37}
# The spotlight family at "allocated": the family agreed to sharing but not (yet) to early help support, and said
# an organisation type must not see their information. With the demo's Wigan-style rule (support needs signed
# consent, `loader.DEMO_CONSENT_RULE`) the lead practitioner's "Start the assessment" is refused, and the family
# page says what is missing (P6); nobody from that organisation type can open the family (B3).
NO_SUPPORT_CONSENT_SPOTLIGHT = 4
MARKER_SPOTLIGHT = {8: MarkerKind.EHCP, 9: MarkerKind.YOUNG_CARER, 10: MarkerKind.LOOKED_AFTER}
# Spotlight families closed so that their Supporting Families sustainment check (due the rule's months after
# closure) is due soon (index 11) or overdue (index 12): days after the day exactly that many months ago.
SUSTAINMENT_SPOTLIGHT = {11: 7, 12: -20}
# Families whose case closed long enough ago that the retention review finds them due (CASE+6), so that the
# disposal and certificate journey can be tried: closed spotlight families not known to social care (so the IICSA
# hold does not keep them) and one in LONG_CLOSED_EVERY of the other closed families, where the eldest child was
# already born when the episode, moved back by LONG_CLOSED_YEARS, opened. Choosing them takes no random draws, so
# the rest of the council is as it was.
LONG_CLOSED_SPOTLIGHT = {13, 14, 15}
LONG_CLOSED_EVERY = 3
LONG_CLOSED_YEARS = 7
LONG_CLOSED_BACK = datetime.timedelta(days=LONG_CLOSED_YEARS * 365 + 30)

REVIEW_WEEKS = 8


class FamilyBuilder(StaffBuilder):
    """Builds each family at its stage: the household, then the casework that brings it there."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.areas = {a.code: a for a in HeadlineArea.objects.all()}
        if not self.areas:
            raise RuntimeError("No headline areas: run the migrations first")
        self.sustainment_months = ProgrammeRules.current().sustainment_months
        self.notice_id = PrivacyNotice.objects.order_by("-version").values_list("pk", flat=True).first()

    # --- families ---------------------------------------------------------------------------------

    def build_family(self, index):
        rng = self.rng
        spotlight = index < len(STAGES)
        stage = STAGES[index] if spotlight else self.weighted(STAGES, STAGE_WEIGHTS)
        team = self.teams[0] if spotlight else self.teams[rng.randrange(len(self.teams))]
        household_id = self.ids(Household)
        restricted = index in RESTRICTED_SPOTLIGHT or (not spotlight and rng.random() < 0.01)
        self.row(Household, id=household_id, reference=f"F{household_id:07d}", is_restricted=restricted)
        long_closed = stage in CLOSED_REASON_OF_STAGE and stage != "closed_stepped_up" and (
            index in LONG_CLOSED_SPOTLIGHT or (not spotlight and index % LONG_CLOSED_EVERY == 0))
        min_eldest_age = 4 if stage == "returning" else (3 if stage.startswith("closed") else 0)
        members = self.build_people(household_id, min_eldest_age)
        family = _Family(index=index, stage=stage, team=team, household_id=household_id, members=members,
                         spotlight=spotlight, manager=self.managers[team.pk], long_closed=long_closed)
        self.casework(family)
        self.child_markers(family)
        if index in EXCLUSION_SPOTLIGHT or (not spotlight and rng.random() < 0.015):
            self.exclusions(family)

    # --- casework ---------------------------------------------------------------------------------

    def contact(self, family, *, received, source=None, status=ContactStatus.EPISODE_OPENED, decided=None):
        rng = self.rng
        members = family.members
        subjects = [m for m in members.children if m.start <= received.date()] or members.children
        subject = rng.choice(subjects)
        source = source or self.weighted(CONTACT_SOURCES, CONTACT_SOURCE_WEIGHTS)
        org_type = SOURCE_ORG_TYPE.get(source)
        organisation = rng.choice(self.orgs_by_type[org_type]) if org_type else None
        referrer = "" if source == ContactSource.SELF else " ".join(self.person_name("en_GB", rng.choice(
            [Gender.FEMALE, Gender.MALE])))
        consent = (self.weighted([ConsentAtReferral.GIVEN, ConsentAtReferral.NOT_ASKED, ConsentAtReferral.REFUSED],
                                 [80, 15, 5]) if status != ContactStatus.EPISODE_OPENED else ConsentAtReferral.GIVEN)
        decided_at = None
        if status != ContactStatus.AWAITING_DECISION:
            decided_at = min(self.at(decided) if decided else received + datetime.timedelta(hours=rng.randint(2, 72)),
                             self.now)
            decided_at = max(decided_at, received)
        contact = self.row(
            Contact,
            id=self.ids(Contact), household_id=family.household_id, subject_id=subject.person.pk,
            channel=self.weighted(CHANNELS, CHANNEL_WEIGHTS), source=source,
            source_organisation_id=organisation.pk if organisation else None, referrer_name=referrer,
            received_at=received, reason=rng.choice(CONTACT_REASONS[source]), consent_at_referral=consent,
            status=status, decision_reason=rng.choice(DECISION_REASONS[status]) if status in DECISION_REASONS else "",
            decided_by_id=family.manager.pk if decided_at else None, decided_at=decided_at,
            recorded_by_id=rng.choice(self.front_door).pk, team_id=family.team.pk,
        )
        return contact

    def casework(self, family):
        stage, today, rng = family.stage, self.today, self.rng
        if stage.startswith("contact_"):
            status = {"contact_awaiting": ContactStatus.AWAITING_DECISION,
                      "contact_signposted": ContactStatus.SIGNPOSTED,
                      "contact_nfa": ContactStatus.NO_FURTHER_ACTION}[stage]
            received_day = today - self.days(1 if status == ContactStatus.AWAITING_DECISION else 3, 6 if
                                             status == ContactStatus.AWAITING_DECISION else 200)
            self.contact(family, received=self.at(received_day), status=status)
            if (status == ContactStatus.AWAITING_DECISION and rng.random() < 0.3
                    and (today - family.eldest_dob).days > 3 * 365):
                # The family's only episode, closed: still its current one.
                self.past_episode(family, before=received_day - datetime.timedelta(days=30), current=True)
            return
        if stage in CLOSED_REASON_OF_STAGE:
            opened = today - self.days(150, 1050)
            closed = min(opened + self.days(60, 400), today - datetime.timedelta(days=7))
            if family.index in SUSTAINMENT_SPOTLIGHT:
                closed = (add_months(today, -self.sustainment_months)
                          + datetime.timedelta(days=SUSTAINMENT_SPOTLIGHT[family.index]))
                opened = min(opened, closed - datetime.timedelta(days=200))
            drawn_opened = opened  # decides on an earlier episode as before, so the random draws stay the same
            if (family.long_closed and family.index not in SUSTAINMENT_SPOTLIGHT
                    and opened - LONG_CLOSED_BACK > family.eldest_dob + datetime.timedelta(days=365)):
                opened, closed = opened - LONG_CLOSED_BACK, closed - LONG_CLOSED_BACK
            self.episode(family, opened=opened, progress=5 if stage != "closed_withdrew" else rng.randint(1, 5),
                         closed_on=closed, reason=CLOSED_REASON_OF_STAGE[stage])
            if rng.random() < 0.1 and (drawn_opened - family.eldest_dob).days > 800:
                self.past_episode(family, before=opened - datetime.timedelta(days=60))
            return
        if stage == "returning":
            progress = 1 + (family.index % 5)
            opened = today - self.days(*OPEN_STAGES[PROGRESS_STAGE[progress]][0])
            self.past_episode(family, before=opened - self.days(60, 400))
            self.episode(family, opened=opened, progress=progress)
            return
        (lo, hi), progress = OPEN_STAGES[stage]
        opened = today - self.days(lo, hi)
        if not family.spotlight and stage not in ("closure_requested",) and rng.random() < 0.08 \
                and (opened - family.eldest_dob).days > 800:
            self.past_episode(family, before=opened - self.days(60, 400))
        self.episode(family, opened=opened, progress=progress, overdue=stage == "review_overdue",
                     closure_requested=stage == "closure_requested", step_down=stage == "stepped_down_open")

    def past_episode(self, family, *, before, current=False):
        closed = before
        opened = closed - self.days(60, 300)
        reason = self.weighted([ClosureReason.OUTCOMES_MET, ClosureReason.STEPPED_DOWN, ClosureReason.WITHDREW,
                                ClosureReason.OTHER], [60, 20, 15, 5])
        self.episode(family, opened=opened, progress=5 if reason != ClosureReason.WITHDREW else 2, closed_on=closed,
                     reason=reason, past=True, current=current)

    def episode(self, family, *, opened, progress, closed_on=None, reason="", overdue=False,
                closure_requested=False, step_down=False, past=False, current=True):
        """One episode. progress: 0 unallocated, 1 allocated, 2 draft assessment, 3 submitted,
        4 approved with a plan, 5 plan with reviews held. `current`: the family's current episode
        (the open one, or the latest once closed); an earlier episode is not."""
        end = closed_on or self.today
        manager = family.manager
        received = self.at(opened - self.days(1, 10))
        source = ContactSource.CSC if step_down else None
        contact = self.contact(family, received=received, source=source, decided=opened)
        lead = None
        if progress >= 1:
            lead = self.demo["lead"] if family.spotlight else self.rng.choice(self.leads[family.team.pk])
        episode = self.row(Episode, id=self.ids(Episode), household_id=family.household_id, contact_id=contact.pk,
                           team_id=family.team.pk, lead_practitioner_id=lead.pk if lead else None, opened_on=opened,
                           is_current=current)
        family.involved.add(lead.pk if lead else manager.pk)
        if step_down:
            self.stepped_down(family, episode, contact, opened)
        taf = self.allocate(family, episode, lead, opened, end) if lead else []
        assessment_done, findings = None, []
        if lead and progress >= 2:
            assessment_done, findings = self.assessment(family, episode, lead, opened, end, progress)
        if assessment_done and progress >= 4:
            self.plan(episode, lead, taf, findings, assessment_done, closed=closed_on is not None,
                      reason=reason)
        review_mode = "closed" if closed_on else ("overdue" if overdue else "due")
        self.reviews(episode, opened, end, review_mode, lead or manager, held_ok=progress >= 5 or closed_on)
        self.notes(episode, opened, end, lead, manager)
        if closure_requested:
            reason = self.request_closure(episode, lead)
        if closed_on:
            self.close(family, episode, lead, opened, closed_on, reason, past=past)

    def stepped_down(self, family, episode, contact, opened):
        """A step-down from children's social care: the transition, and the children's time open to it."""
        manager = family.manager
        self.row(Transition, id=self.ids(Transition), episode_id=episode.pk, kind=TransitionKind.STEP_DOWN,
                 occurred_on=opened, reason=contact.reason, decided_by_id=manager.pk)
        for child in family.members.children:
            if child.start < opened - datetime.timedelta(days=90):
                self.marker(child.person.pk, MarkerKind.OPEN_TO_CSC, opened - self.days(90, 400), manager,
                            end=opened)

    def allocate(self, family, episode, lead, opened, end):
        """Allocation to the lead practitioner (sometimes after another), the Team Around the Family
        and the family's consent; returns the TAF's practitioners."""
        rng, manager = self.rng, family.manager
        allocated = min(opened + self.days(0, 10), end)
        if rng.random() < 0.1 and (end - allocated).days > 40:
            previous = rng.choice(self.leads[family.team.pk])
            switched = allocated + self.days(10, (end - allocated).days - 10)
            self.row(Allocation, id=self.ids(Allocation), episode_id=episode.pk, practitioner_id=previous.pk,
                     allocated_by_id=manager.pk, start_date=allocated, end_date=switched)
            allocated = switched
            family.involved.add(previous.pk)
        self.row(Allocation, id=self.ids(Allocation), episode_id=episode.pk, practitioner_id=lead.pk,
                 allocated_by_id=manager.pk, start_date=allocated,
                 family_preference_noted=rng.choice(["", "", "Mum would prefer a female worker.",
                                                     "The family asked to keep their previous worker."]))
        taf = self.taf(family, episode, lead, allocated, end)
        self.consent(family, lead, allocated, taf)
        return taf

    def assessment(self, family, episode, lead, opened, end, progress):
        """The whole-family assessment, as far as `progress` (2 draft, 3 submitted, 4 and on approved);
        returns the day it was approved (or None) and its findings."""
        rng, manager = self.rng, family.manager
        started = min(opened + self.days(3, 12), end)
        status = (AssessmentStatus.DRAFT if progress == 2 else
                  AssessmentStatus.SUBMITTED if progress == 3 else AssessmentStatus.APPROVED)
        completed = min(started + self.days(7, 25), end) if status != AssessmentStatus.DRAFT else None
        approved_at = (self.at(min(completed + self.days(1, 5), end))
                       if status == AssessmentStatus.APPROVED else None)
        assessment = self.row(
            Assessment,
            id=self.ids(Assessment), episode_id=episode.pk, status=status, started_on=started,
            completed_on=completed, reason=rng.choice(ASSESSMENT_REASONS),
            voice_of_child=rng.choice(VOICES) if status != AssessmentStatus.DRAFT or rng.random() < 0.5 else "",
            analysis=rng.choice(ANALYSES) if status != AssessmentStatus.DRAFT else "",
            completed_by_id=lead.pk, approved_by_id=manager.pk if approved_at else None, approved_at=approved_at,
        )
        for member in family.members.members:
            if member.end is None:
                self.row(AssessmentMember, id=self.ids(AssessmentMember), assessment_id=assessment.pk,
                         person_id=member.person.pk, role=member.role, lives_in_household=member.lives_in)
        findings = self.findings(family, assessment, 0 if progress == 2 and rng.random() < 0.3 else
                                 (rng.randint(1, 3) if progress == 2 else rng.randint(3, 6)))
        return (approved_at.date() if approved_at else None), findings

    def request_closure(self, episode, lead):
        """The lead practitioner asks to close the episode; returns the reason they give."""
        reason = self.weighted([ClosureReason.OUTCOMES_MET, ClosureReason.STEPPED_DOWN, ClosureReason.WITHDREW,
                                ClosureReason.MOVED, ClosureReason.OTHER], [60, 20, 10, 5, 5])
        episode.status = EpisodeStatus.CLOSURE_REQUESTED
        episode.closure_reason, episode.closure_summary = reason, CLOSURE_SUMMARIES[reason]
        self.feedback(episode)
        episode.closure_requested_by_id = lead.pk
        episode.closure_requested_at = self.at(self.today - self.days(0, 10))
        return reason

    def close(self, family, episode, lead, opened, closed_on, reason, *, past):
        manager = family.manager
        episode.status, episode.closure_reason, episode.closed_by_id, episode.closed_on = (
            EpisodeStatus.CLOSED, reason, manager.pk, closed_on)
        if reason == ClosureReason.STEPPED_UP:
            self.step_up(family, episode, closed_on, past=past)
        else:
            episode.closure_summary = CLOSURE_SUMMARIES[reason]
            self.feedback(episode)
            episode.closure_requested_by_id = (lead or manager).pk
            episode.closure_requested_at = self.at(max(opened, closed_on - self.days(1, 7)))

    def step_up(self, family, episode, closed_on, *, past):
        """Closed by stepping up to children's social care: the transition, and the children open to it
        (some later on a child protection plan)."""
        rng, today, manager = self.rng, self.today, family.manager
        step_reason = rng.choice(STEP_UP_REASONS)
        episode.closure_summary, episode.family_feedback_declined = step_reason, True
        episode.closure_requested_by_id = manager.pk
        self.row(Transition, id=self.ids(Transition), episode_id=episode.pk, kind=TransitionKind.STEP_UP,
                 occurred_on=closed_on, reason=step_reason, decided_by_id=manager.pk)
        for child in family.members.children:
            ended = closed_on + self.days(120, 400) if not past and rng.random() < 0.3 else None
            self.marker(child.person.pk, MarkerKind.OPEN_TO_CSC, closed_on, manager,
                        end=ended if ended and ended < today else None)
            if (rng.random() < 0.4 or family.spotlight) and closed_on + datetime.timedelta(days=30) < today:
                self.marker(child.person.pk, MarkerKind.CHILD_PROTECTION,
                            closed_on + self.days(15, 30), manager)

    def feedback(self, episode):
        if self.rng.random() < 0.3:
            episode.family_feedback_declined = True
        else:
            episode.family_feedback = self.rng.choice(FEEDBACK)

    def taf(self, family, episode, lead, allocated, end):
        rng, today = self.rng, self.today
        candidates = []
        ages = [(today - c.dob).days // 365 for c in family.members.children]
        if family.spotlight:
            candidates.append(self.demo["partner"])
        if any(4 <= a <= 17 for a in ages):
            candidates.append(rng.choice(self.school_partners))
        if any(a < 5 for a in ages):
            candidates.append(rng.choice(self.partners_by_type[OrganisationType.HEALTH][:2]))
            if rng.random() < 0.4:
                candidates.append(rng.choice(self.partners_by_type[OrganisationType.EARLY_YEARS]))
        for org_type, chance in [(OrganisationType.HOUSING, 0.15), (OrganisationType.POLICE, 0.08),
                                 (OrganisationType.VOLUNTARY, 0.2), (OrganisationType.PROBATION_YOUTH_JUSTICE, 0.06),
                                 (OrganisationType.DWP, 0.08), (OrganisationType.COMMISSIONED, 0.1),
                                 (OrganisationType.HEALTH, 0.15)]:
            if rng.random() < chance:
                candidates.append(rng.choice(self.partners_by_type[org_type]))
        members, seen = [], set()
        for practitioner in candidates:
            if practitioner.pk in seen or len(members) >= 4:
                continue
            seen.add(practitioner.pk)
            special = rng.random() < 0.25
            # P8: each member sees what their part needs: the plan they work to, and, for those trusted with the
            # detail, the assessment and reviews too; always who is in the family and who leads the work.
            sections = ["assessment", "episode", "household", "plan", "reviews"] if special else \
                ["episode", "household", "plan"]
            self.row(TafMember, id=self.ids(TafMember), episode_id=episode.pk, practitioner_id=practitioner.pk,
                     organisation_id=practitioner.organisation_id, added_by_id=lead.pk,
                     special_category_access=special, sections=sections,
                     start_date=min(allocated + self.days(0, 14), end))
            members.append(practitioner)
            family.involved.add(practitioner.pk)
        return members

    def consent(self, family, lead, given_on, taf):
        """Signed consent from a parent or carer, covering support and sharing with the TAF's partners."""
        adult = next((m for m in family.members.members
                      if m.role == MemberRole.PARENT_CARER and m.end is None), None)
        if adult is None or self.notice_id is None:
            return
        types = sorted({self.organisation_types[p.organisation_id] for p in taf} | {OrganisationType.SCHOOL})
        spotlight = family.spotlight and family.index == NO_SUPPORT_CONSENT_SPOTLIGHT
        consent = self.row(
                 Consent, id=self.ids(Consent), household_id=family.household_id, subject_id=adult.person.pk,
                 given_by_id=adult.person.pk, covers_support=not spotlight, sharing_partner_types=types,
                 must_not_see="Not the police, please" if spotlight else "",
                 national_evaluation_opt_out=self.rng.random() < 0.05, evidence_type=EvidenceType.SIGNED_FORM,
                 evidence_reference=f"Signed consent form, {given_on:%d/%m/%Y}", notice_id=self.notice_id,
                 given_on=given_on, recorded_by_id=lead.pk, recorded_at=self.now, status=ConsentStatus.ACTIVE)
        if spotlight:
            excluded = next(t for t in (OrganisationType.POLICE, OrganisationType.HOUSING, OrganisationType.DWP)
                            if t not in types)
            self.row(AccessExclusion, id=self.ids(AccessExclusion), household_id=family.household_id,
                     organisation_type=excluded, consent_id=consent.pk, reason="Not the police, please",
                     recorded_by_id=lead.pk)

    def findings(self, family, assessment, how_many):
        rng, today = self.rng, self.today
        ages = [(today - c.dob).days // 365 for c in family.members.children]
        codes = [c for c in self.areas if not (c == "EARLY_YEARS" and min(ages) >= 5)
                 and not (c == "EDUCATION" and max(ages) < 4)]
        chosen = rng.sample(codes, min(how_many, len(codes)))
        result = []
        for code in chosen:
            score = self.weighted([1, 2, 3, 4, 5], [8, 25, 35, 20, 12])
            strengths, needs = AREA_TEXT.get(code, ("", ""))
            self.row(DomainFinding, id=self.ids(DomainFinding), assessment_id=assessment.pk,
                     area_id=self.areas[code].pk, strengths=strengths,
                     needs=needs if score <= 3 else "", score=score)
            result.append((code, score))
        return result

    def plan(self, episode, lead, taf, findings, approved_on, *, closed, reason):
        rng, today = self.rng, self.today
        plan = self.row(Plan, id=self.ids(Plan), episode_id=episode.pk, created_by_id=lead.pk)
        needs = [code for code, score in findings if score <= 3] or [code for code, _ in findings[:2]]
        owners = [lead] + list(taf)
        for code in needs:
            action, outcome = ACTIONS.get(code, ("Support from the lead practitioner", "Needs met"))
            due = approved_on + self.days(14, 120)
            if closed:
                status = (self.weighted([ActionStatus.DONE, ActionStatus.DROPPED], [85, 15])
                          if reason in (ClosureReason.OUTCOMES_MET, ClosureReason.STEPPED_DOWN)
                          else self.weighted(ActionStatus.values, [20, 30, 30, 20]))
            elif due < today:
                status = self.weighted(ActionStatus.values, [15, 30, 50, 5])
            else:
                status = self.weighted(ActionStatus.values, [50, 45, 5, 0.1])
            note = "" if status == ActionStatus.NOT_STARTED else rng.choice(
                ["Going well; two sessions attended.", "Appointment booked for next week.",
                 "Completed and the family say it helped.", "No longer needed: the family found their own support."])
            self.row(PlanAction, id=self.ids(PlanAction), plan_id=plan.pk, area_id=self.areas[code].pk,
                     need=AREA_TEXT.get(code, ("", "Identified need"))[1], action=action,
                     owner_id=rng.choice(owners).pk, intended_outcome=outcome, due_date=due,
                     status=status, progress_note=note)

    def reviews(self, episode, opened, end, mode, recorder, held_ok):
        """Review history. due: the last review is not yet due; overdue: the last review is past its
        date; closed: every review up to closure held (unheld ones are deleted when an episode closes)."""
        rng = self.rng
        interval = datetime.timedelta(weeks=REVIEW_WEEKS)
        due = opened + interval
        while True:
            last = due > end or not held_ok or (mode == "overdue" and due + interval > end)
            if last:
                if mode != "closed":
                    self.row(Review, id=self.ids(Review), episode_id=episode.pk, due_on=due)
                return
            held = max(opened, min(due + self.days(-7, 7), end))
            self.row(Review, id=self.ids(Review), episode_id=episode.pk, due_on=due, held_on=held,
                     summary=rng.choice(REVIEW_SUMMARIES), family_view=rng.choice(FAMILY_VIEWS),
                     recorded_by_id=recorder.pk)
            due = held + interval
            if mode == "overdue" and due > end:
                due = max(held + datetime.timedelta(days=1), end - self.days(1, 20))

    def notes(self, episode, opened, end, lead, manager):
        rng = self.rng
        length = (end - opened).days
        count = (1 if lead is None else min(12, 2 + length // 21)) if rng.random() < 0.95 else 0
        for _ in range(count):
            sensitive = rng.random() < 0.15
            author = manager if lead is None or rng.random() < 0.15 else lead
            self.row(CaseNote, id=self.ids(CaseNote), episode_id=episode.pk, author_id=author.pk,
                     occurred_at=self.at(self.between(opened, end)),
                     channel=self.weighted(CHANNELS + [""], [30, 20, 5, 5, 30, 10]),
                     text=rng.choice(SENSITIVE_NOTES if sensitive else NOTES), is_sensitive=sensitive)

    def child_markers(self, family):
        rng, today, by = self.rng, self.today, family.manager
        forced = MARKER_SPOTLIGHT.get(family.index)
        if forced:  # so that even a tiny council has every kind of marker
            child = family.members.children[0]
            if forced == MarkerKind.EHCP:
                child.person.special_educational_needs = SpecialEducationalNeeds.EHCP
            else:
                self.marker(child.person.pk, forced, today - self.days(30, 700), by)
        for child in family.members.children:
            age = (today - child.dob).days // 365
            if child.person.special_educational_needs == SpecialEducationalNeeds.EHCP:
                self.marker(child.person.pk, MarkerKind.EHCP, self.between(child.dob + datetime.timedelta(
                    days=3 * 365), today), by)
            if age >= 8 and rng.random() < 0.03:
                self.marker(child.person.pk, MarkerKind.YOUNG_CARER, today - self.days(30, 700), by)
            if rng.random() < 0.004:
                self.marker(child.person.pk, MarkerKind.LOOKED_AFTER, today - self.days(30, 700), by)

    def exclusions(self, family):
        rng = self.rng
        candidates = [u for u in self.leads[family.team.pk] + self.front_door + self.school_partners
                      if u.pk not in family.involved]
        for user in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
            self.row(AccessExclusion, id=self.ids(AccessExclusion), household_id=family.household_id,
                     user_id=user.pk, reason=rng.choice(EXCLUSION_REASONS),
                     recorded_by_id=family.manager.pk)


@dataclass
class _Family:
    index: int
    stage: str
    team: Team
    household_id: int
    members: HouseholdPeople
    spotlight: bool
    manager: User
    involved: set = field(default_factory=set)  # users who work with the family: never excluded
    long_closed: bool = False  # closed long ago: due for the retention review

    @property
    def eldest_dob(self):
        return self.members.children[0].dob

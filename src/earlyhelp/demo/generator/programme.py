"""Supporting Families in the demo council: needs, progress, the shortlist, sustainment checks, claims and
research projects, in every state the data team's and the practitioners' pages show.

This runs after the families are written (`loader.generate_council`). Unlike the casework, which is seed data
written in batches, the programme's records are made through the real services wherever one exists, by the
demo's own practitioners and data team: needs confirmed from the approved assessment's suggestions
(`programme.services.needs`, decided by the lead practitioner through `privacy.services.decisions`), needs
from data-matching facts (`matching.needs.suggest_needs`, decided by the data team), needs recorded by
practitioners with a partner's provenance, progress at baseline, at every review and at closure
(`record_progress`), and the shortlist (`supporting_families.services.shortlist.propose_shortlist`, each
proposal decided by the data team). So every audit event is written and every service's rule holds.

Where no service exists yet (sustainment checks, claims, research projects) the rows are written with the
models, keeping the models' rules: a decided claim has who, when and a reason; a need is claimed only by an
accepted claim; a sustainment check is made on or after its due date.

Three things are set after a service made them, because the services date them today and the demo's
families were worked with in the past: a need's `identified_on` (the day of the assessment, or the day the
partner's information arrived) and a programme family's `screened_on`. A few families' consents are marked
as opting out of the national evaluation.

The families used are bounded (`OPEN_FAMILIES`, `CLOSED_FAMILIES`), so the time this takes does not grow
with the size of the council. Draws come from their own seeded generator, so the families drawn before this
are the same as without it.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.casework.models import Assessment, AssessmentStatus, ClosureReason, Episode, EpisodeStatus, Review
from earlyhelp.matching.models import BatchStatus, DatasetType, FileFormat, ImportBatch, SourceRecord
from earlyhelp.demo.registers import agreement_for
from earlyhelp.matching.needs import suggest_needs
from earlyhelp.organisations.models import Organisation, OrganisationType, Role, User
from earlyhelp.people.models import MemberRole, Membership
from earlyhelp.privacy.models import Consent, ProcessingPurpose
from earlyhelp.privacy.services import decisions
from earlyhelp.programme.models import (
    Descriptor,
    FrameworkVersion,
    Need,
    NeedStatus,
    ProgrammeRules,
    ProgressOccasion,
)
from earlyhelp.programme.services import needs as needs_service
from earlyhelp.records.calendar import add_months
from earlyhelp.records.provenance import SourceKind
from earlyhelp.reporting.services import nis, research, returns
from earlyhelp.supporting_families.models import (
    BatchStatus as ClaimBatchStatus,
    Claim,
    ClaimBatch,
    ClaimedNeed,
    ClaimStatus,
    ProgrammeFamily,
    SustainmentCheck,
    SustainmentMethod,
)
from earlyhelp.supporting_families.services import shortlist, sustainment

SEED_OFFSET = 7919  # the programme's draws come from their own generator: seed + this
OPEN_FAMILIES = 30  # at most this many open episodes get needs…
CLOSED_FAMILIES = 24  # …and this many closed ones, whatever the council's size
NOT_YET_CHECKED_DAYS = 30  # checks due in the last this many days are not made yet: overdue

# What a need looks like in each headline, as the practitioner or partner wrote it (all invented).
NEED_EVIDENCE = {
    "EDUCATION": "Attendance at 81% this term; the school's attendance officer has written to the family.",
    "EARLY_YEARS": "The two-year review found speech and language below the expected level.",
    "HEALTH": "Mum describes low mood most days; the GP has referred her to talking therapies.",
    "SUBSTANCE": "Dad says his drinking has increased since he lost his job.",
    "FAMILY_REL": "Frequent arguments at home; the children say the shouting worries them.",
    "CHILD_SAFE": "The school has raised concerns about bruising and missed meals.",
    "CRIME": "The eldest has been stopped by the police twice this year for anti-social behaviour.",
    "DOM_ABUSE": "Police attended an incident at the address; a risk assessment was completed.",
    "HOUSING": "Rent arrears of seven weeks; a notice has been served.",
    "FINANCE": "Nobody in the household is in work; the family relies on food bank parcels.",
}
PROGRESS_EVIDENCE = {
    1: "No change yet; the family are finding it hard to engage.",
    2: "Some early signs of change, but the concern remains significant.",
    3: "Steady progress: the family are using the support offered.",
    4: "Clear improvement, confirmed by the partner involved.",
    5: "No longer a concern; the family and the partner agree.",
}
REASONS = {
    "need_accept": "Confirmed with the family at the assessment: this need is what the assessment describes.",
    "need_reject": "Already covered by another need recorded for the family.",
    "matched_accept": "The partner's record matches the family and the information is current.",
    "eligible_accept": "Meets the council's rule; the family agreed to work with the programme.",
    "comparison_accept": "Meets the council's rule; placed in the National Impact Study comparison group.",
    "eligible_reject": "The needs are being met by another service; not added to the programme.",
    "claim_accept": "Every condition met and the evidence checked: claimed.",
    "claim_refuse": "The school's attendance evidence does not cover the whole sustainment period: not claimed.",
}
# The shortlist's open families take these decisions in turn (so a small council has each).
OPEN_DECISIONS = ["support", "comparison", "refused", "pending", "support", "support", "pending", "comparison",
                  "support", "refused"]
CLAIM_DECISIONS = ["accepted", "refused", "proposed", "accepted", "proposed"]
# Each payment-by-results condition as a claim keeps it (the shape `supporting_families.services.claims` writes).
CLAIM_CONDITIONS = [
    ("closed", "Support has ended", "The episode was closed."),
    ("on_programme", "The family is on the programme", "Accepted onto the programme by the data team."),
    ("lead_practitioner", "A lead practitioner was allocated", "A lead practitioner was allocated."),
    ("assessment", "A whole-family assessment was approved", "The assessment was approved by the team manager."),
    ("plan", "The plan covers every identified need", "Every need has an action in the family plan."),
    ("support", "Support was delivered", "Reviews were held with the family."),
    ("outcomes", "A positive outcome on every identified need", "Every need was met at closure."),
    ("sustained", "Every outcome was sustained after closure", "Every sustainment check held."),
    ("not_claimed", "No need has been claimed before", "None of the family's needs has been claimed."),
]


class ProgrammeBuilder:
    """Supporting Families work on some of the council's families (see the module's docstring)."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed + SEED_OFFSET)
        self.seed = seed
        self.today = today
        self.now = timezone.now()
        self.rules = ProgrammeRules.current()
        self.counts = Counter()
        self.data = (User.objects.filter(username="data").first()
                     or User.objects.filter(role=Role.DATA_TEAM, is_active=True).order_by("pk").first())
        version = FrameworkVersion.objects.filter(is_current=True).first()
        self.descriptors = {}
        for descriptor in Descriptor.objects.filter(version=version, is_active=True).select_related("area"):
            self.descriptors.setdefault(descriptor.area.code, []).append(descriptor)
        self.partners = list(Organisation.objects.exclude(
            type__in=[OrganisationType.LOCAL_AUTHORITY, OrganisationType.CHILDRENS_SOCIAL_CARE]).order_by("pk"))

    # --- the whole programme ----------------------------------------------------------------------

    def build(self) -> dict:
        if self.data is None or not self.descriptors:
            return {}
        open_episodes, closed_episodes = self.episodes()
        self.matched_batch = self.data_match_batch() if open_episodes else None
        self.matched_families = 0
        for number, episode in enumerate(open_episodes):
            self.open_family(number, episode)
        closed_needs = {episode.pk: self.closed_family(number, episode)
                        for number, episode in enumerate(closed_episodes)}
        self.shortlist(open_episodes, closed_episodes)
        checked = self.sustainment(closed_episodes, closed_needs)
        self.claims(checked)
        self.research_projects()
        self.opt_outs()
        self.returns_and_transfers()
        return {f"programme.{name}": count for name, count in sorted(self.counts.items())}

    def episodes(self):
        """Current episodes of families who are not restricted, with an approved assessment and a lead."""
        approved = Assessment.objects.filter(status=AssessmentStatus.APPROVED).values("episode_id")
        episodes = (Episode.objects.filter(household__is_restricted=False, pk__in=approved,
                                           lead_practitioner__isnull=False)
                    .select_related("lead_practitioner", "household").order_by("pk"))
        open_episodes = list(episodes.filter(status__in=[EpisodeStatus.OPEN, EpisodeStatus.CLOSURE_REQUESTED])
                             .filter(reviews__held_on__isnull=False).distinct()[:OPEN_FAMILIES])
        # Closed episodes whose work may have met the family's needs (earlier episodes of returning families too).
        closed = list(episodes.filter(status=EpisodeStatus.CLOSED, closure_reason__in=[
            ClosureReason.OUTCOMES_MET, ClosureReason.STEPPED_DOWN, ClosureReason.MOVED,
            ClosureReason.OTHER])[:CLOSED_FAMILIES])
        return open_episodes, closed

    # --- one family's needs and progress ----------------------------------------------------------

    def family_people(self, episode):
        """The family's current members who live in the household: (children, adults)."""
        members = list(Membership.objects.filter(household_id=episode.household_id, end_date__isnull=True,
                                                 lives_in_household=True).select_related("person")
                       .order_by("person_id"))
        children = [m.person for m in members if m.role == MemberRole.CHILD]
        adults = [m.person for m in members if m.role in (MemberRole.PARENT_CARER, MemberRole.OTHER_ADULT)]
        return children, adults

    def approved_on(self, episode) -> tuple:
        assessment = episode.assessments.filter(status=AssessmentStatus.APPROVED).order_by("-approved_at").first()
        return timezone.localtime(assessment.approved_at).date(), assessment

    def open_family(self, number, episode):
        """Needs from the assessment's suggestions (confirmed by the lead), from partner data (confirmed by the
        data team) and recorded with a partner's information; progress at baseline and each review since."""
        rng, lead = self.rng, episode.lead_practitioner
        approved_on, assessment = self.approved_on(episode)
        suggestions = needs_service.suggest_from_assessment(assessment)
        self.counts["need suggestions"] += len(suggestions)
        for position, suggestion in enumerate(suggestions):
            last = position == len(suggestions) - 1
            if last and number % 3 == 0:
                continue  # left for the lead to decide
            reject = last and number % 7 == 5
            decisions.decide(by=lead, suggestion_id=suggestion.pk, accept=not reject,
                             reason=REASONS["need_reject" if reject else "need_accept"])
        Need.objects.filter(episode=episode, suggestion__isnull=False).update(identified_on=approved_on)
        if self.matched_batch is not None and number % 2 == 0:
            self.matched_need(episode, approved_on)
        self.recorded_needs(episode, approved_on, target=3 + (number % 3 == 1) - (number % 5 == 4))
        self.progress(episode, approved_on, closed_on=None)

    def closed_family(self, number, episode) -> list:
        """Needs recorded when the assessment was approved, progress at each review and at closure (which
        marks each need met or not met); returns the needs."""
        approved_on, _ = self.approved_on(episode)
        self.recorded_needs(episode, approved_on, target=3 + (number % 2))
        return self.progress(episode, approved_on, closed_on=episode.closed_on,
                             falls_short=number % 6 == 5)

    def recorded_needs(self, episode, identified_on, *, target):
        """Needs recorded by the lead until the family has needs in `target` headlines: some for a member,
        some for the whole family, some with a partner's information."""
        rng, lead = self.rng, episode.lead_practitioner
        children, adults = self.family_people(episode)
        held = set(Need.objects.filter(household_id=episode.household_id, episode=episode)
                   .exclude(status=NeedStatus.WITHDRAWN).values_list("descriptor__area__code", flat=True))
        areas = [code for code in self.descriptors if code not in held and code != "EARLY_YEARS"]
        rng.shuffle(areas)
        taf = list(episode.taf_members.values_list("organisation_id", flat=True).order_by("pk"))
        for code in areas[:max(0, target - len(held))]:
            descriptor = rng.choice(self.descriptors[code])
            whom = rng.random()
            person = (rng.choice(children) if whom < 0.45 and children else
                      rng.choice(adults) if whom < 0.75 and adults else None)
            partner = rng.random() < 0.5
            organisation = (Organisation.objects.get(pk=rng.choice(taf)) if partner and taf else
                            rng.choice(self.partners) if partner else None)
            needs_service.record_need(
                by=lead, household_id=episode.household_id, episode_id=episode.pk, person=person,
                descriptor_id=descriptor.pk, evidence=NEED_EVIDENCE[code],
                source_kind=SourceKind.PARTNER if organisation else SourceKind.PRACTITIONER,
                source_organisation=organisation,
                source_reference=f"Referral information, {identified_on:%d/%m/%Y}" if organisation else "",
                identified_on=identified_on)
            self.counts["needs recorded by practitioners"] += 1

    def progress(self, episode, start, *, closed_on, falls_short=False) -> list:
        """Progress on every need at baseline, at each review held since, and at closure. Scores mostly rise;
        a family that `falls_short` ends with one need not met."""
        rng = self.rng
        needs = list(needs_service.open_needs(episode).order_by("pk"))
        if not needs:
            return []
        lead = episode.lead_practitioner
        score = {need.pk: rng.choice([1, 2, 2, 3]) for need in needs}

        def record(occasion, on, review=None, among=None):
            among = needs if among is None else among
            scores = {need.pk: (score[need.pk], PROGRESS_EVIDENCE[score[need.pk]]) for need in among}
            needs_service.record_progress(by=lead, needs=among, scores=scores, occasion=occasion, on=on,
                                          review=review)
            self.counts[f"progress at {occasion}"] += len(among)

        for identified_on in sorted({need.identified_on for need in needs}):
            record(ProgressOccasion.BASELINE, identified_on,
                   among=[need for need in needs if need.identified_on == identified_on])
        reviews = Review.objects.filter(episode=episode, held_on__gt=start).order_by("held_on")
        for review in reviews:
            among = [need for need in needs if need.identified_on < review.held_on]
            if not among:
                continue
            for need in among:
                score[need.pk] = min(5, score[need.pk] + rng.choice([0, 1, 1]))
            record(ProgressOccasion.REVIEW, review.held_on, review, among)
        if closed_on is not None:
            for pk in score:
                score[pk] = max(score[pk], self.rules.positive_score + rng.choice([0, 0, 1]))
                score[pk] = min(score[pk], 5)
            if falls_short:
                score[needs[-1].pk] = self.rules.positive_score - 1
            record(ProgressOccasion.CLOSURE, closed_on)
        return needs

    def data_match_batch(self):
        """One imported partner file (out-of-work benefits) whose records the data team linked to people."""
        partner = Organisation.objects.filter(type=OrganisationType.DWP).order_by("pk").first()
        purpose = ProcessingPurpose.objects.filter(code="data_matching").first()
        if partner is None or purpose is None:
            return None
        received_on = self.today - datetime.timedelta(days=120)
        agreement = agreement_for(partner, on=received_on)  # the demo's registers are loaded first
        return ImportBatch.objects.create(
            dataset_type=DatasetType.DWP_OUT_OF_WORK, source_organisation=partner,
            received_on=received_on, purpose=purpose, agreement=agreement,
            sharing_agreement_reference=agreement.reference if agreement else "ISA-DEMO-SF",
            file_name="dwp_out_of_work_programme.csv",
            file_format=FileFormat.CSV, status=BatchStatus.IMPORTED, imported_by=self.data,
            file_sha256=hashlib.sha256(f"demo-programme-{self.seed}".encode()).hexdigest(),
            finished_at=self.now)

    def matched_need(self, episode, identified_on):
        """A partner record linked to an adult of the family suggests a need; the data team confirms most."""
        _, adults = self.family_people(episode)
        if not adults:
            return
        person = adults[0]
        batch = self.matched_batch
        batch.total_rows += 1
        batch.processed_rows += 1
        batch.save(update_fields=["total_rows", "processed_rows"])
        record = SourceRecord.objects.create(
            batch=batch, row_number=batch.total_rows + 1, source_record_id=f"DWP{self.rng.randrange(10**7):07d}",
            given_name=person.given_name, family_name=person.family_name, date_of_birth=person.date_of_birth,
            facts={"benefit": "Universal Credit (no work requirements met)"},
            person=person, linked_by=self.data, linked_at=self.now)
        self.matched_families += 1
        for suggestion in suggest_needs(record):
            self.counts["matched need suggestions"] += 1
            if self.matched_families % 4 == 2:
                continue  # left for the data team to decide
            decisions.decide(by=self.data, suggestion_id=suggestion.pk, accept=True,
                             reason=REASONS["matched_accept"])
            Need.objects.filter(suggestion=suggestion).update(identified_on=max(identified_on, batch.received_on))

    # --- the shortlist, sustainment and claims ----------------------------------------------------

    def shortlist(self, open_episodes, closed_episodes):
        """Propose every eligible family, then decide: closed families joined the programme; open families
        join it (for support or in the comparison group), are refused or wait."""
        proposals = {p.household_id: p for p in shortlist.propose_shortlist(by=self.data, today=self.today)}
        self.counts["shortlist proposals"] += len(proposals)
        plan = {}
        for episode in closed_episodes:
            plan[episode.household_id] = ("support", episode.opened_on)
        turn = 0
        for episode in open_episodes:
            if episode.household_id in proposals and episode.household_id not in plan:
                plan[episode.household_id] = (OPEN_DECISIONS[turn % len(OPEN_DECISIONS)], episode.opened_on)
                turn += 1
        for household_id, proposal in sorted(proposals.items()):
            decision, opened_on = plan.get(household_id, ("pending", None))
            if decision == "pending":
                self.counts["shortlist pending"] += 1
                continue
            accept = decision != "refused"
            reason = REASONS["comparison_accept" if decision == "comparison" else
                             "eligible_accept" if accept else "eligible_reject"]
            decisions.decide(by=self.data, suggestion_id=proposal.pk, accept=accept, reason=reason)
            self.counts[f"shortlist {decision}"] += 1
            if accept:
                screened = min(self.today, opened_on + datetime.timedelta(days=40))
                ProgrammeFamily.objects.filter(household_id=household_id).update(
                    screened_on=screened, comparison_group=decision == "comparison")

    def sustainment(self, closed_episodes, closed_needs) -> list:
        """Checks of each met need, from the due date on: most held, some did not. Checks due in the last
        weeks are not made yet (overdue), and later ones are not due (some due soon). Returns the episodes
        whose every need was met and held: the claims' families."""
        rng = self.rng
        on_programme = set(ProgrammeFamily.objects.filter(comparison_group=False)
                           .values_list("household_id", flat=True))
        claimable, checked_families = [], 0
        for episode in closed_episodes:
            needs = [n for n in closed_needs[episode.pk]]
            due = sustainment.due_after_closure(episode, rules=self.rules)
            if not needs or due > self.today - datetime.timedelta(days=NOT_YET_CHECKED_DAYS):
                self.counts["sustainment not yet checked"] += 1
                continue
            met = Need.objects.filter(pk__in=[n.pk for n in needs], status=NeedStatus.MET).order_by("pk")
            slips = checked_families % 5 == 1  # one check in five families' shows the concern returned
            checked_families += 1
            all_held = True
            for position, need in enumerate(met):
                held = not (slips and position == 0)
                checked_on = min(self.today, due + datetime.timedelta(days=rng.randint(0, 30)))
                SustainmentCheck.objects.create(
                    need=need, due_on=due, checked_on=checked_on,
                    method=rng.choice([SustainmentMethod.MATCHED_DATA, SustainmentMethod.RECORDED_CHECK]),
                    sustained=held, checked_by=self.data,
                    evidence=("Checked with the partner: the improvement has held." if held else
                              "Checked with the partner: the concern has returned."))
                self.counts["sustainment checks held" if held else "sustainment checks not held"] += 1
                all_held = all_held and held
            every_need_met = met.count() == len(needs)
            if all_held and every_need_met and episode.household_id in on_programme:
                claimable.append(episode)
        return claimable

    def claims(self, episodes):
        """One claim batch for the current period: accepted claims (with the needs they claim), refused and
        proposed ones."""
        if not episodes:
            return
        period_end = self.today
        period_start = add_months(period_end, -3) + datetime.timedelta(days=1)
        batch = ClaimBatch.objects.create(period_start=period_start, period_end=period_end,
                                          status=ClaimBatchStatus.DRAFT, created_by=self.data, created_at=self.now)
        for number, episode in enumerate(episodes):
            decision = CLAIM_DECISIONS[number % len(CLAIM_DECISIONS)]
            needs = list(Need.objects.filter(episode=episode, status=NeedStatus.MET).order_by("pk"))
            conditions = [{"name": name, "label": label, "met": True, "evidence": evidence}
                          for name, label, evidence in CLAIM_CONDITIONS]
            decided = decision != "proposed"
            claim = Claim.objects.create(
                batch=batch, household_id=episode.household_id, episode=episode, conditions=conditions,
                status={"accepted": ClaimStatus.ACCEPTED, "refused": ClaimStatus.REFUSED,
                        "proposed": ClaimStatus.PROPOSED}[decision],
                reason=REASONS["claim_accept" if decision == "accepted" else "claim_refuse"] if decided else "",
                decided_by=self.data if decided else None, decided_at=self.now if decided else None,
                in_assurance_sample=decision == "accepted" and number == 0)
            self.counts[f"claims {decision}"] += 1
            if decision == "accepted":
                ClaimedNeed.objects.bulk_create([ClaimedNeed(claim=claim, need=need) for need in needs])
                self.counts["claimed needs"] += len(needs)

    # --- research and the national evaluation -----------------------------------------------------

    def research_projects(self):
        """An active project (its key made by the service, outside the database) and one the data team ended early,
        whose key was destroyed."""
        columns = ["person_ref", "family_ref", "relation_in_family", "birth_month_year", "gender", "postcode_district",
                   "criteria_met", "needs_headlines"]
        self.active_project = research.create_project(
            by=self.data, reference="demo-family-outcomes",
            title="What helps families stay on track after support ends", recipient="approved_researchers",
            recipient_name="University of Eastshire, Centre for Family Research",
            purpose="How families' progress holds in the year after early help ends, by headline outcome.",
            starts_on=add_months(self.today, -8), ends_on=add_months(self.today, 16), columns=columns)
        ended = research.create_project(
            by=self.data, reference="demo-attendance-pilot", title="School attendance pilot evaluation",
            recipient="approved_researchers", recipient_name="Northfield Evaluation Partnership",
            purpose="Whether a whole-family approach improves school attendance.",
            starts_on=add_months(self.today, -20), ends_on=self.today, columns=columns[:5])
        research.end_project(by=self.data, project=ended)
        self.counts["research projects"] += 2

    def returns_and_transfers(self):
        """The last complete quarter's return, the last complete half-year's progress data, a National Impact Study
        transfer and a research extract for the last six months, made through the services (each refused, and
        left out, if the demo has nothing for its period)."""
        quarter_start = returns.quarter_period(*returns.quarter_of(self.today))[0]
        last_quarter = returns.quarter_of(quarter_start - datetime.timedelta(days=1))
        half_start = returns.half_year_period(*returns.half_of(self.today))[0]
        last_half = returns.half_of(half_start - datetime.timedelta(days=1))
        period = (add_months(self.today, -6), self.today)
        made = [
            ("quarterly return", lambda: returns.make_quarterly_return(by=self.data, year=last_quarter[0],
                                                                        quarter=last_quarter[1])),
            ("family progress return", lambda: returns.make_family_progress_return(by=self.data, year=last_half[0],
                                                                                    half=last_half[1])),
            ("National Impact Study transfer", lambda: nis.make_transfer(by=self.data, period_start=period[0],
                                                                         period_end=period[1])),
            ("research extract", lambda: research.make_extract(by=self.data, project=self.active_project,
                                                               period_start=period[0], period_end=period[1])),
        ]
        for name, make in made:
            try:
                with transaction.atomic():
                    make()
            except ValidationError:
                continue
            self.counts[name] += 1

    def opt_outs(self):
        """Some programme families' parents opted out of the national evaluation (ONS) when they consented."""
        households = list(ProgrammeFamily.objects.order_by("pk").values_list("household_id", flat=True)[::4])
        marked = Consent.objects.filter(Q(household_id__in=households)).update(national_evaluation_opt_out=True)
        self.counts["consents opting out of the national evaluation"] = Consent.objects.filter(
            national_evaluation_opt_out=True).count()
        return marked


def build_programme(*, seed: int, today: datetime.date) -> dict:
    """Supporting Families work on some of the demo council's families; returns counts by kind."""
    return ProgrammeBuilder(seed=seed, today=today).build()


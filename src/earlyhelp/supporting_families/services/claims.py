"""Payment-by-results claims, in batches per period, each decided by a person (P13).

A family's episode can be claimed for when every condition holds, each checked and explained
(`check_conditions`): support has ended; the family is on the programme (not the National Impact Study's
comparison group); a lead practitioner was allocated; a whole-family assessment was approved; the plan covers
every identified need; support was delivered (plan actions done or under way, and at least one review held);
every identified need had a positive outcome at closure; each outcome held at least the council's sustainment
months after closure; and none of the needs has been claimed before (a need is claimed once, ever: the
database refuses a second `ClaimedNeed`).

The data team creates a batch for a period. Its rules, decided here:

- the period ends on or after it starts, and no later than today (an outcome cannot be sustained in the future);
- it may not overlap another batch's period, draft or submitted: each family's claim for a period is decided
  in one place, and the audit's periods never double up;
- the system proposes a claim for every closed episode of a programme family whose conditions all hold and
  whose last outcome was sustained by the end of the period, including families that qualified in an earlier
  period but were not yet claimed (a late claim is still a claim); an episode waiting for a decision in another
  batch, or already claimed, is left out; restricted families (UK GDPR Article 18) are left out;
- families that nearly qualify (at most `NEARLY` conditions unmet, or sustained only after the period ended)
  are listed with what they lack, for the data team; nothing is stored about them.

A person accepts or refuses each claim with a reason. Accepting checks the conditions again: if one no longer
holds the claim is not accepted, the message names the condition, and nothing is written. Submitting needs
every claim decided and draws the assurance sample with a recorded seed, so the internal audit can draw it
again (`draw_sample`) and get the same families.
"""

import datetime
import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted, restricted_household_ids
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import (
    ActionStatus,
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    PlanAction,
)
from earlyhelp.people.models import Membership
from earlyhelp.privacy.messages import ENTER_DECISION_REASON
from earlyhelp.programme.models import Need, NeedStatus, ProgrammeRules, ProgressOccasion

from ..models import BatchStatus, Claim, ClaimBatch, ClaimedNeed, ClaimStatus, ProgrammeFamily
from . import sustainment

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS
# A family missing at most this many conditions is listed as nearly qualifying.
NEARLY = 2

# Messages the services raise and the claims forms show.
ENTER_PERIOD_START = "Enter the start of the period"
ENTER_PERIOD_END = "Enter the end of the period"
PERIOD_END_BEFORE_START = "The end of the period must be the same as or after its start"
PERIOD_END_IN_FUTURE = "The end of the period must be today or in the past"
PERIOD_OVERLAPS = "This period overlaps the claims for {period}: choose a period that does not overlap it"
SAMPLE_FRACTION_RANGE = "The assurance sample must be between 1 and 100 per cent of accepted claims"
CHOOSE_DECISION = "Choose whether to claim for this family"
REASON_MAX_LENGTH = 2000
REASON_TOO_LONG = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
ALREADY_DECIDED = "This claim has already been decided"
BATCH_SUBMITTED = "These claims have been submitted: decisions can no longer change"
CONDITION_NO_LONGER_HOLDS = "This claim cannot be accepted: {label} no longer holds. {evidence}"
NEED_CLAIMED_MEANWHILE = "This claim cannot be accepted: one of its needs has just been claimed in another claim"
CLAIMS_WAITING = "{count} claims are waiting for a decision: decide each before submitting"
ONE_CLAIM_WAITING = "1 claim is waiting for a decision: decide it before submitting"

CONDITION_LABELS = {
    "closed": "Support has ended",
    "on_programme": "The family is on the programme",
    "lead_practitioner": "A lead practitioner was allocated",
    "assessment": "A whole-family assessment was approved",
    "plan": "The plan covers every identified need",
    "support": "Support was delivered",
    "outcomes": "A positive outcome on every identified need",
    "sustained": "Every outcome was sustained after closure",
    "not_claimed": "No need has been claimed before",
}


@dataclass(frozen=True)
class Condition:
    name: str
    met: bool
    evidence: str

    @property
    def label(self) -> str:
        return CONDITION_LABELS[self.name]

    def as_json(self) -> dict:
        return {"name": self.name, "label": self.label, "met": self.met, "evidence": self.evidence}


@dataclass(frozen=True)
class NearMiss:
    episode: Episode
    failing: tuple[Condition, ...]


def _date(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B} {day.year}" if day else "no date"


def period_of(batch) -> str:
    return f"{_date(batch.period_start)} to {_date(batch.period_end)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _require(user):
    if not policy.has_permission(user, policy.Permission.RUN_PROGRAMME):
        raise PermissionDenied("Only the Supporting Families data team may make claims")


def _audit(by, event, objects, *, household_id=None, action=Action.CHANGE, **metadata):
    audit.record(actor=by, action=action, event=event, purpose=PURPOSE, objects=objects, household_id=household_id,
                 metadata=metadata)


# --- Conditions ---------------------------------------------------------------------------------------------

def claimable_needs(episode):
    """The episode's identified needs: every need except those recorded in error."""
    return (Need.objects.filter(episode=episode).exclude(status=NeedStatus.WITHDRAWN)
            .select_related("descriptor__area", "person").prefetch_related("progress", "sustainment_checks"))


def _sustained_on(need, rules) -> datetime.date | None:
    """The first day the need's outcome was shown sustained (for the period a claim belongs to)."""
    if not sustainment.has_sustained_check(need):
        return None
    due = sustainment.due_on(need)
    return min(check.checked_on for check in need.sustainment_checks.all()
               if check.sustained and check.checked_on >= due)


def _closed(episode) -> Condition:
    if episode.status != EpisodeStatus.CLOSED:
        return Condition("closed", False, "The episode of support is still open")
    return Condition("closed", True,
                     f"Closed on {_date(episode.closed_on)} ({episode.get_closure_reason_display().lower()})")


def _on_programme(episode) -> Condition:
    family = ProgrammeFamily.objects.filter(household_id=episode.household_id).first()
    if family is None:
        return Condition("on_programme", False, "The family has not been accepted onto the programme")
    if family.comparison_group:
        return Condition("on_programme", False,
                         "The family is in the National Impact Study's comparison group: it was not offered support")
    return Condition("on_programme", True, f"Screened as eligible on {_date(family.screened_on)}")


def _lead_practitioner(episode) -> Condition:
    allocation = episode.allocations.select_related("practitioner").order_by("start_date", "pk").first()
    if allocation is None:
        return Condition("lead_practitioner", False, "No lead practitioner was ever allocated")
    return Condition("lead_practitioner", True,
                     f"{allocation.practitioner.get_full_name()}, allocated on {_date(allocation.start_date)}")


def _assessment(episode) -> Condition:
    approved = (episode.assessments.filter(status=AssessmentStatus.APPROVED).annotate(covered=Count("members"))
                .order_by("-approved_at").first())
    if approved is None:
        return Condition("assessment", False, "No assessment of this episode was approved")
    if not approved.covered:
        return Condition("assessment", False, "The approved assessment covers no family member")
    return Condition("assessment", True,
                     f"Started {_date(approved.started_on)}, completed {_date(approved.completed_on)}, approved "
                     f"{_date(timezone.localdate(approved.approved_at))}; "
                     f"covers {_plural(approved.covered, 'family member')}")


def _plan(episode, needs) -> Condition:
    if not needs:
        return Condition("plan", False, "No need was identified")
    covered = set(PlanAction.objects.filter(plan__episode=episode).values_list("area_id", flat=True))
    uncovered = sorted({need.descriptor.area.label for need in needs if need.descriptor.area_id not in covered})
    if uncovered:
        return Condition("plan", False, f"No plan action for: {', '.join(uncovered)}")
    return Condition("plan", True, f"Plan actions cover all {_plural(len(needs), 'identified need')}")


def _support(episode) -> Condition:
    actions = PlanAction.objects.filter(plan__episode=episode)
    delivered = actions.filter(status__in=[ActionStatus.DONE, ActionStatus.IN_PROGRESS]).count()
    held = list(episode.reviews.filter(held_on__isnull=False).order_by("held_on").values_list("held_on", flat=True))
    evidence = (f"{delivered} of {_plural(actions.count(), 'plan action')} done or in progress; "
                f"{_plural(len(held), 'review')} held" + (f" (last on {_date(held[-1])})" if held else ""))
    return Condition("support", bool(delivered and held), evidence)


def closure_score(need) -> int | None:
    scores = [p.score for p in need.progress.all() if p.occasion == ProgressOccasion.CLOSURE]
    return scores[-1] if scores else None


def _outcomes(needs, rules) -> Condition:
    if not needs:
        return Condition("outcomes", False, "No need was identified")
    failing = []
    for need in needs:
        score = closure_score(need)
        if need.status != NeedStatus.MET or score is None or score < rules.positive_score:
            failing.append(f"{need.descriptor.label} ("
                           + ("no score at closure" if score is None else f"{score} of 5 at closure") + ")")
    if failing:
        return Condition("outcomes", False,
                         f"Not met (positive from {rules.positive_score} of 5): {'; '.join(failing)}")
    scores = ", ".join(str(closure_score(need)) for need in needs)
    return Condition("outcomes", True, f"All {_plural(len(needs), 'need')} met at closure (scores {scores} of 5; "
                                       f"positive from {rules.positive_score})")


def _sustainment(episode, needs, rules) -> Condition:
    if not needs:
        return Condition("sustained", False, "No need was identified")
    if episode.closed_on is None:
        return Condition("sustained", False, "Support has not ended")
    due = sustainment.due_after_closure(episode, rules=rules)
    waiting = [need.descriptor.label for need in needs if not sustainment.has_sustained_check(need)]
    if waiting:
        return Condition("sustained", False, f"Not shown sustained on or after {_date(due)} "
                                             f"({rules.sustainment_months} months after closure): {'; '.join(waiting)}")
    checked = sorted({_sustained_on(need, rules) for need in needs})
    return Condition("sustained", True, f"Every outcome shown sustained {rules.sustainment_months} months or more "
                                        f"after closure (checked {', '.join(_date(day) for day in checked)})")


def _not_claimed(needs) -> Condition:
    claimed = list(ClaimedNeed.objects.filter(need__in=[need.pk for need in needs]).select_related(
        "need__descriptor", "claim__batch"))
    if claimed:
        return Condition("not_claimed", False, "Already claimed: " + "; ".join(
            f"{item.need.descriptor.label} (in the claims for {period_of(item.claim.batch)})" for item in claimed))
    return Condition("not_claimed", True, "None of the needs has been claimed before")


def check_conditions(episode) -> list[Condition]:
    """Every condition of a payment-by-results claim for this episode, whether it holds and what shows it."""
    rules = ProgrammeRules.current()
    needs = list(claimable_needs(episode))
    return [_closed(episode), _on_programme(episode), _lead_practitioner(episode), _assessment(episode),
            _plan(episode, needs), _support(episode), _outcomes(needs, rules), _sustainment(episode, needs, rules),
            _not_claimed(needs)]


def qualified_on(episode) -> datetime.date | None:
    """The day the last of the episode's outcomes was shown sustained: when a claim became possible."""
    rules = ProgrammeRules.current()
    days = [_sustained_on(need, rules) for need in claimable_needs(episode)]
    return None if not days or None in days else max(days)


# --- Batches --------------------------------------------------------------------------------------------------

def _candidates(period_end: datetime.date, *, leave_out_batch=None):
    """Closed episodes of programme families not yet claimed nor waiting for a decision elsewhere."""
    programme = ProgrammeFamily.objects.filter(comparison_group=False).values("household_id")
    claimed = ClaimedNeed.objects.values("need__episode_id")
    waiting = Claim.objects.filter(status=ClaimStatus.PROPOSED)
    if leave_out_batch is not None:
        waiting = waiting.exclude(batch=leave_out_batch)
    in_batch = Claim.objects.filter(batch=leave_out_batch).values("episode_id") if leave_out_batch else []
    return (Episode.objects.filter(status=EpisodeStatus.CLOSED, closed_on__lte=period_end,
                                   household_id__in=programme)
            .exclude(household_id__in=restricted_household_ids()).exclude(pk__in=claimed)
            .exclude(pk__in=waiting.values("episode_id")).exclude(pk__in=in_batch)
            .select_related("household").order_by("closed_on", "pk"))


def review_period(period_end: datetime.date, *, leave_out_batch=None):
    """(episodes that qualify by the end of the period with their conditions, families that nearly qualify)."""
    qualifying, nearly = [], []
    for episode in _candidates(period_end, leave_out_batch=leave_out_batch):
        conditions = check_conditions(episode)
        failing = tuple(c for c in conditions if not c.met)
        if failing:
            if len(failing) <= NEARLY:
                nearly.append(NearMiss(episode, failing))
            continue
        day = qualified_on(episode)
        if day is not None and day <= period_end:
            qualifying.append((episode, conditions))
        else:
            nearly.append(NearMiss(episode, (Condition(
                "sustained", False, f"Sustained only after the period ended (on {_date(day)}): claim it in the "
                                    f"next period"),)))
    return qualifying, nearly


def _fraction(value) -> Decimal | None:
    try:
        fraction = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return fraction if Decimal("0.01") <= fraction <= 1 and fraction == fraction.quantize(Decimal("0.001")) else None


@transaction.atomic
def create_batch(*, by, period_start: datetime.date | None, period_end: datetime.date | None,
                 sample_fraction=None) -> ClaimBatch:
    """A batch for a period, with a proposed claim for every family that qualifies by the period's end."""
    _require(by)
    errors = {}
    if period_start is None:
        errors["period_start"] = ENTER_PERIOD_START
    if period_end is None:
        errors["period_end"] = ENTER_PERIOD_END
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = PERIOD_END_BEFORE_START
    elif period_end > timezone.localdate():
        errors["period_end"] = PERIOD_END_IN_FUTURE
    fraction = _fraction(sample_fraction if sample_fraction is not None
                         else ClaimBatch._meta.get_field("sample_fraction").default)
    if fraction is None:
        errors["sample_fraction"] = SAMPLE_FRACTION_RANGE
    if not errors:
        overlapping = ClaimBatch.objects.filter(period_start__lte=period_end, period_end__gte=period_start).first()
        if overlapping is not None:
            errors["period_start"] = PERIOD_OVERLAPS.format(period=period_of(overlapping))
    if errors:
        raise ValidationError(errors)
    batch = ClaimBatch.objects.create(period_start=period_start, period_end=period_end, sample_fraction=fraction,
                                      created_by=by, created_at=timezone.now())
    qualifying, nearly = review_period(period_end, leave_out_batch=batch)
    for episode, conditions in qualifying:
        Claim.objects.create(batch=batch, household_id=episode.household_id, episode=episode,
                             conditions=[c.as_json() for c in conditions])
    _audit(by, "claim_batch.create", [batch], action=Action.CREATE, proposed=len(qualifying),
           nearly_qualifying=len(nearly))
    return batch


@transaction.atomic
def decide_claim(*, by, claim: Claim, accept: bool | None, reason: str) -> Claim:
    """A person's decision on a proposed claim, with a reason (P13). Accepting checks every condition again and
    records each need as claimed; if a condition no longer holds, nothing is written."""
    _require(by)
    claim = Claim.objects.select_for_update().select_related("batch", "episode").get(pk=claim.pk)
    if claim.batch.status != BatchStatus.DRAFT:
        raise ValidationError(BATCH_SUBMITTED)
    if claim.status != ClaimStatus.PROPOSED:
        raise ValidationError(ALREADY_DECIDED)
    ensure_not_restricted(household=claim.household_id)
    errors = {}
    if accept is None:
        errors["decision"] = CHOOSE_DECISION
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ENTER_DECISION_REASON
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = REASON_TOO_LONG
    if errors:
        raise ValidationError(errors)
    if accept:
        conditions = check_conditions(claim.episode)
        unmet = next((c for c in conditions if not c.met), None)
        if unmet is not None:
            raise ValidationError({NON_FIELD_ERRORS: CONDITION_NO_LONGER_HOLDS.format(
                label=unmet.label[:1].lower() + unmet.label[1:], evidence=unmet.evidence)})
        needs = list(claimable_needs(claim.episode))
        try:
            with transaction.atomic():
                ClaimedNeed.objects.bulk_create([ClaimedNeed(claim=claim, need=need) for need in needs])
        except IntegrityError:  # claimed by someone else since the check: the database keeps a need claimed once
            raise ValidationError({NON_FIELD_ERRORS: NEED_CLAIMED_MEANWHILE}) from None
        claim.conditions = [c.as_json() for c in conditions]
    claim.status = ClaimStatus.ACCEPTED if accept else ClaimStatus.REFUSED
    claim.reason, claim.decided_by, claim.decided_at = reason, by, timezone.now()
    claim.save(update_fields=["status", "reason", "decided_by", "decided_at", "conditions"])
    _audit(by, "claim.accept" if accept else "claim.refuse", [claim], household_id=claim.household_id,
           batch=claim.batch_id, needs_claimed=claim.claimed_needs.count())
    return claim


def sample_size(accepted: int, fraction) -> int:
    """The share of accepted claims the internal audit checks, rounded up, and at least one when there are any."""
    return 0 if accepted == 0 else min(accepted, max(1, math.ceil(Decimal(accepted) * Decimal(str(fraction)))))


def draw_sample(claim_ids, fraction, seed: int) -> list[int]:
    """The assurance sample: the same claims, ids and fraction and seed give the same families, every time."""
    ids = sorted(claim_ids)
    return sorted(random.Random(seed).sample(ids, sample_size(len(ids), fraction)))


@transaction.atomic
def submit_batch(*, by, batch: ClaimBatch) -> ClaimBatch:
    """Submit a batch whose claims are all decided, drawing the assurance sample with a recorded seed."""
    _require(by)
    batch = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise ValidationError(BATCH_SUBMITTED)
    waiting = batch.claims.filter(status=ClaimStatus.PROPOSED).count()
    if waiting:
        raise ValidationError(ONE_CLAIM_WAITING if waiting == 1 else CLAIMS_WAITING.format(count=waiting))
    seed = secrets.randbits(63)
    accepted = batch.claims.filter(status=ClaimStatus.ACCEPTED).values_list("pk", flat=True)
    sample = draw_sample(accepted, batch.sample_fraction, seed)
    batch.claims.filter(pk__in=sample).update(in_assurance_sample=True)
    batch.status, batch.sample_seed, batch.submitted_by, batch.submitted_at = (
        BatchStatus.SUBMITTED, seed, by, timezone.now())
    batch.save(update_fields=["status", "sample_seed", "submitted_by", "submitted_at"])
    _audit(by, "claim_batch.submit", [batch], accepted=len(accepted), sampled=len(sample))
    return batch


# --- Reading ------------------------------------------------------------------------------------------------

def family_names(household_ids) -> dict[int, str]:
    """Each family's name as the data team knows it: the current members' family names."""
    names: dict[int, set] = {}
    for household_id, name in (Membership.objects.filter(household_id__in=list(household_ids), end_date__isnull=True)
                               .values_list("household_id", "person__family_name")):
        names.setdefault(household_id, set()).add(name)
    return {household_id: " / ".join(sorted(found)) for household_id, found in names.items()}


def conditions_met(claim) -> tuple[int, int]:
    return sum(1 for c in claim.conditions if c["met"]), len(claim.conditions)


def evidence_bundle(claim) -> dict:
    """What the internal audit and the department's auditors see for one family's claim."""
    episode, rules = claim.episode, ProgrammeRules.current()
    needs = []
    for need in claimable_needs(episode):
        progress = list(need.progress.all())
        needs.append({
            "need": need, "progress": progress,
            "travelled": progress[-1].score - progress[0].score if len(progress) > 1 else None,
            "checks": list(need.sustainment_checks.select_related("checked_by").order_by("checked_on", "pk")),
            "sustainment_due": sustainment.due_after_closure(episode, rules=rules),
        })
    return {
        "claim": claim, "batch": claim.batch, "episode": episode, "household": claim.household,
        "family_name": family_names([claim.household_id]).get(claim.household_id, ""),
        "lead": episode.allocations.select_related("practitioner").order_by("start_date", "pk").first(),
        "assessments": list(episode.assessments.filter(status=AssessmentStatus.APPROVED)
                            .select_related("approved_by").annotate(covered=Count("members"))),
        "needs": needs, "rules": rules, "programme_family": ProgrammeFamily.objects.filter(
            household_id=claim.household_id).first(),
    }


def evidence_pdf(*, by, claim) -> bytes:
    """The evidence bundle as a PDF; the download is an audit event under the returns purpose."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only the PDF needs it

    _require(by)
    html = render_to_string("supporting_families/pdf/claim_evidence.html",
                            {**evidence_bundle(claim), "generated_at": timezone.now()})
    pdf = HTML(string=html).write_pdf()
    _audit(by, "claim.evidence_export", [claim], household_id=claim.household_id, action=Action.EXPORT)
    return pdf

"""Payment-by-results claims: every condition checked and explained, a person decides each claim with a reason
(P13), a need is claimed once, and the assurance sample can be drawn again from its recorded seed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import ActionStatus, Allocation, ClosureReason, Episode
from earlyhelp.programme.models import HeadlineArea, Need, NeedStatus, ProgrammeRules, ProgressOccasion
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.programme.services.framework import first_descriptor
from earlyhelp.records.calendar import add_months
from earlyhelp.supporting_families.models import (
    BatchStatus,
    Claim,
    ClaimBatch,
    ClaimedNeed,
    ClaimStatus,
    ProgrammeFamily,
    SustainmentCheck,
    SustainmentMethod,
)
from earlyhelp.supporting_families.services import claims, sustainment
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db]

TODAY = timezone.localdate()
AREAS = ("EDUCATION", "HEALTH", "HOUSING")


def build_claimable_family(world, *, seed=1, closed_on=None, sustained_after=None, areas=AREAS, on_programme=True,
                           comparison_group=False, review=True, delivered=True, plan_areas=None, scores=None,
                           approve=True, lead=True, close=True, sustain=True):
    """A family whose episode can be claimed for, built through the casework services; each keyword takes one
    condition away. The episode's dates are then moved back so its outcomes can have been sustained by today."""
    family = make_family(world, lead=world.lead, seed=seed, family_name=f"Claimfamily{name_suffix(seed)}")
    household, episode = family["household"], family["episode"]
    by, manager = world.lead, world.manager
    assessment = casework.start_assessment(by=by, episode=episode, reason="Attendance and housing")
    casework.record_assessment(by=by, assessment=assessment, voice_of_child="I want to go to school",
                               analysis="Three needs", findings={code: {"needs": f"Concern about {code.lower()}",
                                                                        "score": 2} for code in areas})
    casework.submit_assessment(by=by, assessment=assessment)
    if approve:
        casework.decide_assessment(by=manager, assessment=assessment, approve=True)
    needs = [programme_needs.record_need(by=by, household_id=household.pk, episode_id=episode.pk, person=None,
                                         descriptor_id=first_descriptor(HeadlineArea.objects.get(code=code)).pk,
                                         evidence=f"Evidence of {code.lower()}")
             for code in areas]
    for code in (areas if plan_areas is None else plan_areas):
        item = casework.add_plan_action(by=by, episode=episode, area_code=code, need=f"Need in {code}",
                                        action="Weekly support", owner=world.lead, intended_outcome="Better",
                                        due_date=TODAY)
        if delivered:
            casework.update_action_progress(by=by, item=item, status=ActionStatus.DONE, progress_note="Done")
    if review:
        casework.record_review(by=by, review=episode.reviews.get(held_on__isnull=True), held_on=TODAY,
                               summary="Good progress", progress={n.pk: (3, "Getting better") for n in needs})
    scores = scores or {}
    casework.request_closure(by=by, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Outcomes met",
                             feedback_declined=True, open_actions_reason="Support ended before every action was done",
                             progress={n.pk: (scores.get(i, 5), "Much better") for i, n in enumerate(needs)})
    if not lead:  # the allocation recorded in error and removed: no lead practitioner was ever allocated
        Allocation.objects.filter(episode=episode).delete()
    closed_on = closed_on or add_months(TODAY, -7)
    if on_programme:
        ProgrammeFamily.objects.create(household=household, screened_on=closed_on - datetime.timedelta(days=80),
                                       criteria_met=list(areas), comparison_group=comparison_group,
                                       decided_by=world.data_team, decided_at=timezone.now())
    family["needs"] = needs
    if not close:  # closure asked for, not yet approved
        return family
    casework.decide_closure(by=manager, episode=episode, approve=True)
    Episode.objects.filter(pk=episode.pk).update(opened_on=closed_on - datetime.timedelta(days=90),
                                                 closed_on=closed_on)
    episode.refresh_from_db()
    if sustain:
        checked_on = sustained_after(closed_on) if sustained_after else add_months(closed_on, 6)
        for need in needs:
            sustain_need(world, need, checked_on)
    family["episode"] = episode
    return family


def sustain_need(world, need, checked_on, *, sustained=True):
    return SustainmentCheck.objects.create(need=need, due_on=checked_on, checked_on=checked_on,
                                           method=SustainmentMethod.RECORDED_CHECK, sustained=sustained,
                                           evidence="Attendance 96% this term", checked_by=world.data_team)


def new_batch(world, *, start=None, end=None, fraction=None):
    return claims.create_batch(by=world.data_team, period_start=start or add_months(TODAY, -3), period_end=end or TODAY,
                               sample_fraction=fraction)


def unmet(conditions):
    return {c.name for c in conditions if not c.met}


# --- Conditions -----------------------------------------------------------------------------------------------

def test_a_family_meeting_every_condition_is_explained_condition_by_condition(world):
    family = build_claimable_family(world)
    conditions = claims.check_conditions(family["episode"])
    assert [c.name for c in conditions] == list(claims.CONDITION_LABELS)
    assert unmet(conditions) == set()
    evidence = {c.name: c.evidence for c in conditions}
    assert "Lead Tester" in evidence["lead_practitioner"]
    assert "covers 4 family members" in evidence["assessment"]
    assert "all 3 identified needs" in evidence["plan"]
    assert "3 of 3 plan actions done or in progress; 1 review held" in evidence["support"]
    assert "scores 5, 5, 5" in evidence["outcomes"]


FAILING_ALONE = {
    # condition -> how the family is built without it (and how it is explained)
    "closed": ({"close": False}, "still open"),
    "on_programme": ({"on_programme": False}, "not been accepted onto the programme"),
    "lead_practitioner": ({"lead": False}, "No lead practitioner"),
    "assessment": ({"approve": False}, "No assessment of this episode was approved"),
    "plan": ({"plan_areas": ("EDUCATION", "HEALTH")}, "No plan action for: Secure housing"),
    "support": ({"delivered": False}, "0 of 3 plan actions"),
    "outcomes": ({"scores": {1: 3}}, "3 of 5 at closure"),
    "sustained": ({"sustained_after": lambda closed: add_months(closed, 6) - datetime.timedelta(days=1)},
                  "Not shown sustained"),
}


@pytest.mark.promise("P13")
@pytest.mark.parametrize("condition", [*FAILING_ALONE, "comparison_group", "no_review", "already_claimed"])
def test_each_condition_failing_alone_refuses_the_claim_naming_it(world, condition):
    if condition in FAILING_ALONE:
        family = build_claimable_family(world, **FAILING_ALONE[condition][0])
        expected, words = condition, FAILING_ALONE[condition][1]
    elif condition == "comparison_group":
        family = build_claimable_family(world, comparison_group=True)
        expected, words = "on_programme", "comparison group"
    elif condition == "no_review":
        family = build_claimable_family(world, review=False)
        expected, words = "support", "0 reviews held"
    else:
        family = build_claimable_family(world)
        earlier = ClaimBatch.objects.create(period_start=add_months(TODAY, -12), period_end=add_months(TODAY, -9),
                                            created_by=world.data_team, created_at=timezone.now())
        claim = Claim.objects.create(batch=earlier, household=family["household"], episode=family["episode"],
                                     conditions=[])
        ClaimedNeed.objects.create(claim=claim, need=family["needs"][0])
        expected, words = "not_claimed", "Already claimed"
    conditions = claims.check_conditions(family["episode"])
    # Support that has not ended cannot have been sustained after it ended either.
    assert unmet(conditions) == ({"closed", "sustained"} if expected == "closed" else {expected})
    assert words in next(c for c in conditions if c.name == expected).evidence

    # The claim is not proposed; it would be listed as nearly qualifying, with the condition it lacks.
    batch = new_batch(world, start=add_months(TODAY, -2))
    assert not batch.claims.exists()
    _, nearly = claims.review_period(batch.period_end, leave_out_batch=batch)
    if condition not in {"closed", "on_programme", "comparison_group", "already_claimed"}:
        assert [[c.name for c in miss.failing] for miss in nearly] == [[expected]]

    # And a proposal made by hand cannot be accepted: the message names the condition and nothing is written.
    claim = Claim.objects.create(batch=batch, household=family["household"], episode=family["episode"],
                                 conditions=[])
    with pytest.raises(ValidationError) as refused:
        claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    label = claims.CONDITION_LABELS[expected]
    assert f"{label[:1].lower()}{label[1:]} no longer holds" in refused.value.messages[0]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and claim.decided_by is None
    assert ClaimedNeed.objects.filter(claim=claim).count() == 0


def test_a_withdrawn_need_does_not_count(world):
    family = build_claimable_family(world, plan_areas=("EDUCATION", "HEALTH"), scores={2: 2})
    housing = family["needs"][2]
    assert unmet(claims.check_conditions(family["episode"])) == {"plan", "outcomes"}
    Need.objects.filter(pk=housing.pk).update(status=NeedStatus.WITHDRAWN, withdrawn_reason="Recorded in error")
    assert unmet(claims.check_conditions(family["episode"])) == set()


@pytest.mark.parametrize("after, sustained", [
    (lambda closed: add_months(closed, 5) + datetime.timedelta(days=29), False),
    (lambda closed: add_months(closed, 6), True),
])
def test_sustained_from_exactly_six_months_after_closure(world, after, sustained):
    # Closed on 15 January: 5 months 29 days later is 14 July, six months is 15 July.
    closed_on = datetime.date(TODAY.year - 1, 1, 15)
    family = build_claimable_family(world, closed_on=closed_on, sustained_after=after)
    checked_on = family["needs"][0].sustainment_checks.get().checked_on
    assert checked_on == datetime.date(TODAY.year - 1, 7, 15 if sustained else 14)
    assert all(sustainment.has_sustained_check(need) is sustained for need in family["needs"])
    assert ("sustained" not in unmet(claims.check_conditions(family["episode"]))) is sustained


def test_a_check_that_found_the_outcome_did_not_hold_is_not_sustainment(world):
    family = build_claimable_family(world, sustain=False)
    for need in family["needs"]:
        sustain_need(world, need, add_months(family["episode"].closed_on, 6), sustained=False)
    assert unmet(claims.check_conditions(family["episode"])) == {"sustained"}


# --- Batches ------------------------------------------------------------------------------------------------

def test_a_batch_proposes_the_families_that_qualify_and_lists_those_nearly_there(world):
    ready = build_claimable_family(world, seed=1)
    nearly = build_claimable_family(world, seed=2, review=False)
    build_claimable_family(world, seed=3, on_programme=False)
    batch = new_batch(world)
    assert [claim.household_id for claim in batch.claims.all()] == [ready["household"].pk]
    claim = batch.claims.get()
    assert claim.status == ClaimStatus.PROPOSED and all(c["met"] for c in claim.conditions)
    _, near = claims.review_period(batch.period_end, leave_out_batch=batch)
    assert [(miss.episode.household_id, [c.name for c in miss.failing]) for miss in near] == [
        (nearly["household"].pk, ["support"])]
    assert AuditEvent.objects.filter(event="claim_batch.create", metadata__proposed=1).exists()


def test_a_family_sustained_only_after_the_period_ended_waits_for_the_next_period(world):
    closed_on = add_months(TODAY, -8)
    build_claimable_family(world, closed_on=closed_on)  # sustained 6 months after closure: two months ago
    early = claims.create_batch(by=world.data_team, period_start=add_months(TODAY, -4),
                                period_end=add_months(TODAY, -3))
    assert not early.claims.exists()
    _, near = claims.review_period(early.period_end, leave_out_batch=early)
    assert "after the period ended" in near[0].failing[0].evidence
    later = claims.create_batch(by=world.data_team, period_start=add_months(TODAY, -3) + datetime.timedelta(days=1),
                                period_end=TODAY)
    assert later.claims.count() == 1


@pytest.mark.parametrize("start, end, field, message", [
    (TODAY, TODAY - datetime.timedelta(days=1), "period_end", claims.PERIOD_END_BEFORE_START),
    (TODAY, TODAY + datetime.timedelta(days=1), "period_end", claims.PERIOD_END_IN_FUTURE),
    (None, TODAY, "period_start", claims.ENTER_PERIOD_START),
    (TODAY, None, "period_end", claims.ENTER_PERIOD_END),
])
def test_a_period_that_makes_no_sense_is_refused_and_nothing_is_written(world, start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        claims.create_batch(by=world.data_team, period_start=start, period_end=end)
    assert refused.value.message_dict == {field: [message]}
    assert not ClaimBatch.objects.exists()


@pytest.mark.parametrize("submitted", [False, True])
def test_a_period_overlapping_another_batch_is_refused(world, submitted):
    first = new_batch(world, start=datetime.date(TODAY.year - 1, 4, 1), end=datetime.date(TODAY.year - 1, 6, 30))
    if submitted:
        claims.submit_batch(by=world.data_team, batch=first)
    with pytest.raises(ValidationError) as refused:
        new_batch(world, start=datetime.date(TODAY.year - 1, 6, 30), end=datetime.date(TODAY.year - 1, 9, 30))
    assert "overlaps the claims for 1 April" in refused.value.message_dict["period_start"][0]
    assert ClaimBatch.objects.count() == 1
    new_batch(world, start=datetime.date(TODAY.year - 1, 7, 1), end=datetime.date(TODAY.year - 1, 9, 30))


def test_a_sample_fraction_outside_one_to_a_hundred_percent_is_refused(world):
    for fraction in ("0", "1.5", "-0.1", "abc"):
        with pytest.raises(ValidationError) as refused:
            new_batch(world, fraction=fraction)
        assert refused.value.message_dict == {"sample_fraction": [claims.SAMPLE_FRACTION_RANGE]}
    assert not ClaimBatch.objects.exists()


def test_only_the_data_team_makes_claims(world):
    for who in ("lead", "manager", "dpo", "partner"):
        with pytest.raises(PermissionDenied):
            claims.create_batch(by=world.users[who], period_start=TODAY, period_end=TODAY)
    assert not ClaimBatch.objects.exists()


# --- Decisions ----------------------------------------------------------------------------------------------

@pytest.mark.promise("P13")
def test_accepting_claims_each_need_once_with_the_person_and_reason(world):
    family = build_claimable_family(world)
    claim = new_batch(world).claims.get()
    claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked against the guidance")
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.reason) == (
        ClaimStatus.ACCEPTED, world.data_team, "Evidence checked against the guidance")
    assert sorted(claim.claimed_needs.values_list("need_id", flat=True)) == sorted(n.pk for n in family["needs"])
    assert AuditEvent.objects.filter(event="claim.accept", household_id=family["household"].pk).exists()
    with pytest.raises(ValidationError, match=claims.ALREADY_DECIDED):
        claims.decide_claim(by=world.data_team, claim=claim, accept=False, reason="Changed my mind")


@pytest.mark.promise("P13")
@pytest.mark.parametrize("accept", [True, False])
def test_a_decision_needs_a_reason(world, accept):
    build_claimable_family(world)
    claim = new_batch(world).claims.get()
    with pytest.raises(ValidationError) as refused:
        claims.decide_claim(by=world.data_team, claim=claim, accept=accept, reason="   ")
    assert refused.value.message_dict == {"reason": [claims.ENTER_DECISION_REASON]}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and not ClaimedNeed.objects.exists()


@pytest.mark.promise("P13")
def test_the_database_refuses_a_decision_without_a_reason(world):
    build_claimable_family(world)
    claim = new_batch(world).claims.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.REFUSED, decided_by=world.data_team,
                                                  decided_at=timezone.now(), reason="")


def test_a_refused_claim_claims_nothing_and_the_family_can_be_proposed_again(world):
    build_claimable_family(world)
    first = new_batch(world, start=add_months(TODAY, -3), end=add_months(TODAY, -1))
    claims.decide_claim(by=world.data_team, claim=first.claims.get(), accept=False, reason="Evidence incomplete")
    assert not ClaimedNeed.objects.exists()
    claims.submit_batch(by=world.data_team, batch=first)
    second = new_batch(world, start=add_months(TODAY, -1) + datetime.timedelta(days=1), end=TODAY)
    assert second.claims.count() == 1


def test_a_need_claimed_in_an_earlier_batch_cannot_be_claimed_again(world):
    family = build_claimable_family(world)
    first = new_batch(world, start=add_months(TODAY, -3), end=add_months(TODAY, -1))
    claims.decide_claim(by=world.data_team, claim=first.claims.get(), accept=True, reason="Evidence checked")
    claims.submit_batch(by=world.data_team, batch=first)

    # Not proposed again in the next period ...
    second = new_batch(world, start=add_months(TODAY, -1) + datetime.timedelta(days=1), end=TODAY)
    assert not second.claims.exists()
    # ... a claim made by hand is refused, naming the condition ...
    again = Claim.objects.create(batch=second, household=family["household"], episode=family["episode"],
                                 conditions=[])
    with pytest.raises(ValidationError, match="no need has been claimed before no longer holds"):
        claims.decide_claim(by=world.data_team, claim=again, accept=True, reason="Evidence checked")
    assert ClaimedNeed.objects.count() == 3
    # ... and the database refuses a second claim on the same need.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimedNeed.objects.create(claim=again, need=family["needs"][0])


def test_a_claimed_need_cannot_be_marked_as_recorded_in_error(world):
    family = build_claimable_family(world)
    claim = new_batch(world).claims.get()
    claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    with pytest.raises(ValidationError):
        programme_needs.withdraw_need(by=world.lead, need_id=family["needs"][0].pk, reason="Mistake")


def test_a_submitted_batch_cannot_change(world):
    build_claimable_family(world)
    batch = new_batch(world)
    claim = batch.claims.get()
    claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    claims.submit_batch(by=world.data_team, batch=batch)
    with pytest.raises(ValidationError, match=claims.BATCH_SUBMITTED):
        claims.submit_batch(by=world.data_team, batch=batch)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PROPOSED, decided_by=None, decided_at=None, reason="")
    with pytest.raises(ValidationError, match=claims.BATCH_SUBMITTED):
        claims.decide_claim(by=world.data_team, claim=claim, accept=False, reason="Too late")


# --- Submission and the assurance sample ---------------------------------------------------------------------

def test_submitting_needs_every_claim_decided(world):
    build_claimable_family(world, seed=1)
    build_claimable_family(world, seed=2)
    batch = new_batch(world)
    first, second = batch.claims.all()
    with pytest.raises(ValidationError, match="2 claims are waiting for a decision"):
        claims.submit_batch(by=world.data_team, batch=batch)
    claims.decide_claim(by=world.data_team, claim=first, accept=True, reason="Evidence checked")
    with pytest.raises(ValidationError, match="1 claim is waiting for a decision"):
        claims.submit_batch(by=world.data_team, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and batch.sample_seed is None


@pytest.mark.parametrize("accepted, fraction, expected", [(0, "0.1", 0), (1, "0.1", 1), (9, "0.1", 1),
                                                         (11, "0.1", 2), (20, "0.1", 2), (3, "1", 3)])
def test_the_sample_is_a_share_of_accepted_claims_and_at_least_one(accepted, fraction, expected):
    assert claims.sample_size(accepted, fraction) == expected


def test_the_assurance_sample_is_drawn_again_from_its_recorded_seed(world):
    families = [build_claimable_family(world, seed=seed) for seed in range(1, 5)]
    batch = new_batch(world, fraction="0.5")
    assert batch.claims.count() == len(families)
    for claim in batch.claims.all():
        claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    claims.submit_batch(by=world.data_team, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED and batch.submitted_by == world.data_team
    assert 0 <= batch.sample_seed < 2**63
    sampled = list(batch.claims.filter(in_assurance_sample=True).values_list("household_id", flat=True))
    assert len(sampled) == 2

    # The internal audit draws again with the recorded seed and gets the same families.
    accepted = batch.claims.filter(status=ClaimStatus.ACCEPTED).values_list("pk", flat=True)
    redrawn = claims.draw_sample(accepted, batch.sample_fraction, batch.sample_seed)
    assert sorted(Claim.objects.filter(pk__in=redrawn).values_list("household_id", flat=True)) == sorted(sampled)
    # A different seed is a different draw for some seed: the draw follows the seed, not the order of the claims.
    draws = {tuple(claims.draw_sample(accepted, batch.sample_fraction, seed)) for seed in range(20)}
    assert len(draws) > 1


def test_a_refused_claim_is_never_in_the_sample(world):
    build_claimable_family(world, seed=1)
    build_claimable_family(world, seed=2)
    batch = new_batch(world, fraction="1")
    first, second = batch.claims.all()
    claims.decide_claim(by=world.data_team, claim=first, accept=True, reason="Evidence checked")
    claims.decide_claim(by=world.data_team, claim=second, accept=False, reason="Evidence incomplete")
    claims.submit_batch(by=world.data_team, batch=batch)
    assert list(batch.claims.filter(in_assurance_sample=True)) == [first]


def test_rules_follow_the_councils_settings(world):
    rules = ProgrammeRules.current()
    rules.sustainment_months = 3
    rules.save()
    family = build_claimable_family(world, sustained_after=lambda closed: add_months(closed, 3))
    assert unmet(claims.check_conditions(family["episode"])) == set()

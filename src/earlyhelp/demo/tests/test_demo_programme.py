"""Supporting Families in the demo council: every state the programme's pages show is present, even in a
small council, and the programme's rules hold for every row the demo makes.

One small council (40 families) is built for this module inside a transaction rolled back at the end.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.audit.services import verify_chain
from earlyhelp.casework.models import EpisodeStatus
from earlyhelp.demo import generator
from earlyhelp.organisations.models import Role
from earlyhelp.privacy.models import Consent, Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.programme.models import Need, NeedProgress, NeedStatus, ProgrammeRules, ProgressOccasion
from earlyhelp.records.calendar import add_months
from earlyhelp.records.provenance import SourceKind
from earlyhelp.reporting.models import ResearchProject
from earlyhelp.supporting_families.models import (
    Claim,
    ClaimedNeed,
    ClaimStatus,
    ProgrammeFamily,
    SustainmentCheck,
)
from earlyhelp.supporting_families.services import sustainment
from earlyhelp.supporting_families.services.shortlist import screen

FAMILIES = 40
SEED = 4242
TODAY = timezone.localdate()


@pytest.fixture(scope="module")
def council(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield generator.generate_council(families=FAMILIES, seed=SEED, today=TODAY)
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def sustainment_due(need):
    return sustainment.due_on(need)


def test_needs_from_every_source_per_member_and_whole_family(council):
    needs = Need.objects.all()
    assert {SourceKind.PRACTITIONER, SourceKind.PARTNER, SourceKind.DATA_MATCH} <= set(
        needs.values_list("source_kind", flat=True))
    assert needs.filter(person__isnull=True).exists() and needs.filter(person__isnull=False).exists()
    from_assessment = needs.filter(suggestion__kind=SuggestionKind.NEED)
    assert from_assessment.exists()
    for need in from_assessment.select_related("suggestion", "episode"):
        assert need.suggestion.status == SuggestionStatus.ACCEPTED and need.suggestion.reason
        assert need.suggestion.decided_by_id == need.episode.lead_practitioner_id == need.identified_by_id
    from_data = needs.filter(suggestion__kind=SuggestionKind.MATCHED_NEED).select_related("suggestion__decided_by")
    assert from_data.exists()
    assert all(n.suggestion.decided_by.role == Role.DATA_TEAM and n.suggestion.reason for n in from_data)
    assert needs.filter(source_kind=SourceKind.PARTNER, source_organisation__isnull=False).exists()
    assert not needs.filter(source_kind=SourceKind.PARTNER, source_organisation__isnull=True).exists()
    assert set(needs.values_list("status", flat=True)) >= {NeedStatus.OPEN, NeedStatus.MET, NeedStatus.NOT_MET}
    assert not needs.filter(household__is_restricted=True).exists()


def test_suggestions_waiting_accepted_and_rejected(council):
    needs = Suggestion.objects.filter(kind=SuggestionKind.NEED)
    assert set(needs.values_list("status", flat=True)) == set(SuggestionStatus.values)
    assert Suggestion.objects.filter(kind=SuggestionKind.MATCHED_NEED, status=SuggestionStatus.PENDING).exists()
    eligibility = Suggestion.objects.filter(kind=SuggestionKind.ELIGIBILITY)
    assert set(eligibility.values_list("status", flat=True)) == set(SuggestionStatus.values)
    for suggestion in Suggestion.objects.exclude(status=SuggestionStatus.PENDING).filter(
            kind__in=[SuggestionKind.NEED, SuggestionKind.MATCHED_NEED, SuggestionKind.ELIGIBILITY]):
        assert suggestion.decided_by_id and suggestion.decided_at and suggestion.reason
    for suggestion in needs.filter(status=SuggestionStatus.REJECTED):
        assert not Need.objects.filter(suggestion=suggestion).exists()


def test_progress_at_baseline_reviews_and_closure_makes_a_distance_travelled(council):
    assert set(NeedProgress.objects.values_list("occasion", flat=True)) == set(ProgressOccasion.values)
    longest = max(Need.objects.all(), key=lambda n: n.progress.count())
    assert longest.progress.count() >= 4
    for progress in NeedProgress.objects.select_related("need", "review"):
        assert 1 <= progress.score <= 5 and progress.evidence
        assert progress.recorded_on >= progress.need.identified_on
        if progress.occasion == ProgressOccasion.REVIEW:
            assert progress.review.episode_id == progress.need.episode_id
            assert progress.review.held_on == progress.recorded_on


def test_met_and_not_met_needs_belong_to_closed_episodes_with_a_closing_score(council):
    positive = ProgrammeRules.current().positive_score
    decided = Need.objects.filter(status__in=[NeedStatus.MET, NeedStatus.NOT_MET]).select_related("episode")
    assert decided.exists()
    for need in decided:
        assert need.episode.status == EpisodeStatus.CLOSED
        closing = need.progress.get(occasion=ProgressOccasion.CLOSURE)
        assert closing.recorded_on == need.episode.closed_on
        assert (closing.score >= positive) == (need.status == NeedStatus.MET)
    assert not Need.objects.filter(status=NeedStatus.OPEN, episode__status=EpisodeStatus.CLOSED).exists()


def test_programme_families_support_comparison_group_refused_and_waiting(council):
    families = ProgrammeFamily.objects.select_related("suggestion")
    assert families.filter(comparison_group=False).exists() and families.filter(comparison_group=True).exists()
    eligible = {s.household_id for s in screen(today=TODAY) if s.meets_rule}
    for family in families:
        assert family.suggestion.status == SuggestionStatus.ACCEPTED
        assert family.suggestion.decided_by.role == Role.DATA_TEAM
        assert family.household_id in eligible and family.screened_on <= TODAY
        assert set(family.criteria_met) <= set(Need.objects.filter(household_id=family.household_id)
                                                .values_list("descriptor__area__code", flat=True))
    refused = Suggestion.objects.filter(kind=SuggestionKind.ELIGIBILITY, status=SuggestionStatus.REJECTED)
    assert not ProgrammeFamily.objects.filter(household__in=refused.values("household")).exists()


def test_sustainment_checks_held_not_held_due_soon_and_overdue(council):
    checks = SustainmentCheck.objects.select_related("need__episode")
    assert checks.filter(sustained=True).exists() and checks.filter(sustained=False).exists()
    for check in checks:
        assert check.need.status == NeedStatus.MET
        assert check.due_on == sustainment_due(check.need)
        assert check.due_on <= check.checked_on <= TODAY and check.evidence
    unchecked = [n for n in Need.objects.filter(status=NeedStatus.MET, sustainment_checks__isnull=True)
                 .select_related("episode")]
    reminder = datetime.timedelta(days=ProgrammeRules.current().sustainment_reminder_days)
    assert any(TODAY < sustainment_due(n) <= TODAY + reminder for n in unchecked), "none due soon"
    assert any(sustainment_due(n) < TODAY for n in unchecked), "none overdue"


def test_claims_accepted_refused_and_proposed_and_a_need_is_claimed_only_by_an_accepted_claim(council):
    assert set(Claim.objects.values_list("status", flat=True)) == set(ClaimStatus.values)
    for claim in Claim.objects.all():
        if claim.status == ClaimStatus.PROPOSED:
            assert claim.decided_by_id is None and claim.decided_at is None and claim.reason == ""
        else:
            assert claim.decided_by_id and claim.decided_at and claim.reason
        assert claim.episode.status == EpisodeStatus.CLOSED and claim.episode.household_id == claim.household_id
        assert claim.conditions and all(set(c) == {"name", "label", "met", "evidence"} and c["met"]
                                        for c in claim.conditions)
        assert ProgrammeFamily.objects.filter(household_id=claim.household_id, comparison_group=False).exists()
    claimed = ClaimedNeed.objects.select_related("claim", "need")
    assert claimed.exists()
    for row in claimed:
        assert row.claim.status == ClaimStatus.ACCEPTED
        assert row.need.episode_id == row.claim.episode_id and row.need.status == NeedStatus.MET
        assert row.need.sustainment_checks.filter(sustained=True).exists()
        assert not row.need.sustainment_checks.filter(sustained=False).exists()


def test_research_projects_active_and_ended_and_national_evaluation_opt_outs(council):
    active = ResearchProject.objects.filter(key_destroyed_at__isnull=True, ends_on__gte=TODAY)
    ended = ResearchProject.objects.filter(key_destroyed_at__isnull=False)  # ended early by the data team
    assert active.count() >= 1 and ended.count() >= 1
    assert Consent.objects.filter(national_evaluation_opt_out=True).exists()
    assert Consent.objects.filter(national_evaluation_opt_out=True,
                                  household__programme__isnull=False).exists()


def test_every_need_and_decision_is_audited_and_the_chain_verifies(council):
    assert AuditEvent.objects.filter(event="need.record").count() == Need.objects.count()
    assert AuditEvent.objects.filter(event="need.progress").count() == NeedProgress.objects.count()
    decided = Suggestion.objects.exclude(status=SuggestionStatus.PENDING).filter(
        kind__in=[SuggestionKind.NEED, SuggestionKind.MATCHED_NEED, SuggestionKind.ELIGIBILITY]).count()
    assert AuditEvent.objects.filter(event__in=["suggestion.accepted", "suggestion.rejected"],
                                     metadata__kind__in=[SuggestionKind.NEED, SuggestionKind.MATCHED_NEED,
                                                         SuggestionKind.ELIGIBILITY]).count() == decided
    assert verify_chain()[1] is None


def test_the_counts_name_the_programme(council):
    assert council.counts["programme.claims accepted"] >= 1
    assert council.counts["programme.shortlist pending"] >= 1


def test_the_data_team_finds_every_programme_and_returns_page_with_something_to_show(council, client):
    from django.urls import reverse

    from earlyhelp.organisations.models import User
    from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind
    from earlyhelp.reporting.models import PublishedReturn
    from earlyhelp.supporting_families.models import ClaimBatch

    client.force_login(User.objects.get(role=Role.DATA_TEAM, username="data"))
    on_programme = ProgrammeFamily.objects.select_related("household").first()
    waiting = Suggestion.objects.filter(kind=SuggestionKind.ELIGIBILITY, status=SuggestionStatus.PENDING).first()
    transfer = DatasetDisclosure.objects.filter(kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY).first()
    extract = DatasetDisclosure.objects.filter(kind=DatasetDisclosureKind.RESEARCH_EXTRACT).first()
    assert on_programme and waiting and transfer and extract and PublishedReturn.objects.count() >= 1
    batch = ClaimBatch.objects.first()
    expected = {
        "programme:home": "Supporting Families",
        "programme:families": on_programme.household.reference,
        "programme:shortlist": waiting.household.reference,
        "programme:sustainment": "Overdue",
        "programme:claim-batches": f"{batch.period_start.day}",
        "programme:framework": "2022",
        "reporting:returns": PublishedReturn.objects.first().get_kind_display(),
        "reporting:nis-transfers": f"{transfer.row_count}",
        "reporting:research-projects": "What helps families stay on track after support ends",
        "reporting:performance": "Assessment",
    }
    for name, text in expected.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert text in response.content.decode(), name

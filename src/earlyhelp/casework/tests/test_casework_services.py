import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import selectors, services
from earlyhelp.casework.lists import rows
from earlyhelp.casework.models import (
    AssessmentStatus,
    Channel,
    ClosureReason,
    Contact,
    ContactSource,
    ContactStatus,
    DomainFinding,
    Episode,
    EpisodeStatus,
    Review,
    TafMember,
    TransitionKind,
)
from earlyhelp.people.models import MarkerKind
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead, taf=[world.partner])


def _assessed(world, family, findings=None):
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="School concerns")
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="Analysis",
                               findings=findings or {"EDUCATION": {"strengths": "Bright", "needs": "Attendance",
                                                                   "score": 2}})
    return assessment


@pytest.mark.promise("P22")
@pytest.mark.parametrize("channel", Channel.values)
def test_contacts_are_recorded_from_every_channel(world, channel):
    family = make_family(world, with_episode=False)
    contact = services.record_contact(by=world.front_door, household=family["household"],
                                      subject=family["members"][2], team=world.north, channel=channel,
                                      source=ContactSource.SELF, reason="Asked for help", consent_at_referral="given")
    assert Contact.objects.get(pk=contact.pk).channel == channel


def test_contact_without_a_reason_is_refused(world):
    family = make_family(world, with_episode=False)
    with pytest.raises(ValidationError, match="reason"):
        services.record_contact(by=world.front_door, household=family["household"], subject=family["members"][0],
                                team=world.north, channel=Channel.EMAIL, source=ContactSource.SCHOOL, reason="  ",
                                consent_at_referral="given")
    assert not Contact.objects.exists()


def test_only_the_receiving_teams_manager_decides_a_contact(world):
    family = make_family(world, with_episode=False)
    contact = services.record_contact(by=world.front_door, household=family["household"],
                                      subject=family["members"][2], team=world.north, channel=Channel.PHONE,
                                      source=ContactSource.POLICE, reason="Incident", consent_at_referral="not_asked")
    for user in (world.other_manager, world.lead, world.front_door):
        with pytest.raises(PermissionDenied):
            services.decide_contact(by=user, contact=contact, decision=ContactStatus.NO_FURTHER_ACTION, reason="x")
    with pytest.raises(ValidationError, match="reason"):
        services.decide_contact(by=world.manager, contact=contact, decision=ContactStatus.SIGNPOSTED)
    services.decide_contact(by=world.manager, contact=contact, decision=ContactStatus.SIGNPOSTED,
                            reason="Universal services")
    assert not Episode.objects.exists()


def test_one_open_episode_per_family_is_enforced_by_the_database(world, family):
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(household=family["household"], team=world.north, opened_on=timezone.localdate())


@pytest.mark.promise("P1")
def test_not_applicable_areas_record_nothing(world, family):
    assessment = _assessed(world, family, findings={
        "EDUCATION": {"strengths": "", "needs": "Attendance", "score": 2}, "HOUSING": None, "FINANCE": None})
    assert list(DomainFinding.objects.filter(assessment=assessment).values_list("area__code", flat=True)) == [
        "EDUCATION"]
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="x",
                               findings={"EDUCATION": None, "HOUSING": {"needs": "Arrears", "score": 3}})
    assert list(assessment.findings.values_list("area__code", flat=True)) == ["HOUSING"]


@pytest.mark.promise("P6")
def test_assessment_covers_every_household_member(world, family):
    assessment = _assessed(world, family)
    assert {m.person_id for m in assessment.members.all()} == {p.pk for p in family["members"]}


def test_assessment_score_must_be_1_to_5(world, family):
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="x")
    with pytest.raises(ValidationError, match="1 to 5"):
        services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="",
                                   findings={"HEALTH": {"score": 7}})


def test_manager_approves_assessments_and_a_returned_one_needs_comments(world, family):
    assessment = _assessed(world, family)
    with pytest.raises(PermissionDenied):
        services.decide_assessment(by=world.lead, assessment=assessment, approve=True)
    services.submit_assessment(by=world.lead, assessment=assessment)
    with pytest.raises(ValidationError, match="what needs to change"):
        services.decide_assessment(by=world.manager, assessment=assessment, approve=False)
    services.decide_assessment(by=world.manager, assessment=assessment, approve=True)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPROVED and assessment.approved_by == world.manager


@pytest.mark.promise("P6")
def test_taf_members_update_only_their_own_actions(world, family):
    episode = family["episode"]
    due = timezone.localdate() + datetime.timedelta(days=30)
    mine = services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="n", action="a",
                                    owner=world.partner, intended_outcome="o", due_date=due)
    theirs = services.add_plan_action(by=world.lead, episode=episode, area_code="HOUSING", need="n", action="a",
                                      owner=world.lead, intended_outcome="o", due_date=due)
    services.update_action_progress(by=world.partner, item=mine, status="in_progress", progress_note="Started")
    with pytest.raises(PermissionDenied):
        services.update_action_progress(by=world.partner, item=theirs, status="done", progress_note="")
    with pytest.raises(ValidationError, match="Team Around the Family"):
        services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="n", action="a",
                                 owner=world.other_partner, intended_outcome="o", due_date=due)


@pytest.mark.promise("P6")
def test_recording_a_review_schedules_the_next_and_overdue_reviews_are_listed(world, family):
    episode = family["episode"]
    review = episode.reviews.get()
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    assert [r.pk for r in rows.overdue_reviews(world.manager)] == [review.pk]
    assert list(rows.overdue_reviews(world.other_manager)) == []
    review.refresh_from_db()
    services.record_review(by=world.lead, review=review, held_on=timezone.localdate(), summary="Going well")
    assert list(rows.overdue_reviews(world.manager)) == []
    assert episode.reviews.filter(held_on__isnull=True).get().due_on == timezone.localdate() + datetime.timedelta(
        weeks=8)


@pytest.mark.promise("P10")
def test_closing_needs_a_reason_and_the_familys_feedback_or_a_recorded_refusal(world, family):
    episode = family["episode"]
    with pytest.raises(ValidationError) as caught:
        services.request_closure(by=world.lead, episode=episode, reason="", summary="")
    assert {"reason", "summary", "family_feedback"} <= set(caught.value.message_dict)
    services.request_closure(by=world.lead, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                             family_feedback="Really helpful")
    with pytest.raises(PermissionDenied):
        services.decide_closure(by=world.lead, episode=episode, approve=True)
    services.decide_closure(by=world.manager, episode=episode, approve=True)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED and episode.family_feedback == "Really helpful"
    assert not episode.reviews.filter(held_on__isnull=True).exists()


def test_database_refuses_a_closed_episode_without_a_reason(world, family):
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=family["episode"].pk).update(status="closed", closed_on=timezone.localdate(),
                                                               closed_by=world.manager)


def test_step_up_closes_the_episode_and_marks_the_children(world, family):
    services.step_up(by=world.manager, episode=family["episode"], reason="Risk of significant harm")
    episode = Episode.objects.get(pk=family["episode"].pk)
    assert episode.closure_reason == ClosureReason.STEPPED_UP
    assert episode.transitions.get().kind == TransitionKind.STEP_UP
    children = [p for p in family["members"] if p.given_name in {"Jamie", "Riley"}]
    assert all(p.markers.filter(kind=MarkerKind.OPEN_TO_CSC).exists() for p in children)


def test_step_down_from_childrens_social_care_opens_an_episode_with_a_transition(world):
    family = make_family(world, with_episode=False)
    contact = services.record_contact(by=world.front_door, household=family["household"],
                                      subject=family["members"][2], team=world.north, channel=Channel.EMAIL,
                                      source=ContactSource.CSC, reason="Step-down after CIN plan ended",
                                      consent_at_referral="given")
    services.decide_contact(by=world.manager, contact=contact, decision=ContactStatus.EPISODE_OPENED)
    episode = family["household"].episodes.get()
    assert episode.transitions.get().kind == TransitionKind.STEP_DOWN


@pytest.mark.promise("P28")
def test_images_and_recordings_need_a_recorded_reason(world, family):
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")
    with pytest.raises(ValidationError, match="therapeutic"):
        services.upload_document(by=world.lead, episode=family["episode"], upload=photo, title="Photo")
    photo.seek(0)
    document = services.upload_document(by=world.lead, episode=family["episode"], upload=photo, title="Photo",
                                        media_reason="Life story work with the child")
    assert document.kind == "image"
    assert "p.jpg" not in document.file.name  # the original name may itself be personal data


def test_unsupported_file_types_are_refused(world, family):
    exe = SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/x-msdownload")
    with pytest.raises(ValidationError, match="PDF"):
        services.upload_document(by=world.lead, episode=family["episode"], upload=exe, title="Program")


def test_a_file_whose_contents_do_not_match_its_type_is_refused(world, family):
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError, match="do not match its type"):
        services.upload_document(by=world.lead, episode=family["episode"], upload=disguised, title="Report")
    assert not family["episode"].documents.exists()


def test_partners_cannot_write_casework(world, family):
    with pytest.raises(PermissionDenied):
        services.add_case_note(by=world.partner, episode=family["episode"], text="Note")
    with pytest.raises(PermissionDenied):
        services.start_assessment(by=world.other_lead, episode=family["episode"], reason="x")


def test_every_change_is_audited_with_its_household(world, family):
    before = AuditEvent.objects.count()
    note = services.add_case_note(by=world.lead, episode=family["episode"], text="Home visit")
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.event, event.object_ids, event.household_id) == ("case_note.create", [note.pk],
                                                                   family["household"].pk)


def test_excluded_practitioner_cannot_be_allocated_or_added(world, family):
    from earlyhelp.access.models import AccessExclusion

    AccessExclusion.objects.create(household=family["household"], user=world.teammate, reason="Relative",
                                   recorded_by=world.manager)
    with pytest.raises(ValidationError, match="must not see"):
        services.allocate(by=world.manager, episode=family["episode"], practitioner=world.teammate)
    with pytest.raises(ValidationError, match="must not see"):
        services.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.teammate)


@pytest.mark.django_db
def test_only_roles_that_work_with_families_can_join_a_team_around_the_family(world):
    family = make_family(world, lead=world.lead)
    for outsider in (world.data_team, world.dpo, world.front_door):
        with pytest.raises(ValidationError, match="whose role includes work with families"):
            services.add_taf_member(by=world.lead, episode=family["episode"], practitioner=outsider)
    assert not TafMember.objects.filter(practitioner__in=[world.data_team, world.dpo, world.front_door]).exists()

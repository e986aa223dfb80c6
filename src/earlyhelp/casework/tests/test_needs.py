"""Supporting Families needs on the family's case: recording and withdrawing a need, progress on every need at each
review and at closure (nothing written unless every need is scored), the needs page with its distance travelled,
and who may see what (P16, P17)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import ClosureReason, EpisodeStatus
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.programme import messages as programme_messages
from earlyhelp.programme.models import Need, NeedProgress, NeedStatus, ProgrammeRules, ProgressOccasion
from earlyhelp.programme.services import framework
from earlyhelp.records.provenance import SourceKind
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import Outcome
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def descriptor(area_code, index=0):
    return list(framework.descriptors().filter(area__code=area_code))[index]


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["assessment"])


def record(world, family, area_code="EDUCATION", person=None, **extra):
    return services.record_family_need(
        by=extra.pop("by", world.lead), household_id=family["household"].pk, person_id=person.pk if person else None,
        descriptor_id=descriptor(area_code).pk, evidence=extra.pop("evidence", "Attendance 82% this term"), **extra)


# --- Recording and withdrawing ---------------------------------------------------------------------------------

def test_a_need_is_recorded_on_the_open_episode_with_who_told_us_and_a_starting_score(world, family):
    school = Organisation.objects.create(name="Test Primary School", type=OrganisationType.SCHOOL)
    jamie = family["members"][2]
    need = record(world, family, person=jamie, source_kind=SourceKind.PARTNER, source_organisation=school,
                  source_reference="Attendance report", baseline_score=2)
    assert need.episode == family["episode"] and need.person == jamie and need.status == NeedStatus.OPEN
    assert need.source_label == "Test Primary School" and need.identified_by == world.lead
    baseline = need.progress.get()
    assert baseline.occasion == ProgressOccasion.BASELINE and baseline.score == 2
    assert AuditEvent.objects.filter(event="need.record", household_id=family["household"].pk).exists()


def test_the_same_need_for_the_same_person_is_refused_until_the_first_is_withdrawn(world, family):
    first = record(world, family)
    with pytest.raises(ValidationError) as refused:
        record(world, family)
    assert programme_messages.NEED_ALREADY_RECORDED in refused.value.message_dict["descriptor"]
    record(world, family, person=family["members"][2])  # the same need for one member is a different need
    with pytest.raises(ValidationError):
        services.withdraw_family_need(by=world.lead, need=first, reason="  ")
    services.withdraw_family_need(by=world.lead, need=first, reason="Recorded against the wrong family")
    first.refresh_from_db()
    assert first.status == NeedStatus.WITHDRAWN and first.withdrawn_reason == "Recorded against the wrong family"
    again = record(world, family)
    assert again.pk != first.pk and Need.objects.filter(household=family["household"]).count() == 3


def test_a_need_is_only_for_a_current_member_and_from_the_current_framework(world, family):
    stranger = make_family(world, family_name="Otherfamily", seed=5, with_episode=False)["members"][0]
    with pytest.raises(ValidationError) as refused:
        record(world, family, person=stranger)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_family_need(by=world.lead, household_id=family["household"].pk, person_id=None,
                                    descriptor_id=None, evidence="")
    assert set(refused.value.message_dict) == {"descriptor", "evidence"}
    assert not Need.objects.exists()


def test_only_someone_who_works_on_the_case_records_a_need(world, family):
    for outsider in (world.partner, world.other_lead, world.data_team):
        with pytest.raises(PermissionDenied):
            record(world, family, by=outsider)
    assert not Need.objects.exists()


def test_a_restricted_family_is_refused(world, family):
    hidden = make_family(world, family_name="Hidden", seed=3, lead=world.lead, restricted=True)
    with pytest.raises(PermissionDenied):  # the wider team no longer sees it
        record(world, hidden, by=world.teammate)
    # Article 18: a member asked for use of their record to be restricted; the case record is read-only.
    request = rights.log_request(
        by=world.dpo, kind="restriction", subject=family["members"][1], received_on=timezone.localdate(),
        requester_relationship="self", requester_name="Sam Testfamily", requester_address="1 Test Street",
        channel="writing", details="Restrict my record", identity_check="seen", id_seen_on=timezone.localdate(),
        id_evidence="Passport seen")
    rights.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="Accuracy contested")
    with pytest.raises(ValidationError, match="restricted"):
        record(world, family)
    assert not Need.objects.filter(household=family["household"]).exists()


# --- Progress at reviews and at closure ------------------------------------------------------------------------

def test_a_review_records_progress_on_every_need_or_nothing(world, family):
    education, health = record(world, family), record(world, family, "HEALTH", evidence="Anxiety")
    episode, review = family["episode"], family["episode"].reviews.get()
    with pytest.raises(ValidationError) as refused:
        services.record_review(by=world.lead, review=review, held_on=timezone.localdate(), summary="Going well",
                               progress={education.pk: (3, "Attendance 88%")})
    assert set(refused.value.message_dict) == {f"score_{health.pk}"}
    review.refresh_from_db()
    assert review.held_on is None and not NeedProgress.objects.exists() and episode.reviews.count() == 1
    services.record_review(by=world.lead, review=review, held_on=timezone.localdate(), summary="Going well",
                           progress={education.pk: (3, "Attendance 88%"), health.pk: (2, "Waiting for CAMHS")})
    rows = NeedProgress.objects.filter(review=review)
    assert {(p.need_id, p.score, p.occasion) for p in rows} == {(education.pk, 3, "review"), (health.pk, 2, "review")}


def test_an_episode_with_no_needs_is_reviewed_and_closed_as_before(world, family):
    episode = family["episode"]
    services.record_review(by=world.lead, review=episode.reviews.get(), held_on=timezone.localdate(),
                           summary="Going well")
    services.request_closure(by=world.lead, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                             feedback_declined=True)
    assert episode.status == EpisodeStatus.CLOSURE_REQUESTED


@pytest.mark.promise("P13")
def test_closure_sets_each_need_met_or_not_met_against_the_councils_positive_score(world, family):
    rules = ProgrammeRules.current()
    rules.positive_score = 4
    rules.save()
    met, not_met = record(world, family), record(world, family, "HEALTH", evidence="Anxiety")
    episode = family["episode"]
    with pytest.raises(ValidationError) as refused:
        services.request_closure(by=world.lead, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                                 feedback_declined=True, progress={met.pk: (4, "Attendance 95%"), not_met.pk: (3, "")})
    assert set(refused.value.message_dict) == {f"evidence_{not_met.pk}"}
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN and not NeedProgress.objects.exists()
    services.request_closure(by=world.lead, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                             feedback_declined=True,
                             progress={met.pk: (4, "Attendance 95%"), not_met.pk: (3, "Still anxious")})
    met.refresh_from_db(), not_met.refresh_from_db()
    assert (met.status, not_met.status) == (NeedStatus.MET, NeedStatus.NOT_MET)
    # The manager returns the closure: its progress no longer stands and the needs are worked on again.
    services.decide_closure(by=world.manager, episode=episode, approve=False, comment="One more review")
    met.refresh_from_db()
    assert met.status == NeedStatus.OPEN and not NeedProgress.objects.filter(occasion="closure").exists()
    services.request_closure(by=world.lead, episode=episode, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                             feedback_declined=True, progress={met.pk: (5, "Attendance 97%"),
                                                               not_met.pk: (4, "Calmer")})
    services.decide_closure(by=world.manager, episode=episode, approve=True)
    assert set(Need.objects.values_list("status", flat=True)) == {NeedStatus.MET}


def test_the_review_page_has_one_fieldset_per_need_and_errors_per_need(client, world, family):
    education, health = record(world, family), record(world, family, "HEALTH", evidence="Anxiety")
    review = family["episode"].reviews.get()
    url = reverse("web:review-record", args=[family["household"].pk, review.pk])
    client.force_login(world.lead)
    page = client.get(url).content.decode()
    assert page.count('<fieldset class="govuk-fieldset govuk-!-margin-bottom-6" id="need-') == 2
    assert "1 = significant concern, 5 = no concern" in page
    today = timezone.localdate()
    posted = {"held_on_day": today.day, "held_on_month": today.month, "held_on_year": today.year,
              "summary": "Going well", f"score_{education.pk}": "3", f"evidence_{education.pk}": "Attendance 88%"}
    page = client.post(url, posted).content.decode()
    assert f'id="id_score_{health.pk}-error"' in page and programme_messages.CHOOSE_PROGRESS_SCORE in page
    assert not NeedProgress.objects.exists()
    posted.update({f"score_{health.pk}": "2", f"evidence_{health.pk}": "Waiting for support"})
    assert client.post(url, posted).status_code == 302
    assert NeedProgress.objects.filter(occasion="review").count() == 2


def test_the_closure_page_asks_for_progress_on_each_need(client, world, family):
    need = record(world, family)
    url = reverse("web:closure-request", args=[family["household"].pk])
    client.force_login(world.lead)
    assert f'name="score_{need.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"reason": ClosureReason.OUTCOMES_MET, "summary": "Done", "feedback_declined": "on",
                                 f"score_{need.pk}": "5", f"evidence_{need.pk}": "Attendance 96%"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.MET


# --- The needs page --------------------------------------------------------------------------------------------

@pytest.mark.promise("P17")
def test_the_needs_page_shows_who_told_us_who_recorded_it_and_the_distance_travelled(client, world, family):
    school = Organisation.objects.create(name="Test Primary School", type=OrganisationType.SCHOOL)
    need = record(world, family, person=family["members"][2], source_kind=SourceKind.PARTNER,
                  source_organisation=school, baseline_score=2)
    review = family["episode"].reviews.get()
    services.record_review(by=world.lead, review=review, held_on=timezone.localdate(), summary="Better",
                           progress={need.pk: (4, "Attendance up to 93%")})
    client.force_login(world.teammate)
    page = client.get(reverse("web:needs", args=[family["household"].pk])).content.decode()
    assert "Test Primary School" in page and "Jamie Testfamily" in page and str(world.lead) in page
    assert "Attendance up to 93%" in page and "4 of 5" in page
    assert "<polyline" in page and 'role="img"' in page  # the chart, with the table beside it
    assert AuditEvent.objects.filter(event="needs.view", actor=world.teammate, action=Action.VIEW).exists()


@pytest.mark.promise("P16")
def test_a_partner_sees_a_sensitive_need_only_as_a_marker(client, world, family):
    record(world, family, "HEALTH", evidence="Mum's depression", baseline_score=1)
    record(world, family, evidence="Attendance 82% this term")
    client.force_login(world.partner)
    page = client.get(reverse("web:needs", args=[family["household"].pk])).content.decode()
    assert "Mum&#x27;s depression" not in page and "Mum's depression" not in page
    assert "Need recorded – restricted" in page and "Attendance 82% this term" in page
    assert "Record a need" not in page


def test_a_need_is_recorded_and_withdrawn_from_its_pages(client, world, family):
    hid = family["household"].pk
    client.force_login(world.lead)
    page = client.get(reverse("web:need-new", args=[hid])).content.decode()
    assert "<optgroup" in page and "The whole family" in page
    chosen = descriptor("HOUSING")
    response = client.post(reverse("web:need-new", args=[hid]), {
        "person": str(family["members"][0].pk), "descriptor": str(chosen.pk), "evidence": "Rent arrears",
        "source": SourceKind.FAMILY, "baseline_score": "2"})
    assert response.status_code == 302
    need = Need.objects.get(descriptor=chosen)
    assert need.source_kind == SourceKind.FAMILY and need.progress.get().score == 2
    page = client.post(reverse("web:need-new", args=[hid]), {"person": "family", "source": "family"}).content.decode()
    assert programme_messages.CHOOSE_DESCRIPTOR in page and programme_messages.ENTER_NEED_EVIDENCE in page
    url = reverse("web:need-withdraw", args=[hid, need.pk])
    assert programme_messages.ENTER_WITHDRAWAL_REASON in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Wrong family"}).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN
    assert "Wrong family" in client.get(reverse("web:needs", args=[hid])).content.decode()


def test_a_need_of_another_family_is_not_found_under_this_one(client, world, family):
    other = make_family(world, family_name="Otherfamily", seed=4, lead=world.lead)
    need = record(world, other)
    client.force_login(world.lead)
    url = reverse("web:need-withdraw", args=[family["household"].pk, need.pk])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.lead).exists()


def test_opening_an_episode_attaches_needs_found_before_it(world):
    family = make_family(world, family_name="Earlyfamily", seed=6, with_episode=False)
    found = Need.objects.create(household=family["household"], descriptor=descriptor("CRIME"), evidence="ASB",
                                identified_on=timezone.localdate() - datetime.timedelta(days=3),
                                identified_by=world.data_team, source_kind=SourceKind.DATA_MATCH)
    episode = services.open_episode(by=world.manager, household=family["household"], team=world.north)
    found.refresh_from_db()
    assert found.episode == episode
    assert AuditEvent.objects.get(event="episode.open", household_id=family["household"].pk).metadata == {
        "needs_attached": 1}

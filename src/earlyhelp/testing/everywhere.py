"""One person seeded into every table that can hold their data, through the services where there is one.

Used to prove that a subject access pack holds every record, and that erasure and disposal leave nothing.
Distinctive values (names, identifiers, an address) make any trace easy to find.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from earlyhelp.access import services as access
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import Channel, ConsentAtReferral, ContactSource
from earlyhelp.online import intake as online_intake
from earlyhelp.online import services as online
from earlyhelp.online.models import Route
from earlyhelp.organisations.models import OrganisationType
from earlyhelp.people import services as people
from earlyhelp.people.models import Marker, MarkerKind, MemberRole, RelationshipType
from earlyhelp.privacy.services import decisions
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import Outcome, RequesterRelationship, RequestKind

from .agreements import sharing_agreement
from .matching import seed_matching_records
from .programme import seed_programme_records
from .retention import seed_retention_records
from .world import give_consent, make_family

GIVEN, FAMILY = "Zebedee", "Quenby"
NHS, UPN = "9434765870", "A123456789012"
STREET, POSTCODE = "17 Larkspur Row", "ZE1 9QX"
SIBLING_NHS = "9434765919"


def seed_person_everywhere(world) -> dict:
    """A child, Zebedee Quenby, in a family with a full episode of support, consents, sharing, decisions,
    access controls and a rights request; returns the objects a test needs."""
    manager, lead = world.manager, world.lead
    family = make_family(world, family_name=FAMILY, lead=lead, taf=[world.partner], seed=91)
    household, episode = family["household"], family["episode"]
    parent, sibling = family["members"][0], family["members"][3]
    people.record_identifier(by=lead, person=sibling, scheme="nhs", raw_value=SIBLING_NHS)  # replaces the made-up one
    subject = people.create_person(by=lead, given_name=GIVEN, family_name=FAMILY, date_of_birth=datetime.date(2015, 2, 3),
                                   gender="male", identifier_values={"nhs": NHS, "upn": UPN})
    people.add_member(by=lead, household=household, person=subject, role=MemberRole.CHILD,
                      start_date=datetime.date(2020, 1, 1))
    people.move_address(by=lead, person=subject, line_1="2 Old Lane", town="Testtown", postcode="ZE1 1AA",
                        valid_from=datetime.date(2015, 2, 3))
    people.move_address(by=lead, person=subject, line_1=STREET, town="Testtown", postcode=POSTCODE,
                        valid_from=datetime.date(2021, 6, 1))
    people.update_person(by=lead, person=subject, preferred_name="Zeb")
    people.relate(by=lead, person=parent, related_person=subject, relationship=RelationshipType.PARENT,
                  has_parental_responsibility=True)
    Marker.objects.create(person=subject, kind=MarkerKind.YOUNG_CARER, start_date=datetime.date(2022, 1, 1),
                          recorded_by=lead)
    casework.record_contact(by=world.front_door, household=household, subject=subject, team=world.north,
                            channel=Channel.EMAIL, source=ContactSource.HEALTH,
                            reason=f"{GIVEN} has been caring for his mother", consent_at_referral=ConsentAtReferral.GIVEN,
                            received_at=timezone.now() - datetime.timedelta(days=3))
    seed_online_request(world, subject)
    give_consent(manager, household, parent, [OrganisationType.HEALTH])
    member = casework.add_taf_member(by=manager, episode=episode, practitioner=world.other_partner)
    casework.change_taf_sections(by=manager, member=member, sections=["plan"])  # P8: what a member sees, changed
    # The referral out records the data-sharing agreement that covers the health service.
    sharing_agreement(parties=[world.health], recorded_by=world.dpo, purposes=("multi_agency_sharing",))
    casework.refer_out(by=lead, episode=episode, organisation=world.health, service="Young carers' service",
                       sections=["household"], reason=f"{GIVEN} needs a young carers' assessment")
    assessment = casework.start_assessment(by=lead, episode=episode, reason="Caring responsibilities")
    casework.record_assessment(
        by=lead, assessment=assessment, analysis=f"{GIVEN} {FAMILY} cares for Alex {FAMILY}.",
        voice_of_child=f"I help Mum. My sister Riley's NHS number is {SIBLING_NHS}; call 07700 900123.",
        findings={"HEALTH": {"strengths": "", "needs": "Mum's health", "score": 2},
                  "EDUCATION": {"strengths": "Likes school", "needs": "Late most days", "score": 2}})
    casework.submit_assessment(by=lead, assessment=assessment)
    casework.decide_assessment(by=manager, assessment=assessment, approve=True, comment="Agreed")
    suggestion = household.suggestions.order_by("pk").first()
    decisions.decide(by=manager, suggestion_id=suggestion.pk, accept=True, reason="Caring affects attendance")
    action = casework.add_plan_action(by=lead, episode=episode, area_code="EDUCATION", need="Late most days",
                                      action=f"Breakfast club for {GIVEN}", owner=lead,
                                      intended_outcome="On time", due_date=timezone.localdate() + datetime.timedelta(days=60))
    casework.update_action_progress(by=lead, item=action, status="in_progress", progress_note="Started")
    casework.record_review(by=lead, review=episode.reviews.get(), held_on=timezone.localdate(),
                           summary=f"{GIVEN} is on time", family_view="Happy",
                           progress={need.pk: (3, "On time most days") for need in episode.needs.all()})
    casework.add_case_note(by=lead, episode=episode, text=f"Home visit. {GIVEN} showed me his room at {STREET}. "
                                                          f"GP letter quotes NHS {NHS[:3]} {NHS[3:6]} {NHS[6:]}.")
    document = casework.upload_document(
        by=lead, episode=episode, title=f"Letter about {GIVEN}",
        upload=SimpleUploadedFile("letter.pdf", f"%PDF-1.4 Letter about {GIVEN} {FAMILY}".encode(), "application/pdf"))
    access.exclude(by=manager, household=household, user=world.teammate, reason="Neighbour of the family")
    access.start_emergency_access(by=world.other_lead, household=household, reason="Police called out of hours")
    access.review_partner_access(by=manager, taf_member_id=episode.taf_members.filter(
        practitioner=world.partner).get().pk, confirm=True, note="Still needed")
    casework.step_up(by=manager, episode=episode, reason=f"{GIVEN} disclosed harm at home")
    # Rights requests: a correction the council disputes (with a paused clock), and a restriction, later lifted.
    correction = rights_request(world, subject, RequestKind.RECTIFICATION)
    today = timezone.localdate()
    rights.pause_clock(by=world.dpo, request=correction, started_on=today, reason="Which record is wrong?")
    rights.resume_clock(by=world.dpo, request=correction, ended_on=today)
    rights.record_dispute(by=world.dpo, request=correction, disputed=f"{GIVEN} is not a young carer",
                          statement="I only help sometimes", council_reason="School and health both report it")
    restriction_request = rights_request(world, subject, RequestKind.RESTRICTION)
    rights.decide(by=world.dpo, request=restriction_request, outcome=Outcome.COMPLIED,
                  reason="Accuracy contested while we check")
    rights.lift_restriction(by=world.dpo, restriction=subject.processing_restrictions.get(),
                            reason="Checked: the record is accurate", person_told_on=today)
    request = rights_request(world, subject, RequestKind.ACCESS)
    seed_retention_records(world, household=household, person=subject)  # a lifted legal hold, a disposal candidate
    # A partner's record confirmed as the subject's (with a PNC number it brings), and the rejected guess at a sibling.
    seed_matching_records(world, person=subject, other_person=sibling, postcode=POSTCODE, street=STREET)
    # A need of the subject's on the Supporting Families programme, checked, claimed and sent to the ONS.
    seed_programme_records(world, household=household, episode=episode, person=subject,
                           text=f"{GIVEN} was late most days")
    return {"subject": subject, "family": family, "household": household, "episode": episode, "parent": parent,
            "sibling": sibling, "document": document, "request": request}


def rights_request(world, subject, kind):
    """A request the person made for themselves, in writing, with their identity seen."""
    today = timezone.localdate()
    return rights.log_request(by=world.dpo, kind=kind, received_on=today, subject=subject, requester_person=subject,
                              requester_name="" if subject else "Not yet known",
                              requester_relationship=RequesterRelationship.SELF,
                              requester_address=STREET if subject and subject.given_name == GIVEN else "By hand",
                              id_seen_on=today, id_evidence="Passport seen at the office")


def seed_online_request(world, subject):
    """A request the subject's parent made online, recorded by the front door as a contact about the subject."""
    help_request = online.start_request(route=Route.SELF)
    online.save_answers(request_id=help_request.pk, step="name",
                        answers={"given_name": subject.given_name, "family_name": subject.family_name,
                                 "reason": "We would like some help at home"})
    help_request = online.submit_request(request_id=help_request.pk, complete=True)
    return online_intake.record_as_contact(by=world.front_door, help_request=help_request, subject=subject,
                                           team=world.north, source=ContactSource.SELF)

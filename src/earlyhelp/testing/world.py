"""A small, named world for tests: one council, two teams, a partner school and health service,
a user of every role, and families at every relationship to them. Built through the services."""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from earlyhelp.casework import services as casework
from earlyhelp.casework.models import (
    Channel,
    ConsentAtReferral,
    ContactSource,
    ContactStatus,
)
from earlyhelp.organisations.models import (
    Organisation,
    OrganisationType,
    Role,
    Team,
    User,
)
from earlyhelp.people import identifiers
from earlyhelp.people import services as people
from earlyhelp.people.models import MemberRole
from earlyhelp.privacy.models import EvidenceType
from earlyhelp.privacy.services import consent, panels

from .agreements import overarching_agreement

PASSWORD = "correct-horse-battery-staple-42"


def make_user(username, role, organisation, team=None, **extra):
    user = User(username=username, role=role, organisation=organisation, team=team,
                first_name=extra.pop("first_name", username.split("_")[0].title()),
                last_name=extra.pop("last_name", "Tester"), email=f"{username}@example.invalid", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    council: Organisation
    school: Organisation
    health: Organisation
    north: Team
    south: Team
    users: dict = field(default_factory=dict)
    families: dict = field(default_factory=dict)
    agreement: object = None

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    council = Organisation.objects.create(name="Test Borough Council", type=OrganisationType.LOCAL_AUTHORITY)
    school = Organisation.objects.create(name="Hillside Primary School", type=OrganisationType.SCHOOL)
    health = Organisation.objects.create(name="Test Community Health", type=OrganisationType.HEALTH)
    north = Team.objects.create(name="North Early Help", organisation=council)
    south = Team.objects.create(name="South Early Help", organisation=council)
    world = World(council=council, school=school, health=health, north=north, south=south)
    u = world.users
    u["front_door"] = make_user("front_door", Role.FRONT_DOOR, council)
    u["manager"] = make_user("manager_north", Role.TEAM_MANAGER, council, north)
    u["lead"] = make_user("lead_north", Role.LEAD_PRACTITIONER, council, north)
    u["teammate"] = make_user("teammate_north", Role.LEAD_PRACTITIONER, council, north)
    u["other_manager"] = make_user("manager_south", Role.TEAM_MANAGER, council, south)
    u["other_lead"] = make_user("lead_south", Role.LEAD_PRACTITIONER, council, south)
    u["partner"] = make_user("partner_school", Role.PARTNER_PROFESSIONAL, school)
    u["other_partner"] = make_user("partner_health", Role.PARTNER_PROFESSIONAL, health)
    u["data_team"] = make_user("data_analyst", Role.DATA_TEAM, council)
    u["dpo"] = make_user("dpo", Role.DPO, council)
    u["admin"] = make_user("sysadmin", Role.SYSTEM_ADMIN, council, is_staff=True, is_superuser=True)
    # Routine sharing with the partners needs an agreement in force (issue 13, item 11).
    world.agreement = overarching_agreement(parties=[council, school, health], recorded_by=u["dpo"])
    return world


def give_consent(by, household, parent, partner_types=()):
    """A parent's signed consent to support and to sharing with these organisation types."""
    return consent.record_consent(by=by, household=household, subject=parent, given_by=parent,
                                  covers_support=True, sharing_partner_types=sorted(partner_types),
                                  evidence_type=EvidenceType.SIGNED_FORM, evidence_reference="Consent form in file")


def make_family(world: World, *, team=None, family_name="Testfamily", seed=1, with_episode=True,
                lead=None, taf=(), taf_sections=None, restricted=False, postcode="SW1A 1AA"):
    """A two-parent, two-child family; optionally with an open, allocated episode. `taf` are invited to its Team
    Around the Family, seeing `taf_sections` of the record (by default the minimum, P8)."""
    rng = random.Random(seed)
    by = world.front_door
    household = people.create_household(by=by)
    start = datetime.date(2020, 1, 1)
    members = []
    for given, dob, role, gender in [
        ("Alex", datetime.date(1985, 3, 4), MemberRole.PARENT_CARER, "female"),
        ("Sam", datetime.date(1983, 7, 9), MemberRole.PARENT_CARER, "male"),
        ("Jamie", datetime.date(2014, 5, 6), MemberRole.CHILD, "male"),
        ("Riley", datetime.date(2017, 11, 12), MemberRole.CHILD, "female"),
    ]:
        person = people.create_person(by=by, given_name=given, family_name=family_name, date_of_birth=dob,
                                      gender=gender,
                                      identifier_values={"nhs": identifiers.make_nhs_number(rng)})
        people.add_member(by=by, household=household, person=person, role=role, start_date=start)
        people.move_address(by=by, person=person, line_1=f"{seed} Test Street", town="Testtown",
                            postcode=postcode, valid_from=start)
        members.append(person)
    family = {"household": household, "members": members, "episode": None, "contact": None}
    if with_episode:
        team = team or world.north
        manager = world.manager if team == world.north else world.other_manager
        contact = casework.record_contact(
            by=by, household=household, subject=members[2], team=team, channel=Channel.PHONE,
            source=ContactSource.SCHOOL, reason="Attendance has dropped", consent_at_referral=ConsentAtReferral.GIVEN,
            received_at=timezone.now() - datetime.timedelta(days=30),
        )
        casework.decide_contact(by=manager, contact=contact, decision=ContactStatus.EPISODE_OPENED)
        episode = household.episodes.get()
        if lead is not None:
            casework.allocate(by=manager, episode=episode, practitioner=lead)
        partner_types = {m.organisation.type for m in taf if m.team_id != team.pk}
        if partner_types:  # inviting partners shares the family's information: the family agrees first
            family["consent"] = give_consent(manager, household, members[0], partner_types)
        for member in taf:
            casework.add_taf_member(by=manager, episode=episode, practitioner=member, sections=taf_sections)
        episode.refresh_from_db()
        family["episode"], family["contact"] = episode, contact
    if restricted:  # restricted after the referral, as happens in practice
        household.is_restricted = True
        household.save()
    return family


def make_panel(world: World, members, *, name="Multi-Agency Support Group"):
    """A multi-agency panel (P26) with these member organisations, kept by the team manager."""
    return panels.save_panel(by=world.manager, name=name, members=members, reason="The panel meets monthly")

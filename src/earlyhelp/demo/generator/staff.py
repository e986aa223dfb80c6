"""The demo council's organisations, teams and practitioners.

One council with four locality teams, partner organisations of every type (schools, early years,
health, police, housing, youth justice, DWP, voluntary, commissioned services, a neighbouring
council and children's social care), a designated professional at each partner, and
practitioners of every role. The fixed demo sign-ins (`DEMO_USERS`) are among them, all with
`DEMO_PASSWORD`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password

from earlyhelp.demo.generator.builders import RecordBuilder
from earlyhelp.demo.generator.words import TOWNS
from earlyhelp.organisations.models import (
    Organisation,
    OrganisationType,
    Role,
    Team,
    User,
)
from earlyhelp.people.models import Gender

DEMO_PASSWORD = "demo-password-2026"
TEAM_NAMES = [("North Early Help", "North"), ("South Early Help", "South"), ("East Early Help", "East"),
              ("West Early Help", "West")]
# One fixed sign-in per role. `lead` and `manager` work in North Early Help; `partner` is the
# designated safeguarding lead of the first school. See DEMO_USERS_HELP for what each shows.
DEMO_USERS = {
    "frontdoor": Role.FRONT_DOOR,
    "lead": Role.LEAD_PRACTITIONER,
    "manager": Role.TEAM_MANAGER,
    "partner": Role.PARTNER_PROFESSIONAL,
    "data": Role.DATA_TEAM,
    "dpo": Role.DPO,
    "admin": Role.SYSTEM_ADMIN,
}
# Fire and Rescue is a recipient type the register holds as data (privacy.RecipientType), not an OrganisationType.
FIRE_AND_RESCUE = "fire_and_rescue"
# The designated professional's job title at each type of partner organisation.
PARTNER_TITLES = {
    OrganisationType.SCHOOL: "Designated safeguarding lead",
    OrganisationType.EARLY_YEARS: "Designated safeguarding lead",
    OrganisationType.HEALTH: "Named safeguarding professional",
    OrganisationType.POLICE: "Early help liaison officer",
    OrganisationType.PROBATION_YOUTH_JUSTICE: "Prevention worker",
    OrganisationType.HOUSING: "Housing officer",
    OrganisationType.DWP: "Work coach",
    OrganisationType.VOLUNTARY: "Family support volunteer coordinator",
    OrganisationType.OTHER_LA: "Early help coordinator",
    OrganisationType.COMMISSIONED: "Programme practitioner",
    OrganisationType.CHILDRENS_SOCIAL_CARE: "Social worker",
    FIRE_AND_RESCUE: "Safe and well officer",
}


class StaffBuilder(RecordBuilder):
    """Builds the organisations, teams and users, all written before the first family."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.password_hash = make_password(DEMO_PASSWORD)
        self.organisation_types = {}  # filled as organisations are built

    def org(self, name, type_, reference=""):
        organisation = Organisation(id=self.ids(Organisation), name=name, type=type_, reference=reference)
        self.organisations.append(organisation)
        self.orgs_by_type.setdefault(type_, []).append(organisation)
        return organisation

    def build_organisations(self):
        rng = self.rng
        self.organisations, self.orgs_by_type = [], {}
        council_name = settings.EARLYHELP_COUNCIL_NAME
        self.council = self.org(council_name, OrganisationType.LOCAL_AUTHORITY, "E09999999")
        self.teams = [Team(id=self.ids(Team), name=name, organisation_id=self.council.pk, locality=locality)
                      for name, locality in TEAM_NAMES]
        schools = []
        for town in TOWNS:
            schools.append((f"{town} Primary School", "primary"))
        schools += [("St Mary's Church of England Primary School", "primary"),
                    ("Kingsmere Academy", "secondary"), ("Hollowbridge High School", "secondary"),
                    ("Ravensworth Community College", "secondary"), ("Thornleigh Park School", "special")]
        for name, phase in schools:
            self.org(name, OrganisationType.SCHOOL, f"{rng.randint(100000, 149999)}").phase = phase
        for name in ["Little Acorns Day Nursery", "Elmstead Vale Pre-school", "Sunflower Children's Centre Nursery",
                     "Kingsmere Childminding Network"]:
            self.org(name, OrganisationType.EARLY_YEARS, f"EY{rng.randint(100000, 999999)}")
        for name, ref in [("Demo Community Health Visiting Service", "RDB01"), ("School Nursing Service", "RDB02"),
                          ("Brackenbury Medical Practice", "D81001"), ("Kingsmere Health Centre", "D81002"),
                          ("Ravensworth Surgery", "D81003"), ("Demo General Hospital", "RDB00"),
                          ("Child and Adolescent Mental Health Service", "RDB03")]:
            self.org(name, OrganisationType.HEALTH, ref)
        self.org("Demoshire Police", OrganisationType.POLICE, "DP")
        self.org("Youth Justice Service", OrganisationType.PROBATION_YOUTH_JUSTICE)
        self.org("Probation Service (Demo)", OrganisationType.PROBATION_YOUTH_JUSTICE)
        self.org(f"{council_name} Housing Options", OrganisationType.HOUSING)
        self.org("Greenway Housing Association", OrganisationType.HOUSING)
        self.org("Jobcentre Plus Kingsmere", OrganisationType.DWP)
        for name in ["Home-Start Demo Borough", "Demo Citizens Advice", "Kingsmere Food Bank", "Young Minds Matter"]:
            self.org(name, OrganisationType.VOLUNTARY)
        self.org("Neighbouring County Council", OrganisationType.OTHER_LA)
        self.org("Positive Parenting Ltd", OrganisationType.COMMISSIONED)
        self.org("Young Carers Project", OrganisationType.COMMISSIONED)
        self.org(f"{council_name} Children's Social Care", OrganisationType.CHILDRENS_SOCIAL_CARE)
        # A recipient type added as data (P21), as two of the notices name it.
        self.org("Demoshire Fire and Rescue Service", FIRE_AND_RESCUE)
        Organisation.objects.bulk_create(self.organisations)
        self.organisation_types = {o.pk: o.type for o in self.organisations}
        Team.objects.bulk_create(self.teams)
        self.writer.counts["organisations.Organisation"] = len(self.organisations)
        self.writer.counts["organisations.Team"] = len(self.teams)

    def user(self, username, role, organisation, team=None, job_title="", **extra):
        gender = self.rng.choice([Gender.FEMALE, Gender.MALE])
        first, last = self.person_name("en_GB", gender)
        if username is None:
            handle = "".join(ch for ch in f"{first[0]}{last}".lower() if ch.isalnum())
            username = f"{handle}{len(self.users) + 1}"
        user = User(id=self.ids(User), username=username, password=self.password_hash, role=role,
                    organisation_id=organisation.pk, team_id=team.pk if team else None, job_title=job_title,
                    first_name=first, last_name=last, email=f"{username}@demo.example.invalid",
                    date_joined=self.now, **extra)
        self.users.append(user)
        return user

    def build_users(self, families):
        self.users = []
        council, rng = self.council, self.rng
        self.managers, self.leads = {}, {}
        leads_per_team = max(6, families // 1000)
        north = self.teams[0]
        self.demo = {
            "frontdoor": self.user("frontdoor", Role.FRONT_DOOR, council, job_title="Front door officer"),
            "manager": self.user("manager", Role.TEAM_MANAGER, council, north, "Early help team manager"),
            "lead": self.user("lead", Role.LEAD_PRACTITIONER, council, north, "Family support worker"),
        }
        self.front_door = [self.demo["frontdoor"]] + [
            self.user(None, Role.FRONT_DOOR, council, job_title="Front door officer") for _ in range(2)]
        for team in self.teams:
            if team is north:
                self.managers[team.pk] = self.demo["manager"]
                leads = [self.demo["lead"]]
            else:
                self.managers[team.pk] = self.user(None, Role.TEAM_MANAGER, council, team, "Early help team manager")
                leads = []
            while len(leads) < leads_per_team:
                title = rng.choice(["Family support worker", "Early help practitioner", "Youth worker",
                                    "Parenting practitioner"])
                leads.append(self.user(None, Role.LEAD_PRACTITIONER, council, team, title))
            self.leads[team.pk] = leads
        # Partners: a designated professional at most partner organisations.
        self.partners_by_type = {}
        first_school = self.orgs_by_type[OrganisationType.SCHOOL][0]
        for organisation in self.organisations:
            if organisation.type == OrganisationType.LOCAL_AUTHORITY:
                continue
            username = "partner" if organisation is first_school else None
            partner = self.user(username, Role.PARTNER_PROFESSIONAL, organisation,
                                job_title=PARTNER_TITLES[organisation.type])
            partner.org = organisation
            self.partners_by_type.setdefault(organisation.type, []).append(partner)
            if organisation is first_school:
                self.demo["partner"] = partner
        self.demo["data"] = self.user("data", Role.DATA_TEAM, council, job_title="Performance analyst")
        self.user(None, Role.DATA_TEAM, council, job_title="Supporting Families data officer")
        self.demo["dpo"] = self.user("dpo", Role.DPO, council, job_title="Data protection officer")
        self.demo["admin"] = self.user("admin", Role.SYSTEM_ADMIN, council, job_title="System administrator",
                                       is_staff=True, is_superuser=True)
        User.objects.bulk_create(self.users)
        self.writer.counts["organisations.User"] = len(self.users)
        self.school_partners = self.partners_by_type[OrganisationType.SCHOOL]

"""The demo council's foundation: seeded draws, names, and the records of people and households.

`RecordBuilder` holds what every part of the council shares: one seeded random generator (every
draw comes from it, in a fixed order, so the same seed gives the same council), `today` and
`now`, the name pools and the row writer. It makes the records of people (with addresses,
identifiers that validate and markers) and draws one family's household: its people, their
memberships and relationships.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone
from faker import Faker

from earlyhelp.demo.generator.rows import RowWriter
from earlyhelp.demo.generator.words import (
    COUNCIL_POSTCODE_AREA,
    HAND_NAMES,
    INWARD_LETTERS,
    LANGUAGES,
    NICKNAMES,
    OUT_OF_AREA_TOWNS,
    TOWNS,
)
from earlyhelp.people import identifiers
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import (
    Address,
    Ethnicity,
    Gender,
    Identifier,
    Marker,
    MemberRole,
    Membership,
    Person,
    Relationship,
    RelationshipType,
    SpecialEducationalNeeds,
    YesNoUnknown,
)
from earlyhelp.people.services import name_key


@dataclass
class Member:
    """One person in a household as drawn: their row, role and when they joined (and left)."""

    person: Person
    role: str
    start: datetime.date
    lives_in: bool = True
    end: datetime.date | None = None
    kind: str = ""  # an other adult's or significant other's tie to the children: grandparent, sibling, parent

    @property
    def dob(self):
        return self.person.date_of_birth


@dataclass
class HouseholdPeople:
    """The people of one household as drawn, by the part they play in it."""

    members: list
    parent1: Member
    parent2: Member | None
    children: list
    unborn: Member | None


@dataclass
class Origin:
    """What a family's members share: first language, where their names come from, ethnicity and
    family name."""

    language: str  # "" when not recorded
    source: str  # the name pool: a Faker locale or a key of HAND_NAMES
    ethnicity: str
    interpreter: bool  # the adults need an interpreter
    surname: str

    def surname_for(self, gender, base=None, married=True):
        """A family name as a person of this gender carries it: Polish and Lithuanian names change."""
        base = self.surname if base is None else base
        if self.source == "pl_PL" and gender == Gender.FEMALE and base.endswith(("ski", "cki", "dzki")):
            return base[:-1] + "a"
        if self.source == "lt_LT" and gender == Gender.FEMALE and base[-2:] in ("as", "is", "us", "ys"):
            return base[:-2] + ("ienė" if married else "aitė")
        return base


class RecordBuilder:
    """Seeded draws, names and records; `build_people` draws one household."""

    def __init__(self, *, seed, today, batch_size):
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.now = timezone.now()
        self.writer = RowWriter(batch_size=batch_size, now=self.now)
        self.ids = self.writer.ids
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self._keys = {}
        self.used_identifiers = {scheme: set(Identifier.objects.filter(scheme=scheme).values_list("value", flat=True))
                                 for scheme in IdentifierScheme.values}
        self._name_pools()
        self.streets = sorted({self.fake.street_name() for _ in range(600)})

    # --- seeded draws -----------------------------------------------------------------------------

    def days(self, lo, hi):
        return datetime.timedelta(days=self.rng.randint(lo, hi))

    def at(self, day: datetime.date, lo_hour=8, hi_hour=18) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(lo_hour, hi_hour - 1),
                                                              self.rng.randrange(60)), tzinfo=datetime.timezone.utc)
        return min(moment, self.now)

    def between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def years_ago(self, years, day=None):
        day = day or self.today
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February
            return day.replace(year=day.year - years, day=28)

    def weighted(self, choices, weights):
        return self.rng.choices(choices, weights=weights, k=1)[0]

    # --- names -------------------------------------------------------------------------------------

    def _name_pools(self):
        fake = self.fake
        self.pools = {"en_GB": ([fake.first_name_male() for _ in range(1500)],
                                [fake.first_name_female() for _ in range(1500)],
                                [fake.last_name() for _ in range(3000)])}
        for locale in ("pl_PL", "ro_RO", "pt_PT", "lt_LT", "tr_TR"):
            other = Faker(locale)
            other.seed_instance(self.seed)
            surname = other.last_name_male if hasattr(other, "last_name_male") else other.last_name
            self.pools[locale] = ([other.first_name_male() for _ in range(200)],
                                  [other.first_name_female() for _ in range(200)],
                                  [surname() for _ in range(300)])
        self.pools.update(HAND_NAMES)

    def person_name(self, source="en_GB", gender=Gender.FEMALE):
        male, female, last = self.pools[source]
        return self.rng.choice(male if gender == Gender.MALE else female), self.rng.choice(last)

    def key(self, name):
        value = self._keys.get(name)
        if value is None:
            value = self._keys[name] = name_key(name)
        return value

    # --- records -----------------------------------------------------------------------------------

    def row(self, model, **values):
        """A row to write: a dict of attribute names (person_id, not person) to values."""
        return self.writer.add(model, **values)

    def postcode(self, area=COUNCIL_POSTCODE_AREA, district=None):
        district = district if district is not None else self.rng.randint(1, 16)
        letters = self.rng.choice(INWARD_LETTERS) + self.rng.choice(INWARD_LETTERS)
        return f"{area}{district} {self.rng.randint(1, 9)}{letters}"

    def address_fields(self, *, out_of_area=False):
        rng = self.rng
        if out_of_area:
            town, area = rng.choice(OUT_OF_AREA_TOWNS)
            postcode = self.postcode(area)
        else:
            district = rng.randint(1, 16)
            town, postcode = TOWNS[(district - 1) // 2], self.postcode(district=district)
        street = rng.choice(self.streets)
        number = rng.randint(1, 220)
        if rng.random() < 0.2:
            return {"line_1": f"Flat {rng.randint(1, 24)}", "line_2": f"{number} {street}", "town": town,
                    "postcode": postcode}
        return {"line_1": f"{number} {street}", "line_2": "", "town": town, "postcode": postcode}

    def identifier(self, person_id, scheme):
        used = self.used_identifiers[scheme]
        if scheme == IdentifierScheme.NHS and len(used) > 650_000:
            return  # the NHS test range holds about 909,000 valid numbers: leave room
        make = {IdentifierScheme.NHS: identifiers.make_nhs_number, IdentifierScheme.NI: identifiers.make_ni_number,
                IdentifierScheme.UPN: lambda rng: identifiers.make_upn(rng, 999),
                IdentifierScheme.PNC: identifiers.make_pnc}[scheme]
        while True:
            value = make(self.rng)
            if value not in used:
                break
        used.add(value)
        self.row(Identifier, id=self.ids(Identifier), person_id=person_id, scheme=scheme, value=value)

    def new_person(self, *, given, family_name, gender, dob=None, expected=None, ethnicity, language,
                   interpreter=False, sen=SpecialEducationalNeeds.UNKNOWN, disability=None) -> Person:
        rng = self.rng
        preferred = NICKNAMES.get(given, "") if rng.random() < 0.3 else ""
        disability = disability or self.weighted([YesNoUnknown.NO, YesNoUnknown.YES, YesNoUnknown.UNKNOWN],
                                                 [70, 8, 22])
        person = self.row(
            Person,
            id=self.ids(Person), given_name=given, family_name=family_name, preferred_name=preferred,
            date_of_birth=dob, expected_date_of_birth=expected, gender=gender, ethnicity=ethnicity,
            first_language=language, interpreter_needed=interpreter, disability=disability,
            special_educational_needs=sen, family_name_key=self.key(family_name), given_name_key=self.key(given),
        )
        return person

    def marker(self, person_id, kind, start, by, end=None):
        start = min(start, self.today)
        if end is not None and end < start:
            end = start
        self.row(Marker, id=self.ids(Marker), person_id=person_id, kind=kind, start_date=start, end_date=end,
                 recorded_by_id=by.pk)

    # --- households --------------------------------------------------------------------------------
    # Every draw comes from the one seeded generator, so the order of the draws below is part of the
    # council: keep it, or the same seed gives different families.

    def build_people(self, household_id, min_eldest_age) -> HouseholdPeople:
        """Draw one household's people and buffer them with their memberships, relationships,
        addresses and identifiers."""
        origin = self.draw_origin()
        dobs = self.draw_birth_dates(min_eldest_age)
        start = dobs[0]  # the eldest child's birth: when the household began
        parent1, parent2, step_parent = self.draw_parents(origin, start)
        children = self.draw_children(origin, dobs)
        unborn = self.draw_unborn(origin, parent1)
        other_adult = self.draw_other_adult(origin, parent1, start)
        significant = self.draw_significant_other(origin, parent1, start, two_parents=parent2 is not None)
        if parent2 and not step_parent:
            self.draw_departure(parent2)
        members = [m for m in [parent1, parent2, *children, unborn, other_adult, significant] if m is not None]
        self.write_memberships(household_id, members)
        young = children + ([unborn] if unborn else [])
        self.write_relationships(young, parent1, parent2, step_parent, other_adult, significant)
        self.write_addresses(members, start)
        self.write_identifiers(members)
        return HouseholdPeople(members=members, parent1=parent1, parent2=parent2, children=children, unborn=unborn)

    def draw_origin(self) -> Origin:
        rng = self.rng
        language, source, _, ethnicities = self.weighted(LANGUAGES, [lang[2] for lang in LANGUAGES])
        if rng.random() < 0.05:
            language = ""  # not recorded
        ethnicity = self.weighted(list(ethnicities), list(ethnicities.values()))
        interpreter = bool(language) and language != "English" and rng.random() < 0.55
        _, surname = self.person_name(source)
        return Origin(language=language, source=source, ethnicity=ethnicity, interpreter=interpreter,
                      surname=surname)

    def draw_birth_dates(self, min_eldest_age) -> list[datetime.date]:
        """The children's dates of birth, the eldest's first. They anchor everyone else's."""
        rng, today = self.rng, self.today
        n_children = self.weighted([1, 2, 3, 4], [35, 35, 20, 10])
        latest_eldest = self.years_ago(min_eldest_age) if min_eldest_age else today
        eldest_dob = self.between(self.years_ago(18) + datetime.timedelta(days=1), latest_eldest)
        dobs = [eldest_dob]
        for _ in range(n_children - 1):
            earliest = eldest_dob + datetime.timedelta(days=300)
            if earliest >= today:
                break
            dobs.append(self.between(earliest, today))
        dobs.sort()
        if len(dobs) >= 2 and rng.random() < 0.04:
            dobs[1] = dobs[0]  # twins
        return dobs

    def draw_adult(self, origin, gender, dob, family_name, *, start, role=MemberRole.PARENT_CARER, lives_in=True,
                   kind=""):
        given, _ = self.person_name(origin.source, gender)
        person = self.new_person(given=given, family_name=family_name, gender=gender, dob=dob,
                                 ethnicity=origin.ethnicity, language=origin.language, interpreter=origin.interpreter)
        return Member(person, role, start, lives_in, kind=kind)

    def draw_parents(self, origin, start) -> tuple[Member, Member | None, bool]:
        """A parent or carer, often a second one (sometimes a step-parent who joined later)."""
        rng, today = self.rng, self.today
        parent1_gender = Gender.FEMALE if rng.random() < 0.88 else Gender.MALE
        mother_age_at_eldest = rng.randint(17, 38)
        parent1_dob = self.between(self.years_ago(mother_age_at_eldest + 1, start),
                                   self.years_ago(mother_age_at_eldest, start))
        two_parents = rng.random() < 0.6
        step_parent = two_parents and rng.random() < 0.25
        parent1 = self.draw_adult(origin, parent1_gender, parent1_dob, origin.surname_for(parent1_gender),
                                  start=start)
        if not two_parents:
            return parent1, None, step_parent
        gender2 = Gender.MALE if parent1_gender == Gender.FEMALE else Gender.FEMALE
        if rng.random() < 0.03:
            gender2 = parent1_gender
        dob2 = parent1_dob - self.days(-700, 2500)
        joined = self.between(start, today - datetime.timedelta(days=60)) if step_parent else start
        other_surname = self.person_name(origin.source)[1] if (step_parent or rng.random() < 0.3) else origin.surname
        parent2 = self.draw_adult(origin, gender2, dob2, origin.surname_for(gender2, other_surname), start=joined)
        return parent1, parent2, step_parent

    def draw_children(self, origin, dobs) -> list[Member]:
        rng, today = self.rng, self.today
        children = []
        for dob in dobs:
            gender = self.weighted([Gender.FEMALE, Gender.MALE, Gender.NOT_STATED, Gender.NEITHER],
                                   [49, 49, 1.5, 0.5])
            given, _ = self.person_name(origin.source, Gender.MALE if gender == Gender.MALE else
                                        (Gender.FEMALE if gender == Gender.FEMALE else rng.choice([Gender.MALE,
                                                                                                    Gender.FEMALE])))
            age = (today - dob).days // 365
            sen = (self.weighted([SpecialEducationalNeeds.NONE, SpecialEducationalNeeds.SEN_SUPPORT,
                                  SpecialEducationalNeeds.EHCP, SpecialEducationalNeeds.UNKNOWN], [72, 14, 4, 10])
                   if age >= 3 else SpecialEducationalNeeds.UNKNOWN)
            ethnicity = origin.ethnicity if rng.random() > 0.05 else Ethnicity.MOTH
            person = self.new_person(given=given, family_name=origin.surname_for(gender, married=False),
                                     gender=gender, dob=dob, ethnicity=ethnicity, language=origin.language, sen=sen,
                                     disability=self.weighted([YesNoUnknown.NO, YesNoUnknown.YES,
                                                               YesNoUnknown.UNKNOWN], [75, 7, 18]))
            children.append(Member(person, MemberRole.CHILD, dob))
        return children

    def draw_unborn(self, origin, parent1) -> Member | None:
        """Sometimes a mother is expecting."""
        today = self.today
        if not (parent1.person.gender == Gender.FEMALE and (today - parent1.dob).days < 44 * 365
                and self.rng.random() < 0.06):
            return None
        person = self.new_person(given="Baby", family_name=origin.surname, gender=Gender.NOT_STATED,
                                 expected=today + self.days(14, 250), ethnicity=origin.ethnicity,
                                 language=origin.language, disability=YesNoUnknown.UNKNOWN)
        return Member(person, MemberRole.UNBORN, today - self.days(0, 90))

    def draw_other_adult(self, origin, parent1, start) -> Member | None:
        """Sometimes a grandparent or a grown-up brother or sister lives with the family."""
        rng = self.rng
        if rng.random() >= 0.10:
            return None
        if rng.random() < 0.7:
            gp_dob = parent1.dob - self.days(17 * 365, 32 * 365)
            return self.draw_adult(origin, self.rng.choice([Gender.FEMALE, Gender.MALE]), gp_dob,
                                   origin.surname_for(Gender.FEMALE), start=start, role=MemberRole.OTHER_ADULT,
                                   kind="grandparent")
        sib_dob = self.between(self.years_ago(25), self.years_ago(18))
        return self.draw_adult(origin, rng.choice([Gender.FEMALE, Gender.MALE]), sib_dob, origin.surname,
                               start=start, role=MemberRole.OTHER_ADULT, kind="sibling")

    def draw_significant_other(self, origin, parent1, start, *, two_parents) -> Member | None:
        """Sometimes someone who lives elsewhere matters to the children: a parent or a grandparent."""
        rng = self.rng
        if rng.random() >= 0.15:
            return None
        if not two_parents and rng.random() < 0.6:
            gender = Gender.MALE if parent1.person.gender == Gender.FEMALE else Gender.FEMALE
            return self.draw_adult(origin, gender, parent1.dob - self.days(-900, 2500), origin.surname_for(gender),
                                   start=start, role=MemberRole.SIGNIFICANT_OTHER, lives_in=False, kind="parent")
        return self.draw_adult(origin, rng.choice([Gender.FEMALE, Gender.MALE]),
                               parent1.dob - self.days(17 * 365, 30 * 365), origin.surname_for(Gender.FEMALE),
                               start=start, role=MemberRole.SIGNIFICANT_OTHER, lives_in=False, kind="grandparent")

    def draw_departure(self, parent2):
        """A former member: sometimes the second parent has left the household."""
        today = self.today
        if (today - parent2.start).days > 260 and self.rng.random() < 0.06:
            leaving = self.between(parent2.start + datetime.timedelta(days=200), today - datetime.timedelta(days=30))
            if leaving > parent2.start:
                parent2.end = leaving

    def write_memberships(self, household_id, members):
        for member in members:
            self.row(Membership, id=self.ids(Membership), household_id=household_id, person_id=member.person.pk,
                     role=member.role, lives_in_household=member.lives_in, start_date=member.start,
                     end_date=member.end)

    def relate(self, a, b, kind, pr=False):
        """`a` is `kind` of `b` (a relationship runs one way)."""
        self.row(Relationship, id=self.ids(Relationship), person_id=a.person.pk, related_person_id=b.person.pk,
                 relationship=kind, has_parental_responsibility=pr)

    def write_relationships(self, young, parent1, parent2, step_parent, other_adult, significant):
        """Each adult's relationship to each child (and unborn child), the parents' to each other, and
        the children's to each other."""
        relate = self.relate
        for child in young:
            born = child.role != MemberRole.UNBORN
            relate(parent1, child, RelationshipType.PARENT, pr=born)
            if parent2:
                if step_parent:
                    relate(parent2, child, RelationshipType.STEP_PARENT, pr=False)
                else:
                    relate(parent2, child, RelationshipType.PARENT, pr=born)
            if other_adult:
                relate(other_adult, child, RelationshipType.GRANDPARENT if other_adult.kind == "grandparent"
                       else RelationshipType.SIBLING)
            if significant:
                if significant.kind == "parent":
                    relate(significant, child, RelationshipType.PARENT, pr=born and self.rng.random() < 0.8)
                else:
                    relate(significant, child, RelationshipType.GRANDPARENT)
        if parent2:
            relate(parent1, parent2, RelationshipType.PARTNER)
            relate(parent2, parent1, RelationshipType.PARTNER)
        for a in young:
            for b in young:
                if a is not b:
                    relate(a, b, RelationshipType.SIBLING)

    def write_addresses(self, members, start):
        """The household's address, with a house move for some families; members who live elsewhere
        or have left have an address of their own."""
        rng, today = self.rng, self.today
        home = self.address_fields()
        moved_on = None
        if rng.random() < 0.25 and (today - start).days > 90:
            moved_on = self.between(start + datetime.timedelta(days=30), today - datetime.timedelta(days=30))
            previous = self.address_fields()
        for member in members:
            if member.role == MemberRole.UNBORN:
                continue
            if not member.lives_in or member.end:
                since = member.start if member.lives_in is False else member.end + datetime.timedelta(days=1)
                self.row(Address, id=self.ids(Address), person_id=member.person.pk, valid_from=since,
                         **self.address_fields())
                continue
            since = member.start
            if member.role != MemberRole.CHILD:
                since = min(since, member.dob + datetime.timedelta(days=18 * 365))
            if moved_on and since < moved_on:
                self.row(Address, id=self.ids(Address), person_id=member.person.pk, valid_from=since,
                         valid_to=moved_on - datetime.timedelta(days=1), **previous)
                since = moved_on
            self.row(Address, id=self.ids(Address), person_id=member.person.pk, valid_from=since, **home)

    def write_identifiers(self, members):
        """Identifiers that validate: NHS for most, UPN for school-age children, NI for adults."""
        rng, today = self.rng, self.today
        for member in members:
            person = member.person
            if person.date_of_birth is None:
                continue
            age = (today - person.date_of_birth).days // 365
            if rng.random() < 0.92:
                self.identifier(person.pk, IdentifierScheme.NHS)
            if member.role == MemberRole.CHILD and 4 <= age and rng.random() < 0.9:
                self.identifier(person.pk, IdentifierScheme.UPN)
            if age >= 16 and rng.random() < (0.85 if age >= 18 else 0.4):
                self.identifier(person.pk, IdentifierScheme.NI)
            if age >= 14 and rng.random() < (0.04 if age >= 18 else 0.03):
                self.identifier(person.pk, IdentifierScheme.PNC)

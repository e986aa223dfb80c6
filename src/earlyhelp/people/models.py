"""People, families (households), their memberships, relationships, identifiers and addresses.

Every column holding personal data carries a `db_comment`, so the schema is the data inventory.
Changes go through `people.services`; history is kept (rectification keeps what was there before).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from earlyhelp.records.provenance import Provenance
from earlyhelp.records.text import FreeTextField, PersonNameField, SHORT_TEXT_MAX_LENGTH

from .identifiers import IdentifierScheme


class Gender(models.TextChoices):
    # Ofsted ILACS Annex A codes.
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NOT_STATED = "not_stated", "Not stated or recorded"
    NEITHER = "neither", "Neither"


class Ethnicity(models.TextChoices):
    # DfE ethnicity codes, in the order Annex A lists them (a to t).
    WBRI = "WBRI", "White – British"
    WIRI = "WIRI", "White – Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy or Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class SpecialEducationalNeeds(models.TextChoices):
    NONE = "none", "No special educational needs"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHCP = "ehcp", "Education, health and care plan"
    UNKNOWN = "unknown", "Not known"


def age_on(date_of_birth, day) -> int:
    """Age in whole years on a day (a birthday on 29 February comes on 1 March in other years)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


class PersonQuerySet(models.QuerySet):
    def with_current_address(self):
        return self.prefetch_related(
            models.Prefetch("addresses", queryset=Address.objects.filter(valid_to__isnull=True), to_attr="current_addresses")
        )


class Person(Provenance):
    # The person-name rule (records.text) holds on every save, whichever door the name came through.
    given_name = PersonNameField(max_length=100, db_comment="Personal data: given name")
    family_name = PersonNameField(max_length=100, db_comment="Personal data: family name")
    preferred_name = PersonNameField(max_length=100, blank=True, db_comment="Personal data: name the person prefers")
    date_of_birth = models.DateField(null=True, blank=True, db_comment="Personal data: date of birth")
    expected_date_of_birth = models.DateField(
        null=True, blank=True, db_comment="Personal data: expected date of birth of an unborn child"
    )
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_STATED,
                              db_comment="Personal data: gender")
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT,
                                 db_comment="Special category: ethnic origin (DfE code)")
    first_language = models.CharField(max_length=60, blank=True, db_comment="Personal data: first language")
    interpreter_needed = models.BooleanField(default=False, db_comment="Personal data: interpreter needed")
    disability = models.CharField(max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
                                  db_comment="Special category: health (disability)")
    special_educational_needs = models.CharField(
        max_length=20, choices=SpecialEducationalNeeds.choices, default=SpecialEducationalNeeds.UNKNOWN,
        db_comment="Special category: health (SEN)",
    )
    # Phonetic keys of the names, kept in step by people.services, for search-first duplicate checks.
    family_name_key = models.CharField(max_length=40, db_index=True, editable=False,
                                       db_comment="Derived from personal data: phonetic key of family name")
    given_name_key = models.CharField(max_length=40, editable=False,
                                      db_comment="Derived from personal data: phonetic key of given name")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["family_name_key", "date_of_birth"], name="person_search_key"),
            models.Index(fields=["family_name_key", "given_name_key"], name="person_name_keys"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(expected_date_of_birth__isnull=True),
                name="person_born_or_expected_not_both",
            ),
        ]

    def __str__(self):
        return f"Person {self.pk}"

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def is_unborn(self):
        return self.date_of_birth is None and self.expected_date_of_birth is not None

    def age_on(self, day):
        return age_on(self.date_of_birth, day) if self.date_of_birth else None


class Identifier(Provenance):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=20, db_comment="Personal data: identifier (NHS, NI, UPN or PNC number)")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique_per_scheme"),
            models.UniqueConstraint(fields=["person", "scheme"], name="identifier_one_per_scheme_per_person"),
        ]

    def __str__(self):
        return f"{self.get_scheme_display()} for person {self.person_id}"


class Address(Provenance):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200, db_comment="Personal data: address")
    line_2 = models.CharField(max_length=200, blank=True, db_comment="Personal data: address")
    town = models.CharField(max_length=100, db_comment="Personal data: address")
    postcode = models.CharField(max_length=8, db_index=True, db_comment="Personal data: postcode")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="address_ends_after_it_starts",
            ),
            models.UniqueConstraint(fields=["person"], condition=Q(valid_to__isnull=True),
                                    name="address_one_current_per_person"),
        ]

    def __str__(self):
        return f"Address {self.pk}"


class Household(models.Model):
    """A family as early help works with it: the people in it come and go (`Membership`)."""

    reference = models.CharField(max_length=12, unique=True)
    is_restricted = models.BooleanField(
        default=False, help_text="Restricted records are hidden from search results and open only to named staff"
    )
    restriction_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the record is restricted")
    restriction_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    restriction_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = []

    def __str__(self):
        return self.reference


class MemberRole(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    CHILD = "child", "Child or young person"
    UNBORN = "unborn", "Unborn child"
    OTHER_ADULT = "other_adult", "Other adult in the household"
    SIGNIFICANT_OTHER = "significant_other", "Significant other (not living in the household)"


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    lives_in_household = models.BooleanField(default=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(fields=["household", "person"], condition=Q(end_date__isnull=True),
                                    name="membership_one_current_per_person_household"),
        ]

    def __str__(self):
        return f"Membership {self.pk}"

    @property
    def is_current(self):
        return self.end_date is None


class RelationshipType(models.TextChoices):
    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    CARER = "carer", "Carer or guardian"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    OTHER_RELATIVE = "other_relative", "Other relative"
    OTHER = "other", "Other significant person"


class Relationship(Provenance):
    """`person` is the `relationship` of `related_person`, e.g. person is the parent of related_person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    relationship = models.CharField(max_length=20, choices=RelationshipType.choices)
    has_parental_responsibility = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "related_person"], name="relationship_unique_pair"),
            models.CheckConstraint(condition=~Q(person=F("related_person")), name="relationship_not_with_self"),
        ]


class MarkerKind(models.TextChoices):
    """Statuses partners may see as markers without seeing the detail behind them."""

    OPEN_TO_CSC = "open_to_csc", "Open to children's social care"
    CHILD_PROTECTION = "child_protection", "Subject to a child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after child"
    EHCP = "ehcp", "Has an education, health and care plan"
    YOUNG_CARER = "young_carer", "Young carer"


class Marker(Provenance):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="markers")
    kind = models.CharField(max_length=30, choices=MarkerKind.choices,
                            db_comment="Special category marker (status only, no detail)")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="marker_ends_after_it_starts"),
        ]

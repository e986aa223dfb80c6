"""The partner organisation register, teams and the people who use the system.

A `User` is a practitioner: council staff or a partner's designated professional. Their role
decides what kind of work they do; which families they may see is decided by `earlyhelp.access`.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class OrganisationType(models.TextChoices):
    """The codes of the partner types installed with the system, for code and tests that name one. Which types
    exist is data: the privacy app's recipient types (P21), which the DPO adds to through the register, so
    `Organisation.type` has no fixed choices here; it is checked against that data (`type_choices`)."""

    LOCAL_AUTHORITY = "local_authority", "This council"
    SCHOOL = "school", "School or college"
    EARLY_YEARS = "early_years", "Early years setting"
    HEALTH = "health", "Health (GP, health visiting, school nursing, hospital)"
    POLICE = "police", "Police"
    PROBATION_YOUTH_JUSTICE = "probation_youth_justice", "Probation or youth justice"
    HOUSING = "housing", "Housing"
    DWP = "dwp", "Department for Work and Pensions / Jobcentre Plus"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER_LA = "other_la", "Another local authority"
    COMMISSIONED = "commissioned", "Commissioned provider"
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"


# The partner types the register knows, as (code, name). This app sits below the privacy app that keeps them, so
# the privacy app registers how to read them at start-up (`register_type_choices`) instead of being imported here.
_type_choices = None


def register_type_choices(provider) -> None:
    global _type_choices
    _type_choices = provider


def type_choices() -> list[tuple[str, str]]:
    """The partner organisation types in the register; OrganisationType's codes until the privacy app is ready."""
    return list(_type_choices()) if _type_choices else list(OrganisationType.choices)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=40, help_text="A partner type code from the register's recipient types")
    # Schools' DfE URN or ODS code for health bodies: how partners' own systems name them.
    reference = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["type", "name"], name="organisation_unique_name_per_type"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.type not in dict(type_choices()):
            raise ValidationError({"type": "Choose a partner type from the processing register's recipients"})


class Team(models.Model):
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    locality = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door / triage officer"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    PARTNER_PROFESSIONAL = "partner_professional", "Partner designated professional"
    DATA_TEAM = "data_team", "Performance and data team"
    DPO = "dpo", "Data protection officer"
    SYSTEM_ADMIN = "system_admin", "System administrator"


class User(AbstractUser):
    """A person who signs in: a practitioner of the council or a partner's designated professional."""

    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="practitioners")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    job_title = models.CharField(max_length=120, blank=True)

    first_name = models.CharField("first name", max_length=150, blank=True, db_comment="Staff personal data")
    last_name = models.CharField("last name", max_length=150, blank=True, db_comment="Staff personal data")
    email = models.EmailField("email address", blank=True, db_comment="Staff personal data")

    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            # Council casework roles belong to a team: access to families follows the team.
            models.CheckConstraint(
                condition=~models.Q(role__in=["lead_practitioner", "team_manager"]) | models.Q(team__isnull=False),
                name="casework_roles_have_a_team",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self):
        return self.get_full_name() or self.username

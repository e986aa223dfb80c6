"""Data the access policy needs beyond casework relationships."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from earlyhelp.organisations.models import OrganisationType
from earlyhelp.records.text import FreeTextField, SHORT_TEXT_MAX_LENGTH


class AccessExclusion(models.Model):
    """Someone who must not see this family's record ("who should not see this"): a named person, or everyone
    whose organisation is of a type the family named (for example "police" or "school").

    An exclusion beats every relationship: an excluded lead practitioner still gets a 404. One the family asked
    for when giving consent is linked to that consent (B3); a manager can also name someone. Lifting an
    exclusion ends it; the record of it is kept.
    """

    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="access_exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_exclusions",
                             null=True, blank=True)
    organisation_type = models.CharField(max_length=40, blank=True, choices=OrganisationType.choices,
                                         help_text="Everyone working for an organisation of this type")
    consent = models.ForeignKey("privacy.Consent", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="exclusions", help_text="The consent the family asked for it with")
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why this person must not see the record")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Lifting an exclusion keeps the record of it (who, when), rather than deleting it.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "user"], condition=models.Q(ended_at__isnull=True),
                                    name="exclusion_once"),
            models.UniqueConstraint(fields=["household", "organisation_type"],
                                    condition=models.Q(ended_at__isnull=True) & ~models.Q(organisation_type=""),
                                    name="exclusion_of_a_type_once"),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True) | models.Q(ended_by__isnull=False),
                                   name="exclusion_end_has_who"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, organisation_type="")
                | models.Q(user__isnull=True) & ~models.Q(organisation_type=""),
                name="exclusion_names_a_person_or_an_organisation_type"),
            # The council itself can never be excluded: nobody could then work with the family.
            models.CheckConstraint(condition=~models.Q(organisation_type="local_authority"),
                                   name="exclusion_not_of_the_council"),
        ]

    @property
    def excluded_label(self) -> str:
        if self.user_id:
            return str(self.user)
        return OrganisationType(self.organisation_type).label


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the token is shown once when issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        raw = "eh_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=cls.hash(raw)), raw


class EmergencyAccess(models.Model):
    """Break-glass access: a practitioner with no relationship opens a family for a stated reason.

    It lasts a short, fixed time; every read during it is audited as usual and carries the
    "emergency" relationship; the team manager and the DPO review every grant afterwards.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_access")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="emergency_access")
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why emergency access was needed")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the manager's review of the emergency access")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="emergency_access_has_a_reason"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("started_at")),
                                   name="emergency_access_expires_after_it_starts"),
            models.CheckConstraint(condition=models.Q(reviewed_at__isnull=True) | models.Q(reviewed_by__isnull=False),
                                   name="emergency_access_review_has_who"),
        ]


class AccessReview(models.Model):
    """A manager's periodic confirmation (or removal) of a partner's access to a family (P18)."""

    taf_member = models.ForeignKey("casework.TafMember", on_delete=models.PROTECT, related_name="access_reviews")
    confirmed = models.BooleanField(help_text="False: the access was removed")
    note = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the partner's access was confirmed or removed")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at"]

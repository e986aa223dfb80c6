"""Data the access policy needs beyond casework relationships."""

import hashlib
import secrets

from django.conf import settings
from django.db import models


class AccessExclusion(models.Model):
    """A named person who must not see this family's record ("who should not see this").

    An exclusion beats every relationship: an excluded lead practitioner still gets a 404.
    """

    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="access_exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_exclusions")
    reason = models.TextField(db_comment="Personal data: why this person must not see the record")
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
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True) | models.Q(ended_by__isnull=False),
                                   name="exclusion_end_has_who"),
        ]


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
    reason = models.TextField(db_comment="Personal data: why emergency access was needed")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, db_comment="Personal data: the manager's review of the emergency access")

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
    note = models.TextField(blank=True, db_comment="Personal data: why the partner's access was confirmed or removed")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at"]

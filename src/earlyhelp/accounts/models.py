"""Sign-in state beside django-otp's devices: tracked sessions, failed sign-ins and used recovery codes (P23).

Nothing here holds personal data beyond what the audit trail already holds about staff: a session has a coarse
browser summary ("Firefox on Windows"), never the full user agent; failed sign-ins keep a keyed hash of the typed
username, never the name itself (it may be someone's name, or a password typed into the wrong box).
"""

from django.conf import settings
from django.db import models


class EndReason(models.TextChoices):
    SIGNED_OUT = "signed_out", "Signed out"
    ENDED_BY_USER = "ended_by_user", "Ended by the user"
    ENDED_BY_ADMINISTRATOR = "ended_by_administrator", "Ended by an administrator"
    ACCOUNT_DISABLED = "account_disabled", "Account disabled"
    SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"
    PASSWORD_SET = "password_set", "Password set"


class UserSession(models.Model):
    """One signed-in browser session: what its user (or an administrator) sees and can end."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions")
    device_summary = models.CharField(max_length=80, help_text="Browser and system only, e.g. Firefox on Windows")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_open")]

    def __str__(self):
        return f"Session {self.pk}"


class SignInFailure(models.Model):
    """A failed sign-in (password or second factor), counted across accounts and addresses to catch a spray."""

    occurred_at = models.DateTimeField(db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True, db_comment="Staff device address")
    account_key = models.CharField(max_length=64, db_index=True, help_text="Keyed hash of the typed username")

    class Meta:
        indexes = [models.Index(fields=["source_ip", "occurred_at"], name="signinfailure_ip_time")]


class UsedRecoveryCode(models.Model):
    """A recovery code that has been used (django-otp deletes it), so a second use gets a specific refusal."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="used_recovery_code_once")]

"""What we sent to members of the public who used an online form: one row per acknowledgement.

The row is written inside the submission's transaction (outcome "queued"), so the record that an acknowledgement
is owed commits with the submission or not at all; the message goes out after the commit and the row then says
whether it was sent or failed. A failure never loses the submission.

Which retention class: a message is part of the record of the submission it acknowledges (a rights request, a
request for help) and goes with it: the app that owns the submission deletes its messages when that submission's
personal data is disposed of (`services.forget`).
"""

from django.db import models
from django.db.models import Q


class Outcome(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class SentMessage(models.Model):
    kind = models.CharField(max_length=40, help_text="Which acknowledgement (and so which message template)")
    template = models.CharField(max_length=100, help_text="The message template used")
    reference = models.CharField(max_length=40, db_index=True, help_text="The reference of what it acknowledges")
    to_address = models.CharField(max_length=254,
                                  db_comment="Personal data: the email address the requester typed in the form")
    queued_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.QUEUED)
    failure = models.CharField(max_length=100, blank=True,
                               help_text="The kind of error when sending failed (its class name, never its text)")

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="queued", attempted_at__isnull=True)
                                   | (~Q(outcome="queued") & Q(attempted_at__isnull=False)),
                                   name="sent_message_attempt_has_when"),
            models.CheckConstraint(condition=Q(outcome="failed") | Q(failure=""),
                                   name="sent_message_failure_only_when_failed"),
        ]

    def __str__(self):
        return f"Message {self.pk}"

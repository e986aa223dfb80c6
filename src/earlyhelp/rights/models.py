"""Rights requests: access, rectification, erasure, restriction, objection, portability, complaints (P5, P19, P25).

The subject is kept as a nullable link: an approved erasure removes the person and leaves the request,
scrubbed of personal data, as the record of what was done.
"""

from django.conf import settings
from django.db import models


class RequestKind(models.TextChoices):
    ACCESS = "access", "See the information we hold (subject access)"
    RECTIFICATION = "rectification", "Correct information"
    ERASURE = "erasure", "Delete information"
    RESTRICTION = "restriction", "Restrict how information is used"
    OBJECTION = "objection", "Object to how information is used"
    PORTABILITY = "portability", "Move information to another organisation (portability)"
    CONSENT_WITHDRAWAL = "consent_withdrawal", "Withdraw consent"
    COMPLAINT = "complaint", "Complaint to the Data Protection Officer"


class RightsRequest(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=30, choices=RequestKind.choices)
    subject = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="rights_requests", help_text="The person the request is about")
    received_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return self.reference

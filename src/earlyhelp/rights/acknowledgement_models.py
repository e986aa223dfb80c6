"""The acknowledgement of a data protection complaint (DPA 2018 s164A, inserted by the Data (Use and Access) Act
2025: from 19 June 2026 a controller must acknowledge a complaint within 30 days of receiving it). The rule and
its clock are `rights.acknowledgement`."""

from django.conf import settings
from django.db import models


class AcknowledgementMethod(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    PHONE = "phone", "Telephone"
    FACE_TO_FACE = "face_to_face", "Face to face"
    WEB = "web", "Online (automatic reply)"


class ComplaintAcknowledgement(models.Model):
    request = models.OneToOneField("rights.RightsRequest", on_delete=models.CASCADE, related_name="acknowledgement")
    acknowledged_on = models.DateField()
    method = models.CharField(max_length=20, choices=AcknowledgementMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Acknowledgement of {self.request_id}"

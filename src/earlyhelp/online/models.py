"""Requests made online, kept from the first answer (issue 15): a draft until it is sent, then waiting for the front
door, who decides who it is about and records it as a contact (P13: nothing here is ever linked to a person by
itself).

What the council may change about the public service is data too: the age under which a young person needs a
parent's or guardian's permission (P24), and the help lines offered instead.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from earlyhelp.casework.models import Contact
from earlyhelp.records.text import FreeTextField, SHORT_TEXT_MAX_LENGTH

# Letters and digits nobody confuses when reading a reference out on the phone (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_GROUPS = 3  # "EH-ACDE-FGHJ-KMNP": 12 characters from 25, about 56 bits: not guessable


def new_reference() -> str:
    groups = ["".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4)) for _ in range(REFERENCE_GROUPS)]
    return "EH-" + "-".join(groups)


class Route(models.TextChoices):
    PROFESSIONAL = "professional", "I work with a family and want to ask for support for them"
    SELF = "self", "I want to ask for help for myself or my family"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Not sent yet"
    SUBMITTED = "submitted", "Waiting for the front door"
    RECORDED = "recorded", "Recorded as a contact"
    CLOSED = "closed", "Closed without a contact"


class HelpRequest(models.Model):
    """One "Ask for early help" request: its answers are saved as each page is answered."""

    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    route = models.CharField(max_length=20, choices=Route.choices)
    answers = models.JSONField(default=dict, blank=True,
                               db_comment="Personal data: the answers given online (names, date of birth, contact "
                                          "details, the reason for asking, which may hold special category data)")
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="online_request")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    # The front door's decision not to record it (a duplicate, a test, not enough to go on), with its reason.
    closed_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the front door closed the request")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | (~Q(status="draft") & Q(submitted_at__isnull=False)),
                name="online_request_sent_has_when"),
            models.CheckConstraint(
                condition=Q(status="recorded", contact__isnull=False, recorded_by__isnull=False,
                            recorded_at__isnull=False)
                | (~Q(status="recorded") & Q(contact__isnull=True, recorded_by__isnull=True, recorded_at__isnull=True)),
                name="online_request_recorded_has_contact_who_and_when"),
            models.CheckConstraint(
                condition=(Q(status="closed", closed_by__isnull=False, closed_at__isnull=False) & ~Q(closed_reason=""))
                | (~Q(status="closed") & Q(closed_by__isnull=True, closed_at__isnull=True, closed_reason="")),
                name="online_request_closed_has_who_when_and_why"),
        ]

    def __str__(self):
        return f"Online request {self.pk}"


class PermissionAge(models.Model):
    """P24: a young person younger than this (on the day they ask) needs a parent's or guardian's permission to
    ask online. One row; without one the age is `DEFAULT_PERMISSION_AGE`."""

    age = models.PositiveSmallIntegerField(default=13)

    class Meta:
        verbose_name = "age needing a parent's permission online"

    def __str__(self):
        return f"Under {self.age}s need a parent's or guardian's permission"


DEFAULT_PERMISSION_AGE = 13


class HelpLine(models.Model):
    """A help line offered to a young person who cannot ask online on their own (the council keeps the list)."""

    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=300, blank=True)
    website = models.URLField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

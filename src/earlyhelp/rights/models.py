"""Rights requests: access, rectification, erasure, restriction, objection, portability, complaints (P5, P19, P25).

The subject is kept as a nullable link: an approved erasure removes the person and leaves the request,
scrubbed of personal data, as the record of what was done. For that reason no database constraint
depends on a personal-data column being filled in (the scrub blanks them): the services check those.

Changes go through `rights.services`; the statutory clock is `rights.deadlines`; a restriction's effect on
the rest of the system is `access.restrictions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, PersonNameField, SHORT_TEXT_MAX_LENGTH


class RequestKind(models.TextChoices):
    ACCESS = "access", "See the information we hold (subject access)"
    RECTIFICATION = "rectification", "Correct information"
    ERASURE = "erasure", "Delete information"
    RESTRICTION = "restriction", "Restrict how information is used"
    OBJECTION = "objection", "Object to how information is used"
    PORTABILITY = "portability", "Move information to another organisation (portability)"
    CONSENT_WITHDRAWAL = "consent_withdrawal", "Withdraw consent"
    COMPLAINT = "complaint", "Complaint to the Data Protection Officer"
    AUTOMATED_DECISION = "automated_decision", "Challenge a decision made without a person"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_ID = "awaiting_id", "Waiting for proof of identity or authority"
    AWAITING_CLARIFICATION = "awaiting_clarification", "Waiting for clarification (clock paused)"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.AWAITING_ID, RequestStatus.AWAITING_CLARIFICATION,
                 RequestStatus.IN_PROGRESS)
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.REFUSED)


class Channel(models.TextChoices):
    """How the request reached us (P22): a request is valid however it is made."""

    WRITING = "writing", "Letter"
    EMAIL = "email", "Email"
    WEB = "web", "Online form"
    PHONE = "phone", "Telephone"
    FACE_TO_FACE = "face_to_face", "Face to face"
    PRACTITIONER = "practitioner", "Through a practitioner"


class RequesterRelationship(models.TextChoices):
    SELF = "self", "The person themselves"
    PARENT_CARER = "parent_carer", "Parent or carer"
    WRITTEN_AUTHORITY = "written_authority", "Someone with the person's written authority"
    SOLICITOR = "solicitor", "Solicitor or other legal representative"
    OTHER = "other", "Someone else"


class IdentityCheck(models.TextChoices):
    SEEN = "seen", "We have seen proof of identity (and authority, if they act for someone else)"
    REQUESTED = "requested", "We have asked for proof of identity or authority"
    NOT_NEEDED = "not_needed", "Not needed: we are sure who they are"
    NOT_YET = "not_yet", "Not checked yet: the request came through the online form"


class Outcome(models.TextChoices):
    COMPLIED = "complied", "Done as asked"
    PARTLY = "partly", "Partly done"
    DISPUTED = "disputed", "Not corrected: the record is marked as disputed"
    REFUSED = "refused", "Refused (manifestly unfounded or excessive, or an exemption applies)"
    REFUSED_PUBLIC_TASK = "refused_public_task", "Refused because processing is a public task"
    OBJECTION_UPHELD = "objection_upheld", "Objection upheld: no compelling grounds, so that use stops"
    COMPELLING_GROUNDS = "compelling_grounds", "Objection not upheld: compelling legitimate grounds override it"
    NOT_APPLICABLE = "not_applicable", "The right does not apply: answer given"
    UPHELD = "upheld", "Complaint upheld"
    PARTLY_UPHELD = "partly_upheld", "Complaint partly upheld"
    NOT_UPHELD = "not_upheld", "Complaint not upheld"


class RightsRequest(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=30, choices=RequestKind.choices)
    subject = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="rights_requests", help_text="The person the request is about")
    received_on = models.DateField()
    # Empty only for a request the requester made through the online form themselves (a constraint says so):
    # nobody on the staff recorded it.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WRITING)
    details = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: what the person asked for, in their words")
    status = models.CharField(max_length=30, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    # Who the request is about, as an online requester described them: the DPO matches them to a record (`subject`);
    # nothing matches them automatically.
    subject_name = PersonNameField(max_length=200, blank=True,
                                    db_comment="Personal data: the name of the person the request is about, as given")
    subject_date_of_birth = models.DateField(
        null=True, blank=True, db_comment="Personal data: their date of birth, as given by an online requester")

    # Who asked, and how to reply to them.
    requester_person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="rights_requests_made",
                                         help_text="The requester, when they are on our records")
    requester_name = PersonNameField(max_length=200, blank=True,
                                      db_comment="Personal data: name of the person who made the request")
    requester_relationship = models.CharField(max_length=20, choices=RequesterRelationship.choices)
    requester_relationship_detail = models.CharField(
        max_length=200, blank=True, db_comment="Personal data: how the requester is connected to the person")
    requester_address = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: requester's postal address")
    requester_email = models.CharField(max_length=254, blank=True, db_comment="Personal data: requester's email")
    requester_phone = models.CharField(max_length=40, blank=True, db_comment="Personal data: requester's telephone")

    # Identity and authority.
    identity_check = models.CharField(max_length=20, choices=IdentityCheck.choices, default=IdentityCheck.SEEN)
    id_requested_on = models.DateField(null=True, blank=True)
    id_seen_on = models.DateField(null=True, blank=True, help_text="When proof of identity or authority arrived")
    id_evidence = models.CharField(max_length=300, blank=True,
                                   db_comment="Personal data: the proof of identity seen, or why none was needed")
    authority_evidence = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True, db_comment="Personal data: the written authority or other evidence of acting for the person")
    parental_responsibility_checked = models.BooleanField(
        default=False, help_text="A recorded relationship gives the requester parental responsibility for the child")
    child_authority = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True,
                                       db_comment="Personal data: how the child gave the requester authority")
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")

    # The statutory clock (rights.deadlines computes due_on; it is stored for the dashboard's queries).
    clock_started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True,
                              help_text="Empty while the clock has not started or is paused")
    extension_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the request needs more time")
    extension_notified_on = models.DateField(null=True, blank=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    extended_at = models.DateTimeField(null=True, blank=True)

    # Links into the privacy core.
    consent = models.ForeignKey("privacy.Consent", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="rights_requests", help_text="The consent being withdrawn")
    corrected_fields = models.JSONField(default=list, blank=True,
                                        help_text="Codes of the fields corrected under this request (values are in "
                                                  "the record's history)")

    # The decision.
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the reasons for the decision")
    response_text = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the answer given to the requester")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", decided_by__isnull=True, decided_at__isnull=True, completed_on__isnull=True)
                | (~Q(outcome="") & Q(decided_by__isnull=False, decided_at__isnull=False, completed_on__isnull=False)),
                name="rights_request_decision_has_who_and_when"),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "refused"], decided_at__isnull=False)
                | (~Q(status__in=["completed", "refused"]) & Q(decided_at__isnull=True)),
                name="rights_request_closed_only_by_a_decision"),
            models.CheckConstraint(
                condition=Q(extended_at__isnull=True, extended_by__isnull=True, extension_notified_on__isnull=True)
                | Q(extended_at__isnull=False, extended_by__isnull=False, extension_notified_on__isnull=False),
                name="rights_request_extension_has_who_and_when"),
            # The clock waits for proof the DPO asked for; a request from the online form starts its clock on the
            # day it arrived and keeps it while the DPO checks who sent it (see `services.online`).
            models.CheckConstraint(condition=~Q(status="awaiting_id") | Q(clock_started_on__isnull=True)
                                   | Q(identity_check="not_yet"),
                                   name="rights_request_clock_waits_for_id"),
            models.CheckConstraint(condition=Q(recorded_by__isnull=False) | Q(channel="web"),
                                   name="rights_request_recorded_by_staff_or_online"),
            models.CheckConstraint(condition=~Q(identity_check="not_yet") | Q(status="awaiting_id"),
                                   name="rights_request_unchecked_waits_for_id"),
            models.CheckConstraint(condition=Q(clock_started_on__isnull=True)
                                   | Q(clock_started_on__gte=F("received_on")),
                                   name="rights_request_clock_starts_on_or_after_receipt"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="rights_request_status_due")]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None

    @property
    def requester_display(self) -> str:
        if self.requester_name:
            return self.requester_name
        if self.requester_person_id:
            return self.requester_person.full_name
        return "Not recorded"


class ClockPause(models.Model):
    """The clock stops while we wait for clarification we need to answer (UK GDPR Article 12A, DUAA 2025)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField(help_text="When we asked for clarification")
    ended_on = models.DateField(null=True, blank=True, help_text="When the clarification arrived")
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: what we asked the requester to clarify")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="clock_pause_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True, ended_by__isnull=True)
                                   | Q(ended_on__isnull=False, ended_by__isnull=False),
                                   name="clock_pause_end_has_who"),
            models.UniqueConstraint(fields=["request"], condition=Q(ended_on__isnull=True),
                                    name="clock_pause_one_open_per_request"),
        ]

    def __str__(self):
        return f"Clock pause {self.pk}"

    @property
    def days(self) -> int | None:
        return (self.ended_on - self.started_on).days if self.ended_on else None


class RecordDispute(models.Model):
    """The council did not agree that a record is wrong: the record says the person disagrees (P5)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="record_disputes")
    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="disputes")
    disputed = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: what the person says is wrong")
    statement = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data: the person's statement, in their words")
    council_reason = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data: why the council did not change the record")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"Record dispute {self.pk}"


class ProcessingRestriction(models.Model):
    """Use of a person's record is restricted (UK GDPR Article 18): stored, read only where audited, not changed.

    Lifting is recorded on the row, never by deleting it.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="processing_restrictions")
    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="restrictions")
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why use of the record is restricted")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the restriction was lifted")
    person_told_on = models.DateField(null=True, blank=True,
                                      help_text="When the person was told, before it was lifted (Article 18(3))")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True, person_told_on__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False, person_told_on__isnull=False),
                name="restriction_lifting_has_who_and_when"),
            models.UniqueConstraint(fields=["person"], condition=Q(lifted_at__isnull=True),
                                    name="restriction_one_active_per_person"),
        ]

    def __str__(self):
        return f"Processing restriction {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class NotificationMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    LETTER = "letter", "Letter"
    PHONE = "phone", "Telephone, confirmed in writing"
    NOT_POSSIBLE = "not_possible", "Not told: impossible or would take disproportionate effort"


class RecipientNotification(models.Model):
    """Someone we disclosed the family's information to, who must be told of a correction, erasure or
    restriction (UK GDPR Article 19). Listed when the decision is made; the telling is recorded later."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    disclosures = models.JSONField(default=list, help_text="Ids of the disclosures that reached this recipient")
    notified_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=NotificationMethod.choices, blank=True)
    note = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: what was said, or why telling was not possible")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(method="", notified_on__isnull=True, recorded_by__isnull=True)
                                   | (~Q(method="") & Q(notified_on__isnull=False, recorded_by__isnull=False)),
                                   name="notification_has_how_when_and_who"),
            models.UniqueConstraint(fields=["request", "organisation"], name="notification_once_per_recipient"),
        ]

    def __str__(self):
        return f"Notification {self.pk}"

    @property
    def is_done(self) -> bool:
        return bool(self.method)


class MentionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    INCLUDE = "include", "Include in the pack"
    LEAVE_OUT = "leave_out", "Leave out of the pack"


class OtherFamilyMention(models.Model):
    """A record of another family that seems to mention the person a pack is about (their name or an identifier
    found in its text). Nothing from another family reaches a pack until a person includes it, with a reason (P13,
    P19); what is included is then reviewed for that family's people like the rest of the pack."""

    pack = models.ForeignKey("privacy.SubjectAccessPack", on_delete=models.CASCADE, related_name="mentions")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+",
                                  help_text="The other family whose record it is")
    record = models.CharField(max_length=80, help_text='The record, as "app_label.Model:id"')
    field = models.CharField(max_length=60, help_text="The column the mention is in")
    found = models.CharField(max_length=40, help_text="What was found: the person's name or which identifier")
    status = models.CharField(max_length=20, choices=MentionStatus.choices, default=MentionStatus.PENDING)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why it is included or left out")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "record", "field"], name="mention_once_per_pack_field"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True, reason="")
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="mention_decided_by_a_person_with_a_reason"),
        ]

    def __str__(self):
        return f"Mention {self.pk}"


# A complaint's acknowledgement (from 19 June 2026) and a pack's background build live in their own modules.
from .acknowledgement_models import ComplaintAcknowledgement  # noqa: E402,F401
from .build_models import BuildStatus, SubjectAccessBuild  # noqa: E402,F401

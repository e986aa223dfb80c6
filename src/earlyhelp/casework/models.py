"""Casework: from first contact to closure.

Contact -> Episode (one open per family, enforced by the database) -> Allocation of a lead
practitioner -> Team Around the Family -> Assessment -> Plan and actions -> Reviews -> Closure.
Every state change is a function in `casework.services`.
"""

from django.conf import settings
from django.db import models
import datetime

from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from earlyhelp.organisations.models import Organisation, Team
from earlyhelp.people.models import Household, Person
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.records.provenance import Provenance
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, PersonNameField, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    """How information reached us (P22: every channel is recorded the same way)."""

    WEB = "web", "Web form"
    WRITING = "writing", "In writing (letter or form)"
    PHONE = "phone", "Telephone"
    EMAIL = "email", "Email"
    FACE_TO_FACE = "face_to_face", "Face to face"


class ContactSource(models.TextChoices):
    SELF = "self", "The family or a family member"
    MEMBER_OF_PUBLIC = "public", "A member of the public"
    SCHOOL = "school", "School or college"
    EARLY_YEARS = "early_years", "Early years setting"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    CSC = "csc", "Children's social care (step-down)"
    OTHER_LA = "other_la", "Another local authority"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


class ConsentAtReferral(models.TextChoices):
    GIVEN = "given", "The family has agreed to the referral"
    NOT_ASKED = "not_asked", "The family has not been asked yet"
    REFUSED = "refused", "The family does not agree"


class ContactStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting_decision", "Awaiting a decision"
    EPISODE_OPENED = "episode_opened", "Early help episode opened"
    SIGNPOSTED = "signposted", "Signposted to universal services"
    NO_FURTHER_ACTION = "nfa", "No further action"


class Contact(models.Model):
    """A contact or referral received at the front door, through any channel."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="contacts")
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts_about")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    source = models.CharField(max_length=20, choices=ContactSource.choices)
    source_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="contacts_made")
    referrer_name = models.CharField(max_length=120, blank=True, db_comment="Personal data: referrer's name")
    received_at = models.DateTimeField()
    reason = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data: why the family was referred (may hold special category)")
    consent_at_referral = models.CharField(max_length=20, choices=ConsentAtReferral.choices)
    status = models.CharField(max_length=20, choices=ContactStatus.choices, default=ContactStatus.AWAITING_DECISION)
    decision_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the contact was decided as it was")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="contacts_recorded")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="contacts",
                             help_text="The team the contact is routed to")

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="awaiting_decision", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="awaiting_decision") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="contact_decision_has_who_and_when",
            ),
        ]


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSURE_REQUESTED = "closure_requested", "Closure awaiting approval"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    OUTCOMES_MET = "outcomes_met", "Outcomes met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    STEPPED_DOWN = "stepped_down", "Stepped down to universal services"
    WITHDREW = "withdrew", "Family withdrew consent or disengaged"
    MOVED = "moved", "Moved out of area"
    OTHER = "other", "Other"


def _through(via: str, lookup: str) -> str:
    return f"{via}__{lookup}" if via else lookup


def episode_is_open(via: str = "") -> Q:
    """The one spelling of an open episode: not closed (open, or its closure awaiting approval), as
    `Episode.is_open` says of one episode. `via` reaches the episode through a relation, e.g. "episode" in a
    query on Team Around the Family members."""
    return ~Q(**{_through(via, "status"): EpisodeStatus.CLOSED})


def episode_is_current(via: str = "") -> Q:
    """The one spelling of a family's current episode: the open one, or the latest after closure (see
    `Episode.is_current`). `via` as for `episode_is_open`."""
    return Q(**{_through(via, "is_current"): True})


class EpisodeQuerySet(models.QuerySet):
    def open(self):
        """Episodes not closed: open, or their closure awaiting approval."""
        return self.filter(episode_is_open())

    def current(self):
        """Each family's current episode: the open one, or the latest after closure."""
        return self.filter(episode_is_current())


class Episode(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="episodes")
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="episode")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    lead_practitioner = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="episodes_led")
    status = models.CharField(max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)
    # The family's current episode: the open one, or the latest after closure. Access follows it,
    # so a team that held the family before keeps no rights once another team holds it.
    is_current = models.BooleanField(default=True)
    opened_on = models.DateField()
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_summary = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: closure summary")
    family_feedback = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the family's feedback (P10)")
    open_actions_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True, help_text="Why the episode is closing with plan actions still open",
        db_comment="Personal data: why the episode closes with plan actions still open")
    family_feedback_declined = models.BooleanField(default=False)
    closure_requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_on = models.DateField(null=True, blank=True)

    objects = EpisodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=~Q(status="closed"),
                                    name="episode_one_open_per_household"),
            models.UniqueConstraint(fields=["household"], condition=Q(is_current=True),
                                    name="episode_one_current_per_household"),
            models.CheckConstraint(condition=Q(status="closed") | Q(is_current=True),
                                   name="episode_open_is_current"),
            models.CheckConstraint(
                condition=Q(status="open", closure_reason="", closed_on__isnull=True)
                | Q(status="closure_requested", closed_on__isnull=True, closure_requested_by__isnull=False)
                & ~Q(closure_reason="")
                | Q(status="closed", closed_on__isnull=False, closed_by__isnull=False) & ~Q(closure_reason=""),
                name="episode_closure_has_reason_who_and_when",
            ),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                                   name="episode_closes_after_it_opens"),
        ]

    def __str__(self):
        return f"Episode {self.pk}"

    @property
    def is_open(self):
        return self.status != EpisodeStatus.CLOSED


class Allocation(models.Model):
    """History of who has been lead practitioner; `Episode.lead_practitioner` is the current one."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="allocations")
    practitioner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="allocations")
    allocated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    family_preference_noted = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, help_text="The family's view on who supports them",
                                               db_comment="Personal data: the family's view on who supports them")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode"], condition=Q(end_date__isnull=True),
                                    name="allocation_one_current_per_episode"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="allocation_ends_after_it_starts"),
        ]


class TafMember(models.Model):
    """A practitioner on the Team Around the Family for an episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="taf_members")
    practitioner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="taf_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # P16/P18: partners see special category sections only as markers unless this is granted.
    special_category_access = models.BooleanField(default=False)
    # Joining from outside the holding team is a disclosure (P7); consent-based ones end when consent is withdrawn.
    disclosure = models.OneToOneField("privacy.Disclosure", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="taf_member")
    # P8: the sections of the record this member sees (`privacy.DisclosureSection` codes), chosen at the invitation
    # and changed only through `services.team_around_family.change_taf_sections`. From outside the holding team
    # they see only these (`access.policy.sections`); the invitation's disclosure names exactly them.
    sections = models.JSONField(default=list, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "practitioner"], condition=Q(end_date__isnull=True),
                                    name="taf_member_once_per_episode"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="taf_member_ends_after_it_starts"),
        ]


class TafSectionChange(models.Model):
    """A change to the sections a Team Around the Family member sees (P8). Adding sections shares more, so it is a
    new disclosure (`disclosure`); removing them is recorded here, so the family's sharing log shows both."""

    member = models.ForeignKey(TafMember, on_delete=models.CASCADE, related_name="section_changes")
    added = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True)
    sections = models.JSONField(help_text="What the member sees after the change")
    disclosure = models.OneToOneField("privacy.Disclosure", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="taf_section_change")
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(added=[]) | ~Q(removed=[]), name="taf_section_change_changes"),
        ]


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Awaiting manager approval"
    APPROVED = "approved", "Approved"


class Assessment(models.Model):
    """The whole-family Early Help Assessment."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: reason for assessment")
    voice_of_child = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the child's lived experience in their words")
    analysis = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: practitioner's analysis")
    completed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    manager_comment = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the manager's comment on the assessment")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="assessment_approval_has_who_and_when",
            ),
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                                   name="assessment_completes_after_it_starts"),
            models.UniqueConstraint(fields=["episode"], condition=~Q(status="approved"),
                                    name="assessment_one_in_progress_per_episode"),
        ]


class AssessmentMember(models.Model):
    """Who the assessment covers: every household member and significant others."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    lives_in_household = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "person"], name="assessment_member_once")]


class DomainFinding(Provenance):
    """Strengths, needs and a 1–5 score for one headline area. A not-applicable area has no row (P1)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    area = models.ForeignKey(HeadlineArea, on_delete=models.PROTECT, related_name="+")
    strengths = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data; may be special category by area")
    needs = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data; may be special category by area")
    score = models.PositiveSmallIntegerField(help_text="1 = significant concern, 5 = no concern")

    class Meta:
        ordering = ["area__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="finding_once_per_area"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="finding_score_1_to_5"),
        ]


class Plan(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="plan")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


# An action still to do: neither done nor dropped.
OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


def action_is_open(via: str = "") -> Q:
    """The one spelling of a plan action still to do. `via` reaches the action through a relation."""
    return Q(**{_through(via, "status__in"): OPEN_ACTION_STATUSES})


def action_is_overdue(today: datetime.date | None = None, via: str = "") -> Q:
    """The one rule for an overdue plan action: still to do, and its due date has passed (due today is not
    overdue). Lists filter with this; `PlanAction.days_overdue` says the same of one action."""
    today = today or timezone.localdate()
    return action_is_open(via) & Q(**{_through(via, "due_date__lt"): today})


class PlanAction(models.Model):
    """Need -> action -> owner -> intended outcome -> due date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    area = models.ForeignKey(HeadlineArea, on_delete=models.PROTECT, related_name="+")
    need = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: the need this action meets")
    action = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: what will be done")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="plan_actions")
    intended_outcome = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: what will be different")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    progress_note = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: progress update from the owner")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def days_overdue_on(self, today: datetime.date) -> int:
        """Days past its due date on `today` while still to do (0 when not overdue), as `action_is_overdue`."""
        return max((today - self.due_date).days, 0) if self.is_open else 0

    @property
    def days_overdue(self) -> int:
        return self.days_overdue_on(timezone.localdate())


class Review(models.Model):
    """A Team Around the Family review: scheduled with a due date, then held."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    summary = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: review discussion and decisions")
    family_view = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the family's view")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | Q(recorded_by__isnull=False) & ~Q(summary=""),
                name="review_held_has_summary_and_recorder",
            ),
        ]


class TransitionKind(models.TextChoices):
    STEP_UP = "step_up", "Step-up to children's social care"
    STEP_DOWN = "step_down", "Step-down from children's social care"


class Transition(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="transitions")
    kind = models.CharField(max_length=20, choices=TransitionKind.choices)
    occurred_on = models.DateField()
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why the case moved (may hold special category)")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class CaseNote(Provenance):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    text = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data: case note (may hold special category)")
    is_sensitive = models.BooleanField(
        default=False, help_text="Special category or criminal offence information: partners see a marker only"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]


class DocumentKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    IMAGE = "image", "Image or photograph"
    AUDIO = "audio", "Voice recording"


class Document(Provenance):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200, db_comment="Personal data: document title")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    # P28: images and voice recordings only where required or part of therapeutic work.
    media_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, help_text="Why an image or recording is needed",
                                    db_comment="Personal data: why an image or recording is needed")
    file = models.FileField(upload_to="episodes/%Y/%m/", db_comment="Personal data: stored file")
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind="document") | ~Q(media_reason=""),
                                   name="document_media_needs_reason"),
        ]


class ReferralOut(models.Model):
    """A referral of the family to another service. What it sends is a disclosure, logged as one (P7, P8)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="referrals_out")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=200, help_text="The service the family is referred to")
    disclosure = models.OneToOneField("privacy.Disclosure", on_delete=models.PROTECT, related_name="referral_out")
    made_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField()

    class Meta:
        ordering = ["-made_on", "-pk"]


from .kept_pages.models import FamilyVersion, KeptFamilyPage, RecordEpoch  # noqa: E402,F401  (Django finds models here)

"""Every casework state change. Each function checks the actor's access through `earlyhelp.access`,
owns its transaction and writes its audit event inside it."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.records.provenance import SourceKind
from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.organisations.models import Organisation, Team, User
from earlyhelp.people.models import Household, Marker, MarkerKind, MemberRole, Person
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures
from earlyhelp.privacy.models import (
    LEGAL_REASON_BASES,
    DisclosureBasis,
    DisclosureKind,
    DisclosureSection,
)
from earlyhelp.programme import services as eligibility
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.access.restrictions import ensure_not_restricted

from .models import (
    ActionStatus,
    Allocation,
    Assessment,
    AssessmentMember,
    AssessmentStatus,
    CaseNote,
    ClosureReason,
    Contact,
    ContactSource,
    ContactStatus,
    Document,
    DocumentKind,
    DomainFinding,
    Episode,
    EpisodeStatus,
    Plan,
    PlanAction,
    ReferralOut,
    Review,
    TafMember,
    Transition,
    TransitionKind,
)

PURPOSE = Purpose.EARLY_HELP_CASEWORK
# Contacts are recorded as they arrive; one back-dated by more than a year is almost certainly a typing error.
EARLIEST_CONTACT = datetime.timedelta(days=366)


def _audit(by, action, event, obj, household_id, **metadata):
    audit.record(actor=by, action=action, event=event, purpose=PURPOSE, objects=[obj], household_id=household_id,
                 metadata=metadata)


def _require(user, household_id, need, *, changes_record=True):
    access = policy.family_access(user, household_id)
    if access is None or not getattr(access, need):
        raise PermissionDenied("You do not have permission to do this for this family")
    if changes_record:  # a family with a member whose record is restricted (UK GDPR Article 18) is read-only
        ensure_not_restricted(household=household_id)
    return access


def _source(kind, organisation) -> dict:
    """Provenance fields (P17): a partner organisation is kept only when a partner gave the information."""
    return {"source_kind": kind, "source_organisation": organisation if kind == SourceKind.PARTNER else None}


def _today():
    return timezone.localdate()


def _require_open(episode):
    if not episode.is_open:
        raise ValidationError("This episode is closed: its record can no longer be changed")


# --- Front door -------------------------------------------------------------------------------

@transaction.atomic
def record_contact(*, by: User, household: Household, subject: Person, team: Team, channel: str, source: str,
                   reason: str, consent_at_referral: str, received_at: datetime.datetime | None = None,
                   source_organisation: Organisation | None = None, referrer_name: str = "") -> Contact:
    if not policy.may_record_contact_about(by, household):
        raise PermissionDenied("You cannot record a contact about this family")
    ensure_not_restricted(person=subject, household=household)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the contact"})
    if received_at is not None:
        if timezone.is_naive(received_at):
            raise ValidationError({"received_at": "The time received must include a time zone"})
        if received_at > timezone.now():
            raise ValidationError({"received_at": "The date received must be today or in the past"})
        if received_at < timezone.now() - EARLIEST_CONTACT:
            raise ValidationError({"received_at": "The date received must be within the last year"})
    if not household.memberships.filter(person=subject, end_date__isnull=True).exists():
        raise ValidationError({"subject": "The person the contact is about must be a current member of the family"})
    contact = Contact.objects.create(
        household=household, subject=subject, team=team, channel=channel, source=source,
        source_organisation=source_organisation, referrer_name=referrer_name.strip(), reason=reason.strip(),
        consent_at_referral=consent_at_referral, received_at=received_at or timezone.now(), recorded_by=by,
    )
    _audit(by, Action.CREATE, "contact.create", contact, household.pk, channel=channel, source=source)
    return contact


@transaction.atomic
def decide_contact(*, by: User, contact: Contact, decision: str, reason: str = "") -> Contact:
    """A team manager decides what happens next: open an episode, signpost, or no further action."""
    if not policy.may_decide_contact(by, contact):
        raise PermissionDenied("Only a manager of the team the contact was sent to can decide on it")
    ensure_not_restricted(household=contact.household_id)
    if contact.status != ContactStatus.AWAITING_DECISION:
        raise ValidationError("A decision has already been made on this contact")
    if decision not in {ContactStatus.EPISODE_OPENED, ContactStatus.SIGNPOSTED, ContactStatus.NO_FURTHER_ACTION}:
        raise ValidationError({"decision": "Select what happens next"})
    if decision != ContactStatus.EPISODE_OPENED and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the decision"})
    contact.status, contact.decision_reason = decision, reason.strip()
    contact.decided_by, contact.decided_at = by, timezone.now()
    contact.save()
    _audit(by, Action.CHANGE, "contact.decide", contact, contact.household_id, decision=decision)
    if decision == ContactStatus.EPISODE_OPENED:
        episode = _open_episode(by=by, household=contact.household, team=contact.team, contact=contact)
        if contact.source == ContactSource.CSC:
            Transition.objects.create(episode=episode, kind=TransitionKind.STEP_DOWN, occurred_on=_today(),
                                      reason=reason.strip() or contact.reason, decided_by=by)
            _audit(by, Action.CREATE, "episode.step_down", episode, episode.household_id)
    return contact


def _open_episode(*, by, household, team, contact=None, opened_on=None) -> Episode:
    try:
        with transaction.atomic():
            household.episodes.filter(is_current=True, status=EpisodeStatus.CLOSED).update(is_current=False)
            episode = Episode.objects.create(household=household, team=team, contact=contact,
                                             opened_on=opened_on or _today())
    except IntegrityError as error:
        if household.episodes.exclude(status=EpisodeStatus.CLOSED).exists():
            raise ValidationError("This family already has an open early help episode") from error
        raise
    Review.objects.create(episode=episode, due_on=episode.opened_on + datetime.timedelta(
        weeks=settings.EARLYHELP_REVIEW_INTERVAL_WEEKS))
    _audit(by, Action.CREATE, "episode.open", episode, household.pk)
    return episode


@transaction.atomic
def open_episode(*, by: User, household: Household, team: Team, opened_on=None) -> Episode:
    if not policy.manages_team(by, team.pk):
        raise PermissionDenied("Only a manager of the team can open an episode for it")
    ensure_not_restricted(household=household)
    return _open_episode(by=by, household=household, team=team, opened_on=opened_on)


# --- Allocation and the Team Around the Family -------------------------------------------------

@transaction.atomic
def allocate(*, by: User, episode: Episode, practitioner: User, family_preference: str = "") -> Allocation:
    _require(by, episode.household_id, "can_manage")
    if not episode.is_open:
        raise ValidationError("This episode is closed")
    if not policy.may_lead_cases(practitioner):
        raise ValidationError({"practitioner": "Choose an active practitioner who can be a lead practitioner"})
    if episode.household.access_exclusions.filter(user=practitioner).exists():
        raise ValidationError({"practitioner": "This practitioner is named as someone who must not see this family"})
    episode.allocations.filter(end_date__isnull=True).update(end_date=_today())
    allocation = Allocation.objects.create(episode=episode, practitioner=practitioner, allocated_by=by,
                                           start_date=_today(), family_preference_noted=family_preference.strip())
    episode.lead_practitioner = practitioner
    episode.save()
    _audit(by, Action.CHANGE, "episode.allocate", episode, episode.household_id, practitioner_id=practitioner.pk)
    return allocation


# A Team Around the Family member sees the whole record the policy shows them (special category areas only
# as markers unless granted), so the invitation discloses every section.
TAF_SECTIONS = [section.value for section in DisclosureSection]


@transaction.atomic
def add_taf_member(*, by: User, episode: Episode, practitioner: User, special_category_access: bool = False,
                   basis: str | None = None, reason: str = "", approved_by: User | None = None) -> TafMember:
    """Invite a practitioner to the Team Around the Family. Anyone from outside the holding team receives the
    family's information, so the invitation goes through the disclosure log and its rules (P7): by default on the
    family's consent for a partner, on the public task for a colleague in the council."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError("This episode is closed")
    if not practitioner.is_active:
        raise ValidationError({"practitioner": "Choose an active practitioner"})
    if episode.household.access_exclusions.filter(user=practitioner, ended_at__isnull=True).exists():
        raise ValidationError({"practitioner": "This practitioner is named as someone who must not see this family"})
    if episode.taf_members.filter(practitioner=practitioner, end_date__isnull=True).exists():
        raise ValidationError({"practitioner": "This practitioner is already on the Team Around the Family"})
    disclosure = None
    if practitioner.team_id != episode.team_id:
        colleague = practitioner.organisation_id == episode.team.organisation_id
        basis = basis or (DisclosureBasis.PUBLIC_TASK if colleague else DisclosureBasis.CONSENT)
        if basis in LEGAL_REASON_BASES and not reason.strip():
            raise ValidationError({"reason": "Enter why you are sharing without consent: the reason is recorded"})
        grant = "with access to special category areas" if special_category_access else \
            "special category areas shown only as markers"
        disclosure = disclosures.record_disclosure(
            by=by, household=episode.household, recipient_organisation=practitioner.organisation,
            recipient_person=practitioner.get_full_name(),
            purpose_code=disclosures.purpose_for(basis, within_council=colleague), basis=basis,
            sections=TAF_SECTIONS, reason=reason.strip() or f"Invited to the Team Around the Family ({grant})",
            approved_by=approved_by, kind=DisclosureKind.TAF_INVITATION)
    member = TafMember.objects.create(episode=episode, practitioner=practitioner,
                                      organisation=practitioner.organisation, added_by=by, start_date=_today(),
                                      special_category_access=special_category_access, disclosure=disclosure)
    _audit(by, Action.CHANGE, "taf.add", member, episode.household_id, practitioner_id=practitioner.pk,
           special_category_access=special_category_access)
    return member


@transaction.atomic
def end_taf_member(*, by: User, member: TafMember) -> TafMember:
    _require(by, member.episode.household_id, "can_work_on_case", changes_record=False)  # less sharing: allowed
    member.end_date = _today()
    member.save()
    _audit(by, Action.CHANGE, "taf.end", member, member.episode.household_id)
    return member


@transaction.atomic
def refer_out(*, by: User, episode: Episode, organisation: Organisation, service: str, sections, reason: str,
              basis: str = DisclosureBasis.CONSENT, recipient_person: str = "", approved_by: User | None = None,
              ) -> ReferralOut:
    """Refer the family to another service. What the referral sends is a disclosure and must pass its rules."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError("This episode is closed")
    if not service.strip():
        raise ValidationError({"service": "Enter the service the family is being referred to"})
    disclosure = disclosures.record_disclosure(
        by=by, household=episode.household, recipient_organisation=organisation, recipient_person=recipient_person,
        purpose_code=disclosures.purpose_for(basis), basis=basis, sections=sections, reason=reason,
        approved_by=approved_by, kind=DisclosureKind.REFERRAL)
    referral = ReferralOut.objects.create(episode=episode, organisation=organisation, service=service.strip(),
                                          disclosure=disclosure, made_by=by, made_on=_today())
    _audit(by, Action.CREATE, "referral_out.create", referral, episode.household_id, organisation_id=organisation.pk)
    return referral


# --- Assessment --------------------------------------------------------------------------------

@transaction.atomic
def start_assessment(*, by: User, episode: Episode, reason: str, started_on=None) -> Assessment:
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError("This episode is closed")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the assessment"})
    started_on = started_on or _today()
    if started_on > _today():
        raise ValidationError({"started_on": "The start date must be today or in the past"})
    if episode.assessments.exclude(status=AssessmentStatus.APPROVED).exists():
        raise ValidationError("This episode already has an assessment in progress")
    assessment = Assessment.objects.create(episode=episode, reason=reason.strip(), started_on=started_on,
                                           completed_by=by)
    # Whole-family: everyone in the household now, and significant others, are covered.
    for membership in episode.household.memberships.filter(end_date__isnull=True):
        AssessmentMember.objects.create(assessment=assessment, person=membership.person, role=membership.role,
                                        lives_in_household=membership.lives_in_household)
    _audit(by, Action.CREATE, "assessment.start", assessment, episode.household_id)
    return assessment


@transaction.atomic
def record_assessment(*, by: User, assessment: Assessment, findings: dict, voice_of_child: str,
                      analysis: str) -> Assessment:
    """`findings` maps headline area code -> None (not applicable: nothing recorded, P1) or
    {"strengths", "needs", "score"}, optionally with "source_kind" and "source_organisation" (P17: who told us;
    the family by default)."""
    _require(by, assessment.episode.household_id, "can_work_on_case")
    _require_open(assessment.episode)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("This assessment has been submitted and can no longer be changed")
    areas = {a.code: a for a in HeadlineArea.objects.all()}
    errors = {}
    for code, finding in findings.items():
        if code not in areas:
            errors[f"area_{code}"] = "Unknown headline area"
        elif finding is not None and (not isinstance(finding.get("score"), int) or not 1 <= finding["score"] <= 5):
            errors[f"{code}-score"] = f"Select a score from 1 to 5 for {areas[code].label.lower()}"
        elif finding is not None:
            source = DomainFinding(**_source(finding.get("source_kind", SourceKind.FAMILY),
                                             finding.get("source_organisation")))
            errors.update({f"{code}-{field}": message for field, message in source.provenance_errors().items()})
    if errors:
        raise ValidationError(errors)
    for code, finding in findings.items():
        if finding is None:
            assessment.findings.filter(area=areas[code]).delete()
        else:
            DomainFinding.objects.update_or_create(
                assessment=assessment, area=areas[code],
                defaults={"strengths": finding.get("strengths", "").strip(), "needs": finding.get("needs", "").strip(),
                          "score": finding["score"],
                          **_source(finding.get("source_kind", SourceKind.FAMILY), finding.get("source_organisation"))},
            )
    assessment.voice_of_child, assessment.analysis = voice_of_child.strip(), analysis.strip()
    assessment.save()
    _audit(by, Action.CHANGE, "assessment.record", assessment, assessment.episode.household_id,
           areas_recorded=sorted(c for c, f in findings.items() if f is not None))
    return assessment


@transaction.atomic
def submit_assessment(*, by: User, assessment: Assessment) -> Assessment:
    _require(by, assessment.episode.household_id, "can_work_on_case")
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("This assessment has already been submitted")
    errors = {}
    if not assessment.findings.exists():
        errors["findings"] = "Record at least one headline area before submitting"
    if not assessment.analysis:
        errors["analysis"] = "Enter your analysis before submitting"
    if errors:
        raise ValidationError(errors)
    assessment.status, assessment.completed_on = AssessmentStatus.SUBMITTED, _today()
    assessment.save()
    _audit(by, Action.CHANGE, "assessment.submit", assessment, assessment.episode.household_id)
    return assessment


@transaction.atomic
def decide_assessment(*, by: User, assessment: Assessment, approve: bool, comment: str = "") -> Assessment:
    _require(by, assessment.episode.household_id, "can_manage")
    _require_open(assessment.episode)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Only a submitted assessment can be approved or returned")
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Enter what needs to change before the assessment can be approved"})
    assessment.manager_comment = comment.strip()
    if approve:
        assessment.status, assessment.approved_by, assessment.approved_at = (
            AssessmentStatus.APPROVED, by, timezone.now())
    else:
        assessment.status, assessment.completed_on = AssessmentStatus.DRAFT, None
    assessment.save()
    _audit(by, Action.CHANGE, "assessment.approve" if approve else "assessment.return", assessment,
           assessment.episode.household_id)
    if approve:  # proposals only: a practitioner confirms each area (P13)
        eligibility.suggest_eligibility(assessment)
    return assessment


# --- Plan --------------------------------------------------------------------------------------

def allowed_action_owners(episode):
    owners = set(episode.taf_members.filter(end_date__isnull=True).values_list("practitioner_id", flat=True))
    if episode.lead_practitioner_id:
        owners.add(episode.lead_practitioner_id)
    return owners


@transaction.atomic
def add_plan_action(*, by: User, episode: Episode, area_code: str, need: str, action: str, owner: User,
                    intended_outcome: str, due_date: datetime.date) -> PlanAction:
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError("This episode is closed")
    errors = {}
    area = HeadlineArea.objects.filter(code=area_code).first()
    if area is None:
        errors["area"] = "Select the headline area this need belongs to"
    for field, value, message in [("need", need, "Enter the need"), ("action", action, "Enter the action"),
                                  ("intended_outcome", intended_outcome, "Enter the intended outcome")]:
        if not value.strip():
            errors[field] = message
    if owner.pk not in allowed_action_owners(episode):
        errors["owner"] = "The person responsible must be the lead practitioner or on the Team Around the Family"
    if due_date < episode.opened_on:
        errors["due_date"] = "The due date must be after the episode opened"
    if errors:
        raise ValidationError(errors)
    plan, _ = Plan.objects.get_or_create(episode=episode, defaults={"created_by": by})
    item = PlanAction.objects.create(plan=plan, area=area, need=need.strip(), action=action.strip(), owner=owner,
                                     intended_outcome=intended_outcome.strip(), due_date=due_date)
    _audit(by, Action.CREATE, "plan_action.create", item, episode.household_id)
    return item


@transaction.atomic
def update_action_progress(*, by: User, item: PlanAction, status: str, progress_note: str) -> PlanAction:
    """TAF members update their own actions; the lead and the team can update any."""
    household_id = item.plan.episode.household_id
    access = policy.family_access(by, household_id)
    if access is None or not (access.can_work_on_case or item.owner_id == by.pk):
        raise PermissionDenied("You can only update actions you are responsible for")
    ensure_not_restricted(household=household_id)
    _require_open(item.plan.episode)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Select the status of the action"})
    item.status, item.progress_note = status, progress_note.strip()
    item.save()
    _audit(by, Action.CHANGE, "plan_action.update", item, household_id, status=status)
    return item


# --- Reviews -----------------------------------------------------------------------------------

@transaction.atomic
def record_review(*, by: User, review: Review, held_on: datetime.date, summary: str, family_view: str = "",
                  next_review_due: datetime.date | None = None) -> Review:
    episode = review.episode
    _require(by, episode.household_id, "can_work_on_case")
    review = Review.objects.select_for_update().get(pk=review.pk)  # two people recording at once: one wins
    errors = {}
    if review.held_on:
        errors["__all__"] = "This review has already been recorded"
    if held_on > _today():
        errors["held_on"] = "The date of the review must be today or in the past"
    if held_on < episode.opened_on:
        errors["held_on"] = "The date of the review must be after the episode opened"
    if not summary.strip():
        errors["summary"] = "Enter a summary of the review"
    if next_review_due and next_review_due <= held_on:
        errors["next_review_due"] = "The next review must be after this one"
    if errors:
        raise ValidationError(errors)
    review.held_on, review.summary, review.family_view, review.recorded_by = (
        held_on, summary.strip(), family_view.strip(), by)
    review.save()
    if episode.is_open:
        Review.objects.create(episode=episode, due_on=next_review_due or held_on + datetime.timedelta(
            weeks=settings.EARLYHELP_REVIEW_INTERVAL_WEEKS))
    _audit(by, Action.CHANGE, "review.record", review, episode.household_id)
    return review


# --- Closure, step-up --------------------------------------------------------------------------

@transaction.atomic
def request_closure(*, by: User, episode: Episode, reason: str, summary: str, family_feedback: str = "",
                    feedback_declined: bool = False) -> Episode:
    _require(by, episode.household_id, "can_work_on_case")
    errors = {}
    if episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "Closure can only be requested for an open episode"
    if reason not in ClosureReason.values or reason == ClosureReason.STEPPED_UP:
        errors["reason"] = "Select the reason for closing (to step up, use Step up to children's social care)"
    if not summary.strip():
        errors["summary"] = "Enter a closure summary"
    if not family_feedback.strip() and not feedback_declined:
        errors["family_feedback"] = "Enter the family's feedback, or say that they did not want to give any"
    if errors:
        raise ValidationError(errors)
    episode.status, episode.closure_reason, episode.closure_summary = (
        EpisodeStatus.CLOSURE_REQUESTED, reason, summary.strip())
    episode.family_feedback, episode.family_feedback_declined = family_feedback.strip(), feedback_declined
    episode.closure_requested_by, episode.closure_requested_at = by, timezone.now()
    episode.save()
    _audit(by, Action.CHANGE, "episode.request_closure", episode, episode.household_id, reason=reason)
    return episode


@transaction.atomic
def decide_closure(*, by: User, episode: Episode, approve: bool, comment: str = "") -> Episode:
    _require(by, episode.household_id, "can_manage")
    if episode.status != EpisodeStatus.CLOSURE_REQUESTED:
        raise ValidationError("There is no closure awaiting approval for this episode")
    if approve:
        episode.status, episode.closed_by, episode.closed_on = EpisodeStatus.CLOSED, by, _today()
        episode.reviews.filter(held_on__isnull=True).delete()
    else:
        if not comment.strip():
            raise ValidationError({"comment": "Enter why the episode should stay open"})
        episode.status, episode.closure_reason = EpisodeStatus.OPEN, ""
        episode.closure_requested_by = episode.closure_requested_at = None
    episode.save()
    _audit(by, Action.CHANGE, "episode.close" if approve else "episode.closure_returned", episode,
           episode.household_id)
    return episode


@transaction.atomic
def step_up(*, by: User, episode: Episode, reason: str) -> Transition:
    """A manager steps the family up to children's social care: the episode closes and the children
    are marked as open to CSC, a marker partners may see."""
    _require(by, episode.household_id, "can_manage")
    if not episode.is_open:
        raise ValidationError("This episode is already closed")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for stepping up"})
    transition = Transition.objects.create(episode=episode, kind=TransitionKind.STEP_UP, occurred_on=_today(),
                                           reason=reason.strip(), decided_by=by)
    episode.status, episode.closure_reason, episode.closure_summary = (
        EpisodeStatus.CLOSED, ClosureReason.STEPPED_UP, reason.strip())
    episode.closed_by, episode.closed_on = by, _today()
    episode.closure_requested_by = episode.closure_requested_by or by
    episode.family_feedback_declined = True
    episode.save()
    episode.reviews.filter(held_on__isnull=True).delete()
    for membership in episode.household.memberships.filter(end_date__isnull=True, role=MemberRole.CHILD):
        Marker.objects.get_or_create(person=membership.person, kind=MarkerKind.OPEN_TO_CSC, end_date=None,
                                     defaults={"start_date": _today(), "recorded_by": by})
    _audit(by, Action.CHANGE, "episode.step_up", episode, episode.household_id)
    return transition


# --- Notes and documents -----------------------------------------------------------------------

@transaction.atomic
def add_case_note(*, by: User, episode: Episode, text: str, occurred_at: datetime.datetime | None = None,
                  channel: str = "", is_sensitive: bool = False, source_kind: str = SourceKind.PRACTITIONER,
                  source_organisation: Organisation | None = None) -> CaseNote:
    _require(by, episode.household_id, "can_work_on_case")
    occurred_at = occurred_at or timezone.now()
    note = CaseNote(episode=episode, author=by, text=text.strip(), occurred_at=occurred_at, channel=channel,
                    is_sensitive=is_sensitive, **_source(source_kind, source_organisation))
    errors = note.provenance_errors()
    if not text.strip():
        errors["text"] = "Enter the case note"
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = "The date of the note must be today or in the past"
    if errors:
        raise ValidationError(errors)
    note.save()
    _audit(by, Action.CREATE, "case_note.create", note, episode.household_id)
    return note


MEDIA_PREFIXES = {DocumentKind.IMAGE: "image/", DocumentKind.AUDIO: "audio/"}
# What each accepted type's first bytes must be: the browser's word for the type is not trusted.
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "audio/ogg": (b"OggS",),
    "audio/wav": (b"RIFF",),
    "audio/x-wav": (b"RIFF",),
    "audio/mp4": (b"ftyp",),  # at offset 4
    "audio/x-m4a": (b"ftyp",),
}
ALLOWED_DOCUMENT_TYPES = {"text/plain", *FILE_SIGNATURES}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _content_matches(content_type: str, head: bytes) -> bool:
    if content_type == "text/plain":
        return b"\x00" not in head  # binary files carry NUL bytes; text does not
    signatures = FILE_SIGNATURES.get(content_type, ())
    return any(head.startswith(sig) or (sig == b"ftyp" and head[4:8] == sig) for sig in signatures)


def _kind_of(content_type: str) -> str:
    for kind, prefix in MEDIA_PREFIXES.items():
        if content_type.startswith(prefix):
            return kind
    return DocumentKind.DOCUMENT


@transaction.atomic
def upload_document(*, by: User, episode: Episode, upload, title: str, media_reason: str = "",
                    source_kind: str = SourceKind.FAMILY, source_organisation: Organisation | None = None) -> Document:
    """Images and voice recordings only with a recorded reason (P28)."""
    _require(by, episode.household_id, "can_work_on_case")
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    kind = _kind_of(content_type)
    document = Document(episode=episode, title=title.strip(), kind=kind, media_reason=media_reason.strip(),
                        content_type=content_type, size_bytes=upload.size, uploaded_by=by,
                        **_source(source_kind, source_organisation))
    errors = document.provenance_errors()
    if not title.strip():
        errors["title"] = "Enter a title for the document"
    head = upload.read(2048)
    upload.seek(0)
    if content_type not in ALLOWED_DOCUMENT_TYPES:
        errors["upload"] = ("The file must be a PDF, Word document, text file, JPEG or PNG image, "
                            "or an MP3, M4A, OGG or WAV recording")
    elif not _content_matches(content_type, head):
        errors["upload"] = "The file's contents do not match its type: check it is the file you meant to add"
    if upload.size > MAX_DOCUMENT_BYTES:
        errors["upload"] = "The file must be smaller than 10MB"
    if upload.size == 0:
        errors["upload"] = "The selected file is empty"
    if kind != DocumentKind.DOCUMENT and not media_reason.strip():
        errors["media_reason"] = ("Images and voice recordings are kept only where required or part of "
                                  "therapeutic work: enter why this one is needed")
    if errors:
        raise ValidationError(errors)
    # Stored under a random name: the original file name may itself be personal data.
    upload.name = f"{timezone.now():%Y%m%d%H%M%S%f}.bin"
    document.file = upload
    document.save()
    _audit(by, Action.CREATE, "document.upload", document, episode.household_id, kind=kind)
    return document


def end_taf_members_no_longer_consented(*, by, household):
    """Team Around the Family members invited on consent that no longer covers their organisation type leave
    the team at once: their access was the sharing. Registered with `privacy.consent.when_sharing_withdrawn`, so
    it runs inside every withdrawal's transaction."""
    today = timezone.localdate()
    invited_on_consent = TafMember.objects.filter(
        episode__household=household, end_date__isnull=True, disclosure__basis=DisclosureBasis.CONSENT,
    ).select_related("organisation")
    for member in invited_on_consent:
        if not consents.sharing_permitted(household, member.organisation.type):
            member.end_date = max(today, member.start_date)
            member.save(update_fields=["end_date"])
            audit.record(actor=by, action=Action.CHANGE, event="taf.end", purpose=Purpose.EARLY_HELP_CASEWORK,
                         objects=[member], household_id=household.pk, metadata={"reason": "consent_withdrawn"})

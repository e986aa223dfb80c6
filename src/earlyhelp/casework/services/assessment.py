"""The whole-family Early Help Assessment: started, recorded area by area, submitted, approved or returned."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import Action
from earlyhelp.audit.refused import audit_refusals
from earlyhelp.organisations.models import User
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.privacy.services import consent as consents
from earlyhelp.records.provenance import SourceKind

from .. import messages
from ..models import Assessment, AssessmentMember, AssessmentStatus, DomainFinding, Episode
from ._common import _audit, _require, _require_open, _source, _today


@audit_refusals
@transaction.atomic
def start_assessment(*, by: User, episode: Episode, reason: str, started_on=None) -> Assessment:
    """Start the whole-family assessment. Where the council's rule needs the family's consent to support (P6),
    it is refused without it: audited, nothing written."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    consents.require_consent_to_support(by=by, household=episode.household, starting="assessment")
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_ASSESSMENT_REASON})
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
def save_assessment(*, by: User, assessment: Assessment, findings: dict, voice_of_child: str, analysis: str,
                    submit: bool = False) -> Assessment:
    """Record the assessment (as `record_assessment`) and, with `submit`, submit it for approval: if it cannot be
    submitted, nothing is saved either. Submitting needs a choice for every headline area: it applies (a finding)
    or it does not (None). A draft may leave areas to choose later."""
    if submit:
        unchosen = HeadlineArea.objects.exclude(code__in=list(findings)).order_by("order")
        if unchosen:
            raise ValidationError({f"{area.code}-applies": messages.CHOOSE_WHETHER_AREA_APPLIES.format(
                area=area.label.lower()) for area in unchosen})
    record_assessment(by=by, assessment=assessment, findings=findings, voice_of_child=voice_of_child,
                      analysis=analysis)
    if submit:
        submit_assessment(by=by, assessment=assessment)
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
        programme_needs.suggest_from_assessment(assessment)
    return assessment

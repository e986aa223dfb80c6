"""A family's needs: recorded by a practitioner, or confirmed from what the system suggests (P13).

The approved assessment suggests a need in each headline it scores as a significant concern; confirmed
partner-data facts suggest needs through the council's dataset rules (`matching` proposes those, since the
facts are its records). A suggestion becomes a need only by a person's decision; a need records who gave the
information (P17) and who recorded or confirmed it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services import decisions
from earlyhelp.records.provenance import SourceKind

from .. import messages
from ..models import Descriptor, HeadlineArea, Need, NeedProgress, NeedStatus, ProgrammeRules, ProgressOccasion
from .framework import first_descriptor

# An area scored 1 or 2 of 5 ("significant concern") in an approved assessment is likely to meet the
# area's descriptors; the practitioner checks them before confirming.
SUGGEST_AT_OR_BELOW = 2


def _audit(by, event, need, **metadata):
    audit.record(actor=by, action=Action.CHANGE, event=event, purpose=Purpose.EARLY_HELP_CASEWORK, objects=[need],
                 household_id=need.household_id, metadata=metadata)


def _assessment_key(episode_id, area_code) -> str:
    return f"episode:{episode_id}:area:{area_code}"


def suggest_from_assessment(assessment) -> list:
    """Propose a family need in each headline an approved assessment scores as a significant concern."""
    episode = assessment.episode
    proposals = []
    for finding in assessment.findings.select_related("area").filter(score__lte=SUGGEST_AT_OR_BELOW):
        proposal = decisions.suggest(
            kind=SuggestionKind.NEED, key=_assessment_key(episode.pk, finding.area.code),
            household=episode.household,
            rule=f"The approved assessment scores {finding.area.label.lower()} {finding.score} of 5")
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def parse_assessment_key(key: str) -> tuple[int, str]:
    _, episode_id, _, area_code = key.split(":")
    return int(episode_id), area_code


def area_of_suggestion(suggestion) -> HeadlineArea:
    return HeadlineArea.objects.get(code=parse_assessment_key(suggestion.key)[1])


def confirm_assessment_need(suggestion, by) -> Need:
    """Accepting an assessment's suggestion: a family need under the headline's first descriptor, with the
    assessment's own words as evidence."""
    episode_id, area_code = parse_assessment_key(suggestion.key)
    area = HeadlineArea.objects.get(code=area_code)
    return _create(by=by, household_id=suggestion.household_id, episode_id=episode_id, person=None,
                   descriptor=first_descriptor(area), evidence=suggestion.rule, identified_on=timezone.localdate(),
                   source_kind=SourceKind.PRACTITIONER, source_organisation=None,
                   source_reference="The approved Early Help Assessment", suggestion=suggestion)


def _create(*, by, household_id, episode_id, person, descriptor: Descriptor, evidence: str,
            identified_on: datetime.date, source_kind: str, source_organisation, source_reference: str,
            suggestion=None) -> Need:
    ensure_not_restricted(household=household_id)
    duplicate = Need.objects.filter(household_id=household_id, episode_id=episode_id, descriptor=descriptor,
                                    person=person).exclude(status=NeedStatus.WITHDRAWN)
    if duplicate.exists():
        raise ValidationError({"descriptor": messages.NEED_ALREADY_RECORDED})
    need = Need.objects.create(
        household_id=household_id, episode_id=episode_id, person=person, descriptor=descriptor,
        evidence=evidence.strip(), identified_on=identified_on, identified_by=by, suggestion=suggestion,
        source_kind=source_kind, source_organisation=source_organisation, source_reference=source_reference)
    _audit(by, "need.record", need, descriptor=descriptor.code, source=source_kind)
    return need


@transaction.atomic
def record_need(*, by, household_id: int, episode_id: int | None, person, descriptor_id: int, evidence: str,
                source_kind: str = SourceKind.PRACTITIONER, source_organisation=None, source_reference: str = "",
                suggestion=None, identified_on: datetime.date | None = None,
                baseline_score: int | None = None) -> Need:
    """Record a need (the caller has checked the person may work on the family's case). A starting score
    (`baseline_score`, 1 to 5) is the first point of the family's distance travelled; its evidence is the
    need's own."""
    errors = {}
    if baseline_score is not None and baseline_score not in (1, 2, 3, 4, 5):
        errors["baseline_score"] = messages.CHOOSE_PROGRESS_SCORE
    descriptor = Descriptor.objects.filter(pk=descriptor_id, is_active=True).select_related("area").first()
    if descriptor is None:
        errors["descriptor"] = messages.CHOOSE_DESCRIPTOR
    if not evidence.strip():
        errors["evidence"] = messages.ENTER_NEED_EVIDENCE
    if source_kind == SourceKind.PARTNER and source_organisation is None:
        errors["source_organisation"] = "Choose the partner organisation the information came from"
    identified_on = identified_on or timezone.localdate()
    if identified_on > timezone.localdate():
        errors["identified_on"] = "The date the need was identified must be today or in the past"
    if errors:
        raise ValidationError(errors)
    need = _create(by=by, household_id=household_id, episode_id=episode_id, person=person, descriptor=descriptor,
                   evidence=evidence, identified_on=identified_on, source_kind=source_kind,
                   source_organisation=source_organisation if source_kind == SourceKind.PARTNER else None,
                   source_reference=source_reference, suggestion=suggestion)
    if baseline_score is not None:
        NeedProgress.objects.create(need=need, occasion=ProgressOccasion.BASELINE, score=baseline_score,
                                    evidence=need.evidence, recorded_on=identified_on, recorded_by=by)
        _audit(by, "need.progress", need, occasion=ProgressOccasion.BASELINE, score=baseline_score)
    return need


@transaction.atomic
def withdraw_need(*, by, need_id: int, reason: str) -> Need:
    """A need recorded in error: kept with the reason, no longer counted."""
    need = Need.objects.select_for_update().get(pk=need_id)
    ensure_not_restricted(household=need.household_id)
    if need.status == NeedStatus.WITHDRAWN:
        raise ValidationError(messages.NEED_ALREADY_WITHDRAWN)
    if hasattr(need, "claimed"):
        raise ValidationError(messages.NEED_CLAIMED)
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_WITHDRAWAL_REASON})
    need.status, need.withdrawn_reason = NeedStatus.WITHDRAWN, reason.strip()
    need.save(update_fields=["status", "withdrawn_reason"])
    _audit(by, "need.withdraw", need)
    return need


def open_needs(episode):
    return (Need.objects.filter(episode=episode).exclude(status=NeedStatus.WITHDRAWN)
            .select_related("descriptor__area", "person"))


def needs_to_score(episode) -> list:
    """The needs a review or closure of this episode records progress on: every need still being worked on."""
    return list(open_needs(episode).filter(status=NeedStatus.OPEN))


@transaction.atomic
def return_closure_progress(*, by, episode) -> int:
    """A closure sent back by the manager: the progress recorded for it no longer stands, and its needs are
    worked on again (the next closure request records progress afresh). Returns how many needs reopened."""
    closing = NeedProgress.objects.filter(need__episode=episode, occasion=ProgressOccasion.CLOSURE)
    reopened = list(Need.objects.filter(pk__in=closing.values("need_id"),
                                        status__in=[NeedStatus.MET, NeedStatus.NOT_MET]))
    closing.delete()
    for need in reopened:
        need.status = NeedStatus.OPEN
        need.save(update_fields=["status"])
        _audit(by, "need.closure_progress_returned", need)
    return len(reopened)


def attach_to_episode(*, household_id: int, episode_id: int) -> int:
    """Needs found by data matching before the family had an episode join the episode that opens."""
    return Need.objects.filter(household_id=household_id, episode__isnull=True).exclude(
        status=NeedStatus.WITHDRAWN).update(episode_id=episode_id)


def validate_progress(needs, scores: dict) -> dict:
    """Every need has a score from 1 to 5 and evidence; returns errors keyed like the form's fields."""
    errors = {}
    for need in needs:
        score, evidence = scores.get(need.pk, (None, ""))
        if score not in (1, 2, 3, 4, 5):
            errors[f"score_{need.pk}"] = messages.CHOOSE_PROGRESS_SCORE
        elif not (evidence or "").strip():
            errors[f"evidence_{need.pk}"] = messages.ENTER_PROGRESS_EVIDENCE
    return errors


def record_progress(*, by, needs, scores: dict, occasion: str, on: datetime.date, review=None) -> list:
    """Progress on every need at a review or at closure, inside the caller's transaction (the review or the
    closure that records it). At closure each need's status follows its score against the council's rule."""
    errors = validate_progress(needs, scores)
    if errors:
        raise ValidationError(errors)
    positive = ProgrammeRules.current().positive_score
    recorded = []
    for need in needs:
        score, evidence = scores[need.pk]
        recorded.append(NeedProgress.objects.create(need=need, occasion=occasion, review=review, score=score,
                                                    evidence=evidence.strip(), recorded_on=on, recorded_by=by))
        if occasion == ProgressOccasion.CLOSURE:
            need.status = NeedStatus.MET if score >= positive else NeedStatus.NOT_MET
            need.save(update_fields=["status"])
        _audit(by, "need.progress", need, occasion=occasion, score=score)
    return recorded

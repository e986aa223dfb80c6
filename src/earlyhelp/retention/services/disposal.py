"""Deciding on a disposal batch, and carrying it out (P4, P13, P20).

A named person (the DPO) approves or rejects each batch with a reason, through the human-decisions service
(`privacy.services.decisions`; this module is its RETENTION handler). Disposal is a separate, deliberate step: it
checks the legal holds again at that moment (a family held since the batch was approved is kept, and reported),
checks each family is still due (a family that came back for help is kept), and calls the disposal engine
(`erasure`) for the rest, all in one transaction. A certificate records what was disposed of.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.services import decisions

from ..models import (
    FAMILY_CLASSES,
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    DisposalCandidate,
    DisposalCertificate,
    RecordClass,
    RuleAction,
    batch_id_of,
)
from ..selectors import cutoff, due_household_ids, written_before
from . import erasure
from . import holds as legal_holds
from .sweep import declared_class

AUDIT_PURPOSE = Purpose.EARLY_HELP_CASEWORK

MESSAGES = {
    "building": "This batch is still being built by the sweep: wait for the sweep to finish",
    "approved": "This batch has already been approved",
    "rejected": "This batch was rejected: nothing in it can be approved or disposed of",
    "disposed": "This batch has already been destroyed",
    "anonymised": "This batch has already been anonymised",
    "reviewed": "This batch has already been reviewed: it was for review only, so nothing in it is disposed of",
    "not_approved": "This batch has not been approved: a person must approve it before anything is disposed of",
    "review_only": "Records of this class are only ever reviewed: nothing in this batch can be destroyed here",
    "rule_changed": ("The rule {code} has changed or been switched off since this batch was built: nothing has been "
                     "approved or disposed of. Reject this batch; the next sweep proposes what the rule says now"),
}


def accept_disposal_batch(suggestion, by) -> DisposalBatch:
    """A human decision (`human_decisions.py`): accepting the suggestion approves its batch; a review batch is then done."""
    batch = DisposalBatch.objects.select_for_update().get(pk=batch_id_of(suggestion.key))
    if batch.status != BatchStatus.PENDING:
        raise ValidationError(MESSAGES.get(batch.status, MESSAGES["approved"]))
    if batch.rule_changed():
        raise ValidationError(MESSAGES["rule_changed"].format(code=batch.rule_code))
    batch.approved_by = by
    batch.approved_at = batch.decided_at = timezone.now()
    if batch.action == RuleAction.REVIEW:
        batch.status = BatchStatus.REVIEWED
        batch.candidates.filter(status=CandidateStatus.PROPOSED).update(status=CandidateStatus.REVIEWED)
    else:
        batch.status = BatchStatus.APPROVED
    batch.save(update_fields=["approved_by", "approved_at", "decided_at", "status"])
    return batch


def _locked(batch) -> DisposalBatch:
    return DisposalBatch.objects.select_for_update(of=("self",)).select_related("rule").get(pk=batch.pk)


def _sync(batch: DisposalBatch):
    """A batch whose suggestion was rejected through the decisions service directly is rejected here too."""
    decision = batch.decision() if batch.status == BatchStatus.PENDING else None
    if decision is not None and decision.status == "rejected":
        batch.status, batch.decided_at = BatchStatus.REJECTED, decision.decided_at
        batch.save(update_fields=["status", "decided_at"])


@transaction.atomic
def decide_batch(*, by, batch: DisposalBatch, approve: bool, reason: str) -> DisposalBatch:
    """Approve or reject a pending batch, with the reason (P13). Nothing is disposed of yet."""
    if not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot decide on disposal batches")
    batch = _locked(batch)
    _sync(batch)
    if batch.status != BatchStatus.PENDING:
        raise ValidationError(MESSAGES.get(batch.status))
    if approve and batch.rule_changed():
        raise ValidationError(MESSAGES["rule_changed"].format(code=batch.rule_code))
    decision = batch.decision()
    if decision is None:
        raise ValidationError("This batch has no decision to make: run the sweep again")
    decisions.decide(by=by, suggestion_id=decision.pk, accept=approve, reason=reason)
    batch.refresh_from_db()
    if not approve:
        batch.status, batch.decided_at = BatchStatus.REJECTED, timezone.now()
        batch.save(update_fields=["status", "decided_at"])
    audit.record(actor=by, action=Action.CHANGE, event=f"disposal_batch.{'approve' if approve else 'reject'}",
                 purpose=AUDIT_PURPOSE, objects=[batch],
                 metadata={"rule": batch.rule_code, "families": batch.families_proposed, "status": batch.status})
    return batch


def _engine(action):
    # Looked up when called, so a test can stand in for the engine.
    return erasure.dispose_households if action == RuleAction.DESTROY else erasure.anonymise_households


@transaction.atomic
def dispose_batch(*, by, batch: DisposalBatch, today=None) -> DisposalCertificate | None:
    """Carry out an approved batch: destroy (or anonymise) the records of every family in it that is still due
    and not under a legal hold now. Irreversible and audited; returns the certificate (None if, in the end, no
    family could be disposed of)."""
    if not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot dispose of records")
    batch = _locked(batch)
    _sync(batch)
    if batch.status in (BatchStatus.PENDING, BatchStatus.BUILDING):
        raise ValidationError(MESSAGES["not_approved"])
    if batch.status != BatchStatus.APPROVED:
        raise ValidationError(MESSAGES[batch.status])
    if batch.rule_changed():
        raise ValidationError(MESSAGES["rule_changed"].format(code=batch.rule_code))
    today = today or timezone.localdate()
    if batch.record_class == RecordClass.AUDIT_EVENTS:
        return _dispose_audit(by=by, batch=batch)
    if batch.record_class not in FAMILY_CLASSES:
        return _dispose_rows(by=by, batch=batch, today=today)
    candidates = list(batch.candidates.select_for_update().filter(status=CandidateStatus.PROPOSED,
                                                                  household__isnull=False))
    ids = {c.household_id for c in candidates}
    held = legal_holds.holds_on(ids)  # again, now: a hold placed after approval still wins
    still_due = set(due_household_ids(batch, today=today, among=ids - set(held)))
    done = CandidateStatus.DISPOSED if batch.action == RuleAction.DESTROY else CandidateStatus.ANONYMISED
    for candidate in candidates:
        if candidate.household_id in held:
            candidate.status, candidate.hold = CandidateStatus.HELD_AT_DISPOSAL, held[candidate.household_id][0]
        elif candidate.household_id not in still_due:
            candidate.status = CandidateStatus.NO_LONGER_DUE
        else:
            candidate.status = done
    DisposalCandidate.objects.bulk_update(candidates, ["status", "hold"])
    chosen = sorted(still_due)
    counts = {}
    if chosen:
        if batch.action == RuleAction.DESTROY:  # what stays of the batch must not point at the family
            DisposalCandidate.objects.filter(batch=batch, household_id__in=chosen).update(household=None)
        counts = _engine(batch.action)(chosen, by=by, reason=f"Retention rule {batch.rule_code}, disposal batch "
                                                               f"{batch.reference}")
    now = timezone.now()
    batch.status = BatchStatus.DISPOSED if batch.action == RuleAction.DESTROY else BatchStatus.ANONYMISED
    batch.disposed_by, batch.disposed_at = by, now
    batch.families_disposed, batch.families_held_at_disposal = len(chosen), len(held)
    batch.families_no_longer_due = len(ids) - len(held) - len(chosen)
    batch.result = dict(sorted(counts.items()))
    batch.save()
    certificate = None
    if chosen:
        certificate = DisposalCertificate.objects.create(
            batch=batch, issued_at=now, rule_code=batch.rule_code, record_class=batch.record_class,
            action=batch.action, families=len(chosen),
            families_held=batch.families_held_at_sweep + batch.families_held_at_disposal, records=batch.result,
            approved_by=batch.approved_by, approved_at=batch.approved_at, disposed_by=by)
    audit.record(actor=by, action=Action.CHANGE, event=f"disposal_batch.{batch.status}", purpose=AUDIT_PURPOSE,
                 objects=[batch],
                 metadata={"rule": batch.rule_code, "families": len(chosen), "held": len(held),
                           "certificate_id": certificate.pk if certificate else None,
                           "no_longer_due": batch.families_no_longer_due, "records": sum(counts.values())})
    return certificate


def _finish(*, by, batch: DisposalBatch, chosen: int, held: int, no_longer_due: int, counts: dict):
    """Close a batch of records that are not a family's records: its status, counts, certificate and audit event."""
    now = timezone.now()
    batch.status = BatchStatus.DISPOSED if batch.action == RuleAction.DESTROY else BatchStatus.ANONYMISED
    batch.disposed_by, batch.disposed_at = by, now
    batch.families_disposed, batch.families_held_at_disposal, batch.families_no_longer_due = chosen, held, no_longer_due
    batch.result = dict(sorted(counts.items()))
    batch.save()
    certificate = None
    if chosen:
        certificate = DisposalCertificate.objects.create(
            batch=batch, issued_at=now, rule_code=batch.rule_code, record_class=batch.record_class,
            action=batch.action, families=chosen, families_held=batch.families_held_at_sweep + held,
            records=batch.result, approved_by=batch.approved_by, approved_at=batch.approved_at, disposed_by=by)
    audit.record(actor=by, action=Action.CHANGE, event=f"disposal_batch.{batch.status}", purpose=AUDIT_PURPOSE,
                 objects=[batch],
                 metadata={"rule": batch.rule_code, "records": chosen, "held": held,
                           "certificate_id": certificate.pk if certificate else None, "no_longer_due": no_longer_due})
    return certificate


def _dispose_rows(*, by, batch: DisposalBatch, today) -> DisposalCertificate | None:
    """Rows of a declared record class (`records.record_classes`): held rows and rows no longer due are kept."""
    declared = declared_class(batch.record_class)
    if declared.dispose is None:
        raise ValidationError(MESSAGES["review_only"])
    candidates = list(batch.candidates.select_for_update().filter(status=CandidateStatus.PROPOSED,
                                                                  object_id__isnull=False))
    ids = {c.object_id for c in candidates}
    held = legal_holds.holds_on_links(*declared.holds_input(sorted(ids)))  # again, now
    still_due = set(declared.due(cutoff(today, batch.period_years)).filter(pk__in=sorted(ids - set(held)))
                    .values_list("pk", flat=True))
    done = CandidateStatus.DISPOSED if batch.action == RuleAction.DESTROY else CandidateStatus.ANONYMISED
    for candidate in candidates:
        if candidate.object_id in held:
            candidate.status, candidate.hold = CandidateStatus.HELD_AT_DISPOSAL, held[candidate.object_id][0]
        elif candidate.object_id not in still_due:
            candidate.status = CandidateStatus.NO_LONGER_DUE
        else:
            candidate.status = done
            if batch.action == RuleAction.DESTROY:  # what stays of the batch must not point at the row
                candidate.object_id = None
    DisposalCandidate.objects.bulk_update(candidates, ["status", "hold", "object_id"])
    chosen = sorted(still_due)
    counts = declared.dispose(chosen, by=by, reason=f"Retention rule {batch.rule_code}, disposal batch "
                                                    f"{batch.reference}") if chosen else {}
    return _finish(by=by, batch=batch, chosen=len(chosen), held=len(held),
                   no_longer_due=len(ids) - len(held) - len(chosen), counts=counts)


def _dispose_audit(*, by, batch: DisposalBatch) -> DisposalCertificate | None:
    """Seal and prune the audit trail's epoch up to the end of the period measured to the batch's day, keeping every
    entry about a family under a legal hold now (`audit.services.prune_epoch`)."""
    epoch = audit.prune_epoch(before=written_before(batch.as_of, batch.period_years), actor=by,
                              held_household_ids=legal_holds.all_held_household_ids(),
                              through_sequence=batch.dry_run.get("through_sequence"),
                              metadata={"rule": batch.rule_code, "batch": batch.pk})
    pruned, held = (epoch.pruned, epoch.held) if epoch else (0, 0)
    return _finish(by=by, batch=batch, chosen=pruned, held=max(held - batch.families_held_at_sweep, 0),
                   no_longer_due=0, counts={"audit.AuditEvent": pruned} if pruned else {})


def record_class_label(value: str) -> str:
    return RecordClass(value).label if value in RecordClass.values else value

"""Changes to who may see a family: restriction, named exclusions and emergency (break-glass) access."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import TafMember, episode_is_current, episode_is_open
from earlyhelp.organisations.models import OrganisationType

from . import messages, policy
from .models import AccessExclusion, AccessReview, EmergencyAccess


def _require_manager(by, household):
    access = policy.family_access(by, household.pk)
    if access is None or not access.can_manage:
        raise PermissionDenied("Only a manager of the team holding this family can change who may see it")


@transaction.atomic
def set_restricted(*, by, household, restricted: bool, reason: str):
    _require_manager(by, household)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the change"})
    household.is_restricted, household.restriction_reason = restricted, reason.strip()
    household.restriction_changed_by, household.restriction_changed_at = by, timezone.now()
    household.save(update_fields=["is_restricted", "restriction_reason", "restriction_changed_by",
                                  "restriction_changed_at"])
    audit.record(actor=by, action=Action.CHANGE, event="household.restrict" if restricted else "household.unrestrict",
                 purpose=Purpose.EARLY_HELP_CASEWORK, objects=[household], household_id=household.pk)
    return household


def _person_problem(by, household, user) -> str | None:
    """Why this person cannot be named as someone who must not see the family, or None."""
    if user.pk == by.pk:
        return "You cannot name yourself: ask another practitioner to record it"
    current = household.episodes.current().first()
    if current and current.lead_practitioner_id == user.pk:
        return "This person is the lead practitioner: allocate someone else first"
    if current and policy.manages_team(user, current.team_id):
        return "A manager of the team holding the family cannot be excluded: ask the service manager"
    return None


def exclusion_problems(*, by, household, users=(), organisation_types=()) -> dict:
    """What `exclude_at_familys_request` would refuse ({field: message}), without changing anything."""
    errors = {}
    known = set(OrganisationType.values) - {OrganisationType.LOCAL_AUTHORITY}
    if set(organisation_types) - known:
        errors["excluded_organisation_types"] = messages.CHOOSE_EXCLUDED_TYPES
    for user in users:
        problem = _person_problem(by, household, user)
        if problem:
            errors["excluded_practitioners"] = f"{user}: {problem[:1].lower()}{problem[1:]}"
            break
    current = household.episodes.current().select_related("lead_practitioner__organisation").first()
    if current and current.lead_practitioner_id and "excluded_organisation_types" not in errors \
            and current.lead_practitioner.organisation.type in set(organisation_types):
        label = OrganisationType(current.lead_practitioner.organisation.type).label.lower()
        errors["excluded_organisation_types"] = (f"The lead practitioner works for {label}: allocate someone else "
                                                 "before excluding it")
    return errors


def _end_their_taf_membership(household, condition):
    """An excluded partner leaves the Team Around the Family too."""
    TafMember.objects.filter(condition, episode__household=household, end_date__isnull=True).update(
        end_date=timezone.localdate())


def exclude_at_familys_request(*, by, household, consent, users=(), organisation_types=(), reason: str) -> list:
    """The people and organisation types the family said, when giving consent, must not see their information
    (B3). Runs inside the consent's transaction (`privacy.services.consent.record_consent`), which checks
    `exclusion_problems` first. An exclusion already in force is not repeated."""
    errors = exclusion_problems(by=by, household=household, users=users, organisation_types=organisation_types)
    if errors:
        raise ValidationError(errors)
    created = []
    for user in users:
        if not household.access_exclusions.filter(user=user, ended_at__isnull=True).exists():
            created.append(AccessExclusion.objects.create(household=household, user=user, consent=consent,
                                                          reason=reason, recorded_by=by))
    for organisation_type in sorted(set(organisation_types)):
        if not household.access_exclusions.filter(organisation_type=organisation_type, ended_at__isnull=True).exists():
            created.append(AccessExclusion.objects.create(household=household, organisation_type=organisation_type,
                                                          consent=consent, reason=reason, recorded_by=by))
    if created:
        _end_their_taf_membership(household, Q(practitioner__in=list(users))
                                  | Q(organisation__type__in=list(organisation_types)))
        audit.record(actor=by, action=Action.CHANGE, event="household.exclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                     objects=created, household_id=household.pk,
                     metadata={"user_ids": [e.user_id for e in created if e.user_id],
                               "organisation_types": [e.organisation_type for e in created if e.organisation_type],
                               "consent_id": consent.pk})
    return created


def end_exclusions_of_consent(*, by, consent) -> int:
    """A corrected consent replaces the family's earlier wishes: the exclusions recorded with the old consent
    end (kept, with who and when), before the corrected consent records its own."""
    ended = list(AccessExclusion.objects.filter(consent=consent, ended_at__isnull=True))
    now = timezone.now()
    for exclusion in ended:
        exclusion.ended_at, exclusion.ended_by = now, by
        exclusion.save(update_fields=["ended_at", "ended_by"])
    if ended:
        audit.record(actor=by, action=Action.CHANGE, event="household.unexclude",
                     purpose=Purpose.EARLY_HELP_CASEWORK, objects=ended, household_id=consent.household_id,
                     metadata={"consent_id": consent.pk, "reason": "consent_corrected"})
    return len(ended)


@transaction.atomic
def exclude(*, by, household, user, reason: str) -> AccessExclusion:
    """A manager names someone who must not see this family ("who should not see this")."""
    _require_manager(by, household)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why this person must not see the family's record"
    problem = _person_problem(by, household, user)
    if problem:
        errors["user"] = problem
    if household.access_exclusions.filter(user=user, ended_at__isnull=True).exists():
        errors["user"] = "This person is already excluded"
    if errors:
        raise ValidationError(errors)
    exclusion = AccessExclusion.objects.create(household=household, user=user, reason=reason.strip(), recorded_by=by)
    _end_their_taf_membership(household, Q(practitioner=user))
    audit.record(actor=by, action=Action.CHANGE, event="household.exclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[exclusion], household_id=household.pk, metadata={"user_id": user.pk})
    return exclusion


@transaction.atomic
def end_exclusion(*, by, exclusion: AccessExclusion):
    """Lift an exclusion; the record of it (reason, who, when) is kept."""
    household = exclusion.household
    _require_manager(by, household)
    if exclusion.ended_at:
        raise ValidationError("This exclusion has already been lifted")
    exclusion.ended_at, exclusion.ended_by = timezone.now(), by
    exclusion.save(update_fields=["ended_at", "ended_by"])
    audit.record(actor=by, action=Action.CHANGE, event="household.unexclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[exclusion], household_id=household.pk,
                 metadata={"user_id": exclusion.user_id, "organisation_type": exclusion.organisation_type})
    return exclusion


@transaction.atomic
def start_emergency_access(*, by, household, reason: str) -> EmergencyAccess:
    """Open a family with no relationship to it, for a stated reason, for a short fixed time."""
    if not policy.has_permission(by, policy.Permission.USE_EMERGENCY_ACCESS):
        raise PermissionDenied("Your role does not include emergency access")
    if policy.is_excluded(household, user=by):
        raise PermissionDenied("You are named as someone who must not see this family")
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_EMERGENCY_ACCESS_REASON})
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        user=by, household=household, reason=reason.strip(), started_at=now,
        expires_at=now + timedelta(minutes=settings.EARLYHELP_EMERGENCY_ACCESS_MINUTES))
    audit.record(actor=by, action=Action.CHANGE, event="emergency_access.start", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[grant], household_id=household.pk,
                 metadata={"minutes": settings.EARLYHELP_EMERGENCY_ACCESS_MINUTES})
    return grant


def emergency_reviews_for(user):
    """Unreviewed break-glass grants: every one for the DPO; for a manager, their team's families and staff."""
    pending = EmergencyAccess.objects.filter(reviewed_at__isnull=True).select_related("user", "household")
    if policy.has_permission(user, policy.Permission.REVIEW_ALL_EMERGENCY_ACCESS):
        return pending
    if user.team_id and policy.has_permission(user, policy.Permission.REVIEW_TEAM_EMERGENCY_ACCESS):
        # One filter() call, so both conditions on the episodes are about one episode: the current one is the team's.
        their_team = Q(user__team_id=user.team_id)
        holds_the_family = episode_is_current("household__episodes") & Q(household__episodes__team_id=user.team_id)
        return pending.filter(their_team | holds_the_family).distinct()
    return EmergencyAccess.objects.none()


def list_emergency_access_to_review(user) -> list:
    """`emergency_reviews_for`, listed for the user; the listing is audited."""
    pending = list(emergency_reviews_for(user))
    audit.record(actor=user, action=Action.VIEW, event="emergency_access.reviews", purpose=Purpose.ACCESS_OVERSIGHT,
                 metadata={"listed": len(pending)})
    return pending


@transaction.atomic
def review_emergency_access(*, by, grant_id, note: str) -> EmergencyAccess:
    grant = emergency_reviews_for(by).filter(pk=grant_id).first()
    if grant is None:
        raise ValidationError("There is no such emergency access waiting for your review")
    if grant.user_id == by.pk:
        raise ValidationError("Someone else must review your own emergency access")
    if not note.strip():
        raise ValidationError({"note": messages.ENTER_REVIEW_CONCLUSION})
    grant.reviewed_by, grant.reviewed_at, grant.review_note = by, timezone.now(), note.strip()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit.record(actor=by, action=Action.CHANGE, event="emergency_access.review", purpose=Purpose.ACCESS_OVERSIGHT,
                 objects=[grant], household_id=grant.household_id)
    return grant


def partner_access_due_for_review(manager):
    """Partners on the Team Around the Family of the manager's team's open families whose access has
    not been confirmed within the review period (settings.EARLYHELP_ACCESS_REVIEW_DAYS)."""
    if not (manager.team_id and policy.has_permission(manager, policy.Permission.REVIEW_PARTNER_ACCESS)):
        return TafMember.objects.none()
    cutoff = timezone.now() - timedelta(days=settings.EARLYHELP_ACCESS_REVIEW_DAYS)
    recently_reviewed = AccessReview.objects.filter(taf_member=OuterRef("pk"), reviewed_at__gte=cutoff)
    return (TafMember.objects.filter(end_date__isnull=True)
            .filter(episode_is_current("episode"), episode__team_id=manager.team_id,
                    practitioner__role__in=policy.partner_roles())
            .filter(episode_is_open("episode")).exclude(Exists(recently_reviewed))
            .select_related("practitioner", "organisation", "episode__household").order_by("start_date"))


def list_partner_access_to_review(manager) -> list:
    """`partner_access_due_for_review`, listed for the manager; the listing is audited."""
    due = list(partner_access_due_for_review(manager))
    audit.record(actor=manager, action=Action.VIEW, event="partner_access.reviews", purpose=Purpose.ACCESS_OVERSIGHT,
                 metadata={"listed": len(due)})
    return due


def partner_access_rows(manager):
    """`partner_access_due_for_review` for the paged list: the family named as the policy allows, with when each
    partner's access was last reviewed (None: never). The view audits the page it shows."""
    last_review = AccessReview.objects.filter(taf_member=OuterRef("pk")).order_by("-reviewed_at").values("reviewed_at")
    rows = partner_access_due_for_review(manager).annotate(last_reviewed_at=Subquery(last_review[:1]))
    return policy.with_family_names(manager, rows, household="episode__household")


@transaction.atomic
def review_partner_access_many(*, by, taf_member_ids, confirm: bool, note: str = "") -> list[AccessReview]:
    """Confirm, or remove, many partners' access at once: one AccessReview and one audit event for each. A reason
    is needed only to remove access; all or nothing (a membership no longer waiting refuses the whole batch)."""
    ids = set(taf_member_ids)
    if not ids:
        raise ValidationError(messages.SELECT_PARTNER_ACCESS)
    if not confirm and not note.strip():
        raise ValidationError({"note": messages.ENTER_REMOVAL_REASON})
    members = list(partner_access_due_for_review(by).filter(pk__in=ids))
    if len(members) != len(ids):
        raise ValidationError(messages.NO_LONGER_WAITING)
    now, today = timezone.now(), timezone.localdate()
    reviews = []
    for member in members:
        reviews.append(AccessReview.objects.create(taf_member=member, confirmed=confirm, note=note.strip(),
                                                   reviewed_by=by, reviewed_at=now))
        if not confirm:
            member.end_date = today
            member.save(update_fields=["end_date"])
        audit.record(actor=by, action=Action.CHANGE,
                     event="partner_access.confirm" if confirm else "partner_access.remove",
                     purpose=Purpose.ACCESS_OVERSIGHT, objects=[member], household_id=member.episode.household_id)
    return reviews


def review_partner_access(*, by, taf_member_id, confirm: bool, note: str = "") -> AccessReview:
    """One partner's access confirmed or removed (`review_partner_access_many` with one)."""
    if taf_member_id is None:
        raise ValidationError(messages.NO_LONGER_WAITING)
    return review_partner_access_many(by=by, taf_member_ids=[taf_member_id], confirm=confirm, note=note)[0]

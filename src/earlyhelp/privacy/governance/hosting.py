"""The physical safeguards around the service (P23, "physical … procedures"), reviewed every year.

Where the servers run, who can walk up to them, and how a disk is destroyed are facts about the council's hosting,
not the code. What the service enforces is the managerial half: the procedures are written down in the DPO's
register, signed off, and reviewed at least once a year, and a deployment is refused without a current review —
`manage.py check --deploy` fails (`hosting_review_check`), so a council's release pipeline stops. The operations
guide (README, "Physical safeguards") says what a review covers.
"""

import datetime

from django.core import checks
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.records.calendar import add_months

from .models import HostingReview
from .services import AUDIT_PURPOSE, require_keeper

REVIEW_EVERY_MONTHS = 12

FIELDS = ("reviewed_on", "next_review_by", "signed_off_by", "hosting", "physical_access", "media_disposal",
          "backups", "workplace", "certification", "evidence_reference")
REQUIRED = {
    "reviewed_on": "Enter the date the safeguards were reviewed",
    "next_review_by": "Enter the date of the next review",
    "signed_off_by": "Enter the name and role of whoever signed the review off",
    "hosting": "Enter who hosts the service and its backups, and where",
    "physical_access": "Enter who can enter the sites and reach the servers, and how that is controlled",
    "media_disposal": "Enter how disks, backups and devices are wiped or destroyed",
    "backups": "Enter where backups are kept, how they are encrypted and when a restore was last tested",
    "workplace": "Enter the office and device safeguards",
    "evidence_reference": "Enter where the signed review and its evidence are kept",
}
REVIEWED_IN_FUTURE = "The review date must be today or in the past"
NEXT_REVIEW_TOO_LATE = "The next review must be within a year of this one"
NEXT_REVIEW_TOO_EARLY = "The next review must be after this one"
NO_REVIEW = ("No review of the physical safeguards is recorded: the DPO records one in the register (Registers, "
             "physical safeguards) before the service is deployed")


def review_problems(fields: dict, *, today: datetime.date) -> dict:
    errors = {name: message for name, message in REQUIRED.items()
              if fields.get(name) in (None, "") or (isinstance(fields.get(name), str) and not fields[name].strip())}
    reviewed, next_review = fields.get("reviewed_on"), fields.get("next_review_by")
    if reviewed and reviewed > today:
        errors["reviewed_on"] = REVIEWED_IN_FUTURE
    if reviewed and next_review and "next_review_by" not in errors:
        if next_review <= reviewed:
            errors["next_review_by"] = NEXT_REVIEW_TOO_EARLY
        elif next_review > add_months(reviewed, REVIEW_EVERY_MONTHS):
            errors["next_review_by"] = NEXT_REVIEW_TOO_LATE
    return errors


@transaction.atomic
def record_hosting_review(*, by, **fields) -> HostingReview:
    """The DPO records this year's review; reviews are kept, never changed (a correction is a new review)."""
    require_keeper(by)
    fields = {name: (fields.get(name).strip() if isinstance(fields.get(name), str) else fields.get(name))
              for name in FIELDS}
    errors = review_problems(fields, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    review = HostingReview.objects.create(recorded_by=by, **{k: v if v is not None else "" for k, v in fields.items()})
    audit.record(actor=by, action=Action.CREATE, event="hosting_review.record", purpose=AUDIT_PURPOSE,
                 objects=[review], metadata={"reviewed_on": review.reviewed_on.isoformat(),
                                             "next_review_by": review.next_review_by.isoformat()})
    return review


def current_review() -> HostingReview | None:
    return HostingReview.objects.order_by("-reviewed_on", "-pk").first()


def standing(today: datetime.date | None = None) -> str:
    """"" when a review is current; otherwise what is wrong, in words the DPO and the deployment check show."""
    today = today or timezone.localdate()
    review = current_review()
    if review is None:
        return NO_REVIEW
    if review.next_review_by < today:
        return (f"The review of the physical safeguards was due by {review.next_review_by.day} "
                f"{review.next_review_by:%B %Y}: the DPO records a new review before the service is deployed")
    return ""


@checks.register(checks.Tags.security, deploy=True)
def hosting_review_check(app_configs=None, **kwargs):
    """`manage.py check --deploy` fails while the physical safeguards have no current review (P23)."""
    try:
        problem = standing()
    except DatabaseError:  # not migrated yet: `migrate` comes first, then the DPO's review
        problem = NO_REVIEW
    return [checks.Error(problem, id="earlyhelp.E023")] if problem else []

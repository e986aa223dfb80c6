"""Publishing the privacy notice: generated from the processing register, versioned and dated."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .. import register_seed
from ..models import Article6, Article9, PrivacyNotice, ProcessingPurpose

PURPOSE_FIELDS = ("code", "name", "description", "article_6", "article_9", "schedule_1_condition", "article_10",
                  "consent_required", "data_categories", "special_category", "criminal_offence_data",
                  "data_subjects", "recipient_types", "retention", "retention_note", "statutes",
                  "processing_location")


def notice_content(purposes=None) -> dict:
    """What a notice published now would say: every active purpose, and a statement for every promise.
    (`purposes` lets the first data migration pass its historical model's rows.)"""
    if purposes is None:
        purposes = ProcessingPurpose.objects.filter(is_active=True).order_by("name")
    return {
        "purposes": [
            {field: getattr(p, field) for field in PURPOSE_FIELDS}
            | {"article_6_label": Article6(p.article_6).label, "article_9_label": Article9(p.article_9).label}
            for p in purposes
        ],
        "statements": register_seed.NOTICE_STATEMENTS,
    }


@transaction.atomic
def publish_notice(*, by) -> PrivacyNotice:
    latest = PrivacyNotice.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    notice = PrivacyNotice.objects.create(version=latest + 1, published_at=timezone.now(), published_by=by,
                                          content=notice_content())
    audit.record(actor=by, action=Action.CREATE, event="privacy_notice.publish", purpose=Purpose.SYSTEM_SECURITY,
                 objects=[notice], metadata={"version": notice.version})
    return notice


def current_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-version").first()

"""Article 19: after a correction, an erasure or a restriction, everyone the family's information was disclosed to is
listed (`list_notifications`, called by the decision) and each is told; telling them is recorded here (P5)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit.models import Action
from earlyhelp.people.models import Membership
from earlyhelp.privacy.models import Disclosure

from .. import messages
from ..models import NotificationMethod, RecipientNotification
from ._common import not_future, raise_errors, record_event, require_handler


def disclosure_recipients(person_id):
    """Organisations the family's information was disclosed to, for the families the person is or was in,
    as {organisation: [disclosures]} (UK GDPR Article 19)."""
    families = Membership.objects.filter(person_id=person_id).values("household_id")
    found = {}
    for disclosure in (Disclosure.objects.filter(shared=True, household_id__in=families,
                                                 recipient_organisation__isnull=False)
                       .select_related("recipient_organisation").order_by("decided_at", "pk")):
        found.setdefault(disclosure.recipient_organisation, []).append(disclosure)
    return found


def list_notifications(request, person_id) -> list:
    """One row per organisation to tell, written in the transaction of the decision that calls for it."""
    rows = []
    for organisation, disclosures in disclosure_recipients(person_id).items():
        rows.append(RecipientNotification.objects.create(request=request, organisation=organisation,
                                                         disclosures=[d.pk for d in disclosures]))
    return rows


@transaction.atomic
def record_notification(*, by, notification, notified_on: datetime.date, method: str,
                        note: str = "") -> RecipientNotification:
    require_handler(by)
    notification = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.is_done:
        raise ValidationError("Telling this recipient has already been recorded")
    errors = {}
    if method not in NotificationMethod.values:
        errors["method"] = messages.CHOOSE_NOTIFICATION_METHOD
    elif method == NotificationMethod.NOT_POSSIBLE and not note.strip():
        errors["note"] = "Enter why the recipient could not be told"
    if notified_on is None:
        errors["notified_on"] = messages.ENTER_RECIPIENT_TOLD_ON
    else:
        not_future(errors, "notified_on", notified_on, "The date you told the recipient")
        if notified_on < notification.request.received_on:
            errors["notified_on"] = "The date you told the recipient must be after the request arrived"
    raise_errors(errors)
    notification.notified_on, notification.method, notification.note = notified_on, method, note.strip()
    notification.recorded_by = by
    notification.save()
    record_event(by, Action.CHANGE, "rights_notification.record", notification.request, notification_id=notification.pk,
           method=method, organisation_id=notification.organisation_id)
    return notification

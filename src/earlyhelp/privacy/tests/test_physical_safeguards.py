"""P23's "physical … procedures": the council's yearly review of the physical safeguards is kept in the DPO's
register, and a deployment is refused (`manage.py check --deploy`) while there is no current review."""

import datetime
import html
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.privacy.governance import hosting
from earlyhelp.privacy.governance.models import HostingReview

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _fields(**overrides):
    values = {
        "reviewed_on": TODAY - 10 * DAY, "next_review_by": TODAY + 300 * DAY,
        "signed_off_by": "Senior Information Risk Owner", "hosting": "UK cloud region, two data centres",
        "physical_access": "Named host staff only, badge and biometric entry, visits logged",
        "media_disposal": "Disks wiped and shredded by the host, certificates kept",
        "backups": "Encrypted nightly, second UK region, restore tested in March",
        "workplace": "Screens lock after 5 minutes; follow-me printing; clear desks",
        "certification": "ISO/IEC 27001", "evidence_reference": "IG drive / safeguards / review",
    }
    return {**values, **overrides}


def _deploy_check_errors() -> list[str]:
    return [message.msg for message in hosting.hosting_review_check() if message.id == "earlyhelp.E023"]


@pytest.mark.promise("P23")
def test_a_deployment_is_refused_without_a_review_of_the_physical_safeguards(world):
    assert _deploy_check_errors() == [hosting.NO_REVIEW]
    with pytest.raises(SystemCheckError, match="No review of the physical safeguards"):
        call_command("check", deploy=True, stdout=StringIO(), stderr=StringIO())
    hosting.record_hosting_review(by=world.dpo, **_fields())
    assert _deploy_check_errors() == []


@pytest.mark.promise("P23")
def test_a_deployment_is_refused_once_the_review_is_overdue(world):
    hosting.record_hosting_review(by=world.dpo, **_fields(reviewed_on=TODAY - 366 * DAY,
                                                          next_review_by=TODAY - DAY))
    due = TODAY - DAY
    assert _deploy_check_errors() == [
        f"The review of the physical safeguards was due by {due.day} {due:%B %Y}: the DPO records a new review "
        "before the service is deployed"]
    assert hosting.standing(today=due) == ""  # on the day it is due, it is still current


@pytest.mark.promise("P23")
def test_a_review_covers_every_safeguard_and_is_due_again_within_a_year(world):
    with pytest.raises(ValidationError) as refused:
        hosting.record_hosting_review(by=world.dpo, **_fields(physical_access=" ", media_disposal="",
                                                              next_review_by=TODAY + 400 * DAY))
    assert refused.value.message_dict == {
        "physical_access": [hosting.REQUIRED["physical_access"]], "media_disposal": [hosting.REQUIRED["media_disposal"]],
        "next_review_by": [hosting.NEXT_REVIEW_TOO_LATE]}
    with pytest.raises(ValidationError) as refused:
        hosting.record_hosting_review(by=world.dpo, **_fields(reviewed_on=TODAY + DAY, next_review_by=TODAY + 2 * DAY))
    assert refused.value.message_dict == {"reviewed_on": [hosting.REVIEWED_IN_FUTURE]}
    assert not HostingReview.objects.exists() and not AuditEvent.objects.filter(event="hosting_review.record")
    review = hosting.record_hosting_review(by=world.dpo, **_fields())
    event = AuditEvent.objects.get(event="hosting_review.record")
    assert (event.action, event.actor, event.object_ids) == (Action.CREATE, world.dpo, [review.pk])


def test_only_the_dpo_records_a_review_and_the_register_readers_see_it(client, world):
    with pytest.raises(PermissionDenied):
        hosting.record_hosting_review(by=world.manager, **_fields())
    client.force_login(world.manager)
    assert client.get(reverse("web:hosting-reviews")).status_code == 404
    client.force_login(world.dpo)
    empty = html.unescape(client.get(reverse("web:hosting-reviews")).content.decode())
    assert hosting.NO_REVIEW in empty
    answer = client.post(reverse("web:hosting-review-new"), {
        "reviewed_on_day": TODAY.day, "reviewed_on_month": TODAY.month, "reviewed_on_year": TODAY.year,
        "next_review_by_day": TODAY.day, "next_review_by_month": TODAY.month, "next_review_by_year": TODAY.year + 2,
        **{name: value for name, value in _fields().items() if isinstance(value, str)}})
    assert hosting.NEXT_REVIEW_TOO_LATE in html.unescape(answer.content.decode())
    assert not HostingReview.objects.exists()
    nearly = TODAY + 200 * DAY
    answer = client.post(reverse("web:hosting-review-new"), {
        "reviewed_on_day": TODAY.day, "reviewed_on_month": TODAY.month, "reviewed_on_year": TODAY.year,
        "next_review_by_day": nearly.day, "next_review_by_month": nearly.month, "next_review_by_year": nearly.year,
        **{name: value for name, value in _fields().items() if isinstance(value, str)}})
    assert answer.status_code == 302 and HostingReview.objects.get().signed_off_by == "Senior Information Risk Owner"
    shown = html.unescape(client.get(reverse("web:hosting-reviews")).content.decode())
    assert "Named host staff only" in shown and hosting.NO_REVIEW not in shown

"""Acknowledgements by e-mail: sent after the submission commits, through the configured backend (GOV.UK Notify in
production), and recorded whatever happens (issue 15)."""

import uuid

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.test import override_settings
from notifications_python_client.notifications import NotificationsAPIClient

from earlyhelp.audit.models import Purpose
from earlyhelp.messaging import acknowledgements, services
from earlyhelp.messaging.models import Outcome, SentMessage

pytestmark = pytest.mark.django_db

TEMPLATE_ID = str(uuid.uuid4())
NOTIFY = {"EMAIL_BACKEND": "django_gov_notify.backends.NotifyEmailBackend",
          "GOVUK_NOTIFY_API_KEY": f"test-{uuid.uuid4()}-{uuid.uuid4()}",
          "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": TEMPLATE_ID}


@pytest.fixture(autouse=True)
def kind():
    acknowledgements.register("test_ack", subject="We have your form", template="rights/email/acknowledgement.txt",
                              purpose=Purpose.RIGHTS_REQUESTS)


def test_nothing_is_sent_or_recorded_before_the_submission_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.send_acknowledgement(to="family@example.com", kind="test_ack", reference="RR-2026-00001")
    assert message.outcome == Outcome.QUEUED and len(callbacks) == 1


@override_settings(**NOTIFY)
def test_in_production_it_goes_through_gov_uk_notify_with_the_plain_template(
        monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(NotificationsAPIClient, "send_email_notification", lambda self, **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        services.send_acknowledgement(to="family@example.com", kind="test_ack", reference="RR-2026-00002")
    [call] = sent
    assert call["email_address"] == "family@example.com" and call["template_id"] == TEMPLATE_ID
    assert call["personalisation"]["subject"] == "We have your form"
    assert "RR-2026-00002" in call["personalisation"]["body"]
    assert SentMessage.objects.get().outcome == Outcome.SENT


@override_settings(**NOTIFY)
def test_a_notify_error_is_recorded_by_its_kind_only(monkeypatch, django_capture_on_commit_callbacks):
    def refuse(self, **kwargs):
        raise RuntimeError(f"{kwargs['email_address']} is not allowed")
    monkeypatch.setattr(NotificationsAPIClient, "send_email_notification", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_acknowledgement(to="family@example.com", kind="test_ack", reference="RR-2026-00003")
    message = SentMessage.objects.get()
    assert (message.outcome, message.failure) == (Outcome.FAILED, "RuntimeError")


def test_an_address_that_is_not_one_or_an_unknown_kind_is_refused_and_nothing_is_recorded():
    with pytest.raises(ValidationError):
        services.send_acknowledgement(to="not an address", kind="test_ack", reference="RR-2026-00004")
    with pytest.raises(ValueError, match="Unknown acknowledgement"):
        services.send_acknowledgement(to="family@example.com", kind="no_such_kind", reference="RR-2026-00004")
    assert not SentMessage.objects.exists()


def test_the_deploy_check_wants_the_notify_template_when_notify_is_the_backend():
    with override_settings(**{**NOTIFY, "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": ""}):
        assert "earlyhelp.E030" in {m.id for m in run_checks(include_deployment_checks=True)}
    with override_settings(**NOTIFY):
        assert "earlyhelp.E030" not in {m.id for m in run_checks(include_deployment_checks=True)}

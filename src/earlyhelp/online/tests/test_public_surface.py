"""The public surface (issue 15, item 5; P23): open without signing in, and every POST size- and rate-limited before
anything is stored."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import URLPattern, get_resolver, reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.online.models import HelpRequest
from earlyhelp.testing.signin import password_only_login

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P23")]

PUBLIC_GET = ["online:start", "online:who", "online:resume", "online:other-help", "online:accessibility"]


@pytest.mark.parametrize("name", PUBLIC_GET)
def test_a_public_page_answers_anyone_without_signing_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response  # the same headers as every page
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert reverse("web:privacy-notice") in page and "Sign out" not in page


def test_a_session_half_way_through_signing_in_may_use_the_public_pages(client, world):
    password_only_login(client, world.users["front_door"])
    assert client.get(reverse("web:dashboard")).status_code == 302  # sent to its second factor
    assert client.get(reverse("online:start")).status_code == 200


def test_every_public_url_is_guarded():
    resolver = get_resolver()
    online = next(entry for entry in resolver.url_patterns if getattr(entry, "namespace", None) == "online")
    for pattern in online.url_patterns:
        assert isinstance(pattern, URLPattern)
        assert getattr(pattern.callback, "earlyhelp_public", False), pattern.name


def test_a_flood_of_posts_from_one_client_answers_429_and_stores_nothing():
    caches["public_rate"].clear()
    client = Client(REMOTE_ADDR="192.0.2.10")
    with override_settings(EARLYHELP_PUBLIC_RATE="3/d"):
        answers = [client.post(reverse("online:who"), {"route": "self"}) for _ in range(3)]
        assert [response.status_code for response in answers] == [302, 302, 302]
        stored, events = HelpRequest.objects.count(), AuditEvent.objects.count()
        flood = [Client(REMOTE_ADDR="192.0.2.10").post(reverse("online:who"), {"route": "self"}) for _ in range(5)]
        assert {response.status_code for response in flood} == {429}
        assert "too many attempts" in flood[0].content.decode()
        assert (HelpRequest.objects.count(), AuditEvent.objects.count()) == (stored, events)
        # Another client is not held back by the first one's flood; a GET is never counted.
        assert Client(REMOTE_ADDR="192.0.2.11").post(reverse("online:who"), {"route": "self"}).status_code == 302
        assert client.get(reverse("online:start")).status_code == 200


def test_a_post_larger_than_the_limit_answers_413_and_stores_nothing(client):
    with override_settings(EARLYHELP_PUBLIC_MAX_BODY_BYTES=1000):
        response = client.post(reverse("online:who"), {"route": "self", "padding": "x" * 2000})
    assert response.status_code == 413
    assert not HelpRequest.objects.exists() and not AuditEvent.objects.exists()


def test_csrf_is_enforced_on_public_forms():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("online:who"), {"route": "self"}).status_code == 403
    assert not HelpRequest.objects.exists()


def test_a_public_submission_is_audited_without_its_content_or_address(client):
    client.post(reverse("online:who"), {"route": "self"}, REMOTE_ADDR="192.0.2.20")
    event = AuditEvent.objects.get(event="online.help_request.start")
    assert event.actor_id is None and event.source_ip is None
    assert event.object_type == "online.helprequest" and event.metadata == {"public": True, "route": "self"}

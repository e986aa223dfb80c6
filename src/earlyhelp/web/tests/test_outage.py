"""A database outage answers with a GOV.UK page ("Sorry, the service is unavailable", 503 with Retry-After) and API
callers with JSON, even when the failure is in the middleware before any view: the error page reads nothing from
the database (issue 16)."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client



@pytest.fixture
def outage(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(SessionStore, "load", refuse)
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32  # a signed-in browser: its session is read first
    return client


@pytest.mark.django_db
def test_a_browser_gets_the_service_unavailable_page(outage):
    response = outage.get("/")
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page and "govuk-template" in page
    assert "Connection refused" not in page and "Traceback" not in page
    assert response["Content-Security-Policy"]  # the same headers as every page


@pytest.mark.django_db
def test_an_api_caller_gets_json(outage):
    response = outage.get("/api/docs")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The service is unavailable: try again later", "errors": []}


@pytest.mark.django_db
def test_another_fault_is_a_problem_with_the_service_not_an_outage(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", fail)
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32
    response = client.get("/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert client.get("/api/docs").json()["detail"] == "There is a problem with the service"

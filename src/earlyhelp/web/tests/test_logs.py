"""Log lines are JSON with no personal data: an error is logged as its kind and frames, never its message, which
may repeat what someone typed or what the database refused (issue 16)."""

import json
import logging
import sys

import pytest
from django.db import IntegrityError
from django.test import Client

from earlyhelp.log_format import JsonLines, Plain

TELLTALE = "Zebedeeqxv"  # a made-up name: if it reaches a log line, personal data leaked


def _failing_record():
    try:
        raise IntegrityError(f'duplicate key value: Key (family_name)=({TELLTALE}) already exists')
    except IntegrityError:
        return logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
                                 ("/families/12/",), sys.exc_info())


def test_an_error_is_a_json_line_with_its_kind_and_frames_not_its_message():
    line = JsonLines().format(_failing_record())
    entry = json.loads(line)
    assert "\n" not in line and TELLTALE not in line
    assert entry["level"] == "ERROR" and entry["message"] == "Internal Server Error: /families/12/"
    assert entry["error"] == "IntegrityError" and entry["frames"][0].endswith("in _failing_record")


def test_the_developers_plain_lines_leave_the_message_out_too():
    text = Plain().format(_failing_record())
    assert "IntegrityError (its message is not logged)" in text and TELLTALE not in text


@pytest.mark.django_db
def test_a_server_error_is_logged_without_what_caused_it(world, monkeypatch, caplog):
    from earlyhelp.casework import views

    def explode(*args, **kwargs):
        raise ValueError(f"{TELLTALE} broke it")

    monkeypatch.setattr(views.selectors, "open_family_access", explode)
    client = Client(raise_request_exception=False)
    client.force_login(world.lead)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.get("/families/1/").status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = JsonLines().format(record)
    assert TELLTALE not in line and json.loads(line)["error"] == "ValueError"

"""The chain's head is anchored outside the database, so events cut from the end are caught without a checkpoint
kept by hand (issue 16), and production refuses the development key published with the code."""

import base64
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from earlyhelp.audit import anchors, services
from earlyhelp.audit.models import Action, AuditEvent, Purpose

from .tampering import raw_tampering, verify_answer

pytestmark = [pytest.mark.promise("P23"), pytest.mark.django_db]


@pytest.fixture
def anchor_file(settings, tmp_path):
    settings.EARLYHELP_AUDIT_ANCHOR_FILE = tmp_path / "elsewhere" / "anchors.jsonl"
    return settings.EARLYHELP_AUDIT_ANCHOR_FILE


def _change(n=1):
    for _ in range(n):
        services.record(actor=None, action=Action.CHANGE, event="test.change", purpose=Purpose.EARLY_HELP_CASEWORK)
    return services.head()


def _lines(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_events_cut_from_the_end_are_caught_by_the_anchor(anchor_file):
    _change(5)
    call_command("anchor_audit_chain")
    assert verify_answer() is None
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence > 3")
    assert services.verify_chain()[1] is None  # the chain alone cannot see a cut at its end
    message = verify_answer()
    assert "#5" in message and "removed from the end" in message


def test_an_edited_or_foreign_anchor_is_not_trusted(anchor_file):
    _change(2)
    call_command("anchor_audit_chain")
    [line] = _lines(anchor_file)
    anchor_file.write_text(json.dumps({**line, "sequence": 1}) + "\n")  # moved back to hide a cut
    assert "not signed with the chain key" in verify_answer()
    anchor_file.write_text("not an anchor\n")
    assert "not an anchor" in verify_answer()


def test_a_removed_anchor_file_is_caught_once_the_chain_should_have_been_anchored(anchor_file, settings,
                                                                                 monkeypatch):
    settings.EARLYHELP_AUDIT_ANCHOR_SECONDS = 300
    _change(2)
    assert verify_answer() is None  # new events: not yet due an anchor
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=11))
    assert "no anchor" in verify_answer()  # eleven minutes on, with the file gone


def test_the_anchor_command_refuses_to_anchor_over_a_cut(anchor_file):
    _change(4)
    call_command("anchor_audit_chain")
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 4")
    with pytest.raises(CommandError, match="Not anchoring"):
        call_command("anchor_audit_chain")
    assert len(_lines(anchor_file)) == 1


def test_audited_changes_anchor_the_head_every_few_minutes(anchor_file, settings, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    settings.EARLYHELP_AUDIT_ANCHOR_SECONDS = 300
    monkeypatch.setattr(anchors, "_last_written", 0.0)
    clock = [1000.0]
    monkeypatch.setattr(anchors.time, "monotonic", lambda: clock[0])
    with django_capture_on_commit_callbacks(execute=True):
        first = _change()
    with django_capture_on_commit_callbacks(execute=True):
        _change()  # a moment later: not anchored again
    assert [(a["sequence"], a["hash"]) for a in _lines(anchor_file)] == [first]
    clock[0] += 301
    with django_capture_on_commit_callbacks(execute=True):
        third = _change()
    assert [(a["sequence"], a["hash"]) for a in _lines(anchor_file)] == [first, third]
    assert AuditEvent.objects.count() == 3


def test_a_failure_to_write_the_anchor_does_not_fail_the_change(settings, tmp_path, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.EARLYHELP_AUDIT_ANCHOR_FILE = blocker / "anchors.jsonl"  # its folder is a file: cannot be made
    settings.EARLYHELP_AUDIT_ANCHOR_SECONDS = 300
    monkeypatch.setattr(anchors, "_last_written", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        _change()
    assert AuditEvent.objects.filter(event="test.change").count() == 1


@pytest.mark.parametrize("keys, refused", [
    ({"DJANGO_SECRET_KEY": "development"}, True),
    ({"DJANGO_SECRET_KEY": "a-council-s-own-random-key-0123456789", "EARLYHELP_AUDIT_CHAIN_KEY": "development"}, True),
    ({"DJANGO_SECRET_KEY": "a-council-s-own-random-key-0123456789"}, False),
])
def test_production_refuses_the_development_key_published_with_the_code(settings, keys, refused, tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "EARLYHELP_"))}
    env.update({name: settings.DEVELOPMENT_KEY if value == "development" else value for name, value in keys.items()})
    env.update({"EARLYHELP_ENV": "production", "EARLYHELP_VAR_DIR": str(tmp_path), "PYTHONPATH": "src",
                "EARLYHELP_MASTER_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()})  # keys/tests: its own
    result = subprocess.run([sys.executable, "-c", "import earlyhelp.settings"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode != 0) is refused, result.stderr[-500:]
    if refused:
        assert "development key published with the code" in result.stderr

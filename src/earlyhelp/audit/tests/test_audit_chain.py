"""The audit trail is append-only and tamper-evident (P23)."""

import contextlib
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from earlyhelp.audit import services
from earlyhelp.audit.models import Action, AuditEvent, Purpose, StagedAuditEvent
from earlyhelp.testing.world import PASSWORD, make_family

from .tampering import raw_tampering, verify_answer

pytestmark = pytest.mark.promise("P23")


def _events(n, actor=None):
    for i in range(n):
        services.record(actor=actor, action=Action.VIEW, event="test.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                        objects=[("people.household", i)], household_id=i)
    return list(AuditEvent.objects.order_by("sequence"))


@pytest.mark.django_db
def test_intact_chain_verifies():
    _events(5)
    checked, problem = services.verify_chain()
    assert (checked, problem) == (5, None)
    assert verify_answer() is None


@pytest.mark.django_db
def test_altered_event_is_named():
    events = _events(5)
    with raw_tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET household_id = 999 WHERE id = %s", [events[2].pk])
    message = verify_answer()
    assert f"event #{events[2].sequence} (id {events[2].pk})" in message and "altered" in message


@pytest.mark.django_db
def test_altered_hash_breaks_the_link_to_the_next_event():
    events = _events(5)
    with raw_tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    assert f"event #{events[1].sequence}" in verify_answer()


@pytest.mark.django_db
def test_deleted_event_is_named():
    events = _events(5)
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    message = verify_answer()
    assert f"#{events[3].sequence}" in message and "missing" in message


@pytest.mark.django_db
def test_inserted_event_is_named():
    events = _events(4)
    forged = events[1]
    with raw_tampering() as cursor:
        # Move the later events along and slip a forged copy in, re-numbering to hide the gap.
        cursor.execute("UPDATE audit_auditevent SET sequence = sequence + 100 WHERE sequence >= 3")
        cursor.execute(
            "INSERT INTO audit_auditevent (sequence, occurred_at, action, event, object_type, object_ids, purpose, "
            "route, metadata, previous_hash, hash) VALUES (3, %s, 'view', 'forged', '', %s, 'x', '', %s, %s, %s)",
            [forged.occurred_at, json.dumps([]), json.dumps({}), forged.hash, "0" * 64],
        )
        cursor.execute("UPDATE audit_auditevent SET sequence = sequence - 100 + 1 WHERE sequence >= 100")
    message = verify_answer()
    assert "#3" in message


@pytest.mark.django_db
def test_application_cannot_update_or_delete_events():
    event = _events(1)[0]
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(purpose="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_database_refuses_update_and_delete_on_postgresql_and_sqlite_detects_them():
    event = _events(1)[0]
    statements = ("UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s")
    if connection.vendor == "postgresql":
        for sql in statements:
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).purpose == Purpose.EARLY_HELP_CASEWORK
    else:
        # SQLite (development only) has no trigger; raw changes still cannot go unnoticed.
        with connection.cursor() as cursor:
            cursor.execute(statements[0], [event.pk])
        assert "altered" in verify_answer()


@pytest.mark.django_db
def test_change_and_its_audit_event_share_one_transaction(world, monkeypatch):
    family = make_family(world, lead=world.lead)
    from earlyhelp.casework import services as casework

    def broken(**kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(DatabaseError):
        casework.add_case_note(by=world.lead, episode=family["episode"], text="A note that must not survive")
    assert not family["episode"].notes.exists()


def test_sign_in_sign_out_and_failed_sign_in_are_audited_without_the_typed_username(client, world):
    client.post(reverse("web:sign-in"), {"username": "someone-typed-this", "password": "wrong"})
    failed = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).last()
    assert failed is not None and failed.actor is None
    assert "someone-typed-this" not in json.dumps(failed.metadata)
    client.post(reverse("web:sign-in"), {"username": world.lead.username, "password": PASSWORD})
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor=world.lead).exists()
    client.post(reverse("web:sign-out"))
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=world.lead).exists()


def test_family_page_view_is_audited_with_ids_route_and_purpose_but_no_personal_data(client, world):
    family = make_family(world, lead=world.lead)
    client.force_login(world.lead)
    client.get(reverse("web:family", args=[family["household"].pk]) + "?q=Testfamily")
    event = AuditEvent.objects.filter(action=Action.VIEW, event="household.view").last()
    assert event.actor == world.lead and event.household_id == family["household"].pk
    assert event.purpose == Purpose.EARLY_HELP_CASEWORK and event.route == "web:family"
    assert event.source_ip == "127.0.0.1"
    stored = json.dumps([event.object_ids, event.metadata, event.route])
    for person in family["members"]:
        assert person.family_name not in stored and person.given_name not in stored
    assert "q=" not in stored


def test_search_is_audited_without_the_search_terms(client, world):
    make_family(world, family_name="Searchable")
    client.force_login(world.front_door)
    client.post(reverse("web:search"), {"family_name": "Searchable", "given_name": "Alex"})
    event = AuditEvent.objects.filter(action=Action.SEARCH).last()
    assert event.metadata["results"] >= 1
    assert "Searchable" not in json.dumps([event.metadata, event.object_ids])


def test_managers_and_the_dpo_see_who_has_viewed_a_family(client, world):
    family = make_family(world, lead=world.lead)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    client.get(url)
    for user in (world.manager, world.dpo):
        client.force_login(user)
        page = client.get(reverse("web:family-viewers", args=[family["household"].pk]))
        assert page.status_code == 200
        assert world.lead.get_full_name() in page.content.decode()


def test_role_changes_in_the_admin_are_audited(client, world):
    client.force_login(world.admin)
    url = reverse("admin:organisations_user_change", args=[world.lead.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"role": "team_manager", "team": world.north.pk, "date_joined_0": "2026-01-01",
                 "date_joined_1": "09:00:00", "last_login_0": "", "last_login_1": ""})
    data.pop("user_permissions", None)
    data.pop("groups", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.filter(event="user.admin_change").last()
    assert event.actor == world.admin and event.object_ids == [world.lead.pk]
    assert "role" in event.metadata["fields"]


@pytest.mark.django_db
def test_events_removed_from_the_end_are_caught_by_a_checkpoint():
    events = _events(5)
    checkpoint = f"{events[-1].sequence}:{events[-1].hash}"
    call_command("verify_audit_chain", checkpoint=checkpoint)
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence >= %s", [events[-2].sequence])
    assert services.verify_chain()[1] is None  # the chain alone cannot see a cut end...
    with pytest.raises(CommandError, match="removed from the end"):  # ...the checkpoint can
        call_command("verify_audit_chain", checkpoint=checkpoint)


@pytest.mark.django_db
def test_a_rewritten_chain_fails_without_the_key(settings):
    events = _events(3)
    from earlyhelp.audit import chain

    # An attacker rewrites an event and recomputes every hash, but without the key.
    forged = {**{f: getattr(events[1], f) for f in chain.HASHED_FIELDS if f not in {"actor_id"}},
              "actor_id": None, "household_id": 999}
    forged_hash = chain.compute_hash(events[1].previous_hash, forged, b"guessed-key")
    with raw_tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET household_id = 999, hash = %s WHERE id = %s",
                       [forged_hash, events[1].pk])
        cursor.execute("UPDATE audit_auditevent SET previous_hash = %s WHERE id = %s", [forged_hash, events[2].pk])
    assert f"event #{events[1].sequence}" in verify_answer()


def test_dashboard_reads_are_audited_with_counts_only(client, world):
    make_family(world, lead=world.lead)
    client.force_login(world.lead)
    client.get(reverse("web:dashboard"))
    event = AuditEvent.objects.filter(event="dashboard.view", actor=world.lead).last()
    assert event.metadata == {"families_counted": 1} and event.household_id is None


@pytest.mark.django_db(transaction=True)
def test_writers_appending_at_once_each_chain_onto_the_one_before():
    """Four writers, each on its own connection (as gunicorn workers are), append at once: on PostgreSQL the chain's
    lock gives every event the next sequence and the newest hash, whether its writer appended it directly or staged
    it for a leader to chain (`audit.appends`), and nothing is left staged.
    (SQLite's test database, one shared in memory, refuses a second writer instead of making it wait as a database
    file's IMMEDIATE transactions do: there the writers take turns, and the test checks the same chain.)"""
    problems, start = [], threading.Barrier(4)
    turns = contextlib.nullcontext() if connection.vendor == "postgresql" else threading.Lock()

    def write(writer):
        try:
            start.wait()
            for i in range(25):
                with turns:
                    services.record(actor=None, action=Action.CREATE, event="test.concurrent",
                                    purpose=Purpose.EARLY_HELP_CASEWORK,
                                    objects=[("people.household", writer * 100 + i)])
        except Exception as error:  # reported below, with the writer
            problems.append((writer, repr(error)))
        finally:
            connection.close()  # each thread's own connection

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    assert problems == []
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 101))
    assert not StagedAuditEvent.objects.exists()
    assert services.verify_chain() == (100, None)

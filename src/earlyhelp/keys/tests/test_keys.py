"""The key store and sealed files (crypto-shredding, issue 16): what is on disk is ciphertext bound to its key; keys
are wrapped by the master key; a destroyed key says so; nothing is destroyed for a held family (P20)."""

import base64
import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from earlyhelp.audit.models import AuditEvent
from earlyhelp.keys import sealed, services, store
from earlyhelp.retention.models import HoldKind, HoldScope
from earlyhelp.retention.services import holds
from earlyhelp.testing.world import make_family

TELLTALE = b"Telltale-7Q4Z family letter"


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.EARLYHELP_FAMILY_KEY_DIR = tmp_path / "family-keys"
    return settings.EARLYHELP_FAMILY_KEY_DIR


def _new_master() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_a_sealed_file_holds_no_plaintext_and_opens_with_its_key(key_dir):
    blob = sealed.seal_for_household(7, TELLTALE)
    assert sealed.is_sealed(blob) and TELLTALE not in blob and b"family letter" not in blob
    assert sealed.key_id_of(blob).startswith("household-7/doc-")
    assert sealed.plaintext(blob) == TELLTALE
    assert sealed.plaintext(TELLTALE) == TELLTALE  # stored before encryption: read as it is
    assert oct(key_dir.stat().st_mode & 0o777) == "0o700"
    for path in key_dir.rglob("*.key"):
        assert path.stat().st_mode & 0o077 == 0
        assert len(path.read_bytes()) == 1 + 4 + 12 + 32 + 16  # wrapped, never the bare key


def test_a_key_store_copied_without_the_master_key_opens_nothing(key_dir, settings):
    blob = sealed.seal_for_household(7, TELLTALE)
    settings.EARLYHELP_MASTER_KEYS = [_new_master()]
    with pytest.raises(sealed.KeyDamaged):
        sealed.plaintext(blob)


def test_an_altered_file_or_one_presented_under_another_key_fails_to_open(key_dir):
    blob = sealed.seal_for_household(7, TELLTALE)
    flipped = bytearray(blob)
    flipped[-1] ^= 1
    with pytest.raises(sealed.KeyDamaged):
        sealed.plaintext(bytes(flipped))
    other = sealed.seal_for_household(7, b"another document")
    swapped = other[:len(sealed.MAGIC) + 1 + len(sealed.key_id_of(other))] + blob[len(sealed.MAGIC) + 1 + len(
        sealed.key_id_of(blob)):]
    with pytest.raises(sealed.KeyDamaged):
        sealed.plaintext(swapped)
    escaping = blob.replace(sealed.key_id_of(blob).encode(), b"household-7/../../../etc/passwd"[:40].ljust(
        len(sealed.key_id_of(blob)), b"x"))
    with pytest.raises(sealed.KeyDamaged):
        sealed.plaintext(escaping)


def test_a_family_key_moved_into_another_familys_directory_does_not_open(key_dir):
    sealed.seal_for_household(7, TELLTALE)
    other = sealed.seal_for_household(8, TELLTALE)
    (key_dir / "household-8" / "family.key").write_bytes((key_dir / "household-7" / "family.key").read_bytes())
    with pytest.raises(sealed.KeyDamaged):
        sealed.plaintext(other)


def test_a_destroyed_key_says_the_document_can_no_longer_be_read(db, world, key_dir,
                                                                  django_capture_on_commit_callbacks):
    family = make_family(world)
    kept = sealed.seal_for_household(family["household"].pk, b"kept")
    erased = sealed.seal_for_household(family["household"].pk, b"erased")
    with django_capture_on_commit_callbacks(execute=True):
        services.destroy_file_keys(by=world.dpo, key_ids=[sealed.key_id_of(erased)])
    with pytest.raises(sealed.KeyDestroyed, match="it was erased"):
        sealed.plaintext(erased)
    assert sealed.plaintext(kept) == b"kept"  # the rest of the family's documents stay readable
    with django_capture_on_commit_callbacks(execute=True):
        assert services.destroy_family_keys(by=world.dpo, household_ids=[family["household"].pk]) == 1
    with pytest.raises(sealed.KeyDestroyed, match="its family's records were destroyed"):
        sealed.plaintext(kept)
    assert not (key_dir / f"household-{family['household'].pk}").exists()
    events = AuditEvent.objects.filter(event__in=["family_key.destroy", "file_key.destroy"])
    assert sorted(events.values_list("event", flat=True)) == ["family_key.destroy", "file_key.destroy"]
    assert all(e.household_id == family["household"].pk and e.actor_id == world.dpo.pk for e in events)


@pytest.mark.promise("P20")
def test_a_legal_hold_stops_the_key_store_itself_destroying_a_familys_keys(db, world, key_dir,
                                                                           django_capture_on_commit_callbacks):
    family = make_family(world)
    blob = sealed.seal_for_household(family["household"].pk, TELLTALE)
    holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="Claim",
                     household_reference=family["household"].reference)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError, match="under a legal hold"):
            services.destroy_family_keys(by=world.dpo, household_ids=[family["household"].pk])
        with pytest.raises(ValidationError, match="under a legal hold"):
            services.destroy_file_keys(by=world.dpo, key_ids=[sealed.key_id_of(blob)])
    assert sealed.plaintext(blob) == TELLTALE
    assert not AuditEvent.objects.filter(event__endswith="_key.destroy").exists()


def test_keys_are_destroyed_only_when_the_transaction_commits(db, world, key_dir):
    family = make_family(world)
    blob = sealed.seal_for_household(family["household"].pk, TELLTALE)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.destroy_family_keys(by=world.dpo, household_ids=[family["household"].pk])
        raise RuntimeError("the disposal failed after the keys were marked")
    assert sealed.plaintext(blob) == TELLTALE


def test_without_a_registered_hold_check_nothing_is_destroyed(db, world, key_dir, monkeypatch):
    family = make_family(world)
    sealed.seal_for_household(family["household"].pk, TELLTALE)
    monkeypatch.setattr(services, "_hold_checks", [])
    with pytest.raises(RuntimeError, match="No legal hold check"):
        services.destroy_family_keys(by=world.dpo, household_ids=[family["household"].pk])
    assert store.family_key_exists(family["household"].pk)


def test_the_master_key_can_be_rotated(key_dir, settings):
    document = sealed.seal_for_household(7, TELLTALE)
    partner = sealed.seal_partner_file(b"partner rows")
    old, new = settings.EARLYHELP_MASTER_KEYS[0], _new_master()
    settings.EARLYHELP_MASTER_KEYS = [new, old]
    assert store.rewrap_keys() == 2 and store.rewrap_keys() == 0
    settings.EARLYHELP_MASTER_KEYS = [new]
    assert sealed.plaintext(document) == TELLTALE and sealed.plaintext(partner) == b"partner rows"


def test_a_badly_formed_master_key_is_refused(key_dir, settings):
    settings.EARLYHELP_MASTER_KEYS = ["too-short"]
    with pytest.raises(ImproperlyConfigured, match="32 random bytes"):
        sealed.seal_for_household(7, TELLTALE)


@pytest.mark.parametrize("master, refused", [("development", "development key published with the code"),
                                             (None, "EARLYHELP_MASTER_KEY .* is not set"), ("own", None)])
def test_production_refuses_the_published_master_key_and_no_master_key(settings, tmp_path, master, refused):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "EARLYHELP_"))}
    env.update({"EARLYHELP_ENV": "production", "EARLYHELP_VAR_DIR": str(tmp_path), "PYTHONPATH": "src",
                "DJANGO_SECRET_KEY": "a-council-s-own-random-key-0123456789"})
    if master:
        env["EARLYHELP_MASTER_KEY"] = settings.DEVELOPMENT_MASTER_KEY if master == "development" else _new_master()
    result = subprocess.run([sys.executable, "-c", "import earlyhelp.settings"], env=env, capture_output=True,
                            text=True, timeout=120, cwd=settings.PROJECT_DIR)
    assert (result.returncode != 0) is bool(refused), result.stderr[-500:]
    if refused:
        assert re.search(refused, result.stderr)


def test_a_key_missing_from_the_store_is_told_from_a_destroyed_one(key_dir, settings, tmp_path):
    blob = sealed.seal_for_household(7, TELLTALE)
    settings.EARLYHELP_FAMILY_KEY_DIR = tmp_path / "the-wrong-place"
    with pytest.raises(sealed.KeyMissing, match="not in the key store"):
        sealed.plaintext(blob)

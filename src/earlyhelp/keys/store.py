"""The key store: data keys in files of their own outside the database, each wrapped with AES-256-GCM.

Layout under `settings.EARLYHELP_FAMILY_KEY_DIR` (mode 0700; files 0600, written beside and moved into place):

    household-<id>/family.key        the family's key, wrapped by the master key
    household-<id>/doc-<token>.key   a document's key, wrapped by the family's key
    partner-files/file-<token>.key   a partner file's key, wrapped by the master key
    destroyed/<key id>               an empty marker left by each destruction (ids only), so that a key destroyed
                                     is told from a key missing because the store was lost or misconfigured

A wrapped key is: version (1 byte), the wrapping key's id (4 bytes), nonce (12 bytes), then AES-GCM ciphertext of
the 32-byte key with the key's own id as associated data. The master key's id lets several master keys be
configured at once (the first wraps new keys, any of them unwraps), so the master key can be rotated
(`rewrap_keys`).
"""

import base64
import binascii
import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = b"\x01"
PARTNER_FILES = "partner-files"
FAMILY_KEY = "family.key"

# A key id comes back from a stored file's header, which anyone with the file store could alter: only these shapes
# are ever turned into a path.
_FAMILY = re.compile(r"household-([1-9][0-9]{0,18})")
_KEY_ID = re.compile(r"(household-[1-9][0-9]{0,18})/(doc-[0-9a-f]{32})|(partner-files)/(file-[0-9a-f]{32})")

FAMILY_DESTROYED = "This document can no longer be read: its family's records were destroyed"
FILE_DESTROYED = "This file can no longer be read: it was erased and its key destroyed"
DAMAGED = "This file can no longer be read: it, or its key, has been altered or damaged"
MISSING = ("This file cannot be read: its key is not in the key store. Tell the system administrator "
           "(EARLYHELP_FAMILY_KEY_DIR may point at the wrong place, or the key store was lost)")
DESTROYED = "destroyed"  # a marker per destroyed key (ids only), so a destroyed key is told from a missing one


class KeyUnavailable(Exception):
    """A key cannot be used; the message says why, in words fit for a page (it holds no personal data)."""


class KeyDestroyed(KeyUnavailable):
    """The key was destroyed (disposal or erasure): the file it sealed can never be read again."""


class KeyMissing(KeyUnavailable):
    """The key is not in the key store and was never destroyed here: a misconfigured or lost key store."""


class KeyDamaged(KeyUnavailable):
    """A key or a sealed file did not authenticate: altered, damaged, or wrapped by a master key not configured."""


# ---------------------------------------------------------------- the master key

def _master_id(key: bytes) -> bytes:
    return hashlib.sha256(b"earlyhelp master key id:" + key).digest()[:4]


def decode_master_key(text: str) -> bytes:
    """A master key as configured: 32 random bytes in URL-safe base64 (44 characters)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            "EARLYHELP_MASTER_KEY must be 32 random bytes in URL-safe base64 (make one with: python -c \"import "
            "base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())\")")
    return key


def _master_keys() -> list[bytes]:
    configured = list(getattr(settings, "EARLYHELP_MASTER_KEYS", []))
    if not configured:
        raise ImproperlyConfigured("EARLYHELP_MASTER_KEY is not set: stored files cannot be encrypted or read")
    return [decode_master_key(text) for text in configured]


# ---------------------------------------------------------------- wrapping

def _wrap(key: bytes, *, under: bytes, key_id: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return VERSION + _master_id(under) + nonce + AESGCM(under).encrypt(nonce, key, key_id.encode())


def _unwrap(blob: bytes, *, under: list[bytes], key_id: str) -> bytes:
    if len(blob) < 1 + 4 + NONCE_BYTES + KEY_BYTES + 16 or blob[:1] != VERSION:
        raise KeyDamaged(DAMAGED)
    wrapping = next((k for k in under if _master_id(k) == blob[1:5]), None)
    if wrapping is None:
        raise KeyDamaged(DAMAGED)
    try:
        key = AESGCM(wrapping).decrypt(blob[5:5 + NONCE_BYTES], blob[5 + NONCE_BYTES:], key_id.encode())
    except InvalidTag:
        raise KeyDamaged(DAMAGED) from None
    if len(key) != KEY_BYTES:
        raise KeyDamaged(DAMAGED)
    return key


# ---------------------------------------------------------------- files

def root() -> Path:
    """The key store, created if missing, open to the service's user only."""
    path = Path(settings.EARLYHELP_FAMILY_KEY_DIR)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _directory(name: str) -> Path:
    path = root() / name
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _write_new(path: Path, content: bytes) -> bool:
    """Write a file that must not exist yet, whole or not at all; False if it already existed (another process won
    the race: its key stands)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # unlike a rename, never replaces a key already there
        except FileExistsError:
            return False
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def shred(path: Path) -> None:
    """Overwrite a key file with random bytes, then delete it (on a copy-on-write or journalling file system the
    overwrite may not reach the old blocks: a key kept there wrapped still needs the master key). The research
    projects' pseudonymisation keys go this way too."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as handle:
        handle.write(secrets.token_bytes(max(size, KEY_BYTES)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


@contextlib.contextmanager
def _exclusive():
    """Destruction and rewrapping take turns, so a key being rewrapped can never be put back after its destruction."""
    with open(root() / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ---------------------------------------------------------------- key ids

def family_name(household_id: int) -> str:
    return f"household-{int(household_id)}"


def household_of(key_id: str) -> int | None:
    """The family a key id belongs to (None for a partner file's key)."""
    match = _KEY_ID.fullmatch(key_id or "")
    if match is None:
        raise KeyDamaged(DAMAGED)
    return int(match.group(1).removeprefix("household-")) if match.group(1) else None


def _parts(key_id: str) -> tuple[str, str]:
    match = _KEY_ID.fullmatch(key_id or "")
    if match is None:
        raise KeyDamaged(DAMAGED)
    return (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))


# ---------------------------------------------------------------- keys

def _family_key(household_id: int, *, create: bool) -> bytes:
    name = family_name(household_id)
    path = (_directory(name) if create else root() / name) / FAMILY_KEY
    wrapped = _read(path)
    if wrapped is None and create:
        _write_new(path, _wrap(secrets.token_bytes(KEY_BYTES), under=_master_keys()[0], key_id=name))
        wrapped = _read(path)
    if wrapped is None:
        raise _gone(name, FAMILY_DESTROYED)
    return _unwrap(wrapped, under=_master_keys(), key_id=name)


def new_document_key(household_id: int) -> tuple[str, bytes]:
    """A new key for one of the family's documents (the family's key is made at its first): (key id, key)."""
    family = _family_key(household_id, create=True)
    name = family_name(household_id)
    key_id, key = f"{name}/doc-{secrets.token_hex(16)}", secrets.token_bytes(KEY_BYTES)
    if not _write_new(root() / name / f"{key_id.split('/')[1]}.key", _wrap(key, under=family, key_id=key_id)):
        raise RuntimeError("A new document key collided with an existing one")  # 128 random bits: never in practice
    return key_id, key


def new_partner_file_key() -> tuple[str, bytes]:
    """A new key for one partner file: (key id, key)."""
    key_id, key = f"{PARTNER_FILES}/file-{secrets.token_hex(16)}", secrets.token_bytes(KEY_BYTES)
    path = _directory(PARTNER_FILES) / f"{key_id.split('/')[1]}.key"
    if not _write_new(path, _wrap(key, under=_master_keys()[0], key_id=key_id)):
        raise RuntimeError("A new partner file key collided with an existing one")
    return key_id, key


def data_key(key_id: str) -> bytes:
    """The key a file was sealed under. KeyDestroyed if it, or its family's key, was destroyed."""
    folder, name = _parts(key_id)
    household_id = household_of(key_id)
    wrapped = _read(root() / folder / f"{name}.key")
    if household_id is None:
        if wrapped is None:
            raise _gone(key_id, FILE_DESTROYED)
        return _unwrap(wrapped, under=_master_keys(), key_id=key_id)
    family = _family_key(household_id, create=False)  # a destroyed family says so, whatever is left beside it
    if wrapped is None:
        raise _gone(key_id, FILE_DESTROYED)
    return _unwrap(wrapped, under=[family], key_id=key_id)


def family_key_exists(household_id: int) -> bool:
    return (root() / family_name(household_id) / FAMILY_KEY).exists()


def key_exists(key_id: str) -> bool:
    folder, name = _parts(key_id)
    return (root() / folder / f"{name}.key").exists()


# ---------------------------------------------------------------- destruction (only through `services`)

def _marker(key_id: str) -> Path:
    return root() / DESTROYED / key_id.replace("/", "--")


def _gone(key_id: str, destroyed_message: str) -> KeyUnavailable:
    return KeyDestroyed(destroyed_message) if _marker(key_id).exists() else KeyMissing(MISSING)


def _mark_destroyed(key_id: str) -> None:
    _directory(DESTROYED)
    _marker(key_id).touch(mode=0o600, exist_ok=True)


def _destroy_family(household_id: int) -> None:
    """The family's key first (that alone makes every document's key useless), then the rest of its directory."""
    directory = root() / family_name(household_id)
    with _exclusive():
        _mark_destroyed(family_name(household_id))
        shred(directory / FAMILY_KEY)
        if directory.is_dir():
            for path in directory.iterdir():
                shred(path)
            shutil.rmtree(directory, ignore_errors=True)


def _destroy_key(key_id: str) -> None:
    folder, name = _parts(key_id)
    with _exclusive():
        _mark_destroyed(key_id)
        shred(root() / folder / f"{name}.key")


# ---------------------------------------------------------------- rotating the master key

def rewrap_keys() -> int:
    """Wrap every family key and partner file key under the first configured master key (after a new master key
    is put first in `EARLYHELP_MASTER_KEY`, and before the old one is removed). Returns how many were rewrapped."""
    masters = _master_keys()
    newest, done = masters[0], 0
    with _exclusive():
        done = _rewrap_all(masters, newest)
    return done


def _rewrap_all(masters: list[bytes], newest: bytes) -> int:
    done = 0
    for directory in sorted(p for p in root().iterdir() if p.is_dir()):
        if _FAMILY.fullmatch(directory.name):
            targets = [(directory / FAMILY_KEY, directory.name)]
        elif directory.name == PARTNER_FILES:
            targets = [(p, f"{PARTNER_FILES}/{p.stem}") for p in directory.glob("file-*.key")]
        else:
            continue
        for path, key_id in targets:
            wrapped = _read(path)
            if wrapped is None or wrapped[1:5] == _master_id(newest):
                continue
            key = _unwrap(wrapped, under=masters, key_id=key_id)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_wrap(key, under=newest, key_id=key_id))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, path)
            finally:
                Path(temporary).unlink(missing_ok=True)
            done += 1
    return done

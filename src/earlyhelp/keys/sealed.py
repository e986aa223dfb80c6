"""Sealed files: what the file store holds (AES-256-GCM under a key from the key store).

    MAGIC (8 bytes) | length of the key id (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext and tag

The header (magic, length and key id) is the associated data, so a file cannot be presented under another key id.
A file without the magic was stored before encryption (`manage.py encrypt_stored_files` seals those): it is read
as it is. The magic holds a NUL byte, which no text file the service accepts may hold, and no other accepted file
type starts with it.
"""

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import store
from .store import DAMAGED, KeyDamaged, KeyDestroyed, KeyMissing, KeyUnavailable

__all__ = ["KeyDamaged", "KeyDestroyed", "KeyMissing", "KeyUnavailable", "is_sealed", "key_id_of", "plaintext", "seal",
           "seal_for_household", "seal_partner_file", "read_stored", "stored_key_id",
           "content_to_seal"]

MAGIC = b"EHSEAL\x00\x01"
HEAD_BYTES = len(MAGIC) + 1 + 255  # enough of a file to read its key id


def seal(content: bytes, *, key_id: str, key: bytes) -> bytes:
    encoded = key_id.encode("ascii")
    header = MAGIC + bytes([len(encoded)]) + encoded
    nonce = secrets.token_bytes(store.NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, content, header)


def seal_for_household(household_id: int, content: bytes) -> bytes:
    """A family's document, sealed under a new key of its own wrapped by the family's key."""
    key_id, key = store.new_document_key(household_id)
    return seal(content, key_id=key_id, key=key)


def seal_partner_file(content: bytes) -> bytes:
    """A partner file, sealed under a new key of its own."""
    key_id, key = store.new_partner_file_key()
    return seal(content, key_id=key_id, key=key)


def is_sealed(blob: bytes) -> bool:
    return blob[:len(MAGIC)] == MAGIC


def key_id_of(blob: bytes) -> str | None:
    """The key id in a sealed file's header (the first HEAD_BYTES are enough); None for a file stored before
    encryption."""
    if not is_sealed(blob):
        return None
    length = blob[len(MAGIC)] if len(blob) > len(MAGIC) else 0
    encoded = blob[len(MAGIC) + 1:len(MAGIC) + 1 + length]
    if not length or len(encoded) != length:
        raise KeyDamaged(DAMAGED)
    try:
        key_id = encoded.decode("ascii")
    except UnicodeDecodeError:
        raise KeyDamaged(DAMAGED) from None
    store.household_of(key_id)  # a key id of the wrong shape is refused here
    return key_id


def plaintext(blob: bytes) -> bytes:
    """What was stored: sealed files are opened (KeyDestroyed, KeyDamaged), older files are returned as they are."""
    key_id = key_id_of(blob)
    if key_id is None:
        return blob
    start = len(MAGIC) + 1 + len(key_id)
    header, nonce, ciphertext = blob[:start], blob[start:start + store.NONCE_BYTES], blob[start + store.NONCE_BYTES:]
    key = store.data_key(key_id)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, header)
    except (InvalidTag, ValueError):
        raise KeyDamaged(DAMAGED) from None


def read_stored(storage, name: str) -> bytes:
    """A stored file's content, opened: what every reader gets (FileNotFoundError if the file is not there)."""
    with storage.open(name, "rb") as stored:
        return plaintext(stored.read())


def content_to_seal(storage, name: str, counts: dict) -> bytes | None:
    """For the upgrade (`manage.py encrypt_stored_files`): the content of a file stored before files were sealed, to
    seal now; None when there is nothing to seal, counted in `counts` as "missing" or "already sealed"."""
    try:
        with storage.open(name, "rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        counts["missing"] += 1
        return None
    if is_sealed(content):
        counts["already sealed"] += 1
        return None
    return content


def stored_key_id(storage, name: str) -> str | None:
    """The key a stored file is sealed under (None if the file is not sealed, or not there)."""
    try:
        with storage.open(name, "rb") as stored:
            head = stored.read(HEAD_BYTES)
    except FileNotFoundError:
        return None
    try:
        return key_id_of(head)
    except KeyDamaged:
        return None

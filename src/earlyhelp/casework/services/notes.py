"""Case notes and documents, each with who gave us the information (P17); images and recordings only with a
recorded reason (P28)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import Action
from earlyhelp.keys import sealed as keys
from earlyhelp.organisations.models import Organisation, User
from earlyhelp.records.provenance import SourceKind

from .. import messages
from ..models import CaseNote, Document, DocumentKind, Episode
from ._common import _audit, _require, _source


@transaction.atomic
def add_case_note(*, by: User, episode: Episode, text: str, occurred_at: datetime.datetime | None = None,
                  channel: str = "", is_sensitive: bool = False, source_kind: str = SourceKind.PRACTITIONER,
                  source_organisation: Organisation | None = None) -> CaseNote:
    _require(by, episode.household_id, "can_work_on_case")
    occurred_at = occurred_at or timezone.now()
    note = CaseNote(episode=episode, author=by, text=text.strip(), occurred_at=occurred_at, channel=channel,
                    is_sensitive=is_sensitive, **_source(source_kind, source_organisation))
    errors = note.provenance_errors()
    if not text.strip():
        errors["text"] = messages.ENTER_CASE_NOTE
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = "The date of the note must be today or in the past"
    if errors:
        raise ValidationError(errors)
    note.save()
    _audit(by, Action.CREATE, "case_note.create", note, episode.household_id)
    return note


MEDIA_PREFIXES = {DocumentKind.IMAGE: "image/", DocumentKind.AUDIO: "audio/"}
# What each accepted type's first bytes must be: the browser's word for the type is not trusted.
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "audio/ogg": (b"OggS",),
    "audio/wav": (b"RIFF",),
    "audio/x-wav": (b"RIFF",),
    "audio/mp4": (b"ftyp",),  # at offset 4
    "audio/x-m4a": (b"ftyp",),
}
ALLOWED_DOCUMENT_TYPES = {"text/plain", *FILE_SIGNATURES}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _content_matches(content_type: str, head: bytes) -> bool:
    if content_type == "text/plain":
        return b"\x00" not in head  # binary files carry NUL bytes; text does not
    signatures = FILE_SIGNATURES.get(content_type, ())
    return any(head.startswith(sig) or (sig == b"ftyp" and head[4:8] == sig) for sig in signatures)


def _kind_of(content_type: str) -> str:
    for kind, prefix in MEDIA_PREFIXES.items():
        if content_type.startswith(prefix):
            return kind
    return DocumentKind.DOCUMENT


@transaction.atomic
def upload_document(*, by: User, episode: Episode, upload, title: str, media_reason: str = "",
                    source_kind: str = SourceKind.FAMILY, source_organisation: Organisation | None = None) -> Document:
    """Images and voice recordings only with a recorded reason (P28)."""
    _require(by, episode.household_id, "can_work_on_case")
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    kind = _kind_of(content_type)
    document = Document(episode=episode, title=title.strip(), kind=kind, media_reason=media_reason.strip(),
                        content_type=content_type, size_bytes=upload.size, uploaded_by=by,
                        **_source(source_kind, source_organisation))
    errors = document.provenance_errors()
    if not title.strip():
        errors["title"] = "Enter a title for the document"
    head = upload.read(2048)
    upload.seek(0)
    if content_type not in ALLOWED_DOCUMENT_TYPES:
        errors["upload"] = ("The file must be a PDF, Word document, text file, JPEG or PNG image, "
                            "or an MP3, M4A, OGG or WAV recording")
    elif not _content_matches(content_type, head):
        errors["upload"] = "The file's contents do not match its type: check it is the file you meant to add"
    if upload.size > MAX_DOCUMENT_BYTES:
        errors["upload"] = "The file must be smaller than 10MB"
    if upload.size == 0:
        errors["upload"] = "The selected file is empty"
    if kind != DocumentKind.DOCUMENT and not media_reason.strip():
        errors["media_reason"] = ("Images and voice recordings are kept only where required or part of "
                                  "therapeutic work: enter why this one is needed")
    if errors:
        raise ValidationError(errors)
    # Stored sealed under a key of its own in the family's keys (crypto-shredding, `earlyhelp.keys`), and under a
    # random name: the original file name may itself be personal data.
    sealed = keys.seal_for_household(episode.household_id, upload.read())
    document.file = ContentFile(sealed, name=f"{timezone.now():%Y%m%d%H%M%S%f}.bin")
    document.save()
    _audit(by, Action.CREATE, "document.upload", document, episode.household_id, kind=kind)
    return document


def seal_stored_documents() -> dict[str, int]:
    """Seal every document stored before stored files were encrypted (`manage.py encrypt_stored_files`, once, at the
    upgrade): each is written again, sealed under a key of its family's, under a new random name; the row is pointed
    at it and the plain copy deleted once that commits. One document per transaction, so a run that stops part way
    loses nothing and the next run carries on; documents already sealed are left alone. Returns counts."""
    counts = {"sealed": 0, "already sealed": 0, "missing": 0}
    for pk in Document.objects.exclude(file="").order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            document = Document.objects.select_for_update(of=("self",)).select_related("episode").get(pk=pk)
            storage, name = document.file.storage, document.file.name
            content = keys.content_to_seal(storage, name, counts)
            if content is None:
                continue
            household_id = document.episode.household_id
            folder = name.rsplit("/", 1)[0] if "/" in name else "episodes"
            new_name = storage.save(f"{folder}/{timezone.now():%Y%m%d%H%M%S%f}.bin",
                                    ContentFile(keys.seal_for_household(household_id, content)))
            Document.objects.filter(pk=pk).update(file=new_name)  # the stored file's name only: no new version
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            _audit(None, Action.CHANGE, "document.seal", document, household_id)
            counts["sealed"] += 1
    return counts

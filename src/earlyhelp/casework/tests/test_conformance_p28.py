"""P28: children's images, film and voice recordings are kept only with a recorded reason (conformance, clause P28.1)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from earlyhelp.casework import services
from earlyhelp.casework.models import Document, DocumentKind
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P28")]


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead)


def test_the_database_refuses_an_image_or_recording_without_a_reason(world, family):
    for kind in (DocumentKind.IMAGE, DocumentKind.AUDIO):
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.create(episode=family["episode"], title="Untitled", kind=kind, media_reason="",
                                    file="episodes/x.bin", content_type="image/png", size_bytes=1,
                                    uploaded_by=world.lead)
    assert not Document.objects.exists()


def test_a_voice_recording_needs_a_reason_and_film_is_not_accepted(world, family):
    recording = SimpleUploadedFile("voice.mp3", b"ID3 fake mp3", "audio/mpeg")
    with pytest.raises(ValidationError) as caught:
        services.upload_document(by=world.lead, episode=family["episode"], upload=recording, title="Voice")
    assert "media_reason" in caught.value.message_dict
    recording.seek(0)
    kept = services.upload_document(by=world.lead, episode=family["episode"], upload=recording, title="Voice",
                                    media_reason="Life coaching session the young person asked to keep")
    assert kept.kind == DocumentKind.AUDIO
    film = SimpleUploadedFile("film.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    with pytest.raises(ValidationError) as caught:
        services.upload_document(by=world.lead, episode=family["episode"], upload=film, title="Film",
                                 media_reason="Therapeutic work")
    assert "upload" in caught.value.message_dict
    assert list(Document.objects.values_list("kind", flat=True)) == [DocumentKind.AUDIO]

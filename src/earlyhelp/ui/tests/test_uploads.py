"""A request too large to read is refused before its body is read, and an upload is stopped as it streams once it
passes the limit (issue 16): nothing is read into memory or saved."""

import io

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client
from django.urls import reverse

from earlyhelp.matching.models import ImportBatch
from earlyhelp.ui import uploads


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_unread_with_a_page(world, settings):
    settings.EARLYHELP_MAX_REQUEST_BYTES = 1024 * 1024
    client = Client()
    client.force_login(world.data_team)
    response = client.generic("POST", reverse("matching:batch-new"), b"", content_type="multipart/form-data; "
                              "boundary=x", CONTENT_LENGTH=str(408 * 1024 * 1024), **{"wsgi.input": _Unreadable()})
    assert response.status_code == 413 and response["Connection"] == "close"
    page = response.content.decode()
    assert "What you sent is too large" in page and "1 MB" in page and "Nothing was saved" in page
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_body_within_the_limit_is_read_as_usual(world, settings):
    settings.EARLYHELP_MAX_REQUEST_BYTES = 1024 * 1024
    client = Client()
    client.force_login(world.data_team)
    assert client.get(reverse("matching:batch-new")).status_code in (200, 302)


def test_an_upload_is_stopped_as_it_streams_once_past_the_limit(settings):
    settings.EARLYHELP_MAX_REQUEST_BYTES = 10_000
    handler = uploads.LimitedUploadHandler()
    handler.handle_raw_input(None, {}, 5_000, b"x")  # the header said less than the body holds
    assert handler.receive_data_chunk(b"a" * 6_000, 0) == b"a" * 6_000
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"a" * 6_000, 6_000)
    with pytest.raises(RequestDataTooBig):
        uploads.LimitedUploadHandler().handle_raw_input(None, {}, 10_001, b"x")

"""Requests too large to read are refused before their body is read (issue 16).

`RequestSizeMiddleware` answers 413, with a page that needs nothing else, to any request whose Content-Length is
over EARLYHELP_MAX_REQUEST_BYTES, before a byte of its body is read. `LimitedUploadHandler`, first of the upload
handlers, counts the bytes of an upload as they arrive and stops at the same limit, whatever the header said.
Django's own handlers then keep a file over FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file, not in memory, and
each form checks its own, smaller limit from the file's size (partner files: MATCHING_MAX_UPLOAD_BYTES; documents:
`casework.services.notes.MAX_DOCUMENT_BYTES`). Keep the reverse proxy's body limit at or above this one (see
docs/operations.md), so that the service, not the proxy, says what is wrong.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.template.loader import render_to_string


def request_limit() -> int:
    return settings.EARLYHELP_MAX_REQUEST_BYTES


def in_words(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if length > request_limit():
            html = render_to_string("ui/request_too_large.html", {
                "limit": in_words(settings.MATCHING_MAX_UPLOAD_BYTES), "request_limit": in_words(request_limit())})
            response = HttpResponse(html, status=413)
            response["Connection"] = "close"  # the body is not read: the connection cannot be reused
            return response
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload at EARLYHELP_MAX_REQUEST_BYTES as it streams (a Content-Length that understated the body)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length > request_limit():
            raise RequestDataTooBig("The request is larger than EARLYHELP_MAX_REQUEST_BYTES")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > request_limit():
            raise RequestDataTooBig("The upload is larger than EARLYHELP_MAX_REQUEST_BYTES")
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file

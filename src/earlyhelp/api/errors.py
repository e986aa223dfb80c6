"""One shape for every error answer: `{"detail": "...", "errors": [{"field": ..., "message": ...}]}`.

Error answers never echo what was sent (it may be personal data) and never show a traceback.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .schemas import NO_NUL

# Where a request's value came from; the field name is what follows.
_LOCATIONS = {"body", "path", "query", "header", "cookie", "form", "file"}


def error_body(detail: str, errors=()) -> dict:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}


def _field_of(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    # Ninja wraps a body schema in its parameter name ("payload"); callers know only the fields.
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message_of(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NO_NUL:
        return "Must not contain a NUL (0x00) character"
    message = error.get("msg", "Invalid value")
    return message.removeprefix("Value error, ")


def django_errors(exc: DjangoValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(field if field != "__all__" else "", message)
                for field, messages in exc.message_dict.items() for message in messages]
    return [("", message) for message in exc.messages]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("Not found"), status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(
            request, error_body("Authentication required: send 'Authorization: Bearer <token>'"), status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        # A refusal is an audit event in the API as on the web (ids and route only, never the request body).
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        audit.record(actor=user if getattr(user, "is_authenticated", False) else None, action=Action.DENIED,
                     event="api.denied", purpose=Purpose.API_ACCESS)
        return api.create_response(request, error_body(str(exc) or "You do not have permission to do this"),
                                   status=403)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(request, error_body(exc.message), status=exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        errors = [(_field_of(e.get("loc", ())), _message_of(e)) for e in exc.errors]
        detail = "The request is not valid: " + "; ".join(f"{f}: {m}" for f, m in errors)
        return api.create_response(request, error_body(detail, errors), status=422)

    @api.exception_handler(DjangoValidationError)
    def rejected(request, exc):
        errors = django_errors(exc)
        detail = " ".join(m for _, m in errors) or "The request is not valid"
        return api.create_response(request, error_body(detail, [(f, m) for f, m in errors if f]), status=422)

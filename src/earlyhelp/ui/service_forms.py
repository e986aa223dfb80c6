"""Connecting forms to services: a service's ValidationError becomes errors on the form."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def run_service(form, call):
    """Run `call()`; on ValidationError put its messages on the form and return None.

    PermissionDenied becomes a 404, so a page never reveals a record the user may not act on.
    """
    try:
        return call()
    except PermissionDenied as error:
        raise Http404("Page not found") from error
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return None


MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """A record id from a form field; None for anything that is not one (never an exception)."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None

from django import template
from django.utils.safestring import mark_safe

from earlyhelp.casework.kept_pages import CSRF_PLACEHOLDER

register = template.Library()


@register.simple_tag
def kept_csrf_token():
    """The family page body's CSRF field: a placeholder that `kept_pages.Page.with_csrf_token` fills on every
    request, since the body may be served again to a later request."""
    return mark_safe(CSRF_PLACEHOLDER)  # noqa: S308 (a constant)

"""A page kept to be served again (`casework.kept_pages`) is rendered without the parts that belong to one request:
its CSRF fields, its content-security nonce and its messages stand in it as HTML comments, which no escaped text can
produce, and `fill` puts this request's in their place."""

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html

CSRF = "<!--eh:csrf-token-->"
NONCE = "<!--eh:csp-nonce-->"
MESSAGES = "<!--eh:messages-->"


def fill(html: str, request) -> str:
    """The kept page as this request's own: its CSRF token, its nonce, and the messages waiting for it (if any)."""
    messages = get_messages(request)
    shown = render_to_string("ui/messages.html", {"messages": messages}, request=request) if len(messages) else ""
    field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    return html.replace(CSRF, field).replace(NONCE, str(request.csp_nonce)).replace(MESSAGES, shown)

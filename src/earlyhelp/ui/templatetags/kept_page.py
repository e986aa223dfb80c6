"""The per-request parts of a page (`ui.kept`): rendered for this request, or as placeholders when the page is being
rendered to be kept (`kept_page` in the context)."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from earlyhelp.ui import kept

register = template.Library()


@register.simple_tag(takes_context=True)
def page_csrf_token(context):
    if context.get("kept_page"):
        return mark_safe(kept.CSRF)  # noqa: S308 (a constant)
    token = context.get("csrf_token")  # as Django's own {% csrf_token %}
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.simple_tag(takes_context=True)
def page_nonce(context):
    if context.get("kept_page"):
        return mark_safe(kept.NONCE)  # noqa: S308 (a constant)
    request = context.get("request")
    return getattr(request, "csp_nonce", "") if request is not None else ""


@register.simple_tag(takes_context=True)
def page_messages(context):
    if context.get("kept_page"):
        return mark_safe(kept.MESSAGES)  # noqa: S308 (a constant)
    return render_to_string("ui/messages.html", {"messages": context.get("messages", ())})

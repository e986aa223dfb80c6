"""Landmarks that appear only when they have content (WCAG 1.3.1; axe's "region" rule: all content in landmarks)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


class NavigationIfAnyNode(template.Node):
    def __init__(self, nodelist, label):
        self.nodelist, self.label = nodelist, label

    def render(self, context):
        content = self.nodelist.render(context)
        if not content.strip():
            return ""  # an empty <nav> would be a landmark with nothing in it
        return format_html('<nav aria-label="{}">{}</nav>', self.label.resolve(context), mark_safe(content))


@register.tag
def navigation_if_any(parser, token):
    """`{% navigation_if_any "Back" %}…{% end_navigation_if_any %}`: the content in a labelled <nav>, if there is any
    (a back link before <main>, where GOV.UK places it, so the skip link passes it)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("navigation_if_any takes one argument: the navigation's label")
    nodelist = parser.parse(("end_navigation_if_any",))
    parser.delete_first_token()
    return NavigationIfAnyNode(nodelist, parser.compile_filter(bits[1]))

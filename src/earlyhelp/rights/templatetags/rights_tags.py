"""Template helpers for rights requests: what a person's page must show."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("rights/includes/person_rights.html")
def person_rights(person):
    """Disputes and a restriction on a person's page. The page itself is access-checked and audited."""
    return {"disputes": selectors.disputes_for(person.pk), "restriction": selectors.active_restriction_for(person.pk)}

"""Template helpers for rights requests: the navigation item, and what a person's page must show."""

from django import template

from earlyhelp.access import policy

from .. import selectors

register = template.Library()


@register.filter
def may_handle_rights_requests(user) -> bool:
    """For the navigation: the rule itself is the access policy's."""
    return policy.may_handle_rights_requests(user)


@register.inclusion_tag("rights/includes/person_rights.html")
def person_rights(person):
    """Disputes and a restriction on a person's page. The page itself is access-checked and audited."""
    return {"disputes": selectors.disputes_for(person.pk), "restriction": selectors.active_restriction_for(person.pk)}

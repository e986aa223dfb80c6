from django import template
from django_tables2.templatetags.django_tables2 import table_page_range

register = template.Library()


@register.filter
def page_range(page):
    """The page numbers to offer around this page, with "..." for the gaps (django-tables2's rule, one home)."""
    return table_page_range(page, page.paginator)

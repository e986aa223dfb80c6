"""Paged, sortable, filterable lists in GOV.UK markup (django-tables2 and django-filter), so a list view is a few lines.

    class FamilyTable(GovukTable):
        caption, noun_plural = "My families", "families"
        ...

    context = paged_list(request, FamilyTable, rows, filterset_class=FamilyFilter)
    return render(request, "casework/families.html", context)   # {% include "ui/lists/list.html" %}

Every list in the product is paged (PER_PAGE rows): nothing renders a whole table of records at once. Rows are read
for one page only, so a column that needs related rows (names, counts) prefetches for that page alone and the queries
per page do not grow with the size of the list.
"""

import django_tables2 as tables
from django.core.paginator import Paginator
from django_tables2 import RequestConfig

PER_PAGE = 25


class GovukTable(tables.Table):
    """A django-tables2 table drawn by ui/lists/table.html: caption, sortable headers with aria-sort, a labelled
    scroll container and the GOV.UK pagination component."""

    caption = "List"
    noun_plural = "rows"
    empty_text = "There is nothing to show."  # the template is settings.DJANGO_TABLES2_TEMPLATE

    def __init__(self, *args, caption=None, caption_hidden=False, **kwargs):
        kwargs.setdefault("empty_text", self.empty_text)
        super().__init__(*args, **kwargs)
        if caption:
            self.caption = caption
        self.caption_hidden = caption_hidden  # the page's heading already says it: the caption is for screen readers


def filtered(filterset, rows):
    """The rows the filter form chose (all of them while it is not filled in; none while it is invalid)."""
    if filterset is None or not filterset.is_bound:
        return rows
    return filterset.qs if filterset.is_valid() else rows.none()


def paged_list(request, table_class, rows, *, filterset_class=None, filterset_kwargs=None, per_page=PER_PAGE,
               **table_kwargs) -> dict:
    """The context for ui/lists/list.html: the filter form (from the query string) and one sorted page of the rows
    it chose."""
    filterset = (filterset_class(request.GET or None, queryset=rows, request=request, **(filterset_kwargs or {}))
                 if filterset_class else None)
    table = table_class(filtered(filterset, rows), **table_kwargs)
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    return {"table": table, "filter": filterset}


def paged_rows(request, rows, *, per_page=PER_PAGE):
    """One page of rows (a queryset is read for that page only) for a list drawn its own way, with
    ui/lists/pagination.html beneath it. An out-of-range page number shows the last page."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))

"""The GOV.UK list kit: the pagination component keeps the query string, and tables sort with aria-sort."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.test import RequestFactory

from earlyhelp.ui.lists import GovukTable, paged_list, paged_rows


class NumberTable(GovukTable):
    caption, noun_plural = "Numbers", "numbers"
    number = tables.Column("Number")


def _request(query=""):
    return RequestFactory().get(f"/numbers/{query}")


def test_pagination_is_the_govuk_component_and_keeps_the_filters():
    request = _request("?kind=odd&page=3")
    page = paged_rows(request, list(range(200)))
    html = render_to_string("ui/lists/pagination.html", {"page": page, "label": "Numbers"}, request=request)
    assert 'class="govuk-pagination" aria-label="Numbers: pages"' in html
    assert 'aria-label="Page 3" aria-current="page"' in html and "govuk-pagination__item--ellipses" in html
    assert "?kind=odd&amp;page=2" in html and "?kind=odd&amp;page=4" in html and 'rel="prev"' in html
    assert list(page.object_list) == list(range(50, 75))
    assert paged_rows(_request("?page=99"), list(range(30))).number == 2  # past the end: the last page


def test_a_table_sorts_and_says_how_in_aria_sort():
    rows = [{"number": n} for n in range(30)]
    request = _request("?sort=-number")
    context = paged_list(request, NumberTable, rows)
    html = render_to_string("ui/lists/list.html", {**context, "request": request})
    assert 'aria-sort="descending"' in html and "Showing 1 to 25 of 30 numbers" in html
    assert 'role="region" aria-label="Numbers" tabindex="0"' in html
    assert html.index(">29<") < html.index(">5<")  # highest first
    assert '?sort=number' in html  # the header link sorts the other way, from page 1

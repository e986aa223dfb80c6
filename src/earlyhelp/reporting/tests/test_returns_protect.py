"""The disclosure-control door of the returns and performance tables (P11): small counts hidden, none derivable."""

import pytest

from earlyhelp.reporting.services._protect import Publication, TableSpec, count_tables, protect_tables

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P11")]


def _records(counts: dict, name="row"):
    return [{name: label} for label, count in counts.items() for _ in range(count)]


def _cells(table):
    return [value for row in table.as_rows()[1:] for value in row[1:]]


def test_a_small_count_is_c_and_a_zero_is_0():
    publication = Publication(records=_records({"A": 3, "B": 20, "C": 30}),
                              dimensions={"row": ["A", "B", "C", "D"]}, tables=[TableSpec("t", rows="row")])
    table = protect_tables(publication)[0]
    rows = dict((row[0], row[1]) for row in table.as_rows()[1:])
    assert rows["A"] == "c" and rows["D"] == "0"
    # A lone c beside a total could be worked out by subtraction: a second figure is hidden too.
    assert rows["B"] == "c" and rows["C"] == "30" and rows["Total"] == "53"


def test_no_suppressed_cell_is_alone_in_any_row_or_column_of_a_two_way_table():
    records = [{"r": r, "k": k} for r, k, n in [("x", "p", 2), ("x", "q", 9), ("y", "p", 12), ("y", "q", 8),
                                                   ("z", "p", 7), ("z", "q", 6)] for _ in range(n)]
    table = protect_tables(Publication(records=records, dimensions={"r": ["x", "y", "z"], "k": ["p", "q"]},
                                       tables=[TableSpec("t", rows="r", columns="k")]))[0]
    rows = table.as_rows()
    grid = [row[1:] for row in rows[1:]]  # cells with their row total; the last row holds the column totals
    assert "2" not in _cells(table)
    for line in grid + [list(column) for column in zip(*grid)]:
        assert line.count("c") != 1


def test_an_earlier_publications_c_stays_c():
    spec = [TableSpec("t", rows="row")]
    earlier = {"t": [["", "Count"], ["A", "c"], ["B", "c"], ["Total", "25"]]}
    table = protect_tables(Publication(records=_records({"A": 8, "B": 20}), dimensions={"row": ["A", "B"]},
                                       tables=spec, earlier=earlier))[0]
    assert dict((row[0], row[1]) for row in table.as_rows()[1:3]) == {"A": "c", "B": "c"}


def test_counted_tables_show_every_figure():
    table = count_tables(Publication(records=_records({"A": 3}), dimensions={"row": ["A"]},
                                     tables=[TableSpec("t", rows="row")]))[0]
    assert table.as_rows()[1] == ["A", "3"]


def test_a_record_outside_the_listed_categories_is_refused():
    with pytest.raises(ValueError):
        Publication(records=[{"row": "Z"}], dimensions={"row": ["A"]}, tables=[TableSpec("t", rows="row")])


def test_a_table_that_would_reveal_a_small_count_is_refused_before_anyone_sees_it(monkeypatch):
    """If the suppression step ever let a small count through (here: it is made to show every figure), the audit of
    what will be shown refuses, and no table comes back."""
    from earlyhelp.reporting import disclosure
    from earlyhelp.reporting.disclosure import suppression

    truth = {"A": 3, "B": 20, "C": 30}

    def show_everything(*, publication, thresholds):
        protected = suppression.protect(publication=publication, thresholds=thresholds)
        table = protected.tables[0]
        assert table.cell("A").display == disclosure.Symbol.CONFIDENTIAL  # protected before it is undone here
        revealed = tuple((disclosure.ShownCell(display=truth[label]),) for label in table.row_labels)
        return type(protected)(tables=(type(table)(
            title=table.title, geography=table.geography, row_labels=table.row_labels,
            column_labels=table.column_labels, cells=revealed, row_totals=table.row_totals,
            column_totals=table.column_totals, total=table.total),))

    monkeypatch.setattr(disclosure, "protect", show_everything)
    publication = Publication(records=_records(truth), dimensions={"row": ["A", "B", "C"]},
                              tables=[TableSpec("t", rows="row")])
    with pytest.raises(disclosure.DisclosureRisk):
        protect_tables(publication)

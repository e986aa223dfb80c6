"""The one door every statistics table of the returns and performance pages goes through before anyone sees it (P11).

Callers describe a *publication*: one set of records (families, needs, assessments…), the dimensions they are counted
by with every category listed (so a category nobody falls into is shown as 0, not left out), and the tables cut
from it. Tables of one publication are protected together, because a reader holding all of them can subtract one
from another. `protect_tables(publication)` returns the tables as they may be shown: counts, or the GSS symbol `c`.

Nothing else in the returns or performance code puts a count into a table it shows or exports.

Method: `reporting.disclosure` (primary suppression of counts from 1 to the council's threshold, secondary
suppression across every table of the publication, then a linear-programming audit that suppresses more until no
small count can be narrowed down; see its module docstrings). A cell suppressed in an earlier publication of the same
return and period stays suppressed (`earlier`), the lines it sits in are balanced again, and what will be shown is
audited once more (`disclosure.check_published`) before anyone sees it; a table that would reveal a small count is
refused with `DisclosureRisk`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from earlyhelp.reporting import disclosure
from earlyhelp.reporting.models import DisclosureControlRules

SUPPRESSED = "c"


@dataclass(frozen=True)
class TableSpec:
    """A count of the publication's records by one dimension (`rows`) or two (`rows` by `columns`)."""

    title: str
    rows: str
    columns: str | None = None


@dataclass(frozen=True)
class Publication:
    """Records counted by named dimensions (each record a dict of dimension -> category), and the tables cut."""

    records: Sequence[Mapping[str, str]]
    dimensions: Mapping[str, Sequence[str]]
    tables: Sequence[TableSpec]
    earlier: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)

    def __post_init__(self):
        titles = [t.title for t in self.tables]
        if not titles or len(set(titles)) != len(titles):
            raise ValueError("A publication needs tables, each with its own title.")
        for table in self.tables:
            for dimension in (table.rows, table.columns):
                if dimension is not None and dimension not in self.dimensions:
                    raise ValueError(f"The table '{table.title}' uses an unknown dimension.")
        for record in self.records:
            for name, categories in self.dimensions.items():
                if record[name] not in categories:
                    raise ValueError(f"A record has a category not listed for '{name}'.")


@dataclass(frozen=True)
class ShownTable:
    """A table as it may be shown: every figure a whole number or `c`. `rows` are text, ready for CSV and pages."""

    title: str
    column_labels: tuple[str, ...]  # empty for a one-way table ("Count")
    row_labels: tuple[str, ...]
    cells: tuple[tuple[int | str, ...], ...]
    row_totals: tuple[int | str, ...]
    column_totals: tuple[int | str, ...]
    total: int | str

    def as_rows(self) -> list[list[str]]:
        """Header and rows as text, totals last."""
        if self.column_labels:
            rows = [["", *self.column_labels, "Total"]]
            rows += [[label, *map(str, cells), str(total)]
                     for label, cells, total in zip(self.row_labels, self.cells, self.row_totals)]
            rows.append(["Total", *map(str, self.column_totals), str(self.total)])
        else:
            rows = [["", "Count"], *[[label, str(cells[0])] for label, cells in zip(self.row_labels, self.cells)]]
            rows.append(["Total", str(self.total)])
        return rows

    def chart_rows(self) -> list[tuple[str, int]]:
        """(label, count) for a one-way table's rows that are shown as numbers: a `c` row is not charted."""
        return [(label, cells[0]) for label, cells in zip(self.row_labels, self.cells) if isinstance(cells[0], int)]

    @property
    def has_suppressed(self) -> bool:
        values = [v for row in self.cells for v in row] + list(self.row_totals) + list(self.column_totals)
        return SUPPRESSED in values or self.total == SUPPRESSED


def shown_from_rows(title: str, rows: Sequence[Sequence[str]]) -> ShownTable:
    """A published table read back from its text rows (`ShownTable.as_rows`), to show it again exactly as it was."""
    def figure(text):
        return SUPPRESSED if text == SUPPRESSED else int(text)

    header, body, totals = rows[0], rows[1:-1], rows[-1]
    if list(header) == ["", "Count"]:
        return ShownTable(title=title, column_labels=(), row_labels=tuple(r[0] for r in body),
                          cells=tuple((figure(r[1]),) for r in body), row_totals=(), column_totals=(),
                          total=figure(totals[1]))
    return ShownTable(title=title, column_labels=tuple(header[1:-1]), row_labels=tuple(r[0] for r in body),
                      cells=tuple(tuple(figure(v) for v in r[1:-1]) for r in body),
                      row_totals=tuple(figure(r[-1]) for r in body),
                      column_totals=tuple(figure(v) for v in totals[1:-1]), total=figure(totals[-1]))


def thresholds() -> disclosure.Thresholds:
    """The council's thresholds (`DisclosureControlRules`, which the data team edits)."""
    rules = DisclosureControlRules.current()
    return disclosure.Thresholds(suppress_up_to=rules.suppress_up_to,
                                 small_area_suppress_up_to=rules.small_area_suppress_up_to,
                                 rounding_base=rules.rounding_base)


def protect_tables(publication: Publication) -> list[ShownTable]:
    """The publication's tables with small counts hidden so that none can be worked out from them, or from them
    together with the earlier publication of the same return (raises `disclosure.DisclosureRisk` otherwise)."""
    limits = thresholds()
    audited = disclosure.Publication(
        dataset=disclosure.Dataset.from_records(records=publication.records, dimensions=publication.dimensions),
        tables=[disclosure.Table(title=spec.title, rows=spec.rows, columns=spec.columns)
                for spec in publication.tables])
    protected = disclosure.protect(publication=audited, thresholds=limits)
    if publication.earlier:
        protected = _keep_earlier_suppressions(protected, publication)
    disclosure.check_published(shown=protected, publication=audited, thresholds=limits)
    return [_as_shown(table) for table in protected.tables]


def _as_shown(table) -> ShownTable:
    def figure(cell):
        return SUPPRESSED if cell.display == disclosure.Symbol.CONFIDENTIAL else cell.display

    return ShownTable(title=table.title, column_labels=table.column_labels, row_labels=table.row_labels,
                      cells=tuple(tuple(figure(c) for c in row) for row in table.cells),
                      row_totals=tuple(figure(c) for c in table.row_totals),
                      column_totals=tuple(figure(c) for c in table.column_totals), total=figure(table.total))


def _keep_earlier_suppressions(protected, publication: Publication):
    """Hide again what the earlier publication hid, then balance each line so that no lone `c` can be subtracted
    out (more suppression only widens what an attacker can infer; `check_published` confirms it)."""
    tables = []
    for table in protected.tables:
        spec = next(s for s in publication.tables if s.title == table.title)
        earlier = publication.earlier.get(table.title)
        if not earlier:
            tables.append(table)
            continue
        one_way = spec.columns is None
        rows, columns = list(table.row_labels), list(table.column_labels) or [None]
        value = {}
        for i, row in enumerate(table.cells):
            for j, cell in enumerate(row):
                value[("cell", i, j)] = cell
        for i, cell in enumerate(table.row_totals):
            value[("row", i)] = cell
        for j, cell in enumerate(table.column_totals):
            value[("column", j)] = cell
        value[("total",)] = table.total
        hidden = {key for key, cell in value.items() if cell.display == disclosure.Symbol.CONFIDENTIAL}
        hidden |= {("cell", i, j) for i, j in _earlier_suppressed(earlier, rows, columns, not one_way)}
        numbers = {key: (cell.display if isinstance(cell.display, int) else 0) for key, cell in value.items()}
        _balance_lines(rows, columns, one_way, numbers, hidden)
        confidential = disclosure.ShownCell(display=disclosure.Symbol.CONFIDENTIAL,
                                            reason=disclosure.Suppression.SECONDARY)

        def shown(key):
            return confidential if key in hidden and value[key].display != disclosure.Symbol.CONFIDENTIAL \
                else value[key]

        tables.append(type(table)(
            title=table.title, geography=table.geography, row_labels=table.row_labels,
            column_labels=table.column_labels,
            cells=tuple(tuple(shown(("cell", i, j)) for j in range(len(row))) for i, row in enumerate(table.cells)),
            row_totals=tuple(shown(("row", i)) for i in range(len(table.row_totals))),
            column_totals=tuple(shown(("column", j)) for j in range(len(table.column_totals))),
            total=shown(("total",))))
    return type(protected)(tables=tuple(tables))


def _balance_lines(rows, columns, one_way, value, hidden):
    lines = []
    if one_way:
        lines.append([("cell", i, 0) for i in range(len(rows))] + [("total",)])
    else:
        lines += [[("cell", i, j) for j in range(len(columns))] + [("row", i)] for i in range(len(rows))]
        lines += [[("cell", i, j) for i in range(len(rows))] + [("column", j)] for j in range(len(columns))]
        lines.append([("row", i) for i in range(len(rows))] + [("total",)])
        lines.append([("column", j) for j in range(len(columns))] + [("total",)])
    changed = True
    while changed:
        changed = False
        for line in lines:
            changed |= _balance(line, value, hidden)


def count_tables(publication: Publication) -> list[ShownTable]:
    """The tables with every figure as counted, for a team's own manager on screen only: nothing that leaves the
    team (a council-wide view, any download or return) may use this; they use `protect_tables`."""
    return [_protect_one(publication, spec, threshold=0) for spec in publication.tables]


def tables_as_published(shown: Iterable[ShownTable]) -> dict[str, list[list[str]]]:
    """What `PublishedReturn.tables` keeps: each table's text rows, counts and `c` only."""
    return {table.title: table.as_rows() for table in shown}


def _protect_one(publication: Publication, spec: TableSpec, threshold: int) -> ShownTable:
    rows = list(publication.dimensions[spec.rows])
    columns = list(publication.dimensions[spec.columns]) if spec.columns else [None]
    one_way = spec.columns is None
    counts = Counter((r[spec.rows], r[spec.columns] if spec.columns else None) for r in publication.records)
    value = {("cell", i, j): counts[(row, column)] for i, row in enumerate(rows) for j, column in enumerate(columns)}
    for i in range(len(rows)):
        value[("row", i)] = sum(value[("cell", i, j)] for j in range(len(columns)))
    for j in range(len(columns)):
        value[("column", j)] = sum(value[("cell", i, j)] for i in range(len(rows)))
    value[("total",)] = sum(value[("row", i)] for i in range(len(rows)))

    hidden = {key for key, count in value.items() if 1 <= count <= threshold}
    earlier = publication.earlier.get(spec.title)
    if earlier:  # what was `c` before stays `c`, so the two publications cannot be set side by side
        hidden |= {("cell", i, j) for i, j in _earlier_suppressed(earlier, rows, columns, not one_way)}

    # The lines whose figures add up to a figure shown beside them.
    lines = []
    if one_way:
        lines.append([("cell", i, 0) for i in range(len(rows))] + [("total",)])
    else:
        lines += [[("cell", i, j) for j in range(len(columns))] + [("row", i)] for i in range(len(rows))]
        lines += [[("cell", i, j) for i in range(len(rows))] + [("column", j)] for j in range(len(columns))]
        lines.append([("row", i) for i in range(len(rows))] + [("total",)])
        lines.append([("column", j) for j in range(len(columns))] + [("total",)])
    changed = True
    while changed:
        changed = False
        if one_way:  # a one-way table's rows are its cells
            hidden |= {("row", key[1]) for key in hidden if key[0] == "cell"}
            hidden |= {("cell", key[1], 0) for key in hidden if key[0] == "row"}
        for line in lines:
            changed |= _balance(line, value, hidden)

    def show(key):
        return SUPPRESSED if key in hidden else value[key]

    return ShownTable(
        title=spec.title,
        column_labels=() if one_way else tuple(columns),
        row_labels=tuple(rows),
        cells=tuple(tuple(show(("cell", i, j)) for j in range(len(columns))) for i in range(len(rows))),
        row_totals=tuple(show(("row", i)) for i in range(len(rows))),
        column_totals=tuple(show(("column", j)) for j in range(len(columns))),
        total=show(("total",)),
    )


def _balance(line, value, hidden) -> bool:
    """Suppress one more figure of `line` if exactly one of its figures is suppressed (a lone `c` in a sum
    can be worked out by subtraction)."""
    suppressed = [key for key in line if key in hidden]
    if len(suppressed) != 1:
        return False
    others = [key for key in line if key not in hidden]
    if not others:
        return False
    # The smallest non-zero figure; among zeros only if nothing else is left; the total last.
    choice = min(others, key=lambda key: (value[key] == 0, key[0] == "total", value[key]))
    hidden.add(choice)
    return True


def _earlier_suppressed(earlier_rows, rows, columns, two_way) -> set[tuple[int, int]]:
    suppressed = set()
    for shown_row in earlier_rows[1:]:
        label = shown_row[0]
        if label not in rows:
            continue
        i = rows.index(label)
        values = shown_row[1:1 + len(columns)] if two_way else shown_row[1:2]
        suppressed |= {(i, j) for j, value in enumerate(values) if value == SUPPRESSED}
    return suppressed

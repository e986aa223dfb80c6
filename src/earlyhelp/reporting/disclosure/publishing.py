"""The last check before tables leave the system: what will be shown is audited again, as shown.

`check_published` refuses (raises `DisclosureRisk`) if a small count would be shown, if a figure differs from the
data, or if a suppressed figure could be worked out from everything shown for the period, e.g. because someone removed
a `c` or replaced it with its value after `protect`. It accepts any pattern of `c` that passes the audit, so a
statistician may suppress more by hand. Messages name the table only: never a person, a cell or a figure.
"""

from .audit import Adversary, Evidence
from .lattice import CELL, COLUMN_TOTAL, ROW_TOTAL, Lattice, Slot
from .rules import DisclosureRisk, Symbol, Thresholds
from .suppression import ProtectedPublication, ShownCell, ShownTable, rounded_display
from .tables import Publication


def check_published(*, shown: ProtectedPublication, publication: Publication, thresholds: Thresholds) -> None:
    """Raise DisclosureRisk unless the tables as they will be shown keep every small count protected."""
    lattice = Lattice(publication=publication, thresholds=thresholds)
    tables = tuple(shown.tables)
    if [t.title for t in tables] != [layout.table.title for layout in lattice.layouts]:
        raise DisclosureRisk("The tables to be published are not the tables protected for this publication.")

    published: dict[int, tuple[int, int]] = {}
    exact: set[int] = set()
    marked_confidential: set[int] = set()
    first_table: dict[int, str] = {}
    for index, (layout, table) in enumerate(zip(lattice.layouts, tables)):
        title = table.title
        if (
            table.row_labels != layout.row_labels
            or table.column_labels != layout.column_labels
            or len(table.cells) != len(layout.cells)
            or any(len(shown_row) != len(row) for shown_row, row in zip(table.cells, layout.cells))
            or len(table.row_totals) != len(layout.row_totals)
            or len(table.column_totals) != len(layout.column_totals)
        ):
            raise DisclosureRisk(f"The table '{title}' does not have the rows and columns it was protected with.")
        for slot, aggregate in layout.slots(index):
            cell = _cell_at(table, slot)
            display = cell.display if isinstance(cell, ShownCell) else cell
            if aggregate is None:
                if display != Symbol.NOT_APPLICABLE:
                    raise DisclosureRisk(f"The table '{title}' shows a figure that does not match the data.")
                continue
            first_table.setdefault(aggregate, title)
            value = int(lattice.values[aggregate])
            if display in (Symbol.CONFIDENTIAL, Symbol.NOT_AVAILABLE):
                if display == Symbol.CONFIDENTIAL and value > 0:
                    marked_confidential.add(aggregate)
                continue
            if isinstance(display, bool) or not (isinstance(display, int) or display == Symbol.LOW):
                raise DisclosureRisk(f"The table '{title}' shows something that is neither a figure nor a GSS symbol.")
            if lattice.is_small(aggregate):
                raise DisclosureRisk(
                    f"The table '{title}' would show a count at or below the suppression threshold; "
                    "it must be shown as 'c'."
                )
            rounded = layout.is_rounded(slot) and value > 0
            expected = rounded_display(thresholds, value) if rounded else value
            if display != expected:
                raise DisclosureRisk(f"The table '{title}' shows a figure that does not match the data.")
            if rounded:
                published.setdefault(aggregate, thresholds.rounded_range(display))
            else:
                exact.add(aggregate)
    for aggregate in exact:
        value = int(lattice.values[aggregate])
        published[aggregate] = (value, value)

    hidden = set(range(len(lattice))) - set(published)
    small = {a for a in hidden if lattice.is_small(a)}
    adversary = Adversary(lattice=lattice, published=published)
    exposures = adversary.audit(small=small, other=(marked_confidential & hidden) - small, evidence=Evidence())
    if exposures:
        raise DisclosureRisk(
            f"A suppressed figure in the table '{first_table[exposures[0].aggregate]}' could be worked out, or "
            "narrowed too far, from the figures published for this period. Publish the tables as protected, "
            "or suppress more."
        )


def render_safe(
    *, shown: ProtectedPublication, publication: Publication, thresholds: Thresholds
) -> dict[str, list[list[str]]]:
    """The tables as text rows (title to header and rows), only after `check_published` has passed."""
    check_published(shown=shown, publication=publication, thresholds=thresholds)
    return {table.title: table.as_rows() for table in shown.tables}


def _cell_at(table: ShownTable, slot: Slot) -> ShownCell:
    if slot.kind == CELL:
        return table.cells[slot.row][slot.column]
    if slot.kind == ROW_TOTAL:
        return table.row_totals[slot.row]
    if slot.kind == COLUMN_TOTAL:
        return table.column_totals[slot.column]
    return table.total

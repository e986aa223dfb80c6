"""Statistical disclosure control for the tables published from one dataset (privacy promise P11).

Method, in the order `protect` applies it:

1. Primary suppression: a count from `minimum` to the threshold (5; 10 in small-area tables) is shown as `c`. A true
   zero is shown as 0. A figure is suppressed wherever it appears, in every table, so one table cannot undo another.
2. Secondary suppression along the sums the tables state (each row, each column, the totals; across tables, because
   the same figure in two tables is one figure): wherever the other suppressed figures of a sum could not absorb a
   small count moving across its whole protection interval, or a suppressed figure is alone in a sum, the cheapest
   other figure of the sum is suppressed (one that closes the gap, creates fewest new lone suppressions, is
   smallest). Rounded totals count as exact here, which errs on the side of suppressing. Repeated to a fixed point.
3. The audit (`audit.Adversary`): the attack an adversary holding every table of the publication would make, by
   linear programming over the joint cells of the dataset (so it also sees what subtracting one cut from another
   gives, or what a hierarchy or a published zero implies). If a small count can be pinned down, a figure binding it
   is suppressed (guided by the LP's dual values) and steps 2 and 3 run again. Suppressing everything but the zeros
   always passes, so this ends.

The guarantee: for every primary-suppressed count v (threshold t, the strictest of the tables it appears in;
protection p, default p = t) there are completions of all the published tables, consistent with every figure shown
(rounded totals as the range of whole numbers they stand for) and with no count below zero, with that count at most
max(0, v - p) and with it at least max(v + p, t + 1). So an attacker solving the linear programme can rule out
neither 0 nor a count above the threshold. No other `c` can be worked out exactly either (its range is at least 1
wide). The completions need not be whole numbers: see `audit` for when that matters (tables crossing three or more
dimensions) and why it is accepted.

Rounding and suppression: totals of tables above council level are rounded to the base (half up), after
suppression: a suppressed total is `c`, never its rounded value, and a non-zero total that rounds to 0 is `k`. Rounding
is a further guard, not a substitute: a rounded total still bounds a lone suppressed cell within the base, and it
hides nothing when the same figure is shown unrounded in another table or is the sum of unrounded cells. The audit
therefore treats a rounded total as the exact range of whole numbers it stands for, and the unrounded figure wherever
another table shows it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .audit import Adversary, Evidence, Exposure
from .lattice import CELL, COLUMN_TOTAL, ROW_TOTAL, TOTAL, Lattice, Slot, TableLayout
from .rules import Geography, Suppression, Symbol, Thresholds
from .tables import Publication

MAX_ROUNDS = 10_000  # far above any real publication; a guard against a fault, not a limit on the method


@dataclass(frozen=True)
class ShownCell:
    """A figure as published: a number or a GSS symbol, why it is `c`, and whether the number is rounded."""

    display: int | Symbol
    reason: Suppression | None = None
    rounded: bool = False

    def __str__(self) -> str:
        return str(self.display)


@dataclass(frozen=True)
class ShownTable:
    """A table as published. A one-way table has no column labels, one cell per row, and no row or column totals."""

    title: str
    geography: Geography
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[ShownCell, ...], ...]
    row_totals: tuple[ShownCell, ...]
    column_totals: tuple[ShownCell, ...]
    total: ShownCell

    def cell(self, row: str, column: str | None = None) -> ShownCell:
        r = self.row_labels.index(row)
        return self.cells[r][self.column_labels.index(column) if column is not None else 0]

    def row_total(self, row: str) -> ShownCell:
        return self.row_totals[self.row_labels.index(row)]

    def column_total(self, column: str) -> ShownCell:
        return self.column_totals[self.column_labels.index(column)]

    def as_rows(self) -> list[list[str]]:
        """Header and rows as text, totals last, ready for a CSV writer or a template."""
        if self.column_labels:
            rows = [["", *self.column_labels, "Total"]]
            rows += [
                [label, *map(str, cells), str(total)]
                for label, cells, total in zip(self.row_labels, self.cells, self.row_totals)
            ]
            rows.append(["Total", *map(str, self.column_totals), str(self.total)])
        else:
            rows = [["", "Count"], *[[label, str(cells[0])] for label, cells in zip(self.row_labels, self.cells)]]
            rows.append(["Total", str(self.total)])
        return rows

    def shown_cells(self) -> Iterable[ShownCell]:
        for row in self.cells:
            yield from row
        yield from self.row_totals
        yield from self.column_totals
        yield self.total


@dataclass(frozen=True)
class ProtectedPublication:
    """The tables of a publication as they may be shown, in the publication's order."""

    tables: tuple[ShownTable, ...]

    def table(self, title: str) -> ShownTable:
        for table in self.tables:
            if table.title == title:
                return table
        raise KeyError(title)


def protect(*, publication: Publication, thresholds: Thresholds) -> ProtectedPublication:
    """Suppress and round the publication's tables so that no small count can be worked out from them together."""
    lattice = Lattice(publication=publication, thresholds=thresholds)
    primary = {a for a in range(len(lattice)) if lattice.is_small(a)}
    suppressed = set(primary)
    withheld = {a for a in range(len(lattice)) if not lattice.shown_anywhere(a)}
    evidence = Evidence()
    for _round in range(MAX_ROUNDS):
        _suppress_along_sums(lattice=lattice, suppressed=suppressed, withheld=withheld, primary=primary)
        adversary = Adversary(lattice=lattice, published=published_ranges(lattice, suppressed | withheld))
        exposures = adversary.audit(small=primary, other=suppressed - primary, evidence=evidence)
        if not exposures:
            return ProtectedPublication(
                tables=tuple(
                    _show(lattice, index, layout, suppressed, primary) for index, layout in enumerate(lattice.layouts)
                )
            )
        _suppress_for(lattice=lattice, exposures=exposures, suppressed=suppressed, withheld=withheld)
    raise RuntimeError("Disclosure control did not settle; no table has been published.")


def published_ranges(lattice: Lattice, hidden: set[int]) -> dict[int, tuple[int, int]]:
    """What the attacker learns of each figure shown: its value, or the range a rounded total stands for."""
    thresholds = lattice.thresholds
    published = {}
    for aggregate in range(len(lattice)):
        if aggregate in hidden:
            continue
        value = int(lattice.values[aggregate])
        if lattice.rounded_everywhere(aggregate):
            published[aggregate] = thresholds.rounded_range(rounded_display(thresholds, value))
        else:
            published[aggregate] = (value, value)
    return published


def rounded_display(thresholds: Thresholds, value: int) -> int | Symbol:
    """A non-zero total as shown above council level: rounded, or `k` if it rounds to zero."""
    rounded = thresholds.round_total(value)
    return Symbol.LOW if value > 0 and rounded == 0 else rounded


# --- secondary suppression along the stated sums ----------------------------------------------------------------------


def _suppress_along_sums(*, lattice: Lattice, suppressed: set[int], withheld: set[int], primary: set[int]) -> None:
    """Suppress more until, in every stated sum, each suppressed figure has enough hidden company (a worklist of sums,
    rechecking those a new suppression touches)."""
    values = lattice.values
    pending = list(range(len(lattice.relations)))
    queued = set(pending)
    while pending:
        index = pending.pop()
        queued.discard(index)
        relation = [(a, sign) for a, sign in lattice.relations[index] if values[a] > 0]  # zeros are fixed at 0
        hidden = suppressed | withheld
        for aggregate, sign in relation:
            if aggregate not in suppressed or _absorbed(lattice, relation, hidden, aggregate, sign, primary):
                continue
            candidates = [a for a, _ in relation if a not in hidden]
            if not candidates:
                break

            def cost(candidate):
                closes = _absorbed(lattice, relation, hidden | {candidate}, aggregate, sign, primary)
                return (not closes, _lone_suppressions(lattice, candidate, hidden), int(values[candidate]), candidate)

            chosen = min(candidates, key=cost)
            suppressed.add(chosen)
            for other in lattice.relations_of[chosen]:
                if other not in queued:
                    queued.add(other)
                    pending.append(other)
            if index not in queued:  # look at this sum again: another member may still be short
                queued.add(index)
                pending.append(index)
            break


def _absorbed(lattice: Lattice, relation, hidden: set[int], aggregate: int, sign: int, primary: set[int]) -> bool:
    """Can the other hidden figures of this sum absorb the figure moving as far as it must?

    Moving a figure up needs an opposite-signed hidden figure (which can rise without limit within this sum) or
    same-signed ones that can fall by as much; moving it down is the mirror image.
    """
    others = [(a, s) for a, s in relation if a in hidden and a != aggregate]
    if aggregate not in primary:
        return bool(others)  # not alone, so not determined by this sum
    value = int(lattice.values[aggregate])
    low, high = lattice.protection_targets(aggregate)
    same = sum(int(lattice.values[a]) for a, s in others if s == sign)
    opposite = sum(int(lattice.values[a]) for a, s in others if s != sign)
    up = float("inf") if opposite else same
    down = float("inf") if same else opposite
    return up >= high - value and down >= value - low


def _lone_suppressions(lattice: Lattice, candidate: int, hidden: set[int]) -> int:
    """How many sums the candidate would be the only hidden figure in (each would need another suppression)."""
    lone = 0
    for index in lattice.relations_of[candidate]:
        members = [a for a, _ in lattice.relations[index] if a != candidate and lattice.values[a] > 0]
        lone += not any(a in hidden for a in members)
    return lone


# --- suppression the audit asks for -----------------------------------------------------------------------------------


def _suppress_for(*, lattice: Lattice, exposures: list[Exposure], suppressed: set[int], withheld: set[int]) -> None:
    """Suppress one more figure for each exposed one, or failing that the cheapest figure anywhere (so each round
    suppresses at least one more figure and protection ends)."""
    values = lattice.values
    hidden = suppressed | withheld

    def shown(aggregates):
        return {a for a in aggregates if a not in hidden and values[a] > 0}

    def cost(candidate):
        return (_lone_suppressions(lattice, candidate, hidden), int(values[candidate]), candidate)

    added = False
    for exposure in exposures:
        neighbours = shown(a for index in lattice.relations_of[exposure.aggregate] for a, _ in lattice.relations[index])
        binding = shown(exposure.binding)
        # Prefer a binding figure in a sum with the exposed one, then any binding figure, then any neighbour.
        for candidates in (binding & neighbours, binding, neighbours):
            if candidates:
                chosen = min(candidates, key=cost)
                suppressed.add(chosen)
                hidden.add(chosen)
                added = True
                break
    if not added:
        remaining = shown(range(len(lattice)))
        if not remaining:
            raise RuntimeError("Disclosure control could not protect the publication; no table has been published.")
        suppressed.add(min(remaining, key=cost))


# --- the tables as shown ----------------------------------------------------------------------------------------------


def _show(lattice: Lattice, index: int, layout: TableLayout, suppressed: set[int], primary: set[int]) -> ShownTable:
    thresholds = lattice.thresholds

    def shown(aggregate: int | None, slot: Slot) -> ShownCell:
        if aggregate is None:
            return ShownCell(Symbol.NOT_APPLICABLE)
        if layout.is_not_available(slot):
            return ShownCell(Symbol.NOT_AVAILABLE)
        if aggregate in suppressed:
            reason = Suppression.PRIMARY if aggregate in primary else Suppression.SECONDARY
            return ShownCell(Symbol.CONFIDENTIAL, reason)
        value = int(lattice.values[aggregate])
        if layout.is_rounded(slot) and value:
            return ShownCell(rounded_display(thresholds, value), rounded=True)
        return ShownCell(value)

    return ShownTable(
        title=layout.table.title,
        geography=layout.table.geography,
        row_labels=layout.row_labels,
        column_labels=layout.column_labels,
        cells=tuple(
            tuple(shown(a, Slot(index, CELL, r, c)) for c, a in enumerate(row)) for r, row in enumerate(layout.cells)
        ),
        row_totals=tuple(shown(a, Slot(index, ROW_TOTAL, r)) for r, a in enumerate(layout.row_totals)),
        column_totals=tuple(shown(a, Slot(index, COLUMN_TOTAL, None, c)) for c, a in enumerate(layout.column_totals)),
        total=shown(layout.total, Slot(index, TOTAL)),
    )

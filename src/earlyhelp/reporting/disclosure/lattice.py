"""A publication compiled for disclosure control: every figure as a sum of joint cells, and the sums tables state.

The joint cells are the full cross-classification of the dataset by every underlying dimension any table uses. Each
figure a table shows (a cell, a row or column total, the grand total) is the sum of a set of joint cells; figures with
the same set are the same *aggregate* wherever they appear (table B's "stage" counts are table A's row totals), so
they are suppressed together. Joint cells that cannot occur (structural zeros) belong to no aggregate.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .rules import Thresholds
from .tables import Publication, Table

CELL, ROW_TOTAL, COLUMN_TOTAL, TOTAL = "cell", "row_total", "column_total", "total"


@dataclass(frozen=True)
class Slot:
    """Where a figure sits: ("cell", row, column), ("row_total", row, None), ("column_total", None, column) or
    ("total", None, None). A one-way table's counts are cells in column 0."""

    table: int
    kind: str
    row: int | None = None
    column: int | None = None


@dataclass
class TableLayout:
    table: Table
    suppress_up_to: int
    rounds_totals: bool
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]  # empty for a one-way table
    cells: list[list[int | None]]  # aggregate ids; None where the combination cannot occur
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None

    def slots(self, table_index: int):
        """Every (slot, aggregate) of the table, cells first."""
        for r, row in enumerate(self.cells):
            for c, aggregate in enumerate(row):
                yield Slot(table_index, CELL, r, c), aggregate
        for r, aggregate in enumerate(self.row_totals):
            yield Slot(table_index, ROW_TOTAL, r, None), aggregate
        for c, aggregate in enumerate(self.column_totals):
            yield Slot(table_index, COLUMN_TOTAL, None, c), aggregate
        yield Slot(table_index, TOTAL), self.total

    def is_rounded(self, slot: Slot) -> bool:
        return self.rounds_totals and slot.kind != CELL

    def is_not_available(self, slot: Slot) -> bool:
        if slot.kind != CELL:
            return False
        key = (self.row_labels[slot.row],) + ((self.column_labels[slot.column],) if self.column_labels else ())
        return key in self.table.not_available


class Lattice:
    """The publication's figures as aggregates of joint cells, with their true values and the sums tables state."""

    def __init__(self, *, publication: Publication, thresholds: Thresholds):
        dataset = publication.dataset
        self.publication = publication
        self.thresholds = thresholds
        used = {dataset.base_of(name) for table in publication.tables for name in table.dimensions}
        self.dimensions = tuple(name for name in dataset.base_dimensions if name in used)
        counts = dataset.counts_over(self.dimensions)
        self.true_joint = counts.ravel().astype(np.int64)
        self._shape = counts.shape

        self.live = np.ones(self.true_joint.size, dtype=bool)
        for zero in dataset.structural_zeros:
            conditions = dataset.conditions(zero)
            if set(conditions) <= used:  # a pattern over a dimension no table uses rules out no joint cell here
                self.live &= ~self._mask(conditions)

        self._ids: dict[bytes, int] = {}
        self._masks: list[np.ndarray] = []
        self.slots: dict[int, list[Slot]] = {}
        self.suppress_up_to: list[int] = []
        self.layouts = [self._lay_out(index, table) for index, table in enumerate(publication.tables)]
        self.values = np.array([int(self.true_joint[mask].sum()) for mask in self._masks], dtype=np.int64)
        self.membership = _membership(self._masks, self.true_joint.size)
        del self._masks, self._ids  # the sparse membership holds the same, in far less memory
        self.relations = self._relations()
        self.relations_of: dict[int, list[int]] = {aggregate: [] for aggregate in range(len(self))}
        for index, relation in enumerate(self.relations):
            for aggregate, _sign in relation:
                self.relations_of[aggregate].append(index)

    def __len__(self) -> int:
        return len(self.values)

    def _mask(self, conditions: dict[str, frozenset[int]]) -> np.ndarray:
        mask = np.ones(self._shape, dtype=bool)
        for dimension, allowed in conditions.items():
            axis = self.dimensions.index(dimension)
            wanted = np.zeros(self._shape[axis], dtype=bool)
            wanted[sorted(allowed)] = True
            mask &= wanted.reshape([-1 if i == axis else 1 for i in range(len(self._shape))])
        return mask.ravel()

    def _aggregate(self, labels: dict[str, str], suppress_up_to: int, slot_of) -> int | None:
        mask = self._mask(self.publication.dataset.conditions(labels)) & self.live
        if not mask.any():
            return None
        key = np.packbits(mask).tobytes()
        if key not in self._ids:
            self._ids[key] = len(self._masks)
            self._masks.append(mask)
            self.suppress_up_to.append(suppress_up_to)
            self.slots[self._ids[key]] = []
        aggregate = self._ids[key]
        # A figure shown in a small-area table is suppressed on that table's stricter threshold everywhere it appears.
        self.suppress_up_to[aggregate] = max(self.suppress_up_to[aggregate], suppress_up_to)
        self.slots[aggregate].append(slot_of)
        return aggregate

    def _lay_out(self, index: int, table: Table) -> TableLayout:
        dataset = self.publication.dataset
        threshold = self.thresholds.suppress_up_to_for(table.geography)
        rows = dataset.categories(table.rows)
        columns = dataset.categories(table.columns) if table.columns else ()

        def aggregate(labels, kind, r=None, c=None):
            return self._aggregate(labels, threshold, Slot(index, kind, r, c))

        if table.columns:
            cells = [
                [aggregate({table.rows: row, table.columns: column}, CELL, r, c) for c, column in enumerate(columns)]
                for r, row in enumerate(rows)
            ]
            row_totals = [aggregate({table.rows: row}, ROW_TOTAL, r) for r, row in enumerate(rows)]
            column_totals = [
                aggregate({table.columns: column}, COLUMN_TOTAL, None, c) for c, column in enumerate(columns)
            ]
        else:
            cells = [[aggregate({table.rows: row}, CELL, r, 0)] for r, row in enumerate(rows)]
            row_totals, column_totals = [], []
        total = aggregate({}, TOTAL)
        return TableLayout(
            table=table,
            suppress_up_to=threshold,
            rounds_totals=self.thresholds.rounds_totals(table.geography),
            row_labels=rows,
            column_labels=columns,
            cells=cells,
            row_totals=row_totals,
            column_totals=column_totals,
            total=total,
        )

    def _relations(self) -> list[tuple[tuple[int, int], ...]]:
        """The sums each table states (parts minus whole is zero), as (aggregate, sign) pairs, without repeats."""
        sums: list[tuple[list[int | None], int | None]] = []
        for layout in self.layouts:
            if layout.column_labels:
                sums += [(row, total) for row, total in zip(layout.cells, layout.row_totals)]
                sums += [([row[c] for row in layout.cells], total) for c, total in enumerate(layout.column_totals)]
                sums += [(layout.row_totals, layout.total), (layout.column_totals, layout.total)]
            else:
                sums.append(([row[0] for row in layout.cells], layout.total))
        relations, seen = [], set()
        for parts, whole in sums:
            coefficients: dict[int, int] = {}
            for aggregate in parts:
                if aggregate is not None:
                    coefficients[aggregate] = coefficients.get(aggregate, 0) + 1
            if whole is not None:
                coefficients[whole] = coefficients.get(whole, 0) - 1
            relation = tuple(sorted((a, 1 if k > 0 else -1) for a, k in coefficients.items() if k))
            if len(relation) > 1 and relation not in seen:
                seen.add(relation)
                relations.append(relation)
        return relations

    def protection_targets(self, aggregate: int) -> tuple[int, int]:
        return self.thresholds.targets_for(
            count=int(self.values[aggregate]), suppress_up_to=self.suppress_up_to[aggregate]
        )

    def is_small(self, aggregate: int) -> bool:
        count, threshold = int(self.values[aggregate]), self.suppress_up_to[aggregate]
        return self.thresholds.is_small(count=count, suppress_up_to=threshold)

    def shown_anywhere(self, aggregate: int) -> bool:
        """False if every place the figure appears is withheld as not available."""
        return any(not self.layouts[slot.table].is_not_available(slot) for slot in self.slots[aggregate])

    def rounded_everywhere(self, aggregate: int) -> bool:
        """True if every place the figure is shown rounds it, so the attacker only learns its rounded value."""
        shown = [slot for slot in self.slots[aggregate] if not self.layouts[slot.table].is_not_available(slot)]
        return bool(shown) and all(self.layouts[slot.table].is_rounded(slot) for slot in shown)


def _membership(masks: list[np.ndarray], size: int) -> sparse.csr_array:
    """Aggregates by joint cells, 1 where the cell counts towards the figure (sparse: joint cells can be many)."""
    columns = [np.flatnonzero(mask) for mask in masks]
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in columns])])
    indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    return sparse.csr_array((np.ones(len(indices)), indices, indptr), shape=(len(masks), size))

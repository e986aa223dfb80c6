"""Tables published from one set of records: the dataset, the tables cut from it and the publication they form.

Pure Python (no ORM): callers pass records, or counts already aggregated by every dimension a table uses. All tables
of a `Publication` must come from the same `Dataset`, because disclosure control has to consider them together: an
attacker who holds every table published for a period can subtract one cut from another.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .rules import Geography


@dataclass(frozen=True, kw_only=True)
class Grouping:
    """A coarser dimension made of whole categories of another, e.g. localities made of teams.

    Declare a hierarchy this way rather than as a second key on each record: an attacker knows that a team belongs
    to one locality, and the audit can only use that knowledge (as it must) if it is told.
    """

    source: str
    groups: Mapping[str, Sequence[str]]


class Dataset:
    """Counts of families (or any unit) cross-classified by named dimensions, each with its categories in order.

    Categories must be listed in full so that a category nobody falls into is shown as 0 rather than left out.
    `structural_zeros` lists combinations that cannot occur (shown as `z`); the attacker is assumed to know them.
    """

    def __init__(
        self,
        *,
        dimensions: Mapping[str, Sequence[str]],
        counts: Mapping[tuple[str, ...], int],
        groupings: Mapping[str, Grouping] | None = None,
        structural_zeros: Iterable[Mapping[str, str]] = (),
    ):
        if not dimensions:
            raise ValueError("A dataset needs at least one dimension.")
        self._categories: dict[str, tuple[str, ...]] = {}
        self._positions: dict[str, dict[str, int]] = {}
        for name, categories in dimensions.items():
            categories = tuple(categories)
            if not categories or len(set(categories)) != len(categories):
                raise ValueError(f"The dimension '{name}' needs a list of distinct categories.")
            self._categories[name] = categories
            self._positions[name] = {category: index for index, category in enumerate(categories)}
        self.base_dimensions: tuple[str, ...] = tuple(self._categories)

        self._counts = np.zeros(tuple(len(c) for c in self._categories.values()), dtype=np.int64)
        for key, count in counts.items():
            if len(key) != len(self.base_dimensions):
                raise ValueError("Each count must be keyed by one category of every dimension, in order.")
            if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 0:
                raise ValueError("Counts must be whole numbers of at least 0.")
            index = tuple(self._position(name, category) for name, category in zip(self.base_dimensions, key))
            self._counts[index] += int(count)

        self._groupings: dict[str, Grouping] = {}
        for name, grouping in (groupings or {}).items():
            self._add_grouping(name, grouping)
        self.groupings = MappingProxyType(self._groupings)

        self.structural_zeros: tuple[Mapping[str, str], ...] = tuple(
            MappingProxyType(dict(zero)) for zero in structural_zeros
        )
        for zero in self.structural_zeros:
            conditions = self.conditions(zero)
            axes = [
                sorted(conditions[name]) if name in conditions else range(size)
                for name, size in zip(self.base_dimensions, self._counts.shape)
            ]
            if self._counts[np.ix_(*axes)].any():
                raise ValueError("A combination declared impossible has records in it.")

    @classmethod
    def from_records(
        cls,
        *,
        records: Iterable[Mapping[str, str]],
        dimensions: Mapping[str, Sequence[str]] | Sequence[str],
        weight: str | None = None,
        groupings: Mapping[str, Grouping] | None = None,
        structural_zeros: Iterable[Mapping[str, str]] = (),
    ) -> "Dataset":
        """Count records (each a dict of dimension values, with an optional `weight` key holding a count).

        Given only dimension names, the categories are those seen in the records, so a category with no records is
        missing from every table; pass the full category lists to show it as 0.
        """
        records = list(records)
        if not isinstance(dimensions, Mapping):
            dimensions = {name: sorted({record[name] for record in records}) for name in dimensions}
        names = tuple(dimensions)
        counts: Counter = Counter()
        for record in records:
            counts[tuple(record[name] for name in names)] += record[weight] if weight else 1
        return cls(dimensions=dimensions, counts=counts, groupings=groupings, structural_zeros=structural_zeros)

    def _add_grouping(self, name: str, grouping: Grouping) -> None:
        if name in self._categories or name in self._groupings:
            raise ValueError(f"The grouping '{name}' has the name of another dimension.")
        if grouping.source not in self._categories:
            raise ValueError(f"The grouping '{name}' must group the categories of a dimension of the dataset.")
        members = [category for categories in grouping.groups.values() for category in categories]
        if sorted(members) != sorted(self._categories[grouping.source]):
            raise ValueError(f"Every category of '{grouping.source}' must be in exactly one group of '{name}'.")
        self._groupings[name] = Grouping(
            source=grouping.source,
            groups=MappingProxyType({group: tuple(categories) for group, categories in grouping.groups.items()}),
        )

    def _position(self, name: str, category: str) -> int:
        try:
            return self._positions[name][category]
        except KeyError:
            raise ValueError(f"'{category}' is not a category of the dimension '{name}'.") from None

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return self.base_dimensions + tuple(self._groupings)

    def categories(self, dimension: str) -> tuple[str, ...]:
        if dimension in self._groupings:
            return tuple(self._groupings[dimension].groups)
        if dimension in self._categories:
            return self._categories[dimension]
        raise ValueError(f"The dataset has no dimension '{dimension}'.")

    def base_of(self, dimension: str) -> str:
        return self._groupings[dimension].source if dimension in self._groupings else dimension

    def conditions(self, labels: Mapping[str, str]) -> dict[str, frozenset[int]]:
        """The categories of each underlying dimension that a combination of labels covers."""
        conditions: dict[str, frozenset[int]] = {}
        for dimension, label in labels.items():
            if dimension in self._groupings:
                grouping = self._groupings[dimension]
                if label not in grouping.groups:
                    raise ValueError(f"'{label}' is not a group of '{dimension}'.")
                base = grouping.source
                allowed = frozenset(self._position(base, category) for category in grouping.groups[label])
            else:
                self.categories(dimension)
                base, allowed = dimension, frozenset({self._position(dimension, label)})
            conditions[base] = conditions[base] & allowed if base in conditions else allowed
        return conditions

    def counts_over(self, dimensions: Sequence[str]) -> np.ndarray:
        """The counts summed over every underlying dimension not in `dimensions`, axes in the dataset's order."""
        keep = [self.base_dimensions.index(name) for name in dimensions]
        if keep != sorted(keep):
            raise ValueError("Dimensions must be asked for in the dataset's order.")
        dropped = tuple(axis for axis in range(len(self.base_dimensions)) if axis not in keep)
        return self._counts.sum(axis=dropped) if dropped else self._counts.copy()


@dataclass(frozen=True, kw_only=True)
class Table:
    """A count of the dataset by one dimension (`rows`) or two (`rows` by `columns`), with its totals.

    `geography` is the finest geography the table covers: small-area tables use the stricter threshold and the totals
    of tables above council level are rounded. `not_available` holds cells withheld for another reason (shown `:`),
    each keyed `(row,)` or `(row, column)`.
    """

    title: str
    rows: str
    columns: str | None = None
    geography: Geography = Geography.COUNCIL
    not_available: Collection[tuple[str, ...]] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "not_available", frozenset(tuple(key) for key in self.not_available))
        if not self.title:
            raise ValueError("Every table needs a title.")

    @property
    def dimensions(self) -> tuple[str, ...]:
        return (self.rows,) if self.columns is None else (self.rows, self.columns)


@dataclass(frozen=True, kw_only=True)
class Publication:
    """The tables published from one dataset for one period: what an attacker is assumed to hold all of."""

    dataset: Dataset
    tables: Sequence[Table]

    def __post_init__(self):
        object.__setattr__(self, "tables", tuple(self.tables))
        if not self.tables:
            raise ValueError("A publication needs at least one table.")
        titles = [table.title for table in self.tables]
        if len(set(titles)) != len(titles):
            raise ValueError("Every table of a publication needs its own title.")
        for table in self.tables:
            for dimension in table.dimensions:
                self.dataset.categories(dimension)
            if table.columns == table.rows:
                raise ValueError(f"The table '{table.title}' uses the same dimension twice.")
            for key in table.not_available:
                if len(key) != len(table.dimensions):
                    raise ValueError(f"A cell withheld from '{table.title}' must be keyed by its row and column.")
                for dimension, label in zip(table.dimensions, key):
                    if label not in self.dataset.categories(dimension):
                        raise ValueError(f"A cell withheld from '{table.title}' is not in the table.")

    def table(self, title: str) -> Table:
        for table in self.tables:
            if table.title == title:
                return table
        raise KeyError(title)

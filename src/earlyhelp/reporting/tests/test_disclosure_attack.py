"""The attack on published statistics (privacy promise P11), written again here from the published tables only.

The attacker holds every table of a publication as shown, knows how the tables are cut from one set of records (the
dimensions, their categories and any hierarchy: all public) and the rounding convention, and solves for each
suppressed figure by linear programming over the joint counts. It shares no code with the product's audit.
"""

import itertools
import random

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from earlyhelp.reporting.disclosure import (
    Dataset,
    DisclosureRisk,
    Geography,
    Grouping,
    Publication,
    ShownCell,
    Suppression,
    Table,
    Thresholds,
    check_published,
    protect,
)
from earlyhelp.reporting.disclosure.suppression import ProtectedPublication, ShownTable

pytestmark = pytest.mark.promise("P11")

SLACK = 1e-6


# --- the attacker -----------------------------------------------------------------------------------------------------


class Attacker:
    """Linear programming over the joint counts of every dimension the published tables use."""

    def __init__(self, *, publication: Publication, shown: ProtectedPublication, rounding_base: int = 10):
        dataset = publication.dataset
        self.base_of = {name: dataset.base_of(name) for name in dataset.dimension_names}
        wanted = {self.base_of[d] for table in publication.tables for d in table.dimensions}
        used = [name for name in dataset.base_dimensions if name in wanted]
        self.used = used
        self.joint = list(itertools.product(*(dataset.categories(name) for name in used)))
        self.dataset = dataset
        self.true_joint = dataset.counts_over(used).ravel()  # only to check the attacker, never used to attack
        self.rows, self.lows, self.highs = [], [], []
        self.figures = []  # (table title, where, joint mask, display, reason, suppress_up_to)
        for table, shown_table in zip(publication.tables, shown.tables):
            above_council = table.geography > Geography.COUNCIL and rounding_base > 1
            for where, labels, cell, is_total in self._figures(table, shown_table):
                mask = self.mask(labels)
                self.figures.append((table.title, where, mask, cell, table))
                display = cell.display
                if display in ("c", ":"):
                    continue
                if display == "z":
                    low = high = 0
                elif display == "k":
                    low, high = 1, (rounding_base + 1) // 2 - 1
                elif above_council and is_total and display != 0:
                    low, high = display - rounding_base // 2, display + (rounding_base + 1) // 2 - 1
                else:
                    low = high = display
                self.rows.append(mask.astype(float))
                self.lows.append(low)
                self.highs.append(high)
        self.matrix = np.array(self.rows)
        # The attacker's constraints, built once: a figure shown exactly is an equality, a range two inequalities
        # (sparse: each figure sums a few of the joint cells; the solver's own conversion cost more than its work).
        lows, highs = np.array(self.lows, dtype=float), np.array(self.highs, dtype=float)
        exact = lows == highs
        ranged = self.matrix[~exact] if self.rows else np.zeros((0, len(self.joint)))
        self.constraints = {
            "A_eq": sparse.csr_array(self.matrix[exact]) if exact.any() else None,
            "b_eq": lows[exact] if exact.any() else None,
            "A_ub": sparse.csr_array(np.vstack([ranged, -ranged])) if (~exact).any() else None,
            "b_ub": np.concatenate([highs[~exact], -lows[~exact]]) if (~exact).any() else None,
        }
        self._cache = {}

    def mask(self, labels: dict[str, str]) -> np.ndarray:
        mask = np.ones(len(self.joint), dtype=bool)
        for dimension, label in labels.items():
            base = self.base_of[dimension]
            members = (
                set(self.dataset.groupings[dimension].groups[label]) if dimension in self.dataset.groupings else {label}
            )
            axis = self.used.index(base)
            mask &= np.array([combination[axis] in members for combination in self.joint])
        return mask

    @staticmethod
    def _figures(table: Table, shown: ShownTable):
        for r, row in enumerate(shown.row_labels):
            if shown.column_labels:
                for c, column in enumerate(shown.column_labels):
                    yield (row, column), {table.rows: row, table.columns: column}, shown.cells[r][c], False
                yield (row, "Total"), {table.rows: row}, shown.row_totals[r], True
            else:
                yield (row,), {table.rows: row}, shown.cells[r][0], False
        for c, column in enumerate(shown.column_labels):
            yield ("Total", column), {table.columns: column}, shown.column_totals[c], True
        yield ("Total",), {}, shown.total, True

    def interval(self, mask: np.ndarray) -> tuple[float, float]:
        key = mask.tobytes()
        if key not in self._cache:
            objective = mask.astype(float)
            low = linprog(objective, **self.constraints, bounds=(0, None), method="highs")
            high = linprog(-objective, **self.constraints, bounds=(0, None), method="highs")
            assert low.status == 0, "the attacker's model of the published tables must be feasible"
            self._cache[key] = (low.fun, np.inf if high.status == 3 else -high.fun)
        return self._cache[key]

    def true_value(self, mask: np.ndarray) -> int:
        return int(self.true_joint[mask].sum())


def requirements(attacker: Attacker, thresholds: Thresholds):
    """Each suppressed figure with its true value and the (lower, upper) protection interval it must keep.

    The threshold in force for a figure is the strictest of the tables it appears in (the same figure, e.g. a team's
    total, can appear in a small-area table and a council one)."""
    strictest = {}
    for _title, _where, mask, _cell, table in attacker.figures:
        threshold = thresholds.suppress_up_to_for(table.geography)
        strictest[mask.tobytes()] = max(strictest.get(mask.tobytes(), 0), threshold)
    protection = thresholds.protection
    for title, where, mask, cell, _table in attacker.figures:
        if cell.display != "c":
            continue
        value, threshold = attacker.true_value(mask), strictest[mask.tobytes()]
        p = protection if protection is not None else threshold
        yield title, where, mask, cell, value, (max(0, value - p), max(value + p, threshold + 1))


def breaches(publication: Publication, shown: ProtectedPublication, thresholds: Thresholds) -> list[str]:
    """What the attacker learns that it should not: a small count narrowed inside its protection interval, or any
    suppressed figure worked out exactly. Also checks the attacker itself: the truth lies in every range."""
    attacker = Attacker(publication=publication, shown=shown, rounding_base=thresholds.rounding_base)
    found = []
    for title, where, mask, cell, value, (lower, upper) in requirements(attacker, thresholds):
        low, high = attacker.interval(mask)
        assert low - SLACK <= value <= high + SLACK, "the attacker's range must contain the truth"
        if cell.reason == Suppression.PRIMARY and (low > lower + SLACK or high < upper - SLACK):
            found.append(f"{title} {where}: {value} narrowed to [{low:.2f}, {high:.2f}], needs [{lower}, {upper}]")
        if high - low < 1 - SLACK:
            found.append(f"{title} {where}: worked out as {value}")
    return found


def without_secondary_suppression(publication: Publication, shown: ProtectedPublication, thresholds: Thresholds):
    """The tables as they would be with only primary suppression: every secondary `c` shows its figure."""
    attacker = Attacker(publication=publication, shown=shown, rounding_base=thresholds.rounding_base)
    figures = iter(attacker.figures)

    def reveal(cell: ShownCell, is_total: bool, table: Table) -> ShownCell:
        _title, _where, mask, _cell, _table = next(figures)
        if cell.reason != Suppression.SECONDARY:
            return cell
        value = attacker.true_value(mask)
        if is_total and thresholds.rounds_totals(table.geography) and value:
            rounded = thresholds.round_total(value)
            return ShownCell(rounded if rounded else "k", rounded=True)
        return ShownCell(value)

    tables = []
    for table, shown_table in zip(publication.tables, shown.tables):
        # Walk the figures in the attacker's order: cells and row totals row by row, then column totals, then total.
        cells, row_totals = [], []
        for row in shown_table.cells:
            if shown_table.column_labels:
                cells.append(tuple(reveal(cell, False, table) for cell in row))
                row_totals.append(reveal(shown_table.row_totals[len(row_totals)], True, table))
            else:
                cells.append((reveal(row[0], False, table),))
        column_totals = tuple(reveal(cell, True, table) for cell in shown_table.column_totals)
        total = reveal(shown_table.total, True, table)
        tables.append(
            ShownTable(
                title=shown_table.title,
                geography=shown_table.geography,
                row_labels=shown_table.row_labels,
                column_labels=shown_table.column_labels,
                cells=tuple(cells),
                row_totals=tuple(row_totals),
                column_totals=column_totals,
                total=total,
            )
        )
    return ProtectedPublication(tables=tuple(tables))


# --- random publications with many small counts -----------------------------------------------------------------------

SMALL_HEAVY = (0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9, 12, 20)
GEOGRAPHIES = (Geography.COUNCIL, Geography.COUNCIL, Geography.COUNCIL, Geography.SMALL_AREA, Geography.REGION)


def random_publication(rng: random.Random) -> Publication:
    names = ["stage", "team", "headline"][: rng.choice((2, 3, 3))]
    dimensions = {name: [f"{name}-{i}" for i in range(rng.randint(2, 4))] for name in names}
    counts = {key: rng.choice(SMALL_HEAVY) for key in itertools.product(*dimensions.values())}
    dataset = Dataset(dimensions=dimensions, counts=counts)
    cuts = [(a, b) for a, b in itertools.permutations(names, 2) if a < b] + [(name, None) for name in names]
    chosen = rng.sample(cuts, rng.randint(2, min(4, len(cuts))))
    tables = [
        Table(
            title=f"Table {'-'.join(filter(None, cut))}", rows=cut[0], columns=cut[1], geography=rng.choice(GEOGRAPHIES)
        )
        for cut in chosen
    ]
    return Publication(dataset=dataset, tables=tables)


def test_the_attacker_cannot_narrow_any_small_count_in_200_random_publications():
    thresholds = Thresholds()
    failures, suppressed = [], 0
    for seed in range(200):
        publication = random_publication(random.Random(seed))
        shown = protect(publication=publication, thresholds=thresholds)
        suppressed += sum(cell.display == "c" for table in shown.tables for cell in table.shown_cells())
        failures += [f"seed {seed}: {breach}" for breach in breaches(publication, shown, thresholds)]
    assert not failures, "\n".join(failures[:20])
    assert suppressed > 1000, "the random publications must be hard: many small counts to protect"


def test_the_attack_succeeds_with_primary_suppression_only():
    """Without secondary suppression the same attacker finds small counts, so the test above can fail."""
    thresholds = Thresholds()
    with_secondary, broken = 0, 0
    for seed in range(60):
        publication = random_publication(random.Random(seed))
        shown = protect(publication=publication, thresholds=thresholds)
        if not any(cell.reason == Suppression.SECONDARY for t in shown.tables for cell in t.shown_cells()):
            continue
        with_secondary += 1
        primary_only = without_secondary_suppression(publication, shown, thresholds)
        if breaches(publication, primary_only, thresholds):
            broken += 1
            with pytest.raises(DisclosureRisk):
                check_published(shown=primary_only, publication=publication, thresholds=thresholds)
    assert with_secondary >= 40
    assert broken >= 0.9 * with_secondary, f"only {broken} of {with_secondary} broken without secondary suppression"


def test_stricter_protection_is_kept_too():
    thresholds = Thresholds(suppress_up_to=3, small_area_suppress_up_to=6, protection=5, rounding_base=5)
    failures = []
    for seed in range(200, 240):
        publication = random_publication(random.Random(seed))
        shown = protect(publication=publication, thresholds=thresholds)
        failures += [f"seed {seed}: {breach}" for breach in breaches(publication, shown, thresholds)]
    assert not failures, "\n".join(failures[:20])


# --- tables that give each other away ---------------------------------------------------------------------------------


def three_way_dataset() -> Dataset:
    """Three families at stage 1 in team 1, all with headline 1; the other combinations are large or empty."""
    joint = {
        ("S1", "T1", "H1"): 3,
        ("S1", "T1", "H2"): 0,
        ("S1", "T2", "H1"): 20,
        ("S1", "T2", "H2"): 20,
        ("S2", "T1", "H1"): 20,
        ("S2", "T1", "H2"): 0,
        ("S2", "T2", "H1"): 0,
        ("S2", "T2", "H2"): 20,
    }
    return Dataset(dimensions={"stage": ["S1", "S2"], "team": ["T1", "T2"], "headline": ["H1", "H2"]}, counts=joint)


def test_tables_protected_one_by_one_give_a_small_count_away_and_protected_together_do_not():
    dataset, thresholds = three_way_dataset(), Thresholds()
    by_team = Table(title="Families by stage and team", rows="stage", columns="team")
    by_headline = Table(title="Families by team and headline", rows="team", columns="headline")
    by_stage = Table(title="Families by headline and stage", rows="headline", columns="stage")
    everything = Publication(dataset=dataset, tables=[by_team, by_headline, by_stage])

    one_by_one = ProtectedPublication(
        tables=tuple(
            protect(publication=Publication(dataset=dataset, tables=[table]), thresholds=thresholds).tables[0]
            for table in (by_team, by_headline, by_stage)
        )
    )
    assert one_by_one.table("Families by stage and team").cell("S1", "T1").display == "c"
    found = breaches(everything, one_by_one, thresholds)
    assert found and "('S1', 'T1')" in found[0], "the three cuts together must pin the small count down"
    with pytest.raises(DisclosureRisk):
        check_published(shown=one_by_one, publication=everything, thresholds=thresholds)

    together = protect(publication=everything, thresholds=thresholds)
    assert breaches(everything, together, thresholds) == []
    check_published(shown=together, publication=everything, thresholds=thresholds)


def test_stage_by_team_stage_totals_and_team_by_headline_cannot_be_combined():
    rng = random.Random(7)
    stages, teams, headlines = ["Assessment", "Plan", "Review"], ["North", "South", "East", "West"], ["Work", "School"]
    counts = {key: rng.choice(SMALL_HEAVY) for key in itertools.product(stages, teams, headlines)}
    dataset = Dataset(dimensions={"stage": stages, "team": teams, "headline": headlines}, counts=counts)
    publication = Publication(
        dataset=dataset,
        tables=[
            Table(title="A: families by stage and team", rows="stage", columns="team"),
            Table(title="B: families by stage", rows="stage"),
            Table(title="C: families by team and headline", rows="team", columns="headline"),
        ],
    )
    shown = protect(publication=publication, thresholds=Thresholds())
    a, b = shown.table("A: families by stage and team"), shown.table("B: families by stage")
    assert any(cell.reason == Suppression.PRIMARY for cell in a.shown_cells())
    for stage in stages:  # the same figure is shown, or suppressed, the same way in both tables
        assert b.cell(stage).display == a.row_total(stage).display
    assert breaches(publication, shown, Thresholds()) == []


def test_a_hierarchy_is_known_to_the_attacker_and_still_protected():
    rng = random.Random(11)
    teams = [f"team-{i}" for i in range(6)]
    localities = Grouping(source="team", groups={"Coast": teams[:3], "Hills": teams[3:]})
    stages = ["Assessment", "Plan", "Review"]
    counts = {key: rng.choice(SMALL_HEAVY) for key in itertools.product(stages, teams)}
    dataset = Dataset(dimensions={"stage": stages, "team": teams}, counts=counts, groupings={"locality": localities})
    publication = Publication(
        dataset=dataset,
        tables=[
            Table(title="Families by stage and team", rows="stage", columns="team"),
            Table(
                title="Families by locality and stage", rows="locality", columns="stage", geography=Geography.SMALL_AREA
            ),
        ],
    )
    shown = protect(publication=publication, thresholds=Thresholds())
    assert breaches(publication, shown, Thresholds()) == []


# --- a council-sized publication (its speed is measured in benchmarks/disclosure_control.py) ------------------------


def council_sized_publication() -> Publication:
    """Four tables over stage (5), team (20) and need (20), 2,500 families, many small counts."""
    rng = np.random.default_rng(2026)
    stages, teams, needs = [f"S{i}" for i in range(5)], [f"T{i}" for i in range(20)], [f"N{i}" for i in range(20)]
    counts = {}
    by_need = rng.dirichlet(np.ones(20))
    for team in teams:
        mix = np.outer(rng.dirichlet(np.ones(5) * 3), rng.dirichlet(by_need * 40 + 0.05))
        joint = rng.multinomial(125, mix.ravel())
        for (stage, need), count in zip(itertools.product(stages, needs), joint):
            counts[(stage, team, need)] = int(count)
    dataset = Dataset(dimensions={"stage": stages, "team": teams, "need": needs}, counts=counts)
    publication = Publication(
        dataset=dataset,
        tables=[
            Table(title="Stage by team", rows="stage", columns="team"),
            Table(title="Stage", rows="stage"),
            Table(title="Team by need", rows="team", columns="need"),
            Table(title="Need by stage", rows="need", columns="stage"),
        ],
    )
    return publication


def test_a_council_sized_publication_with_many_small_counts_withstands_the_attack():
    publication = council_sized_publication()
    shown = protect(publication=publication, thresholds=Thresholds())
    assert sum(cell.reason == Suppression.PRIMARY for cell in shown.table("Team by need").shown_cells()) > 50
    assert breaches(publication, shown, Thresholds()) == []

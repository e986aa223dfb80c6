"""The linear-programming attack, run by the defender before anything is published.

The attacker's unknowns are the joint cells (see `lattice`), each at least 0. Every figure published as a number is a
constraint: the sum of its joint cells equals it, or lies in the range a rounded total stands for; a published 0 fixes
its joint cells at 0. For a suppressed small count the audit asks for completions of every published table with the
count as low as its lower target and as high as its upper target (`Thresholds.targets_for`); for any other suppressed
figure, a completion where it differs from its true value by at least 1. The targets are whole numbers, so an
attacker who rounds the LP's range inwards to whole numbers learns nothing more.

This is the LP relaxation (the attacker of the privacy promise): counts are not required to be whole. For one
two-way table with its totals, and one-way tables of its dimensions, the constraint matrix is totally unimodular, so
the LP's ranges are exactly the whole-number ones. For several tables crossing three or more dimensions (above all
the three two-way margins of three dimensions) an attacker who solves the integer programme may narrow a range
further than the LP does. We accept that residual risk, as LP-based audits generally do: whole-number audits of such
tables are NP-hard, and in our trials HiGHS's MIP solver often did not settle one within seconds.

The programme is written in deviations from the true counts (each joint cell moves up by d+ >= 0 and down by
0 <= d- <= its count), so that "nothing moves" is a feasible starting basis and HiGHS skips its feasibility phase,
which was most of the work; presolve is off because it would discard that start.

Every completion found is kept as a witness: it stays valid when more figures are suppressed (fewer constraints), so
later rounds never recheck what it settles. To need few LPs (scipy's linprog costs milliseconds a call even for tiny
programmes), the audit first pulls all open figures towards their targets at once, maximising the sum of
min(need, movement) with random weights (a concave objective, so still an LP; the weights decide which of two
figures that trade against each other moves this time), repeated while it settles more. Those LPs let only the joint
cells inside suppressed figures move, which is smaller and still sound (any completion found is a completion of the
whole), and settles almost everything. Only what is left gets an LP of its own, first restricted, then over all joint
cells; only the latter can show a figure is exposed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from .lattice import Lattice

TOLERANCE = 1e-7
HIGHS_OPTIONS = {"presolve": False}  # presolve would throw away the feasible start at "nothing moves"
PULL_ROUNDS = 12  # LPs that try to settle many figures at once, per direction, before one LP per figure
WEIGHT_SEED = 20260  # fixed, so that protecting the same publication twice gives the same tables


@dataclass(frozen=True)
class Exposure:
    """A suppressed figure the attacker can pin down too closely, and published figures that bind it."""

    aggregate: int
    binding: tuple[int, ...] = ()


@dataclass
class Evidence:
    """What earlier rounds settled, kept across rounds of one protection (constraints only ever get fewer)."""

    witnesses: list[np.ndarray] = field(default_factory=list)  # completions over all joint cells
    reaches_down: set[int] = field(default_factory=set)
    reaches_up: set[int] = field(default_factory=set)
    undetermined: set[int] = field(default_factory=set)


@dataclass
class _View:
    """The attacker's LP over some of the move columns (the others held at 0)."""

    columns: np.ndarray
    moves: sparse.csr_array  # each aggregate's change, per column of this view
    upper: np.ndarray
    a_eq: sparse.csr_array | None
    equality_aggregates: list[int]
    a_ub: sparse.csr_array | None
    b_ub: np.ndarray | None
    range_aggregates: list[int]


class Adversary:
    """The attacker's linear programme for one set of published figures.

    `published` maps aggregate to the (lowest, highest) value the attacker knows it has: equal for an exact figure, a
    range for a rounded total. Every other aggregate is hidden.
    """

    def __init__(self, *, lattice: Lattice, published: Mapping[int, tuple[int, int]]):
        self.lattice = lattice
        self.published = published
        zeros = [aggregate for aggregate, (_low, high) in published.items() if high == 0]
        forced_zero = np.zeros(lattice.true_joint.size, dtype=bool)
        if zeros:
            forced_zero = np.asarray(lattice.membership[zeros].sum(axis=0)).ravel() > 0
        self.free = np.flatnonzero(lattice.live & ~forced_zero)
        true = lattice.true_joint[self.free].astype(float)
        can_fall = np.flatnonzero(true > 0)  # a joint cell with no records can only rise
        # Move columns: the rise of every free joint cell, then the fall of each that has records.
        self.column_cells = np.concatenate([np.arange(len(self.free)), can_fall])
        self.to_joint = sparse.hstack(
            [
                sparse.identity(len(self.free), format="csr"),
                -sparse.csr_array(
                    (np.ones(len(can_fall)), (can_fall, np.arange(len(can_fall)))),
                    shape=(len(self.free), len(can_fall)),
                ),
            ]
        ).tocsr()
        self.width = self.to_joint.shape[1]
        self.upper = np.concatenate([np.full(len(self.free), np.inf), true[can_fall]])
        self.moves = sparse.csr_array(lattice.membership[:, self.free] @ self.to_joint)

        hidden = [a for a in range(len(lattice)) if a not in published]
        in_hidden = np.zeros(len(self.free), dtype=bool)
        if hidden:
            in_hidden = np.asarray(lattice.membership[hidden][:, self.free].sum(axis=0)).ravel() > 0
        self.whole = self._view(np.arange(self.width))
        self.inside = self._view(np.flatnonzero(in_hidden[self.column_cells]))
        self._weights = np.random.default_rng(WEIGHT_SEED)

    def _view(self, columns: np.ndarray) -> _View:
        values = self.lattice.values
        moves = sparse.csr_array(self.moves[:, columns])
        touched = np.diff(moves.indptr) > 0  # a published figure none of these columns is in cannot change
        exact = [a for a, (low, high) in sorted(self.published.items()) if 0 < high and low == high and touched[a]]
        ranged = [a for a, (low, high) in sorted(self.published.items()) if 0 < high and low < high and touched[a]]
        a_ub = b_ub = None
        if ranged:
            a_ub = sparse.vstack([moves[ranged], -moves[ranged]]).tocsr()
            b_ub = np.array(
                [self.published[a][1] - values[a] for a in ranged] + [values[a] - self.published[a][0] for a in ranged],
                dtype=float,
            )
        return _View(
            columns=columns,
            moves=moves,
            upper=self.upper[columns],
            a_eq=moves[exact] if exact else None,
            equality_aggregates=exact,
            a_ub=a_ub,
            b_ub=b_ub,
            range_aggregates=ranged,
        )

    # --- solving ------------------------------------------------------------------------------------------------------

    def _linprog(self, view: _View, objective, *, extra_rows=None, extra_bounds=None):
        """Minimise over the view's moves and any extra columns (which only the extra rows, all <= 0, use)."""
        width = len(view.columns)
        extra_columns = len(objective) - width
        a_ub, b_ub = view.a_ub, view.b_ub
        if extra_rows is not None:
            zeros = np.zeros(extra_rows.shape[0])
            a_ub = extra_rows if a_ub is None else sparse.vstack([_widen(a_ub, extra_columns), extra_rows]).tocsr()
            b_ub = zeros if b_ub is None else np.concatenate([b_ub, zeros])
        a_eq = None if view.a_eq is None else _widen(view.a_eq, extra_columns)
        b_eq = None if a_eq is None else np.zeros(a_eq.shape[0])
        bounds = np.column_stack([np.zeros(width), view.upper])
        if extra_bounds is not None:
            bounds = np.vstack([bounds, extra_bounds])
        if a_ub is None and a_eq is None:  # nothing published touches these cells: they move freely
            a_eq, b_eq = sparse.csr_array((1, len(objective))), np.zeros(1)
        return linprog(
            objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs", options=HIGHS_OPTIONS
        )

    def _as_witness(self, view: _View, z: np.ndarray) -> np.ndarray:
        """The completion over all joint cells that the view's moves z lead to (extra columns dropped)."""
        moves = np.zeros(self.width)
        moves[view.columns] = z[: len(view.columns)]
        witness = self.lattice.true_joint.astype(float)
        witness[self.free] += self.to_joint @ moves
        return witness

    @staticmethod
    def _binding(view: _View, result) -> tuple[int, ...]:
        """Published figures whose constraints hold the optimum in place (non-zero dual values)."""
        binding = []
        if view.a_eq is not None and result.eqlin is not None:
            marginals = result.eqlin.marginals
            binding += [a for a, m in zip(view.equality_aggregates, marginals) if abs(m) > TOLERANCE]
        if view.a_ub is not None and result.ineqlin is not None:
            marginals = result.ineqlin.marginals[: 2 * len(view.range_aggregates)]
            binding += [a for a, m in zip(view.range_aggregates * 2, marginals) if abs(m) > TOLERANCE]
        return tuple(sorted(set(binding)))

    # --- the audit ----------------------------------------------------------------------------------------------------

    def audit(self, *, small: set[int], other: set[int], evidence: Evidence) -> list[Exposure]:
        """Suppressed figures the attacker can pin down: small counts not kept within their protection interval
        (`small`) and other suppressed figures determined exactly (`other`)."""
        values = self.lattice.values
        targets = {a: self.lattice.protection_targets(a) for a in small}
        # Every requirement as (aggregate, upwards, how far it must move); an `other` figure needs one of its two.
        downs = {a: int(values[a]) - targets[a][0] for a in small}
        ups = {a: targets[a][1] - int(values[a]) for a in small}

        def settle(witness: np.ndarray) -> int:
            evidence.witnesses.append(witness)
            return self._settle_with([witness], targets, other, evidence)

        self._settle_with(evidence.witnesses, targets, other, evidence)

        def open_small(settled):
            return sorted(a for a in small if a not in settled)

        def open_other():
            return sorted(a for a in other if a not in evidence.undetermined)

        passes = (
            (False, lambda: [(a, downs[a]) for a in open_small(evidence.reaches_down)]),
            (True, lambda: [(a, ups[a]) for a in open_small(evidence.reaches_up)]),
            (True, lambda: [(a, 1) for a in open_other()]),
            (False, lambda: [(a, 1) for a in open_other() if values[a] >= 1]),
        )
        for upwards, requirements in passes:
            for _round in range(PULL_ROUNDS):
                wanted = requirements()
                if not wanted or not len(self.inside.columns):
                    break
                z = self._pull(self.inside, wanted, upwards=upwards)
                if z is None or not settle(self._as_witness(self.inside, z)):
                    break

        exposures = []
        for aggregate in sorted(small):
            for upwards, settled, needs in ((False, evidence.reaches_down, downs), (True, evidence.reaches_up, ups)):
                if aggregate in settled:
                    continue
                witness, binding = self._reach(aggregate, needs[aggregate], upwards=upwards)
                if witness is None:
                    exposures.append(Exposure(aggregate, binding))
                    break
                if witness is True:
                    settled.add(aggregate)  # unbounded
                else:
                    settle(witness)
        for aggregate in open_other():
            witness, binding = self._reach(aggregate, 1, upwards=True)
            if witness is None and values[aggregate] >= 1:
                witness, more = self._reach(aggregate, 1, upwards=False)
                binding = tuple(sorted(set(binding) | set(more)))
            if witness is None:
                exposures.append(Exposure(aggregate, binding))
            elif witness is True:
                evidence.undetermined.add(aggregate)
            else:
                settle(witness)
        return exposures

    def _settle_with(self, witnesses, targets, other, evidence: Evidence) -> int:
        """Mark what the witnesses settle; return how many requirements they newly settle."""
        values = self.lattice.values
        open_small = [a for a in targets if a not in evidence.reaches_down or a not in evidence.reaches_up]
        open_other = [a for a in other if a not in evidence.undetermined]
        watched = open_small + open_other
        if not watched or not witnesses:
            return 0
        before = len(evidence.reaches_down) + len(evidence.reaches_up) + len(evidence.undetermined)
        sums = self.lattice.membership[watched] @ np.column_stack(witnesses)
        for row, aggregate in enumerate(watched):
            if aggregate in targets:
                low, high = targets[aggregate]
                if (sums[row] <= low + TOLERANCE).any():
                    evidence.reaches_down.add(aggregate)
                if (sums[row] >= high - TOLERANCE).any():
                    evidence.reaches_up.add(aggregate)
            elif (np.abs(sums[row] - values[aggregate]) >= 1 - TOLERANCE).any():
                evidence.undetermined.add(aggregate)
        return len(evidence.reaches_down) + len(evidence.reaches_up) + len(evidence.undetermined) - before

    def _pull(self, view: _View, wanted: list[tuple[int, int]], *, upwards: bool) -> np.ndarray | None:
        """Moves that bring as many figures as possible as far as they need to go, all at once.

        Each figure i gets a gain g_i <= need_i and g_i <= its movement (rise, or fall downwards), so at the optimum
        g_i = min(need_i, movement): it counts against the objective when the figure moves the wrong way. The LP
        maximises the weighted sum of gains. Nothing moving, with no gain, is feasible.
        """
        aggregates = [a for a, _need in wanted]
        needs = np.array([need for _a, need in wanted], dtype=float)
        count = len(aggregates)
        movement = view.moves[aggregates] if upwards else -view.moves[aggregates]
        extra_rows = sparse.hstack([-movement, sparse.identity(count, format="csr")]).tocsr()  # g_i - movement_i <= 0
        extra_bounds = np.column_stack([np.full(count, -np.inf), needs])
        weights = self._weights.uniform(0.5, 1.5, count)
        objective = np.concatenate([np.zeros(len(view.columns)), -weights])
        result = self._linprog(view, objective, extra_rows=extra_rows, extra_bounds=extra_bounds)
        return result.x if result.status == 0 else None

    def _reach(self, aggregate: int, need: int, *, upwards: bool):
        """A completion with the aggregate moved at least `need` (up or down), True if unbounded (completions exist
        as far as one likes), else None and the published figures that bind it.

        Tried first with only the joint cells inside suppressed figures free to move, then with all of them."""
        for view in (self.inside, self.whole):
            if not len(view.columns):
                continue
            change = view.moves[[aggregate]].toarray().ravel()
            result = self._linprog(view, -change if upwards else change)
            if result.status == 3:
                return True, ()
            if result.status != 0:
                raise RuntimeError("The disclosure audit's linear programme could not be solved.")
            if -result.fun >= need - TOLERANCE:
                return self._as_witness(view, result.x), ()
        return None, (self._binding(self.whole, result) if len(self.whole.columns) else ())


def _widen(matrix, extra_columns: int):
    if not extra_columns:
        return matrix
    return sparse.hstack([matrix, sparse.csr_array((matrix.shape[0], extra_columns))]).tocsr()

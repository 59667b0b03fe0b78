"""Least core, prenucleolus and nucleolus of a small explicit game, exactly, without numpy.

`mutualis games solve --method nucleolus` on a game of three members used to spend most
of its time loading numpy and HiGHS (about 0.2 s) to solve programmes of six rows. For an
explicit game of at most `small.SMALL_PLAYERS` members this module solves the same
linear programmes in plain Python, in rational numbers (`fractions.Fraction` and
integers): no tolerance decides which coalitions are tight, and the result is the exact
(pre)nucleolus of the costs as written. Each cost is read as the decimal it prints as
(`repr`: 120.35 is 12035/100); all are scaled by their common denominator to integers.

The programmes (as `cores`, which solves them with HiGHS above eight members). For x with
x(N) = c(N), the excess of a coalition S is e(S) = x(S) − c(S). Level k of the sequence
of Maschler, Peleg & Shapley (1979, "Geometric properties of the kernel, nucleolus and
related solution concepts", Mathematics of Operations Research 4(4), 303–338) is

    min ε  s.t.  x(S) − ε ≤ c(S)        for the free coalitions S,
                 x(S) = c(S) + ε_j      for the coalitions fixed at an earlier level j,
                 x(N) = c(N),  x_i ≤ c({i})  (the last for the nucleolus only).

The least core is the first level. The (pre)nucleolus then fixes the free coalitions
whose multiplier is positive (tight at every optimum, by complementary slackness), and a
bound x_i ≤ c({i}) whose multiplier is positive as x_i = c({i}); the coalitions whose
indicator lies in the span of the fixed ones have a determined excess and leave; the
sequence stops when the fixed rows determine x (rank n), after at most n − 1 levels.

A level is written in the coordinates the fixed rows leave free, x = x₀ + K t, K an
integer basis of their null space, so that only inequalities remain, in m + 1 ≤ n
variables v = (t, ε), from x₀ = the optimum of the previous level. It is solved by the
simplex method in inequality form (the primal simplex on the programme with slack
variables, the free variables v always basic): a vertex is a basis of m + 1 linearly
independent tight rows, kept with the columns of the inverse of their matrix; a row with
a negative multiplier leaves, the first row met along the edge enters. The start is the
vertex of the m + 1 artificial rows v_j = v₀_j, each replaced in turn by a real row
(moving along its edge in the direction that does not raise ε). Bland's rule, the
smallest row index for the row leaving and among ties for the row entering (Bland 1977,
"New finite pivoting rules for the simplex method", Mathematics of Operations Research
2(2), 103–107), rules out cycling. Rows are the free coalitions in bitmask order, then
the bounds. The excesses of all coalitions along an edge are subset sums of integers
(2ⁿ additions), the only work proportional to the number of coalitions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from mutualis.engine.errors import EngineError
from mutualis.engine.money import format_euros

MAX_PIVOTS = 100_000
"""Pivots of one programme before giving up (Bland's rule ends long before)."""


class EmptyImputationSet(EngineError):
    """Pooling costs more than every member alone: no allocation is individually rational."""


class ProgrammeFailed(EngineError):
    """The exact simplex did not end (a defect: Bland's rule guarantees that it does)."""


def check_imputations(grand: float, alone: Sequence[float], tolerance: float) -> None:
    """Raise EmptyImputationSet (French) when Σ c({i}) < c(N) − tolerance."""
    total = math.fsum(alone)
    gap = total - grand
    if gap < -tolerance:
        raise EmptyImputationSet(
            "L'ensemble des imputations est vide : le service commun coûte "
            f"{format_euros(grand)}, plus que tous les membres seuls "
            f"({format_euros(total)}). Aucune répartition ne garantit que chacun paie au "
            "plus son coût seul ; le nucléole n'existe pas (le prénucléole, méthode "
            "« prenucleolus », reste calculable).",
            field="method",
            gap=gap,
        )


@dataclass(frozen=True)
class Solution:
    """Shares x (summing to c(N)), the optimum ε of the first level, programmes solved."""

    amounts: tuple[Fraction, ...]
    value: Fraction
    levels: int

    def floats(self) -> list[float]:
        return [float(a) for a in self.amounts]


def least_core(table: Sequence[float]) -> Solution:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S) with x(N) = c(N), and a vertex x reaching it.

    `table[mask]` is c(S), bit i of mask set when member i belongs to S. The least core
    is a set; the point returned is the vertex the simplex ends on (deterministic).
    """
    return _Sequence(table, bounded=False).solve(levels=1)


def prenucleolus(table: Sequence[float]) -> Solution:
    """The lexicographic minimum of the sorted excesses over x(N) = c(N) only."""
    return _Sequence(table, bounded=False).solve()


def nucleolus(table: Sequence[float], tolerance: float) -> Solution:
    """The same over the imputations, x_i ≤ c({i}) (Schmeidler 1969).

    Raises EmptyImputationSet when Σ c({i}) < c(N) − tolerance; within the tolerance,
    the one allocation nearest to the imputations, c({i}) + (c(N) − Σ c({j})) / n.
    """
    n = len(table).bit_length() - 1
    check_imputations(table[-1], [table[1 << i] for i in range(n)], tolerance)
    return _Sequence(table, bounded=True).solve()


def rational(value: float) -> Fraction:
    """The decimal a float prints as, exactly (0.1 is 1/10, not 3602879701896397/2⁵⁵)."""
    return Fraction(repr(float(value)))


def subset_sums(values: Sequence[int]) -> list[int]:
    """Σ_{i∈S} values_i for every bitmask S, by doubling."""
    sums = [0]
    for value in values:
        sums += [s + value for s in sums]
    return sums


def integral(vector: Sequence[Fraction]) -> list[int]:
    """The same direction as coprime integers."""
    scale = math.lcm(*(v.denominator for v in vector))
    whole = [v.numerator * (scale // v.denominator) for v in vector]
    divisor = math.gcd(*whole)
    return [w // divisor for w in whole] if divisor else whole


def null_space(rows: Sequence[Sequence[int]], n: int) -> list[list[int]]:
    """An integer basis of {y ∈ ℚⁿ : row · y = 0 for every row} (Gauss–Jordan, in
    integers: a row is combined with the pivot row by cross-multiplication)."""
    matrix = [list(row) for row in rows]
    pivots: list[int] = []
    for column in range(n):
        r = len(pivots)
        found = next((i for i in range(r, len(matrix)) if matrix[i][column]), None)
        if found is None:
            continue
        matrix[r], matrix[found] = matrix[found], matrix[r]
        lead_row = matrix[r]
        lead = lead_row[column]
        for i, row in enumerate(matrix):
            factor = row[column]
            if i != r and factor:
                combined = [lead * a - factor * b for a, b in zip(row, lead_row, strict=True)]
                divisor = math.gcd(*combined) or 1
                matrix[i] = [v // divisor for v in combined]
        pivots.append(column)
    basis = []
    for column in (c for c in range(n) if c not in pivots):
        vector = [Fraction(0)] * n
        vector[column] = Fraction(1)
        for row, pivot in zip(matrix, pivots, strict=False):
            vector[pivot] = Fraction(-row[column], row[pivot])
        basis.append(integral(vector))
    return basis


class _Sequence:
    """The levels of one game, in integers: c(S) · scale, shares · scale."""

    def __init__(self, table: Sequence[float], *, bounded: bool) -> None:
        costs = [rational(c) for c in table]
        self.scale = math.lcm(*(c.denominator for c in costs))
        self.costs = [int(c * self.scale) for c in costs]
        self.n = n = len(table).bit_length() - 1
        self.full = (1 << n) - 1
        grand = self.costs[self.full]
        self.upper = [self.costs[1 << i] for i in range(n)] if bounded else None
        self.fixed: list[list[int]] = [[1] * n]
        if self.upper is None:
            self.x = [Fraction(grand, n)] * n
        else:  # an imputation: everyone alone, less an equal part of the saving
            saving = Fraction(sum(self.upper) - grand, n)
            self.x = [u - saving for u in self.upper]
        self.free = list(range(1, self.full))
        self.bounded = [] if self.upper is None else list(range(n))
        self.kernel: list[list[int]] = []
        self._update_kernel()

    def _update_kernel(self) -> None:
        """The null space of the fixed rows; the coalitions and bounds still undetermined."""
        self.kernel = null_space(self.fixed, self.n)
        sums = [subset_sums(k) for k in self.kernel]
        self.free = [s for s in self.free if any(column[s] for column in sums)]
        self.bounded = [i for i in self.bounded if any(k[i] for k in self.kernel)]

    def solve(self, levels: int | None = None) -> Solution:
        value, done = Fraction(0), 0
        if self.upper is not None and any(x > u for x, u in zip(self.x, self.upper, strict=True)):
            self.kernel = []  # Σ c({i}) < c(N) within the tolerance: x is that one point
        while self.kernel and (levels is None or done < levels):
            level = _Level(self)
            x, epsilon, tight = level.solve()
            value = epsilon if done == 0 else value
            done += 1
            self.x = x
            self.fixed.extend(level.indicator(row) for row in tight)
            self._update_kernel()
        return Solution(tuple(x / self.scale for x in self.x), Fraction(value, self.scale), done)


class _Level:
    """One programme in v = (t, ε): min ε s.t. row_r · v ≤ rhs_r (see the module).

    Rows r < len(free) are the free coalitions, (a_S K, −1) · v ≤ c(S) − x₀(S); the
    others the bounds, (K_i, 0) · v ≤ c({i}) − x₀_i. Slacks rhs − row · v are kept as
    integers over one denominator, and so is the inverse of the basis: its columns are
    `inverse[p] / det`, det > 0.
    """

    def __init__(self, game: _Sequence) -> None:
        self.game = game
        self.n = game.n
        self.kernel = game.kernel
        self.dim = len(self.kernel) + 1
        self.free = game.free
        self.bounded = game.bounded
        self.sums = [subset_sums(k) for k in self.kernel]
        denominator = math.lcm(*(x.denominator for x in game.x))
        whole = [x.numerator * (denominator // x.denominator) for x in game.x]
        shares = subset_sums(whole)
        excess = [shares[s] - denominator * game.costs[s] for s in self.free]
        top = max(excess)
        slacks = [top - e for e in excess]
        if game.upper is not None:
            slacks += [denominator * game.upper[i] - whole[i] for i in self.bounded]
        self.slacks, self.denominator = slacks, denominator
        self.point = [Fraction(0)] * (self.dim - 1) + [Fraction(top, denominator)]
        self.basis: list[int | None] = [None] * self.dim
        self.inverse = [[int(i == j) for i in range(self.dim)] for j in range(self.dim)]
        self.det = 1

    def row(self, r: int) -> list[int]:
        if r < len(self.free):
            return [column[self.free[r]] for column in self.sums] + [-1]
        i = self.bounded[r - len(self.free)]
        return [k[i] for k in self.kernel] + [0]

    def indicator(self, r: int) -> list[int]:
        if r < len(self.free):
            return [self.free[r] >> i & 1 for i in range(self.n)]
        i = self.bounded[r - len(self.free)]
        return [int(j == i) for j in range(self.n)]

    def solve(self) -> tuple[list[Fraction], Fraction, list[int]]:
        """x, ε* and the rows tight at every optimum (positive multiplier)."""
        for _ in range(MAX_PIVOTS):
            # Multiplier of basis row p: −g · B⁻¹e_p with g = e_ε, the objective (× det).
            multipliers = [-column[-1] for column in self.inverse]
            artificial = next((p for p, r in enumerate(self.basis) if r is None), None)
            if artificial is not None:
                self._release(artificial, multipliers[artificial])
                continue
            leaving = [p for p in range(self.dim) if multipliers[p] < 0]
            if not leaving:
                break
            p = min(leaving, key=lambda p: self.basis[p] or 0)
            if not self._pivot(p, [-v for v in self.inverse[p]]):
                raise ProgrammeFailed("Programme linéaire non borné : jeu mal formé.")
        else:
            raise ProgrammeFailed(f"Le simplexe exact n'a pas conclu en {MAX_PIVOTS} pivots.")
        t, epsilon = self.point[:-1], self.point[-1]
        x = [
            x0 + sum((k[i] * t_j for k, t_j in zip(self.kernel, t, strict=True)), Fraction(0))
            for i, x0 in enumerate(self.game.x)
        ]
        tight = [r for r, m in zip(self.basis, multipliers, strict=True) if r is not None and m > 0]
        return x, epsilon, tight

    def _release(self, p: int, multiplier: int) -> None:
        """Replace the artificial row p by a real one, moving so that ε does not rise."""
        direction = self.inverse[p]  # +B⁻¹e_p: g · d = −multiplier
        signs = (1,) if multiplier > 0 else (-1,) if multiplier < 0 else (-1, 1)
        for sign in signs:
            if self._pivot(p, [sign * v for v in direction]):
                return
        raise ProgrammeFailed("Programme linéaire non borné : jeu mal formé.")

    def _pivot(self, p: int, direction: list[int]) -> bool:
        """Move along `direction` to the first row met (ties: smallest index), which
        takes basis position p. False when no row stops the move."""
        divisor = math.gcd(*direction)
        step = [d // divisor for d in direction]
        kernel, n = self.kernel, self.n
        moves = [sum(k[i] * s for k, s in zip(kernel, step, strict=False)) for i in range(n)]
        sums = subset_sums(moves)
        rates = [sums[s] - step[-1] for s in self.free] + [moves[i] for i in self.bounded]
        in_basis = set(self.basis)
        best, best_slack, best_rate = -1, 0, 1
        for r, rate in enumerate(rates):
            if rate > 0 and r not in in_basis:
                slack = self.slacks[r]
                if best < 0 or slack * best_rate < best_slack * rate:
                    best, best_slack, best_rate = r, slack, rate
                    if not slack:
                        break
        if best < 0:
            return False
        length = Fraction(best_slack, self.denominator * best_rate)
        if length:
            self.point = [v + length * s for v, s in zip(self.point, step, strict=True)]
            slacks = [
                s * best_rate - best_slack * rate
                for s, rate in zip(self.slacks, rates, strict=True)
            ]
            denominator = self.denominator * best_rate
            divisor = math.gcd(denominator, *slacks)
            self.slacks = [s // divisor for s in slacks]
            self.denominator = denominator // divisor
        self._replace(p, self.row(best))
        self.basis[p] = best
        return True

    def _replace(self, p: int, row: list[int]) -> None:
        """The inverse once `row` replaces the basis row p: column p divided by
        row · column p, the others minus their own row · column times the new column p."""
        pivot = self.inverse[p]
        scale = sum(a * v for a, v in zip(row, pivot, strict=True))
        columns = []
        for q, column in enumerate(self.inverse):
            if q == p:
                columns.append([self.det * v for v in pivot])
            else:
                factor = sum(a * v for a, v in zip(row, column, strict=True))
                columns.append([scale * v - factor * w for v, w in zip(column, pivot, strict=True)])
        det = scale * self.det
        divisor = math.gcd(det, *(v for column in columns for v in column))
        if det < 0:
            divisor = -divisor
        self.inverse = [[v // divisor for v in column] for column in columns]
        self.det = det // divisor

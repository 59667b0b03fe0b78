"""The excess programme, kept in one HiGHS model from round to round.

    min ε  s.t.  x(S) − ε ≤ c(S)        for the free coalitions S,
                 x(S) = c(S) + ε_k      for the coalitions fixed at an earlier level,
                 x(N) = c(N),  x ≤ upper (the stand-alone costs, for the nucleolus).

Least core and nucleolus solve it again and again as coalitions are added (constraint
generation) and fixed (the levels of the nucleolus). Rebuilding it each time costs more
than solving it: here rows are appended to one `highspy.Highs` model and the dual simplex
restarts from the previous basis. Rows whose excess has become determined are released
(made free rows, ε coefficient 0) rather than deleted, so that row numbers stay stable;
rows left slack for a while are deleted in batches (`drop`) to keep the model small.

HiGHS writes nothing: `output_flag` and `log_to_console` are off before the first solve,
so that JSON printed by `mutualis games` is never interleaved with solver logs. highspy is
imported here only, when a programme is first built (it is not needed to start the CLI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.model import CostGame, FloatArray
from mutualis.engine.games.stability import tolerance

if TYPE_CHECKING:
    from numpy.typing import NDArray

INFINITY = float("inf")


class LinearProgramFailed(EngineError):
    """HiGHS did not find an optimum (should not happen on a well-formed game)."""


def quiet_highs() -> Any:
    """A HiGHS model that prints nothing, ever.

    The core class `_Highs`, not the `highspy.Highs` wrapper: the wrapper's constructor
    enables callbacks, a HiGHS call that prints the banner on stdout before any option
    can be set (tests/engine/games/test_cli_output.py checks that nothing is printed).
    """
    from highspy._core import _Highs  # lazy: only the solvers need it

    model = _Highs()
    model.setOptionValue("output_flag", False)
    model.setOptionValue("log_to_console", False)
    return model


class ExcessProgramme:
    """The programme above, for n players (amounts divided by `scale` inside HiGHS).

    A row is a coalition's coefficient vector: its 0/1 indicator, or, in the space of
    classes of identical members (`generation`), how many members of each class it holds.
    """

    def __init__(
        self,
        n: int,
        grand_cost: float,
        upper: FloatArray | None,
        *,
        scale: float = 1.0,
        grand_row: FloatArray | None = None,
    ) -> None:
        self.n = n
        self.scale = scale
        self._model = quiet_highs()
        upper_bounds = np.full(n + 1, INFINITY)
        if upper is not None:
            upper_bounds[:n] = np.asarray(upper, dtype=np.float64) / scale
        self.upper = upper_bounds[:n] * scale
        self._model.addVars(n + 1, np.full(n + 1, -INFINITY), upper_bounds)
        self._model.changeColsCost(1, np.array([n], dtype=np.int32), np.array([1.0]))
        self.rows = 0
        grand = np.ones((1, n)) if grand_row is None else np.asarray(grand_row, float)[None, :]
        self._append(grand, [grand_cost], epsilon=False, fixed=True)

    def _append(
        self,
        rows: FloatArray,
        costs: Sequence[float],
        *,
        epsilon: bool,
        fixed: bool,
    ) -> list[int]:
        matrix = np.asarray(rows, dtype=np.float64)
        if epsilon:
            matrix = np.hstack([matrix, np.full((matrix.shape[0], 1), -1.0)])
        row_index, column_index = np.nonzero(matrix)
        starts = np.searchsorted(row_index, np.arange(matrix.shape[0])).astype(np.int32)
        bound = np.asarray(costs, dtype=np.float64) / self.scale
        lower = bound if fixed else np.full(len(costs), -INFINITY)
        self._model.addRows(
            len(costs),
            lower,
            bound,
            int(row_index.size),
            starts,
            column_index.astype(np.int32),
            matrix[row_index, column_index],
        )
        first = self.rows
        self.rows += len(costs)
        return list(range(first, self.rows))

    def add(self, rows: FloatArray, costs: Sequence[float]) -> list[int]:
        """Rows x(S) − ε ≤ c(S) (one coefficient vector per row); returns their numbers."""
        if not len(costs):
            return []
        return self._append(rows, costs, epsilon=True, fixed=False)

    def box(self, lower: FloatArray, upper: FloatArray) -> None:
        """lower ≤ x ≤ min(upper, the upper bounds given at creation) from now on."""
        self._model.changeColsBounds(
            self.n,
            np.arange(self.n, dtype=np.int32),
            np.asarray(lower, dtype=np.float64) / self.scale,
            np.minimum(np.asarray(upper, dtype=np.float64), self.upper) / self.scale,
        )

    def fix(self, row: int, value: float) -> None:
        """x(S) = value from now on (value = c(S) + ε_k)."""
        self._model.changeCoeff(row, self.n, 0.0)
        self._model.changeRowBounds(row, value / self.scale, value / self.scale)

    def release(self, row: int) -> None:
        """The row no longer constrains anything (its excess is determined)."""
        self._model.changeCoeff(row, self.n, 0.0)
        self._model.changeRowBounds(row, -INFINITY, INFINITY)

    def drop(self, rows: Sequence[int]) -> None:
        """Delete these rows; the rows after them move down (the caller renumbers)."""
        if rows:
            self._model.deleteRows(len(rows), np.asarray(sorted(rows), dtype=np.int32))
            self.rows -= len(rows)

    def solve(self) -> tuple[FloatArray, float, FloatArray, FloatArray]:
        """x, ε*, the row duals (≥ 0 on tight excess rows) and the row activities."""
        from highspy import HighsModelStatus

        self._model.run()
        status = self._model.getModelStatus()
        if status != HighsModelStatus.kOptimal:
            label = self._model.modelStatusToString(status)
            raise LinearProgramFailed(
                f"Le programme linéaire n'a pas abouti ({label}).",
                status=str(status),
            )
        solution = self._model.getSolution()
        columns = np.asarray(solution.col_value, dtype=np.float64) * self.scale
        duals = -np.asarray(solution.row_dual, dtype=np.float64)
        activity = np.asarray(solution.row_value, dtype=np.float64) * self.scale
        return columns[: self.n], float(columns[self.n]), duals, activity


Coalition = tuple[int, ...]


class Separator(Protocol):
    """New coalitions whose excess at x exceeds `above`, not yet in the programme and
    not determined by the fixed ones, and the largest such excess (−∞ when none).
    `certify` is False at the in-out midpoint: only the programme's own solution must
    be settled exactly."""

    def __call__(
        self, x: FloatArray, above: float, generation: Generation, *, certify: bool = True
    ) -> tuple[list[Coalition], float]: ...


class GenerationFailed(EngineError):
    """Constraint generation did not converge within MAX_ROUNDS."""


MAX_ROUNDS = 2000
"""Linear programmes in all, over every level, before giving up."""
DROP_AFTER = 8
"""A free row left slack this many rounds in a row is deleted from the model."""
_DUAL_TOL = 1e-9
_SPAN_TOL = 1e-9


class Space(Protocol):
    """Where the coalitions of a generation live: their rows and their costs."""

    dim: int
    grand: Coalition
    grand_row: FloatArray
    grand_cost: float

    def rows(self, coalitions: Sequence[Coalition]) -> FloatArray:
        """One coefficient vector per coalition, (m, dim)."""
        ...

    def costs(self, rows: FloatArray) -> FloatArray:
        """c(S) for each row."""
        ...

    def starting(self) -> list[Coalition]:
        """The coalitions the first programme holds."""
        ...


class MemberSpace:
    """Coalitions as sorted tuples of member indices, rows as their 0/1 indicators."""

    def __init__(self, game: CostGame) -> None:
        self.game = game
        self.dim = len(game.players)
        self.grand: Coalition = tuple(range(self.dim))
        self.grand_row: FloatArray = np.ones(self.dim)
        self.grand_cost = game.grand_cost()

    def rows(self, coalitions: Sequence[Coalition]) -> FloatArray:
        rows = np.zeros((len(coalitions), self.dim))
        for k, coalition in enumerate(coalitions):
            rows[k, list(coalition)] = 1.0
        return rows

    def costs(self, rows: FloatArray) -> FloatArray:
        return self.game.costs(rows.astype(np.bool_))

    def starting(self) -> list[Coalition]:
        """The members alone and, from three members, the coalitions N∖{i}: they bound
        everyone's share from below."""
        n = self.dim
        alone: list[Coalition] = [(i,) for i in range(n)]
        if n <= 2:
            return alone
        return alone + [tuple(j for j in range(n) if j != i) for i in range(n)]


class Generation:
    """The sequence of excess programmes (Maschler, Peleg & Shapley 1979), each solved by
    constraint generation with a separation oracle.

    A level solves min ε over the generated coalitions, asks the oracle for coalitions
    with a larger excess, adds them, and stops when there are none: its optimum is then
    that of the whole game. Stabilised by in-out separation (Ben-Ameur & Neto 2007): each
    round also separates at the midpoint of the solution and the best point met so far.
    Between levels, the generated coalitions with a positive dual price are tight at every
    optimum and are fixed at ε_k; coalitions whose indicator lies in the span of the fixed
    ones have a determined excess and leave the programme (the oracle must not return
    them). The sequence stops when the fixed coalitions determine x (rank n).

    The coalitions live in a `Space`: the members' (default), or another one where a row
    is any coefficient vector (`generation` uses classes of identical members).
    """

    def __init__(
        self,
        game: CostGame,
        upper: FloatArray | None,
        separator: Separator,
        space: Space | None = None,
    ) -> None:
        self.game = game
        self.space: Space = MemberSpace(game) if space is None else space
        self.n = self.space.dim
        grand = self.space.grand_cost
        self.programme = ExcessProgramme(
            self.n,
            grand,
            upper,
            scale=max(1.0, abs(grand)),
            grand_row=self.space.grand_row,
        )
        self.separator = separator
        self.tolerance = tolerance(game)
        self.members: list[Coalition] = [self.space.grand]
        self.costs: list[float] = [grand]
        self.free: list[bool] = [False]
        self.idle: list[int] = [0]
        self.seen: set[Coalition] = set()
        self.fixed_rows: list[FloatArray] = [np.asarray(self.space.grand_row, float)]
        self.fixed_values: list[float] = [grand]
        self.basis: FloatArray = self.fixed_rows[0][:, None] / np.linalg.norm(self.fixed_rows[0])
        self.determined: list[Coalition] = []
        self.rounds = 0
        self.levels = 0
        self.epsilon = -np.inf
        """The optimum of the last level solved."""
        self._stale: list[int] = []
        self.trust: FloatArray | None = None
        """A starting point: levels are then solved within a box around it (trust region)."""
        self.radius = 0.0
        self.add(self.space.starting())

    @property
    def rank(self) -> int:
        return int(self.basis.shape[1])

    def in_span(self, rows: FloatArray) -> NDArray[np.bool_]:
        """For each row of a (m, n) 0/1 matrix: is it a combination of the fixed rows?"""
        residual = rows - (rows @ self.basis) @ self.basis.T
        norms = np.linalg.norm(residual, axis=1)
        return np.asarray(
            norms < _SPAN_TOL * np.maximum(1.0, np.linalg.norm(rows, axis=1)), dtype=np.bool_
        )

    def indicator(self, coalitions: Sequence[Coalition]) -> FloatArray:
        return self.space.rows(coalitions)

    def add(self, coalitions: Sequence[Coalition]) -> None:
        fresh = [c for c in dict.fromkeys(coalitions) if c not in self.seen]
        if not fresh:
            return
        rows = self.indicator(fresh)
        costs = self.space.costs(rows)
        spanned = self.in_span(rows)
        kept = [k for k in range(len(fresh)) if not spanned[k]]
        self.determined.extend(fresh[int(k)] for k in np.flatnonzero(spanned))
        self.seen.update(fresh)
        self.programme.add(rows[kept], [float(costs[k]) for k in kept])
        for k in kept:
            self.members.append(fresh[k])
            self.costs.append(float(costs[k]))
            self.free.append(True)
            self.idle.append(0)

    def _fix(self, tight: Sequence[int], epsilon: float) -> None:
        for row in tight:
            self.free[row] = False
            value = self.costs[row] + epsilon
            self.programme.fix(row, value)
            self.fixed_rows.append(self.indicator([self.members[row]])[0])
            self.fixed_values.append(value)
        _, singular, right = np.linalg.svd(np.array(self.fixed_rows), full_matrices=False)
        rank = int((singular > _SPAN_TOL * singular[0]).sum())
        self.basis = right[:rank].T
        free = [row for row, is_free in enumerate(self.free) if is_free]
        if free:
            spanned = self.in_span(self.indicator([self.members[row] for row in free]))
            for row in np.asarray(free)[spanned]:
                self.free[int(row)] = False
                self.determined.append(self.members[int(row)])
                self.programme.release(int(row))

    def _solve(self) -> tuple[FloatArray, float, FloatArray]:
        self.rounds += 1
        if self.rounds > MAX_ROUNDS:
            raise GenerationFailed(
                f"La génération de contraintes n'a pas convergé en {MAX_ROUNDS} programmes "
                "linéaires.",
                rounds=MAX_ROUNDS,
            )
        self._drop(self._stale)
        x, epsilon, duals, activity = self.programme.solve()
        self._stale = self._idle_rows(activity)
        return x, epsilon, duals

    def _idle_rows(self, activity: FloatArray) -> list[int]:
        """The free rows slack for DROP_AFTER rounds, when there are enough to delete."""
        stale = []
        for row, is_free in enumerate(self.free):
            if not is_free:
                continue
            slack = self.costs[row] - activity[row]  # the row is x(S) − ε ≤ c(S)
            self.idle[row] = self.idle[row] + 1 if slack > self.tolerance else 0
            if self.idle[row] >= DROP_AFTER:
                stale.append(row)
        return stale if len(stale) >= max(16, self.n // 2) else []

    def _drop(self, stale: list[int]) -> None:
        """Delete these rows (they may come back later); row numbers are compacted."""
        if not stale:
            return
        self._stale = []
        self.programme.drop(stale)
        gone = set(stale)
        for row in stale:
            self.seen.discard(self.members[row])
        keep = [row for row in range(len(self.free)) if row not in gone]
        self.members = [self.members[row] for row in keep]
        self.costs = [self.costs[row] for row in keep]
        self.free = [self.free[row] for row in keep]
        self.idle = [self.idle[row] for row in keep]

    def level(self) -> tuple[FloatArray, float, FloatArray]:
        """One programme of the sequence, solved by constraint generation (see class)."""
        if self.trust is not None:
            return self._trust_level(self.trust)
        tol = self.tolerance
        center: FloatArray | None = None
        best = np.inf
        while True:
            x, epsilon, duals = self._solve()
            fresh, top = self.separator(x, epsilon + tol, self)
            if not fresh:
                self.levels += 1
                self.epsilon = epsilon
                return x, epsilon, duals
            points = [(top, x)]
            if center is not None:
                middle = 0.5 * (center + x)
                extra, middle_top = self.separator(middle, epsilon + tol, self, certify=False)
                fresh += [c for c in extra if c not in fresh]
                points.append((max(middle_top, epsilon), middle))
            for value, point in points:
                if value < best:
                    best, center = value, point
            if center is None:
                center = x
            self.add(fresh)

    def _trust_level(self, center: FloatArray) -> tuple[FloatArray, float, FloatArray]:
        """The level solved within a box around a stability centre (trust region).

        The box keeps the programme's solution near the best point met so far, instead of
        jumping between far vertices while few coalitions are known. A solution with no
        violated coalition is optimal within the box; strictly inside it, it is optimal
        for the whole level (convexity), else the box moves there and grows.
        """
        tol = self.tolerance
        radius = self.radius
        fresh, best = self.separator(center, -np.inf, self, certify=False)
        self.add(fresh)
        while True:
            self.programme.box(center - radius, center + radius)
            x, epsilon, duals = self._solve()
            fresh, top = self.separator(x, epsilon + tol, self)
            inside = np.abs(x - center) < radius * (1 - 1e-9) - tol
            if fresh:
                self.add(fresh)
                if top < best:  # a serious step: the centre moves
                    best, center = top, x
                    if not inside.all():
                        radius *= 2.0
                continue
            free = x < self.programme.upper - tol
            if np.all(inside | ~free):
                self.programme.box(np.full(self.n, -INFINITY), np.full(self.n, INFINITY))
                self.levels += 1
                self.epsilon = epsilon
                self.trust = x
                return x, epsilon, duals
            center, best = x, epsilon
            radius = radius * 4.0

    def least_core(self) -> tuple[FloatArray, float]:
        x, epsilon, _ = self.level()
        return x, epsilon

    def sequence(self) -> FloatArray:
        """The (pre)nucleolus: levels until the fixed coalitions determine x."""
        x = np.zeros(self.n)
        while self.rank < self.n:
            if not any(self.free):
                fresh, _ = self.separator(x, -np.inf, self)
                if not fresh:
                    break  # every coalition's excess is determined
                self.add(fresh[:1])
                if not any(self.free):
                    continue
            x, epsilon, duals = self.level()
            free = self.free
            tight = [row for row in range(len(free)) if free[row] and duals[row] > _DUAL_TOL]
            if not tight:  # pragma: no cover - a bounded programme has a positive dual
                raise GenerationFailed("Aucune coalition saturée : nucléole introuvable.")
            self._fix(tight, epsilon)
        if self.rank >= self.n:
            solution, *_ = np.linalg.lstsq(
                np.array(self.fixed_rows), np.array(self.fixed_values), rcond=None
            )
            x = np.asarray(solution, dtype=np.float64)
        return x

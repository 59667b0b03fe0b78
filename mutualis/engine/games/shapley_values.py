"""Shapley value of a cost game: exact where the cost model allows it, else sampled.

φ_i = Σ_{S ⊆ N∖i} p(|S|) · [c(S ∪ i) − c(S)],  p(k) = k!(n−k−1)!/n! = 1 / (n · C(n−1, k)).

- explicit and oracle games up to `MAX_ENUMERATED` players: every coalition, vectorised
  (n · 2^(n−1) differences, O(2^n) memory);
- the pooled-service game (158 communes included): exact counting by dynamic
  programming over (coalition size, summed workload), see `pooled_shapley`, while the
  counting table fits (n ≤ 1000 and (n + 1)(W/g + 1) ≤ 2·10⁷ cells); sampled above;
- beyond that: Monte Carlo permutation sampling with a seed, a standard error per player,
  and `exact=False`.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.methods import enumerated_shapley_note
from mutualis.engine.games.model import (
    Allocation,
    CostGame,
    ExplicitGame,
    FloatArray,
    IntArray,
    PooledServiceGame,
    popcounts,
    to_explicit,
)
from mutualis.engine.money import D

MAX_ENUMERATED = 22
"""Above this many players, a game without structure is sampled rather than enumerated."""


def shapley_weights(n: int) -> FloatArray:
    """p(k) = k!(n−k−1)!/n! = 1 / (n · C(n−1, k)) for k = 0..n−1, as floats."""
    return np.array([1.0 / (n * math.comb(n - 1, k)) for k in range(n)], dtype=np.float64)


def enumerated_shapley(game: ExplicitGame) -> Allocation:
    """Exact Shapley value by enumeration: O(n · 2^n) time, O(2^n) memory."""
    n = game.n
    weights = shapley_weights(n)
    sizes = popcounts(n)
    amounts = np.empty(n, dtype=np.float64)
    for i in range(n):
        # Masks viewed as (high bits, bit i, low bits): bit i = 1 is S ∪ i, 0 is S.
        table = game.table.reshape(-1, 2, 1 << i)
        size = sizes.reshape(-1, 2, 1 << i)[:, 0, :]
        amounts[i] = float(np.sum(weights[size] * (table[:, 1, :] - table[:, 0, :])))
    return Allocation(
        "shapley",
        game.players,
        amounts,
        note=enumerated_shapley_note(n),
    )


def sampled_shapley(game: CostGame, samples: int = 2000, seed: int = 0) -> Allocation:
    """Shapley value estimated from `samples` random orders of arrival (seeded).

    Each order gives every player its marginal cost c(P ∪ i) − c(P) given its
    predecessors P; the estimate is the mean over orders, with standard error
    sd / √samples per player. Each order's marginals sum to c(N), so the estimate is
    efficient. O(samples · n) evaluations of c.
    """
    players = tuple(game.players)
    n = len(players)
    if samples < 2:
        raise EngineError("Il faut au moins deux tirages.", field="samples", samples=samples)
    rng = np.random.default_rng(seed)
    total = np.zeros(n)
    squares = np.zeros(n)
    batch = max(1, min(samples, 200_000 // max(1, n * n)))
    done = 0
    while done < samples:
        size = min(batch, samples - done)
        orders = np.argsort(rng.random((size, n)), axis=1)
        ranks = np.empty_like(orders)
        rows = np.arange(size)[:, None]
        ranks[rows, orders] = np.arange(n)[None, :]
        # membership[b, t, i]: is player i among the first t arrivals of order b.
        membership = ranks[:, None, :] < np.arange(n + 1)[None, :, None]
        costs = game.costs(membership.reshape(-1, n)).reshape(size, n + 1)
        marginal_by_rank = np.diff(costs, axis=1)
        marginal = np.empty_like(marginal_by_rank)
        marginal[rows, orders] = marginal_by_rank
        total += marginal.sum(axis=0)
        squares += (marginal**2).sum(axis=0)
        done += size
    mean = total / samples
    variance = np.maximum(squares / samples - mean**2, 0.0) * samples / (samples - 1)
    errors = np.sqrt(variance / samples)
    return Allocation(
        "shapley",
        players,
        mean,
        exact=False,
        standard_errors=errors,
        note=f"valeur de Shapley estimée sur {samples} ordres d'arrivée tirés au hasard "
        f"(graine {seed}), erreur-type indiquée par membre",
    )


def pooled_shapley(game: PooledServiceGame) -> Allocation:
    """Exact Shapley value of the pooled-service game, at any n, by counting coalitions.

    Write a_i = per_unit·w_i + v_i (additive) and H(W) = fixed + G(level(W)), where G is
    the staff cost of `level` staffing steps. Then c(S) = H(W(S)) + a(S) for |S| ≥ 2 and
    c({i}) = s_i, so

        φ_i = a_i + (s_i − a_i)/n + p(1) Σ_{j≠i} [H(w_i + w_j) − s_j + a_j]
              + Σ_{k=2}^{n−1} p(k) Σ_l ΔG_l · #{S ⊆ N∖i : |S| = k, T_l − w_i < W(S) ≤ T_l}

    where level l is reached when W > T_l = floor((l−1)·q) and ΔG_l = G(l) − G(l−1).
    The counts come from the cumulative table Fc(k, x) = #{S ⊆ N : |S| = k, W(S) ≤ x},
    built once by dynamic programming (players by increasing workload, workloads divided
    by their gcd). Removing player i is the deconvolution
    Fc_{−i}(k, x) = Σ_j (−1)^j Fc(k−j, x − j·w_i) for k ≤ n/2 and
    Fc_{−i}(k, x) = Σ_{j≥1} (−1)^{j−1} Fc(k+j, x + j·w_i) above, each direction chosen so
    that every term is at most of the order of the result (no catastrophic cancellation).
    The k-weighted sums Σ_k p(k) Fc(k∓j, ·) are two matrix products, so each player only
    needs O(n · L) look-ups, L the number of staffing levels crossed.

    Complexity: O(n² · W/g) time for the table and the products (W total workload, g gcd
    of the workloads), O(n · W/g) memory, plus O(n² · L). Floats throughout; exact up to
    floating-point rounding (relative error about n · 1e−16).
    """
    n = game.n
    s = game.standalone_costs
    service = game.service
    per_unit = float(D(service.per_unit))
    additive = per_unit * game.workloads + game.own_costs
    if n == 1:
        return Allocation("shapley", game.players, s.copy(), note="un seul membre")
    weights = shapley_weights(n)
    amounts = additive + (s - additive) / n
    pair_workloads = game.workloads[:, None] + game.workloads[None, :]
    pair_h = service.costs(pair_workloads) - per_unit * pair_workloads
    np.fill_diagonal(pair_h, 0.0)
    others = (s - additive).sum() - (s - additive)
    amounts += weights[1] * (pair_h.sum(axis=1) - others)
    if n >= 3:
        amounts += _step_part(game, weights)
    return Allocation(
        "shapley",
        game.players,
        amounts,
        note="valeur de Shapley exacte, par dénombrement des coalitions selon leur taille "
        "et leur charge de travail totale",
    )


def _step_part(game: PooledServiceGame, weights: FloatArray) -> FloatArray:
    """Σ_{k≥2} p(k) Σ_{|S|=k} [G(level(W(S)+w_i)) − G(level(W(S)))] for every i."""
    n = game.n
    service = game.service
    workloads = game.workloads
    total = int(workloads.sum())
    top = service.level(total)
    bottom = service.min_level
    if top <= bottom:
        return np.zeros(n)
    gcd = int(reduce(math.gcd, (int(w) for w in workloads), 0))
    scaled = workloads // gcd
    width = total // gcd
    q = service.step_workload
    levels = np.arange(bottom + 1, top + 1)
    jumps = np.array(
        [service.level_cost(int(lv)) - service.level_cost(int(lv) - 1) for lv in levels]
    )
    thresholds = np.array([math.floor((int(lv) - 1) * q) // gcd for lv in levels], dtype=np.int64)

    cumulative = _cumulative_counts(np.sort(scaled), width)

    half = (n - 1) // 2
    p = np.zeros(n + 1)
    p[:n] = weights
    lo = 2
    # Forward: Ψf[j] = Σ_{m} p(m+j)·[lo ≤ m+j ≤ half] Fc(m, ·), j, m = 0..half.
    j_f = np.arange(half + 1)[:, None]
    m_f = np.arange(half + 1)[None, :]
    k_f = j_f + m_f
    forward_matrix = np.where((k_f >= lo) & (k_f <= half), p[np.minimum(k_f, n)], 0.0)
    psi_forward = forward_matrix @ cumulative[: half + 1]
    # Backward: Ψb[j] = Σ_m p(m−j)·[max(lo, half+1) ≤ m−j ≤ n−1] Fc(m, ·), j = 1..n−half−1.
    start = max(lo, half + 1)
    j_b = np.arange(1, n - half)[:, None]
    m_b = np.arange(n + 1)[None, :]
    k_b = m_b - j_b
    backward_matrix = np.where((k_b >= start) & (k_b <= n - 1), p[np.clip(k_b, 0, n)], 0.0)
    # Columns m ≤ half of the backward matrix are zero (m − j ≥ half + 1 with j ≥ 1).
    psi_backward = backward_matrix[:, half + 1 :] @ cumulative[half + 1 :]
    del cumulative

    signs_f = np.where(np.arange(half + 1) % 2 == 0, 1.0, -1.0)
    shifts_b = np.arange(1, n - half)
    signs_b = np.where(shifts_b % 2 == 1, 1.0, -1.0)
    shifts_f = np.arange(half + 1)
    # Flat tables; the forward one gets a zero column in front for points below 0 (Fc = 0
    # there). Backward points x + j·w (j ≥ 1) are never negative; forward points never
    # exceed the total workload, so each side needs a single clip.
    stride_f = width + 2
    flat_f = np.concatenate([np.zeros((half + 1, 1)), psi_forward], axis=1).ravel()
    offsets_f = (shifts_f * stride_f)[:, None]
    stride_b = width + 1
    flat_b = psi_backward.ravel()
    offsets_b = ((shifts_b - 1) * stride_b)[:, None]
    del psi_forward, psi_backward

    result = np.zeros(n)
    for i in range(n):
        w = int(scaled[i])
        if w == 0:
            continue
        # Σ_k p(k) Fc_{−i}(k, x) at x = T_l and x = T_l − w_i, for every level l.
        # Rows: shift j, columns: points, so that each row reads one table row in order.
        points = np.concatenate([thresholds, thresholds - w])[None, :]
        index_f = np.maximum(points - shifts_f[:, None] * w + 1, 0) + offsets_f
        index_b = np.minimum(points + shifts_b[:, None] * w, width) + offsets_b
        phi = signs_f @ np.take(flat_f, index_f) + signs_b @ np.take(flat_b, index_b)
        count = thresholds.size
        result[i] = float(jumps @ (phi[:count] - phi[count:]))
    return result

    result = np.zeros(n)
    for i in range(n):
        w = int(scaled[i])
        if w == 0:
            continue
        result[i] = float(jumps @ (phi(thresholds, w) - phi(thresholds - w, w)))
    return result


def _cumulative_counts(workloads: IntArray, width: int) -> FloatArray:
    """Fc(k, x) = #{S : |S| = k, W(S) ≤ x} for k = 0..n, x = 0..width (sorted workloads).

    Only sizes k ≤ n/2 are counted by dynamic programming, each size within its band
    [sum of the k smallest, sum of the k largest] workloads seen so far; larger sizes
    follow by complement, #{|S| = k, W(S) = w} = #{|S| = n−k, W(S) = W(N) − w}.
    """
    n = workloads.size
    cap = n // 2
    counts = np.zeros((n + 1, width + 1), dtype=np.float64)
    counts[0, 0] = 1.0
    smallest = np.concatenate([[0], np.cumsum(workloads)])  # sum of the k smallest
    for m, w in enumerate(workloads.tolist()):
        # Among the first m players (sorted), the k largest are players m−k..m−1.
        for k in range(min(m, cap - 1), -1, -1):
            lo = int(smallest[k])
            hi = int(smallest[m] - smallest[m - k])
            counts[k + 1, lo + w : hi + w + 1] += counts[k, lo : hi + 1]
    for k in range(cap + 1, n + 1):
        counts[k] = counts[n - k, ::-1]
    np.cumsum(counts, axis=1, out=counts)
    return counts


MAX_COUNTED_PLAYERS = 1000
"""Above this, the coalition counts C(n, k) overflow floating point: sample instead."""
MAX_COUNT_CELLS = 20_000_000
"""(n + 1) × (W/g + 1) cells of the counting table, 160 MB each copy: the memory bound."""


def pooled_counting_fits(game: PooledServiceGame) -> bool:
    """Exact counting stays within MAX_COUNTED_PLAYERS and MAX_COUNT_CELLS."""
    n = game.n
    gcd = int(reduce(math.gcd, (int(w) for w in game.workloads), 0)) or 1
    width = int(game.workloads.sum()) // gcd
    return n <= MAX_COUNTED_PLAYERS and (n + 1) * (width + 1) <= MAX_COUNT_CELLS


def shapley(
    game: CostGame, *, samples: int = 2000, seed: int = 0, max_enumerated: int = MAX_ENUMERATED
) -> Allocation:
    """The Shapley value by the best available method (see the module docstring)."""
    if isinstance(game, PooledServiceGame):
        if pooled_counting_fits(game):
            return pooled_shapley(game)
        return sampled_shapley(game, samples=samples, seed=seed)
    if isinstance(game, ExplicitGame):
        return enumerated_shapley(game)
    if len(game.players) <= max_enumerated:
        return enumerated_shapley(to_explicit(game, max_enumerated))
    return sampled_shapley(game, samples=samples, seed=seed)

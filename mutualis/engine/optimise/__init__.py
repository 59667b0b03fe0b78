"""Best perimeter: which members should pool a service, and how to split them into groups.

Savings of a coalition S: Σ_{i∈S} c({i}) − c(S), what its members save together
compared with each running the service alone.

- `best_perimeter(game, ...)`: the coalition of at least two members that saves most,
  with required members, excluded members and a maximum size. Exact: the core test's
  mixed-integer programme (`best_pooled_coalition`, highspy) for the pooled-service game
  at any n, enumeration of the 2^n coalitions for other games (n ≤ 25).
- `best_partition(game, groups, ...)`: up to G separate pooled services (e.g. north and
  south), each member in at most one, maximising total savings (pooled-service game,
  one MILP through `scipy.optimize.milp`: binary z_ig, staffing steps L_g and managers
  M_g per group, y_g = group g opened; groups ordered by workload to break symmetry).
  Members left out of every group keep running the service alone (saving 0).
- `best_split(game, groups)`: every member in one of exactly 2 or 3 pooled services (two
  members or more each) at the least total cost, the "best split into two or three
  services". Exact by dynamic programming over workload sums (see its docstring), in
  milliseconds at 158 members.
"""

from mutualis.engine.optimise.perimeter import (
    Partition,
    Perimeter,
    best_partition,
    best_perimeter,
)
from mutualis.engine.optimise.splits import best_split

__all__ = ["Partition", "Perimeter", "best_partition", "best_perimeter", "best_split"]

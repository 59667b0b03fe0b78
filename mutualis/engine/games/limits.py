"""The documented input limits of the games (docs/games.md, « Limites »), without numpy.

Read by `model` to check the games it builds and by the `mutualis games` command before
it loads numpy.
"""

from __future__ import annotations

MAX_POOLED_PLAYERS = 2000
"""Members of a pooled-service game: every method then runs in bounded memory."""
MAX_AMOUNT = 10**10
"""Largest amount in euros (a stand-alone cost, an own cost, a cost parameter)."""
MAX_WORKLOAD = 10**7
"""Largest workload of one member, in integer units of activity."""

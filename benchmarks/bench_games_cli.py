"""Whole-command timings of `mutualis games solve`, beside coopgame-py on the same file.

    python benchmarks/bench_games_cli.py

What a user waits for: the command from start to exit, JSON reading included. Prints
the five figures of issue 11: a small game solved (target 0.25 s), explicit Shapley
at n = 20 and the nucleolus at n = 16 as ratios to coopgame-py reading the same JSON file
(targets ≤ 2× and ≤ 3×; the peer is in the optional group `bench`), the least core of the
pooled-service game at n = 158 (target 10 s) and its nucleolus (target 60 s).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


PEER = """
import json, sys
import numpy as np
import coopgame
data = json.load(open(sys.argv[1]))
players = data["players"]
bit = {p: 1 << i for i, p in enumerate(players)}
values = np.zeros(1 << len(players))
for key, value in data["costs"].items():
    values[sum(bit[p] for p in key.split("+"))] = value
game = coopgame.Game(values[1:])
print(coopgame.shapley(game) if sys.argv[2] == "shapley" else coopgame.cost_nucleolus(game))
"""


COMMAND_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The commands run as on a user's machine, with their bytecode cached (in a temporary
folder given by `main`): without it every run would compile the sources first."""


def mutualis_command() -> list[str]:
    script = shutil.which("mutualis", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "mutualis.cli"]


def wall(command: list[str], repeat: int = 3) -> float:
    return timings(command, repeat)[0]


def timings(command: list[str], repeat: int = 3) -> tuple[float, float]:
    """Best wall-clock time and best CPU time (user + system) of the command, in seconds.

    CPU time says what the command costs on a machine shared with other work, where the
    wall clock also counts the time spent waiting for a core.
    """
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=COMMAND_ENV,
        )
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best_cpu = min(best_cpu, cpu)
    return best, best_cpu


def explicit_file(folder: Path, n: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    players = [f"P{i}" for i in range(n)]
    sums = np.zeros(1)
    for value in rng.integers(1, 50, size=n):
        sums = np.concatenate([sums, sums + value])
    table = np.round(np.sqrt(sums) * 100 + np.where(sums > 0, 500, 0), 2)
    costs = {
        "+".join(p for i, p in enumerate(players) if mask >> i & 1): float(table[mask])
        for mask in range(1, 1 << n)
    }
    path = folder / f"jeu{n}.json"
    path.write_text(json.dumps({"players": players, "costs": costs}))
    return path


def line(label: str, seconds: float, target: str) -> None:
    print(f"{label:<60} {seconds:8.3f} s   {target}")


def peer_available() -> bool:
    try:
        import coopgame  # noqa: F401
    except ImportError:
        return False
    return True


def compare(folder: Path, n: int, method: str, target: float) -> None:
    """Our command and the peer's script on the same file: wall-clock and CPU ratios.

    Both are run twice, alternately, and the best of each is kept: on a shared machine
    the CPU ratio is the steadier figure, the wall-clock one what a user waits for.
    """
    path = explicit_file(folder, n, seed=n)
    ours_command = [
        *mutualis_command(),
        *("games", "solve", str(path), "--method", method, "--pricing", "none"),
    ]
    label = f"mutualis games solve --method {method}, n={n} (commande entière)"
    if not peer_available():
        ours = wall(ours_command, 1)
        line(label, ours, f"coopgame-py : peer unavailable (cible ≤ {target:.0f}× le pair)")
        return
    script = folder / "peer.py"
    script.write_text(PEER)
    peer_command = [sys.executable, str(script), str(path), method]
    ours, ours_cpu = float("inf"), float("inf")
    theirs, theirs_cpu = float("inf"), float("inf")
    for _ in range(2):
        seconds, cpu = timings(ours_command, 1)
        ours, ours_cpu = min(ours, seconds), min(ours_cpu, cpu)
        seconds, cpu = timings(peer_command, 1)
        theirs, theirs_cpu = min(theirs, seconds), min(theirs_cpu, cpu)
    line(
        label,
        ours,
        f"pair {theirs:.3f} s, ratio {ours / theirs:.2f} (CPU {ours_cpu:.2f} s contre "
        f"{theirs_cpu:.2f} s, ratio {ours_cpu / theirs_cpu:.2f}) (cible ≤ {target:.0f})",
    )


SMALL_GAME_METHODS = (
    ("shapley", "Python seul"),
    ("scrb", "Python seul"),
    ("nucleolus", "Python seul, exact"),
    ("all", "Python seul, exact"),
)
"""Every rule of an explicit game of at most 8 members runs without numpy and HiGHS (about
0.2 s to load): the closed-form ones in floats (engine `small`), the nucleolus by exact
linear programmes in rationals (engine `exact`)."""


GENERATION = """
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/benchmarks"]
from bench_games import epci_game
from mutualis.engine.games import generation
game = epci_game()
start = time.process_time()
if sys.argv[2] == "least-core":
    result = generation.pooled_least_core(game, time_limit=30).allocation
else:
    result = generation.pooled_nucleolus(game, time_limit=30)
print(time.process_time() - start, result.note)
"""
GENERATION_TIMEOUT = 120


def generation_at_158(method: str, title: str, target: float) -> None:
    """In its own process, stopped after GENERATION_TIMEOUT seconds; CPU time reported."""
    label = f"{title}, service mutualisé n=158 (génération)"
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-c", GENERATION, str(ROOT), method],
            check=True,
            capture_output=True,
            text=True,
            timeout=GENERATION_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        print(f"{label:<60} > {GENERATION_TIMEOUT} s   cible {target:.0f} s, arrêté")
        return
    seconds = time.perf_counter() - start
    cpu = float(result.stdout.strip().splitlines()[-1].split()[0])
    line(label, seconds, f"CPU {cpu:.1f} s, cible {target:.0f} s, ratio {seconds / target:.2f}")


def main() -> None:
    print("Commande `mutualis games solve`, temps de bout en bout (bytecode en cache)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        COMMAND_ENV["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        small = explicit_file(folder, 3, seed=3)
        for method, how in SMALL_GAME_METHODS:
            seconds, cpu = timings(
                [*mutualis_command(), "games", "solve", str(small), "--method", method]
            )
            line(
                f"Petit jeu (3 membres), {method} ({how})",
                seconds,
                f"CPU {cpu:.3f} s, cible 0.25 s, ratio {seconds / 0.25:.2f} (CPU {cpu / 0.25:.2f})",
            )
        compare(folder, 20, "shapley", 2.0)
        compare(folder, 16, "nucleolus", 3.0)
    generation_at_158("least-core", "Moindre cœur", 10.0)
    generation_at_158("nucleolus", "Nucléole", 60.0)


if __name__ == "__main__":
    main()

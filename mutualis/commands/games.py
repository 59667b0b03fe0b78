"""`mutualis games`: fair and stable cost sharing, and the best perimeter, as JSON.

    mutualis games solve JEU.json [--method shapley|nucleolus|prenucleolus|least-core|
                                   scrb|proportional|equal-savings|all] [--samples N]
                                   [--seed S]
    mutualis games optimise JEU.json [--groups G] [--required A,B] [--excluded C]
                                     [--max-size K]

Two input forms (see docs/games.md): an explicit game
`{"players": ["A", "B"], "costs": {"A": 120, "B": 90, "A+B": 170}}` (every non-empty
coalition, ids joined by "+" in any order) or the pooled-service model
`{"players": [{"id", "standalone", "workload", "own_cost"}], "pooled_cost": {...}}`.
Amounts are printed as strings of euros to the cent ("123.45"). Bad input: a French
message naming the field on stderr, exit code 2. Runs without Django.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from mutualis.engine.errors import EngineError
from mutualis.engine.games import small
from mutualis.engine.games.limits import MAX_AMOUNT, MAX_POOLED_PLAYERS, MAX_WORKLOAD
from mutualis.engine.games.methods import METHODS
from mutualis.engine.money import NNBSP, D, to_cents

if TYPE_CHECKING:  # numpy and the numpy engine load only when a game needs them
    import numpy as np

    from mutualis.engine.games.model import CostGame, ExplicitGame, PooledCost, PooledServiceGame
    from mutualis.engine.games.pricing import PricingCheck
    from mutualis.engine.games.report import SharingReport

EXIT_BAD_INPUT = 2


MAX_FILE_BYTES = 64 * 1024 * 1024
"""A game file above 64 MiB is refused before it is read (an explicit n = 20 game is ~30 MiB)."""
MAX_EXPLICIT_PLAYERS = 20
"""An explicit game lists 2^n − 1 coalitions: 1,048,575 at n = 20, the ceiling."""
BULK_READ_ABOVE = 10
"""Explicit games of more members have their coalition keys read in bulk (`_bulk_table`)."""


class InputError(Exception):
    """Malformed input: a French message naming the field."""


def _number(value: object, where: str, *, allow_negative: bool = False) -> float:
    """A finite number within ±MAX_AMOUNT (0..MAX_AMOUNT unless `allow_negative`)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InputError(
            f"« {where} » doit être un nombre (reçu : {json.dumps(value, default=str)[:80]})."
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or abs(number) > MAX_AMOUNT:
        limit = f"{MAX_AMOUNT:,}".replace(",", NNBSP)
        raise InputError(
            f"« {where} » doit être compris entre 0 et {limit} (reçu : {str(value)[:40]})."
        )
    if number < 0 and not allow_negative:
        raise InputError(f"« {where} » ne peut pas être négatif (reçu : {number:g}).")
    return number


def _explicit_players(data: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    players = data["players"]
    n = len(players)
    if n > MAX_EXPLICIT_PLAYERS:
        raise InputError(
            f"« players » : un jeu explicite est limité à {MAX_EXPLICIT_PLAYERS} membres "
            f"(reçu : {n})."
        )
    if not all(isinstance(p, str) and p for p in players):
        raise InputError("« players » doit être une liste d'identifiants (chaînes non vides).")
    if len(set(players)) != n:
        raise InputError("« players » contient un identifiant en double.")
    if any("+" in p for p in players):
        raise InputError("« players » : un identifiant ne peut pas contenir « + ».")
    costs = data.get("costs")
    if not isinstance(costs, dict):
        raise InputError("« costs » doit être un objet {coalition: coût}.")
    return tuple(players), costs


def _keyed_table(players: tuple[str, ...], costs: Mapping[str, object]) -> list[float]:
    """c(S) by bitmask, key by key, each error named (the reference reading)."""
    bit = {p: 1 << i for i, p in enumerate(players)}
    table: list[float | None] = [None] * (1 << len(players))
    table[0] = 0.0
    for key, value in costs.items():
        mask = 0
        for member in key.split("+"):
            flag = bit.get(member) or bit.get(member.strip())
            if flag is None:
                raise InputError(f'« costs["{key}"] » : membre inconnu « {member.strip()} ».')
            if mask & flag:
                raise InputError(f'« costs["{key}"] » : un membre y apparaît deux fois.')
            mask |= flag
        if table[mask] is not None:
            raise InputError(f'« costs["{key}"] » : cette coalition est donnée deux fois.')
        table[mask] = _number(value, f'costs["{key}"]')
    for mask, cost in enumerate(table):
        if cost is None:
            name = "+".join(p for p in players if bit[p] & mask)
            raise InputError(
                f'« costs["{name}"] » manque : le coût de chaque coalition est requis.'
            )
    return [float(cost or 0.0) for cost in table]


def _bulk_table(players: tuple[str, ...], costs: Mapping[str, object]) -> np.ndarray | None:
    """c(S) by bitmask for the 2^n − 1 keys at once, without a Python step per key.

    Keys written in player order ("A+B+C") are compared with the names of the coalitions
    in bitmask order, built by doubling (one list comparison when the file follows that
    order, else one dictionary look-up per key, in C); the others are split into member
    tokens, mapped to player indices in one pass and summed per key by numpy. None when
    anything is off (a member unknown, repeated or spaced, a coalition missing or twice, a
    cost not a plain number within range): `_keyed_table` then names the error.
    """
    import numpy as np

    n = len(players)
    keys = list(costs)
    raw = list(costs.values())
    if len(keys) != (1 << n) - 1 or not set(map(type, raw)) <= {int, float}:
        return None
    try:
        values = np.array(raw, dtype=np.float64)
    except (OverflowError, ValueError):
        return None
    if not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values > MAX_AMOUNT):
        return None
    names = [""]
    for player in players:
        names += [f"{name}+{player}" if name else player for name in names]
    if keys == names[1:]:  # every key in player order, the coalitions in bitmask order
        masks = np.arange(1, 1 << n, dtype=np.int64)
    else:
        lookup = dict(zip(names, range(1 << n), strict=True))
        masks = np.fromiter(map(lookup.get, keys, repeat(0)), dtype=np.int64, count=len(keys))
    others = np.flatnonzero(masks == 0)
    if others.size:
        other_masks = _token_masks(players, [keys[i] for i in others])
        if other_masks is None:
            return None
        masks[others] = other_masks
    seen = np.zeros(1 << n, dtype=np.bool_)
    seen[masks] = True
    if not seen[1:].all():
        return None
    table = np.zeros(1 << n, dtype=np.float64)
    table[masks] = values
    return table


def _token_masks(players: tuple[str, ...], keys: list[str]) -> np.ndarray | None:
    """The bitmask of each key from its member tokens, None on an unknown or repeated one."""
    import numpy as np

    index = {p: i for i, p in enumerate(players)}
    tokens = "+".join(keys).split("+")
    members = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    if np.any(members < 0):
        return None
    sizes = np.fromiter(map(str.count, keys, repeat("+")), dtype=np.int64, count=len(keys)) + 1
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    bits = np.left_shift(np.int64(1), members)
    masks = np.add.reduceat(bits, starts)
    if not np.array_equal(np.bitwise_or.reduceat(bits, starts), masks):
        return None
    return masks


def _explicit(data: Mapping[str, Any]) -> ExplicitGame:
    import numpy as np

    from mutualis.engine.games.model import ExplicitGame

    players, costs = _explicit_players(data)
    table = _bulk_table(players, costs) if len(players) > BULK_READ_ABOVE else None
    if table is None:
        table = np.array(_keyed_table(players, costs), dtype=np.float64)
    return ExplicitGame(players, table)


def _small(data: Mapping[str, Any]) -> small.SmallGame:
    players, costs = _explicit_players(data)
    return small.SmallGame(players, tuple(_keyed_table(players, costs)))


_SERVICE_FIELDS = ("fixed", "per_unit", "cost_per_etp", "productivity", "min_etp", "step")


def _service(service_data: object) -> PooledCost:
    from mutualis.engine.games.model import PooledCost

    if not isinstance(service_data, dict):
        raise InputError("« pooled_cost » doit être un objet.")
    for name in service_data:
        if name not in (*_SERVICE_FIELDS, "manager_span"):
            raise InputError(f"« pooled_cost.{name} » : paramètre inconnu.")
    for name in ("cost_per_etp", "productivity"):
        if name not in service_data:
            raise InputError(f"« pooled_cost.{name} » manque.")
    params: dict[str, Any] = {}
    for name in _SERVICE_FIELDS:
        if name in service_data:
            _number(service_data[name], f"pooled_cost.{name}")
            params[name] = D(service_data[name])
    span = service_data.get("manager_span")
    if span is not None:
        _number(span, "pooled_cost.manager_span")
    params["manager_span"] = None if span is None else D(span)
    for name in ("productivity", "step", "manager_span"):
        if params.get(name) is not None and params[name] == 0:
            raise InputError(f"« pooled_cost.{name} » doit être strictement positif.")
    try:
        return PooledCost(**params)
    except EngineError as exc:
        raise InputError(f"« pooled_cost » : {exc.message}") from exc


def _pooled(data: Mapping[str, Any]) -> PooledServiceGame:
    from mutualis.engine.games.model import PooledMember, PooledServiceGame

    players = data["players"]
    if len(players) > MAX_POOLED_PLAYERS:
        raise InputError(
            f"« players » : un jeu de service mutualisé est limité à {MAX_POOLED_PLAYERS} "
            f"membres (reçu : {len(players)})."
        )
    service = _service(data["pooled_cost"])
    members = []
    for index, item in enumerate(players):
        where = f"players[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"« {where} » doit être un objet {{id, standalone, workload}}.")
        for name in ("id", "standalone", "workload"):
            if name not in item:
                raise InputError(f"« {where}.{name} » manque.")
        if not isinstance(item["id"], str) or not item["id"] or "+" in item["id"]:
            raise InputError(f"« {where}.id » doit être un identifiant non vide, sans « + ».")
        workload = _number(item["workload"], f"{where}.workload")
        if workload != int(workload) or workload > MAX_WORKLOAD:
            raise InputError(
                f"« {where}.workload » doit être un nombre entier de 0 à {MAX_WORKLOAD:,} "
                f"(reçu : {item['workload']}).".replace(",", "\u202f")
            )
        members.append(
            PooledMember(
                item["id"],
                _number(item["standalone"], f"{where}.standalone"),
                int(workload),
                _number(item.get("own_cost", 0), f"{where}.own_cost"),
            )
        )
    ids = [m.id for m in members]
    if len(set(ids)) != len(ids):
        raise InputError("« players » contient un identifiant en double.")
    return PooledServiceGame.build(members, service)


def read_game(path: str) -> CostGame:
    """Parse a game file (either form); raises InputError with a French message."""
    return _game(_document(path))


def _document(path: str) -> dict[str, Any]:
    """The game file as a JSON object with a non-empty "players" list, else InputError."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"Le fichier « {path} » est trop gros ({size // (1024 * 1024)} Mio ; au plus "
                f"{MAX_FILE_BYTES // (1024 * 1024)} Mio)."
            )
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Impossible de lire le fichier « {path} » ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"Le fichier « {path} » n'est pas du texte UTF-8.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"JSON invalide : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})."
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError("JSON invalide : nombre trop long ou imbrication trop profonde.") from exc
    if not isinstance(data, dict):
        raise InputError("Le fichier doit contenir un objet JSON.")
    if "players" not in data:
        raise InputError("« players » manque.")
    if not isinstance(data["players"], list) or not data["players"]:
        raise InputError("« players » doit être une liste non vide.")
    return data


def _game(data: Mapping[str, Any]) -> CostGame:
    if "pooled_cost" in data:
        return _pooled(data)
    if "costs" in data:
        return _explicit(data)
    raise InputError("« costs » ou « pooled_cost » manque : l'un des deux est requis.")


def _takes_small_path(data: Mapping[str, Any], args: argparse.Namespace) -> bool:
    """An explicit game of a few members, any rule: no numpy (see `small`)."""
    return (
        args.command == "solve"
        and "pooled_cost" not in data
        and "costs" in data
        and len(data["players"]) <= small.SMALL_PLAYERS
    )


def _money(value: float | Decimal) -> str:
    return str(to_cents(value if isinstance(value, Decimal) else float(value)))


def solve_method(
    game: CostGame,
    method: str,
    samples: int,
    seed: int,
    pricing: PricingCheck | None = None,
    time_limit: float = 60.0,
) -> dict[str, Any]:
    """One method's result as a JSON-ready dict (with the pricing check when given)."""
    from mutualis.engine.games.allocations import allocate_costs
    from mutualis.engine.games.report import assess

    allocation = allocate_costs(game, method, samples=samples, seed=seed)
    report = assess(game, allocation, time_limit=time_limit)
    errors = None
    if allocation.standard_errors is not None:
        errors = {
            p: _money(float(e))
            for p, e in zip(game.players, allocation.standard_errors, strict=True)
        }
    return report_json(method, report, errors, pricing)


def report_json(
    method: str,
    report: SharingReport,
    errors: dict[str, str] | None,
    pricing: PricingCheck | None,
) -> dict[str, Any]:
    """The documented JSON of one method's result (docs/games.md, « Formats JSON »)."""
    core = report.core
    return {
        "method": method,
        "allocation": {p: str(a) for p, a in report.amounts.items()},
        "standalone": {line.player: str(line.standalone) for line in report.lines},
        "savings": {line.player: str(line.saving) for line in report.lines},
        "individually_rational": report.individually_rational,
        "core": {
            "in_core": core.in_core,
            "violating_coalition": None
            if core.violating_coalition is None
            else list(core.violating_coalition),
            "violation": _money(core.violation),
            "method": core.method,
            "conclusive": core.conclusive,
        },
        "exact": report.exact,
        "standard_errors": errors,
        "total": str(report.total),
        "explanation": report.explanation.as_dict(),
        "pricing": None if pricing is None else _pricing_json(pricing),
    }


def _pricing_json(pricing: PricingCheck) -> dict[str, Any]:
    return {**pricing.as_dict(), "explanation": pricing.explain().as_dict()}


PRICING_SCOPES = ("auto", "all", "pairs", "none")
AUTO_FULL_CHECK = 12
"""`--pricing auto` checks every coalition up to 12 members (instant), pairs above."""


FULL_LIMITS = {"auto": AUTO_FULL_CHECK, "all": 16, "pairs": 0}


def pricing_for(game: CostGame, scope: str) -> PricingCheck | None:
    from mutualis.engine.games.pricing import pricing_check

    if scope == "none":
        return None
    return pricing_check(game, full_limit=FULL_LIMITS[scope])


def _ids(text: str | None) -> list[str]:
    return [] if not text else [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="mutualis games", description="Répartition équitable et stable du coût commun."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=FrenchParser)
    solve = commands.add_parser("solve", help="répartir le coût commun")
    solve.add_argument("file", help="fichier JSON du jeu")
    solve.add_argument("--method", choices=[*METHODS, "all"], default="all")
    solve.add_argument("--samples", type=int, default=2000, help="tirages si estimation")
    solve.add_argument("--seed", type=int, default=0, help="graine des tirages")
    solve.add_argument(
        "--pricing",
        choices=PRICING_SCOPES,
        default="auto",
        help="coalitions plus chères que leur découpage : auto (toutes jusqu'à 12 membres, "
        "paires au-delà), all (toutes jusqu'à 16), pairs, none",
    )
    solve.add_argument(
        "--subadditive-cover",
        action="store_true",
        help="jeu explicite de 16 membres au plus : chaque coalition au coût de son "
        "découpage le moins cher",
    )
    solve.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="secondes accordées au test du cœur par MILP (non concluant au-delà)",
    )
    optimise = commands.add_parser("optimise", help="meilleur périmètre ou découpage")
    optimise.add_argument("file", help="fichier JSON du jeu")
    optimise.add_argument("--groups", type=int, default=1, help="nombre maximal de groupes")
    optimise.add_argument("--required", help="membres obligatoires, séparés par des virgules")
    optimise.add_argument("--excluded", help="membres exclus, séparés par des virgules")
    optimise.add_argument("--max-size", type=int, default=None, help="taille maximale d'un groupe")
    return parser


class FrenchParser(argparse.ArgumentParser):
    """argparse, with its usage errors in French and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"Erreur : arguments invalides ({message}).", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


MAX_SAMPLES = 1_000_000


def _check_args(args: argparse.Namespace) -> None:
    if args.command == "solve":
        if not 2 <= args.samples <= MAX_SAMPLES:
            raise InputError(f"« --samples » doit être compris entre 2 et {MAX_SAMPLES}.")
        if not 0 < args.time_limit <= 3600:
            raise InputError("« --time-limit » doit être compris entre 0 et 3600 secondes.")
    elif args.groups < 1 or args.groups > 20:
        raise InputError("« --groups » doit être compris entre 1 et 20.")


def _solve_small(game: small.SmallGame, args: argparse.Namespace) -> dict[str, Any]:
    """`_solve` for an explicit game of a few members, without numpy."""
    if args.subadditive_cover:
        game = small.subadditive_cover(game)
    pricing = None
    if args.pricing != "none":
        pricing = small.pricing_check(game, full_limit=FULL_LIMITS[args.pricing])
    if args.method != "all":
        return report_json(args.method, small.solve(game, args.method), None, pricing)
    return _every_method(
        lambda method: report_json(method, small.solve(game, method), None, pricing)
    )


def _every_method(solve_one: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """`--method all`: the result of each rule, or its French error."""
    output: dict[str, Any] = {}
    for method in METHODS:
        try:
            output[method] = solve_one(method)
        except EngineError as exc:
            output[method] = {"method": method, "error": exc.message}
    return output


def _solve(game: CostGame, args: argparse.Namespace) -> dict[str, Any]:
    from mutualis.engine.games.model import ExplicitGame
    from mutualis.engine.games.pricing import subadditive_cover

    if args.subadditive_cover:
        if not isinstance(game, ExplicitGame):
            raise InputError("« --subadditive-cover » ne vaut que pour un jeu explicite.")
        game = subadditive_cover(game)
    pricing = pricing_for(game, args.pricing)
    if args.method != "all":
        return solve_method(game, args.method, args.samples, args.seed, pricing, args.time_limit)
    return _every_method(
        lambda method: solve_method(game, method, args.samples, args.seed, pricing, args.time_limit)
    )


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        _check_args(args)
        data = _document(args.file)
        if _takes_small_path(data, args):
            output = _solve_small(_small(data), args)
        elif args.command == "solve":
            output = _solve(_game(data), args)
        else:
            game = _game(data)
            from mutualis.engine.optimise import best_partition  # only `optimise` needs it

            partition = best_partition(
                game,
                args.groups,
                required=_ids(args.required),
                excluded=_ids(args.excluded),
                max_size=args.max_size,
            )
            output = partition.as_dict()
    except InputError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except EngineError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (MemoryError, OverflowError):
        print(
            "Erreur : le calcul dépasse les limites de la machine ; réduisez le nombre de "
            "membres ou les charges de travail (voir docs/games.md, « Limites »).",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0

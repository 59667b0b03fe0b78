"""`mutualis games`: fair and stable cost sharing, and the best perimeter, as JSON.

    mutualis games solve JEU.json [--method shapley|nucleolus|least-core|scrb|
                                   proportional|equal-savings|all] [--samples N] [--seed S]
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
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutualis.engine.errors import EngineError
from mutualis.engine.games import (
    METHODS,
    CostGame,
    ExplicitGame,
    PooledCost,
    PooledMember,
    PooledServiceGame,
    allocate_costs,
    assess,
)
from mutualis.engine.money import D, to_cents
from mutualis.engine.optimise import Partition, best_partition

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """Malformed input: a French message naming the field."""


def _number(value: object, where: str, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise InputError(
            f"« {where} » doit être un nombre (reçu : {json.dumps(value, default=str)})."
        )
    try:
        number = D(value)
    except EngineError as exc:
        raise InputError(f"« {where} » : {exc.message}") from exc
    if number < 0 and not allow_negative:
        raise InputError(f"« {where} » ne peut pas être négatif (reçu : {number}).")
    return number


def _explicit(data: Mapping[str, Any]) -> ExplicitGame:
    players = data["players"]
    if not all(isinstance(p, str) and p for p in players):
        raise InputError("« players » doit être une liste d'identifiants (chaînes non vides).")
    if len(set(players)) != len(players):
        raise InputError("« players » contient un identifiant en double.")
    if any("+" in p for p in players):
        raise InputError("« players » : un identifiant ne peut pas contenir « + ».")
    costs = data.get("costs")
    if not isinstance(costs, dict):
        raise InputError("« costs » doit être un objet {coalition: coût}.")
    known = set(players)
    table: dict[frozenset[str], Decimal] = {}
    for key, value in costs.items():
        members = [part.strip() for part in str(key).split("+")]
        for member in members:
            if member not in known:
                raise InputError(f'« costs["{key}"] » : membre inconnu « {member} ».')
        coalition = frozenset(members)
        if len(coalition) != len(members):
            raise InputError(f'« costs["{key}"] » : un membre y apparaît deux fois.')
        if coalition in table:
            raise InputError(f'« costs["{key}"] » : cette coalition est donnée deux fois.')
        table[coalition] = _number(value, f'costs["{key}"]')
    n = len(players)
    if n > 20:
        raise InputError(f"« players » : un jeu explicite est limité à 20 membres (reçu : {n}).")
    for mask in range(1, 1 << n):
        coalition = frozenset(players[i] for i in range(n) if mask >> i & 1)
        if coalition not in table:
            name = "+".join(p for p in players if p in coalition)
            raise InputError(
                f'« costs["{name}"] » manque : le coût de chaque coalition est requis.'
            )
    return ExplicitGame.from_mapping(players, table)


_SERVICE_FIELDS = ("fixed", "per_unit", "cost_per_etp", "productivity", "min_etp", "step")


def _pooled(data: Mapping[str, Any]) -> PooledServiceGame:
    service_data = data["pooled_cost"]
    if not isinstance(service_data, dict):
        raise InputError("« pooled_cost » doit être un objet.")
    for name in service_data:
        if name not in (*_SERVICE_FIELDS, "manager_span"):
            raise InputError(f"« pooled_cost.{name} » : paramètre inconnu.")
    for name in ("cost_per_etp", "productivity"):
        if name not in service_data:
            raise InputError(f"« pooled_cost.{name} » manque.")
    params: dict[str, Decimal | None] = {}
    for name in _SERVICE_FIELDS:
        if name in service_data:
            params[name] = _number(service_data[name], f"pooled_cost.{name}")
    span = service_data.get("manager_span")
    params["manager_span"] = None if span is None else _number(span, "pooled_cost.manager_span")
    for name in ("productivity", "step", "manager_span"):
        if params.get(name) is not None and params[name] == 0:
            raise InputError(f"« pooled_cost.{name} » doit être strictement positif.")
    service = PooledCost(**params)  # type: ignore[arg-type]
    members = []
    for index, item in enumerate(data["players"]):
        where = f"players[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"« {where} » doit être un objet {{id, standalone, workload}}.")
        for name in ("id", "standalone", "workload"):
            if name not in item:
                raise InputError(f"« {where}.{name} » manque.")
        if not isinstance(item["id"], str) or not item["id"] or "+" in item["id"]:
            raise InputError(f"« {where}.id » doit être un identifiant non vide, sans « + ».")
        workload = _number(item["workload"], f"{where}.workload")
        if workload != workload.to_integral_value():
            raise InputError(
                f"« {where}.workload » doit être un nombre entier (reçu : {workload})."
            )
        members.append(
            PooledMember(
                item["id"],
                float(_number(item["standalone"], f"{where}.standalone")),
                int(workload),
                float(_number(item.get("own_cost", 0), f"{where}.own_cost")),
            )
        )
    ids = [m.id for m in members]
    if len(set(ids)) != len(ids):
        raise InputError("« players » contient un identifiant en double.")
    if not members:
        raise InputError("« players » est vide.")
    return PooledServiceGame.build(members, service)


def read_game(path: str) -> CostGame:
    """Parse a game file (either form); raises InputError with a French message."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Impossible de lire le fichier « {path} » ({exc.strerror}).") from exc
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"JSON invalide : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})."
        ) from exc
    if not isinstance(data, dict):
        raise InputError("Le fichier doit contenir un objet JSON.")
    if "players" not in data:
        raise InputError("« players » manque.")
    if not isinstance(data["players"], list) or not data["players"]:
        raise InputError("« players » doit être une liste non vide.")
    if "pooled_cost" in data:
        return _pooled(data)
    if "costs" in data:
        return _explicit(data)
    raise InputError("« costs » ou « pooled_cost » manque : l'un des deux est requis.")


def _money(value: float | Decimal) -> str:
    return str(to_cents(value if isinstance(value, Decimal) else float(value)))


def solve_method(game: CostGame, method: str, samples: int, seed: int) -> dict[str, Any]:
    """One method's result as a JSON-ready dict."""
    allocation = allocate_costs(game, method, samples=samples, seed=seed)
    report = assess(game, allocation)
    core = report.core
    errors = None
    if allocation.standard_errors is not None:
        errors = {
            p: _money(float(e))
            for p, e in zip(game.players, allocation.standard_errors, strict=True)
        }
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
        },
        "exact": report.exact,
        "standard_errors": errors,
        "total": str(report.total),
        "explanation": report.explanation.as_dict(),
    }


def _partition_json(partition: Partition) -> dict[str, Any]:
    return {
        "groups": [
            {
                "members": list(g.members),
                "cost": _money(g.cost),
                "standalone": _money(g.standalone_total),
                "savings": _money(g.savings),
            }
            for g in partition.groups
        ],
        "savings": _money(partition.savings),
        "left_alone": list(partition.left_alone),
        "method": partition.method,
        "explanation": partition.explanation.as_dict(),
    }


def _ids(text: str | None) -> list[str]:
    return [] if not text else [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutualis games", description="Répartition équitable et stable du coût commun."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve", help="répartir le coût commun")
    solve.add_argument("file", help="fichier JSON du jeu")
    solve.add_argument("--method", choices=[*METHODS, "all"], default="all")
    solve.add_argument("--samples", type=int, default=2000, help="tirages si estimation")
    solve.add_argument("--seed", type=int, default=0, help="graine des tirages")
    optimise = commands.add_parser("optimise", help="meilleur périmètre ou découpage")
    optimise.add_argument("file", help="fichier JSON du jeu")
    optimise.add_argument("--groups", type=int, default=1, help="nombre maximal de groupes")
    optimise.add_argument("--required", help="membres obligatoires, séparés par des virgules")
    optimise.add_argument("--excluded", help="membres exclus, séparés par des virgules")
    optimise.add_argument("--max-size", type=int, default=None, help="taille maximale d'un groupe")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        game = read_game(args.file)
        if args.command == "solve":
            if args.method == "all":
                output: dict[str, Any] = {}
                for method in METHODS:
                    try:
                        output[method] = solve_method(game, method, args.samples, args.seed)
                    except EngineError as exc:
                        output[method] = {"method": method, "error": exc.message}
            else:
                output = solve_method(game, args.method, args.samples, args.seed)
        else:
            partition = best_partition(
                game,
                args.groups,
                required=_ids(args.required),
                excluded=_ids(args.excluded),
                max_size=args.max_size,
            )
            output = _partition_json(partition)
    except InputError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except EngineError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0

"""`mutualis games`: JSON in, JSON out, French errors naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualis.commands.games import InputError, main, read_game
from mutualis.engine.errors import EngineError
from mutualis.engine.games import METHODS

EXPLICIT = {
    "players": ["A", "B", "C"],
    "costs": {"A": 120, "B": 90, "C": 100, "A+B": 170, "C+A": 180, "B+C": 150, "C+B+A": 220},
}

POOLED = {
    "players": [
        {"id": "64102", "standalone": 91000, "workload": 410, "own_cost": 1200},
        {"id": "64122", "standalone": 58000, "workload": 190},
        {"id": "64160", "standalone": 22500, "workload": 60, "own_cost": 300},
        {"id": "64189", "standalone": 19800, "workload": 35},
        {"id": "64024", "standalone": 65000, "workload": 260, "own_cost": 800},
    ],
    "pooled_cost": {
        "fixed": 15000,
        "per_unit": 4.5,
        "cost_per_etp": 52000,
        "productivity": 600,
        "min_etp": 1,
        "step": 0.5,
        "manager_span": 4,
    },
}


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    def call(data: object, *args: str, raw: str | None = None) -> tuple[int, str, str]:
        path = tmp_path / "jeu.json"
        path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
        command = args[0] if args else "solve"
        code = main([command, str(path), *args[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.mark.parametrize("data", [EXPLICIT, POOLED], ids=["explicit", "pooled"])
def test_solve_all_methods_reconciles_to_the_cent(cli, data) -> None:
    code, out, err = cli(data, "solve", "--method", "all")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == set(METHODS)
    for method, item in result.items():
        amounts = [Decimal(a) for a in item["allocation"].values()]
        assert sum(amounts) == Decimal(item["total"]), method
        assert isinstance(item["individually_rational"], bool)
        assert set(item["core"]) >= {"in_core", "violating_coalition", "violation"}
        assert item["exact"] is True


@pytest.mark.parametrize("method", METHODS)
def test_solve_each_method_on_the_explicit_form(cli, method: str) -> None:
    code, out, _ = cli(EXPLICIT, "solve", "--method", method)
    assert code == 0
    result = json.loads(out)
    assert result["method"] == method
    assert result["total"] == "220.00"


def test_nucleolus_of_the_explicit_example(cli) -> None:
    """Everyone saves 30 here: the nucleolus equalises savings when the core allows it."""
    _, out, _ = cli(EXPLICIT, "solve", "--method", "nucleolus")
    assert json.loads(out)["allocation"] == {"A": "90.00", "B": "60.00", "C": "70.00"}


def test_nucleolus_of_a_large_pooled_game_is_generated(cli) -> None:
    """Beyond the explicit limit of 16, a pooled game's nucleolus comes by generation."""
    big = dict(POOLED)
    big["players"] = [
        {"id": f"C{i}", "standalone": 20000 + i, "workload": 40 + i} for i in range(20)
    ]
    code, out, err = cli(big, "solve", "--method", "nucleolus", "--pricing", "none")
    assert code == 0, err
    assert json.loads(out)["individually_rational"] is True


def test_optimise_prints_the_best_perimeter_and_partition(cli) -> None:
    code, out, _ = cli(POOLED, "optimise")
    assert code == 0
    result = json.loads(out)
    assert len(result["groups"]) == 1
    assert Decimal(result["savings"]) > 0
    code, out, _ = cli(POOLED, "optimise", "--groups", "2", "--excluded", "64189")
    assert code == 0
    result = json.loads(out)
    assert all("64189" not in g["members"] for g in result["groups"])


@pytest.mark.parametrize(
    ("data", "raw", "field"),
    [
        (None, '{"players": ["A", "B"], "costs": {"A": 1, ', "JSON invalide"),
        ({"players": ["A", "B"], "costs": {"A": 1, "B": 2}}, None, 'costs["A+B"]'),
        ({"players": ["A", "B"], "costs": {"A": 1, "B": 2, "A+X": 3}}, None, "X"),
        ({"players": ["A", "B"], "costs": {"A": -1, "B": 2, "A+B": 3}}, None, 'costs["A"]'),
        ({"players": ["A", "B"], "costs": {"A": "abc", "B": 2, "A+B": 3}}, None, 'costs["A"]'),
        ({"costs": {}}, None, "players"),
        ({"players": ["A"]}, None, "costs"),
        (
            {**POOLED, "players": [{"id": "A", "standalone": 10}]},
            None,
            "players[0].workload",
        ),
        (
            {**POOLED, "players": [{"id": "A", "standalone": 10, "workload": 2.5}]},
            None,
            "players[0].workload",
        ),
        (
            {**POOLED, "pooled_cost": {**POOLED["pooled_cost"], "productivity": 0}},
            None,
            "pooled_cost.productivity",
        ),
        (
            {**POOLED, "pooled_cost": {**POOLED["pooled_cost"], "fixed": -3}},
            None,
            "pooled_cost.fixed",
        ),
    ],
    ids=[
        "bad-json",
        "missing-coalition",
        "unknown-player",
        "negative",
        "not-a-number",
        "no-players",
        "no-costs",
        "no-workload",
        "fractional-workload",
        "zero-productivity",
        "negative-fixed",
    ],
)
def test_malformed_input_exits_2_with_a_french_message_naming_the_field(
    cli, data, raw, field: str
) -> None:
    code, out, err = cli(data, "solve", raw=raw)
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur")
    assert field in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "/nonexistent/jeu.json"]) == 2
    assert "Impossible de lire" in capsys.readouterr().err


def test_unknown_required_member_exits_2(cli) -> None:
    code, _, err = cli(POOLED, "optimise", "--required", "99999")
    assert code == 2
    assert "99999" in err


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {**POOLED, "players": [{"id": "A", "standalone": 10, "workload": 1e15}]},
            "players[0].workload",
        ),
        (
            {**POOLED, "players": [{"id": "A", "standalone": 1e26, "workload": 1}]},
            "players[0].standalone",
        ),
        (
            {**POOLED, "pooled_cost": {**POOLED["pooled_cost"], "fixed": 1e308}},
            "pooled_cost.fixed",
        ),
        (
            {
                **POOLED,
                "players": [{"id": f"C{i}", "standalone": 1, "workload": 1} for i in range(2001)],
            },
            "2000 membres",
        ),
        (
            {
                **POOLED,
                "pooled_cost": {**POOLED["pooled_cost"], "productivity": 0.0001, "step": 0.001},
                "players": [{"id": "A", "standalone": 1, "workload": 10_000_000}],
            },
            "productivity",
        ),
        ({"players": [f"P{i}" for i in range(21)], "costs": {}}, "20 membres"),
        ({"players": ["A", "B"], "costs": {"A": 1, "B": 2, "A+B": 1e16}}, 'costs["A+B"]'),
    ],
    ids=[
        "workload-1e15",
        "standalone-1e26",
        "fixed-1e308",
        "too-many-players",
        "too-many-levels",
        "explicit-21",
        "explicit-huge-cost",
    ],
)
def test_limits_exit_2_with_a_french_message(cli, data, field: str) -> None:
    code, out, err = cli(data, "solve", "--method", "shapley")
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur")
    assert field in err


def test_raw_overflow_and_bad_arguments_exit_2(cli) -> None:
    code, _, err = cli(None, "solve", raw='{"players": ["A"], "costs": {"A": 1e400}}')
    assert code == 2 and 'costs["A"]' in err
    code, _, err = cli(None, "solve", raw="[" * 100_000)
    assert code == 2 and "JSON invalide" in err
    code, _, err = cli(EXPLICIT, "solve", "--samples", "1")
    assert code == 2 and "--samples" in err
    with pytest.raises(SystemExit) as caught:
        main(["solve", "x.json", "--method", "banzhaf"])
    assert caught.value.code == 2


def test_a_thousand_pooled_members_are_solved_in_bounded_memory(cli) -> None:
    """Shapley falls back to the counting limit (n · W/g cells), then to sampling."""
    big = dict(POOLED)
    big["players"] = [
        {"id": f"C{i}", "standalone": 20000 + i, "workload": 7 * i + 13} for i in range(1200)
    ]
    code, out, err = cli(
        big,
        "solve",
        "--method",
        "shapley",
        "--samples",
        "20",
        "--pricing",
        "none",
        "--time-limit",
        "1",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["exact"] is False
    assert sum(Decimal(a) for a in result["allocation"].values()) == Decimal(result["total"])


def test_prenucleolus_and_pricing_are_reported(cli) -> None:
    data = {
        "players": ["1", "2", "3"],
        "costs": {"1": 10, "2": 10, "3": 10, "1+2": 20, "1+3": 20, "2+3": 5, "1+2+3": 24},
    }
    _, out, _ = cli(data, "solve", "--method", "prenucleolus")
    result = json.loads(out)
    assert result["allocation"] == {"1": "14.50", "2": "4.75", "3": "4.75"}
    assert result["individually_rational"] is False
    _, out, _ = cli(data, "solve", "--method", "nucleolus")
    result = json.loads(out)
    assert result["allocation"] == {"1": "10.00", "2": "7.00", "3": "7.00"}
    assert result["pricing"]["pooling_saves"] is True
    # c(N) = 24 but {1} alone + {2, 3} together cost 15: N is priced dearer than a split.
    assert result["pricing"]["overpriced_count"] == 1
    assert result["pricing"]["worst"][0]["split_cost"] == "15.00"
    dear = {**data, "costs": {**data["costs"], "1+2+3": 35}}
    code, _, err = cli(dear, "solve", "--method", "nucleolus")
    assert code == 2 and "ensemble des imputations est vide" in err
    _, out, _ = cli(dear, "solve", "--method", "shapley", "--subadditive-cover")
    assert json.loads(out)["total"] == "15.00"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
PLAYER = st.fixed_dictionaries(
    {"id": st.text(max_size=4), "standalone": JSON_VALUES, "workload": JSON_VALUES},
    optional={"own_cost": JSON_VALUES},
)
DOCUMENTS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {"players": st.lists(st.sampled_from(["A", "B", "C", "A+B", ""]), max_size=3)},
        optional={
            "costs": st.dictionaries(
                st.sampled_from(["A", "B", "A+B", "C", "B+A", "A+A"]), JSON_VALUES
            )
        },
    ),
    st.fixed_dictionaries(
        {
            "players": st.lists(PLAYER, max_size=3),
            "pooled_cost": st.dictionaries(
                st.sampled_from(
                    [
                        "fixed",
                        "per_unit",
                        "cost_per_etp",
                        "productivity",
                        "min_etp",
                        "step",
                        "manager_span",
                        "x",
                    ]
                ),
                JSON_VALUES,
            ),
        }
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_fuzzed_games_give_a_french_error_or_a_valid_game(document: object) -> None:
    """Random documents: read_game returns a game or raises InputError / EngineError with
    a French message; never another exception."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(json.dumps(document))
    try:
        game = read_game(handle.name)
    except InputError as exc:
        assert str(exc)
    except EngineError as exc:
        assert exc.message
    else:
        assert len(game.players) >= 1
    finally:
        Path(handle.name).unlink()


def test_a_pooled_game_beyond_the_explicit_limit_gets_the_generated_nucleolus(cli) -> None:
    players = [
        {"id": f"64{i:03d}", "standalone": 9000 + 700 * i, "workload": 5 + 3 * i} for i in range(24)
    ]
    data = {**POOLED, "players": players}
    for method in ("nucleolus", "least-core"):
        code, out, err = cli(data, "solve", "--method", method, "--pricing", "none")
        assert code == 0, err
        result = json.loads(out)
        assert "génération de contraintes" in json.dumps(result["explanation"], ensure_ascii=False)
        allocation = {p: Decimal(a) for p, a in result["allocation"].items()}
        assert sum(allocation.values()) == Decimal(result["total"])
        if method == "nucleolus":
            assert result["individually_rational"] is True

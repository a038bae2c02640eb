"""Replications in parallel processes: ``simulate(..., workers=N)`` gives the serial
run's result to the last bit (every frame, every replication), on the textbook centre,
a switch centre (retrials, lines, routing rules) and social care; progress is reported
once per replication in order; bad ``workers`` values are refused; a time limit holds;
``wfm.plan(workers=2)`` plans exactly as with one process; ``wfm run --workers``;
``Replications`` asked for its first replication, then for all, runs each once and gives
the simulations of as many."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import wfm
from wfm.cli import app
from wfm.sim.engine import Replications, simulate

ROOT = Path(__file__).resolve().parents[1]
FRAMES = ("intervals", "groups", "summary", "replications", "risk", "playbooks")


def _same(a: wfm.SimulationResult, b: wfm.SimulationResult) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


@pytest.mark.parametrize("name", ["baseline", "bilingual_retrials", "social_care"])
def test_two_processes_give_the_serial_result(name):
    sc = wfm.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    serial = simulate(sc, seed=11, replications=3)
    parallel = simulate(sc, seed=11, replications=3, workers=2)
    _same(serial, parallel)
    assert parallel.n_replications == 3 and parallel.seed == 11


def test_progress_once_per_replication_in_order():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    calls: list[tuple[int, int]] = []
    simulate(sc, seed=2, replications=4, workers=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", 10**6])
def test_bad_workers_are_refused(bad):
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    with pytest.raises((ValueError, TypeError), match="workers"):
        simulate(sc, replications=2, workers=bad)


def test_time_limit_holds_with_processes():
    sc = wfm.load_scenario(ROOT / "scenarios" / "retail_week.yaml")
    with pytest.raises(TimeoutError):
        simulate(sc, seed=1, replications=6, workers=2, time_limit=0.05)


def test_plan_with_two_processes_is_the_same_plan():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    one = wfm.plan(sc, seed=0, replications=2, max_iterations=2, time_limit=10, bound=False)
    two = wfm.plan(sc, seed=0, replications=2, max_iterations=2, time_limit=10, bound=False, workers=2)
    cols = ["iteration", "cost", "met", "missed"]
    pd.testing.assert_frame_equal(one.iterations[cols], two.iterations[cols])
    pd.testing.assert_frame_equal(one.schedule.shifts, two.schedule.shifts)
    _same(one.simulation, two.simulation)


def test_wfm_run_workers(tmp_path):
    out = tmp_path / "run"
    env = {"COLUMNS": "160", "NO_COLOR": "1"}
    res = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--replications", "2",
                                   "--workers", "2", "--seed", "5", "--out", str(out)], env=env)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out / "summary.csv")
    ref = simulate(wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml"), seed=5, replications=2).summary
    pd.testing.assert_series_equal(got["answered"], ref["answered"], check_names=False)
    bad = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--workers", "0"], env=env)
    assert bad.exit_code == 2 and "--workers" in bad.output


def test_a_main_script_that_cannot_run_again_does_not_kill_the_workers(tmp_path, monkeypatch):
    """spawn and forkserver children run the parent's __main__ file again: a script that
    fails out of context (a notebook cell, a Streamlit page, a test runner's temporary
    script, a script without the __main__ guard) must not kill wfm's workers, for
    simulate(workers=) and wfm.sweep alike."""
    import sys

    bad = tmp_path / "main_script.py"
    bad.write_text("raise SystemExit('this script must not run in a worker')\n", encoding="utf-8")
    main = sys.modules["__main__"]  # as a script run by path (no module spec) would be
    monkeypatch.setattr(main, "__spec__", None, raising=False)
    monkeypatch.setattr(main, "__file__", str(bad), raising=False)
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    _same(simulate(sc, seed=4, replications=2, workers=2), simulate(sc, seed=4, replications=2))
    spec = {"scenario": str(ROOT / "scenarios" / "baseline.yaml"), "replications": 1, "seed": 1,
            "scale": {"channels.phone.volume": [1.0, 1.1]}}
    res = wfm.sweep(spec, workers=2).results
    assert res["error"].isna().all() and len(res) == 2 * 4
    assert sys.modules["__main__"].__file__ == str(bad)  # put back


# ------------------------------------------------ replications asked for in parts
@pytest.mark.parametrize("workers", [1, 2])
def test_first_replication_then_all_are_the_simulations_of_as_many(workers):
    """``Replications.result(1)`` then ``result()`` runs each replication once and gives
    ``simulate`` of one and of all replications, to the last bit (the planning loop's
    sequential check looks at the first replication, then goes on from it)."""
    sc = wfm.load_scenario(ROOT / "scenarios" / "bilingual_retrials.yaml")
    with Replications(sc, seed=4, replications=3, workers=workers) as runs:
        first = runs.result(1)
        assert runs.done == 1 or workers > 1
        every = runs.result()
        assert runs.done == 3
    _same(first, simulate(sc, seed=4, replications=1))
    _same(every, simulate(sc, seed=4, replications=3))
    _same(runs.result(), every)  # asked again: the same, nothing run again


def test_replications_run_once_and_refuse_what_is_gone():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    calls: list[tuple[int, int]] = []
    runs = Replications(sc, seed=1, replications=3, progress=lambda d, t: calls.append((d, t)))
    runs.result(2)
    runs.result(2)
    runs.result(3)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ValueError, match="first 1 replications"):
        runs.result(1)
    with pytest.raises(ValueError, match="n"):
        runs.result(4)
    closed = Replications(sc, seed=1, replications=3)
    closed.result(1)
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        closed.result()


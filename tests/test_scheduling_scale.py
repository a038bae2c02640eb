"""Scheduling at scale: the direct HiGHS path (LP relaxation, rounding and repair, the MIP
only when needed) against the pyomo model, and warm starts from an earlier plan."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import wfm
from wfm.scheduling import schedule
from wfm.scheduling.direct import repair, unit_model
from wfm.scheduling.solve import DIRECT_COLUMNS, warm_counts
from wfm.scheduling.templates import ShiftTemplate, build_templates, shift_rules

ROOT = Path(__file__).resolve().parents[1]


def scenario(hours: int = 12, shifts: dict | None = None) -> wfm.Scenario:
    data = {
        "name": "scale", "interval_minutes": 30, "start": "08:00",
        "channels": {"v": {"kind": "voice", "volume": [10] * (2 * hours), "aht": 300,
                           "target": {"answer_within": 20, "service_level": 0.8}},
                     "w": {"kind": "voice", "volume": [10] * (2 * hours), "aht": 300,
                           "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": "a", "skills": ["v"], "staff": 5},
                   {"group": "b", "skills": ["w"], "staff": 5}],
    }
    if shifts:
        data["shifts"] = shifts
    return wfm.Scenario.from_dict(data)


def random_requirement(rng: np.random.Generator, n: int) -> list[float]:
    base = rng.integers(0, 6, size=n).astype(float)
    return np.convolve(base, np.ones(3) / 3, mode="same").round().tolist()


@pytest.mark.parametrize("seed", range(6))
def test_the_direct_path_reaches_the_pyomo_models_optimum(seed):
    rng = np.random.default_rng(seed)
    shifts = {"a": {"lengths_hours": [4, 6, 8], "cost_per_hour": 1.0 + seed % 3,
                    "break": {"minutes": 30, "earliest": 90, "latest": 240}},
              "b": {"lengths_hours": [4, 8], "every_minutes": 60, "max_agents": 6 + seed}}
    sc = scenario(shifts=shifts)
    req = {"a": random_requirement(rng, sc.horizon), "b": random_requirement(rng, sc.horizon)}
    slow = schedule(sc, req, gap=0.0, method="pyomo")
    fast = schedule(sc, req, gap=0.0, method="direct")
    assert fast.optimal and slow.optimal
    assert fast.objective == pytest.approx(slow.objective, abs=1e-6)
    assert fast.shortfall == pytest.approx(slow.shortfall)
    # the coverage is what the shifts give
    staff = fast.staff()
    for g in ("a", "b"):
        cov = fast.coverage[fast.coverage["group"] == g]
        assert (cov["scheduled"].to_numpy() == staff[g]).all()


def test_the_direct_path_keeps_its_plan_within_the_gap_of_its_bound():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    fast = schedule(sc, time_limit=10, gap=0.02, method="direct")
    exact = schedule(sc, time_limit=10, gap=0.0, method="pyomo")
    assert fast.optimal and fast.gap <= 0.02 + 1e-9
    assert fast.bound <= exact.objective + 1e-6
    assert exact.objective - 1e-6 <= fast.objective <= exact.objective * 1.02 + 1e-6


def test_a_warm_start_never_costs_more_than_itself():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    best = schedule(sc, time_limit=10, gap=0.0)
    for method in ("pyomo", "direct"):
        # a loose gap: without the start the solver could stop on a dearer plan
        again = schedule(sc, time_limit=10, gap=0.5, method=method, warm_start=best)
        assert again.objective <= best.objective + 1e-6
        assert again.cost <= best.cost + 1e-6


def test_a_warm_start_from_a_smaller_requirement_is_repaired_to_cover_the_new_one():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    first = schedule(sc, time_limit=10, gap=0.0)
    req = wfm.staffing.group_requirements(sc, wfm.staffing.channel_requirements(sc))
    raised = {g: r + (np.arange(sc.horizon) % 4 == 0) for g, r in req.items()}
    cold = schedule(sc, raised, time_limit=10, gap=0.0, method="direct")
    warm = schedule(sc, raised, time_limit=10, gap=0.0, method="direct", warm_start=first)
    assert warm.shortfall == cold.shortfall == 0.0
    assert warm.objective == pytest.approx(cold.objective)


def test_warm_counts_map_a_plan_back_to_its_templates():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    plan = schedule(sc, time_limit=10, gap=0.0)
    tpl = build_templates(sc, shift_rules(sc))
    counts, zcounts = warm_counts(sc, tpl, plan)
    assert sum(counts) == int(plan.shifts["count"].sum())
    for t, n, z in zip(tpl, counts, zcounts, strict=True):
        if t.break_offsets:
            assert sum(z) == n
    # shifts no longer offered are left out
    other = build_templates(sc, shift_rules(sc, {g: {"lengths_hours": [5]} for g in sc.group_names}))
    assert sum(warm_counts(sc, other, plan)[0]) == 0


def test_repair_covers_what_it_can_and_drops_what_nobody_needs():
    tpl = [ShiftTemplate("a", s, 4, (1, 2), 1, False, 4.0, 4.0, 0) for s in range(5)]
    req = {"a": np.array([1.0, 2, 2, 2, 2, 2, 2, 1])}
    need = [("a", i) for i in range(8)]
    m = unit_model(tpl, need, req, {"a": wfm.ShiftRule()}, penalty=8.0)
    y = repair(m, np.full(m.n_units, 3.0))            # far too many
    assert m.feasible(y) and (m.A @ y >= m.required - 1e-9).all()
    leaner = y.copy()
    for c in np.flatnonzero(y > 0):                   # no single agent can go
        leaner[c] -= 1
        assert (m.A @ leaner < m.required - 1e-9).any()
        leaner[c] += 1
    capped = unit_model(tpl, need, req, {"a": wfm.ShiftRule(max_agents=2)}, penalty=8.0)
    y = repair(capped, np.zeros(capped.n_units))
    assert capped.feasible(y) and y.sum() == 2


def test_method_and_warm_start_are_checked():
    sc = scenario()
    with pytest.raises(ValueError, match="method must be"):
        schedule(sc, {"a": 1}, method="fast")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="warm_start must be a Schedule"):
        schedule(sc, {"a": 1}, warm_start={"a": 1})  # type: ignore[arg-type]


def test_auto_uses_the_direct_path_on_large_models(monkeypatch):
    import wfm.scheduling.solve as solve

    used: list[str] = []
    real_direct, real_pyomo = solve.solve_block_direct, solve.solve_block
    monkeypatch.setattr(solve, "solve_block_direct",
                        lambda *a, **k: used.append("direct") or real_direct(*a, **k))
    monkeypatch.setattr(solve, "solve_block", lambda *a, **k: used.append("pyomo") or real_pyomo(*a, **k))
    sc = scenario()
    slow = schedule(sc, {"a": 2}, gap=0.0)
    assert used == ["pyomo"]
    monkeypatch.setattr(solve, "DIRECT_COLUMNS", 1)
    used.clear()
    s = schedule(sc, {"a": 2}, gap=0.0)
    assert used == ["direct"] and s.optimal and s.cost == pytest.approx(slow.cost)
    assert DIRECT_COLUMNS > 1


@pytest.mark.slow
def test_a_day_of_the_large_centre_direct_is_as_good_as_pyomo_within_the_gap():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from plan_large_bench import centre

    sc = wfm.Scenario.from_dict(centre(1))
    req = wfm.staffing.group_requirements(sc, wfm.staffing.channel_requirements(sc))
    fast = schedule(sc, req, gap=0.01, method="direct")
    slow = schedule(sc, req, gap=0.01, method="pyomo")
    assert fast.optimal and fast.gap <= 0.01 + 1e-9 and math.isfinite(fast.bound)
    assert fast.bound == pytest.approx(slow.bound, rel=1e-6)
    assert fast.objective <= slow.objective * 1.01


@pytest.mark.parametrize("method", ["pyomo", "direct"])
def test_a_block_whose_model_is_unchanged_keeps_its_plan_without_a_solve(method, monkeypatch):
    """Warm-started, a group whose requirement, shifts and rules are those of the start
    keeps the start's proven plan (not solved again); a group whose requirement changed
    is solved; the whole is still optimal."""
    import wfm.scheduling.solve as solve

    rng = np.random.default_rng(3)
    shifts = {"a": {"lengths_hours": [4, 8], "break": {"minutes": 30, "earliest": 90, "latest": 240}},
              "b": {"lengths_hours": [4, 6], "every_minutes": 60}}
    sc = scenario(shifts=shifts)
    ra, rb = random_requirement(rng, sc.horizon), random_requirement(rng, sc.horizon)
    first = schedule(sc, {"a": ra, "b": rb}, gap=0.0, method=method)
    assert first.reused_blocks == 0 and len(first.block_plans) == first.blocks
    rb2 = [v + (i % 5 == 0) for i, v in enumerate(rb)]
    solved: list[set[str]] = []
    real = solve.solve_block_direct if method == "direct" else solve.solve_block

    def spy(tpl, *args, **kwargs):
        solved.append({t.group for t in tpl})
        return real(tpl, *args, **kwargs)

    monkeypatch.setattr(solve, "solve_block_direct" if method == "direct" else "solve_block", spy)
    warm = schedule(sc, {"a": ra, "b": rb2}, gap=0.0, method=method, warm_start=first)
    n_a = sum(1 for key in first.block_plans if {t.group for t in key[0]} == {"a"})
    assert n_a >= 1 and warm.reused_blocks == n_a
    assert solved and all(groups == {"b"} for groups in solved)   # only b was solved
    same = first.shifts[first.shifts["group"] == "a"].reset_index(drop=True)
    kept = warm.shifts[warm.shifts["group"] == "a"].reset_index(drop=True)
    assert same.equals(kept)
    monkeypatch.setattr(solve, "solve_block_direct" if method == "direct" else "solve_block", real)
    cold = schedule(sc, {"a": ra, "b": rb2}, gap=0.0, method=method)
    assert warm.optimal and warm.objective == pytest.approx(cold.objective)
    # a looser gap is another model: nothing is reused
    assert schedule(sc, {"a": ra, "b": rb2}, gap=0.5, method=method,
                    warm_start=first).reused_blocks == 0


def test_blocks_solved_side_by_side_give_the_same_plan():
    """``threads=2`` solves the direct path's blocks in two threads: the same shifts, cost
    and bound as one at a time (two groups, each busy twice a day: independent blocks, some
    with breaks, some under a headcount), from cold and warm-started."""
    rng = np.random.default_rng(11)
    shifts = {"a": {"lengths_hours": [4, 8], "break": {"minutes": 30, "earliest": 90, "latest": 240}},
              "b": {"lengths_hours": [4, 6], "every_minutes": 60, "max_agents": 9}}
    sc = scenario(hours=24, shifts=shifts)  # 48 half hours from 08:00
    # two busy spells apart by more than the longest shift: independent blocks
    spell = lambda: random_requirement(rng, 14)  # noqa: E731
    req = {"a": spell() + [0.0] * 18 + spell() + [0.0] * 2,
           "b": spell() + [0.0] * 18 + spell() + [0.0] * 2}
    one = schedule(sc, req, gap=0.0, method="direct")
    two = schedule(sc, req, gap=0.0, method="direct", threads=2)
    assert one.blocks >= 3
    assert two.shifts.equals(one.shifts) and two.objective == one.objective and two.bound == one.bound
    raised = {g: [v + (i % 7 == 0 and v > 0) for i, v in enumerate(r)] for g, r in req.items()}
    warm1 = schedule(sc, raised, gap=0.0, method="direct", warm_start=one)
    warm2 = schedule(sc, raised, gap=0.0, method="direct", warm_start=two, threads=2)
    assert warm2.shifts.equals(warm1.shifts) and warm2.reused_blocks == warm1.reused_blocks
    for bad in (0, 1.5, "2"):
        with pytest.raises((ValueError, TypeError), match="threads"):
            schedule(sc, req, threads=bad)  # type: ignore[arg-type]

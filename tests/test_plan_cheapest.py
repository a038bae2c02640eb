"""The cheapest plan that meets every target (issue 15, items 2 and 3): the loop takes
agents away where a channel beats its target, the pooled group requirement, the lower
bound and the plan's money, paid hours and FTE."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wfm
from wfm.planning import COST_COLUMNS, judge, lower_bound, plan, plan_costs
from wfm.scheduling import schedule


def digital(**extra):
    """One group answering chat and working email: the summed group rule staffs both in
    full, so the chat channel beats its target by far and agents can go."""
    shifts = {"lengths_hours": [1, 2, 4], "cost_per_hour": 20.0, "break": {"minutes": 0}}
    data = {
        "name": "digital desk",
        "interval_minutes": 30,
        "start": "08:00",
        "currency": "EUR",
        "channels": {
            "chat": {"kind": "chat", "aht": 600, "concurrency": 2, "patience": 300,
                     "volume": [60] * 8,
                     "target": {"answer_within": 60, "service_level": 0.85}},
            "email": {"kind": "deferred", "aht": 360, "volume": [40] * 8,
                      "target": {"answer_within": 86400, "service_level": 0.9}},
        },
        "agents": [{"group": "desk", "skills": ["chat", "email"], "staff": 10}],
        "shifts": {"desk": shifts},
    }
    data.update(extra)
    return wfm.Scenario.from_dict(data)


@pytest.fixture(scope="module")
def cheap() -> wfm.planning.PlanResult:
    return plan(digital(), seed=5, replications=2, max_iterations=8, time_limit=10)


def test_removal_takes_agents_away_where_overstaffed(cheap):
    r = cheap
    assert r.converged, r.reason
    assert r.trim and r.iterations["removed"].sum() > 0
    # taken below the analytic (pure Erlang) plan, and the returned round met every target
    assert r.cost < r.erlang_schedule.cost
    assert bool(r.iterations.loc[r.best_iteration - 1, "met"])
    assert (r.corrections["added"] < 0).any()
    # the cheapest of the rounds that met every target
    met = r.iterations[r.iterations["met"]]
    assert r.cost == pytest.approx(met["cost"].min())
    # deferred work is never planned below its analytic curve
    email = r.corrections[r.corrections["channel"] == "email"]
    assert (email["added"] >= 0).all()


def test_add_only_loop_is_dearer(cheap):
    r = plan(digital(), seed=5, replications=2, max_iterations=8, time_limit=10, trim=False,
             pooling=False)
    assert r.converged and not r.trim
    assert (r.corrections["added"] >= 0).all()
    assert cheap.cost < r.cost


def test_lower_bound_is_below_the_cost(cheap):
    r = cheap
    assert 0 < r.lower_bound <= r.cost + 1e-6
    assert 0 <= r.lower_bound_gap < 100
    assert r.lower_bound_gap == pytest.approx(100 * (r.cost - r.lower_bound) / r.cost)
    # no plan covers the work for less: also below the pure Erlang plan and the add-only one
    assert r.lower_bound <= r.erlang_schedule.cost
    assert lower_bound(digital()) == pytest.approx(r.lower_bound)
    assert math.isnan(plan(digital(), max_iterations=1, bound=False).lower_bound)


def test_costs_add_up(cheap):
    r = cheap
    c = r.costs
    assert list(c.columns) == COST_COLUMNS
    assert list(c["group"]) == ["desk", "total"]
    groups = c[c["group"] != "total"]
    np.testing.assert_allclose(groups["cost"], groups["paid_hours"] * groups["wage"])
    np.testing.assert_allclose(groups["shift_cost"], groups["shift_hours"] * groups["wage"])
    np.testing.assert_allclose(c["fte"], c["paid_hours"] / (40.0 * 1 / 7))   # one day
    total = c.iloc[-1]
    for col in ("agents", "shift_hours", "shift_cost", "paid_hours", "fte", "cost"):
        assert total[col] == pytest.approx(groups[col].sum())
    assert total["shift_cost"] == pytest.approx(r.cost)     # no shrinkage: cost = shifts
    assert r.paid_hours == pytest.approx(r.schedule.summary()["paid_hours"].sum())
    assert r.fte == pytest.approx(r.paid_hours * 7 / 40)
    assert r.paid_cost == pytest.approx(r.paid_hours * 20.0)
    assert r.currency == "EUR" and (c["currency"] == "EUR").all()


def test_shrinkage_turns_net_hours_into_paid_fte():
    sc = digital().with_values({"agents.desk.shrinkage": {"planned": 0.15, "unplanned": 0.05}})
    sched = schedule(sc, {"desk": [4] * 8}, time_limit=5, gap=0.0)
    c = plan_costs(sc, sched, fte_hours=37.5)
    row = c.iloc[0]
    assert row["shift_hours"] == pytest.approx(16.0)
    assert row["paid_hours"] == pytest.approx(16.0 / 0.8)       # net / (1 - shrinkage)
    assert row["shrinkage"] == pytest.approx(0.2)
    assert row["cost"] == pytest.approx(20.0 * 20.0)
    assert row["fte"] == pytest.approx(20.0 / (37.5 / 7))
    with pytest.raises(ValueError, match="fte_hours"):
        plan_costs(sc, sched, fte_hours=0)


def test_currency_is_validated():
    assert digital().currency == "EUR"
    assert "currency" not in wfm.load_scenario("scenarios/baseline.yaml").to_dict()
    for bad in ("eur", "EURO", "E1R"):
        with pytest.raises(ValueError, match=r"currency: must be a 3-letter ISO 4217"):
            digital(currency=bad)
    assert wfm.Scenario.from_yaml(digital().to_yaml()).currency == "EUR"


def test_bad_plan_options():
    with pytest.raises(ValueError, match="fte_hours"):
        plan(digital(), fte_hours=-1)
    with pytest.raises(ValueError, match="trim"):
        plan(digital(), trim="yes")


def two_lines() -> wfm.Scenario:
    """Two voice lines with the same target served by one group, the longest-waiting
    call first (the pooled rule's first come, first served)."""
    line = {"kind": "voice", "aht": 240, "patience": 180, "volume": [60] * 16,
            "target": {"answer_within": 20, "service_level": 0.8}}
    return wfm.Scenario.from_dict({
        "name": "two lines", "interval_minutes": 30, "start": "09:00",
        "channels": {"sales": line, "service": {**line, "volume": [90] * 16}},
        "agents": [{"group": "team", "skills": ["sales", "service"], "staff": 1}],
        "routing": {"next_contact": "oldest"},
    })


def test_pooled_requirement_is_below_the_sum_and_meets_in_the_simulation():
    sc = two_lines()
    summed = wfm.staffing.group_requirements(sc)["team"]
    pooled = wfm.staffing.group_requirements(sc, pooled=True)["team"]
    chan = wfm.staffing.channel_requirements(sc)
    assert (pooled <= summed).all() and pooled.sum() < summed.sum()
    assert (pooled >= np.maximum(chan["sales"], chan["service"])).all()
    # Erlang A on the combined traffic of the two lines
    combined = wfm.erlang.required_agents(150, 240, 20, 0.8, patience=180)
    assert int(pooled[0]) == int(combined)
    # the pooled staff meets both targets in the simulation (the analytic rule aims at
    # the target itself, so the check is the simulation's own: day service level >= it)
    staffed = sc.with_values({"agents.team.staff": [int(v) for v in pooled]})
    sim = wfm.simulate(staffed, seed=11, replications=10)
    assert sim.met, sim.summary[["channel", "service_level", "service_level_ci"]]
    low = sim.summary["service_level"] - sim.summary["service_level_ci"]
    assert (low > 0.78).all()     # and not by luck: the 95% interval is near or above
    # and the pooled requirement reports through requirements()
    req = wfm.staffing.requirements(sc, pooled=True)
    np.testing.assert_array_equal(req.query("level == 'group'")["required"], pooled)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "channel_shift"])
def test_cheaper_plan_meets_every_target_with_new_seeds(name):
    sc = wfm.load_scenario(f"scenarios/{name}.yaml")
    r = plan(sc, seed=0)
    assert r.converged, r.reason
    assert r.schedule.shortfall == 0
    used = set(range(0, len(r.iterations)))             # seeds of the loop: 0 .. rounds - 1
    old = plan(sc, seed=0, trim=False, pooling=False)
    assert r.cost < old.cost                              # cheaper than the add-only loop
    assert r.lower_bound <= r.cost
    for seed in (2024, 4242):
        assert seed not in used
        verdict, checks = judge(wfm.simulate(r.scenario, seed=seed, replications=9))
        assert verdict["met"].all(), verdict
        assert math.isfinite(r.lower_bound_gap)

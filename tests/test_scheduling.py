"""The shift model: coverage, shortfall, breaks, costs and bad shift definitions.

Real HiGHS through pyomo's appsi interface; small horizons so each solve takes well
under a second.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm.scenario import _parse_clock
from wfm.scheduling import Schedule, schedule, shift_rules, shift_templates


def scenario(horizon=16, interval_minutes=60, start="08:00", shifts=None, groups=("a",)):
    data = {
        "name": "shifts test",
        "interval_minutes": interval_minutes,
        "start": start,
        "channels": {
            "phone": {"kind": "voice", "volume": [10] * horizon, "aht": 300,
                      "target": {"answer_within": 20, "service_level": 0.8}},
        },
        "agents": [{"group": g, "skills": ["phone"], "staff": 1} for g in groups],
    }
    if shifts is not None:
        data["shifts"] = shifts
    return wfm.Scenario.from_dict(data)


def check_consistent(sc: wfm.Scenario, s: Schedule) -> None:
    """Coverage rebuilt from the shifts table equals the coverage table."""
    H = sc.horizon
    labels = {lab: i for i, lab in enumerate(sc.interval_labels())}
    for g in sc.group_names:
        on = np.zeros(H, dtype=int)
        for r in s.shifts[s.shifts["group"] == g].itertuples(index=False):
            on[r.start_interval:r.end_interval] += r.count
            if r.break_start is not None:
                b0 = labels[r.break_start]
                b1 = labels.get(r.break_end, H)
                on[b0:b1] -= r.count
        cov = s.coverage[s.coverage["group"] == g].sort_values("interval")
        np.testing.assert_array_equal(cov["scheduled"].to_numpy(), on)
        np.testing.assert_array_equal(s.staff()[g], on)
        short = np.maximum(cov["required"].to_numpy() - on, 0)
        np.testing.assert_allclose(cov["shortfall"].to_numpy(), short)
    assert s.cost == pytest.approx(float(s.shifts["cost"].sum()))


def test_columns_match_the_shared_interface():
    sc = scenario()
    s = schedule(sc, {"a": [2] * 16},
                 rules={"a": {"lengths_hours": [8], "break": {"minutes": 60}}})
    assert list(s.shifts.columns[:10]) == [
        "group", "start_interval", "end_interval", "start", "end", "break_start", "break_end",
        "paid_break", "paid_hours", "count"]
    assert "cost" in s.shifts.columns
    assert list(s.coverage.columns) == ["interval", "start", "group", "required", "scheduled",
                                        "shortfall"]
    assert isinstance(s.cost, float) and isinstance(s.status, str)
    assert isinstance(s.optimal, bool) and isinstance(s.gap, float)
    assert s.solve_seconds >= 0
    assert len(s.coverage) == 16


def test_exact_optimum_of_a_flat_requirement():
    # 3 agents all day (16 h), 8 h shifts with no break at 2/hour: two shifts back to
    # back per agent slot -> 6 shifts, 48 paid hours
    sc = scenario(shifts={"a": {"lengths_hours": [8], "cost_per_hour": 2.0,
                                "break": {"minutes": 0}}})
    s = schedule(sc, {"a": 3}, gap=0.0)
    assert s.optimal and s.status == "optimal" and s.gap == 0.0
    assert s.shortfall == 0
    assert s.cost == pytest.approx(6 * 8 * 2.0)
    assert int(s.shifts["count"].sum()) == 6
    check_consistent(sc, s)


def test_covers_a_varying_requirement_at_least_cost():
    sc = scenario(horizon=24, interval_minutes=30)
    req = np.array([2, 3, 5, 8, 10, 12, 12, 11, 9, 8, 9, 11, 12, 12, 10, 9, 8, 7, 6, 5, 4, 3,
                    2, 2])
    s = schedule(sc, {"a": req}, gap=0.0)
    assert s.optimal
    assert s.shortfall == 0
    cov = s.coverage
    assert (cov["scheduled"] >= cov["required"]).all()
    check_consistent(sc, s)
    # the optimum cannot be below the paid agent-hours the requirement needs
    assert s.cost >= req.sum() * 0.5 - 1e-9


def test_breaks_fall_in_their_windows():
    rule = {"lengths_hours": [6, 8], "cost_per_hour": 1.0,
            "break": {"minutes": 30, "earliest": 90, "latest": 210, "min_shift_hours": 6}}
    sc = scenario(horizon=24, interval_minutes=30, shifts={"a": rule})
    s = schedule(sc, {"a": [6] * 24}, gap=0.0)
    assert s.shortfall == 0
    assert len(s.shifts) > 0
    for r in s.shifts.itertuples(index=False):
        assert r.break_start is not None  # every shift is >= 6 h
        start = _parse_clock(r.start)
        b0, b1 = _parse_clock(r.break_start), _parse_clock(r.break_end)
        end = start + (r.end_interval - r.start_interval) * 30
        assert 90 <= b0 - start <= 210
        assert b1 - b0 == 30
        assert start < b0 and b1 < end
        assert not r.paid_break
        assert r.paid_hours == pytest.approx((r.end_interval - r.start_interval) / 2 - 0.5)
    check_consistent(sc, s)


def test_break_placements_are_spread_to_keep_coverage():
    # one 8 h shift window: agents must stagger breaks or coverage dips
    rule = {"starts": ["08:00"], "lengths_hours": [8],
            "break": {"minutes": 30, "earliest": 120, "latest": 300}}
    sc = scenario(horizon=16, interval_minutes=30, shifts={"a": rule})
    req = np.zeros(16)
    req[:] = 4
    s = schedule(sc, {"a": req}, gap=0.0)
    # 4 must be on the floor all the time: 5 agents, breaks in at least 2 placements
    assert s.shortfall == 0
    assert int(s.shifts["count"].sum()) == 5
    assert s.shifts["break_start"].nunique() >= 2


def test_paid_break_costs_and_unpaid_does_not():
    base = {"starts": ["08:00"], "lengths_hours": [8], "cost_per_hour": 10.0,
            "break": {"minutes": 60, "earliest": 120, "latest": 240}}
    sc = scenario(horizon=8, interval_minutes=60)
    unpaid = schedule(sc, {"a": [1, 1, 0, 0, 0, 0, 1, 1]}, rules={"a": base})
    paid = schedule(sc, {"a": [1, 1, 0, 0, 0, 0, 1, 1]},
                    rules={"a": {**base, "break": {**base["break"], "paid": True}}})
    assert unpaid.cost == pytest.approx(70.0)
    assert paid.cost == pytest.approx(80.0)
    assert bool(paid.shifts["paid_break"].iloc[0]) is True


def test_shortfall_when_max_agents_is_too_low():
    sc = scenario(shifts={"a": {"lengths_hours": [8], "max_agents": 3,
                                "break": {"minutes": 0}}})
    req = np.full(16, 5)
    s = schedule(sc, {"a": req})
    # at most 3 agents start per day; 8 h shifts: at best 3 on the floor at once
    assert s.status == "optimal"
    assert s.shortfall == pytest.approx(float(req.sum() - 3 * 8))
    assert (s.coverage["scheduled"] <= 3).all()
    assert int(s.shifts["count"].sum()) <= 3
    check_consistent(sc, s)


def test_shortfall_where_no_shift_reaches():
    # shifts start at 10:00 at the earliest; the 08:00 and 09:00 requirement is uncoverable
    sc = scenario(shifts={"a": {"earliest_start": "10:00", "lengths_hours": [4],
                                "break": {"minutes": 0}}})
    req = np.full(16, 2)
    s = schedule(sc, {"a": req})
    cov = s.coverage.set_index("interval")
    assert cov.loc[0, "shortfall"] == 2 and cov.loc[1, "shortfall"] == 2
    assert cov.loc[2:, "shortfall"].sum() == 0
    assert s.shortfall == 4
    assert math.isfinite(s.gap)
    summary = s.summary().set_index("group")
    assert summary.loc["a", "short_intervals"] == 2


def test_nothing_can_cover_gives_a_plan_not_an_error():
    sc = scenario(shifts={"a": {"lengths_hours": [20], "break": {"minutes": 60}}})  # > horizon
    s = schedule(sc, {"a": 1})
    assert s.status == "no shift can cover the requirement"
    assert s.shortfall == 16 and s.cost == 0 and len(s.shifts) == 0


def test_empty_requirement():
    s = schedule(scenario(), {"a": 0})
    assert s.status == "no requirement" and s.optimal and s.cost == 0
    assert (s.coverage["scheduled"] == 0).all()


def test_groups_are_scheduled_with_their_own_rules():
    sc = scenario(groups=("a", "b"), shifts={
        "a": {"lengths_hours": [8], "cost_per_hour": 1.0, "break": {"minutes": 0}},
        "b": {"lengths_hours": [4], "cost_per_hour": 3.0, "starts": ["12:00"],
              "break": {"minutes": 60}},
    })
    s = schedule(sc, {"a": [1] * 16, "b": [0] * 4 + [2] * 4 + [0] * 8})
    assert s.shortfall == 0
    b = s.shifts[s.shifts["group"] == "b"]
    assert set(b["start"]) == {"12:00"} and (b["end"] == "16:00").all()
    assert s.cost == pytest.approx(16 * 1.0 + 2 * 4 * 3.0)


def test_starts_repeat_every_day_and_max_agents_is_per_day():
    # two days of 1 h intervals from midnight; one start a day at 08:00
    sc = scenario(horizon=48, start="00:00", shifts={
        "a": {"starts": ["08:00"], "lengths_hours": [8], "max_agents": 2,
              "break": {"minutes": 0}}})
    tpl = shift_templates(sc)
    assert list(tpl["start"]) == ["08:00", "d2 08:00"]
    req = np.zeros(48)
    req[8:16] = 3
    req[32:40] = 1
    s = schedule(sc, {"a": req})
    cov = s.coverage.set_index("interval")["scheduled"]
    assert (cov[8:16] == 2).all() and (cov[32:40] == 1).all()
    assert s.shortfall == 8


def test_requirement_from_staffing_dataframe_and_default():
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    req = wfm.staffing.requirements(sc)
    s1 = schedule(sc, req, time_limit=20)
    s2 = schedule(sc, time_limit=20)
    for s in (s1, s2):
        assert s.shortfall == 0
        g = req[req["level"] == "group"]
        merged = s.coverage.merge(g, left_on=["group", "interval"], right_on=["name", "interval"])
        assert (merged["required_x"] == merged["required_y"]).all()
        check_consistent(sc, s)
    assert s1.cost == pytest.approx(s2.cost, rel=0.011)


def test_time_limit_and_gap_are_reported():
    sc = scenario(horizon=24, interval_minutes=30)
    s = schedule(sc, {"a": np.arange(24) % 7 + 1}, time_limit=5, gap=0.05)
    assert s.optimal
    assert 0 <= s.gap <= 0.05 + 1e-9
    assert s.bound <= s.objective + 1e-6


def test_templates_table():
    sc = scenario(horizon=16, interval_minutes=60, shifts={
        "a": {"earliest_start": "08:00", "latest_start": "12:00", "every_minutes": 120,
              "lengths_hours": [4, 8], "cost_per_hour": 2.0,
              "break": {"minutes": 60, "earliest": 120, "latest": 300}}})
    tpl = shift_templates(sc)
    assert set(tpl["start"]) == {"08:00", "10:00", "12:00"}
    assert len(tpl) == 6
    eight = tpl[tpl["length_hours"] == 8]
    assert (eight["paid_hours"] == 7).all() and (eight["cost"] == 14).all()
    assert (eight["break_placements"] == 4).all()  # starts 2, 3, 4, 5 h after the start
    four = tpl[tpl["length_hours"] == 4]
    assert (four["break_placements"] == 0).all() and (four["paid_hours"] == 4).all()


def test_default_rule_on_hourly_intervals_has_a_whole_interval_break():
    sc = scenario(horizon=16, interval_minutes=60)
    rule = shift_rules(sc)["a"]
    assert rule.break_.minutes == 60
    s = schedule(sc, {"a": 2})
    assert s.shortfall == 0
    check_consistent(sc, s)


def test_bad_requirements():
    sc = scenario()
    with pytest.raises(ValueError, match="names no agent group"):
        schedule(sc, {"zz": 1})
    with pytest.raises(ValueError, match="horizon"):
        schedule(sc, {"a": [1, 2]})
    with pytest.raises(ValueError, match=">= 0"):
        schedule(sc, {"a": -1})
    with pytest.raises(ValueError, match="time_limit"):
        schedule(sc, {"a": 1}, time_limit=0)
    with pytest.raises(ValueError, match="gap"):
        schedule(sc, {"a": 1}, gap=1.5)


@pytest.mark.parametrize(
    ("shifts", "path"),
    [
        ({"a": {"lengths_hours": [7.25]}}, "shifts.a.lengths_hours[0]"),
        ({"a": {"break": {"minutes": 45}}}, "shifts.a.break.minutes"),
        ({"a": {"starts": ["08:00", "25:00"]}}, "shifts.a.starts"),
        ({"a": {"earliest_start": "08:10"}}, "shifts.a.earliest_start"),
        ({"a": {"cost_per_hour": -1}}, "shifts.a.cost_per_hour"),
        ({"a": {"max_agent": 3}}, "shifts.a.max_agent"),
        ({"a": {"break": {"earliest": 300, "latest": 100}}}, "shifts.a.break"),
        ({"zz": {}}, "shifts.zz"),
    ],
)
def test_bad_shift_definitions_name_the_field(shifts, path):
    with pytest.raises(wfm.ScenarioError) as exc:
        scenario(interval_minutes=30, horizon=24, shifts=shifts)
    assert path in str(exc.value)
    # the same rule passed in directly
    if "zz" not in shifts:
        sc = scenario(interval_minutes=30, horizon=24)
        with pytest.raises(wfm.ScenarioError) as exc2:
            schedule(sc, {"a": 1}, rules=shifts)
        assert path in str(exc2.value)


def test_break_window_no_shift_can_hold_names_the_field():
    # caught when the scenario loads, naming the shift length that has no room
    with pytest.raises(wfm.ScenarioError,
                       match=r"shifts\.a\.lengths_hours\[0\]: a 6 h shift has no room"):
        scenario(interval_minutes=30, horizon=24, shifts={
            "a": {"lengths_hours": [6], "break": {"earliest": 330, "latest": 400}}})
    # rules given to the scheduler directly are checked when the shifts are built
    sc = scenario(interval_minutes=30, horizon=24)
    with pytest.raises(wfm.ScenarioError, match=r"shifts\.a\.lengths_hours\[0\]: a 6 h"):
        schedule(sc, {"a": 1}, rules={"a": {"lengths_hours": [6],
                                            "break": {"earliest": 330, "latest": 400}}})


def test_shift_rules_defaults_and_overrides():
    sc = scenario(interval_minutes=30, horizon=24, groups=("a", "b"),
                  shifts={"a": {"cost_per_hour": 5.0}})
    rules = shift_rules(sc, {"b": {"lengths_hours": [4]}})
    assert rules["a"].cost_per_hour == 5.0
    assert rules["b"].lengths_hours == (4.0,)
    assert shift_rules(sc)["b"] == wfm.ShiftRule()


def test_coverage_frame_types():
    s = schedule(scenario(), {"a": 1})
    assert isinstance(s.coverage, pd.DataFrame)
    assert s.coverage["scheduled"].dtype.kind == "i"
    assert s.shifts["count"].dtype.kind == "i"


def test_a_tight_time_limit_still_leaves_a_plan():
    # two days of 15-minute intervals; whether HiGHS finishes or not, the greedy start
    # is a plan that covers the requirement, and the result says how it stands
    H = 192
    hod = (np.arange(H) % 96) / 4
    req = np.where((hod >= 8) & (hod < 20), 6 + 4 * np.sin(hod / 3), 0).round()
    sc = scenario(horizon=H, interval_minutes=15, start="00:00", shifts={
        "a": {"earliest_start": "06:00", "latest_start": "14:00", "lengths_hours": [4, 6, 8]}})
    s = schedule(sc, {"a": req}, time_limit=0.01)
    assert isinstance(s.status, str) and s.status
    assert s.cost > 0
    assert s.shortfall <= 0.05 * req.sum()
    check_consistent(sc, s)
    if not s.optimal:
        assert s.gap > 0.0

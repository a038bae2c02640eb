"""Planned shifts handed to the engine as agents (wfm.scheduling.handoff): a schedule and
a weekly roster become each group's ``roster:``; simulated, the agents on duty at the
start of every interval are exactly the plan's, and the break to the minute is honoured
(an agent finishes the contact in hand first)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm.scheduling import schedule, weekly_roster
from wfm.scheduling.handoff import roster_entries, with_shifts


def _staff(res: wfm.SimulationResult, group: str) -> np.ndarray:
    g = res.groups
    return g[g["group"] == group].sort_values("interval")["staff"].to_numpy()


def test_a_schedule_simulated_as_agents_has_the_planned_staff() -> None:
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    req = wfm.staffing.group_requirements(sc, wfm.staffing.channel_requirements(sc))
    plan = schedule(sc, req, time_limit=20)
    rostered = with_shifts(sc, plan)
    res = wfm.simulate(rostered, seed=3)
    for g, staff in plan.staff().items():
        assert (_staff(res, g) == staff).all(), g
    data = rostered.to_dict()
    assert all("staff" not in a and a["roster"] for a in data["agents"])
    # every agent of the plan is there once: shifts x count
    entries = roster_entries(sc, plan)
    for g in sc.group_names:
        planned = int(plan.shifts.loc[plan.shifts["group"] == g, "count"].sum())
        assert sum(e["count"] for e in entries[g]) == planned
    # breaks carried: the schedule has breaks on its long shifts
    assert any("breaks" in e for es in entries.values() for e in es)


def test_a_weekly_roster_simulated_as_agents_has_the_rostered_staff() -> None:
    days = 7
    data = {
        "name": "handoff week", "interval_minutes": 60, "start": "00:00",
        "channels": {"phone": {"kind": "voice", "volume": ([0] * 8 + [30] * 10 + [0] * 6) * days,
                               "aht": 300, "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": "a", "skills": ["phone"], "staff": 0}],
        "shifts": {"a": {"earliest_start": "06:00", "latest_start": "12:00", "every_minutes": 60,
                         "lengths_hours": [8], "cost_per_hour": 20.0,
                         "break": {"minutes": 60, "paid": False, "earliest": 120, "latest": 300}}},
    }
    sc = wfm.Scenario.from_dict(data)
    need = {"a": np.array(([0] * 8 + [3] * 10 + [0] * 6) * days, dtype=float)}
    r = weekly_roster(sc, need, roster_rules={"contracts": {"ft": {}}}, time_limit=30)
    rostered = with_shifts(sc, r)
    entries = rostered.to_dict()["agents"][0]["roster"]
    assert sum(e["count"] for e in entries) == len(r.shifts)  # one entry per agent-day
    assert any(e["start"].startswith("d7 ") for e in entries)  # the last day is there
    res = wfm.simulate(rostered, seed=1)
    assert (_staff(res, "a") == r.staff()["a"]).all()


def test_groups_the_plan_leaves_out_keep_their_staff() -> None:
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    plan = schedule(sc, {"voice": [2] * 8 + [0] * 16}, time_limit=5)
    rostered = with_shifts(sc, plan)
    agents = {a["group"]: a for a in rostered.to_dict()["agents"]}
    assert agents["voice"]["roster"] == [{"start": "08:00", "end": "12:00", "breaks": [], "count": 2}]
    # blended and digital were in the plan's coverage with no shift: nobody on duty
    assert agents["blended"]["staff"] == 0 and agents["digital"]["staff"] == 0


def test_not_a_plan_is_refused() -> None:
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    with pytest.raises(TypeError, match="plan must be a wfm Schedule or Roster, not dict"):
        roster_entries(sc, {"voice": [1]})  # type: ignore[arg-type]


def test_the_roster_command_writes_the_rostered_scenario_and_checks_it(tmp_path) -> None:
    from typer.testing import CliRunner

    from wfm.cli.main import app

    day = [0] * 8 + [30] * 10 + [0] * 6
    sc = wfm.Scenario.from_dict({
        "name": "cli week", "interval_minutes": 60, "start": "00:00",
        "channels": {"phone": {"kind": "voice", "volume": day * 3, "aht": 300,
                               "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": "a", "skills": ["phone"], "staff": 0}],
        "shifts": {"a": {"earliest_start": "06:00", "latest_start": "12:00", "lengths_hours": [8],
                         "every_minutes": 60}},
    })
    src = tmp_path / "week.yaml"
    sc.to_yaml(src)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["roster", str(src), "--out", str(out), "--simulate", "2",
                                   "--time-limit", "20"])
    assert res.exit_code == 0, res.output
    assert "simulated agent by agent (2 replication(s), seed 0)" in res.output
    assert "rostered.yaml" in res.output
    rostered = wfm.load_scenario(out / "rostered.yaml")
    assert "roster" in rostered.to_dict()["agents"][0]
    shifts = pd.read_csv(out / "coverage.csv")
    staff = _staff(wfm.simulate(rostered, seed=0), "a")
    assert (staff == shifts.sort_values("interval")["scheduled"].to_numpy()).all()
    bad = CliRunner().invoke(app, ["roster", str(src), "--simulate", "-1"])
    assert bad.exit_code == 2 and "--simulate" in bad.output

"""Weekly rosters (wfm.scheduling.weekly_roster): every rule checked agent by agent on
the roster's own tables by an independent checker, shortfall statements, costs, inputs,
the CLI and the week view.

Small weeks of 60-minute intervals (168 intervals) so that each HiGHS solve takes about a
second.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import wfm
from wfm.cli.main import app
from wfm.errors import InputError, ScenarioError
from wfm.report.capacity import roster_week_figure, write_roster_report
from wfm.scheduling import (
    Roster,
    RosterRules,
    SolverStatus,
    load_roster_rules,
    roster_rules,
    weekly_roster,
)
from wfm.scheduling.roster import horizon_days, pattern_text, shortfall_statement, week_patterns

DAY = 24


def week_scenario(days=7, shifts=None, groups=("a",), start="00:00"):
    data = {
        "name": "roster test",
        "interval_minutes": 60,
        "start": start,
        "channels": {"phone": {"kind": "voice", "volume": [0] * (DAY * days), "aht": 300,
                               "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": g, "skills": ["phone"], "staff": 0} for g in groups],
    }
    if shifts is not None:
        data["shifts"] = shifts
    return wfm.Scenario.from_dict(data)


RULE = {"earliest_start": "06:00", "latest_start": "12:00", "every_minutes": 60, "lengths_hours": [4, 6, 8],
        "cost_per_hour": 20.0,
        "break": {"minutes": 60, "paid": False, "earliest": 120, "latest": 300, "min_shift_hours": 6}}


def daily(profile, days=7, scale=None):
    """A requirement per interval: ``profile`` (24 values) every day, scaled by day."""
    scale = scale or [1.0] * days
    return np.concatenate([np.round(np.asarray(profile, dtype=float) * k) for k in scale])


PROFILE = [0] * 7 + [2, 3, 4, 4, 4, 3, 3, 4, 4, 3, 2, 2, 1] + [0] * 4


# ---------------------------------------------------------------------- the checker
def check_roster(r: Roster, sc: wfm.Scenario, rules: RosterRules, req: Mapping[str, Any]) -> None:
    """Every rule of docs/guides/rosters.md, checked on the roster's tables."""
    lm = sc.interval_minutes
    rule_of = wfm.scheduling.shift_rules(sc)
    days = horizon_days(sc)
    sh = r.shifts
    agents = r.agents.set_index("agent")
    assert sh["agent"].isin(agents.index).all()
    for name, a in agents.iterrows():
        c = rules.contracts[a["contract"]]
        mine = sh[sh["agent"] == name].sort_values("start_minute")
        br = rule_of[a["group"]].break_
        # one shift per day, on the pattern's days
        assert mine["day"].is_unique
        worked = {int(d) - 1 for d in mine["day"]}
        assert worked == {d for d in range(days) if a["pattern"][d % 7] != "-"}
        # days per week and consecutive days off (the week read as a cycle)
        on = sum(ch != "-" for ch in a["pattern"])
        assert c.min_days <= on <= c.max_days
        off = [ch == "-" for ch in a["pattern"]]
        if rules.consecutive_days_off:
            run = rules.consecutive_days_off
            assert any(all(off[(s + i) % 7] for i in range(run)) for s in range(7)), a["pattern"]
        # one shift length, allowed by the contract
        lengths = {(e - s) / 60 for s, e in zip(mine["start_minute"], mine["end_minute"], strict=True)}
        assert len(lengths) == 1 and lengths == {a["length_hours"]}
        if c.lengths_hours is not None:
            assert a["length_hours"] in c.lengths_hours
        # paid hours per week within the contract
        for w0 in range(0, days, 7):
            week = mine[(mine["day"] > w0) & (mine["day"] <= w0 + 7)]
            if days - w0 >= 7:
                assert c.min_hours - 1e-9 <= week["paid_hours"].sum() <= c.max_hours + 1e-9
        # start-time stability
        clock = (sc.start_seconds // 60 + mine["start_minute"]) % 1440
        assert clock.max() - clock.min() <= rules.start_window_hours * 60
        # rest between consecutive shifts
        gaps = mine["start_minute"].to_numpy()[1:] - mine["end_minute"].to_numpy()[:-1]
        assert (gaps >= rules.rest_hours * 60).all(), (name, gaps)
        # breaks in the rule's window, whole intervals, inside the shift
        for row in mine.itertuples(index=False):
            length_h = (row.end_minute - row.start_minute) / 60
            if br.minutes and length_h >= br.min_shift_hours:
                offset = row.break_start_minute - row.start_minute
                assert br.earliest <= offset <= br.latest and offset >= lm
                assert row.break_end_minute - row.break_start_minute == br.minutes
                assert row.break_end_minute <= row.end_minute - lm
                assert row.paid_hours == pytest.approx(length_h - (0 if br.paid else br.minutes / 60))
            else:
                assert pd.isna(row.break_start_minute) and row.break_start is None
                assert row.paid_hours == pytest.approx(length_h)
        # minutes and intervals agree (the engine hand-off)
        assert (mine["start_minute"] == mine["start_interval"] * lm).all()
        assert (mine["end_minute"] == mine["end_interval"] * lm).all()
    # contract shares per group
    for _g, part in r.agents.groupby("group"):
        n = len(part)
        for cname, c in rules.contracts.items():
            k = int((part["contract"] == cname).sum())
            assert c.min_share * n - 1e-9 <= k <= c.max_share * n + 1e-9
    # coverage rebuilt from the shifts
    for g in r.coverage["group"].unique():
        on_floor = np.zeros(sc.horizon, dtype=int)
        for row in sh[sh["group"] == g].itertuples(index=False):
            on_floor[row.start_interval:row.end_interval] += 1
            if not pd.isna(row.break_start_minute):
                on_floor[int(row.break_start_minute) // lm:int(row.break_end_minute) // lm] -= 1
        cov = r.coverage[r.coverage["group"] == g].sort_values("interval")
        assert (cov["scheduled"].to_numpy() == on_floor).all()
        need = np.asarray(req[g], dtype=float)
        assert (cov["required"].to_numpy() == need).all()
        short = cov["shortfall"].to_numpy()
        assert short == pytest.approx(np.maximum(need - on_floor, 0))
        # coverage >= requirement wherever no shortfall is reported
        assert (on_floor[short == 0] >= need[short == 0]).all()
    # cost = paid hours x wage (+ the overtime premium)
    for name, a in agents.iterrows():
        c = rules.contracts[a["contract"]]
        assert a["paid_hours"] == pytest.approx(sh.loc[sh["agent"] == name, "paid_hours"].sum())
        premium = c.overtime_premium * a["overtime_hours"]
        assert a["cost"] == pytest.approx(a["wage_per_hour"] * (a["paid_hours"] + premium))
    ag = r.agents
    premiums = [rules.contracts[c].overtime_premium for c in ag["contract"]]
    expected = (ag["wage_per_hour"] * (ag["paid_hours"] + np.array(premiums) * ag["overtime_hours"])).sum()
    assert r.cost == pytest.approx(float(expected))
    assert r.paid_hours == pytest.approx(sh["paid_hours"].sum())
    assert r.headcount["agents"].sum() == len(r.agents)
    assert r.headcount["cost"].sum() == pytest.approx(r.cost)
    assert r.fte == pytest.approx(r.paid_hours / (rules.fte_hours * days / 7))


# ---------------------------------------------------------------------- rules hold
MIX = {
    "contracts": {
        "full_time": {"min_days": 5, "max_days": 5, "lengths_hours": [8], "min_share": 0.5},
        "part_time": {"min_days": 4, "max_days": 5, "lengths_hours": [6], "min_hours": 15, "max_hours": 30,
                      "max_share": 0.5},
    },
    "wages": {"a": {"full_time": 20.0, "part_time": 18.0}},
}
# part time on 3 to 5 days of any length: five times the patterns, a much harder model
RICH = {**MIX, "contracts": {**MIX["contracts"], "part_time": {"min_days": 3, "max_days": 5, "min_hours": 15,
                                                               "max_hours": 30, "max_share": 0.5}}}
WEEK = [1, 1, 1.2, 1, 1.3, 0.6, 0.5]


def test_rules_hold_on_a_small_week():
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE, scale=WEEK)}
    r = weekly_roster(sc, need, roster_rules=MIX, time_limit=30, gap=0.0)
    rules = roster_rules(MIX)
    assert r.status == SolverStatus.OPTIMAL and r.optimal and r.gap == 0
    assert r.shortfall == 0
    assert set(r.agents["contract"]) == {"full_time", "part_time"}
    check_roster(r, sc, rules, need)
    # the wages are the group's per contract
    assert set(zip(r.agents["contract"], r.agents["wage_per_hour"], strict=True)) == {
        ("full_time", 20.0), ("part_time", 18.0)}


def test_rules_hold_when_the_time_limit_stops_the_solver():
    """The rich part-time contract (3 to 5 days, any length) stopped after 2 s: a roster
    that keeps every rule, with its gap reported."""
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE, scale=WEEK)}
    r = weekly_roster(sc, need, roster_rules=RICH, time_limit=2, gap=0.0)
    check_roster(r, sc, roster_rules(RICH), need)
    assert r.shortfall == 0 and (r.status == SolverStatus.TIME_LIMIT) == (not r.optimal)
    assert r.optimal or r.gap > 0


@pytest.mark.slow
def test_rules_hold_on_the_rich_contracts_solved_to_one_percent():
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE, scale=WEEK)}
    r = weekly_roster(sc, need, roster_rules=RICH, time_limit=120, gap=0.01)
    check_roster(r, sc, roster_rules(RICH), need)
    assert r.optimal and r.gap <= 0.01
    mix = weekly_roster(sc, need, roster_rules=MIX, time_limit=60, gap=0.0)
    assert r.cost <= mix.cost * 1.01  # more freedom is never dearer (within the gap)


def test_rest_holds_with_a_wide_start_window():
    """A 12-hour start window would let an agent end at 22:00 and start at 06:00: the
    window is narrowed to 24 - rest - length hours, so the rest always holds."""
    rule = {**RULE, "earliest_start": "06:00", "latest_start": "18:00", "lengths_hours": [8]}
    sc = week_scenario(shifts={"a": rule})
    prof = [0] * 6 + [2] * 16 + [0] * 2
    need = {"a": daily(prof)}
    rules = {"contracts": {"ft": {"min_days": 5, "max_days": 5}}, "start_window_hours": 12}
    r = weekly_roster(sc, need, roster_rules=rules, time_limit=30)
    check_roster(r, sc, roster_rules(rules), need)
    spread = r.agents.apply(lambda a: int(a["last_start"][:2]) - int(a["first_start"][:2]), axis=1)
    assert spread.max() <= 24 - 11 - 8


def test_two_week_horizon_repeats_the_pattern():
    sc = week_scenario(days=14, shifts={"a": {**RULE, "lengths_hours": [8]}})
    need = {"a": daily(PROFILE, days=14)}
    rules = {"contracts": {"ft": {"min_days": 5, "max_days": 5, "min_hours": 35, "max_hours": 35}}}
    r = weekly_roster(sc, need, roster_rules=rules, time_limit=30)
    check_roster(r, sc, roster_rules(rules), need)
    assert (r.agents["days"] == 10).all() and r.weeks == 2
    assert r.fte == pytest.approx(r.paid_hours / 80)


def test_horizon_shorter_than_a_week_is_the_start_of_weekly_patterns():
    sc = week_scenario(days=1, shifts={"a": {**RULE, "lengths_hours": [8]}})
    r = weekly_roster(sc, {"a": PROFILE}, roster_rules={"contracts": {"ft": {}}}, time_limit=10)
    assert horizon_days(sc) == 1 and r.shortfall == 0
    assert (r.agents["days"] == 1).all() and (r.agents["pattern"].str[0] == "1").all()


# ---------------------------------------------------------------------- shortfall
def test_infeasible_headcount_gives_a_roster_and_a_clear_statement():
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE)}
    rules = {**MIX, "max_headcount": {"a": 3}}
    r = weekly_roster(sc, need, roster_rules=rules, time_limit=5, gap=0.05)
    assert len(r.agents) == 3 and r.shortfall > 0
    check_roster(r, sc, roster_rules(rules), need)
    text = r.statement()
    assert text.startswith("shortfall: a ") and "agent-intervals" in text and "agent-hours" in text
    short = r.coverage[r.coverage["shortfall"] > 0]
    assert f"{short['shortfall'].sum():g} agent-intervals" in text


def test_rules_no_shift_can_meet_leave_everything_short():
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE)}
    r = weekly_roster(sc, need, roster_rules={"contracts": {"ft": {"lengths_hours": [10]}}})
    assert r.status == SolverStatus.NO_SHIFT and r.agents.empty
    assert r.shortfall == pytest.approx(need["a"].sum())
    assert r.statement().startswith("shortfall: a ")


def test_requirement_outside_every_shift_is_short_and_the_rest_covered():
    sc = week_scenario(shifts={"a": {**RULE, "lengths_hours": [4]}})
    prof = [1] * 3 + [0] * 3 + [2] * 10 + [0] * 8  # 00:00-03:00 no shift reaches
    need = {"a": daily(prof)}
    r = weekly_roster(sc, need, roster_rules={"contracts": {"pt": {"min_days": 1, "max_days": 7}},
                                              "consecutive_days_off": 0}, time_limit=20)
    short = r.coverage.set_index("interval")["shortfall"]
    night = [d * DAY + h for d in range(7) for h in range(3)]
    assert (short.loc[night] == 1).all() and short.drop(night).sum() == 0
    assert "00:00-03:00" in r.statement()


def test_statement_without_shortfall():
    cov = pd.DataFrame({"interval": [0], "start": ["08:00"], "group": ["a"], "required": [1.0],
                        "scheduled": [1], "shortfall": [0.0]})
    assert shortfall_statement(cov, 30) == "no shortfall: every interval is covered"


# ---------------------------------------------------------------------- costs
def test_overtime_premium_and_wages():
    """One agent needed 8 hours every day, at most one agent: a 6-day contract with
    overtime after 40 paid hours gives 48 hours, 8 of them at time and a half."""
    sc = week_scenario(shifts={"a": {**RULE, "lengths_hours": [8], "break": {"minutes": 0}}})
    need = {"a": daily([0] * 8 + [1] * 8 + [0] * 8)}
    rules = {"contracts": {"six": {"min_days": 6, "max_days": 6, "overtime_after_hours": 40,
                                   "overtime_premium": 0.5, "wage_per_hour": 30}},
             "consecutive_days_off": 1, "max_headcount": {"a": 1}}
    r = weekly_roster(sc, need, roster_rules=rules, time_limit=20)
    a = r.agents.iloc[0]
    assert (len(r.agents), a["days"], a["paid_hours"], a["overtime_hours"]) == (1, 6, 48.0, 8.0)
    assert a["cost"] == 30 * (48 + 0.5 * 8) == r.cost
    check_roster(r, sc, roster_rules(rules), need)
    assert r.shortfall == 8  # the seventh day


def test_wage_precedence():
    rules = RosterRules(contracts={"ft": {"wage_per_hour": 19.0}, "pt": {}}, wages={"b": 30.0, "c": {"pt": 12.0}})
    assert rules.wage("a", "ft", 25.0) == 19.0  # the contract's wage
    assert rules.wage("a", "pt", 25.0) == 25.0  # the shift rule's cost_per_hour
    assert rules.wage("b", "ft", 25.0) == 30.0  # the group's wage
    assert rules.wage("c", "pt", 25.0) == 12.0 and rules.wage("c", "ft", 25.0) == 19.0


def test_least_cost_on_a_tiny_case():
    """Two agents needed 08:00-16:00 on days 1 to 5: two full-time agents on 12345--."""
    sc = week_scenario(shifts={"a": {"starts": ["08:00"], "lengths_hours": [8], "cost_per_hour": 20,
                                     "break": {"minutes": 0}}})
    need = {"a": np.concatenate([daily([0] * 8 + [2] * 8 + [0] * 8, days=5), np.zeros(48)])}
    r = weekly_roster(sc, need, roster_rules={"contracts": {"full_time": {}}}, gap=0.0)
    assert r.cost == 1600.0 and (r.agents["pattern"] == "12345--").all()


# ---------------------------------------------------------------------- patterns, inputs
def test_week_patterns():
    five = week_patterns(5, 5, 2)
    assert len(five) == 7 and all(bin(m).count("1") == 5 for m in five)
    assert pattern_text(five[0]) == "12345--"
    assert "1-3-5-7" not in {pattern_text(m) for m in week_patterns(4, 4, 2)}
    assert len(week_patterns(0, 7, 0)) == 128
    assert week_patterns(7, 7, 1) == []


@pytest.mark.parametrize("rules, message", [
    ({"contracts": {"x": {"min_days": 8}}}, "roster.contracts.x.min_days: must be <= 7 (got 8)"),
    ({"contracts": {"x": {"min_hours": 30, "max_hours": 20}}},
     "roster.contracts.x.max_hours: must not be below min_hours (got 20 < 30)"),
    ({"contracts": {"x": {"min_share": 1.5}}}, "roster.contracts.x.min_share: must be <= 1 (got 1.5)"),
    ({"rest_hour": 11}, "roster.rest_hour: is not a known key"),
    ({"contracts": {}}, "roster.contracts"),
    ({"wages": {"b": 20}}, "roster.wages.b: names no agent group (groups: a)"),
    ({"wages": {"a": {"night": 20}}}, "roster.wages.a.night: names no contract (contracts: full_time, part_time)"),
    ({"contracts": {"x": {"lengths_hours": [7.5]}}},
     "roster.contracts.x.lengths_hours[0]: 7.5 h is not a whole number of 60-minute intervals"),
    ({"contracts": {"x": {"min_days": 6, "max_days": 6}}},
     "roster.contracts.x.min_days: 6 working days leave 1 days off a week, fewer than consecutive_days_off (2)"),
    ({"groups": ["z"]}, "roster.groups: 'z' names no agent group"),
])
def test_bad_rules_name_field_value_and_problem(rules, message):
    sc = week_scenario(shifts={"a": RULE})
    with pytest.raises(InputError) as err:
        weekly_roster(sc, {"a": daily(PROFILE)}, roster_rules=rules)
    assert message in str(err.value)


def test_bad_arguments():
    sc = week_scenario(shifts={"a": RULE})
    with pytest.raises(ValueError, match="time_limit must be a number of seconds > 0"):
        weekly_roster(sc, {"a": 1}, time_limit=0)
    with pytest.raises(ValueError, match=r"gap must be in \[0, 1\)"):
        weekly_roster(sc, {"a": 1}, gap=1)
    with pytest.raises(ValueError, match="shortfall_penalty must be a number > 0"):
        weekly_roster(sc, {"a": 1}, shortfall_penalty=-1)
    with pytest.raises(ValueError, match=r"requirements\['a'\]: has 3 values but the horizon is 168"):
        weekly_roster(sc, {"a": [1, 2, 3]})
    with pytest.raises(ScenarioError, match="shifts.a.cost_per_hour"):
        weekly_roster(sc, {"a": 1}, rules={"a": {"cost_per_hour": 0}})
    with pytest.raises(TypeError):
        weekly_roster("scenario.yaml")  # type: ignore[arg-type]


def test_roster_rules_file(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text("rest_hours: 12\ncontracts:\n  ft: {lengths_hours: [8], min_share: 0.5}\nwages: {a: 21}\n")
    rules = load_roster_rules(p)
    assert rules.rest_hours == 12 and rules.contracts["ft"].min_share == 0.5 and rules.wages == {"a": 21.0}
    p.write_text("contracts:\n  ft: {min_days: five}\n")
    with pytest.raises(ScenarioError, match=r"rules.yaml: roster.contracts.ft.min_days: must be a whole number"):
        load_roster_rules(p)


def test_groups_and_staff():
    sc = week_scenario(shifts={"a": RULE, "b": RULE}, groups=("a", "b"))
    need = {"a": daily(PROFILE), "b": daily(PROFILE)}
    r = weekly_roster(sc, need, roster_rules={**MIX, "wages": {}, "groups": ["b"]}, time_limit=5, gap=0.05)
    assert set(r.agents["group"]) == {"b"} and set(r.coverage["group"]) == {"b"}
    staff = r.staff()
    assert list(staff) == ["b"] and len(staff["b"]) == sc.horizon
    assert (staff["b"] == r.coverage["scheduled"].to_numpy()).all()
    summary = r.summary()
    assert summary["agents"].tolist() == [len(r.agents)] and summary["shortfall"].tolist() == [0.0]


# ---------------------------------------------------------------------- views, CLI
def test_week_view_and_figure(tmp_path):
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE)}
    r = weekly_roster(sc, need, roster_rules=MIX, time_limit=5, gap=0.05)
    week = r.week_view()
    assert list(week.columns) == ["agent", "group", "contract"] + [f"day {d}" for d in range(1, 8)]
    first = r.shifts.iloc[0]
    text = week.loc[week["agent"] == first["agent"], f"day {first['day']}"].iloc[0]
    assert text.startswith(f"{first['start'][-5:]}-")
    worked = (week.iloc[:, 3:] != "").sum(axis=1).to_numpy()
    assert (worked == r.agents["days"].to_numpy()).all()
    fig = roster_week_figure(r)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (len(r.agents), sc.horizon)
    assert (z == 1).sum() + (z == 0.5).sum() == (r.shifts["end_interval"] - r.shifts["start_interval"]).sum()
    paths = write_roster_report(r, tmp_path)
    assert [p.name for p in paths] == ["agents.csv", "shifts.csv", "week.csv", "coverage.csv", "headcount.csv",
                                       "report.html"]
    back = pd.read_csv(tmp_path / "shifts.csv")
    assert back["start_minute"].tolist() == r.shifts["start_minute"].tolist()


def test_cli_roster(tmp_path):
    sc = week_scenario(shifts={"a": RULE})
    vol = daily([0] * 7 + [30, 45, 60, 60, 60, 45, 45, 60, 60, 45, 30, 30, 15] + [0] * 4)
    sc = sc.with_values({"channels.phone.volume": vol.tolist()})
    path = tmp_path / "week.yaml"
    sc.to_yaml(path)
    rules = tmp_path / "rules.yaml"
    rules.write_text("contracts:\n  full_time: {lengths_hours: [8], min_share: 0.5}\n"
                     "  part_time: {min_days: 3, max_days: 5, min_hours: 15, max_hours: 30}\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["roster", str(path), "--rules", str(rules), "--out", str(out),
                                   "--time-limit", "5", "--gap", "0.05"])
    assert res.exit_code == 0, res.output
    assert "roster of 7 day(s)" in res.output and "full_time" in res.output and "total" in res.output
    for name in ("agents.csv", "shifts.csv", "week.csv", "coverage.csv", "headcount.csv", "report.html"):
        assert (out / name).is_file(), name
    # bad rules: 2; unwritable output: 4
    rules.write_text("contracts:\n  full_time: {min_days: 9}\n")
    res = CliRunner().invoke(app, ["roster", str(path), "--rules", str(rules)])
    assert res.exit_code == 2 and "roster.contracts.full_time.min_days: must be <= 7 (got 9)" in res.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["roster", str(path), "--out", str(blocker)])
    assert res.exit_code == 4


def test_time_limit_still_gives_a_roster():
    """A time limit too short for HiGHS still returns a roster that keeps every rule (the
    greedy start) and covers what it can."""
    sc = week_scenario(shifts={"a": RULE})
    need = {"a": daily(PROFILE, scale=[2, 2, 2, 2, 2, 1, 1])}
    r = weekly_roster(sc, need, roster_rules=RICH, time_limit=0.05)
    check_roster(r, sc, roster_rules(RICH), need)
    assert math.isfinite(r.cost) and r.shortfall == 0

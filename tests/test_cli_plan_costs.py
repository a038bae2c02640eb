"""``wfm plan`` shows money, FTE and the lower bound (issue 15, item 2): the cost table in
the scenario's currency, the lower bound and its gap, the agent-intervals each round adds
and removes, ``costs.csv`` with ``--out`` and the cost section of the plan report."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from scenario_texts import PRICED  # two groups, wages in US dollars, 20% shrinkage on voice
from typer.testing import CliRunner

import wfm
from wfm.cli.main import app
from wfm.planning import COST_COLUMNS
from wfm.report import write_plan_report
from wfm.report.schedule import iterations_display, lower_bound_text, money_text, plan_costs_display

ROOT = Path(__file__).resolve().parents[1]
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("priced") / "priced.yaml"
    path.write_text(PRICED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline_run(runner: CliRunner, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("baseline_plan")
    res = runner.invoke(app, ["plan", str(ROOT / "scenarios" / "baseline.yaml"), "--max-iterations", "2",
                              "--replications", "1", "--out", str(out)], env=ENV)
    return res, out


@pytest.fixture(scope="module")
def priced_run(runner: CliRunner, priced: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("priced_plan")
    res = runner.invoke(app, ["plan", str(priced), "--max-iterations", "2", "--replications", "1",
                              "--time-limit", "10", "--out", str(out)], env=ENV)
    return res, out


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_baseline_plan_prints_costs_bound_and_rounds(baseline_run):
    res, out = baseline_run
    assert res.exit_code in (0, 1), res.output
    text = res.output
    assert "money and FTE" in text and "FTE: 40 paid hours per 7-day week" in text
    # the cost table: a row per group and the total, no currency named
    table = text.split("money and FTE")[1].split("lower bound")[0]
    for g in ("voice", "blended", "digital", "total"):
        assert re.search(rf"│ {g}\s+│", table), table
    assert "paid hours" in table and "FTE" in table and "cost" in table
    assert "USD" not in table and "EUR" not in table
    # the lower bound and its gap
    flat = _flat(text)
    m = re.search(r"lower bound ([\d,.]+) \(LP relaxation.*?the shifts cost ([\d,.]+): gap ([\d.]+)%", flat)
    assert m, flat
    bound, cost, gap = (float(x.replace(",", "")) for x in m.groups())
    assert 0 < bound <= cost
    assert gap == pytest.approx(100 * (cost - bound) / cost, abs=0.06)
    # each round says the agent-intervals it adds and removes for the next
    rounds = [line for line in text.splitlines() if line.startswith("round ")]
    assert len(rounds) == 2
    assert all(re.search(r"\| \+\d+ -\d+ agent-intervals next", line) for line in rounds), rounds


def test_baseline_plan_writes_costs_csv(baseline_run):
    res, out = baseline_run
    assert f"wrote {out / 'costs.csv'}" in _flat(res.output)
    costs = pd.read_csv(out / "costs.csv")
    assert costs.columns.tolist() == COST_COLUMNS
    assert costs["group"].tolist() == ["voice", "blended", "digital", "total"]
    assert costs["paid_hours"].iloc[-1] == pytest.approx(costs["paid_hours"].iloc[:-1].sum())
    it = pd.read_csv(out / "iterations.csv")
    assert {"added", "removed", "undone", "confirms"} <= set(it.columns)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Money, paid hours and FTE" in html and "Cost against the lower bound" in html


def test_priced_plan_in_dollars_with_shrinkage(priced_run):
    res, out = priced_run
    assert res.exit_code in (0, 1), res.output
    text = res.output
    table = text.split("money and FTE")[1].split("lower bound")[0]
    assert "cost (USD)" in table
    assert re.search(r"lower bound [\d,.]+ USD .*the shifts cost [\d,.]+ USD: gap", _flat(text))
    costs = pd.read_csv(out / "costs.csv")
    c = costs.set_index("group")
    # 20% shrinkage: paid hours are the shift hours / 0.8, money at 25 USD per paid hour
    assert c.at["voice", "shrinkage"] == pytest.approx(0.2)
    assert c.at["voice", "paid_hours"] == pytest.approx(c.at["voice", "shift_hours"] / 0.8)
    assert c.at["voice", "cost"] == pytest.approx(25.0 * c.at["voice", "paid_hours"])
    assert c.at["back", "cost"] == pytest.approx(18.0 * c.at["back", "shift_hours"])
    assert (costs["currency"] == "USD").all()
    # one FTE: 40 paid hours per 7-day week, so a one-day plan's FTE = paid hours / (40 / 7)
    assert c.at["total", "fte"] == pytest.approx(c.at["total", "paid_hours"] / (40 / 7))
    # the table shows those numbers in the currency
    row = next(line for line in table.splitlines() if line.startswith("│ voice"))
    assert f"{c.at['voice', 'paid_hours']:,.1f} h" in row
    assert f"{c.at['voice', 'fte']:,.2f}" in row
    # the report's cost section names the currency
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "cost (USD)" in html and "wage (USD per hour)" in html
    # rounds state their cost in the currency
    assert all(" USD, " in line for line in text.splitlines() if line.startswith("round "))


def test_fte_hours_option(runner: CliRunner, priced: Path, tmp_path: Path):
    res = runner.invoke(app, ["plan", str(priced), "--max-iterations", "1", "--replications", "1",
                              "--time-limit", "10", "--fte-hours", "35", "--out", str(tmp_path)], env=ENV)
    assert res.exit_code in (0, 1), res.output
    assert "FTE: 35 paid hours per 7-day week" in res.output
    costs = pd.read_csv(tmp_path / "costs.csv").set_index("group")
    assert costs.at["total", "fte"] == pytest.approx(costs.at["total", "paid_hours"] / 5.0)
    bad = runner.invoke(app, ["plan", str(priced), "--fte-hours", "0"], env=ENV)
    assert bad.exit_code == 2
    assert "--fte-hours" in bad.output


def test_plan_report_has_the_cost_section(tmp_path: Path):
    sc = wfm.Scenario.from_yaml(PRICED)
    res = wfm.plan(sc, seed=0, replications=1, max_iterations=1, time_limit=10)
    paths = write_plan_report(res, tmp_path)
    assert tmp_path / "costs.csv" in paths
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Money, paid hours and FTE" in html
    assert "Cost against the lower bound" in html
    assert lower_bound_text(res.cost, res.lower_bound, "USD").split(";")[0] in html
    assert "added" in html and "removed" in html


def test_display_helpers():
    assert money_text(1234.4, "EUR") == "1,234 EUR"
    assert money_text(12.5, None) == "12.50"
    assert lower_bound_text(100.0, math.nan) == "lower bound: not computed"
    text = lower_bound_text(200.0, 150.0, "GBP")
    assert "150.00 GBP" in text and "200.00 GBP" in text and "gap 25.0%" in text
    costs = pd.DataFrame({"group": ["a", "total"], "agents": [3, 3], "shift_hours": [12.0, 12.0],
                          "shrinkage": [0.0, 0.0], "paid_hours": [12.0, 12.0], "fte": [2.1, 2.1],
                          "wage": [1.0, 1.0], "cost": [12.0, 12.0], "currency": [None, None]})
    shown = plan_costs_display(costs)
    assert shown.columns.tolist() == ["group", "agents", "shift hours", "shrinkage", "paid hours", "FTE",
                                      "wage (per hour)", "cost"]
    it = pd.DataFrame({"iteration": [1, 2], "cost": [10.0, 9.0], "shortfall": [0, 0], "optimal": [True, True],
                       "gap": [0.0, 0.0], "solve_seconds": [0.1, 0.1], "met": [True, True], "missed": ["", ""],
                       "score": [0.0, 0.0], "added": [0, 0], "removed": [4, 0], "undone": [0, 2],
                       "confirms": [0, 1]})
    d = iterations_display(it)
    assert d["removed"].tolist() == ["4", "-"]
    assert d["undone"].tolist() == ["-", "2"]
    assert d["confirms round"].tolist() == ["-", "1"]


def test_large_switches_the_scale_options_on(runner: CliRunner, priced: Path, tmp_path: Path, monkeypatch):
    """``--large`` passes warm starts, the sequential check, escalation and early
    confirmation to wfm.plan (each round's iterations row says how many replications
    it simulated)."""
    seen = {}
    real = wfm.planning.plan

    def spy(*args, **kwargs):
        seen.update({k: kwargs.get(k) for k in ("warm_start", "sequential", "escalate", "confirm_first")})
        return real(*args, **kwargs)

    monkeypatch.setattr(wfm.planning, "plan", spy)
    res = runner.invoke(app, ["plan", str(priced), "--max-iterations", "2", "--replications", "2",
                              "--time-limit", "10", "--large", "--out", str(tmp_path)], env=ENV)
    assert res.exit_code in (0, 1), res.output
    assert seen == {"warm_start": True, "sequential": True, "escalate": True, "confirm_first": True}
    it = pd.read_csv(tmp_path / "iterations.csv")
    assert "replications" in it.columns and (it["replications"] <= 2).all()

"""Long-term capacity (wfm.capacity): lead time, ramp, attrition, class sizes, costs,
shortfall statements, inputs, the CLI and the figure.

Every plan here is a small MIP (tens of periods) solved by HiGHS in well under a
second. Expected plans are derived by hand from the model's definitions (stated in
each test), and one tiny case is checked against brute force.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.capacity import (
    WEEKS_PER_MONTH,
    CapacitySpec,
    forecast_requirement,
    load_capacity,
    period_productivity,
    plan_capacity,
    read_requirement,
)
from wfm.cli.main import app
from wfm.errors import InputError, ScenarioError
from wfm.report.capacity import capacity_figure, write_capacity_report

STEP = 20  # the period (0-based) in which the requirement steps up


def step_requirement(before=50.0, after=60.0, periods=30):
    return [before] * STEP + [after] * (periods - STEP)


# ---------------------------------------------------------------------- lead time and ramp
@pytest.mark.parametrize("recruiting, training", [(3, 2), (0, 4), (6, 0), (1, 1)])
def test_hires_exactly_the_lead_time_before_a_step(recruiting, training):
    """No ramp: a class works from its first day after training. The cheapest plan that
    covers the step starts the class (first paid day) `training` weeks before the step
    and recruits `recruiting + training` weeks (the lead time) before it: earlier costs
    salary, later leaves the step short."""
    plan = plan_capacity(step_requirement(), headcount=50,
                         hiring={"recruiting_weeks": recruiting, "training_weeks": training},
                         costs={"salary": 700, "hire": 2000}, gap=0.0)
    assert plan.shortfall == 0
    assert plan.classes["hires"].tolist() == [10]
    cls = plan.classes.iloc[0]
    assert cls["start_period"] == STEP - training
    hires = plan.periods["hires"].to_numpy()
    recruiting_col = plan.periods["recruiting"].to_numpy()
    assert np.flatnonzero(hires).tolist() == [STEP - training]
    assert np.flatnonzero(recruiting_col).tolist() == [STEP - training - recruiting]
    assert cls["on_floor"] == plan.periods["label"][STEP]
    # effective FTE meets the requirement from the step on, exactly
    eff = plan.periods["effective"].to_numpy()
    assert np.allclose(eff[STEP:], 60) and np.allclose(eff[:STEP], 50)


def test_ramp_is_paid_for_before_the_step():
    """With a ramp of k weeks (productivity 0.25, 0.5, 0.75, then 1), the cheapest plan
    puts the class on the floor k weeks before the step, so it is fully productive when
    the step comes: its first paid day is training + k weeks before the step and its
    recruiting starts lead time + k weeks before (the stated rule: lead time plus ramp)."""
    ramp = [0.25, 0.5, 0.75]
    plan = plan_capacity(step_requirement(), headcount=50,
                         hiring={"recruiting_weeks": 3, "training_weeks": 2, "ramp": ramp},
                         costs={"salary": 700, "hire": 2000}, gap=0.0)
    assert plan.shortfall == 0
    assert plan.classes["hires"].tolist() == [10]
    start = int(plan.classes["start_period"].iloc[0])
    assert start == STEP - 2 - len(ramp)
    assert plan.classes["full"].iloc[0] == plan.periods["label"][STEP]
    eff = plan.periods["effective"].to_numpy()
    assert eff[STEP - 3:STEP].tolist() == pytest.approx([52.5, 55.0, 57.5])


def test_productivity_profile():
    assert period_productivity(2, [0.25, 0.5, 0.75], 1, 7).tolist() == [0, 0, 0.25, 0.5, 0.75, 1, 1]
    assert period_productivity(0, [], 1, 3).tolist() == [1, 1, 1]
    # months: 6 weeks of training = the first month (4.33 weeks) and 1.67 weeks of the second
    p = period_productivity(6, [], WEEKS_PER_MONTH, 3)
    assert p[0] == 0 and p[1] == pytest.approx((2 * WEEKS_PER_MONTH - 6) / WEEKS_PER_MONTH) and p[2] == 1


# ---------------------------------------------------------------------- impossible early weeks
def test_infeasible_early_requirement_gives_a_plan_and_a_clear_shortfall():
    """60 FTE from week 1 with 50 agents and a 5-week lead time: weeks 1-5 are 10 FTE short
    whatever is done; the plan still covers everything from week 6 and says why."""
    plan = plan_capacity([60] * 12, headcount=50, hiring={"recruiting_weeks": 3, "training_weeks": 2},
                         costs={"salary": 700})
    under = plan.periods["under"].to_numpy()
    assert under[:5].tolist() == [10] * 5 and not under[5:].any()
    assert plan.shortfall == 50
    assert plan.first_start == 3 and plan.first_floor == 5
    assert plan.periods["hires"].tolist()[3] == 10
    text = plan.statement()
    assert text.startswith("shortfall: 50.0 FTE-weeks in 5 weeks (week 1 to week 5)")
    assert "no new hire can work before week 6 (3 weeks recruiting + 2 weeks training)" in text


def test_class_size_limit_leaves_a_shortfall_after_the_lead_time():
    """No lead time, but one class of at most 10 agents per week: a step of 30 in week 2
    takes classes in weeks 1 to 3 and is 10 short in week 2."""
    plan = plan_capacity([50] + [80] * 6, headcount=50, hiring={"max_class": 10})
    assert plan.periods["under"].tolist() == pytest.approx([0, 10, 0, 0, 0, 0, 0])
    assert plan.periods["hires"].tolist()[:3] == [10, 10, 10]
    assert plan.classes["hires"].tolist() == [10, 10, 10]
    assert plan.first_floor == 0
    assert "classes of at most 10 agents" in plan.statement()


def test_no_shortfall_statement():
    plan = plan_capacity([10, 10], headcount=12)
    assert plan.statement() == "no shortfall: effective FTE covers the requirement in every week"
    assert plan.hires == 0 and plan.overstaffing == pytest.approx(4.0)


# ---------------------------------------------------------------------- attrition
def test_attrition_is_applied_period_by_period():
    """2% a month is 1 - 0.98^(12/52) a week; agents leave at the end of each period:
    headcount[t+1] = headcount[t] - attrition[t] + hires[t+1]."""
    plan = plan_capacity([0] * 10, headcount=200, attrition=0.02)
    a = 1 - 0.98 ** (12 / 52)
    head = plan.periods["headcount"].to_numpy()
    assert head == pytest.approx(200 * (1 - a) ** np.arange(10))
    assert plan.periods["attrition"].to_numpy() == pytest.approx(a * head)
    # a year of weeks loses 2% a month compounded
    year = plan_capacity([0] * 53, headcount=100, attrition=0.02)
    assert year.periods["headcount"].iloc[52] == pytest.approx(100 * 0.98 ** 12)


def test_attrition_applies_to_new_hires_and_is_replaced():
    plan = plan_capacity([100] * 26, headcount=100, attrition=0.03,
                         hiring={"recruiting_weeks": 2, "training_weeks": 1, "min_class": 3},
                         costs={"salary": 500, "hire": 1000})
    p = plan.periods
    head = p["headcount"].to_numpy()
    hires = p["hires"].to_numpy()
    left = p["attrition"].to_numpy()
    assert head[1:] == pytest.approx(head[:-1] - left[:-1] + hires[1:])
    assert plan.classes["hires"].min() >= 3
    # from the first week a hire can work, attrition is replaced
    assert (p["under"].to_numpy()[plan.first_floor:] < 1e-6).all()
    assert (p["under"].to_numpy()[:plan.first_floor] > 0).any()


# ---------------------------------------------------------------------- class sizes, costs
def test_class_size_bounds_hold():
    req = [40] * 6 + [70] * 6 + [95] * 12
    plan = plan_capacity(req, headcount=40, hiring={"min_class": 8, "max_class": 12},
                         costs={"salary": 100, "hire": 50})
    sizes = plan.periods["hires"].to_numpy()
    classes = sizes[sizes > 0]
    assert len(classes) >= 5
    assert ((classes >= 8) & (classes <= 12)).all()
    assert plan.shortfall == pytest.approx(0.0, abs=1e-6) or plan.periods["under"].iloc[-1] == 0


def test_costs_add_up():
    plan = plan_capacity(step_requirement(), headcount=50, attrition=0.01,
                         hiring={"recruiting_weeks": 2, "training_weeks": 3, "ramp": [0.5]},
                         costs={"salary": 650.0, "hire": 1800.0})
    p = plan.periods
    assert p["salary_cost"].to_numpy() == pytest.approx(650.0 * p["headcount"].to_numpy())
    assert p["hiring_cost"].to_numpy() == pytest.approx(1800.0 * p["hires"].to_numpy())
    assert p["cost"].to_numpy() == pytest.approx((p["salary_cost"] + p["hiring_cost"]).to_numpy())
    assert plan.cost == pytest.approx(p["cost"].sum())
    assert plan.cost == pytest.approx(plan.salary_cost + plan.hiring_cost)
    assert plan.hiring_cost == pytest.approx(1800.0 * plan.hires)
    assert plan.penalty_cost == 0


def test_least_cost_against_brute_force():
    """A tiny plan checked against every hiring plan of up to 8 agents per class: the
    least shortfall, then the least cost (the documented lexicographic rule)."""
    req = np.array([4, 4, 6, 6, 7, 7], dtype=float)
    T, first, h0 = 6, 1, 4.0  # 1 week of recruiting: classes start in periods 1..5
    s = (1 - 0.05) ** (12 / 52)
    prod = period_productivity(1, [0.5], 1, T)
    salary, hire = 10.0, 25.0
    stay = np.zeros((T - first, T))
    work = np.zeros((T - first, T))
    for k in range(T - first):
        for t in range(k + first, T):
            stay[k, t] = s ** (t - k - first)
            work[k, t] = stay[k, t] * prod[t - k - first]
    combos = np.array(list(itertools.product(range(9), repeat=T - first)), dtype=float)
    base = h0 * s ** np.arange(T)
    short = np.maximum(req - (base + combos @ work), 0).sum(axis=1)
    cost = salary * (base + combos @ stay).sum(axis=1) + hire * combos.sum(axis=1)
    least = short.min()
    best = cost[short <= least + 1e-9].min()
    plan = plan_capacity(req, headcount=h0, attrition=0.05,
                         hiring={"recruiting_weeks": 1, "training_weeks": 1, "ramp": [0.5]},
                         costs={"salary": salary, "hire": hire}, gap=0.0)
    assert plan.shortfall == pytest.approx(least, abs=1e-6)
    assert plan.cost == pytest.approx(best)
    assert plan.periods["hires"].max() < 8  # the search space held the optimum


def test_understaffing_penalty_trades_cost_for_shortfall():
    """With a penalty below the cost of a hire's salary for the rest of the plan, a late
    one-week peak is left short (and the statement says why); with a high one it is not."""
    req = [10] * 11 + [11]
    cheap = plan_capacity(req, headcount=10, costs={"salary": 100, "understaffing": 50})
    assert cheap.hires == 0 and cheap.shortfall == pytest.approx(1.0)
    assert cheap.penalty_cost == pytest.approx(50.0)
    assert "costs more than the understaffing penalty" in cheap.statement()
    dear = plan_capacity(req, headcount=10, costs={"salary": 100, "understaffing": 500})
    assert dear.hires == 1 and dear.shortfall == 0


def test_overstaffing_penalty_is_reported():
    plan = plan_capacity([5, 5], headcount=7, costs={"salary": 1, "overstaffing": 10})
    assert plan.overstaffing == pytest.approx(4.0) and plan.penalty_cost == pytest.approx(40.0)


# ---------------------------------------------------------------------- months, forecast
def test_monthly_plan():
    plan = plan_capacity([100] * 3 + [120] * 9, headcount=100, period="month", attrition=0.02,
                         hiring={"recruiting_weeks": 4, "training_weeks": 4}, start="2027-01-01")
    assert plan.period == "month"
    assert plan.periods["label"].tolist()[:3] == ["2027-01-01", "2027-02-01", "2027-03-01"]
    head = plan.periods["headcount"].to_numpy()
    # monthly attrition is the rate itself
    assert plan.periods["attrition"].to_numpy() == pytest.approx(0.02 * head)
    # 4 weeks of recruiting: the first class can start in month 2 (period 1)
    assert plan.first_start == 1
    assert plan.classes["start_period"].min() >= 1


def test_forecast_growth_and_seasonality():
    f = forecast_requirement(100, 52, growth=0.1)
    assert f["required"].iloc[0] == 100 and f["required"].iloc[-1] == pytest.approx(100 * 1.1 ** (51 / 52))
    season = [1.0] * 11 + [1.5]
    m = forecast_requirement(100, 13, period="month", seasonality=season, start="2027-01-15")
    assert m["required"].tolist()[11] == pytest.approx(150.0)
    assert m["required"].tolist()[0] == pytest.approx(100.0)
    with pytest.raises(InputError, match="start: is required with seasonality"):
        forecast_requirement(100, 4, seasonality=season)
    with pytest.raises(InputError, match=r"forecast.seasonality"):
        forecast_requirement(100, 4, seasonality=[1.0] * 5, start="2027-01-01")


# ---------------------------------------------------------------------- inputs
def test_requirement_tables_dataframe_and_csv(tmp_path):
    frame = pd.DataFrame({"period": ["2027-W01", "2027-W02", "2027-W03"], "required": [10, 12, 12]})
    plan = plan_capacity(frame, headcount=10)
    assert plan.periods["label"].tolist() == ["2027-W01", "2027-W02", "2027-W03"]
    path = tmp_path / "req.csv"
    frame.to_csv(path, index=False)
    assert plan_capacity(path, headcount=10).periods["hires"].tolist() == plan.periods["hires"].tolist()
    with pytest.raises(InputError, match="missing required"):
        read_requirement(pd.DataFrame({"period": [1], "fte": [3]}))
    with pytest.raises(InputError, match=r"requirement.required\[1\]: must be a finite number >= 0 \(got nan\)"):
        read_requirement(pd.DataFrame({"period": [1, 2], "required": [3, float("nan")]}))
    with pytest.raises(InputError, match="period '1' appears twice"):
        read_requirement(pd.DataFrame({"period": [1, 1], "required": [3, 3]}))


@pytest.mark.parametrize("kwargs, message", [
    ({"headcount": -1}, "headcount: must be a finite number >= 0 (got -1)"),
    ({"attrition": 1.2}, "attrition: must be a share per month in [0, 1) (got 1.2)"),
    ({"hiring": {"min_class": 0}}, "hiring.min_class: must be >= 1 (got 0)"),
    ({"hiring": {"min_class": 5, "max_class": 2}}, "hiring.max_class: must not be below min_class (got 2 < 5)"),
    ({"hiring": {"ramp": [0.5, 1.5]}}, r"hiring.ramp[1]: must be <= 1 (got 1.5)"),
    ({"hiring": {"recuiting_weeks": 3}}, "hiring.recuiting_weeks: is not a known key"),
    ({"costs": {"salary": 0}}, "costs.salary: must be > 0 (got 0)"),
    ({"period": "day"}, "period: must be week or month (got 'day')"),
])
def test_bad_inputs_name_field_value_and_problem(kwargs, message):
    args = {"headcount": 10, **kwargs}
    with pytest.raises(InputError) as err:
        plan_capacity([10, 12], **args)
    assert message in str(err.value)


SPEC = """\
name: test plan
period: week
periods: 20
start: 2027-01-04
requirement:
  forecast: {base: 50, growth: 0.2}
headcount: 50
attrition: 0.02
hiring: {recruiting_weeks: 2, training_weeks: 2, ramp: [0.5], min_class: 2, max_class: 10}
costs: {salary: 600, hire: 1500}
"""


def test_spec_file_round_trip(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(SPEC)
    spec = load_capacity(path)
    assert isinstance(spec, CapacitySpec) and spec.start == "2027-01-04"
    plan = spec.plan(base_dir=tmp_path)
    assert len(plan.periods) == 20 and plan.name == "test plan"
    assert plan.periods["label"].iloc[1] == "2027-01-11"
    assert ((plan.classes["hires"] >= 2) & (plan.classes["hires"] <= 10)).all()
    # a table relative to the file
    pd.DataFrame({"period": range(4), "required": [5, 5, 6, 6]}).to_csv(tmp_path / "req.csv", index=False)
    path.write_text("requirement: {table: req.csv}\nheadcount: 5\n")
    assert load_capacity(path).plan(base_dir=tmp_path).hires == 1


@pytest.mark.parametrize("text, message", [
    ("requirement: {values: [1, 2]}\n", "headcount: is required"),
    ("requirement: {values: [1], table: x.csv}\nheadcount: 1\n", "requirement: give exactly one of values, table,"),
    ("requirement: {forecast: {base: 10}}\nheadcount: 1\n", "periods: is required with a forecast"),
    ("periods: 3\nrequirement: {forecast: {base: 10, seasonality: [1,1,1,1,1,1,1,1,1,1,1,1]}}\nheadcount: 1\n",
     "start: is required with seasonality"),
    ("start: 2027-13-01\nrequirement: {values: [1]}\nheadcount: 1\n", "month must be in 1..12"),
    ("start: '2027-13-01'\nrequirement: {values: [1]}\nheadcount: 1\n", "start: must be a date YYYY-MM-DD"),
    ("requirement: {values: [1]}\nheadcount: 1\nattrition: 0.02\nattrition: 0.03\n", "appears twice"),
    ("requirement: {values: [1, -2]}\nheadcount: 1\n", "requirement.values[1]: must be >= 0 (got -2)"),
])
def test_bad_spec_files(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_capacity(path)
    assert message in str(err.value) and "bad.yaml" in str(err.value)


# ---------------------------------------------------------------------- CLI and report
def test_cli_capacity_prints_and_writes(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(SPEC)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["capacity", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "test plan: 20 weeks" in res.output and "hiring classes" in res.output
    assert "shortfall" in res.output
    for name in ("periods.csv", "classes.csv", "report.html"):
        assert (out / name).is_file()
    periods = pd.read_csv(out / "periods.csv")
    assert list(periods.columns)[:4] == ["period", "label", "required", "headcount"]
    assert "plotly" in (out / "report.html").read_text()


def test_cli_capacity_exit_codes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("requirement: {values: [1]}\nheadcount: -3\n")
    res = CliRunner().invoke(app, ["capacity", str(bad)])
    assert res.exit_code == 2 and "headcount: must be >= 0 (got -3)" in res.output
    good = tmp_path / "plan.yaml"
    good.write_text(SPEC)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["capacity", str(good), "--out", str(blocker)])
    assert res.exit_code == 4 and "is a file" in res.output
    res = CliRunner().invoke(app, ["capacity", str(good), "--time-limit", "0"])
    assert res.exit_code == 2


def test_capacity_figure_and_report(tmp_path):
    plan = plan_capacity([60] * 8, headcount=50, hiring={"recruiting_weeks": 2})
    fig = capacity_figure(plan)
    names = [t.name for t in fig.data]
    assert names == ["required", "effective FTE", "headcount", "under", "over", "hires", "attrition"]
    under = fig.data[names.index("under")]
    assert [v for v in under.y if not (isinstance(v, float) and math.isnan(v))] == [10.0, 10.0]
    paths = write_capacity_report(plan, tmp_path)
    assert [p.name for p in paths] == ["periods.csv", "classes.csv", "report.html"]
    assert Path(paths[-1]).read_text().count("shortfall") >= 1

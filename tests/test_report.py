"""Tests of wfm.report: the plotly figure builders and the HTML/CSV reports.

Real simulations (short, seeded) feed the builders; the scheduling and staffing
results are used when those modules are importable, and otherwise stand-ins with
the agreed DataFrame columns (HELPERS.md "Shared interfaces").
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from wfm import report
from wfm.scenario import Scenario, load_scenario
from wfm.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _need(module: str):
    """Import a module another helper writes; skip while it is missing (never on CI)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"{module} is not written yet")


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def result(baseline):
    return simulate(baseline, seed=1)


@pytest.fixture(scope="module")
def result2(baseline):
    """Two replications of a busier phone channel."""
    return simulate(baseline.scaled({"channels.phone.volume": 1.15}), seed=2, replications=2)


@pytest.fixture(scope="module")
def single():
    """One voice channel whose middle intervals get no contact (service level NaN)."""
    sc = Scenario.from_dict(
        {
            "name": "Night line",
            "interval_minutes": 60,
            "start": "22:00",
            "channels": {
                "phone": {
                    "kind": "voice",
                    "volume": [30, 0, 0, 40, 20],
                    "aht": 200,
                    "patience": 120,
                    "target": {"answer_within": 20, "service_level": 0.8},
                }
            },
            "agents": [{"group": "night", "skills": ["phone"], "staff": [3, 0, 0, 4, 3]}],
        }
    )
    return simulate(sc, seed=3)


@pytest.fixture(scope="module")
def deferred_only():
    sc = Scenario.from_dict(
        {
            "name": "Back office",
            "channels": {
                "email": {
                    "kind": "deferred",
                    "volume": [10, 10, 5],
                    "aht": 300,
                    "target": {"answer_within": 3600, "service_level": 0.9},
                }
            },
            "agents": [{"group": "office", "skills": ["email"], "staff": 1}],
        }
    )
    return simulate(sc, seed=0)


def _requirements(scenario: Scenario) -> pd.DataFrame:
    """A requirements frame in the agreed long format (level, name, interval, start, required)."""
    h = scenario.horizon
    labels = scenario.interval_labels()
    rows = []
    for k, g in enumerate(scenario.group_names):
        rows.append(
            pd.DataFrame(
                {
                    "level": "group",
                    "name": g,
                    "interval": np.arange(h),
                    "start": labels,
                    "required": (np.arange(h) + k) % 7 + 5,
                }
            )
        )
    for name, ch in scenario.channels.items():
        rows.append(
            pd.DataFrame(
                {
                    "level": "channel",
                    "name": name,
                    "interval": np.arange(h),
                    "start": labels,
                    "required": 3,
                    "kind": ch.kind,
                    "volume": np.asarray(ch.volume),
                    "workload": 1.0,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _schedule_like() -> SimpleNamespace:
    """A stand-in Schedule: two groups over 8 half-hour intervals from 08:00."""
    labels = [f"{8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(9)]
    shifts = pd.DataFrame(
        {
            "group": ["voice", "voice", "voice", "digital"],
            "start_interval": [0, 0, 2, 1],
            "end_interval": [8, 8, 6, 7],
            "start": [labels[0], labels[0], labels[2], labels[1]],
            "end": [labels[8], labels[8], labels[6], labels[7]],
            "break_start": [labels[4], labels[5], None, labels[3]],
            "break_end": [labels[5], labels[6], None, labels[4]],
            "paid_break": [False, False, False, True],
            "count": [3, 2, 1, 4],
            "cost": [12.0, 8.0, 2.0, 12.0],
        }
    )
    h = 8
    required = {
        "voice": np.array([2, 3, 5, 6, 6, 6, 4, 2]),
        "digital": np.array([0, 4, 4, 5, 4, 4, 3, 0]),
    }
    scheduled = {g: np.zeros(h, int) for g in required}
    for r in shifts.itertuples():
        scheduled[r.group][r.start_interval : r.end_interval] += r.count
        if isinstance(r.break_start, str):
            b = labels.index(r.break_start)
            scheduled[r.group][b : labels.index(r.break_end)] -= r.count
    coverage = pd.concat(
        [
            pd.DataFrame(
                {
                    "interval": np.arange(h),
                    "start": labels[:h],
                    "group": g,
                    "required": required[g],
                    "scheduled": scheduled[g],
                    "shortfall": np.maximum(required[g] - scheduled[g], 0),
                }
            )
            for g in required
        ],
        ignore_index=True,
    )
    return SimpleNamespace(
        shifts=shifts,
        coverage=coverage,
        cost=float(shifts["cost"].sum()),
        status="optimal",
        status_text="optimal",
        optimal=True,
        gap=0.0,
        solve_seconds=0.01,
    )


def _sweep_summary() -> pd.DataFrame:
    """A sweep summary in the agreed columns: two parameters, 3 x 2 points, two channels."""
    rows = []
    point = 0
    for vol in (1.0, 1.2, 1.4):
        for staff in (10, 12):
            for ch, base in (("phone", 0.9), ("email", 0.99)):
                sl = base - 0.2 * (vol - 1) + 0.01 * (staff - 10)
                row = {
                    "point": point,
                    "channels.phone.volume": vol,
                    "agents.voice.staff": staff,
                    "channel": ch,
                    "n": 3,
                }
                for m, v in (
                    ("service_level", sl),
                    ("asa", 10 * vol),
                    ("abandonment", 0.02 * vol),
                    ("backlog", 0.0),
                ):
                    row[m], row[f"{m}_lo"], row[f"{m}_hi"] = v, v * 0.95, min(v * 1.05, 1.0)
                rows.append(row)
            point += 1
    return pd.DataFrame(rows)


def _names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def _trace(fig: go.Figure, name: str):
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace {name!r} in {_names(fig)}"
    return found[0]


def _horizon_points(fig: go.Figure, horizon: int) -> None:
    for t in fig.data:
        assert len(t.x) == horizon, f"trace {t.name!r} has {len(t.x)} points, horizon is {horizon}"
        assert len(t.y) == horizon, t.name


# ---------------------------------------------------------------------- run figures
def test_channel_colours_are_stable(result):
    cc = report.channel_colors(result.scenario.channel_names)
    assert list(cc) == ["phone", "messaging", "social", "email"]
    assert len(set(cc.values())) == 4
    vol = report.volume_staff_figure(result)
    sl = report.service_level_figure(result)
    for ch in cc:
        assert _trace(vol, ch).marker.color == cc[ch]
        assert _trace(sl, ch).line.color == cc[ch]


def test_volume_staff_figure(result, baseline):
    fig = report.volume_staff_figure(result)
    assert isinstance(fig, go.Figure)
    assert _names(fig) == [*baseline.channel_names, *(f"{g} staff" for g in baseline.group_names)]
    _horizon_points(fig, baseline.horizon)
    assert list(_trace(fig, "phone").x) == baseline.interval_labels()
    np.testing.assert_array_equal(_trace(fig, "voice staff").y, baseline.staff()["voice"])
    iv = result.intervals
    np.testing.assert_array_equal(
        _trace(fig, "phone").y, iv.loc[iv["channel"] == "phone", "offered"]
    )
    assert _trace(fig, "voice staff").yaxis == "y2"  # staff on the secondary axis


def test_service_level_figure_has_targets(result, baseline):
    fig = report.service_level_figure(result)
    assert isinstance(fig, go.Figure)
    _horizon_points(fig, baseline.horizon)
    for name, ch in baseline.channels.items():
        target = _trace(fig, f"{name} target")
        assert target.line.dash == "dash"
        assert np.allclose(target.y, ch.target.service_level)
        sl = _trace(fig, name)
        assert sl.yaxis == target.yaxis  # same panel
    assert len({t.yaxis for t in fig.data}) == len(baseline.channels)  # one panel per channel
    titles = [a.text for a in fig.layout.annotations]
    assert "phone (voice): 80% in 20 s" in titles
    assert "email (deferred): 95% in 24 h" in titles


def test_wait_abandon_figure(result, baseline):
    fig = report.wait_abandon_figure(result)
    _horizon_points(fig, baseline.horizon)
    realtime = ["phone", "messaging"]
    for ch in realtime:
        for suffix in ("ASA", "p90 wait", "answer within", "abandonment"):
            _trace(fig, f"{ch} {suffix}")
    assert not any(n.startswith(("social", "email")) for n in _names(fig))
    iv = result.intervals[result.intervals["channel"] == "phone"]
    np.testing.assert_allclose(_trace(fig, "phone ASA").y, iv["asa"])
    np.testing.assert_allclose(_trace(fig, "phone abandonment").y, iv["abandonment"])
    assert np.allclose(_trace(fig, "phone answer within").y, 20)


def test_backlog_figure(result, baseline):
    fig = report.backlog_figure(result)
    assert _names(fig) == ["social", "email"]
    _horizon_points(fig, baseline.horizon)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "pending" in notes and "email" in notes


def test_occupancy_figure(result, baseline):
    fig = report.occupancy_figure(result)
    assert _names(fig) == baseline.group_names
    _horizon_points(fig, baseline.horizon)
    y = np.concatenate([np.asarray(t.y, float) for t in fig.data])
    assert np.nanmin(y) >= 0 and np.nanmax(y) <= 1
    assert fig.layout.yaxis.tickformat == ".0%"


def test_run_figures_list(result):
    figs = report.run_figures(result)
    assert [t for t, _ in figs] == [
        "Volume and staff",
        "Service level",
        "Waiting time and abandonment",
        "Deferred backlog",
        "Occupancy",
    ]
    assert all(isinstance(f, go.Figure) for _, f in figs)


def test_replications_and_ci(result2, baseline):
    assert result2.n_replications == 2
    for _, fig in report.run_figures(result2):
        _horizon_points(fig, baseline.horizon)
    cards = report.kpi_cards(result2)
    assert cards["service_level_ci"].notna().all()
    shown = report.summary_display(result2.summary)
    assert "±" in shown.loc[0, "service level"]


def test_single_channel_and_nan_intervals(single):
    figs = dict(report.run_figures(single))
    assert "Deferred backlog" not in figs  # no deferred channel
    sl = _trace(figs["Service level"], "phone")
    y = np.asarray(sl.y, float)
    assert len(y) == 5
    assert np.isnan(y[1]) and np.isnan(y[2]) and np.isfinite(y[0])
    assert sl.connectgaps is not True  # NaN intervals are gaps
    assert list(sl.x) == ["22:00", "23:00", "d2 00:00", "d2 01:00", "d2 02:00"]
    # NaN survives JSON serialisation (as a gap for plotly.js)
    json.loads(figs["Service level"].to_json())
    occ = np.asarray(_trace(figs["Occupancy"], "night").y, float)
    assert np.isnan(occ[2])  # nobody on duty
    html = report.html_report(list(figs.items()), "Night line")
    assert "Night line" in html


def test_figures_without_realtime_or_deferred(deferred_only, single):
    fig = report.wait_abandon_figure(deferred_only)
    assert len(fig.data) == 0
    assert "no voice or chat" in fig.layout.annotations[0].text
    fig = report.backlog_figure(single)
    assert len(fig.data) == 0
    assert "no deferred" in fig.layout.annotations[0].text
    fig = report.backlog_figure(deferred_only)
    assert "pending" in " ".join(a.text for a in fig.layout.annotations)


# ---------------------------------------------------------------------- requirements
def test_requirement_figure(result, baseline):
    req = _requirements(baseline)
    fig = report.requirement_figure(result, req)
    _horizon_points(fig, baseline.horizon)
    for g in baseline.group_names:
        _trace(fig, f"{g} scheduled")
        assert _trace(fig, f"{g} required").line.dash == "dash"
    for ch in baseline.channel_names:
        _trace(fig, f"{ch} service level")
        _trace(fig, f"{ch} target")
    want = req[(req["level"] == "group") & (req["name"] == "blended")]["required"].to_numpy()
    np.testing.assert_array_equal(_trace(fig, "blended required").y, want)
    np.testing.assert_array_equal(_trace(fig, "voice scheduled").y, baseline.staff()["voice"])


def test_requirement_figure_partial_and_bad(result, baseline):
    req = _requirements(baseline)
    part = req[(req["level"] == "group") & (req["interval"] < 5)]
    y = np.asarray(_trace(report.requirement_figure(result, part), "voice required").y, float)
    assert np.isfinite(y[:5]).all() and np.isnan(y[5:]).all()
    channel_only = req[req["level"] == "channel"]
    fig = report.requirement_figure(result, channel_only)
    _trace(fig, "phone required")
    with pytest.raises(ValueError, match="required"):
        report.requirement_figure(result, req.drop(columns="required"))


def test_requirement_figure_with_staffing_module(result, baseline):
    staffing = _need("wfm.staffing")
    req = staffing.requirements(baseline)
    fig = report.requirement_figure(result, req)
    _horizon_points(fig, baseline.horizon)
    for g in set(req.loc[req["level"] == "group", "name"]):
        _trace(fig, f"{g} required")


# ---------------------------------------------------------------------- KPIs and comparison
def test_kpi_cards(result, baseline):
    cards = report.kpi_cards(result)
    assert list(cards.columns[:6]) == [
        "channel",
        "service_level",
        "target",
        "met",
        "asa",
        "abandonment",
    ]
    assert cards["channel"].tolist() == baseline.channel_names
    assert cards["target"].tolist() == [
        ch.target.service_level for ch in baseline.channels.values()
    ]
    assert cards["met"].dtype == bool
    np.testing.assert_allclose(cards["service_level"], result.summary["service_level"])


def test_compare_summaries(result, result2):
    cmp = report.compare_summaries(result, result2, labels=("base", "busy"))
    assert cmp["channel"].tolist() == ["phone", "messaging", "social", "email"]
    for col in (
        "service_level_base",
        "service_level_busy",
        "target_base",
        "target_busy",
        "met_base",
        "met_busy",
        "delta_service_level",
        "delta_asa",
        "delta_abandonment",
        "delta_offered",
    ):
        assert col in cmp.columns, col
    a, b = result.summary, result2.summary
    np.testing.assert_allclose(cmp["delta_service_level"], b["service_level"] - a["service_level"])
    np.testing.assert_allclose(cmp["delta_offered"], b["offered"] - a["offered"])
    assert cmp.loc[0, "delta_offered"] > 0  # phone volume x 1.15
    # summaries work as well as results; a channel only one side has gives NaN deltas
    only = a[a["channel"] != "email"]
    cmp2 = report.compare_summaries(only, b)
    assert cmp2["channel"].tolist()[-1] == "email"
    assert np.isnan(cmp2["delta_service_level"].iloc[-1])
    with pytest.raises(ValueError, match="labels"):
        report.compare_summaries(a, b, labels=("x", "x"))


def test_comparison_figure(result, result2):
    fig = report.comparison_figure(result, result2, labels=("base", "busy"))
    assert _names(fig)[:2] == ["base", "busy"]
    for lab in ("base", "busy"):
        assert len(_trace(fig, lab).y) == 4
    assert list(fig.layout.xaxis.ticktext) == ["phone", "messaging", "social", "email"]
    target = _trace(fig, "target")
    ys = [v for v in target.y if v is not None]
    assert sorted(set(ys)) == [0.8, 0.9, 0.95]
    assert _trace(fig, "busy").error_y.array is not None  # 2 replications: error bars
    # different targets: one target mark per run
    other = result2.summary.assign(target_service_level=0.85)
    fig = report.comparison_figure(result.summary, other)
    _trace(fig, "target A")
    _trace(fig, "target B")


# ---------------------------------------------------------------------- schedules
def test_coverage_figure():
    sched = _schedule_like()
    fig = report.coverage_figure(sched)
    assert isinstance(fig, go.Figure)
    _horizon_points(fig, 8)
    for g in ("voice", "digital"):
        for part in ("scheduled", "shortfall", "required"):
            _trace(fig, f"{g} {part}")
    cov = sched.coverage[sched.coverage["group"] == "voice"]
    short = np.asarray(_trace(fig, "voice shortfall").y, float)
    want = cov["shortfall"].to_numpy(float)
    assert (want > 0).any()
    np.testing.assert_array_equal(np.nan_to_num(short), want)
    assert np.isnan(short[want == 0]).all()  # only shortfall intervals are drawn
    np.testing.assert_array_equal(_trace(fig, "voice shortfall").base, cov["scheduled"])
    assert _trace(fig, "voice shortfall").marker.color == report.SHORTFALL_COLOR
    assert "cost 34.0" in fig.layout.title.text


def test_gantt_figure():
    sched = _schedule_like()
    fig = report.gantt_figure(sched)
    bars = [t for t in fig.data if t.name != "break"]
    assert sum(len(t.y) for t in bars) == len(sched.shifts)  # one bar per shift row
    assert {t.name for t in bars} == {"voice", "digital"}
    voice = _trace(fig, "voice")
    assert list(voice.text) == ["×3", "×2", "×1"]
    np.testing.assert_array_equal(voice.base, [0, 0, 2])
    np.testing.assert_array_equal(voice.x, [8, 8, 4])
    brk = _trace(fig, "break")
    assert len(brk.y) == 3  # three rows have a break
    np.testing.assert_allclose(sorted(brk.base), [3, 4, 5])
    np.testing.assert_allclose(brk.x, 1)
    assert "08:00" in fig.layout.xaxis.ticktext


def test_schedule_figures_with_scheduling_module(baseline):
    scheduling = _need("wfm.scheduling")
    h = baseline.horizon
    req = {g: np.full(h, 3) for g in baseline.group_names}
    sched = scheduling.schedule(baseline, req, time_limit=20)
    cov = report.coverage_figure(sched)
    _horizon_points(cov, h)
    gantt = report.gantt_figure(sched)
    bars = [t for t in gantt.data if t.name != "break"]
    assert sum(len(t.y) for t in bars) == len(sched.shifts)


def test_schedule_figures_reject_other_objects():
    with pytest.raises(TypeError, match="coverage"):
        report.coverage_figure(object())
    bad = SimpleNamespace(shifts=pd.DataFrame({"group": ["a"]}), coverage=pd.DataFrame())
    with pytest.raises(ValueError, match="start_interval"):
        report.gantt_figure(bad)


# ---------------------------------------------------------------------- sweeps
def test_sweep_figure_two_params():
    summary = _sweep_summary()
    params = ["channels.phone.volume", "agents.voice.staff"]
    fig = report.sweep_figure(summary, params, targets={"phone": 0.8, "email": 0.95})
    lines = [t for t in fig.data if not t.name.endswith("target")]
    assert len(lines) == 2 * 2  # channels x staff levels
    assert {t.name for t in lines} == {"voice.staff=10", "voice.staff=12"}
    for t in lines:
        assert list(t.x) == [1.0, 1.2, 1.4]
        assert t.error_y.array is not None and t.error_y.arrayminus is not None
    phone_target = _trace(fig, "phone target")
    assert np.allclose(phone_target.y, 0.8)
    # the bottom row's x axes (one row of two panels here) carry the varied parameter
    assert [fig.layout[k].title.text for k in ("xaxis", "xaxis2")] == ["phone.volume"] * 2
    assert "phone.volume" in fig.layout.title.text


def test_sweep_figure_one_param_and_measures():
    summary = _sweep_summary()
    one = summary[summary["agents.voice.staff"] == 10]
    fig = report.sweep_figure(one, "channels.phone.volume")
    assert [t.name for t in fig.data] == ["phone", "email"]  # no target known
    fig = report.sweep_figure(one.assign(target_service_level=0.8), ["channels.phone.volume"])
    _trace(fig, "phone target")
    fig = report.sweep_figure(one, ["channels.phone.volume"], measure="asa")
    assert np.allclose(_trace(fig, "phone").y, [10, 12, 14])
    with pytest.raises(ValueError, match="nope"):
        report.sweep_figure(summary, ["nope"])


def test_sweep_report_from_sweep_summarize(tmp_path):
    sweep = _need("wfm.batch")
    summary = _sweep_summary()
    # rebuild per-replication results and let wfm.batch.summarize compute the summary
    results = summary.loc[
        summary.index.repeat(2),
        [
            "channels.phone.volume",
            "agents.voice.staff",
            "point",
            "channel",
            "service_level",
            "asa",
            "abandonment",
            "backlog",
        ],
    ].copy()
    results["replication"] = np.tile([0, 1], len(summary))
    results["service_level"] += np.tile([-0.01, 0.01], len(summary))
    results["error"] = None
    params = ["channels.phone.volume", "agents.voice.staff"]
    summ = sweep.summarize(results, params)
    path = report.write_sweep_report(summ, params, tmp_path)
    assert path == tmp_path / "sweep.html"
    text = path.read_text(encoding="utf-8")
    assert text.count("plotly.js v") == 1
    assert "Sweep" in text and "channels.phone.volume" in text


# ---------------------------------------------------------------------- HTML and files
def _assert_self_contained(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("plotly.js v") == 1  # the library's banner: inlined exactly once
    assert not re.search(r"<script[^>]+src\s*=", text, re.I)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?https?:", text, re.I)


def test_html_report_self_contained(result):
    sections = [
        ("Summary", report.summary_display(result.summary)),
        *report.run_figures(result),
        ("Note", "plain <text> & escaped"),
    ]
    text = report.html_report(sections, "Retail <weekday>", subtitle="seed 1")
    _assert_self_contained(text)
    assert "<h1>Retail &lt;weekday&gt;</h1>" in text
    assert "plain &lt;text&gt; &amp; escaped" in text
    assert text.count('class="plotly-graph-div"') == len(sections) - 2
    assert text.count('<table class="wfm">') == 1
    # one met/missed cell per channel, as the summary says
    met = result.summary["met"].astype(bool)
    assert len(re.findall(r"<td[^>]*>met</td>", text)) == int(met.sum())
    assert len(re.findall(r"<td[^>]*>missed</td>", text)) == int((~met).sum())


def test_write_run_report(result2, tmp_path):
    out = tmp_path / "run"
    paths = report.write_run_report(result2, out)
    assert [p.name for p in paths] == ["intervals.csv", "summary.csv", "groups.csv", "report.html"]
    assert all(p.exists() for p in paths)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # no temporary files left
    iv = pd.read_csv(out / "intervals.csv")
    assert list(iv.columns) == list(result2.intervals.columns)
    assert len(iv) == len(result2.intervals)
    summ = pd.read_csv(out / "summary.csv")
    assert summ["channel"].tolist() == ["phone", "messaging", "social", "email"]
    text = (out / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert result2.scenario.name in text
    assert "2 replications" in text
    # rewriting replaces the files in place
    report.write_run_report(result2, out)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)


def test_write_plan_report(result, tmp_path):
    sched = _schedule_like()
    iterations = pd.DataFrame(
        {
            "iteration": [0, 1],
            "cost": [30.0, 34.0],
            "met": [False, True],
            "worst_channel": ["phone", "phone"],
        }
    )
    plan = SimpleNamespace(
        schedule=sched,
        iterations=iterations,
        simulation=result,
        scenario=result.scenario,
        converged=True,
        reason="every target met",
    )
    paths = report.write_plan_report(plan, tmp_path / "plan")
    assert [p.name for p in paths] == [
        "shifts.csv",
        "coverage.csv",
        "iterations.csv",
        "report.html",
    ]
    shifts = pd.read_csv(paths[0])
    assert len(shifts) == len(sched.shifts)
    assert len(pd.read_csv(paths[1])) == len(sched.coverage)
    assert len(pd.read_csv(paths[2])) == 2
    text = paths[3].read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert "Plan: Retail omnichannel weekday" in text and "converged" in text
    # no simulation yet (e.g. the plan failed early): still a report
    plan.simulation = None
    plan.iterations = pd.DataFrame()
    paths = report.write_plan_report(plan, tmp_path / "plan2")
    _assert_self_contained(paths[3].read_text(encoding="utf-8"))

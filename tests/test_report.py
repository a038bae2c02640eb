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
    """Defect 6: the requirement chart had an 11-item legend over its title and shared a
    colour between a channel and a group; now a panel per group, no legend, no channel."""
    req = _requirements(baseline)
    fig = report.requirement_figure(result, req)
    _horizon_points(fig, baseline.horizon)
    for g in baseline.group_names:
        _trace(fig, f"{g} scheduled")
        _trace(fig, f"{g} short")
        assert _trace(fig, f"{g} required").line.dash == "dash"
    assert not any(t.name.startswith(tuple(baseline.channel_names)) for t in fig.data)
    assert fig.layout.showlegend is False
    assert len({t.yaxis for t in fig.data}) == len(baseline.group_names)  # a panel per group
    want = req[(req["level"] == "group") & (req["name"] == "blended")]["required"].to_numpy()
    np.testing.assert_array_equal(_trace(fig, "blended required").y, want)
    np.testing.assert_array_equal(_trace(fig, "voice scheduled").y, baseline.staff()["voice"])
    short = np.asarray(_trace(fig, "voice short").y, float)
    gap = want = req[(req["level"] == "group") & (req["name"] == "voice")]["required"].to_numpy()
    gap = want - baseline.staff()["voice"]
    np.testing.assert_array_equal(np.nan_to_num(short), np.where(gap > 0, gap, 0))
    titles = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("voice: short by") or t == "voice: covered" for t in titles)


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
    from wfm.batch.spec import MEASURES

    for m in MEASURES:  # measures the batch module added since these were written
        if m not in results.columns:
            results[m] = 0.0
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
    assert text.count('class="wfm-fig"') == len(sections) - 2
    assert text.count('id="wfm-plotly"') == 1
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


# ---------------------------------------------------------------------- issue 14
def _lab(color: str) -> np.ndarray:
    """CIELAB of a #RRGGBB colour (D65)."""
    rgb = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in rgb]
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = m @ np.array(lin) / np.array([0.95047, 1.0, 1.08883])
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_channel_and_group_colours_never_look_alike():
    """Defect 6: the same colour for a channel and a group."""
    for g in report.GROUP_PALETTE:
        for c in report.CHANNEL_PALETTE[:6]:
            assert np.linalg.norm(_lab(g) - _lab(c)) > 35, (g, c)


def test_sweep_figures_read_in_planner_units():
    """Defect 6: abandonment axes from -100% to 100%, repeated tick labels, "Asa (s)",
    no target lines, a table of raw fractions."""
    summary = _sweep_summary()
    params = ["channels.phone.volume", "agents.voice.staff"]
    sc = load_scenario(BASELINE)
    flat = summary.assign(abandonment=0.0, abandonment_lo=0.0, abandonment_hi=0.0)
    fig = report.sweep_figure(flat, params, measure="abandonment", scenario=sc)
    for ax in (fig.layout.yaxis, fig.layout.yaxis2):
        assert ax.range[0] == 0 and ax.range[1] > 0  # never a symmetric range around 0
        assert ax.tickformat in (".2%", ".1%")  # a 0-1% range needs decimals: no repeats
    fig = report.sweep_figure(summary.assign(asa=np.where(summary["channel"] == "email", 7200,
                                                          summary["asa"])),
                              params, measure="asa", scenario=sc)
    assert fig.layout.title.text.startswith("ASA against")
    assert fig.layout.yaxis.title.text == "ASA (s)"  # phone in seconds
    assert fig.layout.yaxis2.title.text == "ASA (h)"  # email in hours
    email = [t for t in fig.data if t.yaxis == "y2" and "answer" not in t.name]
    assert email and all(np.allclose(t.y, 2.0) for t in email)
    assert np.allclose(_trace(fig, "phone answer within").y, 20)
    fig = report.sweep_figure(summary, params, scenario=sc)
    assert np.allclose(_trace(fig, "email target").y, 0.95)  # targets from the scenario
    shown = report.sweep_display(summary, params, sc)
    assert list(shown.columns) == ["point", "phone.volume", "voice.staff", "channel",
                                   "service level", "met", "ASA", "abandonment",
                                   "left at close", "replications"]
    assert shown["service level"].str.contains(r"^\d+\.\d% \(", regex=True).all()
    assert set(shown["met"]) <= {"met", "missed", "too close to call"}


def test_sweep_report_is_a_report_for_people(tmp_path):
    summary = _sweep_summary()
    params = ["channels.phone.volume", "agents.voice.staff"]
    path = report.write_sweep_report(summary, params, tmp_path, scenario=load_scenario(BASELINE))
    text = path.read_text(encoding="utf-8")
    assert "service_level_lo" not in text and "Left at close" in text
    assert "<th>service level</th>" in text and "0.8958" not in text


def test_kpi_cards_carry_the_verdict_and_the_work_left():
    res = simulate(load_scenario(ROOT / "scenarios" / "social_surge.yaml"), seed=0,
                   replications=3)
    from wfm import diagnosis

    plain = report.kpi_cards(res).set_index("channel")  # from the summary alone
    assert plain.at["email", "verdict"] == "met"  # the engine's point estimate
    cards = report.kpi_cards(res, diagnosis.verdicts(res)).set_index("channel")
    assert cards.at["email", "verdict"] == "missed" and cards.at["email", "late_backlog"]
    assert not cards.at["email", "met"]
    assert cards.at["email", "backlog_hours"] > 10
    assert set(cards["verdict"]) <= {"met", "missed", "too close to call"}
    fig = report.backlog_figure(res, diagnosis.work_left(res))
    assert "cannot be answered in time" in fig.layout.annotations[0].text
    assert "pending" in report.backlog_figure(res).layout.annotations[0].text


def test_compare_summaries_have_the_backlog(result, result2):
    cmp = report.compare_summaries(result, result2, labels=("base", "busy"))
    assert {"backlog_base", "backlog_busy", "delta_backlog"} <= set(cmp.columns)


def test_variants_figures_and_tables(result, result2):
    from wfm import variants

    runs = {"base": result, "busy": result2, "again": result}
    fig = report.variants_figure(runs)
    for name in runs:
        lines = [t for t in fig.data if t.name == name]
        assert len(lines) == 4 and sum(bool(t.showlegend) for t in lines) == 1
    _trace(fig, "phone target")
    back = report.variants_figure(runs, "backlog")
    assert {t.yaxis for t in back.data} == {"y", "y2"}  # the deferred channels only
    bars = report.variants_bar_figure(runs)
    assert [t.name for t in bars.data][:3] == ["base", "busy", "again"]
    c = variants.compare(runs)
    shown = report.comparison_display(c)
    assert {"vs base", "difference", "left at close", "left vs base"} <= set(shown.columns)
    assert set(shown["difference"]) <= {"-", "real", "within noise", "unknown (1 replication)"}
    costs = report.costs_display(c)
    assert costs["cost"].tolist()[0] == costs["cost"].tolist()[2]


def test_plan_tables_for_people():
    """Defect 7: raw snake_case tables (phone_service_level, start_interval, None)."""
    sched = _schedule_like()
    iterations = pd.DataFrame({"iteration": [1, 2], "cost": [30.0, 34.0], "shortfall": [0.0, 0.0],
                               "optimal": [True, False], "gap": [0.0, 0.02],
                               "solve_seconds": [0.1, 0.2], "met": [False, True],
                               "missed": ["phone", ""], "score": [0.1, 0.0],
                               "phone_service_level": [0.78, 0.83]})
    for frame in (report.iterations_display(iterations), report.shifts_display(sched.shifts)):
        assert not any("_" in c for c in frame.columns), frame.columns
        assert not frame.isin(["None", "nan", "NaN"]).any().any()
    it = report.iterations_display(iterations)
    assert it["verdict"].tolist() == ["missed: phone", "met"]
    assert it["phone service level"].tolist() == ["78.0%", "83.0%"]
    assert it["solver"].tolist() == ["optimal", "gap 2.00%"]
    sh = report.shifts_display(sched.shifts)
    assert sh["break"].tolist()[2] == "none" and sh["break"].tolist()[3] == "paid 09:30-10:00"
    outcome = pd.DataFrame({"channel": ["phone", "email"], "service_level": [0.83, 0.99],
                            "target": [0.8, 0.95], "margin": [0.035, 0.0],
                            "day_met": [False, True], "judged": [20, 10], "missed": [0, 2],
                            "met": [False, False]})
    out = report.outcome_display(outcome).set_index("channel")
    assert out.at["phone", "above target by"] == "+3.0 pts"
    assert out.at["phone", "must clear target by"] == "3.5 pts"
    assert "must clear it by 3.5 pts" in out.at["phone", "why"]
    assert out.at["email", "why"] == "2 of 10 intervals fall short by more than their tolerance"


def test_gantt_labels_stay_horizontal():
    """Defect 7: rotated "xN" labels in the Gantt."""
    fig = report.gantt_figure(_schedule_like())
    bars = [t for t in fig.data if t.name != "break"]
    assert all(t.textangle == 0 for t in bars)


def test_long_horizons_draw_light():
    """Long horizons: lines instead of bars, no markers, thinned horizontal tick labels;
    WebGL only for very long ones (in software GL a WebGL figure costs far more than SVG
    lines up to a few thousand points: benchmarks/README.md)."""
    from wfm.report.style import BAR_POINTS, WEBGL_POINTS, _scatter

    data = load_scenario(BASELINE).to_dict()
    for ch in data["channels"].values():
        ch["volume"] = list(ch["volume"]) * 10
    for g in data["agents"]:
        g["staff"] = list(g["staff"]) * 10
    res = simulate(Scenario.from_dict(data), seed=0)
    assert res.scenario.horizon > BAR_POINTS
    for fig in (report.service_level_figure(res), report.occupancy_figure(res),
                report.volume_staff_figure(res)):
        assert not any(t.type == "bar" for t in fig.data)
        assert all(t.mode == "lines" for t in fig.data)
    fig = report.service_level_figure(res)
    assert len(fig.layout.xaxis.ticktext) <= 12 and fig.layout.xaxis.tickangle == 0
    assert isinstance(_scatter(WEBGL_POINTS + 1, x=[0], y=[0]), go.Scattergl)
    assert isinstance(_scatter(WEBGL_POINTS, x=[0], y=[0]), go.Scatter)


def test_scenario_figure_before_a_run(baseline):
    fig = report.scenario_figure(baseline)
    _horizon_points(fig, baseline.horizon)
    np.testing.assert_allclose(_trace(fig, "social").y,
                               np.asarray(baseline.channels["social"].volume) * 0.9)


def test_html_report_is_smaller_and_draws_lazily(result2, tmp_path):
    """Defect 7: each report was 4.8 MB (plotly.js inlined as is) and slow to open."""
    from wfm import diagnosis

    paths = report.write_run_report(result2, tmp_path, diagnosis.diagnose(result2))
    page = paths[-1]
    assert page.stat().st_size < 2_500_000
    text = page.read_text(encoding="utf-8")
    assert "DecompressionStream" in text and "IntersectionObserver" in text
    assert text.count('id="wfm-plotly"') == 1
    assert "Why channels miss" in text and "Verdict per channel" in text
    empty = report.html_report([("Only a table", report.summary_display(result2.summary))], "t")
    assert "wfm-plotly" not in empty  # no figure, no plotly.js

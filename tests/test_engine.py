"""The simulation engine against queueing theory, conservation and determinism.

Statistical tolerances: each validation runs R independent replications of a long
stationary horizon with a fixed seed and checks that the exact value lies within
``4 * s / sqrt(R) + bias`` of the replication mean, where ``s`` is the run-to-run
standard deviation (a 4-sigma band: a correct engine fails with probability < 1e-4)
and ``bias`` a small allowance (0.005 for rates) for the empty start of each run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm import erlang
from wfm.sim.engine import _handle_times, simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def one_channel(
    staff,
    volume=100.0,
    aht=180.0,
    horizon=48,
    kind="voice",
    patience=None,
    concurrency=1,
    answer_within=20.0,
    cv=1.0,
    interval_minutes=30,
) -> wfm.Scenario:
    ch = {
        "kind": kind,
        "volume": [volume] * horizon if np.isscalar(volume) else list(volume),
        "aht": aht,
        "handle_cv": cv,
        "target": {"answer_within": answer_within, "service_level": 0.8},
    }
    if patience is not None:
        ch["patience"] = patience
    if concurrency > 1:
        ch["concurrency"] = concurrency
    return wfm.Scenario.from_dict(
        {
            "name": "validation",
            "interval_minutes": interval_minutes,
            "channels": {"c": ch},
            "agents": [{"group": "g", "skills": ["c"], "staff": staff}],
        }
    )


def within_band(result, measure: str, exact: float, bias: float) -> tuple[float, float]:
    vals = result.replications[measure].to_numpy(float)
    mean = vals.mean()
    band = 4 * vals.std(ddof=1) / math.sqrt(len(vals)) + bias
    assert abs(mean - exact) <= band, (
        f"{measure}: simulated {mean:.4f} vs exact {exact:.4f} (band {band:.4f})"
    )
    return mean, band


@pytest.mark.parametrize(
    ("volume", "aht", "agents"), [(100, 180, 14), (100, 180, 13), (600, 120, 26)]
)
def test_voice_matches_erlang_c(volume, aht, agents):
    res = simulate(one_channel(agents, volume, aht), seed=11, replications=6)
    sl = float(erlang.service_level(volume, aht, agents, 20))
    asa = float(erlang.asa(volume, aht, agents))
    within_band(res, "service_level", sl, 0.005)
    within_band(res, "asa", asa, 0.05 * asa)
    occ = res.groups["busy"].sum() / res.groups["on_duty"].sum()
    assert occ == pytest.approx(float(erlang.occupancy(volume, aht, agents)), abs=0.02)
    assert res.summary["abandoned"].iloc[0] == 0


@pytest.mark.parametrize(
    ("volume", "aht", "agents", "patience"),
    [(100, 180, 13, 300), (2880 / 2, 60, 50, 120), (100, 180, 9, 120)],
)
def test_voice_matches_erlang_a(volume, aht, agents, patience):
    res = simulate(one_channel(agents, volume, aht, patience=patience), seed=5, replications=6)
    kw = {"patience": patience}
    within_band(
        res, "service_level", float(erlang.service_level(volume, aht, agents, 20, **kw)), 0.005
    )
    within_band(res, "abandonment", float(erlang.abandonment(volume, aht, agents, patience)), 0.003)
    asa = float(erlang.asa(volume, aht, agents, **kw))
    within_band(res, "asa", asa, 0.05 * asa + 0.1)


def test_chat_is_erlang_on_sessions():
    """k sessions per agent with session length independent of k: M/M/(n k)."""
    n, k, volume, aht = 8, 3, 120, 300  # 20 sessions of traffic on 24 servers
    res = simulate(
        one_channel(n, volume, aht, kind="chat", concurrency=k, answer_within=60),
        seed=3,
        replications=6,
    )
    within_band(res, "service_level", float(erlang.service_level(volume, aht, n * k, 60)), 0.005)
    asa = float(erlang.asa(volume, aht, n * k))
    within_band(res, "asa", asa, 0.05 * asa)
    assert float(erlang.chat_service_level(volume, aht, n, k, 60)) == pytest.approx(
        float(erlang.service_level(volume, aht, n * k, 60))
    )
    # a chat agent holding s of k sessions counts s/k busy
    occ = res.groups["busy"].sum() / res.groups["on_duty"].sum()
    assert occ == pytest.approx(volume * aht / 1800 / (n * k), abs=0.02)


def test_chat_with_patience_is_erlang_a_on_sessions():
    n, k, volume, aht, patience = 6, 2, 100, 360, 240
    res = simulate(
        one_channel(
            n, volume, aht, kind="chat", concurrency=k, patience=patience, answer_within=60
        ),
        seed=8,
        replications=6,
    )
    within_band(res, "abandonment", float(erlang.abandonment(volume, aht, n * k, patience)), 0.003)
    within_band(
        res,
        "service_level",
        float(erlang.service_level(volume, aht, n * k, 60, patience=patience)),
        0.005,
    )


def test_deferred_backlog_follows_fluid_model_under_heavy_load():
    """Heavy load: arrivals run well above capacity, then fall below. Where the fluid
    backlog is large the queue never empties, so the mean simulated backlog at each
    interval's end equals the fluid one up to Poisson noise: checked within 4 standard
    errors of the mean over 8 independent runs, plus one contact."""
    volume = [60] * 8 + [10] * 8  # 60 x 300 s / 1800 s = 10 agents of work on 6 agents
    staff = 6
    sc = one_channel(staff, volume, 300, horizon=16, kind="deferred", answer_within=7200)
    runs = np.array([simulate(sc, seed=s).intervals["backlog"].to_numpy(float) for s in range(8)])
    fluid = np.asarray(erlang.deferred_backlog(np.array(volume, float), 300, np.full(16, staff)))
    heavy = fluid > 40
    assert heavy.sum() >= 10
    mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / math.sqrt(len(runs))
    assert np.all(np.abs(mean - fluid)[heavy] <= 4 * se[heavy] + 1), (mean, fluid, se)
    # the fluid model itself: +24 contacts an interval while overloaded, then -26
    assert fluid[:9].tolist() == [24, 48, 72, 96, 120, 144, 168, 192, 166]


def test_deferred_waits_behind_higher_priority_work():
    """A group lists phone before email: email is taken only when no call waits."""
    base = {"name": "prio", "interval_minutes": 30}
    chans = {
        "phone": {
            "kind": "voice",
            "volume": [95] * 8,
            "aht": 180,
            "target": {"answer_within": 20, "service_level": 0.8},
        },
        "email": {
            "kind": "deferred",
            "volume": [10] * 8,
            "aht": 300,
            "target": {"answer_within": 86400, "service_level": 0.9},
        },
    }
    first = wfm.Scenario.from_dict(
        {
            **base,
            "channels": chans,
            "agents": [{"group": "g", "skills": ["phone", "email"], "staff": 12}],
        }
    )
    second = wfm.Scenario.from_dict(
        {
            **base,
            "channels": chans,
            "agents": [{"group": "g", "skills": ["email", "phone"], "staff": 12}],
        }
    )
    a = simulate(first, seed=1).summary.set_index("channel")
    b = simulate(second, seed=1).summary.set_index("channel")
    assert a.loc["email", "asa"] > b.loc["email", "asa"]
    assert a.loc["phone", "service_level"] > b.loc["phone", "service_level"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_conservation_on_bundled_scenarios(path):
    sc = wfm.load_scenario(path)
    res = simulate(sc, seed=7, replications=2)
    iv = res.intervals
    assert np.allclose(iv["offered"], iv["answered"] + iv["abandoned"] + iv["unanswered"])
    assert (iv["pending"] <= iv["unanswered"]).all()
    assert (iv["answered_in_target"] <= iv["answered"]).all()
    assert ((iv["service_level"].dropna() >= 0) & (iv["service_level"].dropna() <= 1)).all()
    for name, ch in sc.channels.items():
        rows = iv[iv["channel"] == name]
        if ch.kind == "deferred":
            assert rows["abandoned"].sum() == 0
        if ch.deflection == 0:
            assert rows["deflected"].sum() == 0
    occ = res.groups["occupancy"].dropna()
    assert ((occ >= 0) & (occ <= 1 + 1e-9)).all()
    assert set(res.summary["channel"]) == set(sc.channels)


def test_deflection_thins_social_volume():
    sc = one_channel(5, 200, 60, horizon=24, kind="deferred", answer_within=3600)
    sc = sc.with_values({"channels.c.deflection": 0.25})
    s = simulate(sc, seed=2).summary.iloc[0]
    total = s["offered"] + s["deflected"]
    assert s["deflected"] / total == pytest.approx(0.25, abs=0.02)


def test_same_seed_same_result_and_new_seed_differs():
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    a = simulate(sc, seed=3, replications=2)
    b = simulate(sc, seed=3, replications=2)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    pd.testing.assert_frame_equal(a.groups, b.groups)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = simulate(sc, seed=4, replications=2)
    assert not a.intervals["answered"].equals(c.intervals["answered"])
    # replication r of a run is the same stream whatever the number of replications
    one = simulate(sc, seed=3, replications=1).replications
    pd.testing.assert_frame_equal(one, a.replications[a.replications.replication == 0])


def test_staff_drop_to_zero_abandons_or_leaves_waiting():
    """Agents finish what they hold and leave; nobody is there to answer the rest."""
    staff = [10] * 4 + [0] * 4
    with_patience = simulate(one_channel(staff, 100, 180, horizon=8, patience=200), seed=1)
    iv = with_patience.intervals
    late = iv[iv.interval >= 4]
    assert late["answered"].sum() == 0
    assert late["abandoned"].sum() == late["offered"].sum() > 0
    groups = with_patience.groups
    assert (groups.loc[groups.interval >= 5, "on_duty"] == 0).all()
    no_patience = simulate(one_channel(staff, 100, 180, horizon=8), seed=1).intervals
    late = no_patience[no_patience.interval >= 4]
    assert late["unanswered"].sum() == late["offered"].sum()
    assert late["service_level"].eq(0).all()


def test_staff_rise_starts_work_at_once():
    staff = [0] * 2 + [20] * 2
    res = simulate(one_channel(staff, 50, 180, horizon=4), seed=1)
    iv = res.intervals
    # calls of the first hour wait for the agents who start at interval 2
    assert iv.loc[iv.interval < 2, "answered"].sum() == iv.loc[iv.interval < 2, "offered"].sum()
    assert iv.loc[0, "asa"] > 1800 / 2


def test_pending_deferred_left_out_of_service_level():
    """Email with a 24 h TAT on a 2 h horizon and no agents: all pending, none missed."""
    sc = one_channel(0, 10, 300, horizon=4, kind="deferred", answer_within=86400)
    s = simulate(sc, seed=1).summary.iloc[0]
    assert s["pending"] == s["offered"] > 0
    assert math.isnan(s["service_level"])
    short = one_channel(0, 10, 300, horizon=4, kind="deferred", answer_within=600)
    s = simulate(short, seed=1).summary.iloc[0]
    assert 0 < s["pending"] < s["offered"]  # only the last 10 minutes' arrivals
    assert s["service_level"] == 0


def test_multi_day_horizon_runs():
    day = [20, 40, 60, 40] * 24  # 96 x 15 min = one day
    sc = one_channel(8, day * 7, 240, horizon=672, interval_minutes=15, patience=120)
    res = simulate(sc, seed=1)
    assert len(res.intervals) == 672
    assert res.intervals["start"].iloc[96] == "d2 00:00"
    assert res.summary["offered"].iloc[0] == pytest.approx(sum(day) * 7, rel=0.03)


@pytest.mark.parametrize("cv", [0.0, 0.5, 1.0, 2.0])
def test_handle_time_distribution(cv):
    x = _handle_times(np.random.default_rng(1), 300.0, cv, 200_000)
    assert x.mean() == pytest.approx(300, rel=0.02)
    assert x.std() / x.mean() == pytest.approx(cv, abs=0.05 * max(cv, 0.1))


def test_bad_arguments():
    sc = one_channel(5, horizon=2)
    with pytest.raises(ValueError, match="replications"):
        simulate(sc, replications=0)
    with pytest.raises(ValueError, match="seed"):
        simulate(sc, seed=-1)
    with pytest.raises(TypeError, match="Scenario"):
        simulate({"channels": {}})


def test_progress_callback_and_csv(tmp_path):
    seen = []
    res = simulate(
        one_channel(5, horizon=2), replications=3, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    paths = res.to_csv(tmp_path)
    assert {p.name for p in paths} == {"intervals.csv", "groups.csv", "summary.csv"}
    back = pd.read_csv(tmp_path / "summary.csv")
    assert list(back["channel"]) == ["c"]

"""The simulation engine: conservation, semantics, determinism and arguments.

The comparisons with queueing theory (Erlang C and A, chat as M/M/(n k), the deferred
backlog, the wait quantile, the coverage of the summary's confidence intervals) are in
``test_engine_validation.py``, with Student-t bands at a stated family-wise error; the
random checks here are exact binomial, Poisson and Kolmogorov-Smirnov tests at 1e-3.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_helpers import binomial_interval, one_channel

import wfm
from wfm.sim.engine import simulate
from wfm.sim.sampling import handle_times
from wfm.stats import normal_quantile

ROOT = Path(__file__).resolve().parents[1]
ALPHA = 1e-3  # each random check below fails a correct engine with probability <= 1e-3
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


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
    endings = ["answered", "abandoned", "unanswered", "blocked", "balked", "rerouted"]
    assert np.allclose(iv["offered"], iv[endings].sum(axis=1))  # every contact ends one way
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
    triage = {f"{n}/triage" for n, ch in sc.channels.items()
              if ch.social is not None and ch.social.triage_time > 0}
    assert set(res.summary["channel"]) == set(sc.channels) | triage


def test_deflection_thins_social_volume():
    """Each contact is deflected independently with probability 0.25: given the total,
    the deflected count is Binomial(total, 0.25); exact two-sided test at 1e-3. With about
    4,800 contacts the acceptance region is +-2.7 points wide, so 0.22 or 0.28 is rejected."""
    sc = one_channel(5, 200, 60, horizon=24, kind="deferred", answer_within=3600)
    sc = sc.with_values({"channels.c.deflection": 0.25})
    s = simulate(sc, seed=2).summary.iloc[0]
    total, deflected = int(s["offered"] + s["deflected"]), int(s["deflected"])
    lo, hi = binomial_interval(total, 0.25, ALPHA)
    assert lo <= deflected <= hi, (deflected, total, lo, hi)
    for wrong in (0.22, 0.28):
        lo_w, hi_w = binomial_interval(total, wrong, ALPHA)
        assert not lo_w <= deflected <= hi_w, f"a deflection of {wrong} would pass too"


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
    # the week's arrivals are Poisson with mean 107,520 (no deflection): within
    # z_{1 - 5e-4} = 3.29 standard deviations (+-1,079), the normal approximation being
    # exact to far better than that at this mean
    mean = sum(day) * 7
    band = float(normal_quantile(1 - ALPHA / 2)) * math.sqrt(mean)
    assert abs(res.summary["offered"].iloc[0] - mean) <= band


@pytest.mark.parametrize("cv", [0.0, 0.5, 1.0, 2.0])
def test_handle_time_distribution(cv):
    """cv 0: constant; cv 1: exponential; otherwise lognormal with that mean and cv.

    Kolmogorov-Smirnov against the exact law on 200,000 draws at 1e-3 / 3 (the three
    random laws); the same test must reject the law with a mean 2% off or a cv 5% off.
    """
    x = handle_times(np.random.default_rng(1), None, 300.0, cv, 200_000)
    if cv == 0:
        assert np.all(x == 300.0)
        return

    def law(mean, c):
        if c == 1:
            return stats.expon(scale=mean)
        s2 = math.log1p(c * c)
        return stats.lognorm(math.sqrt(s2), scale=mean * math.exp(-s2 / 2))

    alpha = ALPHA / 3
    assert stats.kstest(x, law(300.0, cv).cdf).pvalue > alpha
    assert stats.kstest(x, law(306.0, cv).cdf).pvalue < alpha
    if cv != 1:
        assert stats.kstest(x, law(300.0, cv * 1.05).cdf).pvalue < alpha


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

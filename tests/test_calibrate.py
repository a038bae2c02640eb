"""Calibration: patience (censored exponential MLE, Kaplan-Meier), handle times, per-interval AHT.

Contact records are synthetic: each contact would be answered after an offered wait
``W`` (exponential) unless its patience ``P`` runs out first (censoring by service:
independent of patience, as the estimator assumes). Estimates are checked against the
known parameters within bands of a few standard errors, and the stated 95% intervals
are checked to cover at their nominal rate with a binomial test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wfm.calibrate import Calibration, calibrate, handle_time_profile, read_contacts
from wfm.history import HistoryError, read_history
from wfm.report.forecast import patience_figure

#: Bands of this many standard errors: a correct estimator fails with probability
#: about 6e-5 (two-sided normal tail).
K_SE = 4.0


def contacts(n: int, patience: float, seed: int, *, wait_mean: float = 60.0, handle=None,
             patience_draw=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    offered_wait = rng.exponential(wait_mean, n)
    p = rng.exponential(patience, n) if patience_draw is None else patience_draw(rng, n)
    abandoned = p < offered_wait
    ht = handle(rng, n) if handle is not None else rng.gamma(4.0, 75.0, n)
    return pd.DataFrame({"channel": "phone", "wait": np.where(abandoned, p, offered_wait),
                         "outcome": np.where(abandoned, "abandoned", "answered"),
                         "handle_time": np.where(abandoned, np.nan, ht)})


def param(cal: Calibration, name: str, channel: str = "phone") -> pd.Series:
    p = cal.parameters
    return p[(p["channel"] == channel) & (p["parameter"] == name)].iloc[0]


def binomial_band(n: int, p: float, alpha: float = 0.001) -> tuple[int, int]:
    """Counts of successes a correct p-rate gives with probability 1 - alpha."""
    return int(stats.binom.ppf(alpha / 2, n, p)), int(stats.binom.isf(alpha / 2, n, p))


# ---------------------------------------------------------------------- patience
def test_patience_mle_recovers_known_patience():
    cal = calibrate(read_contacts(contacts(20_000, 150.0, seed=1)))
    p = param(cal, "patience")
    assert p["unit"] == "s" and p["n"] > 4000
    assert p["se"] == pytest.approx(p["value"] / np.sqrt(p["n"]))
    assert abs(p["value"] - 150.0) < K_SE * p["se"]
    assert p["lower"] < p["value"] < p["upper"]


def test_patience_interval_covers_at_its_nominal_rate():
    reps, covered = 300, 0
    for seed in range(reps):
        p = param(calibrate(read_contacts(contacts(300, 120.0, seed=100 + seed))), "patience")
        covered += p["lower"] <= 120.0 <= p["upper"]
    lo, hi = binomial_band(reps, 0.95)
    assert lo <= covered <= hi, f"95% intervals covered {covered} of {reps} (band {lo}-{hi})"


def test_kaplan_meier_agrees_with_exponential_only_when_it_fits():
    expo = calibrate(read_contacts(contacts(5000, 150.0, seed=2)))
    assert expo.fit.loc[0, "ks_distance"] < 0.05
    curve = expo.patience_curve
    assert list(curve.columns) == ["channel", "time", "survival", "lower", "upper", "exponential"]
    assert curve["survival"].is_monotonic_decreasing
    assert ((curve["lower"] <= curve["survival"]) & (curve["survival"] <= curve["upper"])).all()
    # everyone gives up after exactly 100 s: not exponential at all
    fixed = calibrate(read_contacts(contacts(5000, 100.0, seed=3, patience_draw=lambda r, n: np.full(n, 100.0))))
    assert fixed.fit.loc[0, "ks_distance"] > 0.2


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    waits = np.array([5.0, 10, 10, 20, 40])
    recs = pd.DataFrame({"channel": "chat", "wait": waits, "outcome": "abandoned"})
    cal = calibrate(read_contacts(recs))
    curve = cal.patience_curve
    assert curve["time"].tolist() == [5, 10, 20, 40]
    np.testing.assert_allclose(curve["survival"], [0.8, 0.4, 0.2, 0.0])
    assert param(cal, "patience", "chat")["value"] == pytest.approx(waits.mean())
    assert param(cal, "abandonment", "chat")["value"] == 1.0


def test_nobody_abandoned_leaves_patience_out():
    recs = pd.DataFrame({"channel": "phone", "wait": [1.0, 2.0], "outcome": "answered", "handle_time": [100, 200]})
    cal = calibrate(read_contacts(recs))
    assert "patience" not in cal.parameters["parameter"].tolist()
    assert "patience" not in cal.scenario_values()["phone"]
    assert patience_figure(cal).layout.title.text.startswith("Patience")


# ---------------------------------------------------------------------- handle times
@pytest.mark.parametrize(
    ("cv", "draw"),
    [
        (0.5, lambda r, n: r.gamma(4.0, 75.0, n)),
        (1.0, lambda r, n: r.exponential(300.0, n)),
        (0.6, lambda r, n: r.lognormal(np.log(300) - np.log(1.36) / 2, np.sqrt(np.log(1.36)), n)),
    ],
    ids=["gamma", "exponential", "lognormal"],
)
def test_handle_time_mean_and_cv_recovered(cv, draw):
    cal = calibrate(read_contacts(contacts(20_000, 150.0, seed=4, handle=draw)))
    aht, fitted = param(cal, "aht"), param(cal, "handle_cv")
    assert abs(aht["value"] - 300.0) < K_SE * aht["se"]
    assert abs(fitted["value"] - cv) < K_SE * fitted["se"]
    assert fitted["unit"] == "ratio"
    values = cal.scenario_values()["phone"]
    assert set(values) == {"aht", "handle_cv", "patience"}


def test_handle_cv_interval_covers_at_its_nominal_rate():
    reps, covered = 300, 0
    for seed in range(reps):
        recs = contacts(800, 150.0, seed=1000 + seed, handle=lambda r, n: r.gamma(4.0, 75.0, n),
                        patience_draw=lambda r, n: np.full(n, np.inf))  # all answered: no patience to fit
        p = param(calibrate(read_contacts(recs)), "handle_cv")
        covered += p["lower"] <= 0.5 <= p["upper"]
    lo, hi = binomial_band(reps, 0.95)
    assert lo <= covered <= hi, f"95% intervals covered {covered} of {reps} (band {lo}-{hi})"


# ---------------------------------------------------------------------- AHT per interval of the week
def test_handle_time_profile_per_interval_of_the_week():
    rng = np.random.default_rng(5)
    rows = []
    for d in pd.bdate_range("2024-01-01", periods=20):
        for m in (480, 510):
            true = 200 + 50 * d.weekday() + (30 if m == 510 else 0)
            handled = int(rng.integers(50, 150))
            rows.append({"interval_start": d + pd.Timedelta(minutes=m), "channel": "phone", "offered": handled,
                         "handled": handled, "aht": true + rng.normal(0, 20)})
    prof = handle_time_profile(read_history(pd.DataFrame(rows)))
    assert list(prof.columns) == ["channel", "weekday", "time", "aht", "aht_se", "handled", "days"]
    assert len(prof) == 10 and (prof["days"] == 4).all()
    truth = 200 + 50 * prof["weekday"] + np.where(prof["time"] == "08:30", 30, 0)
    assert (np.abs(prof["aht"] - truth) < K_SE * prof["aht_se"]).all()
    assert prof["aht_se"].between(2, 30).all()


def test_handle_time_profile_needs_aht():
    h = read_history(pd.DataFrame({"interval_start": ["2024-01-08 08:00"], "channel": "phone", "offered": [3]}))
    with pytest.raises(HistoryError, match="no handle times"):
        handle_time_profile(h)


# ---------------------------------------------------------------------- reading records
def test_contact_records_errors_name_line_and_column(tmp_path):
    recs = pd.DataFrame({"queue": ["phone", "phone", "chat"], "secs": ["10", "-3", "x"],
                         "outcome": ["answered", "gone", "Abandoned"]})
    path = tmp_path / "c.csv"
    recs.to_csv(path, index=False)
    with pytest.raises(HistoryError) as info:
        read_contacts(path, columns={"channel": "queue", "wait": "secs"})
    msg = str(info.value)
    assert "line 3, column 'outcome': unknown outcome 'gone'" in msg
    assert "line 3, column 'secs': must be >= 0 seconds (got -3)" in msg
    assert "line 4, column 'secs': must be a number of seconds (got 'x')" in msg
    with pytest.raises(HistoryError, match="column 'wait'"):
        read_contacts(recs.drop(columns="secs"), columns={"channel": "queue"})
    ok = read_contacts(recs.iloc[[0, 2]].assign(secs=["1", "2"]), columns={"channel": "queue", "wait": "secs"})
    assert ok.channels == ("phone", "chat")
    assert ok.records["outcome"].tolist() == ["answered", "abandoned"]
    single = read_contacts(pd.DataFrame({"wait": [1.0], "outcome": ["served"]}), channel="email")
    assert single.channels == ("email",)

"""The volume forecast, its backtest and ``wfm forecast``, on synthetic histories.

The histories are made here: a known weekly shape (Monday busiest), a known intraday
shape (two peaks), optionally a trend, a day-level busyness factor (lognormal) and
Poisson noise per interval; some days are holidays (no rows). Tolerances are derived
from the noise put in; interval coverage is checked with a binomial test on
independent histories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

import wfm
from wfm.cli.main import app
from wfm.forecast import Backtest, Forecast, ForecastError, backtest, forecast
from wfm.history import read_history
from wfm.report.forecast import backtest_figure, forecast_figure

WEEKLY = np.array([1.25, 1.05, 1.0, 0.95, 0.9, 0.5, 0.0])  # Mon..Sun
OPEN = {w: (8 * 60, 20 * 60) for w in range(5)}  # minutes after midnight


def intraday(slots: np.ndarray) -> np.ndarray:
    """Two peaks (10:30 and 15:00) over a base; shares summing to 1."""
    h = slots / 60
    w = 0.4 + np.exp(-0.5 * ((h - 10.5) / 1.2) ** 2) + 0.7 * np.exp(-0.5 * ((h - 15) / 1.5) ** 2)
    return w / w.sum()


def truth(day: pd.Timestamp, slots: np.ndarray, base: float, trend: float, day0: pd.Timestamp) -> np.ndarray:
    t = (day - day0).days
    return base * WEEKLY[day.weekday()] * (1 + trend) ** t * intraday(slots)


def synthetic(days: int = 70, *, start: str = "2024-01-01", base: float = 2000.0, trend: float = 0.0,
              day_cv: float = 0.0, holidays=(), seed: int = 0, minutes: int = 30, hours=None,
              channels=("phone",)) -> pd.DataFrame:
    """Long-form history of ``days`` calendar days (closed days have no rows)."""
    rng = np.random.default_rng(seed)
    hours = OPEN if hours is None else hours
    day0 = pd.Timestamp(start)
    closed = {pd.Timestamp(h) for h in holidays}
    frames = []
    for d in pd.date_range(start, periods=days, freq="D"):
        if d.weekday() not in hours or d in closed:
            continue
        a, b = hours[d.weekday()]
        slots = np.arange(a, b, minutes)
        busy = rng.lognormal(-0.5 * np.log1p(day_cv ** 2), np.sqrt(np.log1p(day_cv ** 2))) if day_cv else 1.0
        stamps = (d + pd.to_timedelta(slots, unit="min")).to_numpy()
        for k, ch in enumerate(channels):
            frames.append((stamps, ch, truth(d, slots, base / (k + 1), trend, day0) * busy))
    mu = np.concatenate([f[2] for f in frames])
    return pd.DataFrame({"interval_start": np.concatenate([f[0] for f in frames]),
                         "channel": np.concatenate([np.full(len(f[0]), f[1]) for f in frames]),
                         "offered": rng.poisson(mu)})


@pytest.fixture(scope="module")
def hist():
    return read_history(synthetic(70, seed=1, channels=("phone", "email")))


# ---------------------------------------------------------------------- shape
def test_forecast_recovers_weekly_and_intraday_shape(hist):
    fc = forecast(hist, days=5)
    assert isinstance(fc, Forecast)
    phone = fc.days[fc.days["channel"] == "phone"]
    assert phone["weekday"].tolist() == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    expected = 2000 * WEEKLY[:5]
    # day totals of ~2,000 Poisson contacts: the level (about 10 days' worth) and the
    # weekday effects (12 weeks) are known to about 1%; 4% is four of those
    np.testing.assert_allclose(phone["volume"], expected, rtol=0.04)
    slots = np.arange(8 * 60, 20 * 60, 30)
    for _, day in phone.iterrows():
        iv = fc.intervals[(fc.intervals["channel"] == "phone") & (fc.intervals["date"] == day["date"])]
        share = iv["volume"].to_numpy() / iv["volume"].sum()
        # each interval's share comes from ~12 days of ~80 contacts: about 3% noise
        assert np.abs(share / intraday(slots) - 1).mean() < 0.05
        assert np.corrcoef(share, intraday(slots))[0, 1] > 0.99
    assert fc.intervals["interval_start"].dt.strftime("%H:%M").iloc[0] == "08:00"
    assert set(fc.channels) == {"phone", "email"}
    email = fc.days[fc.days["channel"] == "email"]["volume"].to_numpy()
    np.testing.assert_allclose(email, expected / 2, rtol=0.05)


def test_prediction_intervals_bracket_the_forecast(hist):
    fc = forecast(hist, days=3, level=0.9)
    iv = fc.intervals
    assert ((iv["lower"] <= iv["volume"]) & (iv["volume"] <= iv["upper"])).all()
    narrow = forecast(hist, days=3, level=0.5).intervals
    assert ((narrow["upper"] - narrow["lower"]) < (iv["upper"] - iv["lower"])).all()
    assert fc.day_cv.keys() == {"phone", "email"}
    assert fc.parameters.columns.tolist() == ["channel", "history_days", "smoothing", "trend", "ar", "interval_cv",
                                              "day_cv_1"]
    # the day-level uncertainty grows (or stays) with the horizon
    assert fc.days[fc.days["channel"] == "phone"]["day_cv"].is_monotonic_increasing
    q = fc.quantile(0.9)
    assert (q >= iv["volume"] - 1e-9).all() and (q <= iv["upper"] + 1e-9).all()


def test_intervals_cover_at_their_nominal_rate():
    """On independent histories (busyness CV 8% plus Poisson), the 80% interval of the
    next day's total, and of one interval of it, holds the actual that often: a
    binomial test at the 0.1% level on 120 histories (a correct 80% interval gives
    between 82 and 108 hits with probability 0.999)."""
    n, hits_day, hits_interval = 120, 0, 0
    rng = np.random.default_rng(7)
    for k in range(n):
        raw = synthetic(57, seed=500 + k, base=800, day_cv=0.08, hours={w: (9 * 60, 17 * 60) for w in range(5)})
        last = pd.Timestamp(raw["interval_start"].max()).normalize()
        h = read_history(raw[raw["interval_start"] < last])
        fc = forecast(h, days=1)
        actual = raw[raw["interval_start"] >= last]["offered"].to_numpy()
        day = fc.days.iloc[0]
        hits_day += day["lower"] <= actual.sum() <= day["upper"]
        j = int(rng.integers(len(actual)))
        row = fc.intervals.iloc[j]
        hits_interval += row["lower"] <= actual[j] <= row["upper"]
    lo, hi = int(stats.binom.ppf(0.0005, n, 0.8)), int(stats.binom.isf(0.0005, n, 0.8))
    assert lo <= hits_day <= hi, f"day totals: {hits_day} of {n} inside (band {lo}-{hi})"
    assert lo <= hits_interval <= hi, f"intervals: {hits_interval} of {n} inside (band {lo}-{hi})"


def test_trend_option_follows_growth():
    raw = synthetic(84, seed=3, trend=0.01, base=1500)
    h = read_history(raw)
    day0 = pd.Timestamp("2024-01-01")
    slots = np.arange(8 * 60, 20 * 60, 30)
    err = {}
    for with_trend in (False, True):
        fc = forecast(h, days=5, trend=with_trend)
        want = np.array([truth(d, slots, 1500, 0.01, day0).sum() for d in fc.days["date"]])
        err[with_trend] = np.abs(fc.days["volume"].to_numpy() / want - 1).mean()
    assert err[True] < err[False]
    assert err[True] < 0.04


# ---------------------------------------------------------------------- calendar
def test_holidays_are_closed_and_left_out_of_the_fit():
    # open on MLK day (2024-01-15) at half volume; Memorial Day 2024-05-27 is ahead
    raw = synthetic(145, start="2024-01-01", seed=4)
    mlk = raw["interval_start"].dt.normalize() == pd.Timestamp("2024-01-15")
    raw.loc[mlk, "offered"] = raw.loc[mlk, "offered"] // 2
    h = read_history(raw)
    assert h.days[-1] == pd.Timestamp("2024-05-24")  # a Friday
    fc = forecast(h, days=3, country="US")
    assert fc.days["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-28", "2024-05-29", "2024-05-30"]
    closed = dict(zip(fc.closed["date"].dt.strftime("%Y-%m-%d"), fc.closed["reason"], strict=True))
    assert closed == {"2024-05-25": "weekday closed", "2024-05-26": "weekday closed", "2024-05-27": "Memorial Day"}
    # New Year's Day, MLK day and Washington's Birthday are left out of the fit
    assert fc.parameters["history_days"].iloc[0] == len(h.days) - 3
    plain = forecast(h, days=3)
    assert plain.days["date"].iloc[0] == pd.Timestamp("2024-05-27")
    with pytest.raises(ForecastError, match="country"):
        forecast(h, days=1, country="XX")
    with pytest.raises(ForecastError, match=r"subdiv: 'ZZ' is not a subdivision of US \(codes: AK, AL, "):
        forecast(h, days=1, country="US", subdiv="ZZ")


def test_special_days_multiply_or_close():
    h = read_history(synthetic(70, seed=5))
    base = forecast(h, days=4).days.set_index("date")["volume"]
    mon, tue = base.index[0], base.index[1]
    fc = forecast(h, days=3, special_days={mon: "closed", tue: 1.5})
    got = fc.days.set_index("date")
    assert mon not in got.index and got.loc[tue, "multiplier"] == 1.5
    # Tuesday is now the first day forecast: its AR day effect is one day fresher
    assert got.loc[tue, "volume"] == pytest.approx(1.5 * base[tue], rel=0.02)
    assert "special day" in fc.closed["reason"].tolist()
    with pytest.raises(ForecastError, match="closed' or a multiplier"):
        forecast(h, days=1, special_days={mon: -1})
    with pytest.raises(ForecastError, match="not a date"):
        forecast(h, days=1, special_days={"someday": 2})


def test_weekday_and_hours_inferred_from_history():
    hours = {**OPEN, 5: (9 * 60, 13 * 60)}  # Saturday mornings; never on Sunday
    h = read_history(synthetic(56, seed=6, hours=hours))
    fc = forecast(h, days=6)
    assert fc.days["weekday"].tolist() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    sat = fc.days.iloc[-1]
    assert (sat["opens"], sat["closes"]) == ("09:00", "13:00")
    assert len(fc.intervals[fc.intervals["date"] == sat["date"]]) == 8
    assert fc.days.iloc[0][["opens", "closes"]].tolist() == ["08:00", "20:00"]
    # the history ends on a Saturday: the Sunday before the first day is skipped
    assert fc.closed["date"].dt.strftime("%a").tolist() == ["Sun"]
    # overrides: open Monday to Thursday only, Thursdays until 18:00
    fc2 = forecast(h, days=4, open_weekdays=["Mon", "Tue", "Wed", "Thu"], opening_hours={"Thu": ("08:00", "18:00")})
    assert fc2.days["weekday"].tolist() == ["Mon", "Tue", "Wed", "Thu"]
    assert fc2.days.iloc[-1]["closes"] == "18:00"
    with pytest.raises(ForecastError, match="closes"):
        forecast(h, days=1, opening_hours={0: ("18:00", "08:00")})


def test_zero_volume_intervals_stay_open():
    raw = synthetic(35, seed=8)
    last_slot = raw["interval_start"].dt.strftime("%H:%M") == "19:30"
    raw.loc[last_slot, "offered"] = 0
    fc = forecast(read_history(raw), days=1)
    iv = fc.intervals
    assert iv["interval_start"].dt.strftime("%H:%M").iloc[-1] == "19:30"
    assert iv["volume"].iloc[-1] == 0 and iv["upper"].iloc[-1] == 0


def test_bad_requests():
    h = read_history(synthetic(70, seed=9))
    for kwargs, match in [
        ({"days": 0}, "days"), ({"days": 2.5}, "days"), ({"days": 1, "level": 1.2}, "level"),
        ({"days": 1, "start": "2024-01-05"}, "after the history's last day"),
        ({"days": 1, "interval_minutes": 45}, "multiple"), ({"days": 1, "open_weekdays": ["Funday"]}, "weekday"),
    ]:
        with pytest.raises(wfm.InputError, match=match):
            forecast(h, **kwargs)
    with pytest.raises(ForecastError, match="at least 15"):
        forecast(read_history(synthetic(14, seed=9)), days=1)
    with pytest.raises(ForecastError, match="History"):
        forecast(synthetic(20), days=1)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- output
def test_csv_layout(hist, tmp_path):
    fc = forecast(hist, days=2)
    path = fc.to_csv(tmp_path / "fc.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "interval_start,channel,volume,lower,upper"
    assert lines[1].startswith("2024-03-11 08:00,phone,")
    assert len(lines) == 1 + 2 * 2 * 24


TEMPLATE = {
    "name": "two channels",
    "interval_minutes": 30,
    "start": "08:00",
    "channels": {
        "phone": {"kind": "voice", "volume": [1.0] * 24, "aht": 300, "patience": 120,
                  "target": {"answer_within": 20, "service_level": 0.8}},
        "email": {"kind": "deferred", "volume": [1.0] * 24, "aht": 400,
                  "target": {"answer_within": 86400, "service_level": 0.9}},
    },
    "agents": [
        {"group": "voice", "skills": ["phone"], "staff": list(range(10, 34))},
        {"group": "back", "skills": ["email"], "staff": 4},
    ],
}


def test_to_scenario_over_calendar_days(hist):
    tmpl = wfm.Scenario.from_dict(TEMPLATE)
    fc = forecast(hist, days=2, start="2024-03-15")  # Friday and Monday
    sc = fc.to_scenario(tmpl)
    cal = fc.calendar()
    assert cal["weekday"].tolist() == ["Fri", "Sat", "Sun", "Mon"]
    assert cal["open"].tolist() == [True, False, False, True]
    assert sc.start == "08:00" and sc.interval_minutes == 30
    assert sc.horizon == 3 * 48 + 24
    labels = sc.interval_labels()
    assert labels[0] == "Fri 15 Mar 08:00" and labels[-1] == "Mon 18 Mar 19:30"
    assert sc.start_date == "2024-03-15"
    # the forecast's own error goes into the simulation's busyness
    assert sc.uncertainty.busyness_cv > 0 and sc.uncertainty.per_channel
    assert fc.to_scenario(tmpl, quantile=0.9).uncertainty.busyness_cv == 0
    assert fc.to_scenario(tmpl, uncertainty=False).uncertainty.busyness_cv == 0
    phone = np.asarray(sc.channels["phone"].volume)
    day1 = fc.intervals[(fc.intervals["channel"] == "phone") & (fc.intervals["day"] == 1)]["volume"]
    np.testing.assert_allclose(phone[:24], day1, atol=1e-3)
    assert phone[24:3 * 48].sum() == 0  # night and weekend
    voice = sc.staff()["voice"]
    assert voice[:24].tolist() == list(range(10, 34)) and voice[24:3 * 48].sum() == 0
    assert voice[-24:].tolist() == list(range(10, 34))
    assert sc.staff()["back"][30] == 0 and sc.staff()["back"][0] == 4
    assert sc.channels["phone"].patience == 120
    # the file wfm writes is a scenario wfm reads
    assert wfm.Scenario.from_yaml(sc.to_yaml()) == sc
    high = fc.to_scenario(tmpl, quantile=0.9, growth=1.1)
    assert sum(high.channels["phone"].volume) > 1.1 * sum(sc.channels["phone"].volume)
    with pytest.raises(wfm.ScenarioError, match="not in the template"):
        fc.to_scenario(wfm.Scenario.from_dict({**TEMPLATE, "channels": {"phone": TEMPLATE["channels"]["phone"]},
                                               "agents": [TEMPLATE["agents"][0]]}))


# ---------------------------------------------------------------------- backtest
def test_backtest_against_benchmarks():
    raw = synthetic(100, seed=10, day_cv=0.05)
    bt = backtest(read_history(raw), horizon=3, min_history=50, step=2)
    assert isinstance(bt, Backtest)
    s = bt.summary.set_index("method")
    assert s.index.tolist() == ["model", "seasonal_naive", "mean_4_weekdays"]
    assert bt.origins == len(range(50, 72 - 3 + 1, 2))
    # on a stable week the model pools more days than either benchmark
    assert s.loc["model", "wape_interval"] < s.loc["mean_4_weekdays", "wape_interval"] < \
        s.loc["seasonal_naive", "wape_interval"]
    assert 0.5 < s.loc["model", "coverage_interval"] <= 1
    assert np.isnan(s.loc["seasonal_naive", "coverage_interval"])
    assert s.loc["mean_4_weekdays", "vs_mean_4_weekdays"] == 0
    assert len(bt.by_horizon) == 9 and len(bt.days) == bt.origins * 3
    assert {"origin", "interval_start", "horizon", "actual", "lower", "upper"} <= set(bt.intervals.columns)
    assert backtest_figure(bt).data[0].name == "wfm forecast"
    with pytest.raises(ForecastError, match="min_history"):
        backtest(read_history(raw), min_history=200)


def test_figures(hist):
    fc = forecast(hist, days=2)
    fig = forecast_figure(fc, hist)
    names = [t.name for t in fig.data]
    assert "history" in names and "phone: forecast" in names


# ---------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("hist") / "history.csv"
    raw = synthetic(70, seed=11, channels=("phone", "email"))
    raw["interval_start"] = raw["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    raw.to_csv(path, index=False)
    return path


def test_cli_forecast_csv_and_scenario(history_csv, tmp_path):
    runner = CliRunner()
    out = tmp_path / "fc.csv"
    res = runner.invoke(app, ["forecast", str(history_csv), "--days", "2", "--interval", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "next 2 open days" in res.output and "wrote" in res.output
    df = pd.read_csv(out)
    assert df.columns.tolist() == ["interval_start", "channel", "volume", "lower", "upper"]
    assert len(df) == 2 * 2 * 12
    tmpl = tmp_path / "t.yaml"
    wfm.Scenario.from_dict(TEMPLATE).to_yaml(tmpl)
    yml = tmp_path / "sc.yaml"
    res = runner.invoke(app, ["forecast", str(history_csv), "--days", "1", "--template", str(tmpl), "--out", str(yml),
                              "--quantile", "0.9"])
    assert res.exit_code == 0, res.output
    assert wfm.load_scenario(yml).horizon == 24


def test_cli_backtest_and_errors(history_csv, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["forecast", str(history_csv), "--backtest", "--horizon", "2", "--min-history", "40",
                              "--out", str(tmp_path / "bt.csv")])
    assert res.exit_code == 0, res.output
    assert "mean_4_weekdays" in res.output and "WAPE" in res.output
    assert pd.read_csv(tmp_path / "bt.csv")["method"].iloc[0] == "model"
    res = runner.invoke(app, ["forecast", str(history_csv), "--days", "0"])
    assert res.exit_code == 2 and "days" in res.output
    res = runner.invoke(app, ["forecast", str(history_csv), "--out", str(tmp_path / "x.yaml")])
    assert res.exit_code == 2 and "--template" in res.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["forecast", str(history_csv), "--out", str(blocker / "fc.csv")])
    assert res.exit_code == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("interval_start,channel,offered\n2024-01-08 08:00,phone,-1\n")
    res = runner.invoke(app, ["forecast", str(bad)])
    assert res.exit_code == 2 and "line 2, column 'offered'" in res.output


def test_a_sweep_over_forecast_growth_and_quantile(tmp_path):
    """A sweep spec starting from history varies the forecast's growth and quantile."""
    history = synthetic(days=42, channels=("phone", "email"))
    history.to_csv(tmp_path / "history.csv", index=False)
    wfm.Scenario.from_dict(TEMPLATE).to_yaml(tmp_path / "template.yaml")
    spec = {"forecast": {"history": str(tmp_path / "history.csv"),
                         "template": str(tmp_path / "template.yaml"), "days": 1,
                         "growth": [1.0, 1.2], "quantile": ["mean", 0.9]},
            "replications": 1, "seed": 2}
    loaded = wfm.load_spec(spec)
    assert loaded.params == ["forecast.growth", "forecast.quantile"]
    base = loaded.scenario
    points = loaded.points()
    volume = {(p.values["forecast.growth"], p.values["forecast.quantile"]):
              sum(loaded.scenario_for(p).channels["phone"].volume) for p in points}
    assert volume[(1.0, "mean")] == pytest.approx(sum(base.channels["phone"].volume), rel=1e-6)
    assert volume[(1.2, "mean")] == pytest.approx(1.2 * volume[(1.0, "mean")], rel=1e-3)
    assert volume[(1.0, 0.9)] > volume[(1.0, "mean")]  # the 90th percentile plans for more
    res = wfm.sweep(loaded, workers=1)
    assert res.failed == 0 and res.points == 4
    with pytest.raises(wfm.ScenarioError, match="forecast.quantile"):
        wfm.load_spec({**spec, "forecast": {**spec["forecast"], "quantile": [1.5]}})
    with pytest.raises(wfm.ScenarioError, match="either scenario or forecast"):
        wfm.load_spec({**spec, "scenario": str(tmp_path / "template.yaml")})

"""Forecast benchmark: rolling-origin backtest on a real bank's calls.

Data: ``../shared/data/bank_calls_train.csv`` relative to the project root (5-minute
call volumes of a North American bank, 100 open weekdays, 07:00-21:05; see its
README). It is read from there, never copied into the project.

From every origin with at least 60 open days of history, each method forecasts the next
1-5 open days at 30-minute intervals; the table gives WAPE per interval and per day,
the coverage of the 80% prediction intervals, and fit + forecast time per origin:

* ``wfm`` (:func:`wfm.forecast.backtest`): the weekday model with a smoothed level and
  an AR(1) day effect, and its variants (level smoothing 0.05 and 0.2, damped trend);
* the two benchmarks of the issue: seasonal naive (same weekday last week) and the mean
  of the last four same weekdays;
* library models, when installed (each run on the same origins and days):
  ``statsmodels`` - an unobserved-components model of the log day totals (local level,
  weekday seasonal, AR(1)), Holt-Winters (multiplicative weekly season) on day totals;
  ``statsforecast`` - AutoARIMA, AutoETS, AutoTheta and AutoCES on day totals (season
  5) and MSTL (seasons of a day and a week, AutoETS trend) on the 30-minute series.
  Day-total models are spread over the day by the same weekday profile as wfm's
  (mean share of each interval over the last twelve same weekdays); their 80% interval
  of the day total is given where the library has one. The series are laid on a
  weekday calendar (days the centre was closed are filled with the mean of the nearest
  same weekdays, so that the weekly season keeps its phase).

``statsforecast`` 2.x requires pandas < 3, which wfm does not: run the library part in
a separate environment, e.g.::

    python -m venv --system-site-packages /tmp/sf && /tmp/sf/bin/pip install statsforecast
    /tmp/sf/bin/python benchmarks/forecast_bench.py --libraries-only

Run: ``python benchmarks/forecast_bench.py [--data PATH] [--libraries-only] [--no-libraries]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.forecast import backtest
from wfm.history import read_history

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "bank_calls_train.csv"
HORIZON, MIN_HISTORY, INTERVAL, LEVEL = 5, 60, 30, 0.8

Method = Callable[[np.ndarray, pd.DatetimeIndex, pd.DatetimeIndex], tuple[np.ndarray, np.ndarray | None]]


def profile(values: np.ndarray, dates: pd.DatetimeIndex, weekday: int, k: int = 12) -> np.ndarray:
    share = np.nan_to_num(values) / np.nansum(values, axis=1, keepdims=True)
    rows = np.flatnonzero(dates.day_of_week == weekday)[-k:]
    return share[rows].mean(axis=0)


def weekday_calendar(values: np.ndarray, dates: pd.DatetimeIndex) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """The history on every weekday from first to last; closed days filled with the mean of
    the nearest two same weekdays."""
    full = pd.bdate_range(dates[0], dates[-1])
    out = np.full((len(full), values.shape[1]), np.nan)
    pos = full.get_indexer(dates)
    out[pos] = np.nan_to_num(values)
    seen = np.zeros(len(full), bool)
    seen[pos] = True
    wd = full.day_of_week.to_numpy()
    for i in np.flatnonzero(~seen):
        same = np.flatnonzero(seen & (wd == wd[i]))
        near = same[np.argsort(np.abs(same - i))[:2]]
        out[i] = out[near].mean(axis=0)
    return out, full


def steps(full: pd.DatetimeIndex, targets: pd.DatetimeIndex) -> np.ndarray:
    return np.array([len(pd.bdate_range(full[-1], t)) - 1 for t in targets])


def day_model(fit_predict: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray | None]]) -> Method:
    """A model of day totals, spread by the weekday profile."""

    def run(values: np.ndarray, dates: pd.DatetimeIndex, targets: pd.DatetimeIndex):
        filled, full = weekday_calendar(values, dates)
        st = steps(full, targets)
        mean, band = fit_predict(filled.sum(axis=1), int(st.max()))
        f = np.array([mean[s - 1] * profile(values, dates, t.weekday()) for s, t in zip(st, targets, strict=True)])
        return f, (None if band is None else band[st - 1])

    return run


def statsmodels_methods() -> dict[str, Method]:
    try:
        import statsmodels.api as sm
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        return {}

    def uc(y: np.ndarray, h: int):
        res = sm.tsa.UnobservedComponents(np.log(y), level="llevel", seasonal=5, autoregressive=1).fit(disp=False)
        fc = res.get_forecast(h)
        ci = np.asarray(fc.conf_int(alpha=1 - LEVEL))
        return np.exp(np.asarray(fc.predicted_mean)), np.exp(ci)

    def hw(y: np.ndarray, h: int):
        res = ExponentialSmoothing(y, seasonal="mul", seasonal_periods=5).fit()
        return np.asarray(res.forecast(h)), None

    return {"statsmodels UnobservedComponents (log day, level + weekday + AR1)": day_model(uc),
            "statsmodels Holt-Winters (day, mult. weekly)": day_model(hw)}


def statsforecast_methods() -> dict[str, Method]:
    try:
        from statsforecast.models import MSTL, AutoARIMA, AutoCES, AutoETS, AutoTheta
    except ImportError:
        return {}

    def sf(make: Callable[[], object]):
        def fit_predict(y: np.ndarray, h: int):
            m = make()
            m.fit(y.astype(float))  # type: ignore[attr-defined]
            try:
                out = m.predict(h, level=[int(100 * LEVEL)])  # type: ignore[attr-defined]
                band = np.c_[out[f"lo-{int(100 * LEVEL)}"], out[f"hi-{int(100 * LEVEL)}"]]
            except Exception:  # noqa: BLE001 - models without intervals
                out, band = m.predict(h), None  # type: ignore[attr-defined]
            return np.asarray(out["mean"]), band
        return fit_predict

    def mstl(values: np.ndarray, dates: pd.DatetimeIndex, targets: pd.DatetimeIndex):
        filled, full = weekday_calendar(values, dates)
        st = steps(full, targets)
        n = filled.shape[1]
        m = MSTL(season_length=[n, 5 * n], trend_forecaster=AutoETS(model="ZZN"))
        m.fit(filled.ravel())
        out = m.predict(int(st.max()) * n)["mean"].reshape(-1, n)
        return np.maximum(out[st - 1], 0), None

    def mstl_week(values: np.ndarray, dates: pd.DatetimeIndex, targets: pd.DatetimeIndex):
        filled, full = weekday_calendar(values, dates)
        st = steps(full, targets)
        n = filled.shape[1]
        m = MSTL(season_length=[5 * n], trend_forecaster=AutoETS(model="ZZN"))
        m.fit(filled.ravel())
        out = m.predict(int(st.max()) * n)["mean"].reshape(-1, n)
        return np.maximum(out[st - 1], 0), None

    return {
        "statsforecast AutoARIMA (day, season 5)": day_model(sf(lambda: AutoARIMA(season_length=5))),
        "statsforecast AutoETS (day, season 5)": day_model(sf(lambda: AutoETS(season_length=5))),
        "statsforecast AutoTheta (day, season 5)": day_model(sf(lambda: AutoTheta(season_length=5))),
        "statsforecast AutoCES (day, season 5)": day_model(sf(lambda: AutoCES(season_length=5))),
        "statsforecast MSTL (30-min, day + week, AutoETS trend)": mstl,
        "statsforecast MSTL (30-min, week only, AutoETS trend)": mstl_week,
    }


def no_day_effect(values: np.ndarray, dates: pd.DatetimeIndex, targets: pd.DatetimeIndex):
    """wfm's weekday model without the AR(1) day effect: a level smoothed at 0.1 times
    weekday effects (last twelve weeks), spread by the weekday profile."""
    logt = np.log1p(np.nansum(values, axis=1))
    wd = dates.day_of_week.to_numpy()
    recent = np.asarray(dates >= dates[-1] - pd.Timedelta(weeks=12))
    eff = np.array([logt[recent & (wd == w)].mean() if (recent & (wd == w)).any() else 0.0 for w in range(7)])
    eff[:5] -= eff[:5].mean()
    level = logt[:5].mean()
    for x in logt - eff[wd]:
        level = 0.1 * x + 0.9 * level
    return np.array([np.expm1(level + eff[t.weekday()]) * profile(values, dates, t.weekday())
                     for t in targets]), None


def mean_4_weekdays(values: np.ndarray, dates: pd.DatetimeIndex, targets: pd.DatetimeIndex):
    """The benchmark in this harness (the same numbers as wfm's backtest gives)."""
    wd = dates.day_of_week.to_numpy()
    return np.array([np.nan_to_num(values[wd == t.weekday()][-4:]).mean(axis=0) for t in targets]), None


def evaluate(name: str, method: Method, values: np.ndarray, dates: pd.DatetimeIndex) -> dict[str, object]:
    ae = tot = aed = 0.0
    covered = judged = 0
    seconds = 0.0
    origins = range(MIN_HISTORY, len(dates) - HORIZON + 1)
    for o in origins:
        targets = dates[o:o + HORIZON]
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, band = method(values[:o], dates[:o], targets)
        seconds += time.perf_counter() - t0
        actual = np.nan_to_num(values[o:o + HORIZON])
        ae += float(np.abs(actual - f).sum())
        tot += float(actual.sum())
        aed += float(np.abs(actual.sum(axis=1) - f.sum(axis=1)).sum())
        if band is not None:
            days = actual.sum(axis=1)
            covered += int(((band[:, 0] <= days) & (days <= band[:, 1])).sum())
            judged += len(days)
    return {"method": name, "wape_interval": ae / tot, "wape_day": aed / tot, "coverage_interval": np.nan,
            "coverage_day": covered / judged if judged else np.nan, "seconds_per_origin": seconds / len(origins)}


def wfm_rows(hist) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    backtest(hist, horizon=1, interval_minutes=INTERVAL, min_history=len(hist.days) - 1)  # warm-up: imports, caches
    variants = [("wfm forecast (default: smoothing 0.1, AR(1) day effect)", {}),
                ("wfm forecast, smoothing 0.05", {"smoothing": 0.05}),
                ("wfm forecast, smoothing 0.2", {"smoothing": 0.2}),
                ("wfm forecast, damped trend", {"trend": True})]
    for k, (label, kw) in enumerate(variants):
        t0 = time.perf_counter()
        bt = backtest(hist, horizon=HORIZON, interval_minutes=INTERVAL, min_history=MIN_HISTORY, level=LEVEL, **kw)
        wall = time.perf_counter() - t0
        for row in bt.summary.to_dict("records"):
            if row["method"] != "model" and k > 0:
                continue
            name = {"model": label, "seasonal_naive": "seasonal naive (same weekday last week)",
                    "mean_4_weekdays": "mean of the last 4 same weekdays"}[str(row["method"])]
            rows.append({**row, "method": name})
        if k == 0:
            print(f"wfm backtest: {bt.origins} origins x {bt.horizon} days, {wall:.1f} s in all")
            print(bt.by_horizon.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--libraries-only", action="store_true")
    ap.add_argument("--no-libraries", action="store_true")
    args = ap.parse_args()
    if not args.data.exists():
        raise SystemExit(f"no data at {args.data} (see the module docstring)")
    hist = read_history(args.data)
    h30 = hist.resample(INTERVAL)
    dates, _, values = h30.matrix(h30.channels[0])
    print(f"{args.data.name}: {len(dates)} open days, {values.shape[1]} intervals of {INTERVAL} min;"
          f" origins {MIN_HISTORY}..{len(dates) - HORIZON}; Python {platform.python_version()},"
          f" pandas {pd.__version__}, numpy {np.__version__}")
    rows = [evaluate("mean of the last 4 same weekdays", mean_4_weekdays, values, dates)] \
        if args.libraries_only else wfm_rows(hist)
    if not args.libraries_only:
        rows.append(evaluate("weekday model without the AR(1) day effect", no_day_effect, values, dates))
    if not args.no_libraries:
        for name, method in {**statsmodels_methods(), **statsforecast_methods()}.items():
            print(f"running {name} ...", flush=True)
            rows.append(evaluate(name, method, values, dates))
    table = pd.DataFrame(rows)
    ref = table.loc[table["method"] == "mean of the last 4 same weekdays", "wape_interval"]
    print()
    print("| method | WAPE per interval | WAPE per day | vs 4-weekday mean | 80% coverage (intervals) |"
          " 80% coverage (days) | fit + forecast per origin |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in table.itertuples(index=False):
        vs = f"{100 * (r.wape_interval / ref.iloc[0] - 1):+.1f}%" if len(ref) else "-"
        cov_i = "-" if np.isnan(r.coverage_interval) else f"{100 * r.coverage_interval:.1f}%"
        cov_d = "-" if np.isnan(r.coverage_day) else f"{100 * r.coverage_day:.1f}%"
        print(f"| {r.method} | {100 * r.wape_interval:.2f}% | {100 * r.wape_day:.2f}% | {vs} | {cov_i} | {cov_d} |"
              f" {1000 * r.seconds_per_origin:,.1f} ms |")


if __name__ == "__main__":
    main()

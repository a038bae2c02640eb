"""Rolling-origin backtest of the volume forecast against two naive benchmarks.

From each origin (an open day with at least ``min_history`` open days before it), the
model is fitted on the history before the origin and forecasts the next ``horizon``
open days of the history (the days that really came); so do the benchmarks:

* ``seasonal_naive``: each interval as on the same weekday last week (the latest
  same weekday before the origin);
* ``mean_4_weekdays``: each interval as the mean of the last four same weekdays.

Measures, over every origin, forecast day, interval and channel:

* **WAPE** (weighted absolute percentage error) per interval:
  ``sum |actual - forecast| / sum actual``; per day: the same on day totals;
* **coverage**: the share of actual intervals (and day totals) inside the model's
  central ``level`` prediction interval (the benchmarks have none);
* seconds per origin: fitting and forecasting all channels.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from wfm.history import read_history
>>> rng = np.random.default_rng(2)
>>> days = pd.bdate_range("2024-01-01", periods=30)
>>> stamps = [d + pd.Timedelta(minutes=m) for d in days for m in range(480, 1080, 60)]
>>> hist = read_history(pd.DataFrame({"interval_start": stamps, "channel": "phone",
...                                   "offered": rng.poisson(50, len(stamps))}))
>>> bt = backtest(hist, horizon=2, min_history=20)
>>> bt.summary["method"].tolist()
['model', 'seasonal_naive', 'mean_4_weekdays']
>>> bt.origins
9
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm.forecast.model import (
    DEFAULT_LEVEL,
    DEFAULT_SMOOTHING,
    ForecastError,
    _fraction,
    _holidays,
    _predict,
    _prepare,
    _special_days,
)
from wfm.history import History

__all__ = ["METHODS", "Backtest", "backtest"]

#: The methods compared, in table order.
METHODS = ("model", "seasonal_naive", "mean_4_weekdays")


@dataclass(frozen=True)
class Backtest:
    """The result of :func:`backtest`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per method (``model``, ``seasonal_naive``, ``mean_4_weekdays``):
        ``wape_interval`` and ``wape_day`` (fractions), ``coverage_interval`` and
        ``coverage_day`` (fractions; NaN for the benchmarks), ``seconds_per_origin``
        (fit and forecast of every channel), ``vs_mean_4_weekdays`` (the interval
        WAPE relative to that benchmark's, minus 1: -0.1 = 10% lower).
    by_horizon : pandas.DataFrame
        The same measures per method and ``horizon`` (1 = the next open day).
    days : pandas.DataFrame
        One row per origin, forecast day and channel: ``origin``, ``date``,
        ``horizon``, ``channel``, ``actual``, ``model``, ``model_lower``,
        ``model_upper``, ``seasonal_naive``, ``mean_4_weekdays`` (contacts in the day).
    intervals : pandas.DataFrame
        One row per origin, forecast day, open interval and channel: ``origin``,
        ``interval_start``, ``horizon``, ``channel``, ``actual``, ``model``,
        ``lower``, ``upper``, ``seasonal_naive``, ``mean_4_weekdays`` (contacts).
    origins : int
        Number of forecast origins.
    horizon : int
        Open days forecast from each origin.
    level : float
        Coverage of the model's prediction intervals.
    interval_minutes : int
    """

    summary: pd.DataFrame
    by_horizon: pd.DataFrame
    days: pd.DataFrame
    intervals: pd.DataFrame
    origins: int
    horizon: int
    level: float
    interval_minutes: int


def backtest(
    history: History,
    *,
    horizon: int = 5,
    interval_minutes: int | None = None,
    min_history: int = 60,
    step: int = 1,
    level: float = DEFAULT_LEVEL,
    channels: Sequence[str] | None = None,
    country: str | None = None,
    subdiv: str | None = None,
    special_days: Mapping[Any, Any] | None = None,
    trend: bool = False,
    smoothing: float = DEFAULT_SMOOTHING,
    progress: Any = None,
) -> Backtest:
    """Rolling-origin backtest of :func:`wfm.forecast.forecast` on a history.

    Parameters
    ----------
    history : History
    horizon : int, default 5
        Open days forecast from each origin.
    interval_minutes : int, optional
        Interval of the comparison (a multiple of the history's; default its own).
    min_history : int, default 60
        Open days of history before the first origin (at least 15).
    step : int, default 1
        Open days between two origins.
    level : float, default 0.8
        Coverage of the model's prediction intervals.
    channels, country, subdiv, special_days, trend, smoothing
        As for :func:`wfm.forecast.forecast`. Holidays and closed special days in the
        history are not forecast (they are not open days).
    progress : callable, optional
        Called as ``progress(done, total)`` after each origin.

    Returns
    -------
    Backtest

    Raises
    ------
    ForecastError
        Invalid options, or a history too short for one origin.
    """
    for name, value, low in (("horizon", horizon, 1), ("min_history", min_history, 15), ("step", step, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ForecastError([(name, f"must be a whole number >= {low} (got {value!r})")])
    level = _fraction("level", level)
    smoothing = _fraction("smoothing", smoothing)
    hist = _prepare(history, interval_minutes, channels)
    special = _special_days(special_days)
    all_days = hist.days
    hol = _holidays(country, subdiv, range(all_days[0].year, all_days[-1].year + 1))
    usable = pd.DatetimeIndex([d for d in all_days
                               if special.get(d, 1.0) > 0 and not (d in hol and d not in special)])
    n = len(usable)
    starts = list(range(int(min_history), n - int(horizon) + 1, int(step)))
    if not starts:
        raise ForecastError([("history", f"{n} usable open days: a backtest needs min_history + horizon = "
                                         f"{int(min_history) + int(horizon)}")], hist.source)
    mats = {ch: hist.matrix(ch) for ch in hist.channels}
    pos = {d: i for i, d in enumerate(all_days)}
    rows_i: list[pd.DataFrame] = []
    rows_d: list[pd.DataFrame] = []
    seconds: dict[str, float] = dict.fromkeys(METHODS, 0.0)
    for k, o in enumerate(starts):
        origin = usable[o]
        targets = list(usable[o:o + int(horizon)])
        past = hist.before(origin)
        t0 = time.perf_counter()
        fc = _predict(past, targets, [], level=level, hol=hol, special=special, opening_hours=None,
                      trend=trend, smoothing=smoothing)
        seconds["model"] += time.perf_counter() - t0
        for ch in hist.channels:
            dates, slots, values = mats[ch]
            past_idx = np.array([pos[d] for d in usable[:o]])
            past_wd = dates[past_idx].day_of_week.to_numpy()
            f_ch = fc.intervals[fc.intervals["channel"] == ch]
            for h, d in enumerate(targets, start=1):
                actual_row = values[pos[d]]
                open_ = ~np.isnan(actual_row)
                actual = actual_row[open_]
                stamps = d + pd.to_timedelta(slots[open_], unit="min")
                f_day = f_ch[f_ch["date"] == d].set_index("interval_start")
                model = f_day["volume"].reindex(stamps).fillna(0.0).to_numpy()
                lower = f_day["lower"].reindex(stamps).fillna(0.0).to_numpy()
                upper = f_day["upper"].reindex(stamps).fillna(0.0).to_numpy()
                t1 = time.perf_counter()
                same = past_idx[past_wd == d.weekday()]
                mult = special.get(d, 1.0)
                base = np.nan_to_num(values[same]) / np.array([special.get(dates[j], 1.0) for j in same])[:, None] \
                    if len(same) else np.zeros((0, len(slots)))
                naive = (base[-1] if len(same) else np.zeros(len(slots)))[open_] * mult
                t2 = time.perf_counter()
                mean4 = (base[-4:].mean(axis=0) if len(same) else np.zeros(len(slots)))[open_] * mult
                t3 = time.perf_counter()
                seconds["seasonal_naive"] += t2 - t1
                seconds["mean_4_weekdays"] += t3 - t2
                rows_i.append(pd.DataFrame({
                    "origin": origin, "interval_start": stamps, "horizon": h, "channel": ch, "actual": actual,
                    "model": model, "lower": lower, "upper": upper, "seasonal_naive": naive,
                    "mean_4_weekdays": mean4,
                }))
                day = fc.days[(fc.days["channel"] == ch) & (fc.days["date"] == d)]
                rows_d.append(pd.DataFrame({
                    "origin": [origin], "date": [d], "horizon": [h], "channel": [ch], "actual": [actual.sum()],
                    "model": [model.sum()], "model_lower": [float(day["lower"].iloc[0]) if len(day) else 0.0],
                    "model_upper": [float(day["upper"].iloc[0]) if len(day) else 0.0],
                    "seasonal_naive": [naive.sum()], "mean_4_weekdays": [mean4.sum()],
                }))
        if progress is not None:
            progress(k + 1, len(starts))
    intervals = pd.concat(rows_i, ignore_index=True)
    days = pd.concat(rows_d, ignore_index=True)
    per_origin = {m: s / len(starts) for m, s in seconds.items()}
    summary = _measures(intervals, days, None, per_origin)
    by_h = pd.concat([_measures(intervals[intervals["horizon"] == h], days[days["horizon"] == h], h, per_origin)
                      for h in range(1, int(horizon) + 1)], ignore_index=True)
    return Backtest(summary, by_h, days, intervals, len(starts), int(horizon), level, hist.interval_minutes)


def _wape(actual: pd.Series, fc: pd.Series) -> float:
    tot = float(actual.sum())
    return float((actual - fc).abs().sum() / tot) if tot > 0 else float("nan")


def _measures(intervals: pd.DataFrame, days: pd.DataFrame, horizon: int | None,
              seconds: dict[str, float]) -> pd.DataFrame:
    rows = []
    for m in METHODS:
        row: dict[str, Any] = {"method": m}
        if horizon is not None:
            row["horizon"] = horizon
        row["wape_interval"] = _wape(intervals["actual"], intervals[m])
        row["wape_day"] = _wape(days["actual"], days[m])
        if m == "model":
            a = intervals["actual"]
            row["coverage_interval"] = float(((a >= intervals["lower"]) & (a <= intervals["upper"])).mean())
            a = days["actual"]
            row["coverage_day"] = float(((a >= days["model_lower"]) & (a <= days["model_upper"])).mean())
        else:
            row["coverage_interval"] = row["coverage_day"] = float("nan")
        row["seconds_per_origin"] = seconds[m]
        rows.append(row)
    out = pd.DataFrame(rows)
    ref = out.loc[out["method"] == "mean_4_weekdays", "wape_interval"].iloc[0]
    out["vs_mean_4_weekdays"] = out["wape_interval"] / ref - 1 if ref > 0 else float("nan")
    return out

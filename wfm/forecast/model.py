"""Volume forecast with prediction intervals from interval history.

The model (per channel, on the centre's open days):

* **day totals** on a log scale, ``log(T + 1)``, are a *weekday effect* (the mean of
  each weekday over the last twelve weeks, relative to their average) plus a *level*
  that follows the deseasonalised totals by exponential smoothing (``smoothing``,
  default 0.1: about two weeks of memory), optionally with a damped *trend*, plus a
  *day effect*: yesterday's surprise, carried forward with an AR(1) coefficient
  estimated from the history (a busy day tends to be followed by a busy day; the
  effect fades over the following days);
* an **intraday profile** per weekday (the mean share of each interval over the last
  twelve same weekdays) spreads each day's total over its open intervals;
* **prediction intervals** come from the model's own errors on the history: a
  rolling-origin pass over the history gives, per horizon (1, 2, ... open days ahead),
  the spread of the log day total (``day_cv``: the coefficient of variation of the
  day-level multiplier, the uncertainty the simulation can draw a busyness factor
  from), and the spread of intervals around their share of the day beyond Poisson
  noise (``interval_cv``). An interval's forecast is a gamma distribution with the
  forecast as mean and variance ``v + v**2 * ((1 + interval_cv**2) * (1 + day_cv**2) - 1)``
  (Poisson, day-level and intraday noise); ``lower`` and ``upper`` are its
  ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles.

Why this model and not MSTL, ETS, Theta or ARIMA from ``statsforecast`` or
``statsmodels``: measured on a real bank's calls (``benchmarks/forecast_bench.py``,
numbers in ``benchmarks/README.md``) it was the most accurate of them (interval WAPE
12% below the mean of the last four same weekdays; the best library model,
statsmodels' unobserved components with the same structure, 10% below) and a fit
takes a few milliseconds, where ARIMA, MSTL and unobserved components take half a
second or more; ``statsforecast`` also requires pandas < 3. It needs numpy and scipy
only.

Calendar: the forecast covers the next ``days`` open days after the history (or from
``start``). A weekday that never appears in the history is closed (unless
``open_weekdays`` says otherwise); public holidays from the ``holidays`` package
(``country``, ``subdiv``) are closed and left out of the fit; ``special_days`` lists
dates that are closed (``"closed"`` or 0) or whose volume is multiplied (``1.3``),
in the forecast and, divided out, in the history. Opening hours of each weekday are
the intervals open on at least half of its last four occurrences, unless
``opening_hours`` gives them.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from wfm.history import read_history
>>> rng = np.random.default_rng(1)
>>> days = pd.bdate_range("2024-01-01", periods=40)
>>> stamps = [d + pd.Timedelta(minutes=m) for d in days for m in range(480, 1200, 60)]
>>> shape = np.tile(np.r_[1, 2, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1], len(days))
>>> hist = read_history(pd.DataFrame({"interval_start": stamps, "channel": "phone",
...                                   "offered": rng.poisson(20 * shape)}))
>>> fc = forecast(hist, days=3)
>>> fc.days[["date", "weekday"]].astype(str).values.tolist()
[['2024-02-26', 'Mon'], ['2024-02-27', 'Tue'], ['2024-02-28', 'Wed']]
>>> bool((fc.intervals["lower"] <= fc.intervals["volume"]).all())
True
>>> fc.to_frame().columns.tolist()
['interval_start', 'channel', 'volume', 'lower', 'upper']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from wfm.atomic import atomic_write
from wfm.errors import InputError
from wfm.history import History
from wfm.scenario import INTERVAL_MINUTES, Scenario, ScenarioError

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_SMOOTHING",
    "MIN_HISTORY_DAYS",
    "Forecast",
    "ForecastError",
    "forecast",
]

DEFAULT_LEVEL = 0.8
DEFAULT_SMOOTHING = 0.1
#: Open days of history the model needs at least.
MIN_HISTORY_DAYS = 15
#: Weeks of history behind the weekday effects and the intraday profiles.
WINDOW_WEEKS = 12
_TREND_SMOOTHING = 0.05
_TREND_DAMPING = 0.98
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MAX_DAYS = 366


class ForecastError(InputError):
    """An invalid forecast request (options, history too short, a calendar problem)."""

    head = "cannot forecast"


# ---------------------------------------------------------------------- result
@dataclass(frozen=True)
class Forecast:
    """A volume forecast with its prediction intervals.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per open interval of each forecast day and channel: ``interval_start``
        (local clock time), ``date``, ``day`` (1 = the first forecast day), ``channel``,
        ``volume`` (the forecast: mean contacts offered in the interval), ``lower`` and
        ``upper`` (the central ``level`` prediction interval, contacts).
    days : pandas.DataFrame
        One row per forecast day and channel: ``date``, ``day``, ``weekday``
        (``"Mon"``...), ``channel``, ``volume``, ``lower``, ``upper`` (contacts in the
        day), ``day_cv`` (coefficient of variation of the day-level multiplier at this
        horizon), ``multiplier`` (a special day's factor, else 1), ``opens`` and
        ``closes`` (``"HH:MM"``).
    closed : pandas.DataFrame
        The days skipped after the history's last day up to the last forecast day
        (closed weekdays, holidays, closed special days): ``date``,
        ``reason`` (``"weekday closed"``, the holiday's name, ``"special day"``).
    parameters : pandas.DataFrame
        One row per channel: ``channel``, ``history_days`` (open days fitted),
        ``smoothing``, ``trend`` (per day, log scale), ``ar`` (the day effect's AR(1)
        coefficient), ``interval_cv`` and ``day_cv_1`` (day-level CV one day ahead).
    level : float
        Coverage of the prediction intervals (0.8: 10% and 90% quantiles).
    interval_minutes : int
        Interval length, minutes.
    channels : tuple of str
    day_cv : dict of str to float
        Per channel, the calibrated day-level uncertainty over the forecast's days (the
        root mean square of their ``day_cv``): the spread of the multiplier a
        simulation can apply to a whole day's volume.
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    closed: pd.DataFrame
    parameters: pd.DataFrame
    level: float
    interval_minutes: int
    channels: tuple[str, ...]
    day_cv: dict[str, float] = field(default_factory=dict)

    def to_frame(self, quantile: float | None = None) -> pd.DataFrame:
        """The long-form table written by ``wfm forecast --out FILE.csv``.

        Parameters
        ----------
        quantile : float, optional
            Replace ``volume`` by this quantile of each interval's forecast
            distribution (``0.9``: a volume exceeded one time in ten).

        Returns
        -------
        pandas.DataFrame
            ``interval_start`` (text ``YYYY-MM-DD HH:MM``), ``channel``, ``volume``,
            ``lower``, ``upper`` (contacts per interval, two decimals).
        """
        df = self.intervals
        vol = df["volume"] if quantile is None else self.quantile(quantile)
        return pd.DataFrame({
            "interval_start": df["interval_start"].dt.strftime("%Y-%m-%d %H:%M"),
            "channel": df["channel"].astype(str),
            "volume": np.round(vol.to_numpy(float), 2),
            "lower": np.round(df["lower"].to_numpy(float), 2),
            "upper": np.round(df["upper"].to_numpy(float), 2),
        })

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` as CSV, atomically; returns the path."""
        frame = self.to_frame()
        return atomic_write(Path(path), lambda fh: frame.to_csv(fh, index=False, lineterminator="\n"))

    def quantile(self, q: float) -> pd.Series:
        """Each interval's ``q`` quantile (contacts), aligned with :attr:`intervals`.

        Raises
        ------
        ForecastError
            ``q`` not in (0, 1).
        """
        q = _fraction("quantile", q)
        df = self.intervals
        day_cv = df[["date", "channel"]].merge(
            self.days[["date", "channel", "day_cv"]], on=["date", "channel"], how="left")["day_cv"].to_numpy()
        icv = df["channel"].map(dict(zip(self.parameters["channel"], self.parameters["interval_cv"],
                                         strict=True))).to_numpy(float)
        out = _gamma_quantile(df["volume"].to_numpy(float), day_cv, icv, q)
        return pd.Series(out, index=df.index, name=f"q{q:g}")

    def calendar(self) -> pd.DataFrame:
        """Every calendar day from the first forecast day to the last, as a scenario
        made by :meth:`to_scenario` lays them out: ``scenario_day`` (1 = ``d1``),
        ``date``, ``weekday``, ``open``."""
        first, last = self.days["date"].min(), self.days["date"].max()
        dates = pd.date_range(first, last, freq="D")
        open_days = set(self.days["date"])
        return pd.DataFrame({"scenario_day": np.arange(1, len(dates) + 1), "date": dates,
                             "weekday": [_WEEKDAYS[d.weekday()] for d in dates],
                             "open": [d in open_days for d in dates]})

    def to_scenario(
        self,
        template: Scenario,
        *,
        quantile: float | None = None,
        growth: float = 1.0,
        name: str | None = None,
        uncertainty: bool = True,
    ) -> Scenario:
        """A scenario over the forecast's days, with the template's channels and groups.

        The horizon runs from the first open interval of the first forecast day to the
        end of the last open interval of the last, over consecutive calendar days in
        today's format (intervals after midnight are labelled ``d2 08:30``...; see
        :meth:`calendar` for the date of each ``dN``). Closed intervals and closed days
        get volume 0 and staff 0. Each channel keeps the template's parameters (kind,
        AHT, patience, target...) with the forecast as its volume. Each group's staff
        is the template's staff at the same clock time (a list is read by clock time
        of its first day; outside the template's hours staff is 0; a single number
        stays as it is on open intervals).

        Parameters
        ----------
        template : Scenario
            Its channels must be the forecast's channels.
        quantile : float, optional
            Use this quantile of each interval's forecast instead of the mean
            (``0.9``: plan for a volume reached one time in ten).
        growth : float, default 1.0
            Multiply every volume (a what-if: ``1.05`` is 5% more).
        name : str, optional
            The scenario's name (default: the template's with the dates).
        uncertainty : bool, default True
            With the mean forecast (no ``quantile``), carry the forecast's own error into
            the simulation: the scenario's ``uncertainty`` gets the forecast's day-level
            CV as ``busyness_cv`` (the volume-weighted mean over channels, one factor
            per channel and day) and its interval CV as ``interval_cv``, so that
            replications show the forecast risk. The scenario's ``start_date`` is the
            first forecast day.

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            Channels differ, the interval is not 15, 30 or 60 minutes, or the result
            breaks a scenario rule or limit.
        """
        m = self.interval_minutes
        if m not in INTERVAL_MINUTES:
            raise ScenarioError([("interval_minutes", f"a scenario needs 15, 30 or 60-minute intervals; this "
                                                      f"forecast has {m}")])
        growth = float(growth)
        if not math.isfinite(growth) or growth < 0:
            raise ScenarioError([("growth", f"must be a number >= 0 (got {growth})")])
        missing = [c for c in self.channels if c not in template.channels]
        extra = [c for c in template.channels if c not in self.channels]
        if missing or extra:
            problems = [(f"channels.{c}", "is forecast but not in the template (it has no parameters)")
                        for c in missing]
            problems += [(f"channels.{c}", "is in the template but not in the forecast (no volume for it)")
                         for c in extra]
            raise ScenarioError(problems)
        vol = self.intervals["volume"] if quantile is None else self.quantile(quantile)
        ts = self.intervals["interval_start"]
        first_day = ts.min().normalize()
        per_day = 1440 // m
        index = ((ts - first_day).dt.total_seconds() // (60 * m)).astype(np.int64).to_numpy()
        i0, i1 = int(index.min()), int(index.max()) + 1
        horizon = i1 - i0
        data = template.to_dict()
        data["interval_minutes"] = m
        data["start"] = f"{(i0 % per_day) * m // 60:02d}:{(i0 % per_day) * m % 60:02d}"
        last = self.days["date"].max()
        data["name"] = name if name is not None else (
            f"{template.name} {first_day:%Y-%m-%d}" + (f" to {last:%Y-%m-%d}" if last != first_day else ""))
        for ch in self.channels:
            sel = (self.intervals["channel"] == ch).to_numpy()
            v = np.zeros(horizon)
            v[index[sel] - i0] = np.round(vol.to_numpy(float)[sel] * growth, 3)
            data["channels"][ch]["volume"] = v.tolist()
        open_mask = np.zeros(horizon, bool)
        open_mask[index - i0] = True
        clock = ((np.arange(i0, i1) % per_day) * m)  # minutes after midnight
        # per-interval channel values of the template (aht, patience...) follow the clock
        for ch in self.channels:
            for key, value in list(data["channels"][ch].items()):
                if key != "volume" and isinstance(value, list) and len(value) == template.horizon:
                    data["channels"][ch][key] = _by_clock(template, value, clock, nearest=True).tolist()
        data["start_date"] = f"{first_day:%Y-%m-%d}"
        for key in ("opening_hours", "closed_dates"):  # the forecast's days are open
            data.pop(key, None)
        if uncertainty and quantile is None and self.day_cv:
            weights = {c: float(self.intervals.loc[self.intervals["channel"] == c, "volume"].sum())
                       for c in self.channels}
            total = sum(weights.values()) or 1.0
            day_cv = sum(self.day_cv.get(c, 0.0) * w for c, w in weights.items()) / total
            icv = dict(zip(self.parameters["channel"], self.parameters["interval_cv"], strict=False))
            interval_cv = sum(float(icv.get(c, 0.0)) * w for c, w in weights.items()) / total
            data["uncertainty"] = {"busyness_cv": round(min(day_cv, 5.0), 4), "per_channel": True,
                                   "interval_cv": round(min(interval_cv, 5.0), 4)}
        staff = template.staff()
        for g, group in zip(data["agents"], template.agents, strict=True):
            if isinstance(group.staff, int):
                g["staff"] = group.staff if open_mask.all() else np.where(open_mask, group.staff, 0).tolist()
            else:
                g.pop("roster", None)
                curve = _by_clock(template, staff[group.group].tolist(), clock, nearest=False)
                g["staff"] = np.where(open_mask, curve, 0).astype(int).tolist()
        return Scenario.from_dict(data)


def _by_clock(template: Scenario, values: Sequence[Any], clock: np.ndarray, *, nearest: bool) -> np.ndarray:
    """The template's per-interval ``values`` at each clock time (minutes after
    midnight), read from the first occurrence of each time of day in the template.
    Where the template has no interval at that time: 0, or with ``nearest`` the value
    at the nearest time of day it has."""
    tm = template.interval_minutes
    start = template.start_seconds // 60
    by_slot: dict[int, Any] = {}
    for i, v in enumerate(values):
        by_slot.setdefault((start + i * tm) % 1440, v)
    known = np.array(sorted(by_slot), dtype=np.int64)
    out: list[Any] = []
    for c in clock:
        slot = (int(c) // tm) * tm
        if slot in by_slot:
            out.append(by_slot[slot])
        elif nearest:
            dist = np.minimum(np.abs(known - slot), 1440 - np.abs(known - slot))
            out.append(by_slot[int(known[int(np.argmin(dist))])])
        else:
            out.append(0)
    return np.asarray(out)


# ---------------------------------------------------------------------- fitting
@dataclass
class _Fit:
    """One channel's fitted model (internal)."""

    smoothing: float
    trend: float
    ar: float
    level: float
    last_resid: float
    effects: np.ndarray  # (7,) weekday effects, log scale
    sigma: np.ndarray  # (H,) sd of the log day total per horizon (index 0 = 1 day ahead)
    interval_cv: float
    profiles: dict[int, np.ndarray]  # weekday -> shares over slots (sum 1)
    overall: np.ndarray  # shares over slots, all days
    n_days: int


def _weekday_effects(logt: np.ndarray, dates: pd.DatetimeIndex, window: np.ndarray) -> np.ndarray:
    """Weekday effects on the log scale: each day against the mean of the open days of
    the calendar week centred on it (so that a trend does not leak into the effects),
    averaged per weekday over ``window``; centred on the weekdays seen."""
    wd = dates.day_of_week.to_numpy()
    day = ((dates - dates[0]) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    lo = np.searchsorted(day, day - 3, side="left")
    hi = np.searchsorted(day, day + 3, side="right")
    csum = np.r_[0.0, np.cumsum(logt)]
    centred = (csum[hi] - csum[lo]) / (hi - lo)
    full = (day - 3 >= day[0]) & (day + 3 <= day[-1])
    eff = np.zeros(7)
    seen = np.zeros(7, bool)
    for w in range(7):
        for sel in ((wd == w) & window & full, (wd == w) & full, (wd == w) & window, wd == w):
            if sel.any():
                ref = centred[sel] if (sel & full).all() else np.full(sel.sum(), logt[window].mean())
                eff[w] = float(np.mean(logt[sel] - ref))
                seen[w] = True
                break
    eff[seen] -= eff[seen].mean()
    return eff


def _smooth(x: np.ndarray, alpha: float, trend: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level (and damped trend) recursion; (one-step residuals, level after each day, trend)."""
    n = len(x)
    level = float(np.mean(x[: min(n, 5)]))
    b = 0.0
    beta = _TREND_SMOOTHING if trend else 0.0
    damp = _TREND_DAMPING if trend else 0.0
    res = np.empty(n)
    lv = np.empty(n)
    tr = np.empty(n)
    for i in range(n):
        pred = level + damp * b
        res[i] = x[i] - pred
        new = alpha * x[i] + (1 - alpha) * pred
        b = beta * (new - level) + (1 - beta) * damp * b
        level = new
        lv[i], tr[i] = level, b
    return res, lv, tr


def _trend_sum(b: float | np.ndarray, steps: int | np.ndarray, trend: bool) -> np.ndarray:
    """What a damped trend ``b`` adds over ``steps`` days (log scale); 0 without trend."""
    if not trend:
        return np.zeros(np.broadcast(np.asarray(b), np.asarray(steps)).shape)
    phi = _TREND_DAMPING
    return np.asarray(np.asarray(b) * phi * (1 - phi ** np.asarray(steps)) / (1 - phi), float)


def _fit_channel(
    dates: pd.DatetimeIndex,
    values: np.ndarray,
    *,
    smoothing: float,
    trend: bool,
    horizon: int,
) -> _Fit:
    """Fit one channel on open days x slots (NaN = closed slot)."""
    n = len(dates)
    totals = np.nansum(values, axis=1)
    logt = np.log1p(totals)
    wd = dates.day_of_week.to_numpy()
    window = np.asarray(dates >= dates[-1] - pd.Timedelta(weeks=WINDOW_WEEKS)) if n else np.zeros(0, bool)
    effects = _weekday_effects(logt, dates, window)
    des = logt - effects[wd]
    res, lv, tr = _smooth(des, smoothing, trend)
    warm = min(10, max(2, n // 4))
    r = res[warm:]
    den = float(np.sum(r[:-1] ** 2))
    ar = float(np.clip(np.sum(r[1:] * r[:-1]) / den, 0.0, 0.95)) if den > 0 and len(r) > 3 else 0.0
    # rolling-origin errors of the log day total, per horizon, on the history itself
    hmax = max(1, min(horizon, n - warm - 3, 10))
    sig = np.empty(hmax)
    for h in range(1, hmax + 1):
        origins = np.arange(warm, n - h)
        pred = lv[origins] + _trend_sum(tr[origins], h, trend) + ar ** h * res[origins]
        err = des[origins + h] - pred
        # degrees of freedom: level, AR and the weekday effects are estimated
        dof = max(len(err) - 2, 1)
        sig[h - 1] = math.sqrt(float(np.sum(err ** 2)) / dof)
    sig = np.maximum.accumulate(sig)
    if horizon > hmax:
        extra = np.arange(hmax + 1, horizon + 1)
        slope = (sig[-1] ** 2 - sig[0] ** 2) / max(hmax - 1, 1)
        slope = max(slope, (smoothing * sig[0]) ** 2)
        sig = np.r_[sig, np.sqrt(sig[-1] ** 2 + slope * (extra - hmax))]
    # intraday profiles and the interval-level noise beyond Poisson
    share = np.nan_to_num(values) / np.where(totals > 0, totals, 1.0)[:, None]
    profiles: dict[int, np.ndarray] = {}
    overall = share[window].mean(axis=0) if window.any() else share.mean(axis=0)
    for w in np.unique(wd):
        idx = np.flatnonzero(wd == w)[-WINDOW_WEEKS:]
        profiles[int(w)] = share[idx].mean(axis=0)
    interval_cv = _interval_cv(values, totals, wd)
    return _Fit(smoothing, float(tr[-1]) if trend else 0.0, ar, float(lv[-1]), float(res[-1]), effects,
                sig, interval_cv, profiles, overall, n)


def _interval_cv(values: np.ndarray, totals: np.ndarray, wd: np.ndarray) -> float:
    """Spread of intervals around (day total x the profile of earlier same weekdays),
    beyond Poisson: the method-of-moments ``c`` of ``var = mu + c**2 mu**2``."""
    num = 0.0
    den = 0.0
    share = np.nan_to_num(values) / np.where(totals > 0, totals, 1.0)[:, None]
    for w in np.unique(wd):
        idx = np.flatnonzero(wd == w)
        for k in range(2, len(idx)):
            prev = idx[max(0, k - WINDOW_WEEKS):k]
            prof = share[prev].mean(axis=0)
            d = idx[k]
            ok = ~np.isnan(values[d])
            if not ok.any() or prof[ok].sum() <= 0:
                continue
            mu = totals[d] * prof[ok] / prof[ok].sum()
            y = values[d, ok]
            num += float(np.sum((y - mu) ** 2 - mu))
            den += float(np.sum(mu ** 2))
    return math.sqrt(max(num / den, 0.0)) if den > 0 else 0.0


def _gamma_quantile(mu: np.ndarray, day_cv: np.ndarray, interval_cv: np.ndarray,
                    q: float | np.ndarray) -> np.ndarray:
    """Quantile ``q`` of the gamma with mean ``mu`` and the model's variance (contacts):
    ``mu + mu**2 * ((1 + interval_cv**2) * (1 + day_cv**2) - 1)``."""
    mu = np.asarray(mu, float)
    var = np.where(mu > 0, mu + mu ** 2 * ((1 + interval_cv ** 2) * (1 + day_cv ** 2) - 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(var > 0, mu ** 2 / np.where(var > 0, var, 1.0), 1.0)
        scale = np.where(mu > 0, var / np.where(mu > 0, mu, 1.0), 0.0)
        out = gammaincinv(shape, q) * scale
    return np.asarray(np.where(mu > 0, out, 0.0), float)


# ---------------------------------------------------------------------- calendar
def _fraction(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ForecastError([(name, f"must be a number in (0, 1) (got {value!r})")])
    v = float(value)
    if not 0 < v < 1:
        raise ForecastError([(name, f"must be in (0, 1) (got {v:g})")])
    return v


def _date(value: Any, path: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ForecastError([(path, f"not a date (got {str(value)[:40]!r}; expected e.g. '2024-12-24')")]) from None
    if ts is pd.NaT or pd.isna(ts):
        raise ForecastError([(path, f"not a date (got {str(value)[:40]!r})")])
    return ts.normalize()


def _special_days(special: Mapping[Any, Any] | None) -> dict[pd.Timestamp, float]:
    out: dict[pd.Timestamp, float] = {}
    problems = []
    for key, value in (special or {}).items():
        path = f"special_days[{str(key)[:40]}]"
        try:
            day = _date(key, path)
        except ForecastError as exc:
            problems.extend(exc.errors)
            continue
        if isinstance(value, str) and value.strip().lower() == "closed":
            out[day] = 0.0
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) \
                or not math.isfinite(float(value)) or float(value) < 0:
            problems.append((path, f"must be 'closed' or a multiplier >= 0 (got {str(value)[:40]!r})"))
            continue
        out[day] = float(value)
    if problems:
        raise ForecastError(problems)
    return out


def check_holidays(country: str | None, subdiv: str | None) -> None:
    """Check a public-holiday country and subdivision, naming the field that is wrong
    (``country`` or ``subdiv``) and, for a subdivision, the codes it may take.

    Raises
    ------
    ForecastError
        An unknown country, an unknown subdivision of a known country (with the
        country's subdivision codes), or a subdivision without a country.

    Examples
    --------
    >>> check_holidays("US", "CA")
    >>> check_holidays("US", "ZZ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wfm.forecast.model.ForecastError: cannot forecast: subdiv: 'ZZ' is not a subdivision of US (codes: AK, AL, ...
    """
    if country is None:
        if subdiv is not None:
            raise ForecastError([("subdiv", "needs a country (e.g. country US, subdivision CA)")])
        return
    import holidays

    known = holidays.list_supported_countries()
    if country not in known:
        raise ForecastError([("country", f"no public holidays known for {country[:20]!r} (an ISO code such as"
                                         " US, GB, DE)")])
    subs = [str(s) for s in known[country]]
    if subdiv is not None and subdiv not in subs:
        codes = ", ".join(subs[:12]) + (" ..." if len(subs) > 12 else "") if subs else "none"
        raise ForecastError([("subdiv", f"{subdiv[:20]!r} is not a subdivision of {country} (codes: {codes})")])


def _holidays(country: str | None, subdiv: str | None, years: Iterable[int]) -> dict[pd.Timestamp, str]:
    check_holidays(country, subdiv)
    if country is None:
        return {}
    import holidays

    cal = holidays.country_holidays(country, subdiv=subdiv, years=sorted(set(years)))
    return {pd.Timestamp(d): str(n) for d, n in cal.items()}


def _weekday_set(value: Iterable[Any] | None, seen: set[int]) -> set[int]:
    if value is None:
        return seen
    out: set[int] = set()
    for v in value:
        out.add(_weekday(v, "open_weekdays"))
    if not out:
        raise ForecastError([("open_weekdays", "must name at least one weekday")])
    return out


def _weekday(v: Any, path: str) -> int:
    if isinstance(v, str) and v[:3].title() in _WEEKDAYS:
        return _WEEKDAYS.index(v[:3].title())
    if isinstance(v, int | np.integer) and not isinstance(v, bool) and 0 <= int(v) <= 6:
        return int(v)
    raise ForecastError([(path, f"not a weekday (got {str(v)[:20]!r}; 0 = Monday ... 6 = Sunday, or 'Mon')")])


def _clock_minutes(text: Any, path: str) -> int:
    if isinstance(text, str) and len(text) == 5 and text[2] == ":" and text[:2].isdigit() and text[3:].isdigit():
        h, m = int(text[:2]), int(text[3:])
        if 0 <= h <= 24 and 0 <= m < 60 and h * 60 + m <= 1440:
            return h * 60 + m
    raise ForecastError([(path, f"not a clock time 'HH:MM' (got {str(text)[:20]!r})")])


def _opening(
    history: History, slots: np.ndarray, open_mask: np.ndarray, wd: np.ndarray,
    opening_hours: Mapping[Any, Any] | None,
) -> dict[int, np.ndarray]:
    """Open slots per weekday: open on at least half of its last four occurrences."""
    out: dict[int, np.ndarray] = {}
    for w in np.unique(wd):
        rows = open_mask[np.flatnonzero(wd == w)[-4:]]
        out[int(w)] = rows.mean(axis=0) >= 0.5
    m = history.interval_minutes
    for key, hours in (opening_hours or {}).items():
        w = _weekday(key, f"opening_hours[{key!r}]")
        path = f"opening_hours[{key!r}]"
        if not isinstance(hours, Sequence) or isinstance(hours, str) or len(hours) != 2:
            raise ForecastError([(path, f"must be (opens, closes), e.g. ('08:00', '20:00') (got {hours!r})")])
        a, b = _clock_minutes(hours[0], path), _clock_minutes(hours[1], path)
        if b <= a:
            raise ForecastError([(path, f"closes ({hours[1]}) must be after it opens ({hours[0]})")])
        out[w] = (slots >= a) & (slots + m <= b)
    return out


# ---------------------------------------------------------------------- forecast
def forecast(
    history: History,
    days: int,
    *,
    interval_minutes: int | None = None,
    level: float = DEFAULT_LEVEL,
    channels: Sequence[str] | None = None,
    start: Any = None,
    country: str | None = None,
    subdiv: str | None = None,
    special_days: Mapping[Any, Any] | None = None,
    open_weekdays: Iterable[Any] | None = None,
    opening_hours: Mapping[Any, Any] | None = None,
    trend: bool = False,
    smoothing: float = DEFAULT_SMOOTHING,
) -> Forecast:
    """Forecast the next ``days`` open days, per channel and interval, with intervals.

    Parameters
    ----------
    history : History
        From :func:`wfm.history.read_history`; at least 15 open days.
    days : int
        Open days to forecast (1 to 366); closed days in between are skipped.
    interval_minutes : int, optional
        Interval of the forecast (a multiple of the history's); default the history's.
    level : float, default 0.8
        Coverage of the central prediction interval, in (0, 1).
    channels : list of str, optional
        Channels to forecast (default: all).
    start : date, optional
        First day that may be forecast (default: the day after the history's last day).
    country, subdiv : str, optional
        Public holidays of the ``holidays`` package (``"US"``, ``"GB"`` with
        ``subdiv="SCT"``...): closed days, left out of the fit and of the forecast.
    special_days : mapping of date to "closed" or float, optional
        Days the centre is closed (``"closed"`` or 0) or whose volume is multiplied
        (``{"2024-12-24": 0.6}``), in the forecast and in the history (divided out
        before fitting). A special day overrides a public holiday.
    open_weekdays : list, optional
        Weekdays the centre opens (0 = Monday or ``"Mon"``...). Default: those in the
        history.
    opening_hours : mapping, optional
        ``{weekday: ("08:00", "20:00")}`` for weekdays whose hours differ from the
        history's (default: inferred per weekday).
    trend : bool, default False
        Add a damped trend to the level (for growing or shrinking volume; measured
        less accurate on the bank data, where the level alone follows the drift).
    smoothing : float, default 0.1
        Smoothing of the level (0 < smoothing < 1; larger follows recent days faster).

    Returns
    -------
    Forecast

    Raises
    ------
    ForecastError
        An invalid option, a history too short, or no open day to forecast.
    """
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or not 1 <= int(days) <= _MAX_DAYS:
        raise ForecastError([("days", f"must be a whole number from 1 to {_MAX_DAYS} (got {days!r})")])
    level = _fraction("level", level)
    smoothing = _fraction("smoothing", smoothing)
    hist = _prepare(history, interval_minutes, channels)
    special = _special_days(special_days)
    last = hist.days[-1]
    first = last + pd.Timedelta(days=1) if start is None else _date(start, "start")
    if first <= last:
        raise ForecastError([("start", f"must be after the history's last day ({last:%Y-%m-%d})")])
    seen = {int(w) for w in hist.days.day_of_week}
    open_wd = _weekday_set(open_weekdays, seen)
    span_years = range(hist.days[0].year, (first + pd.Timedelta(days=int(days) * 7 + 7)).year + 1)
    hol = _holidays(country, subdiv, span_years)
    targets, closed = _target_days(first, int(days), open_wd, hol, special)
    return _predict(hist, targets, closed, level=level, hol=hol, special=special,
                    opening_hours=opening_hours, trend=trend, smoothing=smoothing)


def _prepare(history: History, interval_minutes: int | None, channels: Sequence[str] | None) -> History:
    if not isinstance(history, History):
        raise ForecastError([("history", f"must be a wfm.history.History (got {type(history).__name__}); "
                                         "read it with wfm.history.read_history")])
    hist = history if channels is None else history.select(list(channels))
    if interval_minutes is not None:
        hist = hist.resample(interval_minutes)
    return hist


def _target_days(first: pd.Timestamp, n: int, open_wd: set[int], hol: dict[pd.Timestamp, str],
                 special: dict[pd.Timestamp, float]) -> tuple[list[pd.Timestamp], list[tuple[pd.Timestamp, str]]]:
    targets: list[pd.Timestamp] = []
    closed: list[tuple[pd.Timestamp, str]] = []
    day = first
    for _ in range(n * 7 + 400):
        if len(targets) == n:
            break
        if day in special:
            if special[day] > 0:
                targets.append(day)
            else:
                closed.append((day, "special day"))
        elif day.weekday() not in open_wd:
            closed.append((day, "weekday closed"))
        elif day in hol:
            closed.append((day, hol[day]))
        else:
            targets.append(day)
        day = day + pd.Timedelta(days=1)
    if len(targets) < n:
        raise ForecastError([("days", "the calendar leaves no open day to forecast (check open_weekdays, "
                                      "special_days)")])
    closed = [(d, r) for d, r in closed if d < targets[-1]]
    return targets, closed


def _history_days(hist: History, hol: dict[pd.Timestamp, str], special: dict[pd.Timestamp, float],
                  channel: str) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """The days fitted: holidays and closed special days left out, multipliers divided out."""
    dates, slots, values = hist.matrix(channel)
    keep = np.array([not (d in hol and d not in special) and special.get(d, 1.0) > 0 for d in dates], bool)
    mult = np.array([special.get(d, 1.0) for d in dates])
    values = values / mult[:, None]
    return dates[keep], slots, values[keep]


def _predict(
    hist: History,
    targets: Sequence[pd.Timestamp],
    closed: Sequence[tuple[pd.Timestamp, str]],
    *,
    level: float,
    hol: dict[pd.Timestamp, str],
    special: dict[pd.Timestamp, float],
    opening_hours: Mapping[Any, Any] | None,
    trend: bool,
    smoothing: float,
) -> Forecast:
    m = hist.interval_minutes
    rows_i: list[pd.DataFrame] = []
    rows_d: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    day_cv: dict[str, float] = {}
    t_dates = pd.DatetimeIndex(targets)
    t_wd = t_dates.day_of_week.to_numpy()
    steps = np.arange(1, len(targets) + 1)
    mult = np.array([special.get(d, 1.0) for d in t_dates])
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    opening: dict[int, np.ndarray] | None = None
    for ch in hist.channels:
        dates, slots, values = _history_days(hist, hol, special, ch)
        if len(dates) < MIN_HISTORY_DAYS:
            raise ForecastError([("history", f"{len(dates)} open days of history for {ch!r}; the forecast needs "
                                             f"at least {MIN_HISTORY_DAYS}")], hist.source)
        if opening is None:
            opening = _opening(hist, slots, ~np.isnan(values), dates.day_of_week.to_numpy(), opening_hours)
        fit = _fit_channel(dates, values, smoothing=smoothing, trend=trend, horizon=len(targets))
        log_day = (fit.level + _trend_sum(fit.trend, steps, trend) + fit.ar ** steps * fit.last_resid
                   + fit.effects[t_wd])
        total = np.expm1(log_day) * mult
        sig = fit.sigma[: len(targets)]
        cv = np.sqrt(np.expm1(sig ** 2))
        day_cv[ch] = float(np.sqrt(np.mean(cv ** 2)))
        for k, d in enumerate(t_dates):
            w = int(t_wd[k])
            is_open = opening.get(w, np.ones(len(slots), bool))
            prof = fit.profiles.get(w, fit.overall) * is_open
            if prof.sum() <= 0:
                prof = fit.overall * is_open
            if prof.sum() <= 0:
                prof = is_open.astype(float)
            prof = prof / prof.sum()
            mu = total[k] * prof[is_open]
            n_open = int(is_open.sum())
            mu_cv = np.full(n_open, cv[k])
            icv = np.full(n_open, fit.interval_cv)
            lo = _gamma_quantile(mu, mu_cv, icv, lo_q)
            hi = _gamma_quantile(mu, mu_cv, icv, hi_q)
            rows_i.append(pd.DataFrame({
                "interval_start": d + pd.to_timedelta(slots[is_open], unit="min"),
                "date": d, "day": k + 1, "channel": ch, "volume": mu, "lower": lo, "upper": hi,
            }))
            dlo, dhi = _gamma_quantile(np.full(2, total[k]), np.full(2, cv[k]), np.zeros(2),
                                       np.array([lo_q, hi_q]))
            open_slots = slots[is_open]
            rows_d.append({
                "date": d, "day": k + 1, "weekday": _WEEKDAYS[w], "channel": ch, "volume": float(total[k]),
                "lower": float(dlo), "upper": float(dhi), "day_cv": float(cv[k]), "multiplier": float(mult[k]),
                "opens": _hhmm(int(open_slots.min())) if n_open else "",
                "closes": _hhmm(int(open_slots.max()) + m) if n_open else "",
            })
        params.append({"channel": ch, "history_days": fit.n_days, "smoothing": smoothing, "trend": fit.trend,
                       "ar": fit.ar, "interval_cv": fit.interval_cv,
                       "day_cv_1": float(math.sqrt(math.expm1(fit.sigma[0] ** 2)))})
    intervals = pd.concat(rows_i, ignore_index=True)
    intervals["channel"] = intervals["channel"].astype(str)
    order = {c: i for i, c in enumerate(hist.channels)}
    intervals = intervals.assign(_k=intervals["channel"].map(order)).sort_values(
        ["interval_start", "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)
    days_df = pd.DataFrame(rows_d)
    days_df = days_df.assign(_k=days_df["channel"].map(order)).sort_values(
        ["date", "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)
    closed_df = pd.DataFrame({"date": pd.DatetimeIndex([d for d, _ in closed]),
                              "reason": [r for _, r in closed]})
    return Forecast(intervals, days_df, closed_df, pd.DataFrame(params), level, m, hist.channels, day_cv)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"

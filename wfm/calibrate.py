"""Calibration: a scenario's channel parameters, with their uncertainty, from history.

* :func:`handle_time_profile` - from interval history (:class:`wfm.history.History`),
  per channel, the average handle time per interval of the week (weekday x time of
  day), weighted by contacts handled, with its standard error from the day-to-day
  spread.
* :func:`read_contacts` - contact-level records (arrival, wait, outcome, handle time)
  from CSV, Parquet or a DataFrame, checked like the interval history.
* :func:`calibrate` - from contact records, per channel:

  - **patience**: the exponential maximum-likelihood estimate with censoring by service.
    A customer who abandoned after waiting ``w`` seconds had patience ``w``; one who was
    answered after ``w`` seconds had patience longer than ``w`` (censored). The mean
    patience is ``sum of all waits / number abandoned``; its standard error
    ``patience / sqrt(abandoned)``; the 95% interval is
    ``patience * exp(+-1.96 / sqrt(abandoned))`` (on the log scale, where the estimate
    is close to normal);
  - a **Kaplan-Meier** curve of patience with its 95% band (``scipy.stats.ecdf`` on
    censored data) beside the fitted exponential, and their largest vertical distance,
    so that the user can see whether an exponential fits;
  - **handle time**: mean (AHT) and coefficient of variation (the scenario's
    ``handle_cv``) of answered contacts, with standard errors (the CV's by the delta
    method from the sample's skewness and kurtosis).

Units: seconds for every time, fractions for shares, counts of contacts.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> n = 4000
>>> wait = rng.exponential(60, n); patience = rng.exponential(120, n)
>>> records = pd.DataFrame({
...     "channel": "phone", "wait": np.minimum(wait, patience),
...     "outcome": np.where(patience < wait, "abandoned", "answered"),
...     "handle_time": rng.gamma(4, 75, n)})
>>> cal = calibrate(read_contacts(records))
>>> p = cal.parameters.set_index("parameter").loc["patience"]
>>> bool(p["lower"] < 120 < p["upper"])
True
>>> round(float(cal.parameters.set_index("parameter").loc["handle_cv", "value"]), 1)
0.5
>>> cal.scenario_values()["phone"].keys()
dict_keys(['aht', 'handle_cv', 'patience'])
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm import limits
from wfm.history import History, HistoryError, _load

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "Calibration",
    "Contacts",
    "calibrate",
    "handle_time_profile",
    "read_contacts",
]

#: Outcome values read as answered (case-insensitive).
ANSWERED = ("answered", "handled", "served")
#: Outcome values read as abandoned (case-insensitive).
ABANDONED = ("abandoned", "abandon", "lost")
_Z95 = 1.959963984540054
#: Contacts still waiting below which the Kaplan-Meier tail is left out of ks_distance.
_MIN_AT_RISK = 20
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------------- interval history
def handle_time_profile(history: History) -> pd.DataFrame:
    """Average handle time per interval of the week, per channel.

    Parameters
    ----------
    history : History
        With an ``aht`` column (and ``handled``, the weights; ``offered`` when absent).

    Returns
    -------
    pandas.DataFrame
        One row per channel, weekday and time of day that had handled contacts:
        ``channel``, ``weekday`` (0 = Monday), ``time`` (``"HH:MM"``), ``aht`` (seconds,
        weighted by handled), ``aht_se`` (seconds: the weighted spread of the days'
        AHTs over the square root of their number; NaN with one day), ``handled``
        (contacts over all those days), ``days`` (days with handled contacts).

    Raises
    ------
    HistoryError
        The history has no ``aht``.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfm.history import read_history
    >>> raw = pd.DataFrame({"interval_start": ["2024-01-08 08:00", "2024-01-15 08:00"],
    ...                     "channel": "phone", "offered": [10, 30], "handled": [10, 30],
    ...                     "aht": [200, 300]})
    >>> handle_time_profile(read_history(raw))[["weekday", "time", "aht", "days"]].values.tolist()
    [[0, '08:00', 275.0, 2]]
    """
    df = history.intervals
    if df["aht"].isna().all():
        raise HistoryError([("aht", "the history has no handle times (an 'aht' column, seconds)")], history.source)
    w = df["handled"].where(df["handled"].notna(), df["offered"])
    ok = df["aht"].notna() & (w > 0)
    d = df[ok].assign(
        _w=w[ok], weekday=df.loc[ok, "interval_start"].dt.day_of_week,
        time=df.loc[ok, "interval_start"].dt.strftime("%H:%M"),
    )
    d = d.assign(_wx=d["_w"] * d["aht"])
    g = d.groupby(["channel", "weekday", "time"], sort=False)
    sums = g[["_w", "_wx"]].sum()
    mean = sums["_wx"] / sums["_w"]
    d = d.join(mean.rename("_m"), on=["channel", "weekday", "time"])
    d = d.assign(_dev=d["_w"] * (d["aht"] - d["_m"]) ** 2, _w2=d["_w"] ** 2)
    g2 = d.groupby(["channel", "weekday", "time"], sort=False)
    n = g2.size()
    var = g2["_dev"].sum() / sums["_w"] * n / (n - 1).where(n > 1)
    # standard error of a weighted mean: sqrt(var * sum w^2) / sum w
    se = np.sqrt(var * g2["_w2"].sum()) / sums["_w"]
    out = pd.DataFrame({"aht": mean, "aht_se": se, "handled": sums["_w"], "days": n}).reset_index()
    order = {c: i for i, c in enumerate(history.channels)}
    out = out.sort_values(["channel", "weekday", "time"],
                          key=lambda s: s.map(order) if s.name == "channel" else s).reset_index(drop=True)
    out["days"] = out["days"].astype(int)
    out["weekday"] = out["weekday"].astype(int)
    return out[["channel", "weekday", "time", "aht", "aht_se", "handled", "days"]]


# ---------------------------------------------------------------------- contact records
@dataclass(frozen=True)
class Contacts:
    """Contact-level records, checked.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per contact: ``channel`` (str), ``arrival`` (``datetime64`` or NaT when
        not given), ``wait`` (seconds from arrival to answer or abandonment),
        ``outcome`` (``"answered"`` or ``"abandoned"``), ``handle_time`` (seconds; NaN
        for abandoned contacts or when not given).
    channels : tuple of str
    source : str or None
    """

    records: pd.DataFrame
    channels: tuple[str, ...]
    source: str | None = None


def read_contacts(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    channel: str | None = None,
) -> Contacts:
    """Read contact-level records from CSV, Parquet or a DataFrame, checked.

    Parameters
    ----------
    source : path or pandas.DataFrame
        Columns ``channel``, ``wait`` (seconds), ``outcome`` (answered/handled/served
        or abandoned/abandon/lost, any case) and optionally ``arrival`` (date and
        time) and ``handle_time`` (seconds, answered contacts).
    columns : mapping of str to str, optional
        wfm's column name to the file's, e.g. ``{"wait": "queue_seconds"}``.
    channel : str, optional
        The channel of every record, for a file without a ``channel`` column.

    Returns
    -------
    Contacts

    Raises
    ------
    HistoryError
        Missing columns or bad values, naming the line (or row) and the column; every
        problem is listed (up to 20).
    LimitError
        The file is larger than ``max_file_bytes``.
    """
    name, frame, offset = _load(source)
    mapping = dict(columns or {})
    known = ("channel", "arrival", "wait", "outcome", "handle_time")
    problems: list[tuple[str, str]] = []
    for key, col in mapping.items():
        if key not in known:
            problems.append((f"columns[{key!r}]", f"not a contact field (fields: {', '.join(known)})"))
        elif col not in frame.columns:
            problems.append((f"columns[{key!r}]", f"no column {col!r} in the file"))
    if problems:
        raise HistoryError(problems, name)
    df = frame.rename(columns={v: k for k, v in mapping.items()})
    need = ["wait", "outcome"] + ([] if channel is not None else ["channel"])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise HistoryError([(f"column {mapping.get(c, c)!r}", "missing: contact records need it") for c in missing],
                           name)
    if len(df) == 0:
        raise HistoryError("no contact records", name)
    word = "line" if offset == 2 else "row"

    def where(i: int, col: str) -> str:
        return f"{word} {i + offset}, column {mapping.get(col, col)!r}"

    chans = (pd.Series(channel, index=df.index) if channel is not None else df["channel"]).astype("string")
    for i in np.flatnonzero((chans.isna() | (chans.str.strip() == "")).to_numpy())[:20]:
        problems.append((where(int(i), "channel"), "empty channel name"))
    out_text = df["outcome"].astype("string").str.strip().str.lower()
    outcome = pd.Series(np.where(out_text.isin(ANSWERED), "answered",
                                 np.where(out_text.isin(ABANDONED), "abandoned", "")), index=df.index)
    for i in np.flatnonzero((outcome == "").to_numpy())[:20]:
        problems.append((where(int(i), "outcome"), f"unknown outcome {str(df['outcome'].iloc[i])[:30]!r} (expected "
                                                   f"answered or abandoned)"))
    wait = _seconds(df["wait"], "wait", True, problems, where)
    handle = _seconds(df["handle_time"], "handle_time", False, problems, where) \
        if "handle_time" in df.columns else np.full(len(df), np.nan)
    arrival = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "arrival" in df.columns:
        arrival = pd.to_datetime(df["arrival"], errors="coerce", format="mixed")
        bad = arrival.isna() & df["arrival"].notna() & (df["arrival"].astype("string").str.strip() != "")
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            shown = str(df["arrival"].iloc[i])[:40]
            problems.append((where(int(i), "arrival"), f"not a date and time (got {shown!r})"))
    if problems:
        raise HistoryError(problems, name)
    names = tuple(str(c) for c in pd.unique(chans.to_numpy()))
    limits.check("channels", len(names), "max_channels", name)
    handle = np.where(outcome.to_numpy() == "answered", handle, np.nan)
    records = pd.DataFrame({"channel": chans.astype(str).to_numpy(),
                            "arrival": np.asarray(arrival, dtype="datetime64[ns]"),
                            "wait": wait, "outcome": outcome.to_numpy(), "handle_time": handle})
    return Contacts(records, names, name)


def _seconds(series: pd.Series, col: str, required: bool, problems: list[tuple[str, str]], where: Any) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        nums = series.to_numpy(dtype=float, na_value=np.nan)
        empty_arr = np.isnan(nums)
    else:
        text = series.astype("string").str.strip()
        empty = text.isna() | (text == "")
        nums = pd.to_numeric(text.where(~empty), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        empty_arr = empty.to_numpy()
    for i in np.flatnonzero(np.isnan(nums) & ~empty_arr)[:20]:
        problems.append((where(int(i), col), f"must be a number of seconds (got {str(series.iloc[i])[:30]!r})"))
    if required:
        for i in np.flatnonzero(empty_arr)[:20]:
            problems.append((where(int(i), col), "missing value"))
    for i in np.flatnonzero((nums < 0) | np.isinf(nums))[:20]:
        problems.append((where(int(i), col), f"must be >= 0 seconds (got {nums[i]:g})"))
    return nums


# ---------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Calibration:
    """Calibrated channel parameters.

    Attributes
    ----------
    parameters : pandas.DataFrame
        One row per channel and parameter: ``channel``, ``parameter`` (``aht``,
        ``handle_cv``, ``patience``, ``abandonment``), ``value``, ``se`` (standard
        error), ``lower`` and ``upper`` (95% interval), ``n`` (contacts behind it:
        answered for handle times, abandoned for patience), ``unit`` (``s``,
        ``ratio``, ``fraction``). Patience is missing when nobody abandoned.
    patience_curve : pandas.DataFrame
        Per channel, the Kaplan-Meier estimate of patience: ``channel``, ``time``
        (seconds), ``survival`` (share still willing to wait), ``lower`` and ``upper``
        (95% band), ``exponential`` (the fitted exponential's survival at that time).
    fit : pandas.DataFrame
        Per channel: ``channel``, ``contacts``, ``answered``, ``abandoned``,
        ``ks_distance`` (largest distance between the Kaplan-Meier curve and the
        exponential over the times at which at least 20 contacts and 2% of them were
        still waiting: small, say below 0.05, when an exponential fits).
    """

    parameters: pd.DataFrame
    patience_curve: pd.DataFrame
    fit: pd.DataFrame

    def scenario_values(self) -> dict[str, dict[str, float]]:
        """The estimates as scenario channel keys: ``{channel: {"aht": ..., "handle_cv":
        ..., "patience": ...}}`` (seconds; ``patience`` left out when unknown)."""
        out: dict[str, dict[str, float]] = {}
        for row in self.parameters.itertuples(index=False):
            if row.parameter in ("aht", "handle_cv", "patience") and math.isfinite(row.value):
                out.setdefault(str(row.channel), {})[str(row.parameter)] = float(row.value)
        return out


def calibrate(contacts: Contacts) -> Calibration:
    """Patience (exponential MLE with censoring, Kaplan-Meier) and handle times per channel.

    Parameters
    ----------
    contacts : Contacts
        From :func:`read_contacts`.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import pandas as pd
    >>> recs = pd.DataFrame({"channel": "chat", "wait": [10, 20, 30, 40],
    ...                      "outcome": ["abandoned", "answered", "abandoned", "answered"],
    ...                      "handle_time": [None, 300, None, 500]})
    >>> cal = calibrate(read_contacts(recs))
    >>> cal.parameters.set_index("parameter").loc["patience", "value"]  # (10+20+30+40)/2
    np.float64(50.0)
    """
    from scipy.stats import CensoredData, ecdf

    params: list[dict[str, Any]] = []
    curves: list[pd.DataFrame] = []
    fits: list[dict[str, Any]] = []
    for ch in contacts.channels:
        r = contacts.records[contacts.records["channel"] == ch]
        wait = r["wait"].to_numpy(float)
        abandoned = (r["outcome"] == "abandoned").to_numpy()
        n, d = len(r), int(abandoned.sum())
        # handle times of answered contacts
        ht = r["handle_time"].to_numpy(float)
        ht = ht[np.isfinite(ht)]
        params += _handle_params(ch, ht)
        params.append(_share(ch, d, n))
        fit: dict[str, Any] = {"channel": ch, "contacts": n, "answered": n - d, "abandoned": d,
                               "ks_distance": float("nan")}
        if d > 0:
            mean = float(wait.sum() / d)
            se = mean / math.sqrt(d)
            params.append({"channel": ch, "parameter": "patience", "value": mean, "se": se,
                           "lower": mean * math.exp(-_Z95 / math.sqrt(d)),
                           "upper": mean * math.exp(_Z95 / math.sqrt(d)), "n": d, "unit": "s"})
            res: Any = ecdf(CensoredData(uncensored=wait[abandoned], right=wait[~abandoned]))
            sf = res.sf
            with warnings.catch_warnings():  # undefined at survival 0 or 1: the band is then [0, 1]
                warnings.simplefilter("ignore", RuntimeWarning)
                band: Any = sf.confidence_interval(0.95)
            t = np.asarray(sf.quantiles, float)
            surv = np.asarray(sf.probabilities, float)
            expo = np.exp(-t / mean)
            curves.append(pd.DataFrame({"channel": ch, "time": t, "survival": surv,
                                        "lower": np.nan_to_num(np.asarray(band.low.probabilities, float)),
                                        "upper": np.nan_to_num(np.asarray(band.high.probabilities, float), nan=1.0),
                                        "exponential": expo}))
            # the KM curve is a step function: compare at both ends of each step, where
            # enough contacts were still waiting for the curve to mean something
            before = np.r_[1.0, surv[:-1]]
            at_risk = n - np.searchsorted(np.sort(wait), t, side="left")
            ok = at_risk >= max(_MIN_AT_RISK, 0.02 * n)
            gap = np.maximum(np.abs(surv - expo), np.abs(before - expo))
            fit["ks_distance"] = float(np.max(gap[ok] if ok.any() else gap))
        fits.append(fit)
    curve = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["channel", "time", "survival", "lower", "upper", "exponential"])
    return Calibration(pd.DataFrame(params), curve, pd.DataFrame(fits))


def _share(ch: str, d: int, n: int) -> dict[str, Any]:
    p = d / n if n else float("nan")
    se = math.sqrt(p * (1 - p) / n) if n else float("nan")
    # Wilson interval: sensible near 0 and 1
    z = _Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n) if n else float("nan")
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n) if n else float("nan")
    return {"channel": ch, "parameter": "abandonment", "value": p, "se": se, "lower": centre - half,
            "upper": centre + half, "n": n, "unit": "fraction"}


def _handle_params(ch: str, ht: np.ndarray) -> list[dict[str, Any]]:
    n = len(ht)
    if n < 2:
        return []
    mean = float(ht.mean())
    sd = float(ht.std(ddof=1))
    se_mean = sd / math.sqrt(n)
    out = [{"channel": ch, "parameter": "aht", "value": mean, "se": se_mean, "lower": mean - _Z95 * se_mean,
            "upper": mean + _Z95 * se_mean, "n": n, "unit": "s"}]
    if mean > 0:
        cv = sd / mean
        c = ht - mean
        m2 = float(np.mean(c ** 2))
        skew = float(np.mean(c ** 3)) / m2 ** 1.5 if m2 > 0 else 0.0
        kurt = float(np.mean(c ** 4)) / m2 ** 2 if m2 > 0 else 3.0
        # delta method: var(cv) = cv^2 / n * ((kurt - 1) / 4 - skew * cv + cv^2)
        var = cv * cv / n * max((kurt - 1) / 4 - skew * cv + cv * cv, 0.0)
        se = math.sqrt(var)
        out.append({"channel": ch, "parameter": "handle_cv", "value": cv, "se": se,
                    "lower": max(cv - _Z95 * se, 0.0), "upper": cv + _Z95 * se, "n": n, "unit": "ratio"})
    return out


def weekday_name(weekday: int) -> str:
    """``"Mon"`` for 0 ... ``"Sun"`` for 6."""
    return _WEEKDAYS[int(weekday)]

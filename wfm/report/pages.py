"""Tables and inputs of the app's Forecast, Capacity and Roster pages, for people.

The app's pages (``app_pages/``) lay out widgets only; what they compute and show comes
from here and from the library:

* reading uploads: :func:`upload_frame` (the raw columns, for the column-mapping
  controls), :func:`read_history_bytes`, :func:`read_contacts_bytes`,
  :func:`read_requirement_bytes` (every error named by line and column, as the library
  reports them for files);
* an example history shaped like a scenario's day (:func:`example_history`), and
  :func:`rename_channels` to match a history's channels to a scenario's;
* text inputs turned into values with one clear error each: :func:`parse_numbers`,
  :func:`special_days_from_rows`, :func:`contracts_from_rows`, and
  :func:`check_holidays` (which of country or subdivision is unknown);
* a scenario's weekly FTE requirement (:func:`weekly_requirement`);
* display frames: :func:`forecast_days_display`, :func:`backtest_display`,
  :func:`calibration_display`, :func:`capacity_periods_display`,
  :func:`capacity_classes_display`, :func:`roster_headcount_display`, and
  :func:`money_text` (an amount in the scenario's currency).

Units as everywhere in wfm: contacts per interval, seconds, FTE (paid hours over the
hours of one full-time equivalent), money in the scenario's ``currency`` (none stated:
the unit of ``cost_per_hour``).

Examples
--------
>>> import wfm
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> raw = example_history(sc, weeks=3)
>>> sorted(raw["channel"].unique()) == sorted(sc.channel_names)
True
>>> parse_numbers("0.5, 0.75", "ramp")
[0.5, 0.75]
>>> money_text(1234.4, "EUR"), money_text(42.5, None)
('1,234 EUR', '42.50')
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm import limits
from wfm.errors import InputError
from wfm.forecast.model import check_holidays
from wfm.history import History, HistoryError, read_history
from wfm.report.schedule import money_text

if TYPE_CHECKING:  # pragma: no cover
    from wfm.calibrate import Calibration, Contacts
    from wfm.capacity import CapacityPlan
    from wfm.forecast import Backtest, Forecast
    from wfm.scenario import Scenario
    from wfm.scheduling import Roster

__all__ = [
    "CONTRACT_COLUMNS",
    "DEFAULT_CONTRACT_ROWS",
    "backtest_display",
    "calibration_display",
    "check_holidays",
    "capacity_classes_display",
    "capacity_periods_display",
    "contracts_from_rows",
    "example_history",
    "forecast_days_display",
    "money_text",
    "parse_numbers",
    "read_contacts_bytes",
    "read_history_bytes",
    "read_requirement_bytes",
    "rename_channels",
    "roster_headcount_display",
    "special_days_from_rows",
    "upload_frame",
    "weekly_requirement",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Day-total factors of the example history, Monday to Sunday (Sunday closed).
_EXAMPLE_WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.0)
_METHOD_NAMES = {"model": "wfm forecast", "seasonal_naive": "seasonal naive (same weekday last week)",
                 "mean_4_weekdays": "mean of the last 4 same weekdays"}


# ---------------------------------------------------------------------- uploads
def _suffix(filename: str) -> str:
    name = filename.lower()
    for ext in (".csv.gz", ".csv", ".txt", ".parquet", ".pq"):
        if name.endswith(ext):
            return ext
    raise HistoryError([("file", f"unknown file type of {filename[:80]!r}: give a .csv or .parquet file")])


def _checked_size(data: bytes, filename: str) -> None:
    limits.check("upload size", len(data), "max_file_bytes", filename)


def upload_frame(data: bytes, filename: str, rows: int = 200) -> pd.DataFrame:
    """The first rows of an uploaded CSV or Parquet file, as text (for the mapping controls).

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name (the extension says CSV or Parquet).
    rows : int, default 200
        Rows read at most.

    Returns
    -------
    pandas.DataFrame
        The file's columns (names stripped), its first ``rows`` rows.

    Raises
    ------
    HistoryError
        Unknown file type or a file that cannot be parsed.
    LimitError
        Larger than ``max_file_bytes``.
    """
    _checked_size(data, filename)
    ext = _suffix(filename)
    try:
        if ext in (".parquet", ".pq"):
            frame = pd.read_parquet(io.BytesIO(data)).head(rows)
        else:
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True,
                                nrows=rows, compression="gzip" if ext == ".csv.gz" else None)
    except Exception as exc:  # noqa: BLE001 - a parser error is the user's file
        raise HistoryError([("file", f"cannot parse the file: {type(exc).__name__}: {str(exc)[:200]}")],
                           filename) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _with_file(data: bytes, filename: str, read: Any) -> Any:
    """``read(path)`` on a temporary copy of an upload named like it (so that messages
    name the file and CSV line numbers)."""
    _checked_size(data, filename)
    ext = _suffix(filename)
    with tempfile.TemporaryDirectory(prefix="wfm-upload-") as tmp:
        stem = Path(filename).name[: -len(ext)] or "upload"
        path = Path(tmp) / f"{stem}{ext}"
        path.write_bytes(data)
        try:
            return read(path)
        except InputError as exc:
            # name the upload, not the temporary folder
            raise type(exc)(exc.errors, filename) from None


def read_history_bytes(data: bytes, filename: str, **options: Any) -> History:
    """:func:`wfm.history.read_history` of an uploaded file.

    Parameters
    ----------
    data : bytes
        The file's content (CSV, CSV.gz or Parquet).
    filename : str
        Its name, for the type and the messages.
    **options
        ``columns``, ``channels``, ``wide``, ``interval_minutes``, ``source_minutes``,
        ``timezone``, as :func:`~wfm.history.read_history` takes them.

    Returns
    -------
    History

    Raises
    ------
    HistoryError
        Every bad row named by its line and column (``line 4, column 'offered': must be
        a count >= 0 (got -4)``).
    """
    hist: History = _with_file(data, filename, lambda p: read_history(p, **options))
    return History(hist.intervals, hist.interval_minutes, hist.channels, hist.timezone, filename)


def read_contacts_bytes(data: bytes, filename: str, **options: Any) -> Contacts:
    """:func:`wfm.calibrate.read_contacts` of an uploaded file (``columns``, ``channel``)."""
    from wfm.calibrate import read_contacts

    contacts: Contacts = _with_file(data, filename, lambda p: read_contacts(p, **options))
    return contacts


def read_requirement_bytes(data: bytes, filename: str) -> pd.DataFrame:
    """:func:`wfm.capacity.read_requirement` of an uploaded CSV (``period``, ``required``)."""
    from wfm.capacity import read_requirement

    _checked_size(data, filename)
    try:
        table = pd.read_csv(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a parser error is the user's file
        raise InputError([("requirement.table", f"cannot read the CSV: {type(exc).__name__}: {str(exc)[:200]}")],
                         filename) from None
    try:
        return read_requirement(table)
    except InputError as exc:
        raise InputError(exc.errors, filename) from None


def rename_channels(history: History, mapping: Mapping[str, str]) -> History:
    """The history of some channels under new names: ``{new name: history channel}``.

    Parameters
    ----------
    history : History
    mapping : mapping of str to str
        For each channel wanted (e.g. a scenario's), the history's channel that holds
        its volume; the same history channel may feed several.

    Returns
    -------
    History
        Channels in ``mapping`` order.

    Raises
    ------
    HistoryError
        A history channel that does not exist.
    """
    unknown = [(f"channels.{new}", f"no channel {old!r} in the history (channels: {', '.join(history.channels)})")
               for new, old in mapping.items() if old not in history.channels]
    if unknown:
        raise HistoryError(unknown, history.source)
    parts = []
    for new, old in mapping.items():
        part = history.intervals[history.intervals["channel"] == old]
        parts.append(part.assign(channel=new))
    names = tuple(mapping)
    df = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(names)}
    df = df.sort_values(["interval_start", "channel"], key=lambda s: s.map(order) if s.name == "channel" else s,
                        kind="stable").reset_index(drop=True)
    return History(df, history.interval_minutes, names, history.timezone, history.source)


def example_history(
    scenario: Scenario,
    *,
    weeks: int = 12,
    first_day: str = "2026-01-05",
    seed: int = 0,
) -> pd.DataFrame:
    """A long-form interval history shaped like the scenario's first day, to try the
    forecast without a file.

    Each open day (Monday to Saturday; Sunday closed) repeats the scenario's first day
    per channel (its volume at each clock time), times a weekday factor (Monday 1.15 ...
    Saturday 0.6), a slow growth of 0.2% a day and a random day-level factor (CV 6%),
    with Poisson counts; ``handled`` is 95% of the offered and ``aht`` the channel's AHT
    with 5% noise.

    Parameters
    ----------
    scenario : Scenario
        Its channels, interval and first day's volumes.
    weeks : int, default 12
        Weeks of history.
    first_day : str, default "2026-01-05"
        The first day (a Monday).
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (text ``YYYY-MM-DD HH:MM``), ``channel``, ``offered``,
        ``handled``, ``aht`` (seconds): what :func:`wfm.history.read_history` reads.
    """
    rng = np.random.default_rng(seed)
    m = scenario.interval_minutes
    per_day = 1440 // m
    n = min(scenario.horizon, per_day)
    clock = scenario.start_seconds // 60 + np.arange(n) * m
    keep = clock < 1440
    is_open = np.asarray(scenario.open_mask(), bool)[:n] & keep
    day0 = pd.Timestamp(first_day)
    rows: list[pd.DataFrame] = []
    for d in range(int(weeks) * 7):
        day = day0 + pd.Timedelta(days=d)
        factor = _EXAMPLE_WEEKDAY[day.weekday()]
        if factor == 0:
            continue
        level = factor * (1.002 ** d) * rng.gamma(1 / 0.06 ** 2, 0.06 ** 2)
        stamps = (day + pd.to_timedelta(clock[is_open], unit="min")).strftime("%Y-%m-%d %H:%M")
        for name, ch in scenario.channels.items():
            mean = np.asarray(ch.volume, float)[:n][is_open] * level
            offered = rng.poisson(np.maximum(mean, 0.0))
            try:
                aht = float(np.mean(np.asarray(ch.aht, float)))
            except (TypeError, ValueError):
                aht = math.nan
            rows.append(pd.DataFrame({
                "interval_start": stamps, "channel": name, "offered": offered,
                "handled": np.round(offered * 0.95).astype(int),
                "aht": np.round(aht * rng.normal(1.0, 0.05, len(offered)), 1),
            }))
    return pd.concat(rows, ignore_index=True)


# ---------------------------------------------------------------------- text inputs
def parse_numbers(text: str, field: str, *, low: float | None = None, high: float | None = None) -> list[float]:
    """Numbers typed as text, separated by commas, spaces or semicolons.

    Parameters
    ----------
    text : str
        E.g. ``"0.5, 0.75, 0.9"``; empty gives ``[]``.
    field : str
        The input's name, for the message.
    low, high : float, optional
        Bounds each number must lie within (inclusive).

    Returns
    -------
    list of float

    Raises
    ------
    InputError
        Naming the field, the item's position and value, and the problem.

    Examples
    --------
    >>> parse_numbers("1 2;3", "x")
    [1.0, 2.0, 3.0]
    >>> parse_numbers("0.5, x", "ramp")
    Traceback (most recent call last):
    ...
    wfm.errors.InputError: invalid input: ramp[2]: not a number (got 'x')
    """
    items = [t for t in str(text).replace(";", ",").replace(" ", ",").split(",") if t.strip()]
    out: list[float] = []
    for i, item in enumerate(items, start=1):
        try:
            v = float(item)
        except ValueError:
            raise InputError([(f"{field}[{i}]", f"not a number (got {item.strip()[:30]!r})")]) from None
        if not math.isfinite(v):
            raise InputError([(f"{field}[{i}]", f"must be a finite number (got {item.strip()[:30]!r})")])
        if low is not None and v < low:
            raise InputError([(f"{field}[{i}]", f"must be >= {low:g} (got {v:g})")])
        if high is not None and v > high:
            raise InputError([(f"{field}[{i}]", f"must be <= {high:g} (got {v:g})")])
        out.append(v)
    return out


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def special_days_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Special days from an edited table: rows with ``date`` and ``value`` (``closed``,
    0, or a volume multiplier such as ``0.6``); blank rows are skipped.

    Returns
    -------
    dict of str to "closed" or float
        What :func:`wfm.forecast.forecast` takes as ``special_days``.

    Raises
    ------
    InputError
        Naming the row (``special_days[2].value``), the value and the problem.

    Examples
    --------
    >>> special_days_from_rows([{"date": "2026-12-24", "value": "0.6"}, {"date": "2026-12-25", "value": "closed"}])
    {'2026-12-24': 0.6, '2026-12-25': 'closed'}
    """
    out: dict[str, Any] = {}
    for i, row in enumerate(rows, start=1):
        date, value = row.get("date"), row.get("value")
        if _blank(date) and _blank(value):
            continue
        where = f"special_days[{i}]"
        if _blank(date):
            raise InputError([(f"{where}.date", "missing: give a date YYYY-MM-DD")])
        text = str(date).strip()[:10] if not isinstance(date, str) else date.strip()
        try:
            day = pd.Timestamp(text)
        except (ValueError, TypeError):
            raise InputError([(f"{where}.date", f"not a date YYYY-MM-DD (got {str(date)[:30]!r})")]) from None
        if pd.isna(day):
            raise InputError([(f"{where}.date", f"not a date YYYY-MM-DD (got {str(date)[:30]!r})")])
        key = f"{day:%Y-%m-%d}"
        if key in out:
            raise InputError([(f"{where}.date", f"{key} is listed twice")])
        if _blank(value) or str(value).strip().lower() == "closed":
            out[key] = "closed"
            continue
        try:
            factor = float(str(value).strip())
        except ValueError:
            raise InputError([(f"{where}.value", f"must be 'closed' or a multiplier such as 0.6 "
                                                 f"(got {str(value)[:30]!r})")]) from None
        if not math.isfinite(factor) or factor < 0:
            raise InputError([(f"{where}.value", f"must be 'closed' or a multiplier >= 0 (got {factor:g})")])
        out[key] = "closed" if factor == 0 else factor
    return out


#: Columns of the contracts table of the roster page.
CONTRACT_COLUMNS = ("contract", "min_days", "max_days", "lengths_hours", "min_hours", "max_hours",
                    "min_share", "max_share", "wage_per_hour")
#: The default contracts (those of :data:`wfm.scheduling.contracts.DEFAULT_CONTRACTS`) as table rows.
DEFAULT_CONTRACT_ROWS: tuple[dict[str, Any], ...] = (
    {"contract": "full_time", "min_days": 5, "max_days": 5, "lengths_hours": "8", "min_hours": 0.0,
     "max_hours": 168.0, "min_share": 0.0, "max_share": 1.0, "wage_per_hour": None},
    {"contract": "part_time", "min_days": 3, "max_days": 5, "lengths_hours": "", "min_hours": 20.0,
     "max_hours": 30.0, "min_share": 0.0, "max_share": 1.0, "wage_per_hour": None},
)


def contracts_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Contracts from an edited table (one row per contract, :data:`CONTRACT_COLUMNS`).

    Blank cells take the contract's defaults; ``lengths_hours`` is text (``"8"``,
    ``"4, 6"``; blank: any length of the group's shift rule); a blank ``wage_per_hour``
    is the group's wage. Rows without a name and without values are skipped.

    Returns
    -------
    dict of str to dict
        The ``contracts`` of :func:`wfm.scheduling.roster_rules` (validated there).

    Raises
    ------
    InputError
        Naming the row's contract and column (``contracts.part_time.min_days``), the
        value and the problem.

    Examples
    --------
    >>> contracts_from_rows([{"contract": "ft", "min_days": 5, "max_days": 5, "lengths_hours": "8"}])
    {'ft': {'min_days': 5, 'max_days': 5, 'lengths_hours': [8.0]}}
    """
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, start=1):
        values: dict[str, Any] = {c: row.get(c) for c in CONTRACT_COLUMNS}
        if all(_blank(v) for v in values.values()):
            continue
        name = values.pop("contract")
        if _blank(name):
            raise InputError([(f"contracts[{i}].contract", "missing: give the contract a name")])
        name = str(name).strip()
        if name in out:
            raise InputError([(f"contracts.{name}", "is listed twice")])
        spec: dict[str, Any] = {}
        for col, v in values.items():
            if _blank(v):
                continue
            path = f"contracts.{name}.{col}"
            if col == "lengths_hours":
                lengths = parse_numbers(str(v), path, low=0.0, high=24.0)
                if lengths:
                    spec[col] = lengths
                continue
            try:
                num = float(v)
            except (TypeError, ValueError):
                raise InputError([(path, f"must be a number (got {str(v)[:30]!r})")]) from None
            if not math.isfinite(num):
                raise InputError([(path, f"must be a finite number (got {num})")])
            if col in ("min_days", "max_days"):
                if not num.is_integer():
                    raise InputError([(path, f"must be a whole number of days (got {num:g})")])
                spec[col] = int(num)
            else:
                spec[col] = num
        out[name] = spec
    if not out:
        raise InputError([("contracts", "give at least one contract")])
    return out


# ---------------------------------------------------------------------- requirement
def weekly_requirement(
    scenario: Scenario, *, fte_hours: float = 40.0, open_days_per_week: float | None = None
) -> pd.DataFrame:
    """A scenario's requirement as paid FTE per week, per group and in total.

    The analytic requirement (:func:`wfm.staffing.requirements`, paid agents: gross of
    each group's shrinkage) in agent-hours over the horizon, spread over a week: for a
    horizon of ``d`` clock days, times ``7 / d``; or, when ``open_days_per_week`` is
    given, per day of the horizon times that many days (a one-day scenario of a centre
    open six days a week: 6).

    Parameters
    ----------
    scenario : Scenario
    fte_hours : float, default 40
        Paid hours per week of one FTE.
    open_days_per_week : float, optional
        Days a week like the horizon's average day (default: the horizon read as part of
        a week, 7 / days).

    Returns
    -------
    pandas.DataFrame
        One row per group and a last ``total`` row: ``group``, ``agent_hours`` (paid
        agent-hours per week), ``fte`` (agent-hours / ``fte_hours``).

    Raises
    ------
    InputError
        ``fte_hours`` not > 0 or ``open_days_per_week`` not in (0, 7].
    """
    from wfm.staffing import requirements

    if not (isinstance(fte_hours, int | float) and math.isfinite(fte_hours) and fte_hours > 0):
        raise InputError([("fte_hours", f"must be a number of hours > 0 (got {fte_hours!r})")])
    if open_days_per_week is not None and not (
        isinstance(open_days_per_week, int | float) and 0 < open_days_per_week <= 7
    ):
        raise InputError([("open_days_per_week", f"must be in (0, 7] (got {open_days_per_week!r})")])
    req = requirements(scenario)
    groups = req[req["level"] == "group"]
    hours = groups.groupby("name", sort=False)["required_paid"].sum() * scenario.interval_minutes / 60
    start = scenario.start_seconds // 60
    days = max(1, -(-(start + scenario.horizon * scenario.interval_minutes) // 1440))
    per_week = (float(open_days_per_week) / days) if open_days_per_week is not None else 7.0 / days
    per_group = {g: float(hours.get(g, 0.0)) * per_week for g in scenario.group_names}
    rows: list[dict[str, Any]] = [{"group": g, "agent_hours": h} for g, h in per_group.items()]
    rows.append({"group": "total", "agent_hours": sum(per_group.values())})
    out = pd.DataFrame(rows, columns=["group", "agent_hours"])
    out["fte"] = out["agent_hours"] / float(fte_hours)
    return out


# ---------------------------------------------------------------------- display frames
def forecast_days_display(forecast: Forecast) -> pd.DataFrame:
    """The forecast per day and channel for people.

    Returns
    -------
    pandas.DataFrame
        ``date`` (``YYYY-MM-DD``), ``weekday``, ``channel``, ``contacts`` (the day's
        forecast), ``lower``, ``upper`` (the prediction interval, contacts), ``day CV``
        (%), ``hours`` (``08:00-20:00``), ``multiplier`` (a special day's factor).
    """
    d = forecast.days
    return pd.DataFrame({
        "date": pd.to_datetime(d["date"]).dt.strftime("%Y-%m-%d"),
        "weekday": d["weekday"].astype(str),
        "channel": d["channel"].astype(str),
        "contacts": d["volume"].to_numpy(float).round(1),
        "lower": d["lower"].to_numpy(float).round(1),
        "upper": d["upper"].to_numpy(float).round(1),
        "day CV (%)": (100 * d["day_cv"].to_numpy(float)).round(1),
        "hours": d["opens"].astype(str) + "-" + d["closes"].astype(str),
        "multiplier": d["multiplier"].to_numpy(float),
    })


def backtest_display(backtest: Backtest) -> pd.DataFrame:
    """The backtest summary for people: one row per method, WAPE and coverage in %.

    Returns
    -------
    pandas.DataFrame
        ``method``, ``WAPE per interval (%)``, ``WAPE per day (%)``, ``vs mean of last
        4 same weekdays (%)``, ``coverage per interval (%)``, ``coverage per day (%)``
        (the model's prediction intervals; blank for the benchmarks), ``ms per origin``.
    """
    s = backtest.summary

    def pct(col: str) -> np.ndarray:
        return (100 * s[col].to_numpy(float)).round(2)

    return pd.DataFrame({
        "method": [_METHOD_NAMES.get(str(m), str(m)) for m in s["method"]],
        "WAPE per interval (%)": pct("wape_interval"),
        "WAPE per day (%)": pct("wape_day"),
        "vs mean of last 4 same weekdays (%)": pct("vs_mean_4_weekdays"),
        "coverage per interval (%)": pct("coverage_interval"),
        "coverage per day (%)": pct("coverage_day"),
        "ms per origin": (1000 * s["seconds_per_origin"].to_numpy(float)).round(2),
    })


def calibration_display(calibration: Calibration) -> pd.DataFrame:
    """Calibrated parameters for people: value, standard error and 95% interval.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``parameter``, ``value``, ``se``, ``95% from``, ``95% to``,
        ``contacts`` (behind the estimate), ``unit``.
    """
    p = calibration.parameters
    return pd.DataFrame({
        "channel": p["channel"].astype(str), "parameter": p["parameter"].astype(str),
        "value": p["value"].to_numpy(float).round(4), "se": p["se"].to_numpy(float).round(4),
        "95% from": p["lower"].to_numpy(float).round(4), "95% to": p["upper"].to_numpy(float).round(4),
        "contacts": p["n"], "unit": p["unit"].astype(str),
    })


def capacity_periods_display(plan: CapacityPlan, currency: str | None = None) -> pd.DataFrame:
    """A capacity plan's periods for people: FTE and agents to one decimal, money in the
    currency.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``required FTE``, ``effective FTE``, ``headcount``, ``in training``,
        ``hires``, ``recruiting starts``, ``leavers``, ``under FTE``, ``over FTE``,
        ``cost (<currency>)``.
    """
    p = plan.periods
    unit = f"cost ({currency})" if currency else "cost"
    return pd.DataFrame({
        "period": p["label"].astype(str),
        "required FTE": p["required"].to_numpy(float).round(1),
        "effective FTE": p["effective"].to_numpy(float).round(1),
        "headcount": p["headcount"].to_numpy(float).round(1),
        "in training": p["in_training"].to_numpy(float).round(1),
        "hires": p["hires"].astype(int),
        "recruiting starts": p["recruiting"].astype(int),
        "leavers": p["attrition"].to_numpy(float).round(2),
        "under FTE": p["under"].to_numpy(float).round(2),
        "over FTE": p["over"].to_numpy(float).round(2),
        unit: p["cost"].to_numpy(float).round(0),
    })


def capacity_classes_display(plan: CapacityPlan) -> pd.DataFrame:
    """The hiring classes for people: recruiting from, paid from, on the floor, fully
    productive, agents, and the lead time in weeks from recruiting to the floor."""
    c = plan.classes
    lead = plan.recruiting_weeks + plan.training_weeks
    return pd.DataFrame({
        "recruiting from": c["recruiting_start"].astype(str),
        "paid from": c["start"].astype(str),
        "on the floor": c["on_floor"].fillna("after the plan").astype(str),
        "fully productive": c["full"].fillna("after the plan").astype(str),
        "agents": c["hires"].astype(int),
        "lead time (weeks)": [lead] * len(c),
    })


def roster_headcount_display(roster: Roster, currency: str | None = None) -> pd.DataFrame:
    """A roster's headcount by group and contract, with a total row.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``contract``, ``agents``, ``paid hours``, ``overtime hours``, ``FTE``,
        ``cost (<currency>)``.
    """
    h = roster.headcount
    unit = f"cost ({currency})" if currency else "cost"
    out = pd.DataFrame({
        "group": h["group"].astype(str), "contract": h["contract"].astype(str),
        "agents": h["agents"].astype(int), "paid hours": h["paid_hours"].to_numpy(float).round(1),
        "overtime hours": h["overtime_hours"].to_numpy(float).round(1),
        "FTE": h["fte"].to_numpy(float).round(2), unit: h["cost"].to_numpy(float).round(2),
    })
    total = pd.DataFrame([{
        "group": "total", "contract": "", "agents": int(h["agents"].sum()),
        "paid hours": round(float(roster.paid_hours), 1),
        "overtime hours": round(float(h["overtime_hours"].sum()), 1), "FTE": round(float(roster.fte), 2),
        unit: round(float(roster.cost), 2),
    }])
    return pd.concat([out, total], ignore_index=True)


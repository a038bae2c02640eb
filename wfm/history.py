"""Interval history: read a centre's exports, check them, resample them.

A switch or a WFM tool exports, per queue and interval, the contacts offered and
usually handled, abandoned and the average handle time. :func:`read_history` reads such
an export from CSV or Parquet (or a pandas DataFrame), checks every row and returns a
:class:`History`: every open interval of every open day, per channel, in the centre's
local clock time, at the interval length asked for.

Layouts
-------
*Long form*: one row per interval and channel, columns ``interval_start``, ``channel``,
``offered`` and optionally ``handled``, ``aht`` (seconds), ``abandoned``,
``answered_in_target`` and ``avg_wait`` (seconds). *Wide form*: one row per interval,
``interval_start`` and one column of offered contacts per channel. The file's column
names can differ: ``columns={"interval_start": "Start", "offered": "Calls"}`` maps wfm's
names to the file's.

Rules
-----
* **Intervals** of 5, 10, 15, 20, 30 or 60 minutes (inferred from the times, or given),
  summed into longer ones on request (5-minute history into 30-minute intervals): counts
  are added, ``aht`` and ``avg_wait`` are averaged weighted by ``handled`` (by
  ``offered`` when ``handled`` is absent). Finer intervals than the history's are
  refused: they would be invented.
* **Closed and zero**: a day with no row at all is *closed* (a holiday, a Sunday) and is
  not a day of the history; an interval with a row whose count is 0 is *open with no
  contacts*. An interval of an open day with no row is closed (outside opening hours).
  When one channel has a row in an interval and another has none, the other's
  ``offered`` is 0 there (it was open, nothing came).
* **Time zones and daylight saving**: times without a UTC offset are the centre's local
  clock times and are kept as they are. Times with an offset (``2024-03-31T08:00+01:00``)
  or a time zone (Parquet) are converted to the centre's zone (``timezone=``, e.g.
  ``"Europe/London"``) and then kept as local clock times. On the day the clocks go
  back, the repeated local hour holds both hours' contacts (summed; with naive times
  this needs ``timezone=`` so that the repeat is recognised, else the rows are
  duplicates); on the day they go forward the skipped hour simply has no rows. Days
  therefore always run on the local clock, as the centre's opening hours do.
* **Errors**: every bad row is reported (up to 20, then a count) in one
  :class:`HistoryError` naming the line (CSV: the file's line number, header = line 1;
  otherwise the row number from 1) and the column: unparsable time, time off the
  interval grid, a negative or non-numeric count, a duplicated interval, an unknown
  channel. Nothing is half-loaded: the function returns a whole history or raises.
* **Size**: a file larger than :attr:`wfm.limits.Limits.max_file_bytes` is refused
  before it is read; more channels than ``max_channels`` likewise.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({
...     "interval_start": ["2024-01-08 08:00", "2024-01-08 08:15", "2024-01-08 08:30",
...                        "2024-01-08 08:45"],
...     "channel": "phone", "offered": [10, 12, 0, 7]})
>>> h = read_history(raw, interval_minutes=30)
>>> h.interval_minutes, h.channels
(30, ('phone',))
>>> h.intervals[["interval_start", "offered"]].to_string(index=False)
'     interval_start  offered\\n2024-01-08 08:00:00     22.0\\n2024-01-08 08:30:00      7.0'
>>> bad = raw.assign(offered=[10, -1, 0, 7])
>>> read_history(bad)
Traceback (most recent call last):
...
wfm.history.HistoryError: invalid history: row 2, column 'offered': must be a count >= 0 (got -1)
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm import limits
from wfm.errors import InputError

__all__ = [
    "COUNT_FIELDS",
    "FIELDS",
    "HISTORY_MINUTES",
    "History",
    "HistoryError",
    "read_history",
]

#: The fields of a history besides ``interval_start`` and ``channel``.
FIELDS = ("offered", "handled", "aht", "abandoned", "answered_in_target", "avg_wait")
#: Fields that are counts of contacts (added when intervals are merged).
COUNT_FIELDS = ("offered", "handled", "abandoned", "answered_in_target")
_SECONDS_FIELDS = ("aht", "avg_wait")
#: Interval lengths a history may have, minutes.
HISTORY_MINUTES = (5, 10, 15, 20, 30, 60)
_MAX_PROBLEMS = 20
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)\s*$")


class HistoryError(InputError):
    """Invalid interval history; the message names the line or row and the column."""

    head = "invalid history"


@dataclass(frozen=True)
class History:
    """Interval history of a centre, checked and on one interval length.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per open interval and channel, sorted by ``interval_start`` then
        channel (in :attr:`channels` order). Columns: ``interval_start``
        (``datetime64``, local clock time, no time zone), ``channel`` (str),
        ``offered``, ``handled``, ``abandoned``, ``answered_in_target`` (contacts in
        the interval; NaN where the export had no such column), ``aht`` and
        ``avg_wait`` (seconds; NaN where unknown).
    interval_minutes : int
        Length of one interval, minutes.
    channels : tuple of str
        Channel names, in the order first seen.
    timezone : str or None
        The zone times were converted to (None: times were local clock times).
    source : str or None
        Where the history came from (a file name), for messages.
    """

    intervals: pd.DataFrame
    interval_minutes: int
    channels: tuple[str, ...]
    timezone: str | None = None
    source: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ views
    @property
    def days(self) -> pd.DatetimeIndex:
        """The open days (midnight timestamps), in order; closed days are absent."""
        if "days" not in self._cache:
            self._cache["days"] = pd.DatetimeIndex(
                self.intervals["interval_start"].dt.normalize().unique()
            ).sort_values()
        out: pd.DatetimeIndex = self._cache["days"]
        return out

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the export had (``offered`` always; the others when given)."""
        return tuple(f for f in FIELDS if self.intervals[f].notna().any() or f == "offered")

    def daily(self) -> pd.DataFrame:
        """Totals per open day and channel.

        Returns
        -------
        pandas.DataFrame
            Columns ``date`` (midnight timestamp), ``weekday`` (0 = Monday), ``channel``,
            ``offered``, ``handled``, ``abandoned``, ``answered_in_target`` (contacts),
            ``aht`` (seconds, weighted by handled), ``open_intervals``, ``opens`` and
            ``closes`` (``"HH:MM"``: start of the first open interval, end of the last).
        """
        df = self.intervals.assign(date=self.intervals["interval_start"].dt.normalize())
        weight = df["handled"].where(df["handled"].notna(), df["offered"])
        df = df.assign(_w=weight, _wa=weight * df["aht"], _wok=weight.where(df["aht"].notna()))
        g = df.groupby(["date", "channel"], sort=False)
        out = g[list(COUNT_FIELDS)].sum(min_count=1).reset_index()
        sums = g[["_wa", "_wok"]].sum()
        out["aht"] = (sums["_wa"] / sums["_wok"].where(sums["_wok"] > 0)).to_numpy()
        first = g["interval_start"].min().to_numpy()
        last = g["interval_start"].max().to_numpy()
        out["open_intervals"] = g.size().to_numpy()
        step = pd.Timedelta(minutes=self.interval_minutes)
        out["opens"] = pd.DatetimeIndex(first).strftime("%H:%M")
        out["closes"] = (pd.DatetimeIndex(last) + step).strftime("%H:%M").str.replace("00:00", "24:00")
        out.insert(1, "weekday", out["date"].dt.day_of_week)
        order = {c: i for i, c in enumerate(self.channels)}
        out = out.sort_values(["date", "channel"], key=lambda s: s.map(order) if s.name == "channel" else s)
        return out.reset_index(drop=True)

    def matrix(self, channel: str, field: str = "offered") -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
        """One channel's field as a days x slots array.

        Returns
        -------
        days : pandas.DatetimeIndex
            The open days (rows).
        slots : numpy.ndarray
            Minutes after midnight of each column (every slot open on some day).
        values : numpy.ndarray
            ``values[d, s]``; NaN where the slot was closed that day.

        Raises
        ------
        KeyError
            ``channel`` is not a channel of the history.
        """
        if channel not in self.channels:
            raise KeyError(f"no channel {channel!r} in the history (channels: {', '.join(self.channels)})")
        key = f"matrix:{channel}:{field}"
        if key not in self._cache:
            df = self.intervals[self.intervals["channel"] == channel]
            day = df["interval_start"].dt.normalize()
            minute = (df["interval_start"] - day).dt.total_seconds().to_numpy() // 60
            days = self.days
            slots = np.unique(
                ((self.intervals["interval_start"] - self.intervals["interval_start"].dt.normalize())
                 .dt.total_seconds().to_numpy() // 60).astype(np.int64)
            )
            values = np.full((len(days), len(slots)), np.nan)
            r = days.get_indexer(pd.DatetimeIndex(day))
            c = np.searchsorted(slots, minute.astype(np.int64))
            values[r, c] = df[field].to_numpy(float)
            self._cache[key] = (days, slots, values)
        d, s, v = self._cache[key]
        return d, s.copy(), v.copy()

    # ------------------------------------------------------------------ changes
    def resample(self, interval_minutes: int) -> History:
        """The history on longer intervals (a multiple of the current length).

        Counts are added; ``aht`` and ``avg_wait`` are averaged weighted by ``handled``
        (``offered`` when ``handled`` is unknown). An interval is open when any of its
        parts was open.

        Raises
        ------
        HistoryError
            ``interval_minutes`` is not a multiple of the history's length, or does not
            divide a day.
        """
        target = _check_target(interval_minutes, self.interval_minutes, self.source)
        if target == self.interval_minutes:
            return self
        df = self.intervals
        start = df["interval_start"].dt.floor(f"{target}min")
        weight = df["handled"].where(df["handled"].notna(), df["offered"])
        work = df.assign(interval_start=start)
        for f in _SECONDS_FIELDS:
            ok = df[f].notna()
            work[f"_{f}_w"] = weight.where(ok)
            work[f"_{f}_x"] = (weight * df[f]).where(ok)
        g = work.groupby(["interval_start", "channel"], sort=False)
        agg = g[[*COUNT_FIELDS] + [f"_{f}_{k}" for f in _SECONDS_FIELDS for k in "wx"]].sum(min_count=1)
        for f in _SECONDS_FIELDS:
            w = agg[f"_{f}_w"]
            agg[f] = agg[f"_{f}_x"] / w.where(w > 0)
        out = agg.reset_index()[["interval_start", "channel", *FIELDS]]
        return History(_sorted(out, self.channels), target, self.channels, self.timezone, self.source)

    def before(self, day: Any) -> History:
        """The history of the open days before ``day`` (a date; that day excluded)."""
        cut = pd.Timestamp(day).normalize()
        kept = self.intervals[self.intervals["interval_start"] < cut].reset_index(drop=True)
        return History(kept, self.interval_minutes, self.channels, self.timezone, self.source)

    def select(self, channels: Sequence[str]) -> History:
        """The history of some channels only (in the order given).

        Raises
        ------
        HistoryError
            A name that is not a channel of the history.
        """
        unknown = [c for c in channels if c not in self.channels]
        if unknown:
            raise HistoryError([("channels", f"no channel {c!r} in the history (channels: "
                                             f"{', '.join(self.channels)})") for c in unknown], self.source)
        kept = self.intervals[self.intervals["channel"].isin(list(channels))]
        return History(_sorted(kept, tuple(channels)), self.interval_minutes, tuple(channels),
                       self.timezone, self.source)


# ---------------------------------------------------------------------- reading
def read_history(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    channels: Sequence[str] | Mapping[str, str] | None = None,
    wide: bool | None = None,
    interval_minutes: int | None = None,
    source_minutes: int | None = None,
    timezone: str | None = None,
) -> History:
    """Read interval history from a CSV or Parquet file or a DataFrame, checked.

    Parameters
    ----------
    source : path or pandas.DataFrame
        ``*.csv`` (also ``.csv.gz``), ``*.parquet``, or a DataFrame in the same layout.
    columns : mapping of str to str, optional
        wfm's column name to the file's, for the names that differ, e.g.
        ``{"interval_start": "Start Time", "offered": "Calls Offered"}``.
    channels : list of str, or mapping of str to str, optional
        Long form: the channels expected (a row of another channel is an error; also
        their order). Wide form: the channel columns to read, as a list (the column
        names are the channel names) or a mapping channel name -> column name. Default:
        every channel in the file (long form) or every column but the time (wide form).
    wide : bool, optional
        The layout; default: long when the file has a ``channel`` column, else wide.
    interval_minutes : int, optional
        Length of the returned intervals, minutes (a multiple of the history's).
        Default: the history's own.
    source_minutes : int, optional
        Length of the file's intervals (5, 10, 15, 20, 30 or 60). Default: inferred as
        the largest of these on whose grid every time falls.
    timezone : str, optional
        The centre's IANA time zone (``"America/New_York"``). Needed when times carry
        UTC offsets or a zone; with naive times it lets the repeated hour of the
        daylight-saving change be summed instead of reported as duplicates.

    Returns
    -------
    History

    Raises
    ------
    HistoryError
        Bad rows or columns (every problem listed, up to 20), naming line and column.
    LimitError
        The file is larger than ``max_file_bytes`` or has more than ``max_channels``
        channels (checked before the work).
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"Start": ["2024-01-08 08:00", "2024-01-08 09:00"],
    ...                      "Calls": [40, 55], "Mails": [3, 0]})
    >>> h = read_history(wide, columns={"interval_start": "Start"},
    ...                  channels={"phone": "Calls", "email": "Mails"})
    >>> h.channels, h.interval_minutes
    (('phone', 'email'), 60)
    >>> h.daily()[["channel", "offered", "opens", "closes"]].to_string(index=False)
    'channel  offered opens closes\\n  phone     95.0 08:00  10:00\\n  email      3.0 08:00  10:00'
    """
    name, frame, line_offset = _load(source)
    mapping = dict(columns or {})
    _check_mapping(mapping, frame, name)
    rename = {v: k for k, v in mapping.items()}
    if wide is None:
        wide = mapping.get("channel", "channel") not in frame.columns
    time_col = mapping.get("interval_start", "interval_start")
    if time_col not in frame.columns:
        raise HistoryError([(f"column {time_col!r}", f"missing: the time column is required (columns: "
                                                     f"{_cols(frame)}; map it with columns=)")], name)
    if wide:
        long, row_of, col_of = _melt(frame, time_col, channels, mapping, name)
    else:
        long = frame.rename(columns=rename)
        for col in ("channel", "offered"):
            if col not in long.columns:
                raise HistoryError([(f"column {mapping.get(col, col)!r}",
                                     f"missing: long-form history needs it (columns: {_cols(frame)})")], name)
        long = long[[c for c in ("interval_start", "channel", *FIELDS) if c in long.columns]]
        row_of = np.arange(len(long))
        col_of = None
    if len(long) == 0:
        raise HistoryError("the history has no rows", name)
    problems: list[tuple[str, str]] = []

    def where(i: int, col: str) -> str:
        r = int(row_of[i]) + line_offset
        shown = str(col_of[i]) if col_of is not None and col == "offered" else mapping.get(col, col)
        return f"{'line' if line_offset == 2 else 'row'} {r}, column {shown!r}"

    times, timezone = _parse_times(long["interval_start"], timezone, problems, where, name)
    chans = long["channel"].astype("string") if "channel" in long.columns else None
    if chans is None:  # pragma: no cover - _melt always adds it
        raise HistoryError("no channel column", name)
    bad_chan = chans.isna() | (chans.str.strip() == "")
    for i in np.flatnonzero(bad_chan.to_numpy())[:_MAX_PROBLEMS]:
        problems.append((where(i, "channel"), "empty channel name"))
    expected: list[str] | None = None
    if channels is not None and not wide:
        expected = list(channels)
        unknown = ~chans.isin(expected) & ~bad_chan
        for i in np.flatnonzero(unknown.to_numpy())[:_MAX_PROBLEMS]:
            problems.append((where(i, "channel"), f"unknown channel {str(chans.iloc[i])[:40]!r} "
                                                  f"(expected: {', '.join(expected)})"))
    values: dict[str, np.ndarray] = {}
    for f in FIELDS:
        if f not in long.columns:
            values[f] = np.full(len(long), np.nan)
            continue
        values[f] = _numbers(long[f], f, required=(f == "offered"), problems=problems, where=where)
    _raise(problems, name)

    names = [str(c) for c in pd.unique(chans.to_numpy())]
    order = expected if expected is not None else names
    limits.check("channels", len(order), "max_channels", name)
    df = pd.DataFrame({"interval_start": times, "channel": chans.astype(str).to_numpy(), **values})

    minutes = _grid(df["interval_start"], source_minutes, problems, where, name)
    _raise(problems, name)
    _duplicates(df, timezone, problems, where)
    _raise(problems, name)
    if timezone is not None and df.duplicated(["interval_start", "channel"]).any():
        # the repeated hour of the change back from daylight saving: both hours summed
        g = df.groupby(["interval_start", "channel"], sort=False)
        df = g[list(COUNT_FIELDS)].sum(min_count=1).join(g[list(_SECONDS_FIELDS)].mean()).reset_index()
    df = _fill_channels(df, tuple(order))
    hist = History(_sorted(df, tuple(order)), minutes, tuple(order), timezone, name)
    if interval_minutes is not None:
        hist = hist.resample(interval_minutes)
    return hist


# ---------------------------------------------------------------------- helpers
def _load(source: str | os.PathLike[str] | pd.DataFrame) -> tuple[str | None, pd.DataFrame, int]:
    """(name for messages, raw frame of strings or typed columns, line number of row 0)."""
    if isinstance(source, pd.DataFrame):
        return None, source.reset_index(drop=True), 1
    path = Path(source)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise OSError(f"cannot read {name}: {exc.strerror or exc}") from None
    limits.check(name, size, "max_file_bytes", name)
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if suffixes and suffixes[-1] in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            return name, frame, 1
        if ".csv" not in suffixes and ".txt" not in suffixes:
            raise HistoryError(f"unknown file type {path.suffix!r}: give a .csv or .parquet file", name)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (InputError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - a parser error is the user's file
        raise HistoryError(f"cannot parse the file: {type(exc).__name__}: {str(exc)[:200]}", name) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return name, frame, 2


def _cols(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    return ", ".join(cols[:12]) + (f" ... ({len(cols)} columns)" if len(cols) > 12 else "")


def _check_mapping(mapping: dict[str, str], frame: pd.DataFrame, name: str | None) -> None:
    problems = []
    for key, col in mapping.items():
        if key not in ("interval_start", "channel", *FIELDS):
            problems.append((f"columns[{key!r}]", f"not a history field (fields: interval_start, channel, "
                                                  f"{', '.join(FIELDS)})"))
        elif col not in frame.columns:
            problems.append((f"columns[{key!r}]", f"no column {col!r} in the file (columns: {_cols(frame)})"))
    _raise(problems, name)


def _melt(
    frame: pd.DataFrame,
    time_col: str,
    channels: Sequence[str] | Mapping[str, str] | None,
    mapping: dict[str, str],
    name: str | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    if channels is None:
        used = set(mapping.values())
        pick = {str(c): str(c) for c in frame.columns if c != time_col and c not in used}
    elif isinstance(channels, Mapping):
        pick = {str(k): str(v) for k, v in channels.items()}
    else:
        pick = {str(c): str(c) for c in channels}
    missing = [(f"channels[{k!r}]", f"no column {v!r} in the file (columns: {_cols(frame)})")
               for k, v in pick.items() if v not in frame.columns]
    _raise(missing, name)
    if not pick:
        raise HistoryError("wide-form history has no channel column besides the time", name)
    n = len(frame)
    parts = [
        pd.DataFrame({"interval_start": frame[time_col].to_numpy(), "channel": ch,
                      "offered": frame[col].to_numpy()})
        for ch, col in pick.items()
    ]
    long = pd.concat(parts, ignore_index=True)
    return long, np.tile(np.arange(n), len(pick)), np.repeat(np.array(list(pick.values()), dtype=object), n)


def _parse_times(series: pd.Series, timezone: str | None, problems: list[tuple[str, str]],
                 where: Any, name: str | None) -> tuple[np.ndarray, str | None]:
    """Local clock times (naive datetime64), and the zone they were converted to."""
    if timezone is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(timezone)
        except Exception:  # noqa: BLE001 - any failure means an unknown zone
            raise HistoryError([("timezone", f"unknown time zone {timezone!r} (an IANA name such as "
                                             "'Europe/London')")], name) from None
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        parsed = series
        aware = True
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed, aware = series, False
    else:
        text = series.astype("string").str.strip()
        aware = bool(text.str.contains(_OFFSET, na=False).any())
        try:
            parsed = pd.to_datetime(text, errors="coerce", utc=aware, format="mixed")
        except (ValueError, TypeError):  # pragma: no cover - coerce should not raise
            parsed = pd.Series(pd.NaT, index=series.index)
        bad = parsed.isna().to_numpy()
        for i in np.flatnonzero(bad)[:_MAX_PROBLEMS]:
            shown = "" if pd.isna(text.iloc[i]) else str(text.iloc[i])[:40]
            problems.append((where(i, "interval_start"),
                             f"not a date and time (got {shown!r}; expected e.g. '2024-03-04 08:30')"))
        if bad.any():
            return np.array([], dtype="datetime64[ns]"), timezone
    if aware:
        zone = timezone or (str(parsed.dt.tz) if str(parsed.dt.tz) not in ("UTC", "utc") else None)
        if zone is None:
            raise HistoryError([("interval_start", "times carry UTC offsets: give timezone= (the centre's "
                                                   "zone, e.g. 'America/New_York') to turn them into local "
                                                   "clock times")], name)
        local = parsed.dt.tz_convert(zone).dt.tz_localize(None)
        return np.asarray(local.to_numpy(dtype="datetime64[ns]")), zone
    return np.asarray(pd.Series(parsed).to_numpy(dtype="datetime64[ns]")), timezone


def _numbers(series: pd.Series, field_name: str, *, required: bool, problems: list[tuple[str, str]],
             where: Any) -> np.ndarray:
    raw = series
    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        text = raw.astype("string").str.strip()
        empty = text.isna() | (text == "")
        nums = pd.to_numeric(text.where(~empty), errors="coerce")
        unparsable = nums.isna() & ~empty
    else:
        nums = pd.to_numeric(raw, errors="coerce")
        empty = nums.isna()
        unparsable = pd.Series(False, index=raw.index)
    arr = nums.to_numpy(dtype=float, na_value=np.nan)
    kind = "a count" if field_name in COUNT_FIELDS else "a number of seconds"
    for i in np.flatnonzero(unparsable.to_numpy())[:_MAX_PROBLEMS]:
        problems.append((where(i, field_name), f"must be {kind} (got {str(raw.iloc[i])[:40]!r})"))
    if required:
        for i in np.flatnonzero(empty.to_numpy())[:_MAX_PROBLEMS]:
            problems.append((where(i, field_name), "missing value (write 0 for an open interval with no contacts)"))
    bad = ~np.isfinite(arr) & ~np.isnan(arr) | (arr < 0)
    for i in np.flatnonzero(bad)[:_MAX_PROBLEMS]:
        problems.append((where(i, field_name), f"must be {kind} >= 0 (got {_show(arr[i])})"))
    return arr


def _show(x: float) -> str:
    return f"{int(x)}" if math.isfinite(x) and float(x).is_integer() else f"{x:g}"


def _grid(times: pd.Series, given: int | None, problems: list[tuple[str, str]], where: Any,
          name: str | None) -> int:
    minute_of_day = ((times - times.dt.normalize()).dt.total_seconds().to_numpy())
    if given is not None:
        if given not in HISTORY_MINUTES:
            raise HistoryError([("source_minutes", f"must be one of {', '.join(map(str, HISTORY_MINUTES))} "
                                                   f"(got {given!r})")], name)
        minutes = given
    else:
        minutes = next((m for m in reversed(HISTORY_MINUTES) if not np.any(minute_of_day % (60 * m))), 0)
        if minutes == 0:
            off = np.flatnonzero(minute_of_day % 300)[0]
            problems.append((where(int(off), "interval_start"),
                             f"{times.iloc[off]:%H:%M:%S} is not on a 5-minute grid (intervals start on whole "
                             "multiples of 5, 10, 15, 20, 30 or 60 minutes)"))
            return 0
    off_grid = np.flatnonzero(minute_of_day % (60 * minutes))
    for i in off_grid[:_MAX_PROBLEMS]:
        problems.append((where(int(i), "interval_start"),
                         f"{times.iloc[i]:%H:%M:%S} is not the start of a {minutes}-minute interval"))
    return minutes


def _duplicates(df: pd.DataFrame, timezone: str | None, problems: list[tuple[str, str]], where: Any) -> None:
    dup = df.duplicated(["interval_start", "channel"], keep=False).to_numpy()
    if not dup.any():
        return
    idx = np.flatnonzero(dup)
    if timezone is not None:
        # the repeated hour of a daylight-saving change is allowed (summed)
        stamps = pd.DatetimeIndex(df["interval_start"].to_numpy()[idx])
        amb = stamps.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT").isna()
        exists = ~stamps.tz_localize(timezone, ambiguous=True, nonexistent="NaT").isna()
        idx = idx[~(amb & exists)]
    first: dict[tuple[Any, str], int] = {}
    for i in idx:
        key = (df["interval_start"].iat[i], df["channel"].iat[i])
        if key in first:
            if len(problems) < _MAX_PROBLEMS:
                problems.append((where(int(i), "interval_start"),
                                 f"duplicated interval {key[0]:%Y-%m-%d %H:%M} for channel {key[1]!r} (also at "
                                 f"{where(first[key], 'interval_start').split(',')[0]})"))
        else:
            first[key] = int(i)


def _fill_channels(df: pd.DataFrame, channels: tuple[str, ...]) -> pd.DataFrame:
    """Every open interval gets a row per channel (0 offered where a channel had none)."""
    stamps = pd.Index(df["interval_start"].unique())
    if len(df) == len(stamps) * len(channels):
        return df
    full = pd.MultiIndex.from_product([stamps, list(channels)], names=["interval_start", "channel"])
    out = df.set_index(["interval_start", "channel"]).reindex(full).reset_index()
    out["offered"] = out["offered"].fillna(0.0)
    return out


def _sorted(df: pd.DataFrame, channels: tuple[str, ...]) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(channels)}
    out = df.assign(_k=df["channel"].map(order)).sort_values(["interval_start", "_k"], kind="stable")
    out = out.drop(columns="_k").reset_index(drop=True)
    out["channel"] = out["channel"].astype(str)
    for f in FIELDS:
        out[f] = out[f].astype(float)
    out["interval_start"] = out["interval_start"].astype("datetime64[ns]")
    return out[["interval_start", "channel", *FIELDS]]


def _check_target(target: Any, current: int, source: str | None) -> int:
    if isinstance(target, bool) or not isinstance(target, int | np.integer):
        raise HistoryError([("interval_minutes", f"must be a whole number of minutes (got {target!r})")], source)
    target = int(target)
    if target < current or target % current or 1440 % target:
        raise HistoryError([("interval_minutes", f"{current}-minute history can be summed into intervals of a "
                                                 f"multiple of {current} minutes that divides a day, not {target}"
                                                 " (finer intervals would be invented)")], source)
    return target


def _raise(problems: list[tuple[str, str]], name: str | None) -> None:
    if problems:
        raise HistoryError(problems, name)

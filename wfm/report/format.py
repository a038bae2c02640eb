"""Numbers for people: the one set of formatters for tables, cards, reports and the CLI.

Planner units, everywhere a person reads a number:

* rates as percentages (``81.3%``), differences of rates in points (``+1.2 pts``), with
  their 95% half-width when there were several replications (``88.2% ± 1.9``);
* waiting times in seconds for the real-time channels (voice and chat: ``12.3 s``) and
  in minutes or hours for deferred work (``12 min``, ``2.4 h``): :func:`wait`;
* targets in their natural unit (``20 s``, ``5 min``, ``24 h``): :func:`duration`;
* work in agents (``12``, or ``12.5`` as a mean), agent-hours (``20.3 h``), FTE
  (``3.2 FTE``), paid hours and money (``1,234``; the scenario's ``cost_per_hour`` has no
  currency, so none is printed);
* counts with thousands separators; a missing value (None or NaN) is ``-``;
* time ranges of intervals as clock ranges (``10:00-11:30``): :func:`interval_ranges`.

Tables for people get human headers (``service level``, not ``service_level``):
:data:`HEADERS` and :func:`human_table`.

Examples
--------
>>> pct(0.8134), seconds(12.345), duration(86400), count(1234.0), count(float("nan"))
('81.3%', '12.3 s', '24 h', '1,234', '-')
>>> wait(14.2, "voice"), wait(8280, "deferred"), wait(420, "deferred")
('14.2 s', '2.3 h', '7 min')
>>> signed_points(0.012), with_ci(0.882, 0.019), agent_hours(73_000), fte(36)
('+1.2 pts', '88.2% ± 1.9', '20.3 h', '4.5 FTE')
>>> interval_ranges([2, 3, 4, 9], ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
...                                "11:00", "11:30", "12:00", "12:30"], 30)
'09:00-10:30, 12:30-13:00'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FTE_HOURS",
    "HEADERS",
    "REALTIME",
    "agent_hours",
    "agents",
    "cell",
    "count",
    "duration",
    "fte",
    "header",
    "human_table",
    "interval_ranges",
    "is_missing",
    "money",
    "money_column",
    "number",
    "pct",
    "points",
    "seconds",
    "signed_points",
    "span",
    "summary_display",
    "wait",
    "wait_unit",
    "with_ci",
]

#: Channel kinds whose waits are read in seconds; every other kind's in minutes or hours.
REALTIME = ("voice", "chat")
#: Paid hours of one full-time equivalent in a day (8 h), for :func:`fte`.
FTE_HOURS = 8.0


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA (and nothing else)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _bad(value: Any) -> bool:
    if is_missing(value):
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.8134`` -> ``81.3%``."""
    if _bad(value):
        return "-"
    return f"{100 * float(value):.{digits}f}%"


def points(value: Any, digits: int = 1) -> str:
    """A difference of fractions in percentage points: ``0.012`` -> ``1.2``."""
    if _bad(value):
        return "-"
    return f"{100 * float(value):.{digits}f}"


def signed_points(value: Any, digits: int = 1) -> str:
    """A difference of fractions as signed points: ``0.012`` -> ``+1.2 pts``."""
    if _bad(value):
        return "-"
    return f"{100 * float(value):+.{digits}f} pts"


def with_ci(value: Any, halfwidth: Any = None, digits: int = 1) -> str:
    """A rate with its 95% half-width in points: ``88.2% ± 1.9`` (just ``88.2%`` when
    the half-width is missing, e.g. after one replication)."""
    text = pct(value, digits)
    if text == "-" or _bad(halfwidth):
        return text
    return f"{text} ± {100 * float(halfwidth):.{digits}f}"


def seconds(value: Any) -> str:
    """A time in seconds with one decimal: ``12.345`` -> ``12.3 s``."""
    if _bad(value):
        return "-"
    return f"{float(value):,.1f} s"


def span(value: Any) -> str:
    """A time in seconds read in its natural unit: ``45 s``, ``12 min``, ``2.4 h``, ``3.5 d``.

    Minutes are whole above ten (``12 min``) and with one decimal below (``2.5 min``);
    hours have one decimal up to 48 h, then days.
    """
    if _bad(value):
        return "-"
    v = float(value)
    a = abs(v)
    if a < 60:
        return f"{v:.0f} s"
    if a < 600:
        return f"{v / 60:.1f} min".replace(".0 min", " min")
    if a < 3600:
        return f"{v / 60:.0f} min"
    if a < 48 * 3600:
        return f"{v / 3600:.1f} h"
    return f"{v / 86400:.1f} d"


def wait(value: Any, kind: str) -> str:
    """A waiting time for people: seconds for voice and chat, :func:`span` (minutes,
    hours) for deferred work."""
    return seconds(value) if str(kind) in REALTIME else span(value)


def wait_unit(kind: str) -> str:
    """The unit :func:`wait` reads a channel kind's waits in: ``"s"`` or ``"min/h"``."""
    return "s" if str(kind) in REALTIME else "min/h"


def duration(value: Any) -> str:
    """A time target in its natural unit: ``20 s``, ``5 min``, ``24 h``."""
    if _bad(value):
        return "-"
    v = float(value)
    if v >= 3600 and v % 3600 == 0:
        return f"{v / 3600:g} h"
    if v >= 60 and v % 60 == 0:
        return f"{v / 60:g} min"
    return f"{v:g} s"


def count(value: Any) -> str:
    """A count with thousands separators, no decimals: ``1234.4`` -> ``1,234``."""
    if _bad(value):
        return "-"
    return f"{float(value):,.0f}"


def number(value: Any) -> str:
    """A count, or a mean count over replications with one decimal: ``12``, ``12.5``."""
    if _bad(value):
        return "-"
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def agents(value: Any) -> str:
    """Agents: whole (``12``) or a mean with one decimal (``12.5``)."""
    return number(value)


def agent_hours(value: Any) -> str:
    """Agent-seconds as agent-hours with one decimal: ``73000`` -> ``20.3 h``."""
    if _bad(value):
        return "-"
    return f"{float(value) / 3600:,.1f} h"


def fte(paid_hours: Any, hours_per_fte: float = FTE_HOURS) -> str:
    """Paid hours as full-time equivalents: ``36`` h -> ``4.5 FTE`` (8 h per FTE)."""
    if _bad(paid_hours):
        return "-"
    return f"{float(paid_hours) / hours_per_fte:,.1f} FTE"


def money(value: Any, decimals: int | None = None) -> str:
    """An amount of money without a currency (the scenario's ``cost_per_hour`` has none):
    whole units from 100 up (``12,345``), two decimals below (``42.50``); or always
    ``decimals`` decimals (a table's column: ``money(v, 0)``)."""
    if _bad(value):
        return "-"
    v = float(value)
    if decimals is not None:
        return f"{v:,.{decimals}f}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def money_column(values: Iterable[Any]) -> list[str]:
    """Amounts of one table column with the same decimals: whole units when any is 100
    or more, else two decimals.

    Examples
    --------
    >>> money_column([8.0, 12.5]), money_column([80.0, 1200.0])
    (['8.00', '12.50'], ['80', '1,200'])
    """
    vals = list(values)
    finite = [abs(float(v)) for v in vals if not _bad(v)]
    decimals = 0 if finite and max(finite) >= 100 else 2
    return [money(v, decimals) for v in vals]


_CLOCK = re.compile(r"^(?:d(\d+) )?(\d{1,2}):(\d{2})$")
_DATED = re.compile(r"^(.+?)\s+(\d{1,2}):(\d{2})$")


def _add_minutes(label: str, minutes: int) -> str:
    """``"d2 23:30"`` plus 30 minutes -> ``"d3 00:00"`` (labels as Scenario.interval_labels)."""
    m = _CLOCK.match(str(label).strip())
    if m is None:
        dated = _DATED.match(str(label).strip())  # "Mon 23 Nov 09:00"
        if dated is None:
            return str(label)
        total = int(dated.group(2)) * 60 + int(dated.group(3)) + int(minutes)
        clock = f"{total // 60 % 24:02d}:{total % 60:02d}"
        if total == 1440:
            clock = "24:00"
        elif total > 1440:
            clock += " next day"
        return f"{dated.group(1)} {clock}"
    day = int(m.group(1) or 1) - 1
    total = day * 1440 + int(m.group(2)) * 60 + int(m.group(3)) + int(minutes)
    day, rem = divmod(total, 1440)
    text = f"{rem // 60:02d}:{rem % 60:02d}"
    return text if day == 0 else f"d{day + 1} {text}"


def interval_ranges(
    indices: Iterable[int], labels: Sequence[str], interval_minutes: int, limit: int = 6
) -> str:
    """Clock ranges of interval indices: consecutive intervals merged, each range from
    the first one's start to the last one's end.

    Parameters
    ----------
    indices : iterable of int
        0-based interval indices (any order; duplicates ignored).
    labels : sequence of str
        Clock label of every interval (``Scenario.interval_labels()``).
    interval_minutes : int
        Length of an interval, for the end of the last one.
    limit : int, default 6
        Ranges shown at most; the rest are counted (``"... and 3 more"``).

    Returns
    -------
    str
        ``"10:00-11:30, 13:30-14:00"``; ``"-"`` when there are none. A range within one
        day of a dated horizon names the day once (``"Mon 23 Nov 08:30-13:00"``).

    Examples
    --------
    >>> interval_ranges([0, 1, 3], ["08:00", "08:30", "09:00", "09:30"], 30)
    '08:00-09:00, 09:30-10:00'
    >>> interval_ranges([1, 2], ["Mon 23 Nov 08:00", "Mon 23 Nov 08:30", "Mon 23 Nov 09:00"], 30)
    'Mon 23 Nov 08:30-09:30'
    """
    idx = sorted({int(i) for i in indices})
    if not idx:
        return "-"
    runs: list[tuple[int, int]] = []
    for i in idx:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))

    def end(i: int) -> str:
        return labels[i + 1] if i + 1 < len(labels) else _add_minutes(labels[i], interval_minutes)

    def span(a: int, b: int) -> str:
        first, last = labels[a], end(b)
        day_a, _, _ = first.rpartition(" ")
        day_b, _, clock_b = last.rpartition(" ")
        if day_a and day_a == day_b:  # the same day: "Mon 23 Nov 08:30-13:00"
            return f"{first}-{clock_b}"
        return f"{first}-{last}"

    parts = [span(a, b) for a, b in runs[:limit]]
    if len(runs) > limit:
        parts.append(f"... and {len(runs) - limit} more")
    return ", ".join(parts)


def cell(value: Any) -> str:
    """Any table cell as text: yes/no, counts with separators, floats to 4 significant
    digits below 1 and 2 decimals above, ``-`` for NaN and None."""
    if value is None:
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "-"
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:,.4g}" if abs(v) < 1 else f"{v:,.2f}"
    if isinstance(value, int | np.integer):
        return f"{value:,d}"
    return str(value)


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return (0, float(v))
    return (1, str(v))


#: Human headers of the result columns wfm's tables show.
HEADERS: dict[str, str] = {
    "service_level": "service level",
    "service_level_ci": "± (pts)",
    "target_service_level": "target",
    "answer_within": "answer within",
    "asa": "ASA",
    "wait_p90": "p90 wait",
    "abandonment": "abandonment",
    "backlog": "left at close",
    "backlog_hours": "work left",
    "pending": "pending",
    "unanswered": "unanswered",
    "start_interval": "first interval",
    "end_interval": "interval after",
    "break_start": "break from",
    "break_end": "break to",
    "paid_break": "paid break",
    "paid_hours": "paid hours",
    "solve_seconds": "solver time",
    "count": "agents",
    "cost": "cost",
    "shortfall": "short (agent-intervals)",
    "short_intervals": "intervals short",
    "iteration": "round",
    "met": "verdict",
    "missed": "missed",
    "optimal": "proven optimal",
    "gap": "gap",
    "score": "miss score",
    "margin": "must clear target by",
    "headroom": "above target by",
    "day_met": "day",
    "judged": "intervals judged",
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "required": "required",
    "scheduled": "scheduled",
    "staff": "on duty",
    "occupancy": "occupancy",
    "channel": "channel",
    "group": "group",
    "kind": "kind",
    "start": "start",
    "end": "end",
    "n": "replications",
}


def header(column: str) -> str:
    """The human header of a result column: :data:`HEADERS`, else the name with
    ``_`` as spaces and a channel's ``<channel>_service_level`` as ``<channel> service
    level``."""
    col = str(column)
    if col in HEADERS:
        return HEADERS[col]
    for suffix, text in (("_service_level", " service level"), ("_backlog", " left at close")):
        if col.endswith(suffix):
            return col[: -len(suffix)] + text
    return col.replace("_", " ")


Formatter = Callable[[Any], str]


def human_table(
    frame: pd.DataFrame,
    formats: Mapping[str, Formatter] | None = None,
    drop: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A DataFrame for people: every value as text in planner units, human headers.

    Parameters
    ----------
    frame : pandas.DataFrame
    formats : mapping of column to callable, optional
        A formatter per column (e.g. ``{"service_level": pct}``); other columns go
        through :func:`cell` (bools as yes/no, None and NaN as ``-``).
    drop : iterable of str
        Columns left out.
    headers : mapping of column to str, optional
        Headers overriding :func:`header`.

    Returns
    -------
    pandas.DataFrame
        The same rows, string cells, renamed columns.

    Examples
    --------
    >>> t = pd.DataFrame({"start_interval": [0], "paid_break": [None], "service_level": [0.9]})
    >>> human_table(t, {"service_level": pct}).to_dict("records")
    [{'first interval': '0', 'paid break': '-', 'service level': '90.0%'}]
    """
    formats = dict(formats or {})
    headers = dict(headers or {})
    dropped = set(drop)
    out: dict[str, list[str]] = {}
    for col in frame.columns:
        if col in dropped:
            continue
        fmt = formats.get(str(col), cell)
        out[headers.get(str(col), header(str(col)))] = [fmt(v) for v in frame[col].tolist()]
    return pd.DataFrame(out, index=frame.index)


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """A simulation summary formatted for reading (strings with units), one row per channel.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``SimulationResult.summary``.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``kind``, ``offered``, ``answered``, ``abandoned``,
        ``service level`` (with its 95% half-width after several replications),
        ``target``, ``ASA`` (mean wait of the answered: seconds for voice and chat,
        minutes or hours for deferred work), ``p90 wait`` (same units), ``abandonment``,
        ``left at close`` (contacts waiting at the horizon's end), ``pending``
        (unanswered deferred work still within its target time), ``met`` (bool).
    """

    s = summary
    kinds = s["kind"].astype(str).tolist()
    ci = s["service_level_ci"] if "service_level_ci" in s.columns else [np.nan] * len(s)
    return pd.DataFrame(
        {
            "channel": s["channel"].astype(str).to_numpy(),
            "kind": kinds,
            "offered": [number(v) for v in s["offered"]],
            "answered": [number(v) for v in s["answered"]],
            "abandoned": [number(v) for v in s["abandoned"]],
            "service level": [with_ci(v, c) for v, c in zip(s["service_level"], ci, strict=True)],
            "target": [
                f"{100 * t:g}% in {duration(float(w))}" if not _bad(t) else "-"
                for t, w in zip(s["target_service_level"], s["answer_within"], strict=True)
            ],
            "ASA": [wait(v, k) for v, k in zip(s["asa"], kinds, strict=True)],
            "p90 wait": [wait(v, k) for v, k in zip(s["wait_p90"], kinds, strict=True)],
            "abandonment": [pct(v) for v in s["abandonment"]],
            "left at close": [number(v) for v in s["backlog"]],
            "pending": [
                number(v) for v in (s["pending"] if "pending" in s.columns else [np.nan] * len(s))
            ],
            "met": s["met"].astype(bool).to_numpy(),
        }
    )

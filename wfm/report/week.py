"""The week view of a multi-day run (issue 12): per-day and per-week tables and figures.

Every function takes a :class:`wfm.SimulationResult` and works on its documented
:attr:`~wfm.SimulationResult.daily` and :attr:`~wfm.SimulationResult.weekly` frames:
one row per day (or week of 7 days from the first) x channel with the counts (means per
replication), the service level by the channel's definition and the backlog at the
close, and, with a ``start_date``, the date and weekday. A day is named after its date
(``"Mon 30 Nov"``) when the scenario has a ``start_date``, else ``"day 1"``, ``"day 2"``;
a week after its first day (``"week of Mon 30 Nov"`` or ``"week 1"``). Days without any
contact offered (a closed day) have no service level (``-`` in tables, a gap in figures).

Examples
--------
>>> import wfm
>>> from wfm.report import week
>>> sc = wfm.Scenario.from_dict({
...     "name": "Three days", "interval_minutes": 60, "start": "00:00",
...     "start_date": "2026-11-30",
...     "channels": {"phone": {"kind": "voice", "volume": [10] * 72, "aht": 240,
...                            "target": {"answer_within": 20, "service_level": 0.8}}},
...     "agents": [{"group": "voice", "skills": ["phone"], "staff": 3}]})
>>> res = wfm.simulate(sc, seed=1)
>>> week.has_days(res)
True
>>> week.daily_display(res)["day"].tolist()
['Mon 30 Nov', 'Tue 01 Dec', 'Wed 02 Dec']
>>> [title for title, _ in week.week_figures(res)]
['Service level per day', 'Volume per day']
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from wfm.report._data import _channels
from wfm.report.format import number, pct
from wfm.report.style import _base_layout, _empty_figure, _target_line, channel_colors

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import SimulationResult

__all__ = [
    "daily_display",
    "daily_figure",
    "day_names",
    "has_days",
    "variants_daily_display",
    "volume_per_day_figure",
    "week_figures",
    "weekly_display",
    "weekly_figure",
]

_ONE_DAY = "the horizon is a single day: no week view"


def has_days(result: Any) -> bool:
    """True when the run's (or a scenario's) horizon spans more than one day.

    Examples
    --------
    >>> import wfm
    >>> has_days(wfm.load_scenario("scenarios/baseline.yaml"))
    False
    """
    sc = getattr(result, "scenario", result)
    days = sc.day_index()
    return bool(len(days) and int(days.max()) > 0)


def day_names(result: Any) -> list[str]:
    """The name of each day of the horizon: ``"Mon 30 Nov"`` with a ``start_date``,
    else ``"day 1"``, ``"day 2"``, ..."""
    sc = getattr(result, "scenario", result)
    n = int(sc.day_index().max()) + 1 if sc.horizon else 0
    if sc.date is None:
        return [f"day {k + 1}" for k in range(n)]
    return [(sc.date + dt.timedelta(days=k)).strftime("%a %d %b") for k in range(n)]


def _week_names(result: Any, n: int) -> list[str]:
    sc = result.scenario
    if sc.date is None:
        return [f"week {k + 1}" for k in range(n)]
    return [f"week of {(sc.date + dt.timedelta(days=7 * k)).strftime('%a %d %b')}"
            for k in range(n)]


def _targets(result: SimulationResult) -> dict[str, float]:
    return {n: float(ch.target.service_level) for n, ch in result.scenario.channels.items()
            if ch.target is not None}


def _display(frame: pd.DataFrame, names: list[str], period: str, head: str,
             targets: dict[str, float]) -> pd.DataFrame:
    cols = [head, "channel", "offered", "answered", "abandoned", "service level", "target",
            "met", "left at close"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    sl = frame["service_level"].to_numpy(dtype=float)
    target = np.array([targets.get(str(c), np.nan) for c in frame["channel"]])
    met = ["-" if np.isnan(s) or np.isnan(t) else ("yes" if s >= t else "no")
           for s, t in zip(sl, target, strict=True)]
    return pd.DataFrame({
        head: [names[int(k)] if int(k) < len(names) else str(k) for k in frame[period]],
        "channel": frame["channel"].astype(str).to_numpy(),
        "offered": [number(round(float(v), 1)) for v in frame["offered"]],
        "answered": [number(round(float(v), 1)) for v in frame["answered"]],
        "abandoned": [number(round(float(v), 1)) for v in frame["abandoned"]],
        "service level": [pct(v) for v in sl],
        "target": [pct(v, 0) for v in target],
        "met": met,
        "left at close": [number(round(float(v), 1)) for v in frame["backlog"]],
    }, columns=cols)


def daily_display(result: SimulationResult) -> pd.DataFrame:
    """:attr:`SimulationResult.daily` for people: one row per day x channel.

    Returns
    -------
    pandas.DataFrame
        Columns ``day`` (``"Mon 30 Nov"`` or ``"day 1"``), ``channel``, ``offered``,
        ``answered``, ``abandoned`` (contacts per day, means per replication),
        ``service level`` (percent, by the channel's definition; ``-`` on a day without
        contacts), ``target`` (percent), ``met`` (``yes``/``no``/``-``), ``left at
        close`` (contacts waiting at the day's end).
    """
    return _display(result.daily, day_names(result), "day", "day", _targets(result))


def variants_daily_display(results: Mapping[str, SimulationResult]) -> pd.DataFrame:
    """Service level per day of two or more runs over the same days, side by side.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Runs by name (the Compare tab's variants), the first the reference.

    Returns
    -------
    pandas.DataFrame
        One row per day x channel with a target: ``day``, ``channel``, ``target``
        (percent), then per run its service level (percent, ``-`` on a day without
        contacts) and, after the first, ``<run> vs <first>`` in points. Empty when the
        runs are single days or have different numbers of days.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/retail_week.yaml")
    >>> more = sc.with_values({"agents.voice.staff": [s + 2 for s in sc.staff()["voice"]]})
    >>> runs = {"as is": wfm.simulate(sc, seed=1), "+2 voice": wfm.simulate(more, seed=1)}
    >>> t = variants_daily_display(runs)
    >>> t.columns.tolist()
    ['day', 'channel', 'target', 'as is', '+2 voice', '+2 voice vs as is']
    >>> t["day"].iloc[0], len(t) == 6 * 4
    ('Mon 23 Nov', True)
    """
    from wfm.report.format import signed_points

    names = [str(n) for n in results]
    runs = list(results.values())
    if len(runs) < 2 or not all(has_days(r) for r in runs):
        return pd.DataFrame()
    days = {len(day_names(r)) for r in runs}
    if len(days) != 1:
        return pd.DataFrame()
    first = runs[0]
    targets = _targets(first)
    dnames = day_names(first)
    base = first.daily[first.daily["channel"].isin(list(targets))]
    out = pd.DataFrame({
        "day": [dnames[int(k)] for k in base["day"]],
        "channel": base["channel"].astype(str).to_numpy(),
        "target": [pct(targets[str(c)], 0) for c in base["channel"]],
    })
    key = list(zip(base["day"], base["channel"], strict=True))
    values: list[np.ndarray] = []
    for name, r in zip(names, runs, strict=True):
        sl = r.daily.set_index(["day", "channel"])["service_level"]
        v = np.array([float(sl.get(k, np.nan)) for k in key])
        values.append(v)
        out[name] = [pct(x) for x in v]
    for name, v in zip(names[1:], values[1:], strict=True):
        out[f"{name} vs {names[0]}"] = [signed_points(d) if np.isfinite(d) else "-"
                                        for d in v - values[0]]
    return out


def weekly_display(result: SimulationResult) -> pd.DataFrame:
    """:attr:`SimulationResult.weekly` for people: one row per week (7 days from the
    first) x channel, columns as :func:`daily_display` with ``week`` (``"week of Mon 30
    Nov"`` or ``"week 1"``) first; contacts per week."""
    weekly = result.weekly
    n = int(weekly["week"].max()) + 1 if not weekly.empty else 0
    return _display(weekly, _week_names(result, n), "week", "week", _targets(result))


def _sl_figure(result: SimulationResult, frame: pd.DataFrame, period: str,
               names: list[str], title: str) -> go.Figure:
    channels = [c for c in _channels(result) if c in _targets(result)]
    if frame.empty or not channels:
        return _empty_figure(title, "no channel with a target")
    ccol = channel_colors(_channels(result))
    targets = _targets(result)
    fig = go.Figure()
    x = names[: int(frame[period].max()) + 1]
    for c in channels:
        part = frame[frame["channel"] == c].set_index(period)["service_level"]
        y = part.reindex(range(len(x))).to_numpy(dtype=float)
        esc = html.escape(c)
        fig.add_trace(go.Scatter(
            x=x, y=y, name=c, mode="lines+markers", line={"color": ccol.get(c)},
            connectgaps=False,
            hovertemplate=f"{esc} %{{x}}: %{{y:.1%}}<extra></extra>"))
        fig.add_trace(_target_line(x, targets[c], f"{c} target", ccol.get(c, "#888")))
    _base_layout(fig, title, 420, hovermode="x unified")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="service level")
    fig.update_xaxes(type="category")
    return fig


def daily_figure(result: SimulationResult) -> go.Figure:
    """Service level per day, one line per channel with a target, its target dotted.

    Returns
    -------
    plotly.graph_objects.Figure
        Per channel a trace named after it (x: :func:`day_names`, y: the day's service
        level, a fraction; a gap on a day without contacts) and ``"<channel> target"``.
        On a single day, an empty figure saying so.

    Examples
    --------
    >>> import wfm
    >>> daily_figure(wfm.simulate(wfm.load_scenario("scenarios/baseline.yaml"),
    ...                           seed=1)).layout.annotations[0].text
    'the horizon is a single day: no week view'
    """
    title = "Service level per day"
    if not has_days(result):
        return _empty_figure(title, _ONE_DAY)
    return _sl_figure(result, result.daily, "day", day_names(result), title)


def weekly_figure(result: SimulationResult) -> go.Figure:
    """Service level per week (7 days from the first), one line per channel with a
    target, as :func:`daily_figure`; an empty figure saying so on a single day."""
    title = "Service level per week"
    if not has_days(result):
        return _empty_figure(title, _ONE_DAY)
    weekly = result.weekly
    n = int(weekly["week"].max()) + 1 if not weekly.empty else 0
    return _sl_figure(result, weekly, "week", _week_names(result, n), title)


def volume_per_day_figure(result: SimulationResult) -> go.Figure:
    """Contacts offered and abandoned per day, stacked bars per channel.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per channel named after it (offered per day, means per
        replication) and, for channels that lose contacts, ``"<channel> abandoned"``
        as a dotted line. On a single day, an empty figure saying so.
    """
    title = "Volume per day"
    if not has_days(result):
        return _empty_figure(title, _ONE_DAY)
    daily = result.daily
    names = day_names(result)
    ccol = channel_colors(_channels(result))
    fig = go.Figure()
    for c in _channels(result):
        part = daily[daily["channel"] == c].set_index("day")
        offered = part["offered"].reindex(range(len(names))).fillna(0).to_numpy(dtype=float)
        esc = html.escape(c)
        fig.add_trace(go.Bar(x=names, y=offered, name=c, marker_color=ccol.get(c),
                             hovertemplate=f"{esc} %{{x}}: %{{y:,.0f}} offered<extra></extra>"))
        lost = part["abandoned"].reindex(range(len(names))).fillna(0).to_numpy(dtype=float)
        if lost.sum() > 0:
            fig.add_trace(go.Scatter(
                x=names, y=lost, name=f"{c} abandoned", mode="lines+markers",
                line={"color": ccol.get(c), "dash": "dot"},
                hovertemplate=f"{esc} %{{x}}: %{{y:,.0f}} abandoned<extra></extra>"))
    _base_layout(fig, title, 400, barmode="stack", hovermode="x unified")
    fig.update_yaxes(title_text="contacts per day", rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def week_figures(result: SimulationResult) -> list[tuple[str, go.Figure]]:
    """The week view's figures in reading order: service level per day, volume per day
    and, over more than one week, service level per week; empty on a single day."""
    if not has_days(result):
        return []
    out = [("Service level per day", daily_figure(result)),
           ("Volume per day", volume_per_day_figure(result))]
    weekly = result.weekly
    if not weekly.empty and int(weekly["week"].max()) > 0:
        out.append(("Service level per week", weekly_figure(result)))
    return out

"""Figures of a shift schedule: coverage against the requirement, and the shifts as a Gantt chart."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report._data import _wide
from wfm.report.style import (
    _PANEL_HEIGHT,
    SHORTFALL_COLOR,
    TARGET_DASH,
    _base_layout,
    _empty_figure,
    _time_axes,
    group_colors,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scheduling import Schedule

__all__ = ["coverage_figure", "gantt_figure"]


# ---------------------------------------------------------------------- schedules
_COVERAGE_COLUMNS = ("interval", "start", "group", "required", "scheduled")
_SHIFT_COLUMNS = ("group", "start_interval", "end_interval", "start", "end", "count")


def _frame_attr(obj: Any, name: str, columns: Sequence[str]) -> pd.DataFrame:
    frame = getattr(obj, name, None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"expected an object with a DataFrame .{name} (a wfm.scheduling.Schedule), "
            f"not {type(obj).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"schedule.{name}: missing column(s) {', '.join(missing)}")
    return frame


def _schedule_note(schedule: Schedule) -> str:
    """``cost 1,234.0 · optimal`` (and the gap when the solver stopped short of optimal)."""
    parts = []
    cost = float(schedule.cost)
    if math.isfinite(cost):
        parts.append(f"cost {cost:,.1f}")
    if schedule.status:
        parts.append(schedule.status_text)
    gap = float(schedule.gap)
    if schedule.optimal is False and math.isfinite(gap):
        parts.append(f"gap {100 * gap:.2f}%")
    return " · ".join(parts)


def coverage_figure(schedule: Schedule) -> go.Figure:
    """Required vs scheduled agents per interval, one panel per group, shortfall in red.

    Parameters
    ----------
    schedule : wfm.scheduling.Schedule
        Or any object with a ``coverage`` DataFrame (columns ``interval``, ``start``,
        ``group``, ``required``, ``scheduled`` and optionally ``shortfall``) and
        optionally ``cost``, ``status``, ``optimal``, ``gap``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per group: bars ``"<group> scheduled"``, red bars ``"<group> shortfall"``
        stacked on them up to the requirement, and a dashed step line
        ``"<group> required"``. One point per interval in every trace.
    """
    cov = _frame_attr(schedule, "coverage", _COVERAGE_COLUMNS)
    cov = cov.sort_values(["interval"], kind="stable")
    iv = cov.drop_duplicates("interval")
    h = int(cov["interval"].max()) + 1 if len(cov) else 0
    labels_by = dict(zip(iv["interval"].astype(int), iv["start"].astype(str), strict=True))
    labels = [labels_by.get(i, str(i)) for i in range(h)]
    groups = [str(g) for g in dict.fromkeys(cov["group"])]
    cov = cov.assign(group=cov["group"].astype(str))
    required = _wide(cov, "group", "required", groups, h)
    scheduled = _wide(cov, "group", "scheduled", groups, h)
    if "shortfall" in cov.columns:
        shortfall = _wide(cov, "group", "shortfall", groups, h)
    else:
        shortfall = {g: np.maximum(required[g] - scheduled[g], 0) for g in groups}
    gcol = group_colors(groups)
    title = "Coverage: required vs scheduled agents"
    note = _schedule_note(schedule)
    if note:
        title += f" ({note})"
    if not groups:
        return _empty_figure(title, "empty schedule")
    short_total = {g: float(np.nansum(shortfall[g])) for g in groups}
    fig = make_subplots(
        rows=len(groups),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.12, 0.3 / len(groups)),
        subplot_titles=[
            f"{g}: shortfall {short_total[g]:g} agent-intervals"
            if short_total[g]
            else f"{g}: covered"
            for g in groups
        ],
    )
    for k, g in enumerate(groups, start=1):
        esc = html.escape(g)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=scheduled[g],
                name=f"{g} scheduled",
                marker_color=gcol[g],
                opacity=0.75,
                legendgroup=g,
                hovertemplate=f"{esc} scheduled: %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
        short = np.where(shortfall[g] > 0, shortfall[g], np.nan)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=short,
                base=scheduled[g],
                name=f"{g} shortfall",
                marker_color=SHORTFALL_COLOR,
                legendgroup=g,
                hovertemplate=f"{esc} short by %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=required[g],
                name=f"{g} required",
                mode="lines",
                legendgroup=g,
                line={"color": "black", "width": 2, "dash": TARGET_DASH, "shape": "hvh"},
                hovertemplate=f"{esc} required: %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
    _base_layout(
        fig,
        title,
        90 + _PANEL_HEIGHT * len(groups),
        barmode="overlay",
        bargap=0.1,
        hovermode="x unified",
    )
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="agents", rangemode="tozero")
    return fig


def _clock_minutes(label: Any) -> float:
    """Minutes after midnight of day 1 of ``"HH:MM"`` or ``"dN HH:MM"``; NaN otherwise."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return math.nan
    text = str(label).strip()
    day = 0
    if text.startswith("d") and " " in text:
        d, text = text.split(" ", 1)
        try:
            day = int(d[1:]) - 1
        except ValueError:
            return math.nan
    try:
        hh, mm = text.split(":")
        return day * 1440 + int(hh) * 60 + int(mm)
    except ValueError:
        return math.nan


def gantt_figure(schedule: Schedule) -> go.Figure:
    """The shifts of a schedule as a Gantt chart: one bar per shift row, break marked.

    Parameters
    ----------
    schedule : wfm.scheduling.Schedule
        Or any object with a ``shifts`` DataFrame (columns ``group``,
        ``start_interval``, ``end_interval`` (exclusive), ``start``, ``end``,
        ``count`` and optionally ``break_start``, ``break_end`` (clock labels or
        None), ``paid_break``, ``cost``), optionally ``coverage`` for the clock labels.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar per row of ``shifts`` (x in intervals from the horizon's
        start, ticks labelled by clock), one trace per group named after it and
        labelled ``"×<count>"``, plus a trace ``"break"`` with a hatched bar over
        each break.
    """
    shifts = _frame_attr(schedule, "shifts", _SHIFT_COLUMNS)
    title = "Shifts"
    note = _schedule_note(schedule)
    if note:
        title += f" ({note})"
    if shifts.empty:
        return _empty_figure(title, "no shifts scheduled")
    order = {g: i for i, g in enumerate(dict.fromkeys(shifts["group"].astype(str)))}
    sh = shifts.assign(_g=shifts["group"].astype(str).map(order))
    sh = sh.sort_values(["_g", "start_interval", "end_interval"], kind="stable")
    sh = sh.drop(columns="_g").reset_index(drop=True)
    sh = sh.assign(group=sh["group"].astype(str))
    n = len(sh)
    s0 = sh["start_interval"].to_numpy(dtype=float)
    s1 = sh["end_interval"].to_numpy(dtype=float)
    start_min = np.array([_clock_minutes(v) for v in sh["start"]])
    end_min = np.array([_clock_minutes(v) for v in sh["end"]])
    with np.errstate(invalid="ignore", divide="ignore"):
        step = np.nanmedian(np.where(s1 > s0, (end_min - start_min) / (s1 - s0), np.nan))
    has_break = "break_start" in sh.columns and "break_end" in sh.columns
    if has_break and np.isfinite(step) and step > 0:
        b0m = np.array([_clock_minutes(v) for v in sh["break_start"]])
        b1m = np.array([_clock_minutes(v) for v in sh["break_end"]])
        b0 = s0 + np.mod(b0m - start_min, 1440) / step
        b1 = s0 + np.mod(b1m - start_min, 1440) / step
    else:
        b0 = b1 = np.full(n, np.nan)
    brk = np.isfinite(b0) & np.isfinite(b1) & (b1 > b0)
    # clock ticks: the coverage's labels when present, else the shifts' own
    labels_by: dict[int, str] = {}
    cov = getattr(schedule, "coverage", None)
    if isinstance(cov, pd.DataFrame) and {"interval", "start"} <= set(cov.columns):
        iv = cov.drop_duplicates("interval")
        labels_by.update(zip(iv["interval"].astype(int), iv["start"].astype(str), strict=True))
    labels_by.update(
        {int(a): str(b) for a, b in zip(s0, sh["start"], strict=True) if int(a) not in labels_by}
    )
    labels_by.update(
        {int(a): str(b) for a, b in zip(s1, sh["end"], strict=True) if int(a) not in labels_by}
    )
    lo, hi = int(np.nanmin(s0)), int(np.nanmax(s1))
    if labels_by:
        lo, hi = min(lo, min(labels_by)), max(hi, max(labels_by))
    tstep = max(1, math.ceil((hi - lo) / 16))
    ticks = [i for i in range(lo, hi + 1, tstep) if i in labels_by]
    counts = sh["count"].to_numpy(dtype=float)
    rows = np.arange(n)
    brk_text = np.where(
        brk,
        "break "
        + sh.get("break_start", pd.Series([""] * n)).astype(str)
        + "-"
        + sh.get("break_end", pd.Series([""] * n)).astype(str),
        "no break",
    )
    row_labels = (
        sh["group"] + " " + sh["start"].astype(str) + "-" + sh["end"].astype(str)
    ).tolist()
    cost = sh["cost"].to_numpy(dtype=float) if "cost" in sh.columns else np.full(n, np.nan)
    custom = np.column_stack(
        [sh["start"].astype(str), sh["end"].astype(str), brk_text, counts, cost]
    ).tolist()
    gcol = group_colors(dict.fromkeys(sh["group"]))
    fig = go.Figure()
    for g in gcol:
        m = (sh["group"] == g).to_numpy()
        fig.add_trace(
            go.Bar(
                y=rows[m],
                x=(s1 - s0)[m],
                base=s0[m],
                orientation="h",
                name=g,
                marker_color=gcol[g],
                text=[f"×{c:g}" for c in counts[m]],
                textposition="inside",
                insidetextanchor="start",
                customdata=[custom[i] for i in np.flatnonzero(m)],
                legendgroup=g,
                hovertemplate=f"{html.escape(g)} %{{customdata[0]}}-%{{customdata[1]}}, "
                "%{customdata[2]}: %{customdata[3]:g} agents, "
                "cost %{customdata[4]:,.1f}<extra></extra>",
            )
        )
    if brk.any():
        fig.add_trace(
            go.Bar(
                y=rows[brk],
                x=(b1 - b0)[brk],
                base=b0[brk],
                orientation="h",
                name="break",
                marker={
                    "color": "rgba(255,255,255,0.85)",
                    "line": {"color": "#333", "width": 1},
                    "pattern": {"shape": "/", "fgcolor": "#555", "size": 6},
                },
                width=0.5,
                customdata=brk_text[brk],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    height = int(min(2400, 140 + 24 * n))
    _base_layout(fig, title, height, barmode="overlay", bargap=0.25)
    fig.update_yaxes(
        tickmode="array",
        tickvals=rows.tolist(),
        ticktext=row_labels,
        autorange="reversed",
        title_text=None,
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=ticks,
        ticktext=[labels_by[i] for i in ticks],
        range=[lo - 0.5, hi + 0.5],
        title_text="clock",
        showgrid=True,
    )
    return fig

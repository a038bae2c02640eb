"""Plotly figure builders shared by the CLI, the Streamlit app and notebooks.

Every builder takes wfm results (or DataFrames with their documented columns) and
returns a :class:`plotly.graph_objects.Figure`; nothing here simulates, schedules or
prints. The ``write_*`` functions save a run, a plan or a sweep as CSV files plus one
self-contained HTML report (plotly.js inlined once, no network needed to open it),
every file written atomically (temporary file in the same directory, then
``os.replace``).

Conventions of the figures:

* The x axis of time series is the interval's clock label (``"08:30"``, ``"d2 08:30"``),
  taken from ``result.intervals["start"]``; every trace has one point per interval.
* Each channel keeps its colour in every figure (:func:`channel_colors`, by the
  scenario's channel order), each agent group its own (:func:`group_colors`).
* Rates (service level, abandonment, occupancy) are plotted as fractions on a
  percent-formatted axis; times in seconds; volumes in contacts per interval.
* Intervals where a measure is undefined (NaN, e.g. no contact offered) are gaps.

Examples
--------
>>> import wfm
>>> from wfm import report
>>> res = wfm.simulate(wfm.load_scenario("scenarios/baseline.yaml"), seed=1)  # doctest: +SKIP
>>> report.service_level_figure(res).show()                                   # doctest: +SKIP
>>> report.write_run_report(res, "out/")                                      # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import SimulationResult

__all__ = [
    "backlog_figure",
    "channel_colors",
    "compare_summaries",
    "comparison_figure",
    "coverage_figure",
    "gantt_figure",
    "group_colors",
    "html_report",
    "kpi_cards",
    "occupancy_figure",
    "requirement_figure",
    "run_figures",
    "service_level_figure",
    "summary_display",
    "sweep_figure",
    "volume_staff_figure",
    "wait_abandon_figure",
    "write_plan_report",
    "write_run_report",
    "write_sweep_report",
]

CHANNEL_PALETTE: tuple[str, ...] = tuple(qualitative.Plotly)
GROUP_PALETTE: tuple[str, ...] = tuple(qualitative.Dark2)
SCENARIO_PALETTE: tuple[str, str] = ("#4C78A8", "#F58518")
SHORTFALL_COLOR = "#D62728"
TARGET_DASH = "dash"
REALTIME_KINDS = ("voice", "chat")

_AXIS = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "automargin": True,
    "ticks": "",
}
# plotly_white's look in a few properties: the full template costs ~20-70 ms per figure
_TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
        "colorway": list(CHANNEL_PALETTE),
    }
)
_PANEL_HEIGHT = 210  # px per stacked panel
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


# ---------------------------------------------------------------------- colours
def channel_colors(channels: Iterable[str]) -> dict[str, str]:
    """Colour of each channel, by its position in ``channels``.

    Parameters
    ----------
    channels : iterable of str
        Channel names in the scenario's order (``scenario.channel_names``).

    Returns
    -------
    dict of str to str
        ``{channel: CSS colour}``; the same order gives the same colours in every figure.
    """
    return {
        c: CHANNEL_PALETTE[i % len(CHANNEL_PALETTE)] for i, c in enumerate(dict.fromkeys(channels))
    }


def group_colors(groups: Iterable[str]) -> dict[str, str]:
    """Colour of each agent group, by its position in ``groups`` (see :func:`channel_colors`)."""
    return {g: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, g in enumerate(dict.fromkeys(groups))}


# ---------------------------------------------------------------------- frame helpers
def _labels(result: SimulationResult) -> list[str]:
    """Clock label of every interval, from ``result.intervals["start"]``."""
    iv = result.intervals.drop_duplicates("interval").sort_values("interval")
    return [str(s) for s in iv["start"]]


def _channels(result: SimulationResult) -> list[str]:
    sc = getattr(result, "scenario", None)
    if sc is not None:
        return list(sc.channel_names)
    return list(dict.fromkeys(result.intervals["channel"]))


def _kinds(result: SimulationResult) -> dict[str, str]:
    iv = result.intervals.drop_duplicates("channel")
    return dict(zip(iv["channel"].astype(str), iv["kind"].astype(str), strict=True))


def _groups(result: SimulationResult) -> list[str]:
    return list(dict.fromkeys(str(g) for g in result.groups["group"]))


def _wide(
    frame: pd.DataFrame, key: str, value: str, names: Sequence[str], horizon: int
) -> dict[str, np.ndarray]:
    """``{name: float array of length horizon}`` of ``value`` by ``interval`` (NaN if absent)."""
    if frame.empty:
        return {n: np.full(horizon, np.nan) for n in names}
    wide = frame.pivot_table(
        index="interval", columns=key, values=value, aggfunc="first", dropna=False
    )
    wide = wide.reindex(index=range(horizon), columns=list(names))
    return {n: wide[n].to_numpy(dtype=float, na_value=np.nan) for n in names}


_TITLE_PX = 46  # px of the figure's title band
_LEGEND_ROW_PX = 22  # px per row of a horizontal legend
_DEFAULT_TOP = 80  # the top margin the heights below are given for


def _legend_rows(fig: go.Figure, width: int = 900) -> int:
    """Rows a horizontal legend of ``fig`` takes at about ``width`` px (an estimate).

    Plotly stacks the entries of one ``legendgroup`` vertically, and lays the groups
    out left to right, wrapping at the figure's width.
    """
    groups: dict[Any, list[int]] = {}
    for k, t in enumerate(fig.data):
        if not t.name or t.showlegend is False:
            continue
        key = t.legendgroup if t.legendgroup else ("__own", k)
        groups.setdefault(key, []).append(48 + 7 * len(str(t.name)))
    if sum(len(v) for v in groups.values()) < 2:
        return 0
    rows, x, tallest = 0, 0, 0
    for widths in groups.values():
        w = max(widths)
        if x and x + w > width:
            rows, x, tallest = rows + tallest, 0, 0
        x += w
        tallest = max(tallest, len(widths))
    return rows + tallest


def _base_layout(fig: go.Figure, title: str, height: int, **extra: Any) -> go.Figure:
    """Shared look: title, then a horizontal legend under it, then the panels.

    ``height`` is the figure's height with an 80 px top band; the band grows with the
    legend's rows (and panel titles) so neither overlaps the plot.
    """
    rows = 0 if extra.get("showlegend") is False else _legend_rows(fig)
    panel_titles = any(a.y is not None and a.y >= 0.99 for a in fig.layout.annotations)
    top = _TITLE_PX + rows * _LEGEND_ROW_PX + (20 if panel_titles else 0) + 8
    total = max(200, height - _DEFAULT_TOP + top)
    fig.update_layout(
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - 14 / total,
            "yanchor": "top",
        },
        template=_TEMPLATE,
        height=total,
        margin={"l": 60, "r": 30, "t": top, "b": 50},
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 1 - _TITLE_PX / total,
            "x": 0.0,
            "xanchor": "left",
        },
        **extra,
    )
    return fig


def _time_axes(fig: go.Figure, labels: Sequence[str]) -> None:
    """Category x axes in interval order, thinned tick labels for long horizons."""
    step = max(1, math.ceil(len(labels) / 16))
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(labels),
        tickmode="array",
        tickvals=list(labels[::step]),
        ticktext=list(labels[::step]),
        tickangle=0 if len(labels) <= 16 else -45,
    )


def _note(fig: go.Figure, text: str, **pos: Any) -> None:
    fig.add_annotation(
        text=text,
        showarrow=False,
        xref=pos.pop("xref", "paper"),
        yref=pos.pop("yref", "paper"),
        x=pos.pop("x", 0.5),
        y=pos.pop("y", 0.5),
        font={"size": 13, "color": "#555"},
        **pos,
    )


def _empty_figure(title: str, text: str) -> go.Figure:
    fig = go.Figure()
    _note(fig, text)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _base_layout(fig, title, 260)


def _duration(seconds: float) -> str:
    """``20 s``, ``5 min``, ``24 h``."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _target_line(x: Sequence[Any], value: float, name: str, color: str, **kw: Any) -> go.Scatter:
    """A dashed horizontal target line over ``x``."""
    return go.Scatter(
        x=list(x),
        y=np.full(len(x), float(value)),
        name=name,
        mode="lines",
        line={"color": color, "dash": TARGET_DASH, "width": 1.5},
        hovertemplate=f"{html.escape(name)}: %{{y:.0%}}<extra></extra>",
        **kw,
    )


def _realtime_channels(result: SimulationResult) -> list[str]:
    kinds = _kinds(result)
    return [c for c in _channels(result) if kinds.get(c) in REALTIME_KINDS]


def _deferred_channels(result: SimulationResult) -> list[str]:
    kinds = _kinds(result)
    return [c for c in _channels(result) if kinds.get(c) == "deferred"]


# ---------------------------------------------------------------------- run figures
def volume_staff_figure(result: SimulationResult) -> go.Figure:
    """Offered volume per interval per channel, with the scheduled staff per group.

    Parameters
    ----------
    result : SimulationResult
        From :func:`wfm.simulate`.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per channel named after the channel (contacts offered per
        interval, after deflection; means per replication) on the left axis and one
        step line per agent group named ``"<group> staff"`` (agents scheduled) on the
        right axis. Every trace has one point per interval.
    """
    labels = _labels(result)
    h = len(labels)
    channels = _channels(result)
    groups = _groups(result)
    ccol, gcol = channel_colors(channels), group_colors(groups)
    offered = _wide(result.intervals, "channel", "offered", channels, h)
    staff = _wide(result.groups, "group", "staff", groups, h)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for c in channels:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=offered[c],
                name=c,
                marker_color=ccol[c],
                legendgroup=c,
                hovertemplate=f"{html.escape(c)}: %{{y:.0f}} offered<extra></extra>",
            ),
            secondary_y=False,
        )
    for g in groups:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=staff[g],
                name=f"{g} staff",
                mode="lines",
                line={"color": gcol[g], "width": 2.5, "shape": "hvh"},
                legendgroup=f"staff {g}",
                hovertemplate=f"{html.escape(g)}: %{{y:.0f}} agents<extra></extra>",
            ),
            secondary_y=True,
        )
    _base_layout(
        fig,
        "Offered volume and scheduled staff",
        440,
        barmode="group",
        bargap=0.15,
        hovermode="x unified",
    )
    _time_axes(fig, labels)
    fig.update_yaxes(
        title_text="contacts offered per interval", rangemode="tozero", secondary_y=False
    )
    fig.update_yaxes(
        title_text="agents scheduled",
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        secondary_y=True,
    )
    return fig


def service_level_figure(result: SimulationResult) -> go.Figure:
    """Service level per interval, one panel per channel, with its target dashed.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    plotly.graph_objects.Figure
        Per channel (panel titled with the target, e.g. ``"phone (voice): 80% in 20 s"``):
        a trace named after the channel (share of the contacts arriving in the interval
        answered within ``answer_within``; gaps where nothing was judged) and a dashed
        trace ``"<channel> target"``.
    """
    labels = _labels(result)
    h = len(labels)
    channels = _channels(result)
    kinds = _kinds(result)
    ccol = channel_colors(channels)
    iv = result.intervals
    sl = _wide(iv, "channel", "service_level", channels, h)
    offered = _wide(iv, "channel", "offered", channels, h)
    first = iv.drop_duplicates("channel").set_index("channel")
    titles = [
        f"{c} ({kinds.get(c, '')}): {100 * first.at[c, 'target_service_level']:g}% in "
        f"{_duration(float(first.at[c, 'answer_within']))}"
        for c in channels
    ]
    fig = make_subplots(
        rows=len(channels),
        cols=1,
        shared_xaxes=True,
        subplot_titles=titles,
        vertical_spacing=min(0.12, 0.3 / max(len(channels), 1)),
    )
    for k, c in enumerate(channels, start=1):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=sl[c],
                name=c,
                mode="lines+markers",
                customdata=offered[c],
                line={"color": ccol[c], "width": 2},
                marker={"size": 5},
                connectgaps=False,
                hovertemplate=f"{html.escape(c)}: %{{y:.1%}} of %{{customdata:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
        fig.add_trace(
            _target_line(
                labels,
                first.at[c, "target_service_level"],
                f"{c} target",
                ccol[c],
                legendgroup=c,
                showlegend=False,
            ),
            row=k,
            col=1,
        )
    _base_layout(
        fig,
        "Service level per interval",
        90 + _PANEL_HEIGHT * len(channels),
        hovermode="x unified",
        showlegend=False,
    )
    _time_axes(fig, labels)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], title_text="service level")
    return fig


def wait_abandon_figure(result: SimulationResult) -> go.Figure:
    """Waiting times and abandonment per interval of the real-time (voice, chat) channels.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    plotly.graph_objects.Figure
        Top panel, seconds: ``"<channel> ASA"`` (mean wait of the answered),
        ``"<channel> p90 wait"`` (dotted) and ``"<channel> answer within"`` (dashed
        target threshold). Bottom panel: ``"<channel> abandonment"`` (abandoned /
        offered). Without real-time channels, an empty figure saying so.
    """
    channels = _realtime_channels(result)
    title = "Waiting time and abandonment (real-time channels)"
    if not channels:
        return _empty_figure(title, "no voice or chat channel in this scenario")
    labels = _labels(result)
    h = len(labels)
    ccol = channel_colors(_channels(result))
    iv = result.intervals
    asa = _wide(iv, "channel", "asa", channels, h)
    p90 = _wide(iv, "channel", "wait_p90", channels, h)
    ab = _wide(iv, "channel", "abandonment", channels, h)
    within = iv.drop_duplicates("channel").set_index("channel")["answer_within"]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[0.6, 0.4],
        subplot_titles=("Wait of the answered (s)", "Abandonment"),
    )
    for c in channels:
        col = ccol[c]
        esc = html.escape(c)
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=asa[c],
                name=f"{c} ASA",
                mode="lines+markers",
                legendgroup=c,
                line={"color": col, "width": 2},
                marker={"size": 5},
                hovertemplate=f"{esc} ASA: %{{y:.1f}} s<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=p90[c],
                name=f"{c} p90 wait",
                mode="lines",
                legendgroup=c,
                line={"color": col, "width": 1.5, "dash": "dot"},
                hovertemplate=f"{esc} p90 wait: %{{y:.1f}} s<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=np.full(h, float(within[c])),
                name=f"{c} answer within",
                mode="lines",
                legendgroup=c,
                line={"color": col, "width": 1, "dash": TARGET_DASH},
                hovertemplate=f"{esc} answer within: %{{y:g}} s<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=ab[c],
                name=f"{c} abandonment",
                mode="lines+markers",
                legendgroup=c,
                line={"color": col, "width": 2},
                marker={"size": 5},
                hovertemplate=f"{esc} abandonment: %{{y:.1%}}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    _base_layout(fig, title, 560, hovermode="x unified")
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="seconds", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(
        title_text="abandoned / offered", tickformat=".0%", rangemode="tozero", row=2, col=1
    )
    return fig


def backlog_figure(result: SimulationResult) -> go.Figure:
    """Deferred backlog (contacts waiting at each interval's end) per deferred channel.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per deferred channel, named after it (contacts waiting at the end of
        the interval; means per replication), and a note of the contacts still
        *pending* at the horizon's end (unanswered, their ``answer_within`` not yet run
        out, left out of the service level). Without deferred channels, an empty figure
        saying so.
    """
    channels = _deferred_channels(result)
    title = "Deferred backlog at each interval's end"
    if not channels:
        return _empty_figure(title, "no deferred channel in this scenario")
    labels = _labels(result)
    h = len(labels)
    ccol = channel_colors(_channels(result))
    iv = result.intervals
    backlog = _wide(iv, "channel", "backlog", channels, h)
    sub = iv[iv["channel"].isin(channels)]
    pending = sub.groupby("channel", sort=False)["pending"].sum()
    unanswered = sub.groupby("channel", sort=False)["unanswered"].sum()
    fig = go.Figure()
    for c in channels:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=backlog[c],
                name=c,
                mode="lines+markers",
                line={"color": ccol[c], "width": 2, "shape": "linear"},
                marker={"size": 5},
                fill="tozeroy",
                opacity=0.9,
                hovertemplate=f"{html.escape(c)}: %{{y:.1f}} waiting<extra></extra>",
            )
        )
    note = "at the horizon's end: " + "; ".join(
        f"{html.escape(c)} {unanswered.get(c, 0):g} unanswered, {pending.get(c, 0):g} pending"
        for c in channels
    )
    _note(fig, note, x=0.0, y=-0.22, xanchor="left", yanchor="top")
    _base_layout(fig, title, 420, hovermode="x unified")
    fig.update_layout(margin={"b": 90})
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="contacts waiting", rangemode="tozero")
    return fig


def occupancy_figure(result: SimulationResult) -> go.Figure:
    """Occupancy per agent group per interval (busy / on-duty agent time, 0-100%).

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per group, named after it; a chat session counts ``1/concurrency``
        busy. Gaps where nobody was on duty.
    """
    labels = _labels(result)
    h = len(labels)
    groups = _groups(result)
    gcol = group_colors(groups)
    occ = _wide(result.groups, "group", "occupancy", groups, h)
    staff = _wide(result.groups, "group", "staff", groups, h)
    fig = go.Figure()
    for g in groups:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=occ[g],
                name=g,
                mode="lines+markers",
                customdata=staff[g],
                line={"color": gcol[g], "width": 2},
                marker={"size": 5},
                hovertemplate=f"{html.escape(g)}: %{{y:.1%}} of %{{customdata:.0f}} agents"
                "<extra></extra>",
            )
        )
    _base_layout(fig, "Occupancy per agent group", 400, hovermode="x unified")
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="occupancy", tickformat=".0%", range=[0, 1.05])
    return fig


_REQ_COLUMNS = ("level", "name", "interval", "required")


def requirement_figure(result: SimulationResult, requirements: pd.DataFrame) -> go.Figure:
    """Analytic (Erlang) requirement per group beside the scheduled staff, and the
    simulated service level that staff achieved.

    Parameters
    ----------
    result : SimulationResult
        The simulation of the staff (``result.groups["staff"]``).
    requirements : pandas.DataFrame
        Long format as returned by :func:`wfm.staffing.requirements`: columns
        ``level`` ("channel" | "group"), ``name``, ``interval``, ``required`` (agents)
        and optionally ``start``. Rows with ``level == "group"`` are drawn; without
        any, the channel rows are.

    Returns
    -------
    plotly.graph_objects.Figure
        Top panel, agents: per group a bar ``"<group> scheduled"`` and a dashed step
        line ``"<group> required"``. Bottom panel: per channel ``"<channel> service
        level"`` (simulated) and its dashed ``"<channel> target"``.

    Raises
    ------
    ValueError
        If ``requirements`` lacks one of the columns above.
    """
    missing = [c for c in _REQ_COLUMNS if c not in requirements.columns]
    if missing:
        raise ValueError(f"requirements: missing column(s) {', '.join(missing)}")
    labels = _labels(result)
    h = len(labels)
    groups = _groups(result)
    channels = _channels(result)
    req = requirements[requirements["level"] == "group"]
    level = "group"
    if req.empty:
        req = requirements[requirements["level"] == "channel"]
        level = "channel"
    req_names = [str(n) for n in dict.fromkeys(req["name"])]
    req = req[(req["interval"] >= 0) & (req["interval"] < h)]
    required = _wide(req.assign(name=req["name"].astype(str)), "name", "required", req_names, h)
    staff = _wide(result.groups, "group", "staff", groups, h)
    gcol = group_colors(groups + [n for n in req_names if n not in groups])
    ccol = channel_colors(channels)
    sl = _wide(result.intervals, "channel", "service_level", channels, h)
    targets = result.intervals.drop_duplicates("channel").set_index("channel")[
        "target_service_level"
    ]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[0.6, 0.4],
        subplot_titles=(
            f"Agents: scheduled vs required per {level} (Erlang)",
            "Simulated service level",
        ),
    )
    for g in groups:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=staff[g],
                name=f"{g} scheduled",
                marker_color=gcol[g],
                opacity=0.55,
                legendgroup=g,
                hovertemplate=f"{html.escape(g)} scheduled: %{{y:.0f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for n in req_names:
        color = gcol[n] if level == "group" else ccol.get(n, "#444")
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=required[n],
                name=f"{n} required",
                mode="lines",
                legendgroup=n,
                line={"color": color, "width": 2.5, "dash": TARGET_DASH, "shape": "hvh"},
                hovertemplate=f"{html.escape(n)} required: %{{y:.0f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for c in channels:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=sl[c],
                name=f"{c} service level",
                mode="lines+markers",
                legendgroup=f"sl {c}",
                line={"color": ccol[c], "width": 2},
                marker={"size": 4},
                hovertemplate=f"{html.escape(c)}: %{{y:.1%}}<extra></extra>",
            ),
            row=2,
            col=1,
        )
        fig.add_trace(
            _target_line(
                labels, targets[c], f"{c} target", ccol[c], legendgroup=f"sl {c}", showlegend=False
            ),
            row=2,
            col=1,
        )
    _base_layout(
        fig,
        "Requirement, scheduled staff and simulated outcome",
        620,
        barmode="group",
        bargap=0.15,
        hovermode="x unified",
    )
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="agents", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="service level", tickformat=".0%", range=[0, 1.05], row=2, col=1)
    return fig


def run_figures(result: SimulationResult) -> list[tuple[str, go.Figure]]:
    """The figures of one simulation run, in reading order.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    list of (str, Figure)
        Volume and staff, service level, waiting and abandonment (when there is a
        voice or chat channel), deferred backlog (when there is a deferred channel),
        occupancy.
    """
    out = [
        ("Volume and staff", volume_staff_figure(result)),
        ("Service level", service_level_figure(result)),
    ]
    if _realtime_channels(result):
        out.append(("Waiting time and abandonment", wait_abandon_figure(result)))
    if _deferred_channels(result):
        out.append(("Deferred backlog", backlog_figure(result)))
    out.append(("Occupancy", occupancy_figure(result)))
    return out


# ---------------------------------------------------------------------- KPIs, comparison
def _summary_of(x: Any) -> pd.DataFrame:
    summary = getattr(x, "summary", x)
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(
            f"expected a SimulationResult or its summary DataFrame, not {type(x).__name__}"
        )
    return summary


def kpi_cards(result: SimulationResult) -> pd.DataFrame:
    """One row per channel with the headline measures over the horizon, for KPI cards.

    Parameters
    ----------
    result : SimulationResult or pandas.DataFrame
        A result or its ``summary``.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``service_level`` (fraction), ``target`` (fraction),
        ``met`` (bool), ``asa`` (s), ``abandonment`` (fraction), then ``kind``,
        ``answer_within`` (s) and ``service_level_ci`` (95% half-width; NaN with one
        replication).
    """
    s = _summary_of(result)
    return pd.DataFrame(
        {
            "channel": s["channel"].astype(str).to_numpy(),
            "service_level": s["service_level"].to_numpy(dtype=float),
            "target": s["target_service_level"].to_numpy(dtype=float),
            "met": s["met"].astype(bool).to_numpy(),
            "asa": s["asa"].to_numpy(dtype=float),
            "abandonment": s["abandonment"].to_numpy(dtype=float),
            "kind": s["kind"].astype(str).to_numpy(),
            "answer_within": s["answer_within"].to_numpy(dtype=float),
            "service_level_ci": (
                s["service_level_ci"].to_numpy(dtype=float)
                if "service_level_ci" in s
                else np.full(len(s), np.nan)
            ),
        }
    )


_COMPARED = ("service_level", "asa", "abandonment", "offered")


def _check_labels(labels: Sequence[str]) -> tuple[str, str]:
    if len(labels) != 2 or str(labels[0]) == str(labels[1]):
        raise ValueError(f"labels must be two distinct names (got {tuple(labels)!r})")
    return str(labels[0]), str(labels[1])


def compare_summaries(a: Any, b: Any, labels: Sequence[str] = ("A", "B")) -> pd.DataFrame:
    """Channel by channel comparison of two runs.

    Parameters
    ----------
    a, b : SimulationResult or pandas.DataFrame
        Two results (or their ``summary`` frames).
    labels : (str, str), default ("A", "B")
        Names of ``a`` and ``b``, used as column suffixes.

    Returns
    -------
    pandas.DataFrame
        One row per channel (``a``'s order, then channels only ``b`` has), columns
        ``channel``, then for each label ``L``: ``service_level_L``, ``target_L``,
        ``met_L``, ``asa_L`` (s), ``abandonment_L``, ``offered_L`` (contacts), then
        ``delta_service_level``, ``delta_asa``, ``delta_abandonment``,
        ``delta_offered`` (``b`` minus ``a``; NaN where a channel is in one run only).
    """
    la, lb = _check_labels(labels)
    frames = []
    for s, lab in ((_summary_of(a), la), (_summary_of(b), lb)):
        f = pd.DataFrame({"channel": s["channel"].astype(str).to_numpy()})
        f[f"service_level_{lab}"] = s["service_level"].to_numpy(dtype=float)
        f[f"target_{lab}"] = s["target_service_level"].to_numpy(dtype=float)
        f[f"met_{lab}"] = s["met"].to_numpy(dtype=object)
        for m in ("asa", "abandonment", "offered"):
            f[f"{m}_{lab}"] = s[m].to_numpy(dtype=float)
        frames.append(f)
    out = frames[0].merge(frames[1], on="channel", how="outer", sort=False)
    order = list(dict.fromkeys([*frames[0]["channel"], *frames[1]["channel"]]))
    out = out.set_index("channel").reindex(order).reset_index()
    cols = ["channel"]
    for lab in (la, lb):
        cols += [
            f"service_level_{lab}",
            f"target_{lab}",
            f"met_{lab}",
            f"asa_{lab}",
            f"abandonment_{lab}",
            f"offered_{lab}",
        ]
    out = out[cols]
    for m in _COMPARED:
        out[f"delta_{m}"] = out[f"{m}_{lb}"].astype(float) - out[f"{m}_{la}"].astype(float)
    return out


def comparison_figure(a: Any, b: Any, labels: Sequence[str] = ("A", "B")) -> go.Figure:
    """Grouped bars of both runs' service level per channel, with target marks.

    Parameters
    ----------
    a, b : SimulationResult or pandas.DataFrame
        Two results (or their ``summary`` frames).
    labels : (str, str), default ("A", "B")

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces named by ``labels`` (x = channel, y = service level over the
        horizon, 95% error bars when there were several replications), and the
        targets as short black marks over the bars: one trace ``"target"`` when both
        runs share the targets, else ``"target <label>"`` per run.
    """
    la, lb = _check_labels(labels)
    cmp = compare_summaries(a, b, (la, lb))
    channels = cmp["channel"].tolist()
    x = np.arange(len(channels), dtype=float)
    fig = go.Figure()
    sums = {la: _summary_of(a).set_index("channel"), lb: _summary_of(b).set_index("channel")}
    half = 0.4  # bargap 0.2: the two bars of a channel span [i - 0.4, i + 0.4]
    for k, lab in enumerate((la, lb)):
        y = cmp[f"service_level_{lab}"].to_numpy(dtype=float)
        s = sums[lab]
        err = None
        if "service_level_ci" in s.columns:
            ci = s["service_level_ci"].reindex(channels).to_numpy(dtype=float)
            err = {"type": "data", "array": ci, "visible": True, "color": "#333"}
        fig.add_trace(
            go.Bar(
                x=x,
                y=y,
                name=lab,
                marker_color=SCENARIO_PALETTE[k],
                offsetgroup=str(k),
                error_y=err,
                text=[f"{100 * v:.1f}%" if np.isfinite(v) else "" for v in y],
                textposition="inside",
                insidetextanchor="middle",
                customdata=channels,
                hovertemplate=f"{html.escape(lab)} %{{customdata}}: %{{y:.1%}}<extra></extra>",
            )
        )
    ta = cmp[f"target_{la}"].to_numpy(dtype=float)
    tb = cmp[f"target_{lb}"].to_numpy(dtype=float)
    same = bool(np.all((ta == tb) | np.isnan(ta) | np.isnan(tb)))
    if same:
        t = np.where(np.isnan(ta), tb, ta)
        fig.add_trace(_segments(x - half, x + half, t, "target"))
    else:
        fig.add_trace(_segments(x - half, x, ta, f"target {la}"))
        fig.add_trace(_segments(x, x + half, tb, f"target {lb}"))
    _base_layout(
        fig, f"Service level: {la} vs {lb}", 420, barmode="group", bargap=0.2, bargroupgap=0.0
    )
    fig.update_xaxes(
        tickmode="array", tickvals=x.tolist(), ticktext=channels, range=[-0.6, len(channels) - 0.4]
    )
    fig.update_yaxes(title_text="service level", tickformat=".0%", range=[0, 1.08])
    return fig


def _segments(x0: np.ndarray, x1: np.ndarray, y: np.ndarray, name: str) -> go.Scatter:
    """Horizontal segments (x0[i], y[i]) - (x1[i], y[i]) as one trace (None-separated)."""
    n = len(y)
    xs = np.empty(3 * n, dtype=object)
    ys = np.empty(3 * n, dtype=object)
    xs[0::3], xs[1::3], xs[2::3] = x0, x1, None
    ys[0::3], ys[1::3], ys[2::3] = y, y, None
    return go.Scatter(
        x=xs.tolist(),
        y=[None if v is not None and not np.isfinite(v) else v for v in ys],
        name=name,
        mode="lines",
        line={"color": "black", "width": 3, "dash": "solid"},
        hovertemplate=f"{html.escape(name)}: %{{y:.0%}}<extra></extra>",
    )


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


def _schedule_note(schedule: Any) -> str:
    parts = []
    cost = getattr(schedule, "cost", None)
    if isinstance(cost, int | float) and not isinstance(cost, bool) and math.isfinite(cost):
        parts.append(f"cost {cost:,.1f}")
    status = getattr(schedule, "status", None)
    if status:
        parts.append(str(status))
    gap = getattr(schedule, "gap", None)
    if (
        getattr(schedule, "optimal", None) is False
        and isinstance(gap, int | float)
        and math.isfinite(gap)
    ):
        parts.append(f"gap {100 * gap:.2f}%")
    return " · ".join(parts)


def coverage_figure(schedule: Any) -> go.Figure:
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


def gantt_figure(schedule: Any) -> go.Figure:
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


# ---------------------------------------------------------------------- sweeps
def _short_param(path: str) -> str:
    parts = str(path).split(".")
    if len(parts) > 2 and parts[0] in ("channels", "agents", "shifts"):
        parts = parts[1:]
    return ".".join(parts)


def _scalar(v: Any) -> Any:
    if isinstance(v, list | tuple | np.ndarray):
        return str(list(v))
    return v


def sweep_figure(
    summary: pd.DataFrame,
    params: str | Sequence[str],
    measure: str = "service_level",
    targets: Mapping[str, float] | None = None,
) -> go.Figure:
    """A measure of each channel against the varied parameter(s) of a sweep.

    Parameters
    ----------
    summary : pandas.DataFrame
        The sweep summary (:func:`wfm.sweep.sweep`): columns ``channel``, one column
        per parameter, ``<measure>`` (mean over replications) and optionally
        ``<measure>_lo``/``<measure>_hi`` (95% interval), ``n`` and
        ``target_service_level``.
    params : str or sequence of str
        The varied parameters' columns (dotted paths); the first is the x axis, every
        combination of the others gets its own colour. Empty: ``point`` on x.
    measure : {"service_level", "asa", "abandonment", "backlog"}, default "service_level"
    targets : mapping of str to float, optional
        ``{channel: target service level}``; otherwise taken from a
        ``target_service_level`` column when present.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per channel. With one parameter a trace per channel named after it;
        with more, a trace per combination of the others named ``"p=v, ..."``. Error
        bars span the 95% interval. For the service level, a dashed ``"<channel>
        target"`` per panel when the target is known.

    Raises
    ------
    ValueError
        If a parameter or the measure is not a column of ``summary``.
    """
    params = [params] if isinstance(params, str) else list(params)
    xcol = params[0] if params else "point"
    missing = [c for c in [xcol, *params[1:], "channel", measure] if c not in summary.columns]
    if missing:
        raise ValueError(f"sweep summary: missing column(s) {', '.join(missing)}")
    others = params[1:]
    data = summary.copy()
    for p in [xcol, *others]:
        if data[p].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            data[p] = data[p].map(_scalar)
    channels = [str(c) for c in dict.fromkeys(data["channel"])]
    ccol = channel_colors(channels)
    is_sl = measure == "service_level"
    ncols = 1 if len(channels) == 1 else 2
    nrows = max(1, math.ceil(len(channels) / ncols))
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=channels,
        shared_xaxes=True,
        horizontal_spacing=0.08,
        vertical_spacing=min(0.15, 0.35 / nrows),
    )
    if others:
        keys = list(
            data.groupby(others if len(others) > 1 else others[0], sort=True, dropna=False).groups
        )
        keys = [k if isinstance(k, tuple) else (k,) for k in keys]
    else:
        keys = [()]
    combo_color = {k: CHANNEL_PALETTE[i % len(CHANNEL_PALETTE)] for i, k in enumerate(keys)}
    lo_col, hi_col = f"{measure}_lo", f"{measure}_hi"
    has_ci = lo_col in data.columns and hi_col in data.columns
    fmt = ".1%" if measure in ("service_level", "abandonment") else ".1f"
    xname = _short_param(xcol)
    for k, ch in enumerate(channels):
        r, c = k // ncols + 1, k % ncols + 1
        sub = data[data["channel"].astype(str) == ch]
        for key in keys:
            part = sub
            for p, v in zip(others, key, strict=True):
                part = part[part[p].isna()] if _isnan(v) else part[part[p] == v]
            if part.empty:
                continue
            part = part.sort_values(xcol, kind="stable")
            y = part[measure].to_numpy(dtype=float)
            err = None
            if has_ci:
                err = {
                    "type": "data",
                    "symmetric": False,
                    "visible": True,
                    "array": np.clip(part[hi_col].to_numpy(dtype=float) - y, 0, None),
                    "arrayminus": np.clip(y - part[lo_col].to_numpy(dtype=float), 0, None),
                }
            if others:
                name = ", ".join(f"{_short_param(p)}={v}" for p, v in zip(others, key, strict=True))
                color, show = combo_color[key], k == 0
            else:
                name, color, show = ch, ccol[ch], True
            ncol = part["n"].to_numpy() if "n" in part.columns else np.full(len(part), np.nan)
            fig.add_trace(
                go.Scatter(
                    x=part[xcol].tolist(),
                    y=y,
                    name=name,
                    mode="lines+markers",
                    error_y=err,
                    line={"color": color, "width": 2},
                    marker={"size": 7},
                    legendgroup=name,
                    showlegend=show,
                    customdata=ncol,
                    hovertemplate=f"{html.escape(ch)} {html.escape(xname)}=%{{x}}: %{{y:{fmt}}}"
                    " (n=%{customdata})<extra>" + html.escape(name) + "</extra>",
                ),
                row=r,
                col=c,
            )
        if is_sl:
            xs = sorted(sub[xcol].dropna().unique().tolist(), key=_sort_key)
            tgt = None
            if targets is not None and ch in targets:
                tgt = np.full(len(xs), float(targets[ch]))
            elif "target_service_level" in sub.columns and len(xs):
                tgt = (
                    sub.groupby(xcol)["target_service_level"]
                    .mean()
                    .reindex(xs)
                    .to_numpy(dtype=float)
                )
            if tgt is not None and len(xs):
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=tgt,
                        name=f"{ch} target",
                        mode="lines",
                        showlegend=False,
                        line={
                            "color": ccol[ch] if not others else "black",
                            "width": 1.5,
                            "dash": TARGET_DASH,
                        },
                        hovertemplate="target %{y:.0%}<extra></extra>",
                    ),
                    row=r,
                    col=c,
                )
    label = {
        "service_level": "service level",
        "asa": "ASA (s)",
        "abandonment": "abandonment",
        "backlog": "backlog (contacts)",
    }.get(measure, measure)
    title = f"{label.capitalize()} against {xname}"
    if others:
        title += " by " + ", ".join(_short_param(p) for p in others)
    _base_layout(fig, title, 90 + 300 * nrows)
    fig.update_xaxes(title_text=xname, row=nrows)
    if is_sl or measure == "abandonment":
        fig.update_yaxes(tickformat=".0%")
    if is_sl:
        fig.update_yaxes(range=[0, 1.05])
    fig.update_yaxes(title_text=label, col=1)
    return fig


def _isnan(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return (0, float(v))
    return (1, str(v))


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 24px 32px; color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.sub { color: #555; margin-top: 0; }
table.wfm { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
table.wfm th, table.wfm td { padding: 4px 10px; border-bottom: 1px solid #e5e5e5;
                             text-align: right; }
table.wfm td { white-space: nowrap; }
table.wfm th { background: #f6f6f6; }
div.scroll { overflow-x: auto; }
table.wfm td:first-child, table.wfm th:first-child { text-align: left; }
table.wfm tr.missed td { background: #fdecea; }
table.wfm td.met { color: #1a7f37; font-weight: 600; }
table.wfm td.missed { color: #c62828; font-weight: 600; }
.note { color: #666; font-size: 0.9em; }
"""

Section = tuple[str, Any]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return "-"
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:,.4g}" if abs(v) < 1 else f"{v:,.2f}"
    if isinstance(v, int | np.integer):
        return f"{v:,d}"
    return str(v)


def _table_html(frame: pd.DataFrame, max_rows: int = 2000) -> str:
    """An HTML table of a DataFrame; a ``met`` column (bool or "met"/"missed") is coloured."""
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    shown = frame.head(max_rows)
    met_col = next((c for c in frame.columns if str(c) == "met"), None)
    for row in shown.itertuples(index=False, name=None):
        cls = ""
        cells = []
        for name, v in zip(cols, row, strict=True):
            if name == "met" and met_col is not None and v is not None and not _isnan(v):
                ok = v is True or v == "met" or (isinstance(v, np.bool_) and bool(v))
                cls = "" if ok else ' class="missed"'
                cells.append(
                    f'<td class="{"met" if ok else "missed"}">{"met" if ok else "missed"}</td>'
                )
            else:
                cells.append(f"<td>{html.escape(_cell(v))}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="note">{len(frame) - max_rows:,} more rows in the CSV file.</p>'
    return (
        f'<div class="scroll"><table class="wfm"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>" + more
    )


def html_report(sections: Sequence[Section], title: str, subtitle: str | None = None) -> str:
    """A self-contained HTML page of titled sections.

    Parameters
    ----------
    sections : sequence of (str, Figure | DataFrame | str)
        Each section's heading and content: a plotly figure, a table (DataFrame,
        rendered as an HTML table) or a paragraph of text.
    title : str
        The page's heading (e.g. the scenario's name).
    subtitle : str, optional
        A short line under the heading.

    Returns
    -------
    str
        A complete HTML document. plotly.js is inlined once, with the first figure;
        the page loads nothing from the network.
    """
    parts = []
    js_done = False
    fig_no = 0
    for heading, content in sections:
        parts.append(f"<section><h2>{html.escape(str(heading))}</h2>")
        if isinstance(content, go.Figure):
            parts.append(
                content.to_html(
                    full_html=False,
                    include_plotlyjs=not js_done,
                    div_id=f"wfm-fig-{fig_no}",
                    config=_PLOTLY_CONFIG,
                )
            )
            js_done = True
            fig_no += 1
        elif isinstance(content, pd.DataFrame):
            parts.append(_table_html(content))
        elif content is not None:
            parts.append(f"<p>{html.escape(str(content))}</p>")
        parts.append("</section>")
    from wfm import __version__

    sub = f'<p class="sub">{html.escape(subtitle)}</p>' if subtitle else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>{sub}</header>\n"
        + "\n".join(parts)
        + f'\n<footer><p class="note">wfm {html.escape(__version__)}</p></footer>\n'
        + "</body>\n</html>\n"
    )


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
        ``target``, ``ASA``, ``p90 wait``, ``abandonment``, ``backlog``, ``pending``,
        ``met`` (bool).
    """

    def num(x: Any) -> str:
        return (
            "-" if x is None or _isnan(x) else f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
        )

    def pct(x: Any) -> str:
        return "-" if x is None or _isnan(x) else f"{100 * x:.1f}%"

    def sec(x: Any) -> str:
        return "-" if x is None or _isnan(x) else f"{x:,.1f} s"

    s = summary
    sl = [pct(v) for v in s["service_level"]]
    if "service_level_ci" in s.columns:
        sl = [
            t if _isnan(ci) else f"{t} ± {100 * ci:.1f}"
            for t, ci in zip(sl, s["service_level_ci"], strict=True)
        ]
    return pd.DataFrame(
        {
            "channel": s["channel"].astype(str).to_numpy(),
            "kind": s["kind"].astype(str).to_numpy(),
            "offered": [num(v) for v in s["offered"]],
            "answered": [num(v) for v in s["answered"]],
            "abandoned": [num(v) for v in s["abandoned"]],
            "service level": sl,
            "target": [
                f"{100 * t:g}% in {_duration(float(w))}"
                for t, w in zip(s["target_service_level"], s["answer_within"], strict=True)
            ],
            "ASA": [sec(v) for v in s["asa"]],
            "p90 wait": [sec(v) for v in s["wait_p90"]],
            "abandonment": [pct(v) for v in s["abandonment"]],
            "backlog": [num(v) for v in s["backlog"]],
            "pending": [
                num(v) for v in (s["pending"] if "pending" in s.columns else [np.nan] * len(s))
            ],
            "met": s["met"].astype(bool).to_numpy(),
        }
    )


# ---------------------------------------------------------------------- files
def _atomic_write(path: Path, write: Callable[[Any], None]) -> Path:
    """Write ``path`` through a temporary file in its directory, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return _atomic_write(path, lambda fh: frame.to_csv(fh, index=False))


def _write_text(text: str, path: Path) -> Path:
    return _atomic_write(path, lambda fh: fh.write(text))


def _run_subtitle(result: SimulationResult) -> str:
    sc = result.scenario
    reps = result.n_replications
    met = bool(result.summary["met"].all())
    return (
        f"{sc.horizon} x {sc.interval_minutes}-min intervals from {sc.start} · "
        f"seed {result.seed} · "
        f"{reps} replication{'s' if reps != 1 else ''} · simulated in {result.elapsed:.2f} s · "
        + (
            "every target met"
            if met
            else "missed: "
            + ", ".join(
                result.summary.loc[~result.summary["met"].astype(bool), "channel"].astype(str)
            )
        )
    )


def write_run_report(result: SimulationResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Save a simulation run: CSV tables and an HTML report.

    Parameters
    ----------
    result : SimulationResult
    out_dir : str or PathLike
        Directory (created if needed).

    Returns
    -------
    list of Path
        ``intervals.csv`` (``result.intervals``), ``summary.csv`` (``result.summary``),
        ``groups.csv`` (``result.groups``) and ``report.html`` (summary table and
        :func:`run_figures`), each written atomically.
    """
    out = Path(out_dir)
    paths = [
        _write_csv(result.intervals, out / "intervals.csv"),
        _write_csv(result.summary, out / "summary.csv"),
        _write_csv(result.groups, out / "groups.csv"),
    ]
    sections: list[Section] = [("Summary by channel", summary_display(result.summary))]
    sections += run_figures(result)
    page = html_report(sections, result.scenario.name, subtitle=_run_subtitle(result))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def write_plan_report(plan_result: Any, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Save a plan: the shifts, the coverage, the iterations and an HTML report.

    Parameters
    ----------
    plan_result : wfm.planning.PlanResult
        Or any object with ``schedule`` (``shifts`` and ``coverage`` DataFrames),
        ``iterations`` (DataFrame), ``simulation`` (SimulationResult of the final
        schedule, or None), ``scenario`` and optionally ``converged`` and ``reason``.
    out_dir : str or PathLike
        Directory (created if needed).

    Returns
    -------
    list of Path
        ``shifts.csv``, ``coverage.csv``, ``iterations.csv`` and ``report.html``
        (iterations, the final simulation's summary, coverage, shifts and the run
        figures of the final simulation), each written atomically.
    """
    out = Path(out_dir)
    schedule = plan_result.schedule
    iterations = getattr(plan_result, "iterations", None)
    if not isinstance(iterations, pd.DataFrame):
        iterations = pd.DataFrame()
    paths = [
        _write_csv(_frame_attr(schedule, "shifts", ()), out / "shifts.csv"),
        _write_csv(_frame_attr(schedule, "coverage", ()), out / "coverage.csv"),
        _write_csv(iterations, out / "iterations.csv"),
    ]
    sim = getattr(plan_result, "simulation", None)
    scenario = getattr(plan_result, "scenario", None) or getattr(sim, "scenario", None)
    name = getattr(scenario, "name", "plan")
    bits = []
    converged = getattr(plan_result, "converged", None)
    if converged is not None:
        bits.append("converged" if converged else "not converged")
    reason = getattr(plan_result, "reason", None)
    if reason:
        bits.append(str(reason))
    bits.append(f"{len(iterations)} iteration{'s' if len(iterations) != 1 else ''}")
    note = _schedule_note(schedule)
    if note:
        bits.append(note)
    sections: list[Section] = []
    if sim is not None:
        sections.append(
            ("Summary by channel (final schedule, simulated)", summary_display(sim.summary))
        )
    if not iterations.empty:
        sections.append(("Iterations", iterations))
    sections.append(("Coverage", coverage_figure(schedule)))
    sections.append(("Shifts", gantt_figure(schedule)))
    if sim is not None:
        sections += run_figures(sim)
    page = html_report(sections, f"Plan: {name}", subtitle=" · ".join(bits))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def write_sweep_report(
    summary: pd.DataFrame,
    params: str | Sequence[str],
    path: str | os.PathLike[str],
    targets: Mapping[str, float] | None = None,
) -> Path:
    """Save a sweep's results as one HTML page.

    Parameters
    ----------
    summary : pandas.DataFrame
        The sweep summary (see :func:`sweep_figure`).
    params : str or sequence of str
        The varied parameters' columns.
    path : str or PathLike
        The HTML file, or a directory (existing, or given without a suffix) to write
        ``sweep.html`` into.
    targets : mapping of str to float, optional
        ``{channel: target service level}`` for the target lines (see :func:`sweep_figure`).

    Returns
    -------
    Path
        The file written (atomically): the service level figure, the ASA,
        abandonment and backlog figures when those columns are present, and the
        summary table.
    """
    p = Path(path)
    if p.is_dir() or not p.suffix:
        p = p / "sweep.html"
    params = [params] if isinstance(params, str) else list(params)
    sections: list[Section] = [("Service level", sweep_figure(summary, params, targets=targets))]
    for measure, heading in (
        ("asa", "ASA"),
        ("abandonment", "Abandonment"),
        ("backlog", "Backlog"),
    ):
        if measure in summary.columns:
            sections.append((heading, sweep_figure(summary, params, measure=measure)))
    sections.append(("Summary", summary))
    n_points = summary["point"].nunique() if "point" in summary.columns else len(summary)
    subtitle = f"{n_points} point{'s' if n_points != 1 else ''} varying " + (
        ", ".join(params) if params else "nothing"
    )
    return _write_text(html_report(sections, "Sweep", subtitle=subtitle), p)

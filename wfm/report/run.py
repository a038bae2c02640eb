"""Figures of one simulation run: volume and staff, service level, waits and abandonment,
deferred backlog, occupancy, requirement against staff, and KPI cards.

Conventions: the x axis of time series is the interval's clock label (``"08:30"``,
``"d2 08:30"``) from ``result.intervals["start"]``; rates are plotted as fractions on a
percent-formatted axis; times in seconds; volumes in contacts per interval; intervals
where a measure is undefined (NaN, e.g. no contact offered) are gaps.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report._data import (
    _channels,
    _deferred_channels,
    _groups,
    _kinds,
    _labels,
    _realtime_channels,
    _summary_of,
    _wide,
)
from wfm.report.format import duration
from wfm.report.style import (
    _PANEL_HEIGHT,
    TARGET_DASH,
    _base_layout,
    _empty_figure,
    _note,
    _target_line,
    _time_axes,
    channel_colors,
    group_colors,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import SimulationResult

__all__ = [
    "backlog_figure",
    "kpi_cards",
    "occupancy_figure",
    "requirement_figure",
    "run_figures",
    "service_level_figure",
    "volume_staff_figure",
    "wait_abandon_figure",
]


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
        f"{duration(float(first.at[c, 'answer_within']))}"
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

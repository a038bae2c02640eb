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
from wfm.report.format import agent_hours, count, duration, number, pct, span
from wfm.report.style import (
    _PANEL_HEIGHT,
    BAR_POINTS,
    MARKER_POINTS,
    SHORTFALL_COLOR,
    TARGET_DASH,
    _base_layout,
    _empty_figure,
    _note,
    _scatter,
    _target_line,
    _time_axes,
    channel_colors,
    group_colors,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario import Scenario
    from wfm.sim.engine import SimulationResult

__all__ = [
    "SWITCH_MEASURES",
    "backlog_figure",
    "kpi_cards",
    "occupancy_figure",
    "requirement_figure",
    "run_figures",
    "scenario_figure",
    "scenario_switch_display",
    "service_level_figure",
    "switch_features",
    "switch_measures",
    "switch_measures_display",
    "volume_staff_figure",
    "wait_abandon_figure",
]


# ---------------------------------------------------------------------- run figures
def _volume_staff(labels: list[str], offered: dict[str, np.ndarray], staff: dict[str, np.ndarray],
                  channels: list[str], groups: list[str], title: str) -> go.Figure:
    h = len(labels)
    ccol, gcol = channel_colors(channels), group_colors(groups)
    bars = h <= BAR_POINTS
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for c in channels:
        tip = f"{html.escape(c)}: %{{y:.0f}} offered<extra></extra>"
        trace = (go.Bar(x=labels, y=offered[c], name=c, marker_color=ccol[c], legendgroup=c,
                        hovertemplate=tip) if bars else
                 _scatter(h, x=labels, y=offered[c], name=c, mode="lines", legendgroup=c,
                          line={"color": ccol[c], "width": 1.5}, hovertemplate=tip))
        fig.add_trace(trace, secondary_y=False)
    for g in groups:
        fig.add_trace(
            _scatter(
                h,
                x=labels,
                y=staff[g],
                name=f"{g} staff",
                mode="lines",
                line={"color": gcol[g], "width": 2.5, "shape": "hvh", "dash": "dot"},
                legendgroup=f"staff {g}",
                hovertemplate=f"{html.escape(g)}: %{{y:.0f}} agents<extra></extra>",
            ),
            secondary_y=True,
        )
    _base_layout(fig, title, 440, barmode="group", bargap=0.15, hovermode="x unified")
    _time_axes(fig, labels)
    fig.update_yaxes(
        title_text="contacts offered per interval", rangemode="tozero", secondary_y=False
    )
    fig.update_yaxes(
        title_text="agents on duty",
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        secondary_y=True,
    )
    return fig


def volume_staff_figure(result: SimulationResult) -> go.Figure:
    """Offered volume per interval per channel, with the scheduled staff per group.

    Parameters
    ----------
    result : SimulationResult
        From :func:`wfm.simulate`.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per channel named after the channel (contacts offered per interval,
        after deflection; means per replication; bars, or lines beyond
        ``BAR_POINTS`` intervals) on the left axis and one dotted step line per agent
        group named ``"<group> staff"`` (agents on duty) on the right axis. Every trace
        has one point per interval.
    """
    labels = _labels(result)
    h = len(labels)
    channels = _channels(result)
    groups = _groups(result)
    offered = _wide(result.intervals, "channel", "offered", channels, h)
    staff = _wide(result.groups, "group", "staff", groups, h)
    return _volume_staff(labels, offered, staff, channels, groups,
                         "Offered volume and agents on duty")


def scenario_figure(scenario: Scenario) -> go.Figure:
    """A scenario's forecast volume per channel and staff per group, before any run.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    plotly.graph_objects.Figure
        As :func:`volume_staff_figure`, from the scenario itself: volume after
        deflection (contacts per interval) and the staff curves.

    Examples
    --------
    >>> import wfm
    >>> fig = scenario_figure(wfm.load_scenario("scenarios/baseline.yaml"))
    >>> [t.name for t in fig.data]
    ['phone', 'messaging', 'social', 'email', 'voice staff', 'blended staff', 'digital staff']
    """
    labels = scenario.interval_labels()
    offered = {c: np.asarray(ch.volume, float) * (1 - float(ch.deflection))
               for c, ch in scenario.channels.items()}
    staff = {g: v.astype(float) for g, v in scenario.staff().items()}
    return _volume_staff(labels, offered, staff, list(scenario.channel_names),
                         list(scenario.group_names),
                         "Forecast volume and agents on duty (the scenario, before a run)")


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
            _scatter(
                h,
                x=labels,
                y=sl[c],
                name=c,
                mode="lines+markers" if h <= MARKER_POINTS else "lines",
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
            _scatter(
                h,
                x=labels,
                y=asa[c],
                name=f"{c} ASA",
                mode="lines+markers" if h <= MARKER_POINTS else "lines",
                legendgroup=c,
                line={"color": col, "width": 2},
                marker={"size": 5},
                hovertemplate=f"{esc} ASA: %{{y:.1f}} s<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            _scatter(
                h,
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
            _scatter(
                h,
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
            _scatter(
                h,
                x=labels,
                y=ab[c],
                name=f"{c} abandonment",
                mode="lines+markers" if h <= MARKER_POINTS else "lines",
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


def backlog_figure(result: SimulationResult, work: pd.DataFrame | None = None) -> go.Figure:
    """Deferred backlog (contacts waiting at each interval's end) per deferred channel,
    with the work left at close.

    Parameters
    ----------
    result : SimulationResult
    work : pandas.DataFrame, optional
        :func:`wfm.diagnosis.work_left` of the result: adds the agent-hours of the work
        left at close and how much of it cannot be answered in time.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per deferred channel, named after it (contacts waiting at the end of
        the interval; means per replication), and a note per channel of the work left at
        the horizon's end: contacts, how many are *pending* (unanswered, their
        ``answer_within`` not yet run out) and, with ``work``, the agent-hours and how
        many cannot be answered in time. Without deferred channels, an empty figure
        saying so.
    """
    channels = _deferred_channels(result)
    title = "Deferred backlog at each interval's end"
    if not channels:
        return _empty_figure(title, "no deferred channel in this scenario")
    labels = _labels(result)
    h = len(labels)
    ccol = channel_colors(_channels(result))
    backlog = _wide(result.intervals, "channel", "backlog", channels, h)
    if work is None:  # contacts only, from the intervals
        sub = result.intervals[result.intervals["channel"].isin(channels)]
        left = pd.DataFrame({
            "backlog": [float(backlog[c][-1]) if h else 0.0 for c in channels],
            "backlog_hours": np.nan,
            "pending": [float(sub.loc[sub["channel"] == c, "pending"].sum()) for c in channels],
            "in_time": True,
        }, index=pd.Index(channels, name="channel"))
    else:
        left = work.set_index("channel")
    fig = go.Figure()
    for c in channels:
        fig.add_trace(
            _scatter(
                h,
                x=labels,
                y=backlog[c],
                name=c,
                mode="lines+markers" if h <= MARKER_POINTS else "lines",
                line={"color": ccol[c], "width": 2, "shape": "linear"},
                marker={"size": 5},
                fill="tozeroy",
                opacity=0.9,
                hovertemplate=f"{html.escape(c)}: %{{y:.1f}} waiting<extra></extra>",
            )
        )
    bits = []
    for c in channels:
        if c not in left.index:
            continue
        r = left.loc[c]
        text = f"{html.escape(c)} {count(r['backlog'])}"
        if np.isfinite(float(r["backlog_hours"])):
            text += f" ({agent_hours(3600 * float(r['backlog_hours']))} of work)"
        text += f", {count(r['pending'])} pending"
        if not bool(r["in_time"]):
            text += f", <b>{count(r['not_in_time'])} cannot be answered in time</b>"
        bits.append(text)
    _note(fig, "left at close:<br>" + "<br>".join(bits), x=0.0, y=-0.12, xanchor="left",
          yanchor="top", align="left")
    _base_layout(fig, title, 420 + 20 * len(bits), hovermode="x unified")
    fig.update_layout(margin={"b": 70 + 20 * len(bits)})
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
            _scatter(
                h,
                x=labels,
                y=occ[g],
                name=g,
                mode="lines+markers" if h <= MARKER_POINTS else "lines",
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
    """Agents on duty against the analytic (Erlang) requirement, one panel per group,
    with the shortfall in red.

    Parameters
    ----------
    result : SimulationResult
        The simulation of the staff (``result.groups["staff"]``).
    requirements : pandas.DataFrame
        Long format as returned by :func:`wfm.staffing.requirements`: columns
        ``level`` ("channel" | "group"), ``name``, ``interval``, ``required`` (agents)
        and optionally ``start``. Rows with ``level == "group"`` are drawn; without
        any, the channel rows are (against the staff of every group serving nothing
        else is then unknown, so only the requirement is drawn).

    Returns
    -------
    plotly.graph_objects.Figure
        Per group (or channel), its own panel titled ``"<name>: short by ... agents at
        ..."`` or ``"<name>: covered"``: bars ``"<name> scheduled"`` (agents on duty,
        the group's colour), red bars ``"<name> short"`` stacked on them up to the
        requirement where it is not covered, and a dashed black step line ``"<name>
        required"``. No legend: the title says what bars and lines are. One point per
        interval in every trace.

    Raises
    ------
    ValueError
        If ``requirements`` lacks one of the columns above.
    """
    from wfm.report.format import interval_ranges

    missing = [c for c in _REQ_COLUMNS if c not in requirements.columns]
    if missing:
        raise ValueError(f"requirements: missing column(s) {', '.join(missing)}")
    labels = _labels(result)
    h = len(labels)
    groups = _groups(result)
    req = requirements[requirements["level"] == "group"]
    level = "group"
    if req.empty:
        req = requirements[requirements["level"] == "channel"]
        level = "channel"
    req_names = [str(n) for n in dict.fromkeys(req["name"])]
    req = req[(req["interval"] >= 0) & (req["interval"] < h)]
    required = _wide(req.assign(name=req["name"].astype(str)), "name", "required", req_names, h)
    staff = _wide(result.groups, "group", "staff", groups, h)
    names = groups if level == "group" else req_names
    gcol = group_colors(groups) if level == "group" else channel_colors(req_names)
    sc = getattr(result, "scenario", None)
    minutes = int(getattr(sc, "interval_minutes", 30))
    titles = []
    for n in names:
        have = staff.get(n, np.full(h, np.nan))
        need = required.get(n, np.full(h, np.nan))
        gap = np.where(np.isfinite(need) & np.isfinite(have), need - have, 0)
        where = np.flatnonzero(gap > 0)
        if level != "group":
            titles.append(f"{n}: Erlang requirement")
        elif where.size and (where.size == 1 or
                             interval_ranges(where, labels, minutes).count(",") == 0):
            titles.append(f"{n}: short by up to {gap.max():.0f} agents at "
                          f"{interval_ranges(where, labels, minutes)}")
        elif where.size:
            titles.append(f"{n}: short by up to {gap.max():.0f} agents in {where.size}"
                          f" intervals, from {labels[int(where[0])]}")
        else:
            titles.append(f"{n}: covered")
    fig = make_subplots(rows=max(len(names), 1), cols=1, shared_xaxes=True,
                        vertical_spacing=min(0.12, 0.3 / max(len(names), 1)),
                        subplot_titles=titles)
    for k, n in enumerate(names, start=1):
        esc = html.escape(n)
        need = required.get(n, np.full(h, np.nan))
        if n in staff:
            have = staff[n]
            fig.add_trace(go.Bar(x=labels, y=have, name=f"{n} scheduled", marker_color=gcol[n],
                                 opacity=0.75, showlegend=False,
                                 hovertemplate=f"{esc} on duty: %{{y:.0f}}<extra></extra>"),
                          row=k, col=1)
            gap = np.where(np.isfinite(need) & (need > have), need - have, np.nan)
            fig.add_trace(go.Bar(x=labels, y=gap, base=have, name=f"{n} short",
                                 marker_color=SHORTFALL_COLOR, showlegend=False,
                                 hovertemplate=f"{esc} short by %{{y:.0f}}<extra></extra>"),
                          row=k, col=1)
        fig.add_trace(go.Scatter(x=labels, y=need, name=f"{n} required", mode="lines",
                                 showlegend=False,
                                 line={"color": "black", "width": 2, "dash": TARGET_DASH,
                                       "shape": "hvh"},
                                 hovertemplate=f"{esc} required: %{{y:.0f}}<extra></extra>"),
                      row=k, col=1)
    _base_layout(
        fig,
        "On duty (bars) vs Erlang requirement (dashed)",
        90 + _PANEL_HEIGHT * max(len(names), 1),
        barmode="overlay",
        bargap=0.1,
        hovermode="x unified",
        showlegend=False,
    )
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="agents", rangemode="tozero")
    return fig


def run_figures(
    result: SimulationResult,
    requirements: pd.DataFrame | None = None,
    work: pd.DataFrame | None = None,
) -> list[tuple[str, go.Figure]]:
    """The figures of one simulation run, in reading order.

    Parameters
    ----------
    result : SimulationResult
    requirements : pandas.DataFrame, optional
        :func:`wfm.staffing.requirements` of the scenario: adds the requirement figure.
    work : pandas.DataFrame, optional
        :func:`wfm.diagnosis.work_left` of the result, for the backlog figure.

    Returns
    -------
    list of (str, Figure)
        Volume and staff, service level, waiting and abandonment (when there is a
        voice or chat channel), deferred backlog (when there is a deferred channel),
        occupancy, and the requirement when given.
    """
    out = [
        ("Volume and staff", volume_staff_figure(result)),
        ("Service level", service_level_figure(result)),
    ]
    if _realtime_channels(result):
        out.append(("Waiting time and abandonment", wait_abandon_figure(result)))
    if _deferred_channels(result):
        out.append(("Deferred backlog", backlog_figure(result, work)))
    out.append(("Occupancy", occupancy_figure(result)))
    if requirements is not None:
        out.append(("Requirement", requirement_figure(result, requirements)))
    return out


def kpi_cards(result: SimulationResult, verdicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per channel with the headline measures over the horizon, for KPI cards.

    Parameters
    ----------
    result : SimulationResult or pandas.DataFrame
        A result, or its ``summary`` (then the verdict is the summary's ``met`` and the
        work left is in contacts only).
    verdicts : pandas.DataFrame, optional
        :func:`wfm.diagnosis.verdicts` of the result: the verdicts with their interval,
        reason and work left; without it, the summary's ``met`` and its backlog.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``service_level`` (fraction), ``target`` (fraction),
        ``met`` (bool: the verdict is ``met``), ``asa`` (s), ``abandonment``
        (fraction), then ``kind``, ``answer_within`` (s), ``service_level_ci`` (95%
        half-width; NaN with one replication), ``low``, ``high`` (the interval),
        ``verdict`` (``"met"``, ``"missed"``, ``"too close to call"``: see
        :func:`wfm.diagnosis.verdicts`), ``reason``, ``backlog`` (contacts left at
        close), ``backlog_hours`` (agent-hours), ``not_in_time`` (contacts left that
        cannot be answered in time) and ``late_backlog`` (bool).
    """
    s = _summary_of(result)
    ci = (s["service_level_ci"].to_numpy(dtype=float) if "service_level_ci" in s
          else np.full(len(s), np.nan))
    sl = s["service_level"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "channel": s["channel"].astype(str).to_numpy(),
            "service_level": sl,
            "target": s["target_service_level"].to_numpy(dtype=float),
            "met": s["met"].astype(bool).to_numpy(),
            "asa": s["asa"].to_numpy(dtype=float),
            "abandonment": s["abandonment"].to_numpy(dtype=float),
            "kind": s["kind"].astype(str).to_numpy(),
            "answer_within": s["answer_within"].to_numpy(dtype=float),
            "service_level_ci": ci,
            "low": np.clip(sl - np.nan_to_num(ci), 0, 1),
            "high": np.clip(sl + np.nan_to_num(ci), 0, 1),
            "verdict": np.where(s["met"].astype(bool), "met", "missed"),
            "reason": "",
            "backlog": s["backlog"].to_numpy(dtype=float),
            "backlog_hours": np.full(len(s), np.nan),
            "not_in_time": np.full(len(s), np.nan),
            "late_backlog": np.zeros(len(s), dtype=bool),
        }
    )
    if verdicts is None:
        return out
    v = verdicts.set_index("channel").reindex(out["channel"])
    for col in ("low", "high", "verdict", "reason", "backlog_hours", "not_in_time",
                "late_backlog"):
        out[col] = v[col].to_numpy()
    out["late_backlog"] = out["late_backlog"].astype(bool)
    out["met"] = out["verdict"].isin(["met", "no target"]).to_numpy()
    return out


# ---------------------------------------------------------------------- the switch (issue 11)
#: The switch's measures, by the feature that makes them: (feature, columns of
#: :func:`switch_measures`, header for people). A feature is *used* by a channel when
#: :func:`switch_features` lists it.
SWITCH_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("blocked", "blocked", "blocked"),
    ("balked", "balked", "balked"),
    ("retrials", "retrials", "retrials"),
    ("retrials", "customers", "customers"),
    ("retrials", "service_level_first", "first-attempt service level"),
    ("short_abandons", "short_abandoned", "short abandons"),
    ("transfers", "transferred_in", "transferred in"),
    ("transfers", "transferred_out", "transferred out"),
    ("max_wait", "rerouted", "moved after max wait"),
    ("outbound", "dialled", "attempts dialled"),
    ("outbound", "connected", "connects"),
)


def switch_features(scenario: Scenario) -> dict[str, list[str]]:
    """Which switch features each channel uses, ``{channel: [feature, ...]}``.

    Features: ``blocked`` (``lines``, a ``trunk`` or ``queue_capacity``), ``balked``
    (``balking`` > 0), ``retrials`` (a ``retrial``), ``short_abandons`` (a target whose
    ``definition`` is not ``offered``), ``transfers`` (``transfer`` from it or to it),
    ``max_wait`` (a ``max_wait`` from it or to it), ``outbound`` (kind ``outbound``).
    Channels using none are left out.

    Examples
    --------
    >>> import wfm
    >>> switch_features(wfm.load_scenario("scenarios/blended_outbound.yaml"))
    {'service': ['transfers'], 'retention': ['transfers'], 'campaign': ['outbound']}
    >>> switch_features(wfm.load_scenario("scenarios/baseline.yaml"))
    {}
    """
    chans = scenario.channels
    transfer_to = {ch.transfer.to for ch in chans.values() if ch.transfer is not None}
    wait_to = {ch.max_wait.to for ch in chans.values() if ch.max_wait is not None}
    out: dict[str, list[str]] = {}
    for name, ch in chans.items():
        used = []
        if ch.lines is not None or ch.trunk is not None or ch.queue_capacity is not None:
            used.append("blocked")
        if ch.balking > 0:
            used.append("balked")
        if ch.retrial is not None:
            used.append("retrials")
        if ch.target is not None and ch.target.definition != "offered":
            used.append("short_abandons")
        if ch.transfer is not None or name in transfer_to:
            used.append("transfers")
        if ch.max_wait is not None or name in wait_to:
            used.append("max_wait")
        if ch.kind == "outbound":
            used.append("outbound")
        if used:
            out[name] = used
    return out


def switch_measures(result: SimulationResult) -> pd.DataFrame:
    """The switch's measures over the horizon of the channels that use a feature.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    pandas.DataFrame
        One row per channel of :func:`switch_features` (empty without any): ``channel``,
        ``kind``, ``offered``, the counts ``blocked``, ``balked``, ``retrials``,
        ``customers``, ``short_abandoned``, ``transferred_in``, ``transferred_out``,
        ``rerouted``, ``dialled`` (outbound attempts dialled), ``connected`` (means per
        replication), ``service_level_first`` (fraction, first attempts only), and the
        shares ``blocked_share`` (blocked / (offered + blocked)), ``balked_share``
        (balked / offered), ``retrial_share`` (retrials / offered), ``connect_rate``
        (connected / dialled). A measure of a feature the channel does not use is NaN.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/blended_outbound.yaml"), seed=1)
    >>> m = switch_measures(res)
    >>> m["channel"].tolist()
    ['service', 'retention', 'campaign']
    >>> bool(m.set_index("channel").loc["campaign", "connected"] > 0)
    True
    """
    features = switch_features(result.scenario)
    cols = ["channel", "kind", "offered", "blocked", "balked", "retrials", "customers",
            "short_abandoned", "transferred_in", "transferred_out", "rerouted", "dialled",
            "connected", "service_level_first", "blocked_share", "balked_share",
            "retrial_share", "connect_rate"]
    if not features:
        return pd.DataFrame(columns=cols)
    s = result.summary.set_index("channel")
    rows = []
    for name, used in features.items():
        r = s.loc[name]

        def get(col: str, feature: str, r: pd.Series = r, used: list[str] = used) -> float:
            return float(r[col]) if feature in used and col in r.index else np.nan

        offered = float(r["offered"])
        blocked = get("blocked", "blocked")
        dialled = get("answered", "outbound")
        connected = get("connected", "outbound")
        rows.append({
            "channel": name, "kind": str(r["kind"]), "offered": offered,
            "blocked": blocked, "balked": get("balked", "balked"),
            "retrials": get("retrials", "retrials"), "customers": get("customers", "retrials"),
            "short_abandoned": get("short_abandoned", "short_abandons"),
            "transferred_in": get("transferred_in", "transfers"),
            "transferred_out": get("transferred_out", "transfers"),
            "rerouted": get("rerouted", "max_wait"),
            "dialled": dialled, "connected": connected,
            "service_level_first": get("service_level_first", "retrials"),
            "blocked_share": blocked / (offered + blocked) if offered + blocked > 0 else np.nan,
            "balked_share": get("balked", "balked") / offered if offered > 0 else np.nan,
            "retrial_share": get("retrials", "retrials") / offered if offered > 0 else np.nan,
            "connect_rate": connected / dialled if dialled > 0 else np.nan,
        })
    return pd.DataFrame(rows, columns=cols)


def _count_share(value: float, share: float) -> str:
    if np.isnan(value):
        return "-"
    return number(round(value, 1)) + ("" if np.isnan(share) else f" ({pct(share)})")


def switch_measures_display(result: SimulationResult) -> pd.DataFrame:
    """:func:`switch_measures` for people: only the columns of the features some channel
    uses (:data:`SWITCH_MEASURES` headers), counts per day (means per replication) with
    their share in brackets, service levels in percent; ``-`` where a channel does not
    use the feature. Empty (no rows, no columns but ``channel``) without any.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/blended_outbound.yaml"), seed=1)
    >>> switch_measures_display(res).columns.tolist()
    ['channel', 'transferred in', 'transferred out', 'attempts dialled', 'connects']
    """
    m = switch_measures(result)
    if m.empty:
        return pd.DataFrame(columns=["channel"])
    used = {f for fs in switch_features(result.scenario).values() for f in fs}
    out: dict[str, list[str]] = {"channel": m["channel"].astype(str).tolist()}
    shares = {"blocked": "blocked_share", "balked": "balked_share", "retrials": "retrial_share",
              "connected": "connect_rate"}
    for feature, col, head in SWITCH_MEASURES:
        if feature not in used:
            continue
        if col == "service_level_first":
            out[head] = [pct(v) for v in m[col]]
        else:
            share = m[shares[col]] if col in shares else pd.Series(np.nan, index=m.index)
            out[head] = [_count_share(float(v), float(sh)) for v, sh in zip(m[col], share,
                                                                          strict=True)]
    return pd.DataFrame(out)


def scenario_switch_display(scenario: Scenario) -> pd.DataFrame:
    """The switch keys of a scenario, one row per channel, for people (the app's Scenario
    tab): ``channel``, ``kind``, ``handle time`` (mean and distribution, or per interval),
    ``patience``, ``retrial``, ``lines``, ``max wait``, ``transfer``, ``wrap-up``,
    ``balking``, ``service level counts`` and, for outbound, ``dialling``; ``-`` where a
    key is not used.

    Examples
    --------
    >>> import wfm
    >>> d = scenario_switch_display(wfm.load_scenario("scenarios/bilingual_retrials.yaml"))
    >>> d.loc[0, "retrial"]
    '60% again after 10 min (exponential), at most 4 calls'
    >>> d.loc[0, "handle time"]
    '5.5 min, lognormal cv 0.9'
    """
    rows = []
    for name, ch in scenario.channels.items():
        a = ch.aht_curve(scenario.horizon)
        mean = (f"{span(a.min())}-{span(a.max())} per interval" if isinstance(ch.aht, tuple)
                else span(float(a[0])))
        if ch.handle_time is not None:
            ht = ch.handle_time
            extra = ht.dist + (f" cv {ht.cv:g}" if ht.cv is not None else "")
        elif isinstance(ch.handle_cv, tuple):
            extra = "cv per interval"
        else:
            extra = "exponential" if ch.handle_cv == 1 else (
                "constant" if ch.handle_cv == 0 else f"lognormal cv {ch.handle_cv:g}")
        p = ch.patience
        if p is None:
            patience = "-"
        elif isinstance(p, tuple):
            patience = f"{span(min(p))}-{span(max(p))} per interval"
        elif isinstance(p, int | float):
            patience = f"{span(p)} (exponential)"
        else:
            m = p.implied_mean()
            patience = (f"{span(m)} " if m else "") + p.dist + (f" cv {p.cv:g}" if p.cv is not None else "")
        rt = ch.retrial
        retrial = "-" if rt is None else (
            f"{pct(rt.probability, 0)} again after {span(rt.delay)} ({rt.dist}), "
            f"at most {rt.max_attempts} calls")
        limits = []
        if ch.lines is not None:
            limits.append(f"{count(ch.lines)} lines")
        if ch.trunk is not None:
            limits.append(f"trunk {ch.trunk} ({count(scenario.trunks.get(ch.trunk))} lines)")
        if ch.queue_capacity is not None:
            limits.append(f"queue at most {count(ch.queue_capacity)}")
        ob = ch.outbound
        rows.append({
            "channel": name, "kind": ch.kind, "handle time": f"{mean}, {extra}",
            "patience": patience, "retrial": retrial,
            "lines": "; ".join(limits) or "-",
            "max wait": "-" if ch.max_wait is None else
            f"{span(ch.max_wait.seconds)}, then to {ch.max_wait.to}",
            "transfer": "-" if ch.transfer is None else
            f"{pct(ch.transfer.share, 0)} to {ch.transfer.to}",
            "wrap-up": span(ch.wrap_up) if ch.wrap_up else "-",
            "balking": pct(ch.balking) if ch.balking else "-",
            "service level counts": "-" if ch.target is None else
            ch.target.definition.replace("_", " ") + (
                f", on time when {ch.target.judged_on}" if ch.kind in ("deferred", "social")
                else ""),
            "dialling": "-" if ob is None else
            f"connects {pct(ob.connect_rate, 0)}, dial {span(ob.dial_time)}, keep {ob.reserve} free",
        })
    return pd.DataFrame(rows)

"""Runs side by side: two (a channel-by-channel table and grouped service-level bars) or
two and more variants (per-interval overlays, bars with their intervals, and tables of
the differences with their noise flags, from :func:`wfm.variants.compare`)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report._data import DEFERRED_KINDS, _channels, _kinds, _labels, _summary_of, _wide
from wfm.report.format import (
    agent_hours,
    duration,
    money_column,
    number,
    pct,
    signed_points,
    with_ci,
)
from wfm.report.style import (
    _PANEL_HEIGHT,
    TARGET_DASH,
    VARIANT_PALETTE,
    WEBGL_POINTS,
    _base_layout,
    _scatter,
    _time_axes,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import SimulationResult

#: A :class:`wfm.variants.Comparison` (wfm.variants comes after wfm.report in the
#: import order, so it is not imported here).
Comparison = Any

__all__ = [
    "compare_summaries",
    "comparison_display",
    "comparison_figure",
    "costs_display",
    "variants_bar_figure",
    "variants_figure",
]


_COMPARED = ("service_level", "asa", "abandonment", "offered", "backlog")


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
        ``met_L``, ``asa_L`` (s), ``abandonment_L``, ``offered_L`` (contacts),
        ``backlog_L`` (contacts left at close), then ``delta_service_level``,
        ``delta_asa``, ``delta_abandonment``, ``delta_offered``, ``delta_backlog``
        (``b`` minus ``a``; NaN where a channel is in one run only).
    """
    la, lb = _check_labels(labels)
    frames = []
    for s, lab in ((_summary_of(a), la), (_summary_of(b), lb)):
        f = pd.DataFrame({"channel": s["channel"].astype(str).to_numpy()})
        f[f"service_level_{lab}"] = s["service_level"].to_numpy(dtype=float)
        f[f"target_{lab}"] = s["target_service_level"].to_numpy(dtype=float)
        f[f"met_{lab}"] = s["met"].to_numpy(dtype=object)
        for m in ("asa", "abandonment", "offered", "backlog"):
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
            f"backlog_{lab}",
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
        As :func:`variants_bar_figure` of the two runs.
    """
    la, lb = _check_labels(labels)
    return variants_bar_figure({la: a, lb: b})


def variants_bar_figure(results: Mapping[str, Any]) -> go.Figure:
    """Grouped bars of each run's day service level per channel, with target marks.

    Parameters
    ----------
    results : mapping of str to SimulationResult (or its summary DataFrame)
        Two or more runs by name.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per run, named after it (x = channel, y = service level over the
        horizon, 95% error bars when there were several replications), and the
        targets as short black marks over the bars: one trace ``"target"`` when all
        runs share the targets, else ``"target <name>"`` per run.
    """
    names = [str(n) for n in results]
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"labels must be two or more distinct names (got {tuple(names)!r})")
    sums = {n: _summary_of(r).set_index("channel") for n, r in results.items()}
    channels = list(dict.fromkeys(c for s in sums.values() for c in s.index.astype(str)))
    x = np.arange(len(channels), dtype=float)
    k_n = len(names)
    width = 0.8 / k_n
    fig = go.Figure()
    for k, lab in enumerate(names):
        s = sums[lab].reindex(channels)
        y = s["service_level"].to_numpy(dtype=float)
        err = None
        if "service_level_ci" in s.columns:
            err = {"type": "data", "array": s["service_level_ci"].to_numpy(dtype=float),
                   "visible": True, "color": "#333"}
        fig.add_trace(
            go.Bar(
                x=x,
                y=y,
                name=lab,
                marker_color=VARIANT_PALETTE[k % len(VARIANT_PALETTE)],
                offsetgroup=str(k),
                error_y=err,
                text=[f"{100 * v:.1f}%" if np.isfinite(v) else "" for v in y],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                customdata=channels,
                hovertemplate=f"{html.escape(lab)} %{{customdata}}: %{{y:.1%}}<extra></extra>",
            )
        )
    targets = {n: sums[n].reindex(channels)["target_service_level"].to_numpy(dtype=float)
               for n in names}
    first = targets[names[0]]
    same = all(bool(np.all((t == first) | np.isnan(t) | np.isnan(first))) for t in targets.values())
    if same:
        t = first.copy()
        for other in targets.values():
            t = np.where(np.isnan(t), other, t)
        fig.add_trace(_segments(x - 0.4, x + 0.4, t, "target"))
    else:
        for k, n in enumerate(names):
            lo = x - 0.4 + k * width
            fig.add_trace(_segments(lo, lo + width, targets[n], f"target {n}"))
    _base_layout(fig, f"Service level: {' vs '.join(names)}", 420, barmode="group", bargap=0.2,
                 bargroupgap=0.0)
    fig.update_xaxes(
        tickmode="array", tickvals=x.tolist(), ticktext=channels, range=[-0.6, len(channels) - 0.4]
    )
    fig.update_yaxes(title_text="service level", tickformat=".0%", range=[0, 1.08])
    return fig


def variants_figure(results: Mapping[str, SimulationResult], measure: str = "service_level"
                    ) -> go.Figure:
    """Per-interval overlays of two or more runs: one panel per channel, one line per run.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Runs of scenarios with the same intervals, by name.
    measure : {"service_level", "backlog", "offered", "abandonment", "asa"}
        A column of ``SimulationResult.intervals``. ``"backlog"`` draws the deferred
        channels only (contacts waiting at each interval's end).

    Returns
    -------
    plotly.graph_objects.Figure
        Per channel a panel, with per run a line named after it (shown once in the
        legend) and, for the service level, the channel's target dashed
        (``"<channel> target"``).

    Raises
    ------
    ValueError
        Fewer than two runs, or runs with different numbers of intervals.
    """
    names = [str(n) for n in results]
    if len(names) < 2:
        raise ValueError(f"variants_figure needs two or more runs (got {len(names)})")
    runs = list(results.values())
    first = runs[0]
    labels = _labels(first)
    h = len(labels)
    if any(len(_labels(r)) != h for r in runs):
        raise ValueError("the runs have different numbers of intervals: overlays need the same")
    channels = list(dict.fromkeys(c for r in runs for c in _channels(r)))
    if measure == "backlog":
        kinds = {k: v for r in runs for k, v in _kinds(r).items()}
        channels = [c for c in channels if kinds.get(c) in DEFERRED_KINDS] or channels
    fig = make_subplots(rows=len(channels), cols=1, shared_xaxes=True,
                        vertical_spacing=min(0.12, 0.3 / max(len(channels), 1)),
                        subplot_titles=channels)
    rate = measure in ("service_level", "abandonment")
    fmt = ".1%" if rate else ".1f"
    for k, (name, res) in enumerate(zip(names, runs, strict=True)):
        values = _wide(res.intervals, "channel", measure, channels, h)
        color = VARIANT_PALETTE[k % len(VARIANT_PALETTE)]
        for row, c in enumerate(channels, start=1):
            fig.add_trace(
                _scatter(h, x=labels, y=values[c], name=name, legendgroup=name,
                         showlegend=row == 1, mode="lines",
                         line={"color": color, "width": 2},
                         hovertemplate=f"{html.escape(name)} {html.escape(c)}: %{{y:{fmt}}}"
                                       "<extra></extra>"),
                row=row, col=1)
    if measure == "service_level":
        iv = first.intervals.drop_duplicates("channel").set_index("channel")
        for row, c in enumerate(channels, start=1):
            if c in iv.index:
                t = float(iv.at[c, "target_service_level"])
                fig.add_trace(
                    _scatter(h, x=labels, y=np.full(h, t), name=f"{c} target", mode="lines",
                             showlegend=False,
                             line={"color": "black", "width": 1.2, "dash": TARGET_DASH},
                             hovertemplate=f"target {pct(t, 0)} in "
                                           f"{duration(float(iv.at[c, 'answer_within']))}"
                                           "<extra></extra>"),
                    row=row, col=1)
    title = {"service_level": "Service level per interval", "backlog":
             "Backlog at each interval's end", "offered": "Contacts offered per interval",
             "abandonment": "Abandonment per interval", "asa": "ASA per interval"}.get(
                 measure, measure)
    _base_layout(fig, f"{title}: {' vs '.join(names)}", 90 + _PANEL_HEIGHT * len(channels),
                 hovermode="x unified")
    _time_axes(fig, labels)
    if rate:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    else:
        fig.update_yaxes(rangemode="tozero")
    if h > WEBGL_POINTS:
        fig.update_layout(hovermode="closest")
    return fig


def comparison_display(comparison: Comparison) -> pd.DataFrame:
    """The channels of a :class:`wfm.variants.Comparison` for people.

    Returns
    -------
    pandas.DataFrame
        One row per channel x variant (strings): ``channel``, ``variant``, ``service
        level`` (± its 95% half-width), ``verdict``, ``vs <reference>`` (points, with
        the 95% half-width of the difference), ``difference`` (``real``, ``within
        noise``), ``left at close`` (contacts and agent-hours), ``left vs
        <reference>``.
    """
    ref = comparison.reference
    c = comparison.channels
    rows = []
    order = list(dict.fromkeys(c["channel"]))
    for ch in order:
        for r in c[c["channel"] == ch].itertuples(index=False):
            is_ref = r.variant == ref
            diff = "reference" if is_ref else signed_points(r.delta) + (
                f" ± {100 * r.delta_ci:.1f}" if np.isfinite(r.delta_ci) else "")
            left = f"{number(round(r.backlog, 1))} ({agent_hours(3600 * r.backlog_hours)})"
            if r.not_in_time >= 1:
                left += f", {number(round(r.not_in_time))} not in time"
            rows.append({
                "channel": ch,
                "variant": r.variant,
                "service level": with_ci(r.service_level, r.ci),
                "verdict": r.verdict,
                f"vs {ref}": diff,
                "difference": "-" if is_ref else r.noise,
                "left at close": left,
                f"left vs {ref}": "-" if is_ref else (f"{r.delta_backlog:+,.1f}"
                                                      + ("" if r.backlog_noise == "real"
                                                         else f" ({r.backlog_noise})")),
            })
    return pd.DataFrame(rows)


def costs_display(comparison: Comparison) -> pd.DataFrame:
    """The cost of each variant of a :class:`wfm.variants.Comparison` for people:
    ``variant``, ``agent-hours`` on duty, ``cost``, ``work left at close``
    (agent-hours) and their differences against the reference."""
    rows = []
    costs = money_column(comparison.costs["cost"])
    for k, r in enumerate(comparison.costs.itertuples(index=False)):
        rows.append({
            "variant": r.variant,
            "agent-hours on duty": f"{r.agent_hours:,.1f} h",
            "vs reference": f"{r.delta_agent_hours:+,.1f} h",
            "cost": costs[k],
            "cost vs reference": f"{r.delta_cost:+,.0f}",
            "work left at close": f"{r.backlog_hours:,.1f} h",
            "work left vs reference": f"{r.delta_backlog_hours:+,.1f} h",
        })
    return pd.DataFrame(rows)


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

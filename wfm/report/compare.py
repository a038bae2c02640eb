"""Two runs side by side: a channel-by-channel table and grouped service-level bars."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from wfm.report._data import _summary_of
from wfm.report.style import SCENARIO_PALETTE, _base_layout

__all__ = ["compare_summaries", "comparison_figure"]


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

"""Figures of a sweep: a measure against the varied parameters, one panel per channel."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report.format import _sort_key, is_missing
from wfm.report.style import CHANNEL_PALETTE, TARGET_DASH, _base_layout, channel_colors

__all__ = ["sweep_figure"]


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
                part = part[part[p].isna()] if is_missing(v) else part[part[p] == v]
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

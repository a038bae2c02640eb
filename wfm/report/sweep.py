"""Figures and tables of a sweep: a measure against the varied parameters, per channel.

Planner units: service level and abandonment in percent (axes from 0, tick labels with
as many decimals as the range needs, never repeated), ASA in seconds for voice and chat
and in minutes or hours for deferred work (each panel its own unit), backlog in
contacts. The service level panels carry each channel's target, the ASA panels of the
real-time channels their answer-within time, dashed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report.format import REALTIME, _sort_key, duration, is_missing, number, pct, wait
from wfm.report.style import CHANNEL_PALETTE, TARGET_DASH, _base_layout, channel_colors

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario import Scenario

__all__ = ["sweep_display", "sweep_figure"]

_LABELS = {
    "service_level": "service level",
    "asa": "ASA",
    "abandonment": "abandonment",
    "backlog": "left at close (contacts)",
}


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


def _time_unit(kind: str, values: np.ndarray) -> tuple[float, str]:
    """(divisor, unit) to show waits of a channel kind: seconds for voice and chat;
    minutes or hours for deferred work, by the largest value."""
    if kind in REALTIME:
        return 1.0, "s"
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    return (3600.0, "h") if top >= 3600 else (60.0, "min")


def _pct_format(top: float) -> str:
    """A percent tick format that does not repeat labels on a range up to ``top``."""
    if top <= 0.02:
        return ".2%"
    if top <= 0.2:
        return ".1%"
    return ".0%"


def sweep_figure(
    summary: pd.DataFrame,
    params: str | Sequence[str],
    measure: str = "service_level",
    targets: Mapping[str, float] | None = None,
    scenario: Scenario | None = None,
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
        ``target_service_level`` column, or from ``scenario``.
    scenario : Scenario, optional
        The sweep's base scenario: each channel's kind (for the ASA's unit), target and
        answer-within time.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per channel. With one parameter a trace per channel named after it;
        with more, a trace per combination of the others named ``"p=v, ..."``. Error
        bars span the 95% interval. For the service level, a dashed ``"<channel>
        target"`` per panel when the target is known; for the ASA of a voice or chat
        channel, a dashed ``"<channel> answer within"``. Rates on percent axes from 0;
        the ASA of deferred channels in minutes or hours (the panel's axis says which).

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
    kinds: dict[str, str] = {}
    within: dict[str, float] = {}
    known_targets: dict[str, float] = dict(targets or {})
    if scenario is not None:
        for name, channel in scenario.channels.items():
            kinds[name] = channel.kind
            if channel.target is not None:
                within[name] = float(channel.target.answer_within)
                known_targets.setdefault(name, float(channel.target.service_level))
    is_sl = measure == "service_level"
    is_rate = measure in ("service_level", "abandonment")
    ncols = 1 if len(channels) == 1 else 2
    nrows = max(1, math.ceil(len(channels) / ncols))
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=channels,
        horizontal_spacing=0.12,
        vertical_spacing=min(0.18, 0.4 / nrows),
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
    xname = _short_param(xcol)
    for k, ch in enumerate(channels):
        r, c = k // ncols + 1, k % ncols + 1
        sub = data[data["channel"].astype(str) == ch]
        scale, unit = 1.0, ""
        if measure == "asa":
            scale, unit = _time_unit(kinds.get(ch, "voice"), sub[measure].to_numpy(dtype=float))
        top = 0.0
        for key in keys:
            part = sub
            for p, v in zip(others, key, strict=True):
                part = part[part[p].isna()] if is_missing(v) else part[part[p] == v]
            if part.empty:
                continue
            part = part.sort_values(xcol, kind="stable")
            y = part[measure].to_numpy(dtype=float) / scale
            err = None
            if has_ci:
                hi = part[hi_col].to_numpy(dtype=float) / scale
                lo = part[lo_col].to_numpy(dtype=float) / scale
                err = {
                    "type": "data",
                    "symmetric": False,
                    "visible": True,
                    "array": np.clip(hi - y, 0, None),
                    "arrayminus": np.clip(y - lo, 0, None),
                }
                top = max(top, float(np.nanmax(hi)) if np.isfinite(hi).any() else 0.0)
            top = max(top, float(np.nanmax(y)) if np.isfinite(y).any() else 0.0)
            if others:
                name = ", ".join(f"{_short_param(p)}={v}" for p, v in zip(others, key, strict=True))
                color, show = combo_color[key], k == 0
            else:
                name, color, show = ch, ccol[ch], False
            ncol = part["n"].to_numpy() if "n" in part.columns else np.full(len(part), np.nan)
            fmt = ".1%" if is_rate else ".1f"
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
                    f"{' ' + unit if unit else ''} (n=%{{customdata}})<extra>"
                    + html.escape(name) + "</extra>",
                ),
                row=r,
                col=c,
            )
        xs = sorted(sub[xcol].dropna().unique().tolist(), key=_sort_key)
        ref, ref_name, ref_text = None, "", ""
        if is_sl:
            if ch in known_targets:
                ref = float(known_targets[ch])
            elif "target_service_level" in sub.columns and sub["target_service_level"].notna().any():
                ref = float(sub["target_service_level"].mean())
            ref_name, ref_text = f"{ch} target", f"target {pct(ref, 0) if ref is not None else ''}"
        elif measure == "asa" and ch in within and kinds.get(ch) in REALTIME:
            ref = within[ch] / scale
            ref_name, ref_text = f"{ch} answer within", f"answer within {duration(within[ch])}"
        if ref is not None and len(xs):
            top = max(top, ref)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=np.full(len(xs), ref),
                    name=ref_name,
                    mode="lines",
                    showlegend=False,
                    line={"color": ccol[ch] if not others else "black", "width": 1.5,
                          "dash": TARGET_DASH},
                    hovertemplate=f"{html.escape(ref_text)}<extra></extra>",
                ),
                row=r,
                col=c,
            )
        # axes: from 0, a range that never collapses to a symmetric [-1, 1] around 0
        if is_sl:
            fig.update_yaxes(range=[0, 1.05], tickformat=".0%", row=r, col=c)
        elif is_rate:
            upper = max(top * 1.15, 0.01)
            fig.update_yaxes(range=[0, upper], tickformat=_pct_format(upper), row=r, col=c)
        else:
            upper = max(top * 1.15, 1.0)
            fig.update_yaxes(range=[0, upper], row=r, col=c)
        label = _LABELS.get(measure, measure.replace("_", " "))
        if unit:
            label = f"{label} ({unit})"
        fig.update_yaxes(title_text=label, row=r, col=c)
        fig.update_xaxes(title_text=xname if r == nrows else None, row=r, col=c)
    label = _LABELS.get(measure, measure.replace("_", " "))
    title = f"{label[0].upper() + label[1:]} against {xname}"
    if others:
        title += " by " + ", ".join(_short_param(p) for p in others)
    _base_layout(fig, title, 90 + 300 * nrows, showlegend=bool(others))
    return fig


def sweep_display(summary: pd.DataFrame, params: Sequence[str],
                  scenario: Scenario | None = None) -> pd.DataFrame:
    """A sweep summary for people: one row per point x channel, every value in units.

    Parameters
    ----------
    summary : pandas.DataFrame
        The sweep summary (see :func:`sweep_figure`).
    params : sequence of str
        The varied parameters' columns.
    scenario : Scenario, optional
        The base scenario: the ASA of deferred channels in minutes or hours, and each
        point's verdict against its channel's target.

    Returns
    -------
    pandas.DataFrame
        ``point``, one column per parameter (short name: ``phone.volume``),
        ``channel``, ``service level`` (mean and 95% interval, ``88.2% (86.1-90.3)``),
        ``met`` (``met``, ``missed``, ``too close to call`` or ``-`` without a target),
        ``ASA``, ``abandonment``, ``left at close`` (contacts), ``replications``.

    Examples
    --------
    >>> s = pd.DataFrame({"point": [0], "channels.phone.volume": [1.1], "channel": ["phone"],
    ...                   "n": [3], "service_level": [0.82], "service_level_lo": [0.79],
    ...                   "service_level_hi": [0.85], "asa": [12.0], "abandonment": [0.03],
    ...                   "backlog": [0.0]})
    >>> sweep_display(s, ["channels.phone.volume"]).to_dict("records")[0]["service level"]
    '82.0% (79.0-85.0)'
    """
    kinds = {c: ch.kind for c, ch in scenario.channels.items()} if scenario is not None else {}
    targets = ({c: float(ch.target.service_level) for c, ch in scenario.channels.items()
                if ch.target is not None} if scenario is not None else {})
    rows = []
    for r in summary.to_dict("records"):
        ch = str(r["channel"])
        sl, lo, hi = r.get("service_level"), r.get("service_level_lo"), r.get("service_level_hi")
        text = pct(sl)
        if not is_missing(lo) and not is_missing(hi) and text != "-":
            text += f" ({100 * float(lo):.1f}-{100 * float(hi):.1f})"
        verdict = "-"
        if ch in targets and not is_missing(sl):
            t = targets[ch]
            low = float(lo) if not is_missing(lo) else float(sl)
            high = float(hi) if not is_missing(hi) else float(sl)
            verdict = "met" if low >= t - 1e-12 else "missed" if high < t - 1e-12 else \
                "too close to call"
        row: dict[str, Any] = {"point": str(r.get("point", ""))}
        for p in params:
            row[_short_param(p)] = str(_scalar(r.get(p)))
        row.update({
            "channel": ch,
            "service level": text,
            "met": verdict,
            "ASA": wait(r.get("asa"), kinds.get(ch, "voice")),
            "abandonment": pct(r.get("abandonment")),
            "left at close": number(None if is_missing(r.get("backlog"))
                                    else round(float(r["backlog"]), 1)),
            "replications": number(r.get("n")),
        })
        rows.append(row)
    return pd.DataFrame(rows)

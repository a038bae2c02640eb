"""The look shared by every wfm figure: colours, layout, time axes, notes and target lines.

Each channel keeps its colour in every figure (:func:`channel_colors`, by the scenario's
channel order), each agent group its own (:func:`group_colors`). Groups take muted
colours (brown, grey, olive, navy, rose, teal) that stay far from the channels' bright
ones, so a channel and a group never share a colour in one figure. Very long horizons
(more than :data:`WEBGL_POINTS` points per trace) are drawn with WebGL traces; volume
beyond :data:`BAR_POINTS` intervals as lines instead of bars.

Examples
--------
>>> channel_colors(["phone", "chat"])
{'phone': '#636EFA', 'chat': '#EF553B'}
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

__all__ = [
    "CHANNEL_PALETTE",
    "GROUP_PALETTE",
    "SCENARIO_PALETTE",
    "SHORTFALL_COLOR",
    "BAR_POINTS",
    "MARKER_POINTS",
    "VARIANT_PALETTE",
    "WEBGL_POINTS",
    "channel_colors",
    "group_colors",
]


CHANNEL_PALETTE: tuple[str, ...] = tuple(qualitative.Plotly)
#: Muted colours, each at least 35 CIELAB units from the first six channel colours.
GROUP_PALETTE: tuple[str, ...] = ("#8C564B", "#5F5F5F", "#A8A82A", "#2F4B7C", "#C05780",
                                  "#1E7B75")
#: Colours of compared variants (scenarios), in the order they are compared.
VARIANT_PALETTE: tuple[str, ...] = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D",
                                    "#E45756", "#72B7B2", "#EECA3B")
SCENARIO_PALETTE: tuple[str, str] = (VARIANT_PALETTE[0], VARIANT_PALETTE[1])
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
#: Points per trace from which figures use WebGL (``Scattergl``). Measured in headless
#: Chromium (software GL): a WebGL figure costs a GL context, 3-10x the SVG drawing time
#: of a week (336 points per trace); WebGL pays off from a few thousand points.
WEBGL_POINTS = 2000
#: Intervals from which volume is drawn as lines instead of bars (bars are one SVG
#: element each).
BAR_POINTS = 200
#: Intervals up to which lines carry a marker per point.
MARKER_POINTS = 96
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

_TITLE_PX = 46  # px of the figure's title band
_LEGEND_ROW_PX = 22  # px per row of a horizontal legend
_DEFAULT_TOP = 80  # the top margin the heights below are given for


def _legend_rows(fig: go.Figure, width: int = 620) -> int:
    """Rows a horizontal legend of ``fig`` takes at about ``width`` px (an estimate, for
    the narrowest place a figure is shown: half of the app's wide page).

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


def _scatter(n_points: int, **kw: Any) -> go.Scatter | go.Scattergl:
    """A scatter trace, in WebGL (``Scattergl``) when it has many points."""
    if n_points > WEBGL_POINTS:
        kw.pop("connectgaps", None)
        return go.Scattergl(connectgaps=False, **kw)
    return go.Scatter(**kw)


def _time_axes(fig: go.Figure, labels: Sequence[str]) -> None:
    """Category x axes in interval order, tick labels thinned so they never overlap at
    half the app's width (at most 12 clock labels, 8 with a day prefix)."""
    most = 8 if any(str(x).startswith("d") for x in labels) else 12
    step = max(1, math.ceil(len(labels) / most))
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(labels),
        tickmode="array",
        tickvals=list(labels[::step]),
        ticktext=list(labels[::step]),
        tickangle=0,
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

def _target_line(x: Sequence[Any], value: float, name: str, color: str,
                 **kw: Any) -> go.Scatter | go.Scattergl:
    """A dashed horizontal target line over ``x`` (WebGL when long)."""
    return _scatter(
        len(x),
        x=list(x),
        y=np.full(len(x), float(value)),
        name=name,
        mode="lines",
        line={"color": color, "dash": TARGET_DASH, "width": 1.5},
        hovertemplate=f"{html.escape(name)}: %{{y:.0%}}<extra></extra>",
        **kw,
    )

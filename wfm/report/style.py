"""The look shared by every wfm figure: colours, layout, time axes, notes and target lines.

Each channel keeps its colour in every figure (:func:`channel_colors`, by the scenario's
channel order), each agent group its own (:func:`group_colors`).

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
    "channel_colors",
    "group_colors",
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

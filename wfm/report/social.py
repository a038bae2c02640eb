"""Figures and tables of social care (issue 13): the funnel of each social channel, the
day's risk over the replications, the exposure over the day, when surge playbooks fired,
and a run against the same run with its playbooks switched off.

Every function takes a :class:`wfm.SimulationResult` whose scenario has ``social``
channels (see ``scenarios/social_care.yaml``); on a result without any, the figures say
so and the tables are empty. Counts are means per replication; the *exposure* is the
reach (people) of the posts still unanswered past their target.

Examples
--------
>>> import wfm
>>> from wfm.report import social
>>> res = wfm.simulate(wfm.load_scenario("scenarios/social_care.yaml"), seed=1,
...                    replications=2)
>>> social.social_channels(res)
['twitter', 'facebook', 'reviews']
>>> [title for title, _ in social.social_figures(res)]
['Social funnel', 'Social risk', 'Exposure over the day']
>>> social.funnel_display(res).columns[:3].tolist()
['channel', 'mentions', 'of which follow-ups']
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report._data import _channels, _labels, _wide
from wfm.report.format import count, number, pct, signed_points
from wfm.report.style import (
    BAR_POINTS,
    _base_layout,
    _empty_figure,
    _scatter,
    _time_axes,
    channel_colors,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario import Scenario
    from wfm.sim.engine import SimulationResult

__all__ = [
    "FUNNEL_STAGES",
    "exposure_figure",
    "funnel_display",
    "funnel_figure",
    "has_social",
    "playbook_comparison",
    "playbook_comparison_display",
    "playbooks_display",
    "risk_display",
    "risk_figure",
    "social_channels",
    "social_figures",
    "without_playbooks",
]

#: The funnel's stages: (column of :attr:`SimulationResult.funnel`, label for people).
#: ``answered_public`` is derived: answered by an agent and not moved to a private
#: conversation.
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("mentions", "mentions"),
    ("actionable", "actionable"),
    ("community_deflected", "answered by the community"),
    ("reply_resolved", "resolved by a public reply"),
    ("answered_public", "answered publicly"),
    ("moved_private", "moved to private"),
    ("unanswered", "unanswered"),
)

_NO_SOCIAL = "no social channel in this scenario"


def social_channels(result: Any) -> list[str]:
    """The social channels of a result's (or a scenario's) scenario, in its order.

    Parameters
    ----------
    result : SimulationResult or Scenario

    Returns
    -------
    list of str

    Examples
    --------
    >>> import wfm
    >>> social_channels(wfm.load_scenario("scenarios/baseline.yaml"))
    []
    """
    sc = getattr(result, "scenario", result)
    channels = getattr(sc, "channels", {})
    return [n for n, ch in channels.items() if ch.kind == "social"]


def has_social(result: Any) -> bool:
    """True when the result's (or scenario's) scenario has a ``social`` channel."""
    return bool(social_channels(result))


def _funnel(result: SimulationResult) -> pd.DataFrame:
    f = result.funnel
    if f.empty:
        return f
    f = f.copy()
    f["answered_public"] = (f["answered"] - f["moved_private"]).clip(lower=0)
    return f


def funnel_figure(result: SimulationResult) -> go.Figure:
    """The funnel of every social channel: what became of the day's mentions.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bars, one trace per social channel named after it (its colour in
        every wfm figure), one bar per stage of :data:`FUNNEL_STAGES` (mentions per
        day, means per replication), the first stage on top. Without a social
        channel, an empty figure saying so.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/social_care.yaml"), seed=1)
    >>> fig = funnel_figure(res)
    >>> [t.name for t in fig.data]
    ['twitter', 'facebook', 'reviews']
    >>> list(fig.data[0].y)[:2]
    ['mentions', 'actionable']
    """
    title = "Social funnel: what became of the mentions"
    f = _funnel(result)
    if f.empty:
        return _empty_figure(title, _NO_SOCIAL)
    ccol = channel_colors(_channels(result))
    labels = [label for _, label in FUNNEL_STAGES]
    fig = go.Figure()
    for r in f.itertuples(index=False):
        c = str(r.channel)
        values = [float(getattr(r, col)) for col, _ in FUNNEL_STAGES]
        fig.add_trace(go.Bar(
            x=values, y=labels, name=c, orientation="h", marker_color=ccol.get(c),
            text=[count(v) for v in values], textposition="auto",
            hovertemplate=f"{html.escape(c)}: %{{x:,.0f}} %{{y}}<extra></extra>"))
    _base_layout(fig, title, 130 + len(labels) * (16 * len(f) + 14), barmode="group",
                 bargap=0.2)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(title_text="posts per day (mean per replication)", rangemode="tozero")
    return fig


def funnel_display(result: SimulationResult) -> pd.DataFrame:
    """The funnel for people: one row per social channel.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``mentions``, ``of which follow-ups`` (viral), ``triaged``,
        ``actionable``, ``answered by the community``, ``resolved by a public reply``,
        ``answered publicly``, ``moved to private``, ``unanswered``, ``service level``,
        ``exposure`` (people who saw a post unanswered past its target); counts are
        means per replication, as text.
    """
    f = _funnel(result)
    cols = ["channel", "mentions", "of which follow-ups", "triaged", "actionable",
            "answered by the community", "resolved by a public reply", "answered publicly",
            "moved to private", "unanswered", "service level", "exposure"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({
        "channel": f["channel"].astype(str).to_numpy(),
        "mentions": [number(v) for v in f["mentions"]],
        "of which follow-ups": [number(v) for v in f["viral"]],
        "triaged": [number(v) for v in f["triaged"]],
        "actionable": [number(v) for v in f["actionable"]],
        "answered by the community": [number(v) for v in f["community_deflected"]],
        "resolved by a public reply": [number(v) for v in f["reply_resolved"]],
        "answered publicly": [number(v) for v in f["answered_public"]],
        "moved to private": [number(v) for v in f["moved_private"]],
        "unanswered": [number(v) for v in f["unanswered"]],
        "service level": [pct(v) for v in f["service_level"]],
        "exposure": [f"{count(v)} people" for v in f["exposure"]],
    })


def _per_replication(result: SimulationResult, channels: list[str]) -> pd.DataFrame:
    reps = result.replications
    if reps.empty or "channel" not in reps.columns:
        return pd.DataFrame(columns=["replication", "channel", "exposure", "backlog_peak"])
    return reps[reps["channel"].isin(channels)]


def risk_figure(result: SimulationResult) -> go.Figure:
    """The day's risk over the replications: exposure and peak backlog per social channel.

    Parameters
    ----------
    result : SimulationResult
        With several replications the boxes show the spread of the day's outcome (one
        point per replication); with one, a single point each.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels. Top: ``"<channel> exposure"`` boxes (people who saw a post still
        unanswered past its target, per replication). Bottom: ``"<channel> peak
        backlog"`` boxes (the most posts waiting at an interval's end). Without a social
        channel, an empty figure saying so.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/social_care.yaml"), seed=1,
    ...                    replications=3)
    >>> [t.name for t in risk_figure(res).data][:2]
    ['twitter exposure', 'facebook exposure']
    """
    title = f"Social risk over {result.n_replications} replication(s)"
    channels = social_channels(result)
    if not channels:
        return _empty_figure(title, _NO_SOCIAL)
    reps = _per_replication(result, channels)
    ccol = channel_colors(_channels(result))
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.24,
                        subplot_titles=("People who saw a post unanswered past its target",
                                        "Peak backlog (posts waiting)"))
    for row, (col, what, unit) in enumerate((("exposure", "exposure", "people"),
                                             ("backlog_peak", "peak backlog", "posts")),
                                            start=1):
        for c in channels:
            y = reps.loc[reps["channel"] == c, col].to_numpy(dtype=float) \
                if col in reps.columns else np.array([])
            fig.add_trace(go.Box(
                x=y, y=[c] * len(y), name=f"{c} {what}", orientation="h",
                marker_color=ccol.get(c), boxpoints="all", jitter=0.3, pointpos=0,
                legendgroup=c, showlegend=False,
                hovertemplate=f"{html.escape(c)}: %{{x:,.0f}} {unit}<extra></extra>"),
                row=row, col=1)
    _base_layout(fig, title, 160 + 2 * 60 * len(channels), showlegend=False)
    fig.update_xaxes(rangemode="tozero", row=1, col=1, title_text="people")
    fig.update_xaxes(rangemode="tozero", row=2, col=1, title_text="posts")
    return fig


def risk_display(result: SimulationResult) -> pd.DataFrame:
    """:attr:`SimulationResult.risk` of the social channels, for people.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``replications``, ``chance of missing the target``,
        ``peak backlog (median)``, ``peak backlog (90%)``, ``peak backlog (most)``,
        ``exposure (mean)``, ``exposure (median)``, ``exposure (90%)``.
    """
    channels = social_channels(result)
    cols = ["channel", "replications", "chance of missing the target",
            "peak backlog (median)", "peak backlog (90%)", "peak backlog (most)",
            "exposure (mean)", "exposure (median)", "exposure (90%)"]
    risk = result.risk
    if not channels or risk.empty:
        return pd.DataFrame(columns=cols)
    r = risk[risk["channel"].isin(channels)]
    return pd.DataFrame({
        "channel": r["channel"].astype(str).to_numpy(),
        "replications": [count(v) for v in r["replications"]],
        "chance of missing the target": [pct(v, 0) for v in r["miss_probability"]],
        "peak backlog (median)": [number(v) for v in r["backlog_peak_p50"]],
        "peak backlog (90%)": [number(v) for v in r["backlog_peak_p90"]],
        "peak backlog (most)": [number(v) for v in r["backlog_peak_max"]],
        "exposure (mean)": [f"{count(v)} people" for v in r["exposure_mean"]],
        "exposure (median)": [f"{count(v)} people" for v in r["exposure_p50"]],
        "exposure (90%)": [f"{count(v)} people" for v in r["exposure_p90"]],
    }, columns=cols)


def exposure_figure(result: SimulationResult) -> go.Figure:
    """Exposure over the day: per interval, the reach of the posts that arrived in it and
    were still unanswered past their target, per social channel.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per social channel named ``"<channel> exposure"`` (people, means
        per replication, by interval of arrival; stacked), and its backlog as a dotted
        line ``"<channel> backlog"`` on the right axis (posts waiting at the interval's
        end). Without a social channel, an empty figure saying so.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/social_care.yaml"), seed=1)
    >>> [t.name for t in exposure_figure(res).data][:2]
    ['twitter exposure', 'twitter backlog']
    """
    title = "Exposure over the day"
    channels = social_channels(result)
    if not channels:
        return _empty_figure(title, _NO_SOCIAL)
    labels = _labels(result)
    h = len(labels)
    ccol = channel_colors(_channels(result))
    iv = result.intervals
    exposure = _wide(iv, "channel", "exposure", channels, h) if "exposure" in iv.columns \
        else {c: np.zeros(h) for c in channels}
    backlog = _wide(iv, "channel", "backlog", channels, h)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    bars = h <= BAR_POINTS
    for c in channels:
        esc = html.escape(c)
        tip = f"{esc}: %{{y:,.0f}} people<extra></extra>"
        trace = (go.Bar(x=labels, y=exposure[c], name=f"{c} exposure", marker_color=ccol.get(c),
                        legendgroup=c, hovertemplate=tip) if bars else
                 _scatter(h, x=labels, y=exposure[c], name=f"{c} exposure", mode="lines",
                          legendgroup=c, line={"color": ccol.get(c)}, hovertemplate=tip))
        fig.add_trace(trace, secondary_y=False)
        fig.add_trace(_scatter(h, x=labels, y=backlog[c], name=f"{c} backlog", mode="lines",
                               legendgroup=c,
                               line={"color": ccol.get(c), "dash": "dot", "width": 1.5},
                               hovertemplate=f"{esc} backlog: %{{y:.1f}} posts<extra></extra>"),
                      secondary_y=True)
    _base_layout(fig, title, 440, barmode="stack", hovermode="x unified")
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="people who saw a post unanswered past target",
                     rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="posts waiting", rangemode="tozero", showgrid=False,
                     secondary_y=True)
    return fig


def playbooks_display(result: SimulationResult) -> pd.DataFrame:
    """When each surge playbook fired, for people: one row per playbook and action.

    Returns
    -------
    pandas.DataFrame
        Columns ``playbook``, ``action``, ``fired in`` (``"3 of 5 replications"``),
        ``times`` (firings per replication that fired, mean), ``first at`` (the
        earliest interval it fired), ``when`` (the intervals it fired in, as clock
        labels, most frequent first, at most six). Empty when nothing fired.

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/social_care.yaml"), seed=1)
    >>> playbooks_display(res)["playbook"].tolist()
    ['status post on the outage']
    """
    cols = ["playbook", "action", "fired in", "times", "first at", "when"]
    pb = result.playbooks
    if pb is None or pb.empty:
        return pd.DataFrame(columns=cols)
    n = max(int(result.n_replications), 1)
    rows = []
    for (name, action), part in pb.groupby(["playbook", "action"], sort=False):
        reps = part["replication"].nunique()
        first = part.sort_values("interval").iloc[0]
        when = part["start"].astype(str).value_counts()
        rows.append({
            "playbook": str(name),
            "action": str(action).replace("_", " "),
            "fired in": f"{reps} of {n} replication{'s' if n != 1 else ''}",
            "times": number(round(len(part) / max(reps, 1), 1)),
            "first at": str(first["start"]),
            "when": ", ".join(list(when.index[:6])) + (" …" if len(when) > 6 else ""),
        })
    return pd.DataFrame(rows, columns=cols)


def without_playbooks(scenario: Scenario) -> Scenario:
    """The scenario with its surge playbooks switched off (everything else as is).

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/social_care.yaml")
    >>> len(sc.playbooks), len(without_playbooks(sc).playbooks)
    (2, 0)
    """
    from wfm.scenario import Scenario

    data = scenario.to_dict()
    data.pop("playbooks", None)
    return Scenario.from_dict(data)


_COMPARED = ("service_level", "answered", "unanswered", "backlog_peak", "exposure")


def playbook_comparison(with_playbooks: SimulationResult,
                        without: SimulationResult) -> pd.DataFrame:
    """Each channel with and without the playbooks (the same seeds): the difference they
    make.

    Parameters
    ----------
    with_playbooks : SimulationResult
        The scenario as it is.
    without : SimulationResult
        The same scenario with :func:`without_playbooks`, the same seed and replications.

    Returns
    -------
    pandas.DataFrame
        One row per channel (the scenario's channels): ``channel``, then for each of
        ``service_level``, ``answered``, ``unanswered``, ``backlog_peak`` (mean over the
        replications of the day's peak) and ``exposure``: ``<m>_with``, ``<m>_without``
        and ``<m>_change`` (with minus without).

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/social_care.yaml")
    >>> a = wfm.simulate(sc, seed=3)
    >>> b = wfm.simulate(without_playbooks(sc), seed=3)
    >>> cmp = playbook_comparison(a, b)
    >>> cmp.columns[:4].tolist()
    ['channel', 'service_level_with', 'service_level_without', 'service_level_change']
    """
    channels = list(with_playbooks.scenario.channel_names)
    a = with_playbooks.summary.set_index("channel")
    b = without.summary.set_index("channel")
    out: dict[str, Any] = {"channel": channels}
    for m in _COMPARED:
        va = a[m].reindex(channels).to_numpy(dtype=float) if m in a else np.full(len(channels), np.nan)
        vb = b[m].reindex(channels).to_numpy(dtype=float) if m in b else np.full(len(channels), np.nan)
        out[f"{m}_with"], out[f"{m}_without"], out[f"{m}_change"] = va, vb, va - vb
    return pd.DataFrame(out)


def playbook_comparison_display(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`playbook_comparison` for people: service level in % and points, counts,
    exposure in people, each as ``with`` / ``without`` / ``change``."""
    c = comparison

    def signed(v: Any) -> str:
        return "-" if not np.isfinite(float(v)) else f"{float(v):+,.0f}"

    return pd.DataFrame({
        "channel": c["channel"].astype(str).to_numpy(),
        "service level with": [pct(v) for v in c["service_level_with"]],
        "without": [pct(v) for v in c["service_level_without"]],
        "change": [signed_points(v) for v in c["service_level_change"]],
        "unanswered with": [number(v) for v in c["unanswered_with"]],
        "unanswered without": [number(v) for v in c["unanswered_without"]],
        "peak backlog with": [number(v) for v in c["backlog_peak_with"]],
        "peak backlog without": [number(v) for v in c["backlog_peak_without"]],
        "exposure with": [f"{count(v)} people" for v in c["exposure_with"]],
        "exposure without": [f"{count(v)} people" for v in c["exposure_without"]],
        "exposure change": [signed(v) for v in c["exposure_change"]],
    })


def social_figures(result: SimulationResult) -> list[tuple[str, go.Figure]]:
    """The social view's figures, in reading order: the funnel, the risk over the
    replications and the exposure over the day; empty without a social channel."""
    if not has_social(result):
        return []
    return [
        ("Social funnel", funnel_figure(result)),
        ("Social risk", risk_figure(result)),
        ("Exposure over the day", exposure_figure(result)),
    ]


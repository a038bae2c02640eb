"""Figures and saved reports of long-term capacity plans and weekly rosters.

* :func:`capacity_figure` — a :class:`wfm.capacity.CapacityPlan`: required, effective
  and paid FTE per period with the under- and over-staffing, and the hiring classes;
* :func:`roster_week_figure` — a :class:`wfm.scheduling.Roster`: every agent's week as a
  heat map (on shift, on break, off);
* :func:`write_capacity_report`, :func:`write_roster_report` — CSV files plus one
  self-contained HTML page each, written atomically.

The coverage of a roster against its requirement is
:func:`wfm.report.coverage_figure` (a roster has the coverage columns of a schedule).

Examples
--------
>>> from wfm.capacity import plan_capacity
>>> plan = plan_capacity([10, 10, 12, 12], headcount=10)
>>> fig = capacity_figure(plan)
>>> [t.name for t in fig.data]
['required', 'effective FTE', 'headcount', 'under', 'over', 'hires', 'attrition']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.atomic import atomic_write
from wfm.report.html import Section, html_report
from wfm.report.schedule import coverage_figure
from wfm.report.style import SHORTFALL_COLOR, TARGET_DASH, _base_layout, _empty_figure, group_colors

if TYPE_CHECKING:  # pragma: no cover
    from wfm.capacity import CapacityPlan
    from wfm.scheduling import Roster

__all__ = ["capacity_figure", "roster_week_figure", "write_capacity_report", "write_roster_report"]

_OVER_COLOR = "#F2B701"
_PAID_COLOR = "#9AA5B1"
_EFFECTIVE_COLOR = "#4C78A8"


def _frame(obj: Any, name: str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    frame = getattr(obj, name, None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a {what} (an object with a DataFrame .{name}), not {type(obj).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    return frame


def capacity_figure(plan: CapacityPlan) -> go.Figure:
    """Required vs effective FTE and headcount per period (top), hires and attrition (bottom).

    Parameters
    ----------
    plan : wfm.capacity.CapacityPlan
        Or any object with a ``periods`` DataFrame (columns ``label``, ``required``,
        ``effective``, ``headcount``, ``under``, ``over``, ``hires``, ``attrition``) and
        optionally ``period``, ``cost``, ``shortfall``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``required`` (dashed step), ``effective FTE``, ``headcount`` (lines),
        ``under`` (red bars from the effective FTE up to the requirement), ``over``
        (bars from the requirement up to the effective FTE), ``hires`` and ``attrition``
        (bars, bottom panel; attrition drawn below zero). One point per period in
        every trace.
    """
    cols = ("label", "required", "effective", "headcount", "under", "over", "hires", "attrition")
    p = _frame(plan, "periods", cols, "capacity plan")
    unit = str(getattr(plan, "period", "period"))
    title = "Capacity: required vs effective FTE"
    cost = getattr(plan, "cost", None)
    if isinstance(cost, int | float):
        title += f" (cost {cost:,.0f}"
        short = getattr(plan, "shortfall", 0.0)
        title += f", shortfall {short:,.1f} FTE-{unit}s)" if short else ", no shortfall)"
    if p.empty:
        return _empty_figure(title, "no periods")
    x = p["label"].astype(str).tolist()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06)
    eff = p["effective"].to_numpy(dtype=float)
    req = p["required"].to_numpy(dtype=float)
    fig.add_trace(go.Scatter(x=x, y=req, name="required", mode="lines",
                             line={"color": "black", "dash": TARGET_DASH, "width": 2, "shape": "hvh"},
                             hovertemplate="required %{y:,.1f} FTE<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=eff, name="effective FTE", mode="lines+markers",
                             line={"color": _EFFECTIVE_COLOR, "width": 2}, marker={"size": 4},
                             hovertemplate="effective %{y:,.1f} FTE<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=p["headcount"].to_numpy(dtype=float), name="headcount", mode="lines",
                             line={"color": _PAID_COLOR, "width": 1.5},
                             hovertemplate="headcount %{y:,.1f} agents (paid)<extra></extra>"), row=1, col=1)
    under = p["under"].to_numpy(dtype=float)
    over = p["over"].to_numpy(dtype=float)
    fig.add_trace(go.Bar(x=x, y=np.where(under > 0, under, np.nan), base=eff, name="under",
                         marker_color=SHORTFALL_COLOR, opacity=0.8,
                         hovertemplate="under by %{y:,.1f} FTE<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=np.where(over > 0, over, np.nan), base=req, name="over",
                         marker_color=_OVER_COLOR, opacity=0.6,
                         hovertemplate="over by %{y:,.1f} FTE<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=p["hires"].to_numpy(dtype=float), name="hires", marker_color="#54A24B",
                         hovertemplate="class of %{y:,.0f} agents starts<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Bar(x=x, y=-p["attrition"].to_numpy(dtype=float), name="attrition",
                         marker_color="#B279A2",
                         hovertemplate="%{y:,.1f} agents leave<extra></extra>"), row=2, col=1)
    _base_layout(fig, title, 560, barmode="overlay", bargap=0.15, hovermode="x unified")
    fig.update_yaxes(title_text="FTE", row=1, col=1)
    fig.update_yaxes(title_text="agents", row=2, col=1)
    fig.update_xaxes(type="category", title_text=unit, row=2, col=1)
    return fig


def roster_week_figure(roster: Roster, max_agents: int = 400) -> go.Figure:
    """Every agent's week as a heat map: on shift, on break or off, interval by interval.

    Parameters
    ----------
    roster : wfm.scheduling.Roster
        Or any object with ``agents`` (``agent``, ``group``, ``contract``) and ``shifts``
        (``agent``, ``start_interval``, ``end_interval``, ``break_start_minute``,
        ``break_end_minute``) DataFrames, a ``coverage`` DataFrame (``interval``,
        ``start``) for the clock labels and ``interval_minutes``.
    max_agents : int, default 400
        Agents shown at most (the first ones; the CSV files have them all).

    Returns
    -------
    plotly.graph_objects.Figure
        One heat map trace ``"roster"``: rows are agents (``<agent> <group>
        <contract>``), columns intervals; 1 on shift, 0.5 on break, 0 off.

    Examples
    --------
    >>> import wfm
    >>> from wfm.scheduling import weekly_roster
    >>> sc = wfm.Scenario.from_dict({"interval_minutes": 60,
    ...     "channels": {"p": {"kind": "voice", "volume": [0] * 24, "aht": 60,
    ...                        "target": {"answer_within": 20, "service_level": 0.8}}},
    ...     "agents": [{"group": "a", "skills": ["p"], "staff": 0}],
    ...     "shifts": {"a": {"starts": ["09:00"], "lengths_hours": [4], "break": {"minutes": 0}}}})
    >>> r = weekly_roster(sc, {"a": [0] * 9 + [1] * 4 + [0] * 11},
    ...                   roster_rules={"contracts": {"pt": {"min_days": 1}}})
    >>> fig = roster_week_figure(r)
    >>> fig.data[0].z.tolist()[0][8:14]
    [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    """
    agents = _frame(roster, "agents", ("agent", "group", "contract"), "roster")
    shifts = _frame(roster, "shifts", ("agent", "start_interval", "end_interval", "break_start_minute",
                                       "break_end_minute"), "roster")
    cov = _frame(roster, "coverage", ("interval", "start"), "roster")
    lm = int(getattr(roster, "interval_minutes", 30))
    iv = cov.drop_duplicates("interval").sort_values("interval")
    labels = iv["start"].astype(str).tolist()
    title = f"Roster: {len(agents):,} agents"
    cost = getattr(roster, "cost", None)
    if isinstance(cost, int | float):
        title += f", cost {cost:,.0f}, {getattr(roster, 'paid_hours', float('nan')):,.1f} paid hours"
    if agents.empty or not labels:
        return _empty_figure(title, "no agents rostered")
    shown = agents.head(max_agents)
    row = {a: i for i, a in enumerate(shown["agent"])}
    grid = np.zeros((len(shown), len(labels)))
    for r in shifts.itertuples(index=False):
        i = row.get(r.agent)
        if i is None:
            continue
        grid[i, int(r.start_interval):int(r.end_interval)] = 1.0
        if not pd.isna(r.break_start_minute):
            grid[i, int(r.break_start_minute) // lm:int(r.break_end_minute) // lm] = 0.5
    names = [f"{a} {g} {c}" for a, g, c in zip(shown["agent"], shown["group"], shown["contract"], strict=True)]
    colors = group_colors(dict.fromkeys(shown["group"].astype(str)))
    first = next(iter(colors.values()))
    fig = go.Figure(go.Heatmap(
        z=grid, x=labels, y=names, name="roster", showscale=False, zmin=0, zmax=1,
        colorscale=[[0.0, "#FFFFFF"], [0.49, "#FFFFFF"], [0.5, "#F2B701"], [0.74, "#F2B701"],
                    [0.75, first], [1.0, first]],
        xgap=0, ygap=1,
        hovertemplate="%{y} %{x}: %{customdata}<extra></extra>",
        customdata=np.where(grid >= 1, "on shift", np.where(grid > 0, "break", "off")),
    ))
    more = f" (first {max_agents} of {len(agents):,})" if len(agents) > max_agents else ""
    _base_layout(fig, title + more, int(min(3000, 160 + 14 * len(shown))), showlegend=False)
    step = max(1, int(np.ceil(len(labels) / 16)))
    fig.update_xaxes(type="category", tickmode="array", tickvals=labels[::step], ticktext=labels[::step],
                     tickangle=-45)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 9})
    return fig


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda fh: frame.to_csv(fh, index=False))


def write_capacity_report(plan: CapacityPlan, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Save a capacity plan: ``periods.csv``, ``classes.csv`` and ``report.html``.

    Parameters
    ----------
    plan : wfm.capacity.CapacityPlan
    out_dir : str or PathLike
        Directory (created if needed).

    Returns
    -------
    list of Path
        The files, each written atomically; the page has :func:`capacity_figure`, the
        shortfall statement, the classes and the periods.
    """
    out = Path(out_dir)
    paths = [_write_csv(plan.periods, out / "periods.csv"), _write_csv(plan.classes, out / "classes.csv")]
    sections: list[Section] = [
        ("Capacity", capacity_figure(plan)),
        ("Shortfall", plan.statement()),
        ("Hiring classes", plan.classes if not plan.classes.empty else "no class needed"),
        ("Periods", plan.periods.round(2)),
    ]
    sub = (f"{len(plan.periods)} {plan.period}s · cost {plan.cost:,.0f} (salary {plan.salary_cost:,.0f},"
           f" hiring {plan.hiring_cost:,.0f}) · {plan.hires:,} hires · {plan.status}")
    paths.append(atomic_write(out / "report.html", html_report(sections, f"Capacity: {plan.name}", subtitle=sub)))
    return paths


def write_roster_report(roster: Roster, out_dir: str | os.PathLike[str], title: str = "Roster") -> list[Path]:
    """Save a roster: ``agents.csv``, ``shifts.csv``, ``week.csv`` (agent x day),
    ``coverage.csv``, ``headcount.csv`` and ``report.html`` (the week view).

    Parameters
    ----------
    roster : wfm.scheduling.Roster
    out_dir : str or PathLike
        Directory (created if needed).
    title : str, default "Roster"
        The page's heading (e.g. the scenario's name).

    Returns
    -------
    list of Path
        The files, each written atomically.
    """
    out = Path(out_dir)
    week = roster.week_view()
    paths = [
        _write_csv(roster.agents, out / "agents.csv"),
        _write_csv(roster.shifts, out / "shifts.csv"),
        _write_csv(week, out / "week.csv"),
        _write_csv(roster.coverage, out / "coverage.csv"),
        _write_csv(roster.headcount, out / "headcount.csv"),
    ]
    sections: list[Section] = [
        ("Headcount, paid hours, FTE and cost by contract", roster.headcount.round(2)),
        ("Shortfall", roster.statement()),
        ("Week", roster_week_figure(roster)),
        ("Coverage", coverage_figure(cast(Any, roster))),  # a roster has the coverage of a schedule
        ("Agents by day", week),
    ]
    sub = (f"{len(roster.agents):,} agents · {roster.paid_hours:,.1f} paid hours · {roster.fte:,.1f} FTE ·"
           f" cost {roster.cost:,.2f} · {roster.status}"
           + (f" (gap {100 * roster.gap:.2f}%)" if np.isfinite(roster.gap) and roster.gap > 0 else ""))
    paths.append(atomic_write(out / "report.html", html_report(sections, title, subtitle=sub)))
    return paths

"""Figures of a shift schedule: coverage against the requirement, and the shifts as a Gantt chart."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report._data import _wide
from wfm.report.style import (
    _PANEL_HEIGHT,
    SHORTFALL_COLOR,
    TARGET_DASH,
    _base_layout,
    _empty_figure,
    _time_axes,
    group_colors,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scheduling import Schedule

__all__ = ["coverage_figure", "gantt_figure", "iterations_display", "lower_bound_text", "money_text",
           "outcome_display", "plan_costs_display", "shifts_display"]


# ---------------------------------------------------------------------- schedules
_COVERAGE_COLUMNS = ("interval", "start", "group", "required", "scheduled")
_SHIFT_COLUMNS = ("group", "start_interval", "end_interval", "start", "end", "count")


def _frame_attr(obj: Any, name: str, columns: Sequence[str]) -> pd.DataFrame:
    frame = getattr(obj, name, None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"expected an object with a DataFrame .{name} (a wfm.scheduling.Schedule), "
            f"not {type(obj).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"schedule.{name}: missing column(s) {', '.join(missing)}")
    return frame


def _schedule_note(schedule: Schedule) -> str:
    """``cost 1,234.0 · optimal`` (and the gap when the solver stopped short of optimal)."""
    parts = []
    cost = float(schedule.cost)
    if math.isfinite(cost):
        parts.append(f"cost {cost:,.1f}")
    if schedule.status:
        parts.append(schedule.status_text)
    gap = float(schedule.gap)
    if schedule.optimal is False and math.isfinite(gap):
        parts.append(f"gap {100 * gap:.2f}%")
    return " · ".join(parts)


def coverage_figure(schedule: Schedule) -> go.Figure:
    """Required vs scheduled agents per interval, one panel per group, shortfall in red.

    Parameters
    ----------
    schedule : wfm.scheduling.Schedule
        Or any object with a ``coverage`` DataFrame (columns ``interval``, ``start``,
        ``group``, ``required``, ``scheduled`` and optionally ``shortfall``) and
        optionally ``cost``, ``status``, ``optimal``, ``gap``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per group: bars ``"<group> scheduled"``, red bars ``"<group> shortfall"``
        stacked on them up to the requirement, and a dashed step line
        ``"<group> required"``. One point per interval in every trace.
    """
    cov = _frame_attr(schedule, "coverage", _COVERAGE_COLUMNS)
    cov = cov.sort_values(["interval"], kind="stable")
    iv = cov.drop_duplicates("interval")
    h = int(cov["interval"].max()) + 1 if len(cov) else 0
    labels_by = dict(zip(iv["interval"].astype(int), iv["start"].astype(str), strict=True))
    labels = [labels_by.get(i, str(i)) for i in range(h)]
    groups = [str(g) for g in dict.fromkeys(cov["group"])]
    cov = cov.assign(group=cov["group"].astype(str))
    required = _wide(cov, "group", "required", groups, h)
    scheduled = _wide(cov, "group", "scheduled", groups, h)
    if "shortfall" in cov.columns:
        shortfall = _wide(cov, "group", "shortfall", groups, h)
    else:
        shortfall = {g: np.maximum(required[g] - scheduled[g], 0) for g in groups}
    gcol = group_colors(groups)
    title = "Coverage: required vs scheduled agents"
    note = _schedule_note(schedule)
    if note:
        title += f" ({note})"
    if not groups:
        return _empty_figure(title, "empty schedule")
    short_total = {g: float(np.nansum(shortfall[g])) for g in groups}
    fig = make_subplots(
        rows=len(groups),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.12, 0.3 / len(groups)),
        subplot_titles=[
            f"{g}: shortfall {short_total[g]:g} agent-intervals"
            if short_total[g]
            else f"{g}: covered"
            for g in groups
        ],
    )
    for k, g in enumerate(groups, start=1):
        esc = html.escape(g)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=scheduled[g],
                name=f"{g} scheduled",
                marker_color=gcol[g],
                opacity=0.75,
                legendgroup=g,
                hovertemplate=f"{esc} scheduled: %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
        short = np.where(shortfall[g] > 0, shortfall[g], np.nan)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=short,
                base=scheduled[g],
                name=f"{g} shortfall",
                marker_color=SHORTFALL_COLOR,
                legendgroup=g,
                hovertemplate=f"{esc} short by %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=required[g],
                name=f"{g} required",
                mode="lines",
                legendgroup=g,
                line={"color": "black", "width": 2, "dash": TARGET_DASH, "shape": "hvh"},
                hovertemplate=f"{esc} required: %{{y:.0f}}<extra></extra>",
            ),
            row=k,
            col=1,
        )
    _base_layout(
        fig,
        title,
        90 + _PANEL_HEIGHT * len(groups),
        barmode="overlay",
        bargap=0.1,
        hovermode="x unified",
    )
    _time_axes(fig, labels)
    fig.update_yaxes(title_text="agents", rangemode="tozero")
    return fig


def _clock_minutes(label: Any) -> float:
    """Minutes after midnight of day 1 of ``"HH:MM"`` or ``"dN HH:MM"``; NaN otherwise."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return math.nan
    text = str(label).strip()
    day = 0
    if text.startswith("d") and " " in text:
        d, text = text.split(" ", 1)
        try:
            day = int(d[1:]) - 1
        except ValueError:
            return math.nan
    try:
        hh, mm = text.split(":")
        return day * 1440 + int(hh) * 60 + int(mm)
    except ValueError:
        return math.nan


def gantt_figure(schedule: Schedule) -> go.Figure:
    """The shifts of a schedule as a Gantt chart: one bar per shift row, break marked.

    Parameters
    ----------
    schedule : wfm.scheduling.Schedule
        Or any object with a ``shifts`` DataFrame (columns ``group``,
        ``start_interval``, ``end_interval`` (exclusive), ``start``, ``end``,
        ``count`` and optionally ``break_start``, ``break_end`` (clock labels or
        None), ``paid_break``, ``cost``), optionally ``coverage`` for the clock labels.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar per row of ``shifts`` (x in intervals from the horizon's
        start, ticks labelled by clock), one trace per group named after it and
        labelled ``"×<count>"``, plus a trace ``"break"`` with a hatched bar over
        each break.
    """
    shifts = _frame_attr(schedule, "shifts", _SHIFT_COLUMNS)
    title = "Shifts"
    note = _schedule_note(schedule)
    if note:
        title += f" ({note})"
    if shifts.empty:
        return _empty_figure(title, "no shifts scheduled")
    order = {g: i for i, g in enumerate(dict.fromkeys(shifts["group"].astype(str)))}
    sh = shifts.assign(_g=shifts["group"].astype(str).map(order))
    sh = sh.sort_values(["_g", "start_interval", "end_interval"], kind="stable")
    sh = sh.drop(columns="_g").reset_index(drop=True)
    sh = sh.assign(group=sh["group"].astype(str))
    n = len(sh)
    s0 = sh["start_interval"].to_numpy(dtype=float)
    s1 = sh["end_interval"].to_numpy(dtype=float)
    start_min = np.array([_clock_minutes(v) for v in sh["start"]])
    end_min = np.array([_clock_minutes(v) for v in sh["end"]])
    with np.errstate(invalid="ignore", divide="ignore"):
        step = np.nanmedian(np.where(s1 > s0, (end_min - start_min) / (s1 - s0), np.nan))
    has_break = "break_start" in sh.columns and "break_end" in sh.columns
    if has_break and np.isfinite(step) and step > 0:
        b0m = np.array([_clock_minutes(v) for v in sh["break_start"]])
        b1m = np.array([_clock_minutes(v) for v in sh["break_end"]])
        b0 = s0 + np.mod(b0m - start_min, 1440) / step
        b1 = s0 + np.mod(b1m - start_min, 1440) / step
    else:
        b0 = b1 = np.full(n, np.nan)
    brk = np.isfinite(b0) & np.isfinite(b1) & (b1 > b0)
    # clock ticks: the coverage's labels when present, else the shifts' own
    labels_by: dict[int, str] = {}
    cov = getattr(schedule, "coverage", None)
    if isinstance(cov, pd.DataFrame) and {"interval", "start"} <= set(cov.columns):
        iv = cov.drop_duplicates("interval")
        labels_by.update(zip(iv["interval"].astype(int), iv["start"].astype(str), strict=True))
    labels_by.update(
        {int(a): str(b) for a, b in zip(s0, sh["start"], strict=True) if int(a) not in labels_by}
    )
    labels_by.update(
        {int(a): str(b) for a, b in zip(s1, sh["end"], strict=True) if int(a) not in labels_by}
    )
    lo, hi = int(np.nanmin(s0)), int(np.nanmax(s1))
    if labels_by:
        lo, hi = min(lo, min(labels_by)), max(hi, max(labels_by))
    tstep = max(1, math.ceil((hi - lo) / 16))
    ticks = [i for i in range(lo, hi + 1, tstep) if i in labels_by]
    counts = sh["count"].to_numpy(dtype=float)
    rows = np.arange(n)
    brk_text = np.where(
        brk,
        "break "
        + sh.get("break_start", pd.Series([""] * n)).astype(str)
        + "-"
        + sh.get("break_end", pd.Series([""] * n)).astype(str),
        "no break",
    )
    row_labels = (
        sh["group"] + " " + sh["start"].astype(str) + "-" + sh["end"].astype(str)
    ).tolist()
    cost = sh["cost"].to_numpy(dtype=float) if "cost" in sh.columns else np.full(n, np.nan)
    custom = np.column_stack(
        [sh["start"].astype(str), sh["end"].astype(str), brk_text, counts, cost]
    ).tolist()
    gcol = group_colors(dict.fromkeys(sh["group"]))
    fig = go.Figure()
    for g in gcol:
        m = (sh["group"] == g).to_numpy()
        fig.add_trace(
            go.Bar(
                y=rows[m],
                x=(s1 - s0)[m],
                base=s0[m],
                orientation="h",
                name=g,
                marker_color=gcol[g],
                text=[f"×{c:g}" for c in counts[m]],
                textposition="inside",
                insidetextanchor="start",
                textangle=0,
                constraintext="none",
                customdata=[custom[i] for i in np.flatnonzero(m)],
                legendgroup=g,
                hovertemplate=f"{html.escape(g)} %{{customdata[0]}}-%{{customdata[1]}}, "
                "%{customdata[2]}: %{customdata[3]:g} agents, "
                "cost %{customdata[4]:,.1f}<extra></extra>",
            )
        )
    if brk.any():
        fig.add_trace(
            go.Bar(
                y=rows[brk],
                x=(b1 - b0)[brk],
                base=b0[brk],
                orientation="h",
                name="break",
                marker={
                    "color": "rgba(255,255,255,0.85)",
                    "line": {"color": "#333", "width": 1},
                    "pattern": {"shape": "/", "fgcolor": "#555", "size": 6},
                },
                width=0.5,
                customdata=brk_text[brk],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    height = int(min(2400, 140 + 24 * n))
    _base_layout(fig, title, height, barmode="overlay", bargap=0.25)
    fig.update_yaxes(
        tickmode="array",
        tickvals=rows.tolist(),
        ticktext=row_labels,
        autorange="reversed",
        title_text=None,
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=ticks,
        ticktext=[labels_by[i] for i in ticks],
        range=[lo - 0.5, hi + 0.5],
        title_text="clock",
        showgrid=True,
    )
    return fig


# ---------------------------------------------------------------------- plan tables
def iterations_display(iterations: pd.DataFrame) -> pd.DataFrame:
    """A plan's rounds (:attr:`wfm.planning.PlanResult.iterations`) for people.

    Returns
    -------
    pandas.DataFrame
        One row per round: ``round``, ``cost``, ``short (agent-intervals)``,
        ``verdict`` (``met`` or ``missed: <channels>``), one ``<channel> service
        level`` column per channel (percent), then, when the iterations have them,
        ``added``, ``removed`` and ``undone`` (agent-intervals of channel requirement
        the round's result raised, took away, and gave back after a blamed removal, for
        the next round) and ``confirms round`` (the round a confirmation round
        simulates again with a new seed, ``-`` for other rounds),
        ``solver`` (``optimal`` or the gap) and ``solver time``.

    Examples
    --------
    >>> it = pd.DataFrame({"iteration": [1], "cost": [470.0], "shortfall": [0.0],
    ...                    "optimal": [True], "gap": [0.0], "solve_seconds": [0.1],
    ...                    "met": [False], "missed": ["phone"], "score": [0.1],
    ...                    "phone_service_level": [0.83]})
    >>> row = iterations_display(it).iloc[0]
    >>> row["round"], row["cost"], row["verdict"], row["phone service level"], row["solver"]
    ('1', '470', 'missed: phone', '83.0%', 'optimal')
    >>> it2 = it.assign(added=[25], removed=[36], undone=[0], confirms=[0])
    >>> iterations_display(it2).iloc[0][["added", "removed", "undone", "confirms round"]].tolist()
    ['25', '36', '-', '-']
    """
    from wfm.report.format import count, money_column, pct, seconds

    costs = money_column(iterations["cost"]) if "cost" in iterations else []
    rows = []
    sl_cols = [c for c in iterations.columns if str(c).endswith("_service_level")]
    for k, r in enumerate(iterations.to_dict("records")):
        row = {
            "round": str(int(r["iteration"])),
            "cost": costs[k] if costs else "-",
            "short (agent-intervals)": count(r.get("shortfall", 0)),
            "verdict": "met" if r.get("met") else f"missed: {r.get('missed') or '-'}",
        }
        for c in sl_cols:
            row[f"{str(c)[: -len('_service_level')]} service level"] = pct(r[c])
        for col in ("added", "removed", "undone"):
            if col in iterations.columns:
                row[col] = count(r[col]) if r[col] else "-"
        if "confirms" in iterations.columns:
            row["confirms round"] = count(r["confirms"]) if r["confirms"] else "-"
        gap = r.get("gap")
        row["solver"] = ("optimal" if r.get("optimal") else
                         f"gap {pct(gap, 2)}" if gap is not None and math.isfinite(float(gap))
                         else "stopped")
        row["solver time"] = seconds(r.get("solve_seconds"))
        rows.append(row)
    return pd.DataFrame(rows)


def money_text(value: Any, currency: str | None = None, decimals: int | None = None) -> str:
    """An amount in the plan's currency: ``1,234 EUR``, or plain ``1,234`` without one.

    Parameters
    ----------
    value : float
        Money.
    currency : str or None
        The scenario's ISO 4217 code (``Scenario.currency``); None: the amount alone (in
        the unit of ``cost_per_hour``).
    decimals : int, optional
        As :func:`wfm.report.format.money` (default: whole units from 100 up).

    Examples
    --------
    >>> money_text(1234.4, "EUR"), money_text(42.5, None), money_text(float("nan"), "USD")
    ('1,234 EUR', '42.50', '-')
    """
    from wfm.report.format import money

    text = money(value, decimals)
    return f"{text} {currency}" if currency and text != "-" else text


def plan_costs_display(costs: pd.DataFrame, currency: str | None = None) -> pd.DataFrame:
    """A plan's money, paid hours and FTE (:attr:`wfm.planning.PlanResult.costs`) for people.

    Parameters
    ----------
    costs : pandas.DataFrame
        :func:`wfm.planning.plan_costs`: one row per group and a last ``total`` row,
        columns ``group``, ``agents``, ``shift_hours``, ``shrinkage``, ``paid_hours``,
        ``fte``, ``wage``, ``cost`` (and ``currency``).
    currency : str, optional
        Shown in the money headers (``cost (EUR)``); default the frame's ``currency``
        column when it names one.

    Returns
    -------
    pandas.DataFrame
        One row per group and ``total``: ``group``, ``agents`` (shifts), ``shift
        hours`` (hours of the shifts, agents on the phones), ``shrinkage`` (percent of
        paid time off the phones), ``paid hours`` (shrinkage included), ``FTE``,
        ``wage`` and ``cost`` (money, headers with the currency when there is one).

    Examples
    --------
    >>> c = pd.DataFrame({"group": ["voice", "total"], "agents": [2, 2],
    ...                   "shift_hours": [8.0, 8.0], "shrinkage": [0.2, 0.2],
    ...                   "paid_hours": [10.0, 10.0], "fte": [1.75, 1.75], "wage": [20.0, 20.0],
    ...                   "cost": [200.0, 200.0], "currency": ["EUR", "EUR"]})
    >>> plan_costs_display(c).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'group': 'voice', 'agents': '2', 'shift hours': '8.0 h', 'shrinkage': '20.0%',
     'paid hours': '10.0 h', 'FTE': '1.75', 'wage (EUR per hour)': '20.00',
     'cost (EUR)': '200'}
    """
    from wfm.report.format import count, money_column, pct

    if currency is None and "currency" in costs.columns:
        named = [str(c) for c in costs["currency"] if isinstance(c, str) and c]
        currency = named[0] if named else None
    unit = f" ({currency})" if currency else ""
    wage_head = f"wage ({currency} per hour)" if currency else "wage (per hour)"

    def hours(x: Any) -> str:
        v = float(x)
        return f"{v:,.1f} h" if math.isfinite(v) else "-"

    def fte(x: Any) -> str:
        v = float(x)
        return f"{v:,.2f}" if math.isfinite(v) else "-"

    return pd.DataFrame({
        "group": costs["group"].astype(str).to_numpy(),
        "agents": [count(x) for x in costs["agents"]],
        "shift hours": [hours(x) for x in costs["shift_hours"]],
        "shrinkage": [pct(x) for x in costs["shrinkage"]],
        "paid hours": [hours(x) for x in costs["paid_hours"]],
        "FTE": [fte(x) for x in costs["fte"]],
        wage_head: money_column(costs["wage"]),
        f"cost{unit}": money_column(costs["cost"]),
    })


def lower_bound_text(cost: float, bound: float, currency: str | None = None) -> str:
    """The plan's cost against its lower bound, in one sentence.

    Parameters
    ----------
    cost : float
        The planned shifts' cost (:attr:`wfm.planning.PlanResult.cost`, shrinkage not
        included, as the bound).
    bound : float
        :attr:`wfm.planning.PlanResult.lower_bound` (NaN: not computed).
    currency : str, optional

    Returns
    -------
    str

    Examples
    --------
    >>> lower_bound_text(455.5, 340.54, "EUR")  # doctest: +NORMALIZE_WHITESPACE
    'lower bound 340.54 EUR (LP relaxation of the shift model on the work alone, no
     queueing margin); the shifts cost 455.50 EUR: gap 25.2% (share of the cost above the bound)'
    >>> lower_bound_text(455.5, float("nan"))
    'lower bound: not computed'
    """
    if not math.isfinite(float(bound)):
        return "lower bound: not computed"
    c, b = float(cost), float(bound)
    decimals = 0 if max(abs(c), abs(b)) >= 1000 else 2
    gap = 100.0 * (c - b) / c if c > 0 else math.nan
    tail = f": gap {gap:.1f}% (share of the cost above the bound)" if math.isfinite(gap) else ""
    return (f"lower bound {money_text(b, currency, decimals)} (LP relaxation of the shift model on the work"
            f" alone, no queueing margin); the shifts cost {money_text(c, currency, decimals)}{tail}")


def shifts_display(shifts: pd.DataFrame) -> pd.DataFrame:
    """A schedule's shifts (:attr:`wfm.scheduling.Schedule.shifts`) for people.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``shift`` (``"08:00-16:30"``), ``break`` (``"12:00-12:30"``,
        ``"paid 12:00-12:30"`` or ``"none"``), ``agents``, ``paid hours`` (per agent),
        ``cost`` (all the agents).

    Examples
    --------
    >>> sh = pd.DataFrame({"group": ["voice"], "start_interval": [0], "end_interval": [8],
    ...                    "start": ["08:00"], "end": ["12:00"], "break_start": [None],
    ...                    "break_end": [None], "paid_break": [False], "paid_hours": [4.0],
    ...                    "count": [2], "cost": [8.0]})
    >>> shifts_display(sh).to_dict("records")
    [{'group': 'voice', 'shift': '08:00-12:00', 'break': 'none', 'agents': '2', 'paid hours': '4.0 h', 'cost': '8.00'}]
    """
    from wfm.report.format import count, is_missing, money_column

    costs = money_column(shifts["cost"]) if "cost" in shifts else ["-"] * len(shifts)
    rows = []
    for k, r in enumerate(shifts.to_dict("records")):
        b0, b1 = r.get("break_start"), r.get("break_end")
        brk = "none" if is_missing(b0) or is_missing(b1) else (
            ("paid " if r.get("paid_break") else "") + f"{b0}-{b1}")
        hours = r.get("paid_hours")
        rows.append({
            "group": str(r["group"]),
            "shift": f"{r['start']}-{r['end']}",
            "break": brk,
            "agents": count(r["count"]),
            "paid hours": "-" if is_missing(hours) else f"{float(hours):.1f} h",
            "cost": costs[k],
        })
    return pd.DataFrame(rows, columns=["group", "shift", "break", "agents", "paid hours", "cost"])


def outcome_display(outcome: pd.DataFrame, work: pd.DataFrame | None = None) -> pd.DataFrame:
    """A plan's verdict per channel (:attr:`wfm.planning.PlanResult.outcome`) for people,
    saying *why* a channel misses.

    The plan's rule (:func:`wfm.planning.judge`): the day's service level must clear
    the target by a statistical *safety margin* (its uncertainty over the
    replications), and no interval with enough contacts may fall short by more than its
    tolerance. ``headroom`` is the distance to the target; ``margin`` what the day must
    clear it by.

    Parameters
    ----------
    outcome : pandas.DataFrame
        ``channel``, ``service_level``, ``target``, ``margin``, ``day_met``,
        ``judged``, ``missed``, ``met``.
    work : pandas.DataFrame, optional
        :func:`wfm.diagnosis.work_left` of the plan's simulation: adds the work left at
        close.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``service level``, ``target``, ``above target by`` (points),
        ``must clear target by`` (points), ``intervals short`` (``"2 of 20"``),
        ``left at close`` (when ``work`` is given), ``verdict`` (``met``/``missed``)
        and ``why`` (one phrase).

    Examples
    --------
    >>> out = pd.DataFrame({"channel": ["phone"], "service_level": [0.83], "target": [0.8],
    ...                     "margin": [0.035], "day_met": [False], "judged": [20],
    ...                     "missed": [0], "met": [False]})
    >>> outcome_display(out)[["above target by", "why"]].values.tolist()
    [['+3.0 pts', 'the day is 3.0 pts above target but must clear it by 3.5 pts (the noise of the replications)']]
    """
    from wfm.report.format import agent_hours, count, pct, signed_points

    left = work.set_index("channel") if work is not None else None
    rows = []
    for r in outcome.to_dict("records"):
        sl, tgt, margin = float(r["service_level"]), float(r["target"]), float(r["margin"])
        head = sl - tgt
        why = []
        if not r["day_met"]:
            if head < 0:
                why.append(f"the day is {abs(100 * head):.1f} pts below target")
            else:
                why.append(f"the day is {100 * head:.1f} pts above target but must clear it by"
                           f" {100 * margin:.1f} pts (the noise of the replications)")
        if int(r["missed"]):
            why.append(f"{int(r['missed'])} of {int(r['judged'])} intervals fall short by more"
                       " than their tolerance")
        row = {
            "channel": str(r["channel"]),
            "service level": pct(sl),
            "target": pct(tgt, 0),
            "above target by": signed_points(head),
            "must clear target by": f"{100 * margin:.1f} pts",
            "intervals short": f"{int(r['missed'])} of {int(r['judged'])}",
        }
        if left is not None and r["channel"] in left.index:
            w = left.loc[r["channel"]]
            text = f"{count(w['backlog'])} ({agent_hours(3600 * float(w['backlog_hours']))})"
            if not bool(w["in_time"]):
                text += f", {count(w['not_in_time'])} not in time"
                why.append("work left at close cannot be answered in time")
            row["left at close"] = text
        row["verdict"] = "met" if r["met"] and not why else "missed"
        row["why"] = "; ".join(why) if why else "-"
        rows.append(row)
    return pd.DataFrame(rows)

"""Every table the CLI prints (rich), built from wfm's result types.

Numbers go through :mod:`wfm.report.format`, the one set of formatters (planner units:
percent, seconds for voice and chat waits, minutes or hours for deferred work,
agent-hours); user text is escaped (see :mod:`wfm.cli.console`).

Tables fit the width they are printed at (:func:`terminal_width`): the columns a
decision needs come first and always stay (the channel and its verdict, ``met``, then
the service level, the target and the work left at close); the others are shown, in
order of importance, while they fit. At 80 columns nothing a decision needs is lost.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from wfm.cli.console import escape
from wfm.report.format import (
    agent_hours,
    count,
    duration,
    money,
    number,
    pct,
    seconds,
    wait,
    with_ci,
)

if TYPE_CHECKING:  # pragma: no cover
    from wfm.batch import SweepResult
    from wfm.planning import PlanResult
    from wfm.scenario import Scenario

__all__ = ["erlang_table", "plan_bound_line", "plan_costs_table", "plan_outcome_table", "plan_reasons",
           "plan_schedule_table", "round_line", "summary_table", "sweep_results_table", "sweep_table",
           "terminal_width", "verdict_markup"]

_MARKUP = re.compile(r"\[/?[a-z #0-9]*\]")
_VERDICT_STYLE = {"met": "green", "missed": "red", "too close to call": "yellow",
                  "no target": "dim"}


def terminal_width(console: Console) -> int:
    """The width to draw tables at: the console's (the terminal's, or 140 for a pipe or
    a file), narrower when ``$COLUMNS`` says so (also for a pipe or a file)."""
    text = os.environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) >= 40:
        return min(int(text), int(console.width))
    return int(console.width)


def verdict_markup(verdict: str) -> str:
    """A verdict (``met``, ``missed``, ``too close to call``) in its colour."""
    style = _VERDICT_STYLE.get(str(verdict), "white")
    return f"[{style}]{escape(str(verdict))}[/]"


def _plain(text: str) -> str:
    return _MARKUP.sub("", text)


def _fit(columns: Sequence[tuple[str, str, list[str], bool]], width: int | None
         ) -> list[tuple[str, str, list[str], bool]]:
    """The columns that fit ``width`` (the required ones always), in display order.

    Each column is (header, justify, cells, required); optional columns are taken in the
    order given after the required ones, while the table stays within ``width``.
    """
    def need(col: tuple[str, str, list[str], bool]) -> int:
        head = max(len(x) for x in col[0].split("\n"))
        return max([head, *(len(_plain(c)) for c in col[2])]) + 3

    chosen = [c for c in columns if c[3]]
    total = 1 + sum(need(c) for c in chosen)
    for col in columns:
        if col[3]:
            continue
        if width is None or total + need(col) <= width:
            chosen.append(col)
            total += need(col)
    order = {id(c): k for k, c in enumerate(columns)}
    return sorted(chosen, key=lambda c: order[id(c)])


def _table(title: str, columns: Sequence[tuple[str, str, list[str], bool]],
           width: int | None) -> Table:
    cols = _fit(columns, width)
    table = Table(title=title, title_justify="left")
    for head, justify, _, _required in cols:
        table.add_column(head, justify=justify,  # type: ignore[arg-type]
                         no_wrap=head == "met")
    n = len(cols[0][2]) if cols else 0
    for i in range(n):
        table.add_row(*(c[2][i] for c in cols))
    return table


def summary_table(summary: pd.DataFrame, title: str, verdicts: pd.DataFrame | None = None,
                  width: int | None = None) -> Table:
    """A simulation summary: one row per channel against its target.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``SimulationResult.summary``.
    title : str
    verdicts : pandas.DataFrame, optional
        :func:`wfm.diagnosis.verdicts` of the run: the ``met`` column then says
        ``met``, ``missed`` or ``too close to call`` (work left at close included) and
        ``left at close`` gives the agent-hours; without it, the summary's ``met``.
    width : int, optional
        The width to fit (see the module docstring); None shows every column.

    Returns
    -------
    rich.table.Table
        Columns, in order: ``channel``, ``met``, ``service level`` (± the 95%
        half-width after several replications), ``target``, ``left at close``
        (contacts, agent-hours), then while they fit: ``ASA`` (seconds for voice and
        chat, minutes or hours for deferred work), ``aband.``, ``offered``, ``p90
        wait``, ``answered``, ``abandoned``, ``kind``.
    """
    s = summary.reset_index(drop=True)
    v = verdicts.set_index("channel") if verdicts is not None else None
    kinds = s["kind"].astype(str).tolist()
    ci = s["service_level_ci"] if "service_level_ci" in s.columns else [math.nan] * len(s)
    met, left = [], []
    for r in s.itertuples(index=False):
        c = str(r.channel)
        if v is not None and c in v.index:
            met.append(verdict_markup(str(v.at[c, "verdict"])))
            hours = float(v.at[c, "backlog_hours"])
            text = number(round(float(r.backlog), 1))
            if float(r.backlog) > 0:
                text += f" ({agent_hours(3600 * hours)})"
            if bool(v.at[c, "late_backlog"]):
                text = f"[red]{text}[/]"
            left.append(text)
        else:
            met.append(verdict_markup("met" if bool(r.met) else "missed"))
            left.append(number(round(float(r.backlog), 1)))
    columns: list[tuple[str, str, list[str], bool]] = [
        ("channel", "left", [escape(str(c)) for c in s["channel"]], True),
        ("met", "left", met, True),
        ("service level", "right",
         [with_ci(x, c) for x, c in zip(s["service_level"], ci, strict=True)], True),
        ("target", "right", [f"{100 * t:.0f}% in {duration(w)}" if math.isfinite(float(t))
                             else "-" for t, w in
                             zip(s["target_service_level"], s["answer_within"], strict=True)],
         True),
        ("left at close", "right", left, True),
        ("ASA", "right", [wait(x, k) for x, k in zip(s["asa"], kinds, strict=True)], False),
        ("aband.", "right", [pct(x) for x in s["abandonment"]], False),
        ("offered", "right", [number(x) for x in s["offered"]], False),
        ("p90 wait", "right", [wait(x, k) for x, k in zip(s["wait_p90"], kinds, strict=True)],
         False),
        ("answered", "right", [number(x) for x in s["answered"]], False),
        ("abandoned", "right", [number(x) for x in s["abandoned"]], False),
        ("kind", "left", kinds, False),
    ]
    # display order: the decision first, then the detail
    return _table(escape(title), columns, width)


def plan_schedule_table(res: PlanResult, width: int | None = None) -> Table:
    """The planned shifts per group: agents, shift hours, coverage and shortfall (the
    money, paid hours and FTE are in :func:`plan_costs_table`)."""
    sched = res.schedule
    summ = sched.summary()
    groups = [escape(str(g)) for g in summ["group"]] + ["[bold]total[/]"]
    agents = [count(x) for x in summ["agents"]] + [count(summ["agents"].sum())]
    hours = [f"{x:,.1f} h" for x in summ["paid_hours"]] + [f"{summ['paid_hours'].sum():,.1f} h"]
    req = [count(x) for x in summ["required"]] + [count(summ["required"].sum())]
    sch = [count(x) for x in summ["scheduled"]] + [count(summ["scheduled"].sum())]
    short = [count(r.shortfall) + (f" in {r.short_intervals} int." if r.shortfall else "")
             for r in summ.itertuples(index=False)] + [count(summ["shortfall"].sum())]
    columns: list[tuple[str, str, list[str], bool]] = [
        ("group", "left", groups, True),
        ("agents", "right", agents, True),
        ("shift hours", "right", hours, True),
        ("short", "right", short, True),
        ("required", "right", req, False),
        ("scheduled", "right", sch, False),
    ]
    title = (f"{escape(res.scenario.name)}: schedule (round {res.best_iteration},"
             f" {sched.status_text}, gap {pct(sched.gap)})")
    return _table(title, columns, width)


def plan_costs_table(res: PlanResult, width: int | None = None) -> Table:
    """Money, paid hours and FTE of the plan per group and in total (:attr:`PlanResult.costs`).

    Columns: ``group``, ``paid hours`` (shrinkage included), ``FTE``, ``cost`` (in the
    scenario's currency, named in the header; plain without one), then while they fit
    ``agents``, ``shift hours``, ``shrinkage`` and ``wage``.
    """
    from wfm.report.schedule import plan_costs_display

    shown = plan_costs_display(res.costs, res.currency)
    wage_col = next(c for c in shown.columns if str(c).startswith("wage"))
    cost_col = next(c for c in shown.columns if str(c).startswith("cost"))
    last = len(shown) - 1

    def cells(col: str) -> list[str]:
        vals = [escape(str(x)) for x in shown[col]]
        return [f"[bold]{v}[/]" if i == last else v for i, v in enumerate(vals)]

    columns: list[tuple[str, str, list[str], bool]] = [
        ("group", "left", cells("group"), True),
        ("paid hours", "right", cells("paid hours"), True),
        ("FTE", "right", cells("FTE"), True),
        (escape(str(cost_col)), "right", cells(cost_col), True),
        ("agents", "right", cells("agents"), False),
        ("shift hours", "right", cells("shift hours"), False),
        ("shrinkage", "right", cells("shrinkage"), False),
        (escape(str(wage_col)).replace(" (", "\n("), "right", cells(wage_col), False),
    ]
    title = (f"money and FTE (paid hours include shrinkage; FTE: {res.fte_hours:g} paid hours per"
             " 7-day week)")
    return _table(title, columns, width)


def plan_bound_line(res: PlanResult) -> str:
    """The plan's cost against the lower bound (:attr:`PlanResult.lower_bound`), one line
    of rich markup (user text escaped)."""
    from wfm.report.schedule import lower_bound_text

    return escape(lower_bound_text(res.cost, res.lower_bound, res.currency))


def plan_outcome_table(res: PlanResult, width: int | None = None) -> Table:
    """Each channel's simulated outcome under the plan, with the plan's verdict.

    ``above target`` is the day's distance to the target (headroom); ``must clear`` is
    the statistical safety margin the plan's rule asks the day to clear the target by
    (its uncertainty over the replications); ``short`` counts the judged intervals that
    fall short by more than their tolerance (see :func:`wfm.planning.judge`).
    """
    from wfm.diagnosis import work_left
    from wfm.report.schedule import outcome_display

    sim = res.simulation
    shown = outcome_display(res.outcome, work_left(sim))
    ok = [verdict_markup(v) for v in shown["verdict"]]
    columns: list[tuple[str, str, list[str], bool]] = [
        ("channel", "left", [escape(c) for c in shown["channel"]], True),
        ("met", "left", ok, True),
        ("service level", "right", shown["service level"].tolist(), True),
        ("target", "right", shown["target"].tolist(), True),
        ("above\ntarget", "right", shown["above target by"].tolist(), True),
        ("must\nclear", "right", shown["must clear target by"].tolist(), True),
        ("short", "right", shown["intervals short"].tolist(), False),
        ("left at close", "right", shown.get("left at close", pd.Series(["-"] * len(shown)))
         .tolist(), False),
    ]
    title = (f"outcome per channel (simulated, seed {sim.seed}, {sim.n_replications}"
             " replication(s))")
    return _table(title, columns, width)


def plan_reasons(res: PlanResult) -> list[str]:
    """Why each channel the plan's verdict misses, one line each (empty when all meet)."""
    from wfm.diagnosis import work_left
    from wfm.report.schedule import outcome_display

    shown = outcome_display(res.outcome, work_left(res.simulation))
    return [f"{r['channel']} missed: {r['why']}" for r in shown.to_dict("records")
            if r["verdict"] != "met"]


def round_line(k: int, row: Any, targets: dict[str, float] | None = None,
               currency: str | None = None) -> str:
    """One plan round for the terminal: cost, verdict and each channel's day; a missed
    channel whose day is at or above its target says why it still misses (some
    intervals fall short, or the day is within its safety margin). When the row has
    them, the agent-intervals of requirement the round's result adds and removes for
    the next round (``+25 -36 agent-intervals``), those given back after a blamed
    removal, and the round a confirmation round re-simulates."""
    targets = targets or {}
    sls = []
    for c in row.index:
        if str(c).endswith("_service_level"):
            sls.append(f"{escape(str(c)[: -len('_service_level')])} {pct(row[c])}")
    if row["met"]:
        verdict = "[green]met[/]"
    else:
        missed = [m.strip() for m in str(row["missed"]).split(",") if m.strip()]
        parts = []
        for m in missed:
            sl = row.get(f"{m}_service_level", math.nan)
            t = targets.get(m)
            if t is not None and math.isfinite(float(sl)) and float(sl) >= t:
                parts.append(f"{escape(m)} (day {pct(sl)} >= {pct(t, 0)}, but some intervals"
                             " fall short or the day is within its safety margin)")
            else:
                parts.append(escape(m))
        verdict = f"[yellow]missed[/] {', '.join(parts)}"
    cost = money(row["cost"], 0) + (f" {escape(currency)}" if currency else "")
    line = f"round {k}: cost {cost}, {verdict} | {' '.join(sls)}"
    changes = []
    if "added" in row.index and "removed" in row.index:
        changes.append(f"+{count(row['added'])} -{count(row['removed'])} agent-intervals next")
    if "undone" in row.index and _positive(row["undone"]):
        changes.append(f"{count(row['undone'])} given back")
    if "confirms" in row.index and _positive(row["confirms"]):
        changes.append(f"confirms round {count(row['confirms'])} with a new seed")
    if changes:
        line += f" | {', '.join(changes)}"
    return line


def _positive(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def sweep_table(res: SweepResult) -> Table:
    """What a sweep did: points, resumed, failed, wall time."""
    table = Table(title=f"sweep {escape(res.name)}", title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("points", f"{res.points}")
    table.add_row("run now", f"{res.ran}")
    table.add_row("done before (resumed)", f"{res.resumed}")
    table.add_row("failed", f"[red]{res.failed}[/]" if res.failed else "0")
    table.add_row("varied", escape(", ".join(res.params)) or "-")
    table.add_row("wall time", f"{res.elapsed:.1f} s"
                  + (f" ({res.ran / res.elapsed:.1f} points/s)" if res.ran else ""))
    return table


def sweep_results_table(summary: pd.DataFrame, params: Sequence[str],
                        scenario: Scenario | None = None, width: int | None = None,
                        max_rows: int = 60) -> Table:
    """A sweep's results: one row per point, the varied values, then each channel's
    service level (coloured by its verdict against the target: green met, red missed,
    yellow too close to call) and the contacts left at close over every channel.

    Channels that do not fit ``width`` are left out (the CSV files hold every number).
    """
    from wfm.report.sweep import _short_param, sweep_display

    shown = sweep_display(summary, params, scenario)
    points = list(dict.fromkeys(shown["point"])) if len(shown) else []
    channels = list(dict.fromkeys(shown["channel"])) if len(shown) else []
    short = [_short_param(p) for p in params]
    by = {(r["point"], r["channel"]): r for r in shown.to_dict("records")}
    columns: list[tuple[str, str, list[str], bool]] = [
        ("point", "right", points[:max_rows], True)]
    for p in short:
        first = [next((by[(pt, c)][p] for c in channels if (pt, c) in by), "-")
                 for pt in points[:max_rows]]
        columns.append((escape(p), "right", [escape(x) for x in first], True))
    for c in channels:
        cells = []
        for pt in points[:max_rows]:
            r = by.get((pt, c))
            if r is None:
                cells.append("-")
                continue
            text = r["service level"].split(" (")[0]
            style = _VERDICT_STYLE.get(r["met"])
            cells.append(f"[{style}]{text}[/]" if style else text)
        columns.append((escape(c), "right", cells, False))
    left = []
    for pt in points[:max_rows]:
        rows = summary[summary["point"].astype(str) == pt]
        left.append(number(round(float(rows["backlog"].sum()), 1)) if "backlog" in rows else "-")
    columns.insert(1 + len(short), ("left at\nclose", "right", left, True))
    title = "service level per point (green met, red missed, yellow too close to call)"
    if len(points) > max_rows:
        title += f"; first {max_rows} of {len(points)} points"
    return _table(title, columns, width)


def erlang_table(title: str, rows: list[tuple[int, float, float, float, float]], required: int
                 ) -> Table:
    """Agents around the requirement: service level, ASA, occupancy, abandonment."""
    table = Table(title=title)
    for col in ("agents", "service level", "ASA", "occupancy", "abandonment"):
        table.add_column(col, justify="right")
    for k, sl, asa, occ, ab in rows:
        mark = "[bold green]" if k == required else ""
        table.add_row(f"{mark}{k:,}", pct(sl), seconds(asa), pct(occ), pct(ab))
    return table

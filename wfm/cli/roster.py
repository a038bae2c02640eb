"""``wfm roster SCENARIO``: a weekly roster of a multi-day scenario, printed and
optionally saved (CSV files and an HTML week view).

Registered on the ``wfm`` app by :mod:`wfm.cli.main` (wrapped in its error guard: bad
input exits with 2, an unwritable ``--out`` with 4).
"""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.table import Table

from wfm.atomic import check_writable_dir
from wfm.checks import finite_number
from wfm.cli.console import console, escape, fail

__all__ = ["headcount_table", "roster"]


def headcount_table(r: object, title: str) -> Table:
    """Per group and contract: agents, paid hours, FTE, overtime hours, cost; then per
    group the requirement covered and the shortfall (agent-intervals)."""
    from wfm.scheduling import Roster

    assert isinstance(r, Roster)
    table = Table(title=escape(title), title_justify="left")
    for col in ("group", "contract", "agents", "paid h", "FTE", "overtime h", "cost", "shortfall"):
        table.add_column(col, justify="left" if col in ("group", "contract") else "right", no_wrap=True)
    summ = r.summary().set_index("group")
    for g, part in r.headcount.groupby("group", sort=False):
        for k, row in enumerate(part.itertuples(index=False)):
            short = ""
            if k == len(part) - 1:
                s = summ.loc[g]
                short = (f"[red]{s['shortfall']:,.0f} in {int(s['short_intervals'])} int.[/]"
                         if s["shortfall"] > 0 else "0")
            table.add_row(escape(str(g)) if k == 0 else "", escape(str(row.contract)), f"{row.agents:,}",
                          f"{row.paid_hours:,.1f}", f"{row.fte:,.2f}", f"{row.overtime_hours:,.1f}",
                          f"{row.cost:,.2f}", short)
    table.add_row("total", "", f"{len(r.agents):,}", f"{r.paid_hours:,.1f}", f"{r.fte:,.2f}",
                  f"{r.headcount['overtime_hours'].sum():,.1f}", f"{r.cost:,.2f}", f"{r.shortfall:,.0f}",
                  style="bold")
    return table


def roster(
    scenario: Path = typer.Argument(..., help="scenario YAML file of one or more days"),
    out: Path | None = typer.Option(None, help="write agents, shifts, week, coverage, headcount CSV and report.html"),
    rules: Path | None = typer.Option(
        None, help="roster rules YAML (contracts, wages, rest; see docs/guides/rosters.md)"
    ),
    time_limit: float = typer.Option(60.0, help="solver time limit, seconds"),
    gap: float = typer.Option(0.01, help="relative MIP gap"),
) -> None:
    """Roster agents for the week: days off, shifts and breaks under contract types,
    rest and start-time stability, covering each group's requirement at least cost."""
    from wfm.scenario import load_scenario
    from wfm.scheduling import load_roster_rules, weekly_roster

    time_limit = finite_number("--time-limit", time_limit, minimum=0, strict=True)
    gap = finite_number("--gap", gap, minimum=0, maximum=0.99)
    sc = load_scenario(scenario)
    rr = load_roster_rules(rules) if rules is not None else None
    if out is not None:
        try:
            check_writable_dir(out)
        except OSError as exc:
            fail(f"--out {out}: {exc}", 4)
    r = weekly_roster(sc, roster_rules=rr, time_limit=time_limit, gap=gap)
    state = str(r.status) + ("" if r.optimal or not math.isfinite(r.gap) else f", gap {100 * r.gap:.2f}%")
    console.print(headcount_table(
        r, f"{sc.name}: roster of {r.days} day(s), {len(r.agents):,} agents ({state},"
           f" {r.build_seconds + r.solve_seconds:.1f} s)"))
    console.print("paid hours and FTE in the horizon (FTE = paid hours / (fte_hours x weeks)); cost in the"
                  " scenario's currency; shortfall in agent-intervals", style="dim", highlight=False)
    color = "green" if r.shortfall <= 0 else "yellow"
    console.print(f"[{color}]{escape(r.statement())}[/]", highlight=False)
    if out is not None:
        from wfm.report.capacity import write_roster_report

        for p in write_roster_report(r, out, title=f"Roster: {sc.name}"):
            console.print(f"wrote {escape(str(p))}", highlight=False)

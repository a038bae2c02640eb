"""``wfm roster SCENARIO``: a weekly roster of a multi-day scenario, printed and
optionally saved (CSV files, an HTML week view and the scenario with the roster as its
agents, ``rostered.yaml``), and optionally checked in the simulation agent by agent
(``--simulate N`` replications).

Registered on the ``wfm`` app by :mod:`wfm.cli.main` (wrapped in its error guard: bad
input exits with 2, an unwritable ``--out`` with 4).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from wfm.atomic import check_writable_dir
from wfm.checks import finite_number, whole_number
from wfm.cli.console import console, escape, fail
from wfm.report.format import summary_display

if TYPE_CHECKING:
    from wfm.scenario import Scenario
    from wfm.scheduling import Roster

__all__ = ["check_table", "headcount_table", "roster"]


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
    simulate: int = typer.Option(
        0, help="simulate the roster agent by agent with this many replications and show each"
                " channel's service level against its target (0: no check)"),
    seed: int = typer.Option(0, help="first seed of the --simulate check"),
) -> None:
    """Roster agents for the week: days off, shifts and breaks under contract types,
    rest and start-time stability, covering each group's requirement at least cost."""
    from wfm.scenario import load_scenario
    from wfm.scheduling import load_roster_rules, weekly_roster

    time_limit = finite_number("--time-limit", time_limit, minimum=0, strict=True)
    gap = finite_number("--gap", gap, minimum=0, maximum=0.99)
    simulate = whole_number("--simulate", simulate, minimum=0, maximum=1000)
    seed = whole_number("--seed", seed, minimum=0)
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
        from wfm.scheduling.handoff import with_shifts

        paths = write_roster_report(r, out, title=f"Roster: {sc.name}")
        try:  # the roster as the scenario's agents: `wfm run rostered.yaml` simulates it
            with_shifts(sc, r).to_yaml(out / "rostered.yaml")
            paths.append(out / "rostered.yaml")
        except OSError as exc:
            fail(f"--out {out}: {exc}", 4)
        for p in paths:
            console.print(f"wrote {escape(str(p))}", highlight=False)
    if simulate:
        check_table(sc, r, simulate, seed)


def check_table(sc: Scenario, plan: Roster, replications: int, seed: int) -> None:
    """Simulate the roster agent by agent and print each channel against its target."""
    from wfm.scheduling.handoff import with_shifts
    from wfm.sim.engine import simulate

    res = simulate(with_shifts(sc, plan), seed=seed, replications=replications)
    shown = summary_display(res.summary)
    table = Table(title=f"the roster simulated agent by agent ({replications} replication(s), seed {seed})")
    cols = ("channel", "service level", "target", "ASA", "abandonment", "met")
    for col in cols:
        table.add_column(col, justify="left" if col == "channel" else "right")
    for row in shown.itertuples(index=False):
        values = dict(zip(shown.columns, row, strict=True))
        table.add_row(*(escape(str(values[c])) for c in cols[:-1]),
                      "[green]yes[/]" if values["met"] else "[red]no[/]")
    console.print(table)

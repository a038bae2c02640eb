"""Every table the CLI prints (rich), built from wfm's result types.

Numbers go through :mod:`wfm.report.format`, the one set of formatters; user text is
escaped (see :mod:`wfm.cli.console`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

from wfm.cli.console import escape
from wfm.report.format import count, duration, number, pct, seconds

if TYPE_CHECKING:  # pragma: no cover
    from wfm.batch import SweepResult
    from wfm.planning import PlanResult

__all__ = ["erlang_table", "plan_outcome_table", "plan_schedule_table", "summary_table",
           "sweep_table"]


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """A simulation summary: one row per channel against its target."""
    has_ci = "service_level_ci" in summary.columns
    table = Table(title=escape(title), title_justify="left")
    for col in ("channel", "kind", "offered", "answered", "abandoned", "service level", "target",
                "ASA", "p90 wait", "aband.", "backlog", "met"):
        table.add_column(col, justify="left" if col in ("channel", "kind") else "right",
                         no_wrap=True)
    for row in summary.itertuples(index=False):
        sl = pct(row.service_level)
        if has_ci and not math.isnan(row.service_level_ci):
            sl += f" ± {100 * row.service_level_ci:.1f}"
        target = f"{100 * row.target_service_level:.0f}% in {duration(row.answer_within)}"
        met = "[green]met[/]" if row.met else "[red]missed[/]"
        table.add_row(escape(str(row.channel)), row.kind, number(row.offered),
                      number(row.answered), number(row.abandoned), sl, target,
                      seconds(row.asa), seconds(row.wait_p90), pct(row.abandonment),
                      number(row.backlog), met)
    return table


def plan_schedule_table(res: PlanResult) -> Table:
    """The planned shifts per group: agents, paid hours, cost, coverage and shortfall."""
    sched = res.schedule
    table = Table(
        title=f"{escape(res.scenario.name)}: schedule (round {res.best_iteration}, {sched.status_text},"
              f" gap {pct(sched.gap)})",
        title_justify="left",
    )
    for col in ("group", "agents", "paid h", "cost", "required", "scheduled", "shortfall"):
        table.add_column(col, justify="left" if col == "group" else "right")
    summ = sched.summary()
    for r in summ.itertuples(index=False):
        short = count(r.shortfall) + (f" in {r.short_intervals} int." if r.shortfall else "")
        table.add_row(escape(str(r.group)), count(r.agents), f"{r.paid_hours:,.1f}",
                      f"{r.cost:,.1f}", count(r.required), count(r.scheduled), short)
    table.add_row("total", count(summ["agents"].sum()), f"{summ['paid_hours'].sum():,.1f}",
                  f"{sched.cost:,.1f}", count(summ["required"].sum()),
                  count(summ["scheduled"].sum()), count(summ["shortfall"].sum()), style="bold")
    return table


def plan_outcome_table(res: PlanResult) -> Table:
    """Each channel's simulated outcome under the plan, with the plan's verdict."""
    outcome = Table(title=f"outcome per channel (simulated, seed {res.simulation.seed},"
                          f" {res.simulation.n_replications} replication(s))",
                    title_justify="left")
    for col in ("channel", "service level", "target", "margin", "day", "intervals missed", "met"):
        outcome.add_column(col, justify="left" if col == "channel" else "right")
    for v in res.outcome.itertuples(index=False):
        outcome.add_row(escape(str(v.channel)), pct(v.service_level), pct(v.target),
                        pct(v.margin), "met" if v.day_met else "missed",
                        f"{v.missed} of {v.judged}",
                        "[green]met[/]" if v.met else "[red]missed[/]")
    return outcome


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

"""``wfm capacity SPEC.yaml``: a long-term hiring plan, printed and optionally saved.

Registered on the ``wfm`` app by :mod:`wfm.cli.main` (wrapped in its error guard: bad
input exits with 2, an unwritable ``--out`` with 4).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from wfm.atomic import check_writable_dir
from wfm.checks import finite_number
from wfm.cli.console import console, escape, fail

__all__ = ["capacity", "capacity_table", "classes_table"]


def capacity_table(plan: object) -> Table:
    """One row per period: required, headcount, effective FTE, hires, attrition, over,
    under (FTE or agents) and cost (money), then the totals."""
    from wfm.capacity import CapacityPlan

    assert isinstance(plan, CapacityPlan)
    unit = plan.period
    table = Table(title=f"{escape(plan.name)}: {len(plan.periods)} {unit}s, cost {plan.cost:,.0f}"
                        f" ({plan.status}{'' if plan.optimal else f', gap {100 * plan.gap:.2f}%'})",
                  title_justify="left")
    for col in (unit, "required FTE", "headcount", "effective FTE", "hires", "leaving", "over FTE",
                "under FTE", "cost"):
        table.add_column(col, justify="left" if col == unit else "right", no_wrap=True)
    for r in plan.periods.itertuples(index=False):
        under = f"[red]{r.under:,.1f}[/]" if r.under > 1e-6 else "-"
        table.add_row(escape(str(r.label)), f"{r.required:,.1f}", f"{r.headcount:,.1f}", f"{r.effective:,.1f}",
                      f"{r.hires:,}" if r.hires else "-", f"{r.attrition:,.1f}",
                      f"{r.over:,.1f}" if r.over > 1e-6 else "-", under, f"{r.cost:,.0f}")
    p = plan.periods
    table.add_row("total", f"{p['required'].sum():,.1f}", "", "", f"{plan.hires:,}", f"{p['attrition'].sum():,.1f}",
                  f"{plan.overstaffing:,.1f}", f"{plan.shortfall:,.1f}", f"{plan.cost:,.0f}", style="bold")
    return table


def classes_table(plan: object) -> Table:
    """The hiring classes: when recruiting starts, the first paid period, on the floor,
    fully productive, agents."""
    from wfm.capacity import CapacityPlan

    assert isinstance(plan, CapacityPlan)
    table = Table(title="hiring classes", title_justify="left")
    for col in ("recruiting from", "hired (paid) from", "on the floor", "fully productive", "agents"):
        table.add_column(col, justify="right" if col == "agents" else "left")
    for r in plan.classes.itertuples(index=False):
        table.add_row(escape(str(r.recruiting_start)), escape(str(r.start)), escape(str(r.on_floor or "-")),
                      escape(str(r.full or "after the plan")), f"{r.hires:,}")
    return table


def capacity(
    spec: Path = typer.Argument(..., help="capacity plan YAML file (see docs/guides/capacity.md)"),
    out: Path | None = typer.Option(None, help="write periods.csv, classes.csv and report.html here"),
    time_limit: float = typer.Option(30.0, help="solver time limit, seconds"),
    gap: float = typer.Option(0.005, help="relative MIP gap on the cost hiring changes"),
) -> None:
    """Plan hiring classes so that effective FTE covers a weekly or monthly requirement
    at least cost, against attrition, lead time and ramp-up."""
    from wfm.capacity import load_capacity

    time_limit = finite_number("--time-limit", time_limit, minimum=0, strict=True)
    gap = finite_number("--gap", gap, minimum=0, maximum=0.99)
    sp = load_capacity(spec)
    if out is not None:
        try:
            check_writable_dir(out)
        except OSError as exc:
            fail(f"--out {out}: {exc}", 4)
    plan = sp.plan(base_dir=spec.parent, time_limit=time_limit, gap=gap)
    console.print(capacity_table(plan))
    console.print(f"FTE and headcount are expected values (attrition is a rate); cost = salary"
                  f" {plan.salary_cost:,.0f} + hiring {plan.hiring_cost:,.0f}", style="dim", highlight=False)
    if not plan.classes.empty:
        console.print(classes_table(plan))
    color = "green" if plan.shortfall <= 1e-6 else "yellow"
    console.print(f"[{color}]{escape(plan.statement())}[/]", highlight=False)
    if out is not None:
        from wfm.report.capacity import write_capacity_report

        for p in write_capacity_report(plan, out):
            console.print(f"wrote {escape(str(p))}", highlight=False)

"""The command line: ``wfm run | plan | sweep | erlang``.

Each command is thin: it parses options, calls the library, prints a rich table and
turns :class:`wfm.ScenarioError` (and other bad input) into a one-line message and
exit code 2 instead of a traceback.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from wfm.scenario import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="wfm: workforce management and capacity simulation for omnichannel contact centres.",
)
# a report printed to a file or a pipe is not cut to rich's 80-column default
console = Console() if sys.stdout.isatty() else Console(width=140)
err_console = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _fmt(x: float, kind: str = "num") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "sec":
        return f"{x:,.1f} s"
    return f"{x:,.0f}"


def summary_table(summary, title: str) -> Table:
    """A rich table of a simulation summary: one row per channel against its target."""
    has_ci = "service_level_ci" in summary.columns
    table = Table(title=title, title_justify="left")
    for col in ("channel", "kind", "offered", "answered", "abandoned", "service level", "target", "ASA",
                "p90 wait", "aband.", "backlog", "met"):
        table.add_column(col, justify="left" if col in ("channel", "kind") else "right", no_wrap=True)
    for row in summary.itertuples(index=False):
        sl = _fmt(row.service_level, "pct")
        if has_ci and not math.isnan(row.service_level_ci):
            sl += f" ± {100 * row.service_level_ci:.1f}"
        target = f"{100 * row.target_service_level:.0f}%/{_fmt_duration(row.answer_within)}"
        met = "[green]met[/]" if row.met else "[red]missed[/]"
        table.add_row(row.channel, row.kind, _fmt(row.offered), _fmt(row.answered),
                      _fmt(row.abandoned), sl, target, _fmt(row.asa, "sec"),
                      _fmt(row.wait_p90, "sec"), _fmt(row.abandonment, "pct"),
                      _fmt(row.backlog), met)
    return table


def _fmt_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}min"
    return f"{seconds:g}s"


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    seed: int = typer.Option(0, help="root random seed"),
    replications: int = typer.Option(1, min=1, help="independent replications"),
    out: Path | None = typer.Option(
        None, help="write intervals.csv, summary.csv, report.html here"
    ),
) -> None:
    """Simulate a scenario and print each channel against its target."""
    from wfm.sim.engine import simulate

    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        _fail(str(exc))
    result = simulate(sc, seed=seed, replications=replications, progress=replications > 1)
    console.print(
        summary_table(
            result.summary,
            f"{sc.name}: {sc.horizon} x {sc.interval_minutes}-min intervals from {sc.start}, "
            f"seed {seed}, {replications} replication(s), {result.elapsed:.2f} s",
        )
    )
    if out is not None:
        from wfm.report import write_run_report

        paths = write_run_report(result, out)
        for p in paths:
            console.print(f"wrote {p}")
    if not result.met:
        missed = ", ".join(result.summary.loc[~result.summary["met"], "channel"])
        console.print(f"[yellow]targets missed:[/] {missed}")


@app.command()
def plan(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    seed: int = typer.Option(0, help="root random seed"),
    replications: int = typer.Option(3, min=1, help="replications per simulation check"),
    max_iterations: int = typer.Option(10, min=1, help="simulate-and-correct rounds at most"),
    time_limit: float = typer.Option(60.0, help="solver time limit per round, seconds"),
    out: Path | None = typer.Option(None, help="write shifts, coverage and report.html here"),
) -> None:
    """Schedule shifts to meet every target, checked and corrected by the simulation."""
    from wfm.planning import cli_plan

    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        _fail(str(exc))
    cli_plan(
        sc,
        seed=seed,
        replications=replications,
        max_iterations=max_iterations,
        time_limit=time_limit,
        out=out,
        console=console,
    )


@app.command()
def sweep(
    spec: Path = typer.Argument(..., help="sweep spec YAML file (see simulations/)"),
    out: Path = typer.Option(..., help="results directory (Parquet); rerun to resume"),
    workers: int | None = typer.Option(None, help="local worker processes (default: cores)"),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address, tcp://host:8786"),
    dask: bool = typer.Option(False, "--dask", help="run on a local Dask cluster"),
) -> None:
    """Run every point of a sweep spec in parallel; results to Parquet as points finish."""
    from wfm.sweep import cli_sweep

    code = cli_sweep(
        spec, out=out, workers=workers, scheduler=scheduler, use_dask=dask, console=console
    )
    raise typer.Exit(code)


@app.command()
def erlang(
    volume: float = typer.Argument(..., help="contacts offered per interval"),
    aht: float = typer.Option(..., help="mean handle time, seconds"),
    answer_within: float = typer.Option(20, help="seconds"),
    service_level: float = typer.Option(0.8, help="target share answered within answer_within"),
    interval: float = typer.Option(1800, help="interval length, seconds"),
    patience: float | None = typer.Option(None, help="mean patience, seconds (Erlang A)"),
) -> None:
    """Required agents for one interval, and the service level around that number."""
    from wfm import erlang as er

    try:
        n = int(
            er.required_agents(
                volume, aht, answer_within, service_level, interval=interval, patience=patience
            )
        )
    except ValueError as exc:
        _fail(str(exc))
    table = Table(title=f"{volume:g} contacts / {interval:g} s, AHT {aht:g} s")
    for col in ("agents", "service level", "ASA", "occupancy", "abandonment"):
        table.add_column(col, justify="right")
    for k in range(max(n - 2, 1), n + 3):
        sl = float(
            er.service_level(volume, aht, k, answer_within, interval=interval, patience=patience)
        )
        asa = float(er.asa(volume, aht, k, interval=interval, patience=patience))
        occ = float(er.occupancy(volume, aht, k, interval=interval, patience=patience))
        ab = float(er.abandonment(volume, aht, k, patience, interval=interval)) if patience else 0.0
        mark = "[bold green]" if k == n else ""
        table.add_row(
            f"{mark}{k}", _fmt(sl, "pct"), _fmt(asa, "sec"), _fmt(occ, "pct"), _fmt(ab, "pct")
        )
    console.print(table)
    console.print(
        f"required: [bold]{n}[/] agents for {100 * service_level:g}% in {answer_within:g} s"
    )


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

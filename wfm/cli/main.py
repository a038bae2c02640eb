"""The ``wfm`` command: ``run``, ``plan``, ``sweep``, ``erlang``.

Each command parses its options, calls the library and prints rich tables. Every error
a user can cause prints one line (``error: ...``) and a documented exit code (see
:data:`wfm.cli.console.EXIT` and ``wfm --help``) instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from wfm import planning
from wfm.atomic import check_writable_dir
from wfm.checks import finite_number, whole_number
from wfm.cli.console import EXIT, console, err_console, escape, fail, guarded
from wfm.cli.progress import replications_bar, sweep_bar
from wfm.cli.tables import (
    erlang_table,
    plan_bound_line,
    plan_costs_table,
    plan_outcome_table,
    plan_reasons,
    plan_schedule_table,
    round_line,
    summary_table,
    sweep_results_table,
    sweep_table,
    terminal_width,
)
from wfm.scenario import Scenario, load_scenario

__all__ = ["app", "main"]

_CODES = "\n\n".join(f"{code}: {text}" for code, text in EXIT.items())

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click errors: "Error: Invalid value for ..." on one line
    help="wfm: workforce management and capacity simulation for omnichannel contact centres.",
    epilog=f"Exit codes:\n\n{_CODES}",
)


def _scenario(path: Path) -> Scenario:
    return load_scenario(path)


def _out_dir(out: Path | None) -> None:
    """Refuse an unusable output folder before any work starts."""
    if out is not None:
        try:
            check_writable_dir(out)
        except OSError as exc:
            fail(f"--out {out}: {exc}", 4)


def _csv_writer(frame: Any) -> Callable[[Any], None]:
    """What :func:`wfm.atomic.atomic_write` calls to write ``frame`` as CSV."""

    def write(fh: Any) -> None:
        frame.to_csv(fh, index=False)

    return write


def _wrote(paths: list[Path]) -> None:
    for p in paths:
        console.print(f"wrote {escape(str(p))}", highlight=False)


@app.command()
@guarded
def run(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    seed: int = typer.Option(0, help="root random seed (a whole number >= 0)"),
    replications: int = typer.Option(1, help="independent replications"),
    workers: int = typer.Option(1, help="processes that run the replications at once"),
    out: Path | None = typer.Option(
        None, help="write intervals.csv, groups.csv, summary.csv and report.html here"
    ),
) -> None:
    """Simulate a scenario and print each channel against its target.

    The ``met`` column says met, missed or too close to call (the 95% interval of the
    service level straddles the target); work left at close that cannot be answered in
    time makes a channel miss. Then, for each channel that misses, where and why.
    """
    from wfm.diagnosis import diagnose
    from wfm.sim.engine import simulate

    seed = whole_number("--seed", seed, minimum=0)
    replications = whole_number("--replications", replications, minimum=1)
    workers = whole_number("--workers", workers, minimum=1, maximum=256)
    sc = _scenario(scenario)
    _out_dir(out)
    with replications_bar(console, replications, show=replications > 1) as progress:
        result = simulate(sc, seed=seed, replications=replications, progress=progress,
                          workers=workers)
    diag = diagnose(result)
    verdicts = diag.verdicts
    width = terminal_width(console)
    console.print(
        summary_table(
            result.summary,
            f"{sc.name}: {sc.horizon} x {sc.interval_minutes}-min intervals from {sc.start}, "
            f"seed {seed}, {replications} replication(s), {result.elapsed:.2f} s",
            verdicts,
            width=width,
        ),
        width=width,
    )
    if out is not None:
        from wfm.report import write_run_report

        _wrote(write_run_report(result, out, diag))
    missed = verdicts.loc[verdicts["verdict"] == "missed", "channel"].astype(str).tolist()
    close = verdicts.loc[verdicts["verdict"] == "too close to call", "channel"].astype(str).tolist()
    for line in (x for x in diag.statements if not x.startswith("Idle:")):
        console.print(escape(line), highlight=False, width=width)
    if missed:
        console.print(f"[yellow]targets missed:[/] {escape(', '.join(missed))}", width=width)
    if close:
        console.print(f"[yellow]too close to call:[/] {escape(', '.join(close))} (the 95%"
                      " interval straddles the target: run more --replications)", width=width)


@app.command()
@guarded
def plan(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    seed: int = typer.Option(0, help="root random seed (a whole number >= 0)"),
    replications: int = typer.Option(
        planning.DEFAULT_REPLICATIONS, help="replications per simulation check"
    ),
    max_iterations: int = typer.Option(
        planning.DEFAULT_MAX_ITERATIONS, help="simulate-and-correct rounds at most"
    ),
    time_limit: float = typer.Option(
        planning.DEFAULT_TIME_LIMIT, help="solver time limit per round, seconds"
    ),
    fte_hours: float = typer.Option(
        planning.DEFAULT_FTE_HOURS, help="paid hours of one FTE per 7-day week"
    ),
    workers: int = typer.Option(1, help="processes that run each round's replications at once"
                                " (and threads that solve its schedule's blocks)"),
    large: bool = typer.Option(
        False, "--large",
        help="for a large centre: warm starts, the sequential check, escalating raises and"
             " early confirmation (fewer, faster rounds; on a small centre often dearer)",
    ),
    out: Path | None = typer.Option(
        None, help="write shifts, coverage, iterations, costs (CSV) and report.html here"
    ),
) -> None:
    """Schedule shifts to meet every target, checked and corrected by the simulation.

    Prints each round (cost, verdict, agent-intervals added and removed), the shifts per
    group, the money, paid hours and FTE (shrinkage included, in the scenario's
    currency), the cost against a lower bound, and each channel's outcome. Exits with 1
    when the plan did not converge (the best round is still shown and written).
    """
    seed = whole_number("--seed", seed, minimum=0)
    replications = whole_number("--replications", replications, minimum=1)
    max_iterations = whole_number("--max-iterations", max_iterations, minimum=1, maximum=1000)
    time_limit = finite_number("--time-limit", time_limit, minimum=0, strict=True)
    fte_hours = finite_number("--fte-hours", fte_hours, minimum=0, maximum=168, strict=True)
    workers = whole_number("--workers", workers, minimum=1, maximum=256)
    sc = _scenario(scenario)
    _out_dir(out)

    width = terminal_width(console)

    targets = {c: float(ch.target.service_level) for c, ch in sc.channels.items()
               if ch.target is not None}

    def show(k: int, row: Any) -> None:
        console.print(round_line(k, row, targets, sc.currency), highlight=False, width=width)

    res = planning.plan(sc, seed=seed, replications=replications, max_iterations=max_iterations,
                        time_limit=time_limit, on_round=show, fte_hours=fte_hours,
                        warm_start=large, sequential=large, escalate=large, confirm_first=large,
                        workers=workers)
    console.print(
        "added / removed: agent-intervals of channel requirement each round's simulation"
        " raises or takes away for the next round",
        style="dim", highlight=False, width=width,
    )
    console.print(plan_schedule_table(res, width=width), width=width)
    console.print(
        "shift hours: hours of the shifts (agents on the phones, breaks included); short,"
        " required and scheduled in agent-intervals; scheduled excludes breaks",
        style="dim", highlight=False, width=width,
    )
    if not res.costs.empty:
        console.print(plan_costs_table(res, width=width), width=width)
    console.print(plan_bound_line(res), highlight=False, width=width)
    console.print(plan_outcome_table(res, width=width), width=width)
    console.print(
        "above target: the day's distance to the target; must clear: the safety margin the"
        " plan's rule asks for (the day's noise over the replications); short: intervals"
        " below target by more than their tolerance",
        style="dim", highlight=False, width=width,
    )
    for line in plan_reasons(res):
        console.print(escape(line), highlight=False, width=width)
    first = res.iterations.iloc[0]
    unit = f" {escape(res.currency)}" if res.currency else ""
    console.print(
        f"pure Erlang plan (round 1): cost {first['cost']:,.1f}{unit}, "
        + ("meets every target" if first["met"] else f"misses {escape(first['missed'])}")
        + f"; planned: cost {res.schedule.cost:,.1f}{unit}",
        highlight=False,
    )
    color = "green" if res.converged else "yellow"
    console.print(f"[{color}]{'converged' if res.converged else 'not converged'}:[/]"
                  f" {escape(res.reason)}", highlight=False)
    if out is not None:
        from wfm.diagnosis import work_left
        from wfm.report import write_plan_report

        _wrote(write_plan_report(res, out, work_left(res.simulation)))
    if not res.converged:
        raise typer.Exit(1)


@app.command()
@guarded
def sweep(
    spec: Path = typer.Argument(..., help="sweep spec YAML file (see simulations/)"),
    out: Path = typer.Option(..., help="results directory (Parquet); rerun to resume"),
    workers: int | None = typer.Option(None, help="local worker processes (default: cores)"),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address, tcp://host:8786"),
    dask: bool = typer.Option(False, "--dask", help="run on a local Dask cluster"),
) -> None:
    """Run every point of a sweep spec in parallel; results to Parquet as points finish.

    Exits with 3 when some points failed (the others are saved), 130 when interrupted
    (rerun the same command to resume).
    """
    from wfm.batch import SweepError, load_spec
    from wfm.batch import sweep as run_sweep

    if workers is not None:
        workers = whole_number("--workers", workers, minimum=1, maximum=1024)
    sp = load_spec(spec)
    _out_dir(out)
    try:
        with sweep_bar(console, sp.name) as progress:
            res = run_sweep(sp, out=out, workers=workers, scheduler=scheduler, use_dask=dask,
                            progress=progress)
    except SweepError as exc:
        fail(str(exc), 2)
    except KeyboardInterrupt:
        n = len(list((Path(out) / "points").glob("*.parquet")))
        err_console.print(f"[yellow]interrupted:[/] {n} points saved in {escape(str(out))};"
                          " rerun the same command to resume", highlight=False)
        raise typer.Exit(130) from None
    console.print(sweep_table(res))
    width = terminal_width(console)
    if not res.summary.empty:
        console.print(sweep_results_table(res.summary, res.params, sp.scenario, width=width),
                      width=width)
    if res.failed:
        errs = res.failures
        for row in errs.head(5).itertuples(index=False):
            console.print(f"[red]point {row.point}[/] ({row.point_id}): {escape(str(row.error))}",
                          highlight=False, soft_wrap=True)
        if len(errs) > 5:
            console.print(f"... and {len(errs) - 5} more (see the error column of results.parquet)")
    for name in ("results.parquet", "summary.parquet"):
        console.print(f"wrote {escape(str(out / name))}", highlight=False)
    from wfm.atomic import atomic_write

    for name, frame in (("results.csv", res.results), ("summary.csv", res.summary)):
        path = atomic_write(out / name, _csv_writer(frame))
        console.print(f"wrote {escape(str(path))}", highlight=False)
    from wfm.report import write_sweep_report

    try:
        html = write_sweep_report(res.summary, res.params, out / "sweep.html", targets=res.targets,
                                  scenario=sp.scenario)
    except Exception as exc:  # noqa: BLE001 - the Parquet results are what matters
        console.print(f"[yellow]sweep.html not written:[/] {escape(f'{type(exc).__name__}: {exc}')}",
                      highlight=False)
    else:
        console.print(f"wrote {escape(str(html))}", highlight=False)
    if res.failed:
        raise typer.Exit(3)


@app.command()
@guarded
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

    n = int(er.required_agents(volume, aht, answer_within, service_level, interval=interval,
                               patience=patience))
    rows = []
    for k in range(max(n - 2, 1), n + 3):
        sl = float(er.service_level(volume, aht, k, answer_within, interval=interval,
                                    patience=patience))
        asa = float(er.asa(volume, aht, k, interval=interval, patience=patience))
        occ = float(er.occupancy(volume, aht, k, interval=interval, patience=patience))
        ab = float(er.abandonment(volume, aht, k, patience, interval=interval)) if patience else 0.0
        rows.append((k, sl, asa, occ, ab))
    console.print(erlang_table(f"{volume:g} contacts / {interval:g} s, AHT {aht:g} s", rows, n))
    console.print(
        f"required: [bold]{n:,}[/] agents for {100 * service_level:g}% in {answer_within:g} s"
    )


def main() -> None:
    """The console entry point: usage mistakes (an unknown option, a missing argument)
    are one ``error:`` line and exit code 2, like every other mistake; a closed output
    (``wfm run ... | head``) is exit code 4 with one line on stderr."""
    from typer.exceptions import Abort, Exit, TyperException

    command = typer.main.get_command(app)
    code: int = 0
    try:
        result = command.main(standalone_mode=False)
        code = result if isinstance(result, int) else 0
        sys.stdout.flush()
    except Exit as exc:
        code = int(exc.exit_code)
    except Abort:
        err_console.print("[yellow]interrupted[/]", highlight=False)
        code = 130
    except BrokenPipeError:
        code = _broken_pipe()
    except TyperException as exc:  # click's usage errors
        if type(exc).__name__ == "NoArgsIsHelpError":  # plain ``wfm``: the help
            console.print(exc.format_message(), markup=False, highlight=False)
            code = 0
        else:
            ctx = getattr(exc, "ctx", None)
            name = ctx.command_path if ctx is not None else "wfm"
            text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            err_console.print(f"[bold red]error:[/] {escape(text)} (see {escape(name)} --help)",
                              highlight=False, soft_wrap=True)
            code = int(getattr(exc, "exit_code", 2))
    sys.exit(code)


def _broken_pipe() -> int:
    """The reader of our output went away: say so on stderr, silence stdout, exit 4."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    with contextlib.suppress(Exception):
        err_console.print("[bold red]error:[/] the output was closed before wfm finished"
                          " writing it (broken pipe)", highlight=False)
    return 4


# capacity plans and weekly rosters (wfm/cli/capacity.py, wfm/cli/roster.py)
from wfm.cli.capacity import capacity as _capacity  # noqa: E402
from wfm.cli.roster import roster as _roster  # noqa: E402

app.command("capacity")(guarded(_capacity))
app.command("roster")(guarded(_roster))


from wfm.cli.forecast import forecast_command  # noqa: E402 - registered after the app is built

app.command("forecast")(forecast_command)

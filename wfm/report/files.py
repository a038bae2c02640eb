"""Saving results: CSV tables plus one self-contained HTML report per run, plan or sweep.

Every file goes through :func:`wfm.atomic.atomic_write` (a temporary file in the same
folder, then ``os.replace``): a crash never leaves half a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from wfm.atomic import atomic_write
from wfm.report.format import summary_display
from wfm.report.html import Section, html_report
from wfm.report.run import run_figures
from wfm.report.schedule import _schedule_note, coverage_figure, gantt_figure
from wfm.report.sweep import sweep_figure

if TYPE_CHECKING:  # pragma: no cover
    from wfm.planning import PlanResult
    from wfm.sim.engine import SimulationResult

__all__ = ["write_plan_report", "write_run_report", "write_sweep_report"]


# ---------------------------------------------------------------------- files
def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda fh: frame.to_csv(fh, index=False))


def _write_text(text: str, path: Path) -> Path:
    return atomic_write(path, text)


def _run_subtitle(result: SimulationResult) -> str:
    sc = result.scenario
    reps = result.n_replications
    met = bool(result.summary["met"].all())
    return (
        f"{sc.horizon} x {sc.interval_minutes}-min intervals from {sc.start} · "
        f"seed {result.seed} · "
        f"{reps} replication{'s' if reps != 1 else ''} · simulated in {result.elapsed:.2f} s · "
        + (
            "every target met"
            if met
            else "missed: "
            + ", ".join(
                result.summary.loc[~result.summary["met"].astype(bool), "channel"].astype(str)
            )
        )
    )


def write_run_report(result: SimulationResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Save a simulation run: CSV tables and an HTML report.

    Parameters
    ----------
    result : SimulationResult
    out_dir : str or PathLike
        Directory (created if needed).

    Returns
    -------
    list of Path
        ``intervals.csv`` (``result.intervals``), ``summary.csv`` (``result.summary``),
        ``groups.csv`` (``result.groups``) and ``report.html`` (summary table and
        :func:`run_figures`), each written atomically.
    """
    out = Path(out_dir)
    paths = [
        _write_csv(result.intervals, out / "intervals.csv"),
        _write_csv(result.summary, out / "summary.csv"),
        _write_csv(result.groups, out / "groups.csv"),
    ]
    sections: list[Section] = [("Summary by channel", summary_display(result.summary))]
    sections += run_figures(result)
    page = html_report(sections, result.scenario.name, subtitle=_run_subtitle(result))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def write_plan_report(plan_result: PlanResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Save a plan: the shifts, the coverage, the iterations and an HTML report.

    Parameters
    ----------
    plan_result : wfm.planning.PlanResult
        The plan (its ``simulation`` may be None when the plan stopped before a check).
    out_dir : str or PathLike
        Directory (created if needed).

    Returns
    -------
    list of Path
        ``shifts.csv``, ``coverage.csv``, ``iterations.csv`` and ``report.html``
        (iterations, the final simulation's summary, coverage, shifts and the run
        figures of the final simulation), each written atomically.
    """
    out = Path(out_dir)
    schedule = plan_result.schedule
    iterations = plan_result.iterations
    paths = [
        _write_csv(schedule.shifts, out / "shifts.csv"),
        _write_csv(schedule.coverage, out / "coverage.csv"),
        _write_csv(iterations, out / "iterations.csv"),
    ]
    sim = plan_result.simulation
    name = plan_result.scenario.name
    bits = ["converged" if plan_result.converged else "not converged"]
    if plan_result.reason:
        bits.append(str(plan_result.reason))
    bits.append(f"{len(iterations)} iteration{'s' if len(iterations) != 1 else ''}")
    note = _schedule_note(schedule)
    if note:
        bits.append(note)
    sections: list[Section] = []
    if sim is not None:
        sections.append(
            ("Summary by channel (final schedule, simulated)", summary_display(sim.summary))
        )
    if not iterations.empty:
        sections.append(("Iterations", iterations))
    sections.append(("Coverage", coverage_figure(schedule)))
    sections.append(("Shifts", gantt_figure(schedule)))
    if sim is not None:
        sections += run_figures(sim)
    page = html_report(sections, f"Plan: {name}", subtitle=" · ".join(bits))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def write_sweep_report(
    summary: pd.DataFrame,
    params: str | Sequence[str],
    path: str | os.PathLike[str],
    targets: Mapping[str, float] | None = None,
) -> Path:
    """Save a sweep's results as one HTML page.

    Parameters
    ----------
    summary : pandas.DataFrame
        The sweep summary (see :func:`sweep_figure`).
    params : str or sequence of str
        The varied parameters' columns.
    path : str or PathLike
        The HTML file, or a directory (existing, or given without a suffix) to write
        ``sweep.html`` into.
    targets : mapping of str to float, optional
        ``{channel: target service level}`` for the target lines (see :func:`sweep_figure`).

    Returns
    -------
    Path
        The file written (atomically): the service level figure, the ASA,
        abandonment and backlog figures when those columns are present, and the
        summary table.
    """
    p = Path(path)
    if p.is_dir() or not p.suffix:
        p = p / "sweep.html"
    params = [params] if isinstance(params, str) else list(params)
    sections: list[Section] = [("Service level", sweep_figure(summary, params, targets=targets))]
    for measure, heading in (
        ("asa", "ASA"),
        ("abandonment", "Abandonment"),
        ("backlog", "Backlog"),
    ):
        if measure in summary.columns:
            sections.append((heading, sweep_figure(summary, params, measure=measure)))
    sections.append(("Summary", summary))
    n_points = summary["point"].nunique() if "point" in summary.columns else len(summary)
    subtitle = f"{n_points} point{'s' if n_points != 1 else ''} varying " + (
        ", ".join(params) if params else "nothing"
    )
    return _write_text(html_report(sections, "Sweep", subtitle=subtitle), p)

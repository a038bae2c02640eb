"""Saving results: CSV tables plus one self-contained HTML report per run, plan or sweep.

Every file goes through :func:`wfm.atomic.atomic_write` (a temporary file in the same
folder, then ``os.replace``): a crash never leaves half a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.atomic import atomic_write
from wfm.report.format import human_table, summary_display
from wfm.report.html import Section, html_report
from wfm.report.run import run_figures, switch_measures_display
from wfm.report.schedule import (
    _schedule_note,
    coverage_figure,
    gantt_figure,
    iterations_display,
    lower_bound_text,
    outcome_display,
    plan_costs_display,
    shifts_display,
)
from wfm.report.sweep import sweep_display, sweep_figure

if TYPE_CHECKING:  # pragma: no cover
    from wfm.planning import PlanResult
    from wfm.scenario import Scenario
    from wfm.sim.engine import SimulationResult

__all__ = ["verdicts_display", "write_plan_report", "write_run_report", "write_sweep_report"]


# ---------------------------------------------------------------------- files
def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda fh: frame.to_csv(fh, index=False))


def _write_text(text: str, path: Path) -> Path:
    return atomic_write(path, text)


def _run_subtitle(result: SimulationResult, verdicts: pd.DataFrame | None) -> str:
    sc = result.scenario
    reps = result.n_replications
    if verdicts is None:
        s = result.summary
        verdicts = pd.DataFrame({"channel": s["channel"],
                                 "verdict": ["met" if m else "missed" for m in s["met"]]})
    bad = verdicts[~verdicts["verdict"].isin(["met", "no target"])]
    return (
        f"{sc.horizon} x {sc.interval_minutes}-min intervals from {sc.start} · "
        f"seed {result.seed} · "
        f"{reps} replication{'s' if reps != 1 else ''} · simulated in {result.elapsed:.2f} s · "
        + (
            "every target met"
            if bad.empty
            else "; ".join(f"{r.channel} {r.verdict}" for r in bad.itertuples(index=False))
        )
    )


def verdicts_display(verdicts: pd.DataFrame) -> pd.DataFrame:
    """:func:`wfm.diagnosis.verdicts` for people: ``channel``, ``verdict`` and ``why``."""
    return pd.DataFrame({
        "channel": verdicts["channel"].astype(str).to_numpy(),
        "verdict": verdicts["verdict"].astype(str).to_numpy(),
        "why": verdicts["reason"].astype(str).to_numpy(),
    })


def _requirements(scenario: Scenario) -> pd.DataFrame | None:
    try:
        from wfm.staffing import requirements

        return requirements(scenario)
    except Exception:  # noqa: BLE001 - a scenario the staffing rules do not cover
        return None


def write_run_report(
    result: SimulationResult, out_dir: str | os.PathLike[str], diagnosis: Any = None
) -> list[Path]:
    """Save a simulation run: CSV tables and an HTML report.

    Parameters
    ----------
    result : SimulationResult
    out_dir : str or PathLike
        Directory (created if needed).
    diagnosis : wfm.diagnosis.Diagnosis, optional
        :func:`wfm.diagnosis.diagnose` of the result (``wfm run --out`` gives it): adds
        each channel's verdict and why, and where and why channels miss and agents sit
        idle.

    Returns
    -------
    list of Path
        ``intervals.csv`` (``result.intervals``), ``summary.csv`` (``result.summary``),
        ``groups.csv`` (``result.groups``) and ``report.html`` (the verdicts and the
        diagnosis when given, the summary table, the switch's measures when a channel
        uses a switch feature, then :func:`run_figures` with the requirement; for a
        horizon of several days the week view of :mod:`wfm.report.week`, per day and
        per week; with social channels the social view of :mod:`wfm.report.social`:
        funnel, risk, playbooks fired, exposure), each written atomically.
    """
    out = Path(out_dir)
    paths = [
        _write_csv(result.intervals, out / "intervals.csv"),
        _write_csv(result.summary, out / "summary.csv"),
        _write_csv(result.groups, out / "groups.csv"),
    ]
    sections: list[Section] = []
    verdicts = None
    work = None
    if diagnosis is not None:
        verdicts, work = diagnosis.verdicts, diagnosis.work_left
        sections.append(("Verdict per channel", verdicts_display(verdicts)))
    sections.append(("Summary by channel", summary_display(result.summary)))
    if diagnosis is not None:
        sections.append(("Why channels miss, and where agents sit idle",
                         diagnosis.statements
                         or ["Every channel meets its target; no idle spell stands out."]))
    switch = switch_measures_display(result)
    if not switch.empty:
        sections.append(("The switch: blocked, balked, retrials, transfers, connects", switch))
    sections += run_figures(result, _requirements(result.scenario), work)
    sections += _week_sections(result)
    sections += _social_sections(result)
    page = html_report(sections, result.scenario.name,
                       subtitle=_run_subtitle(result, verdicts))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def _week_sections(result: SimulationResult) -> list[Section]:
    """The week view of a multi-day run (none for a single day): per-day and per-week
    tables and the figures of :func:`wfm.report.week.week_figures`."""
    from wfm.report import week

    if not week.has_days(result):
        return []
    out: list[Section] = [("Per day", week.daily_display(result))]
    weekly = result.weekly
    if not weekly.empty and int(weekly["week"].max()) > 0:
        out.append(("Per week", week.weekly_display(result)))
    out += week.week_figures(result)
    return out


def _social_sections(result: SimulationResult) -> list[Section]:
    """The social view of a run with social channels (none without): the funnel, the
    risk over the replications, the playbooks fired and the figures of
    :func:`wfm.report.social.social_figures`."""
    from wfm.report import social

    if not social.has_social(result):
        return []
    out: list[Section] = [("Social funnel (posts per horizon, means per replication)",
                           social.funnel_display(result))]
    risk = social.risk_display(result)
    if not risk.empty:
        out.append((f"Social risk over {result.n_replications} replication(s)", risk))
    fired = social.playbooks_display(result)
    out.append(("Surge playbooks fired", fired if not fired.empty else
                ["No playbook fired." if result.scenario.playbooks else
                 "The scenario has no surge playbook."]))
    out += social.social_figures(result)
    return out


def write_plan_report(
    plan_result: PlanResult, out_dir: str | os.PathLike[str], work: pd.DataFrame | None = None
) -> list[Path]:
    """Save a plan: the shifts, the coverage, the iterations and an HTML report.

    Parameters
    ----------
    plan_result : wfm.planning.PlanResult
        The plan (its ``simulation`` may be None when the plan stopped before a check).
    out_dir : str or PathLike
        Directory (created if needed).
    work : pandas.DataFrame, optional
        :func:`wfm.diagnosis.work_left` of the plan's simulation (``wfm plan --out``
        gives it): the work left at close in the verdict table and the backlog figure.

    Returns
    -------
    list of Path
        ``shifts.csv``, ``coverage.csv``, ``iterations.csv`` (with the agent-intervals
        each round added and removed), ``costs.csv`` (when the plan has
        :attr:`~wfm.planning.PlanResult.costs`: paid hours, FTE and money per group and
        in total, columns of :func:`wfm.planning.plan_costs`) and ``report.html`` (the
        verdict, the final simulation's summary, money and FTE with the lower bound,
        the rounds, coverage, shifts and the run figures of the final simulation), each
        written atomically.
    """
    out = Path(out_dir)
    schedule = plan_result.schedule
    iterations = plan_result.iterations
    paths = [
        _write_csv(schedule.shifts, out / "shifts.csv"),
        _write_csv(schedule.coverage, out / "coverage.csv"),
        _write_csv(iterations, out / "iterations.csv"),
    ]
    costs = getattr(plan_result, "costs", None)
    has_costs = isinstance(costs, pd.DataFrame) and not costs.empty
    if has_costs:
        paths.append(_write_csv(costs, out / "costs.csv"))
    currency = getattr(plan_result, "currency", None)
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
    outcome = getattr(plan_result, "outcome", None)
    if sim is not None and isinstance(outcome, pd.DataFrame) and not outcome.empty:
        sections.append(("Verdict per channel (the plan's rule)", outcome_display(outcome, work)))
    if sim is not None:
        sections.append(
            ("Summary by channel (final schedule, simulated)", summary_display(sim.summary))
        )
    if has_costs:
        fte_hours = float(getattr(plan_result, "fte_hours", 40.0))
        notes = [f"FTE: paid hours over {fte_hours:g} paid hours per 7-day week, scaled to the"
                 " plan's days; paid hours include shrinkage (shift hours / (1 - shrinkage)).",
                 lower_bound_text(schedule.cost, getattr(plan_result, "lower_bound", float("nan")),
                                  currency)]
        sections.append(("Money, paid hours and FTE", plan_costs_display(costs, currency)))
        sections.append(("Cost against the lower bound", notes))
    if not iterations.empty:
        sections.append(("Rounds", iterations_display(iterations)
                         if "iteration" in iterations.columns else human_table(iterations)))
    sections.append(("Coverage", coverage_figure(schedule)))
    sections.append(("Shifts", gantt_figure(schedule)))
    sections.append(("Shift list", shifts_display(schedule.shifts)))
    if sim is not None:
        sections += run_figures(sim, work=work)
    page = html_report(sections, f"Plan: {name}", subtitle=" · ".join(bits))
    paths.append(_write_text(page, out / "report.html"))
    return paths


def write_sweep_report(
    summary: pd.DataFrame,
    params: str | Sequence[str],
    path: str | os.PathLike[str],
    targets: Mapping[str, float] | None = None,
    scenario: Scenario | None = None,
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
    scenario : Scenario, optional
        The sweep's base scenario: units of the ASA per channel, targets and verdicts.

    Returns
    -------
    Path
        The file written (atomically): the service level figure, the ASA,
        abandonment and backlog figures when those columns are present, and the
        summary table in planner units (:func:`sweep_display`).
    """
    p = Path(path)
    if p.is_dir() or not p.suffix:
        p = p / "sweep.html"
    params = [params] if isinstance(params, str) else list(params)
    sections: list[Section] = [("Service level", sweep_figure(summary, params, targets=targets,
                                                              scenario=scenario))]
    for measure, heading in (
        ("asa", "ASA"),
        ("abandonment", "Abandonment"),
        ("backlog", "Left at close"),
    ):
        if measure in summary.columns:
            sections.append((heading, sweep_figure(summary, params, measure=measure,
                                                   scenario=scenario)))
    sections.append(("Results per point and channel", sweep_display(summary, params, scenario)))
    n_points = summary["point"].nunique() if "point" in summary.columns else len(summary)
    subtitle = f"{n_points} point{'s' if n_points != 1 else ''} varying " + (
        ", ".join(params) if params else "nothing"
    )
    return _write_text(html_report(sections, "Sweep", subtitle=subtitle), p)

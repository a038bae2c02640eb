"""Plotly figures, formatted tables and saved reports of wfm results.

Every figure builder takes wfm results (or DataFrames with their documented columns)
and returns a :class:`plotly.graph_objects.Figure`; nothing here simulates, schedules
or prints. The ``*_display`` functions turn results into tables for people (planner
units, human headers). The ``write_*`` functions save a run, a plan or a sweep as CSV
files plus one self-contained HTML report (plotly.js inlined once, compressed; no
network needed to open it).

Modules, by subject:

* :mod:`wfm.report.run` — one simulation run (volume and staff, service level, waits
  and abandonment, backlog, occupancy, requirement, KPI cards with verdicts, the
  switch's measures: blocked, balked, retrials, transfers, connects) and a scenario
  before any run (its chart, its switch keys);
* :mod:`wfm.report.compare` — two runs, or two and more variants, side by side
  (per-interval overlays, differences with their noise, cost, work left);
* :mod:`wfm.report.schedule` — a shift schedule (coverage, Gantt) and a plan's tables
  for people (rounds, shifts, the verdict per channel with why);
* :mod:`wfm.report.sweep` — a sweep's measures against its parameters, and its table;
* :mod:`wfm.report.week` — the week view of a multi-day run (per-day and per-week
  tables, service level and volume per day and per week);
* :mod:`wfm.report.social` — social care (the funnel, the risk over replications, the
  exposure over the day, playbooks fired, with and without playbooks);
* :mod:`wfm.report.html` — the HTML page; :mod:`wfm.report.files` — the writers;
* :mod:`wfm.report.format` — numbers for people (the one set of formatters);
* :mod:`wfm.report.style` — colours and the shared layout.

Examples
--------
>>> import wfm
>>> from wfm import report
>>> res = wfm.simulate(wfm.load_scenario("scenarios/baseline.yaml"), seed=1)
>>> fig = report.service_level_figure(res)
>>> fig.layout.title.text
'Service level per interval'
>>> report.summary_display(res.summary)["channel"].tolist()
['phone', 'messaging', 'social', 'email']
"""

from __future__ import annotations

from wfm.report.compare import (
    compare_summaries,
    comparison_display,
    comparison_figure,
    costs_display,
    variants_bar_figure,
    variants_figure,
)
from wfm.report.files import (
    verdicts_display,
    write_plan_report,
    write_run_report,
    write_sweep_report,
)
from wfm.report.format import human_table, summary_display
from wfm.report.html import html_report
from wfm.report.run import (
    backlog_figure,
    kpi_cards,
    occupancy_figure,
    requirement_figure,
    run_figures,
    scenario_figure,
    scenario_switch_display,
    service_level_figure,
    switch_features,
    switch_measures,
    switch_measures_display,
    volume_staff_figure,
    wait_abandon_figure,
)
from wfm.report.schedule import (
    coverage_figure,
    gantt_figure,
    iterations_display,
    outcome_display,
    shifts_display,
)
from wfm.report.social import (
    exposure_figure,
    funnel_display,
    funnel_figure,
    playbook_comparison,
    playbook_comparison_display,
    playbooks_display,
    risk_display,
    risk_figure,
    social_figures,
    without_playbooks,
)
from wfm.report.style import (
    CHANNEL_PALETTE,
    GROUP_PALETTE,
    SCENARIO_PALETTE,
    SHORTFALL_COLOR,
    VARIANT_PALETTE,
    channel_colors,
    group_colors,
)
from wfm.report.sweep import sweep_display, sweep_figure
from wfm.report.week import (
    daily_display,
    daily_figure,
    volume_per_day_figure,
    week_figures,
    weekly_display,
    weekly_figure,
)

__all__ = [
    "CHANNEL_PALETTE",
    "GROUP_PALETTE",
    "SCENARIO_PALETTE",
    "SHORTFALL_COLOR",
    "VARIANT_PALETTE",
    "backlog_figure",
    "channel_colors",
    "compare_summaries",
    "comparison_display",
    "comparison_figure",
    "costs_display",
    "coverage_figure",
    "daily_display",
    "daily_figure",
    "exposure_figure",
    "funnel_display",
    "funnel_figure",
    "gantt_figure",
    "group_colors",
    "html_report",
    "human_table",
    "iterations_display",
    "kpi_cards",
    "occupancy_figure",
    "outcome_display",
    "playbook_comparison",
    "playbook_comparison_display",
    "playbooks_display",
    "requirement_figure",
    "risk_display",
    "risk_figure",
    "run_figures",
    "scenario_figure",
    "scenario_switch_display",
    "service_level_figure",
    "shifts_display",
    "social_figures",
    "summary_display",
    "sweep_display",
    "sweep_figure",
    "switch_features",
    "switch_measures",
    "switch_measures_display",
    "variants_bar_figure",
    "variants_figure",
    "verdicts_display",
    "volume_per_day_figure",
    "volume_staff_figure",
    "wait_abandon_figure",
    "week_figures",
    "weekly_display",
    "weekly_figure",
    "without_playbooks",
    "write_plan_report",
    "write_run_report",
    "write_sweep_report",
]

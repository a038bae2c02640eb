"""Plotly figures, formatted tables and saved reports of wfm results.

Every figure builder takes wfm results (or DataFrames with their documented columns)
and returns a :class:`plotly.graph_objects.Figure`; nothing here simulates, schedules
or prints. The ``write_*`` functions save a run, a plan or a sweep as CSV files plus one
self-contained HTML report (plotly.js inlined once; no network needed to open it).

Modules, by subject:

* :mod:`wfm.report.run` — one simulation run (volume and staff, service level, waits
  and abandonment, backlog, occupancy, requirement, KPI cards);
* :mod:`wfm.report.compare` — two runs side by side;
* :mod:`wfm.report.schedule` — a shift schedule (coverage, Gantt);
* :mod:`wfm.report.sweep` — a sweep's measures against its parameters;
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

from wfm.report.compare import compare_summaries, comparison_figure
from wfm.report.files import write_plan_report, write_run_report, write_sweep_report
from wfm.report.format import summary_display
from wfm.report.html import html_report
from wfm.report.run import (
    backlog_figure,
    kpi_cards,
    occupancy_figure,
    requirement_figure,
    run_figures,
    service_level_figure,
    volume_staff_figure,
    wait_abandon_figure,
)
from wfm.report.schedule import coverage_figure, gantt_figure
from wfm.report.style import (
    CHANNEL_PALETTE,
    GROUP_PALETTE,
    SCENARIO_PALETTE,
    SHORTFALL_COLOR,
    channel_colors,
    group_colors,
)
from wfm.report.sweep import sweep_figure

__all__ = [
    "CHANNEL_PALETTE",
    "GROUP_PALETTE",
    "SCENARIO_PALETTE",
    "SHORTFALL_COLOR",
    "backlog_figure",
    "channel_colors",
    "compare_summaries",
    "comparison_figure",
    "coverage_figure",
    "gantt_figure",
    "group_colors",
    "html_report",
    "kpi_cards",
    "occupancy_figure",
    "requirement_figure",
    "run_figures",
    "service_level_figure",
    "summary_display",
    "sweep_figure",
    "volume_staff_figure",
    "wait_abandon_figure",
    "write_plan_report",
    "write_run_report",
    "write_sweep_report",
]

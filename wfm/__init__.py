"""wfm: workforce-management and capacity simulation for omnichannel contact centres.

The package API for notebooks::

    import wfm
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    wfm.erlang.required_agents(180, 300, 20, 0.8)       # agents for one interval
    result = wfm.simulate(sc, seed=1, replications=3)   # the simulation
    result.summary                                       # a pandas DataFrame
    plan = wfm.plan(sc, seed=0)                          # shifts that meet every target
    wfm.sweep("simulations/phone_growth.yaml", out="out/growth")

Modules: :mod:`wfm.erlang` (closed-form queueing), :mod:`wfm.staffing` (requirements),
:mod:`wfm.scheduling` (shifts with pyomo + HiGHS), :mod:`wfm.sim` (the simulation),
:mod:`wfm.planning` (the simulate-and-correct plan), :mod:`wfm.batch` (sweeps),
:mod:`wfm.forecast` (forecasts and what-ifs), :mod:`wfm.report` (figures and reports),
:mod:`wfm.diagnosis` (why a channel misses and the smallest fix), :mod:`wfm.variants`
(what-ifs in one move), :mod:`wfm.limits` (size limits), :mod:`wfm.errors`.

Examples
--------
>>> import wfm
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> int(wfm.erlang.required_agents(180, 300, 20, 0.8))
36
>>> wfm.simulate(sc, seed=1).summary["channel"].tolist()
['phone', 'messaging', 'social', 'email']
"""

from __future__ import annotations

from wfm import diagnosis, erlang, forecast, limits, report, scheduling, staffing, variants
from wfm._version import __version__
from wfm.batch import SweepError, SweepResult, SweepSpec, load_spec, sweep
from wfm.errors import InputError, LimitError, ScenarioError
from wfm.planning import PlanResult, StopReason, plan
from wfm.scenario import (
    AgentGroup,
    BreakRule,
    Channel,
    Scenario,
    ShiftRule,
    Target,
    load_scenario,
)
from wfm.scheduling import Schedule
from wfm.sim import SimulationResult, simulate

__all__ = [
    "AgentGroup",
    "BreakRule",
    "Channel",
    "InputError",
    "LimitError",
    "PlanResult",
    "Scenario",
    "ScenarioError",
    "Schedule",
    "ShiftRule",
    "SimulationResult",
    "StopReason",
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "Target",
    "__version__",
    "diagnosis",
    "erlang",
    "forecast",
    "limits",
    "load_scenario",
    "load_spec",
    "plan",
    "report",
    "scheduling",
    "simulate",
    "staffing",
    "sweep",
    "variants",
]

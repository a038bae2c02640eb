"""wfm: workforce-management and capacity simulation for omnichannel contact centres.

The package API for notebooks::

    import wfm
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    wfm.erlang.required_agents(volume=180, aht=300, answer_within=20, service_level=0.8)
    result = wfm.simulate(sc, seed=1, replications=3)
    result.summary
"""

from wfm import erlang
from wfm.scenario import (
    AgentGroup,
    BreakRule,
    Channel,
    Scenario,
    ScenarioError,
    ShiftRule,
    Target,
    load_scenario,
)

__version__ = "0.1.0"

__all__ = [
    "AgentGroup",
    "BreakRule",
    "Channel",
    "Scenario",
    "ScenarioError",
    "ShiftRule",
    "Target",
    "erlang",
    "load_scenario",
]


def __getattr__(name: str):
    # heavier parts load on first use so `import wfm` stays quick
    if name in ("simulate", "SimulationResult"):
        from wfm.sim import engine

        return getattr(engine, name)
    if name in ("plan", "PlanResult"):
        from wfm import planning

        return getattr(planning, name)
    if name == "sweep":
        from wfm.sweep import sweep

        return sweep
    if name in ("staffing", "scheduling", "report", "forecast"):
        import importlib

        return importlib.import_module(f"wfm.{name}")
    raise AttributeError(f"module 'wfm' has no attribute {name!r}")

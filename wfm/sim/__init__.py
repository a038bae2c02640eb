"""The discrete-event simulation engine (simpy): see :mod:`wfm.sim.engine`."""

from wfm.sim.engine import SimulationResult, simulate

__all__ = ["SimulationResult", "simulate"]

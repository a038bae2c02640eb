"""Batch sweeps: run many variations of a scenario in parallel, locally or on Dask.

* :mod:`wfm.batch.spec` — the sweep spec (a YAML file varying a base scenario);
* :mod:`wfm.batch.backends` — where points run (local worker processes, Dask);
* :mod:`wfm.batch.store` — the resumable output directory;
* :mod:`wfm.batch.results` — :class:`SweepResult` and :func:`summarize`;
* :mod:`wfm.batch.run` — :func:`sweep`, the entry point (also ``wfm.sweep``).

Examples
--------
>>> from wfm.batch import load_spec
>>> load_spec("simulations/phone_growth.yaml").n_points
16
"""

from __future__ import annotations

from wfm.batch.backends import shutdown_pools
from wfm.batch.results import SweepResult, summarize
from wfm.batch.run import ProgressCallback, sweep
from wfm.batch.spec import (
    DEFAULT_POINT_TIMEOUT,
    MEASURES,
    Point,
    SweepSpec,
    derived_seed,
    load_spec,
)
from wfm.batch.store import SweepError

__all__ = [
    "DEFAULT_POINT_TIMEOUT",
    "MEASURES",
    "Point",
    "ProgressCallback",
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "derived_seed",
    "load_spec",
    "shutdown_pools",
    "summarize",
    "sweep",
]

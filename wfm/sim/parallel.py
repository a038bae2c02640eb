"""Replications of one scenario in parallel processes (``simulate(..., workers=N)``).

Replication ``r`` always runs on the random stream ``SeedSequence(seed).spawn(R)[r]``,
whichever process runs it, and the parent adds the replications' sums in the order
``0, 1, ..., R - 1``: the result is the serial run's, to the last bit. Processes come
from the ``forkserver`` start method (never ``fork``: the caller may hold threads, such
as the planning loop's lower-bound solve), with the engine preloaded in the server, so a
new worker starts in milliseconds after the first.

Each finished replication travels back as its :class:`~wfm.sim.metrics.Accumulator`
(counts, wait histograms, busy time; about 35 MB for a week of 15-minute intervals and
16 channels), which is small beside the run itself.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario import Scenario
    from wfm.sim.metrics import Accumulator

__all__ = ["available_workers", "main_module_hidden", "replications_in_processes", "warm_up"]

_PRELOAD = ["wfm.sim.engine"]


def available_workers() -> int:
    """CPU cores this process may use (its affinity where the system tells it).

    Examples
    --------
    >>> available_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def main_module_hidden() -> Iterator[None]:
    """Start worker processes without running the caller's main script again.

    ``spawn`` and ``forkserver`` children run the parent's ``__main__`` file again
    before their task, unless it is a package's ``__main__``. wfm's workers need nothing
    from it (their tasks are wfm functions), and a main script may be anything: a
    notebook, a Streamlit page, a test runner's temporary script that no longer works
    out of context, or a user's script without an ``if __name__ == "__main__":`` guard.
    Within this block the main module's file is hidden, so children skip it.

    Examples
    --------
    >>> import sys
    >>> with main_module_hidden():
    ...     getattr(sys.modules["__main__"], "__file__", None) is None
    True
    """
    main = sys.modules.get("__main__")
    had = main is not None and hasattr(main, "__file__")
    saved = getattr(main, "__file__", None)
    if had:
        del main.__file__  # type: ignore[union-attr]
    try:
        yield
    finally:
        if had:
            main.__file__ = saved  # type: ignore[union-attr]


def _context() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the fork server now (it imports the engine, about a second) so the first
    :func:`replications_in_processes` finds it ready: :func:`wfm.plan` calls it before
    its first schedule when it has ``workers``. Returns at once; harmless when the
    server runs already, and where there is no ``forkserver`` (then the processes start
    the slow way when asked).

    Examples
    --------
    >>> warm_up()
    """
    try:
        from multiprocessing import forkserver

        _context()
        with main_module_hidden():
            forkserver.ensure_running()
    except (ImportError, ValueError, OSError):  # pragma: no cover - no forkserver here
        pass


def _one(scenario: Scenario, seed: int, replications: int, r: int,
         time_limit: float | None) -> Accumulator:
    """Replication ``r`` of ``replications`` (runs in a worker process)."""
    import gc

    import numpy as np

    from wfm.sim.engine import _Run
    from wfm.sim.model import compile_model

    model = compile_model(scenario)
    stream = np.random.SeedSequence(int(seed)).spawn(int(replications))[r]
    deadline = math.inf if time_limit is None else time.perf_counter() + time_limit
    gc.disable()  # as in the serial run: the run makes no reference cycles
    try:
        return _Run(model, scenario, stream, deadline, time_limit).run()
    finally:
        gc.enable()


def replications_in_processes(
    scenario: Scenario,
    seed: int,
    replications: int,
    workers: int,
    time_limit: float | None = None,
) -> Iterator[Accumulator]:
    """Run every replication in ``workers`` processes; yield them in replication order.

    Parameters
    ----------
    scenario : Scenario
    seed : int
        Root seed, as :func:`wfm.simulate`.
    replications : int
        How many.
    workers : int
        Processes at once (at most ``replications``).
    time_limit : float, optional
        Wall-clock seconds for the whole run; beyond it ``TimeoutError`` (each worker
        also stops its replication at the limit).

    Yields
    ------
    Accumulator
        Replication 0, 1, ... in order.
    """
    ctx = _context()
    start = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=min(int(workers), int(replications)), mp_context=ctx)
    try:
        with main_module_hidden():  # the processes start as the tasks are submitted
            futures: list[Future[Accumulator]] = [
                pool.submit(_one, scenario, seed, replications, r, time_limit)
                for r in range(int(replications))
            ]
        for f in futures:
            left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - start))
            try:
                yield f.result(timeout=left)
            except FutureTimeout:
                raise TimeoutError(f"the simulation took longer than its time limit ({time_limit:g} s)"
                                   ) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

"""Where sweep points run: local worker processes, or a Dask cluster.

A point's outcome is ``(index, error, data)``: ``error`` is None when it ran, ``data``
the Parquet bytes of its rows. A point whose scenario is invalid or whose simulation
fails has ``error`` and a one-row ``data`` (kept on disk: rerunning gives the same
error). A point that did not finish because of the infrastructure — its time limit
ran out, or its worker process died — has ``error`` and ``data = None``: it is not
saved, so a rerun of the sweep tries it again.

Local processes (:class:`WorkerPool`)
    Spawned worker processes fed over pipes, a chunk of points at a time; the parent
    knows which point each worker is on and since when. A point that exceeds the
    spec's ``point_timeout`` has its worker killed and replaced; a worker that dies
    (killed, out of memory) has its point retried once in a fresh worker before it is
    recorded as failed, and the rest of its chunk goes back in the queue. Workers
    ignore Ctrl-C (the parent decides) and die with the parent even when it is killed
    with ``kill -9`` (Linux ``PR_SET_PDEATHSIG``, and a watchdog thread elsewhere).
    The workers stay up for later sweeps in the same Python process.

Dask
    One task per chunk; the point's time limit is enforced inside the simulation
    (``wfm.simulate(..., time_limit=...)``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import io
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from wfm import limits
from wfm.batch.spec import ROW_MEASURES, Point, SweepSpec, _param_column
from wfm.sim.parallel import main_module_hidden

__all__ = ["Outcome", "WorkerPool", "auto_chunk", "cores", "run_dask", "run_local"]

Outcome = tuple[int, str | None, bytes | None]
OnDone = Callable[[Outcome], None]


# ---------------------------------------------------------------------- one point
def run_point(spec: SweepSpec, point: Point) -> Outcome:
    """Simulate one point (in a worker); never raises for a bad point."""
    from wfm.sim.engine import simulate

    schema = spec.arrow_schema()
    error: str | None = None
    try:
        sc = spec.scenario_for(point)
        res = simulate(sc, seed=point.seed, replications=spec.replications,
                       time_limit=spec.point_timeout)
        reps = res.replications
        n = len(reps)
        cols: dict[str, Any] = {
            "replication": reps["replication"].to_numpy("int64"),
            "channel": reps["channel"].to_numpy(object),
        }
        for m in ROW_MEASURES:
            cols[m] = reps[m].to_numpy("float64")
        cols["error"] = [None] * n
    except TimeoutError:
        return point.index, timeout_message(spec.point_timeout), None
    except Exception as exc:  # a point's failure is recorded; the sweep goes on
        error = f"{type(exc).__name__}: {exc}"
        cols, n = error_columns(error), 1
    return point.index, error, point_bytes(spec, schema, point, cols, n)


def run_chunk(spec: SweepSpec, points: list[Point], lim: limits.Limits | None = None
              ) -> list[Outcome]:
    """Run points one after the other (a Dask task), under the caller's limits."""
    with limits.raised(**dataclasses.asdict(lim or limits.current())):
        return [run_point(spec, p) for p in points]


def timeout_message(seconds: float) -> str:
    return (f"timed out: the point took longer than point_timeout ({seconds:g} s); raise"
            " point_timeout in the spec to give it more time")


def error_columns(error: str) -> dict[str, Any]:
    """The columns of a failed point's one row."""
    cols: dict[str, Any] = {"replication": [None], "channel": [None]}
    cols.update({m: [None] for m in ROW_MEASURES})
    cols["error"] = [error]
    return cols


def point_table(spec: SweepSpec, schema: pa.Schema, point: Point, cols: dict[str, Any],
                n: int) -> pa.Table:
    """A point's rows as an Arrow table of the sweep's schema."""
    data: dict[str, Any] = {}
    for d in spec.dims:
        if d.varied:
            typ = schema.field(d.name).type
            data[d.name] = _param_column([point.values[d.name]] * n, typ)
    data.update(point=[point.index] * n, point_id=[point.id] * n, seed=[point.seed] * n)
    data.update(cols)
    return pa.Table.from_pydict(data, schema=schema)


def point_bytes(spec: SweepSpec, schema: pa.Schema, point: Point, cols: dict[str, Any],
                n: int) -> bytes:
    buf = io.BytesIO()
    pq.write_table(point_table(spec, schema, point, cols, n), buf)
    return buf.getvalue()


# ---------------------------------------------------------------------- sizing
def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def auto_chunk(n: int, workers: int, dask: bool = False) -> int:
    """Points per task. A point takes tens of milliseconds; a task costs about a
    millisecond on local processes and several on Dask (measured: benchmarks/README.md).
    Keep >= 20 tasks per worker (10 on Dask) so the tail stays short; at most 8 points."""
    return max(1, min(8, n // (workers * (10 if dask else 20))))


def _chunks(points: list[Point], size: int) -> list[list[Point]]:
    return [points[i:i + size] for i in range(0, len(points), size)]


# ---------------------------------------------------------------------- worker process
def _die_with_parent(parent: int) -> None:
    """Make this process end when its parent ends, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="wfm-parent-watch").start()


def _worker_main(conn: multiprocessing.connection.Connection, parent: int) -> None:
    """A worker: receive the spec, then chunks of points; send one outcome per point."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to decide
    spec: SweepSpec | None = None
    lim = limits.current()
    token = ""
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "spec":
            token, spec, lim = msg[1], msg[2], msg[3]
        elif msg[0] == "run" and spec is not None and msg[1] == token:
            with limits.raised(**dataclasses.asdict(lim)):
                for p in msg[2]:
                    conn.send(("done", run_point(spec, p)))
        elif msg[0] == "stop":
            return


@dataclass
class _Worker:
    process: Any
    conn: multiprocessing.connection.Connection
    token: str = ""
    chunk: deque[Point] = field(default_factory=deque)
    since: float = 0.0  # when the worker started its current point

    @property
    def busy(self) -> bool:
        return bool(self.chunk)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """Spawned worker processes kept for reuse across sweeps (see the module docstring)."""

    def __init__(self) -> None:
        self._workers: list[_Worker] = []
        self._ctx = multiprocessing.get_context("spawn")

    def _start(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child_conn, os.getpid()),
                                 daemon=True, name="wfm-sweep-worker")
        with main_module_hidden():  # the child needs nothing from the caller's script
            proc.start()
        child_conn.close()
        return _Worker(proc, parent_conn)

    def _resize(self, n: int) -> None:
        self._workers = [w for w in self._workers if w.process.is_alive()]
        while len(self._workers) > n:
            self._stop(self._workers.pop())
        while len(self._workers) < n:
            self._workers.append(self._start())

    @staticmethod
    def _stop(w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.conn.send(("stop",))
        w.process.join(2)
        if w.process.is_alive():
            w.kill()
        with contextlib.suppress(Exception):
            w.conn.close()

    def shutdown(self) -> None:
        """Stop every worker."""
        while self._workers:
            self._stop(self._workers.pop())

    def kill(self) -> None:
        """Kill every worker at once (Ctrl-C, an error in the parent)."""
        while self._workers:
            self._workers.pop().kill()

    def run(self, spec: SweepSpec, todo: list[Point], workers: int, chunk: int | None,
            on_done: OnDone) -> None:
        """Run the points on ``workers`` processes; ``on_done`` is called once per point."""
        self._resize(workers)
        chunk = chunk or auto_chunk(len(todo), workers)
        queue: deque[list[Point]] = deque(_chunks(todo, chunk))
        token = uuid.uuid4().hex
        lim = limits.current()  # the workers run under the caller's limits
        retried: set[int] = set()
        timeout = spec.point_timeout
        try:
            while queue or any(w.busy for w in self._workers):
                for k, w in enumerate(self._workers):
                    if w.busy or not queue:
                        continue
                    part = queue.popleft()
                    try:
                        if w.token != token:
                            w.conn.send(("spec", token, spec, lim))
                            w.token = token
                        w.conn.send(("run", token, part))
                    except (OSError, EOFError):  # it died while idle: replace it
                        queue.appendleft(part)
                        w.kill()
                        self._workers[k] = self._start()
                        continue
                    w.chunk, w.since = deque(part), time.monotonic()
                busy = [w for w in self._workers if w.busy]
                if not busy:
                    continue
                wait = max(0.05, min(w.since + timeout for w in busy) - time.monotonic() + 0.05)
                ready = set(multiprocessing.connection.wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait))
                now = time.monotonic()
                for k, w in enumerate(self._workers):
                    if not w.busy:
                        continue
                    died = False
                    if w.conn in ready or w.process.sentinel in ready:
                        received = []
                        try:
                            while w.busy and w.conn.poll():
                                _, outcome = w.conn.recv()
                                w.chunk.popleft()
                                w.since = time.monotonic()
                                received.append(outcome)
                        except (EOFError, OSError):  # the pipe broke: the worker died
                            died = True
                        for outcome in received:  # outside: an error saving it is the caller's
                            on_done(outcome)
                        if w.busy and not w.process.is_alive():
                            died = True
                    if died:
                        point = w.chunk.popleft()
                        rest = list(w.chunk)
                        w.chunk.clear()
                        code = w.process.exitcode
                        w.kill()
                        self._workers[k] = self._start()
                        if rest:
                            queue.appendleft(rest)
                        if point.index in retried:
                            on_done((point.index, f"worker died twice running this point"
                                     f" (exit code {code}); it may need more memory", None))
                        else:
                            retried.add(point.index)
                            queue.appendleft([point])
                    elif w.busy and now - w.since > timeout + 5:
                        # the simulation checks its time limit at interval boundaries;
                        # a point stuck elsewhere is stopped here
                        point = w.chunk.popleft()
                        rest = list(w.chunk)
                        w.chunk.clear()
                        w.kill()
                        self._workers[k] = self._start()
                        if rest:
                            queue.appendleft(rest)
                        on_done((point.index, timeout_message(timeout), None))
        except BaseException:
            self.kill()
            raise


_POOL = WorkerPool()
atexit.register(_POOL.shutdown)


def run_local(spec: SweepSpec, todo: list[Point], workers: int, chunk: int | None,
              on_done: OnDone) -> None:
    """Run points on local worker processes (the shared :class:`WorkerPool`)."""
    _POOL.run(spec, todo, workers, chunk, on_done)


def shutdown_pools() -> None:
    """Stop the worker processes kept for reuse (also done at interpreter exit)."""
    _POOL.shutdown()


# ---------------------------------------------------------------------- Dask
def run_dask(spec: SweepSpec, todo: list[Point], workers: int, chunk: int | None,
             scheduler: Any, use_dask: bool, on_done: OnDone) -> None:
    """Run points on a Dask cluster: ``scheduler`` (an address or a Client) or, with
    ``use_dask``, a ``LocalCluster`` of ``workers`` processes on 127.0.0.1."""
    try:
        import distributed
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise RuntimeError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    if isinstance(scheduler, distributed.Client):
        client, own = scheduler, False
    elif scheduler is not None:
        try:
            client, own = distributed.Client(str(scheduler), timeout="30s"), True
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError(f"--scheduler {str(scheduler)[:80]}: cannot connect to the Dask"
                             f" scheduler ({str(exc)[:160]})") from None
    else:
        with warnings.catch_warnings():
            # without a dashboard the scheduler still serves health checks over HTTP, on
            # 8787 or, when that is taken (another cluster), another port: not a problem
            warnings.filterwarnings("ignore", message="Port 8787 is already in use")
            with main_module_hidden():  # its worker processes start by spawn
                cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                                   host="127.0.0.1", dashboard_address=None,
                                                   processes=True)
        client, own = distributed.Client(cluster), True
    futures = {}
    try:
        if chunk is None:
            n_workers = len(client.scheduler_info().get("workers", {})) or workers
            chunk = auto_chunk(len(todo), n_workers, dask=True)
        spec_future = client.scatter(spec, broadcast=True, hash=False)
        for part in _chunks(todo, chunk):
            futures[client.submit(run_chunk, spec_future, part, limits.current(),
                                  pure=False)] = part
        for fut in distributed.as_completed(list(futures)):
            if fut.status == "finished":
                outcomes = fut.result()
            else:
                failure = fut.exception()
                outcomes = [(p.index, f"worker failed: {type(failure).__name__}: {failure}", None)
                            for p in futures[fut]]
            for o in outcomes:
                on_done(o)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise
    finally:
        if own:
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()

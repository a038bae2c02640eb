"""The sweep: every point of a spec through :func:`wfm.simulate`, in parallel."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from wfm.batch.backends import Outcome, cores, error_columns, point_table, run_dask, run_local
from wfm.batch.results import SweepResult, summarize
from wfm.batch.spec import SweepSpec, load_spec
from wfm.batch.store import collect, prepare_out, write_parquet, write_point
from wfm.checks import whole_number

__all__ = ["ProgressCallback", "sweep"]

#: Called as ``progress(done, total, failed)`` after each point.
ProgressCallback = Callable[[int, int, int], None]


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    use_dask: bool = False,
    progress: ProgressCallback | None = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Run every point of a sweep spec through :func:`wfm.simulate`, in parallel.

    Parameters
    ----------
    spec : str, Path, mapping or SweepSpec
        The spec file (see :mod:`wfm.batch.spec` and ``docs/guides/sweeps.md``), or the
        mapping it would hold.
    out : str or Path, optional
        Results directory: point files as points finish, then ``results.parquet`` and
        ``summary.parquet``. A rerun into it skips the points done. Without it nothing
        is written and nothing resumes. (``wfm sweep`` adds ``sweep.html``, drawn by
        :func:`wfm.report.write_sweep_report`.)
    workers : int, optional
        Local worker processes (default: the number of cores available), or the Dask
        ``LocalCluster``'s workers with ``use_dask``; unused with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or client to run on.
    use_dask : bool, default False
        Start a local Dask cluster (``workers`` processes on 127.0.0.1) for the run.
    progress : callable, optional
        Called as ``progress(done, total, failed)`` after each point of this run (the
        CLI draws its progress bar with it; the library prints nothing).
    chunk_size : int, optional
        Points per task (default: chosen from the number of points and workers).

    Returns
    -------
    SweepResult

    Raises
    ------
    ScenarioError
        The spec is invalid.
    LimitError
        The grid or the replications exceed :mod:`wfm.limits`.
    SweepError
        ``out`` holds the results of another spec.
    OSError
        ``out`` cannot be created or written (checked before any point runs).

    Examples
    --------
    >>> import wfm
    >>> res = wfm.sweep({"scenario": "scenarios/baseline.yaml", "replications": 1,
    ...                  "scale": {"channels.phone.volume": [1.0, 1.5]}}, workers=1)
    >>> res.points, res.failed, res.params
    (2, 0, ['channels.phone.volume'])
    >>> res.summary[res.summary["channel"] == "phone"]["channels.phone.volume"].tolist()
    [1.0, 1.5]
    """
    t0 = time.perf_counter()
    sp = load_spec(spec)
    if scheduler is not None and use_dask:
        raise ValueError("give either scheduler (an existing Dask cluster) or use_dask, not both")
    # each worker holds a Python with numpy, pandas and wfm (about 100 MB): a few per core
    n_workers = cores() if workers is None else whole_number(
        "workers", workers, minimum=1, maximum=max(4 * cores(), 8))
    if chunk_size is not None:
        chunk_size = whole_number("chunk_size", chunk_size, minimum=1)
    points = sp.points()
    out_dir = Path(out) if out is not None else None
    done_ids = prepare_out(out_dir, sp) if out_dir is not None else set()
    todo = [p for p in points if p.id not in done_ids]
    n_workers = max(1, min(n_workers, len(todo)))  # no more workers than points to run
    by_index = {p.index: p for p in points}
    tables: dict[int, pa.Table] = {}  # kept in memory without out, or when not persisted
    schema = sp.arrow_schema()
    done = failed_now = 0

    def on_done(outcome: Outcome) -> None:
        nonlocal done, failed_now
        index, error, data = outcome
        point = by_index[index]
        if data is None:  # not finished (time limit, worker death): keep, do not persist
            tables[index] = point_table(sp, schema, point, error_columns(error or ""), 1)
        elif out_dir is not None:
            write_point(out_dir, point.id, data)
        else:
            tables[index] = pq.read_table(pa.BufferReader(data))
        done += 1
        failed_now += error is not None
        if progress is not None:
            progress(done, len(todo), failed_now)

    t_run = time.perf_counter()
    if todo:
        if scheduler is not None or use_dask:
            run_dask(sp, todo, n_workers, chunk_size, scheduler, use_dask, on_done)
        else:
            run_local(sp, todo, n_workers, chunk_size, on_done)
    t_finish = time.perf_counter()
    results = collect(sp, schema, out_dir, tables)
    summary = summarize(results, sp.params)
    failed = int(results.loc[results["error"].notna(), "point"].nunique())
    if out_dir is not None:
        write_parquet(out_dir / "results.parquet", pa.Table.from_pandas(results, preserve_index=False))
        write_parquet(out_dir / "summary.parquet", pa.Table.from_pandas(summary, preserve_index=False))
    t_end = time.perf_counter()
    return SweepResult(
        results=results,
        summary=summary,
        name=sp.name,
        params=sp.params,
        points=len(points),
        ran=len(todo),
        resumed=len(points) - len(todo),
        failed=failed,
        elapsed=t_end - t0,
        timings={"prepare": t_run - t0, "run": t_finish - t_run, "finish": t_end - t_finish},
        out=out_dir,
        targets={name: ch.target.service_level for name, ch in sp.scenario.channels.items()
                 if ch.target is not None},
    )


"""Sweep throughput: a 100-point sweep of the baseline on 1 and 2 local processes and Dask.

Run from the repository root::

    python benchmarks/sweep_bench.py [--points 100] [--replications 1] [--repeat 3]

Each point is the baseline weekday with the phone volume scaled (0.800, 0.805, ...),
one task per point (or per chunk), results written to Parquet as in ``wfm sweep``.
Measured:

* ``serial``: the same points simulated one after the other in this process (no
  pool, no Parquet): the pure compute time ``T_s``.
* ``processes N, cold``: a fresh pool of N spawned processes (start-up included).
* ``processes N, warm``: the pool kept from the previous sweep (``wfm.sweep`` reuses it).
* ``dask N, warm``: an already running ``LocalCluster`` (N workers, 1 thread each,
  127.0.0.1) that has run one sweep; ``dask N, cold``: ``use_dask=True``, cluster
  start-up included.

Reported (best of ``--repeat``): wall time of the whole call (points, then
``results.parquet`` and ``summary.parquet``) and of the points phase alone
(``SweepResult.timings["run"]``: from the first task sent
to the last point file written), points per second, parallel efficiency ``T_s / (N *
T)`` against pure serial compute (100% is perfect), speed-up over 1 process and
per-point overhead ``(N * T - T_s) / points`` (worker-seconds spent on anything but
simulating, points phase).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def spec_for(points: int, replications: int) -> dict:
    return {
        "name": f"bench-{points}",
        "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
        "replications": replications,
        "seed": 1,
        "scale": {"channels.phone.volume": [round(0.8 + 0.005 * i, 3) for i in range(points)]},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--replications", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many warm runs")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    import wfm
    from wfm import batch as sw

    spec = sw.load_spec(spec_for(args.points, args.replications))
    points = spec.points()
    tmp = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    runs = iter(range(10**6))

    def timed(**kw) -> tuple[float, float]:
        """(wall time of the whole call, wall time of the points phase), seconds."""
        out = tmp / f"run{next(runs)}"
        t0 = time.perf_counter()
        res = wfm.sweep(spec, out=out, **kw)
        elapsed = time.perf_counter() - t0
        assert res.failed == 0 and res.results["point"].nunique() == len(points)
        shutil.rmtree(out)
        return elapsed, res.timings["run"]

    def best(runs_: list[tuple[float, float]]) -> tuple[float, float]:
        return min(r[0] for r in runs_), min(r[1] for r in runs_)

    # serial compute (warm: one point first so imports are not counted)
    wfm.simulate(spec.scenario_for(points[0]), seed=0, replications=args.replications)
    best_serial = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for p in points:
            wfm.simulate(spec.scenario_for(p), seed=p.seed, replications=args.replications)
        best_serial = min(best_serial, time.perf_counter() - t0)
    rows = [("serial (in process)", 1, (best_serial, best_serial))]
    load = [os.getloadavg()[0]]

    for n in (1, 2):
        sw.shutdown_pools()
        rows.append((f"processes {n}, cold", n, timed(workers=n)))
        rows.append((f"processes {n}, warm", n, best([timed(workers=n) for _ in range(args.repeat)])))
    sw.shutdown_pools()

    if not args.no_dask:
        import distributed

        rows.append(("dask 2, cold (use_dask)", 2, timed(workers=2, use_dask=True)))
        t0 = time.perf_counter()
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        start = time.perf_counter() - t0
        timed(scheduler=client)  # first sweep: worker imports
        rows.append(("dask 2, warm", 2, best([timed(scheduler=client) for _ in range(args.repeat)])))
        client.close()
        cluster.close()
        print(f"dask LocalCluster(2) start-up: {start:.2f} s")
    shutil.rmtree(tmp, ignore_errors=True)

    load.append(os.getloadavg()[0])
    n_pts = len(points)
    t1 = next(t for name, _, t in rows if name == "processes 1, warm")
    print(f"{n_pts} points x {args.replications} replication(s) of the baseline; "
          f"{os.cpu_count()} cores; serial {1000 * best_serial / n_pts:.1f} ms per point; "
          f"1-min load average {load[0]:.2f} before, {load[1]:.2f} after")
    print("| run | workers | wall s (all) | points phase s | points/s | efficiency (points) |"
          " efficiency (all) | speed-up vs 1 process (points) | overhead ms/point |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, (t_all, t_run) in rows:
        print(f"| {name} | {n} | {t_all:.2f} | {t_run:.2f} | {n_pts / t_run:.1f} |"
              f" {100 * best_serial / (n * t_run):.0f}% | {100 * best_serial / (n * t_all):.0f}% |"
              f" {t1[1] / t_run:.2f} | {(n * t_run - best_serial) / n_pts * 1000:.1f} |")


if __name__ == "__main__":
    main()

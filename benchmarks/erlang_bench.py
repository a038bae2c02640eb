"""Erlang benchmark: wfm.erlang.required_agents against pyworkforce's ErlangC.

Random intervals (seeded): volumes uniform on 1-1000 contacts per 30 min, AHT 300 s,
target 80% answered within 20 s. wfm answers all intervals in one vectorised call;
pyworkforce 0.5.1 is called once per interval, as its API requires:
``ErlangC(transactions=v, aht=5, asa=20/60, interval=30, shrinkage=0)``
``.required_positions(service_level=0.8)["raw_positions"]``. pyworkforce takes AHT,
interval and its ``asa`` (the answer-time threshold) in one unit, minutes here as in
its README. Same inputs, same machine, one run.

wfm is warmed up once on other data of the same size, then timed on one call.
For 100,000 intervals pyworkforce is timed on a subsample and extrapolated (said so in
the table); the answers are compared on that subsample.

Run: ``python benchmarks/erlang_bench.py [--seed 1] [--subsample 5000]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

try:
    from wfm import erlang
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from wfm import erlang

AHT, WITHIN, TARGET, INTERVAL = 300.0, 20.0, 0.8, 1800.0


def pyworkforce_required(volumes: np.ndarray) -> np.ndarray:
    from pyworkforce.queuing import ErlangC

    out = np.empty(volumes.size, dtype=np.int64)
    for i, v in enumerate(volumes):
        model = ErlangC(transactions=float(v), aht=AHT / 60, asa=WITHIN / 60,
                        interval=INTERVAL / 60, shrinkage=0.0)
        out[i] = model.required_positions(service_level=TARGET)["raw_positions"]
    return out


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def explain(volumes: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> list[str]:
    """Describe each mismatch by the exact service levels around the two answers."""
    notes = []
    for i in np.flatnonzero(ours != theirs)[:10]:
        v = volumes[i]
        sl = {n: float(erlang.service_level(v, AHT, n, WITHIN, interval=INTERVAL))
              for n in sorted({int(ours[i]) - 1, int(ours[i]), int(theirs[i])})}
        notes.append(f"volume {v:g}: wfm {ours[i]}, pyworkforce {theirs[i]}; "
                     + ", ".join(f"SL({n}) = {s:.12f}" for n, s in sl.items()))
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--subsample", type=int, default=5000,
                    help="intervals of the 100,000 timed with pyworkforce")
    args = ap.parse_args()
    import pyworkforce

    rng = np.random.default_rng(args.seed)
    rows = []
    notes: list[str] = []
    for size in (1_000, 100_000):
        volumes = rng.integers(1, 1001, size).astype(np.float64)
        warm = np.random.default_rng(args.seed + 1000).integers(1, 1001, size).astype(float)
        erlang.required_agents(warm, AHT, WITHIN, TARGET, interval=INTERVAL)  # other data, same size
        ours, t_ours = timed(erlang.required_agents, volumes, AHT, WITHIN, TARGET, interval=INTERVAL)
        if size <= 1_000:
            theirs, t_theirs = timed(pyworkforce_required, volumes)
            compared, how = volumes.size, "measured"
            ours_cmp = ours
        else:
            pick = rng.choice(size, args.subsample, replace=False)
            theirs, t_sub = timed(pyworkforce_required, volumes[pick])
            t_theirs = t_sub * size / args.subsample
            compared, how = args.subsample, f"extrapolated from {args.subsample:,}"
            ours_cmp, volumes = ours[pick], volumes[pick]
        mismatches = int(np.count_nonzero(ours_cmp != theirs))
        notes += explain(volumes, ours_cmp, theirs)
        rows.append((size, t_ours, t_theirs, how, compared, mismatches))

    print(f"required_agents: volumes uniform 1-1000 per 30 min (seed {args.seed}), AHT {AHT:g} s, "
          f"{TARGET:.0%} in {WITHIN:g} s; pyworkforce {pyworkforce.__version__}, "
          f"numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}\n")
    print("| intervals | wfm (one call) | pyworkforce (loop) | pyworkforce timing | "
          "wfm per interval | pyworkforce per interval | speed-up | answers compared | "
          "mismatches |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for size, t_ours, t_theirs, how, compared, mismatches in rows:
        print(f"| {size:,} | {t_ours * 1e3:.2f} ms | {t_theirs * 1e3:,.0f} ms | {how} | "
              f"{t_ours / size * 1e6:.2f} µs | {t_theirs / size * 1e6:.1f} µs | "
              f"{t_theirs / t_ours:,.0f}x | {compared:,} | {mismatches} |")
    if notes:
        print("\nMismatches:")
        for note in notes:
            print(f"- {note}")


if __name__ == "__main__":
    main()

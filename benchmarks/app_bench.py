"""App benchmark: how long the planner waits after pressing "Run simulation".

Two measurements on the bundled baseline day (24 half-hour intervals, 4 channels):

1. **simulate + figures**, in-process: ``wfm.simulate`` (one replication) and every
   chart the Results tab shows (``wfm.report.run_figures`` plus the Erlang
   requirement figure from ``wfm.staffing.requirements``), serialised to plotly JSON
   as Streamlit does. Repeated with new seeds; min / median / max.
2. **a full run through AppTest**: the whole script rerun after clicking
   "Run simulation" with a new seed (nothing cached), and again with the same seed (the
   simulation served from ``st.cache_data``), as ``streamlit.testing`` measures it.

The target is under 2 s from click to redrawn page. The browser adds its own plotly
rendering on top; tests/test_app_browser.py shows that it renders.

Run: ``python benchmarks/app_bench.py [--repeats 7]``
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wfm  # noqa: E402
from wfm import report  # noqa: E402
from wfm.sim.engine import simulate  # noqa: E402


def _stats(times: list[float]) -> str:
    return (f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s")


def bench_in_process(repeats: int) -> dict[str, list[float]]:
    """simulate, figures (+ JSON) and their sum for new seeds, seconds each."""
    from wfm.staffing import requirements

    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    out: dict[str, list[float]] = {"simulate": [], "figures": [], "total": []}
    simulate(sc, seed=999)  # warm imports and first-call costs
    for seed in range(repeats):
        t0 = time.perf_counter()
        result = simulate(sc, seed=seed)
        t1 = time.perf_counter()
        figs = list(report.run_figures(result))
        figs.append(("Requirement", report.requirement_figure(result, requirements(sc))))
        for _, fig in figs:
            fig.to_json()
        t2 = time.perf_counter()
        out["simulate"].append(t1 - t0)
        out["figures"].append(t2 - t1)
        out["total"].append(t2 - t0)
    return out


def bench_apptest(repeats: int) -> dict[str, float | list[float]]:
    """Script reruns through streamlit's AppTest, seconds."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    t0 = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    fresh, cached = [], []
    for k in range(repeats):
        at.number_input(key="seed").set_value(10_000 + k)
        t0 = time.perf_counter()
        at.button(key="run").click().run()
        fresh.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        assert len(at.get("plotly_chart")) >= 6
        t0 = time.perf_counter()
        at.button(key="run").click().run()
        cached.append(time.perf_counter() - t0)
    return {"first page load": first, "run (new seed)": fresh, "run (cached)": cached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, baseline day, {args.repeats} repeats\n")
    res = bench_in_process(args.repeats)
    print("in process (one replication):")
    for name, times in res.items():
        print(f"  {name:<10} {_stats(times)}")
    app = bench_apptest(args.repeats)
    print("\nthrough AppTest (whole script rerun):")
    for name, value in app.items():
        text = f"{value:.3f} s" if isinstance(value, float) else _stats(value)
        print(f"  {name:<16} {text}")
    worst = max(max(res["total"]), max(app["run (new seed)"]))
    print(f"\nslowest click-to-redraw: {worst:.3f} s "
          f"({'under' if worst < 2 else 'OVER'} the 2 s target)")


if __name__ == "__main__":
    main()

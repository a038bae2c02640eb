"""Engine benchmark: wfm.simulate against the obvious simpy model and Ciw.

One M/M/n+M case (1,000 calls per 30 min, AHT 180 s, patience 120 s, 105 agents,
200 intervals), run by

* ``wfm.simulate``;
* the obvious simpy model: a process per contact, a ``simpy.Resource`` for agents,
  patience as a timeout raced against the request;
* Ciw (an M/M/105 node with exponential reneging),

same machine, one run: contacts per second and peak traced memory, with the three
service levels beside the exact Erlang A one. Then a week of the baseline centre
(7 days, all four channels).

Run: ``python benchmarks/engine_bench.py [--intervals 200]``
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np
import simpy

import wfm

VOLUME, AHT, PATIENCE, AGENTS, INTERVAL, WITHIN = 1000, 180.0, 120.0, 105, 1800.0, 20.0


def scenario(intervals: int) -> wfm.Scenario:
    return wfm.Scenario.from_dict(
        {
            "name": "M/M/105+M",
            "interval_minutes": 30,
            "channels": {
                "phone": {
                    "kind": "voice",
                    "volume": [VOLUME] * intervals,
                    "aht": AHT,
                    "patience": PATIENCE,
                    "target": {"answer_within": WITHIN, "service_level": 0.8},
                }
            },
            "agents": [{"group": "voice", "skills": ["phone"], "staff": AGENTS}],
        }
    )


def run_wfm(intervals: int, seed: int = 1) -> tuple[int, float]:
    res = wfm.simulate(scenario(intervals), seed=seed)
    s = res.summary.iloc[0]
    return int(s.offered), float(s.service_level)


def run_simpy(intervals: int, seed: int = 1) -> tuple[int, float]:
    """The obvious model: one process per call, a Resource for the agents."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    stats = {"offered": 0, "in_target": 0}
    rate = VOLUME / INTERVAL
    horizon = intervals * INTERVAL

    def call(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        arrived = env.now
        stats["offered"] += 1
        with agents.request() as req:
            patience = env.timeout(rng.exponential(PATIENCE))
            result = yield req | patience
            if req in result:
                if env.now - arrived <= WITHIN:
                    stats["in_target"] += 1
                yield env.timeout(rng.exponential(AHT))

    def source(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.exponential(1 / rate))
            if env.now >= horizon:
                return
            env.process(call(env))

    env.process(source(env))
    env.run()
    return stats["offered"], stats["in_target"] / stats["offered"]


def run_ciw(intervals: int, seed: int = 1) -> tuple[int, float]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=VOLUME / INTERVAL)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    horizon = intervals * INTERVAL
    sim.simulate_until_max_time(horizon + 3600)
    recs = sim.get_all_records()
    served = [r for r in recs if r.record_type == "service" and r.arrival_date < horizon]
    reneged = [r for r in recs if r.record_type == "renege" and r.arrival_date < horizon]
    offered = len(served) + len(reneged)
    in_target = sum(1 for r in served if r.waiting_time <= WITHIN)
    return offered, in_target / offered


def measure(fn, intervals: int) -> dict[str, float]:
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    offered, sl = fn(intervals)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # contacts per second measured without tracemalloc's overhead
    t0 = time.perf_counter()
    fn(intervals)
    clean = time.perf_counter() - t0
    return {
        "contacts": offered,
        "seconds": clean,
        "traced_seconds": elapsed,
        "per_second": offered / clean,
        "peak_mb": peak / 2**20,
        "service_level": sl,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--intervals", type=int, default=200)
    ap.add_argument("--skip-ciw", action="store_true")
    args = ap.parse_args()
    exact = float(
        wfm.erlang.service_level(VOLUME, AHT, AGENTS, WITHIN, interval=INTERVAL, patience=PATIENCE)
    )
    rows = {
        "wfm.simulate": measure(run_wfm, args.intervals),
        "obvious simpy": measure(run_simpy, args.intervals),
    }
    if not args.skip_ciw:
        rows["Ciw"] = measure(run_ciw, args.intervals)
    base = rows["obvious simpy"]["per_second"]
    print(
        f"M/M/{AGENTS}+M, {VOLUME} calls/30 min, AHT {AHT:g} s, patience {PATIENCE:g} s, "
        f"{args.intervals} intervals; exact Erlang A service level {exact:.4f}\n"
    )
    print(
        "| model | contacts | seconds | contacts/s | vs obvious simpy | peak MB (traced) | service level |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['contacts']:,} | {r['seconds']:.2f} | {r['per_second']:,.0f} | "
            f"{r['per_second'] / base:.1f}x | {r['peak_mb']:.1f} | {r['service_level']:.4f} |"
        )

    # memory does not grow with the number of contacts: same horizon, 16x the contacts
    # (per-interval results do grow with the number of intervals, as they must)
    print(f"\nPeak traced memory of wfm.simulate, {args.intervals} intervals, load held at "
          f"{VOLUME * AHT / INTERVAL / AGENTS:.0%} per agent:")
    for factor in (0.25, 1, 4):
        sc = scenario(args.intervals).scaled({"channels.phone.volume": factor, "agents.voice.staff": factor})
        gc.collect()
        tracemalloc.start()
        res = wfm.simulate(sc, seed=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"- {int(res.summary.offered.iloc[0]):,} contacts ({factor * VOLUME:g} per interval, "
              f"{round(factor * AGENTS)} agents): {peak / 2**20:.1f} MB")

    # a week of the baseline centre
    base_sc = wfm.load_scenario("scenarios/baseline.yaml")
    week = base_sc.to_dict()
    for ch in week["channels"].values():
        ch["volume"] = list(ch["volume"]) * 7
    for g in week["agents"]:
        if isinstance(g["staff"], list):
            g["staff"] = list(g["staff"]) * 7
    week_sc = wfm.Scenario.from_dict(week)
    t0 = time.perf_counter()
    res = wfm.simulate(week_sc, seed=1)
    el = time.perf_counter() - t0
    print(
        f"\nA week of the baseline (7 x 24 intervals, 4 channels, "
        f"{int(res.summary.offered.sum()):,} contacts): {el:.2f} s"
    )


if __name__ == "__main__":
    main()

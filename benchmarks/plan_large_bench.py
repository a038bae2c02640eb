"""A large centre, planned at scale: ``wfm.plan`` and ``wfm.scheduling.schedule`` on a
week of 15-minute intervals of a 16-channel, 12-group centre with 800-900 agents at peak.

The centre (:func:`centre`): 16 channels (8 voice lines, 3 chats, 5 deferred queues),
12 agent groups with overlapping skills, open 07:00-22:00 on weekdays, 08:00-20:00 on
Saturday and 09:00-18:00 on Sunday (``start_date`` a Monday, ``opening_hours``), and a
``shifts:`` rule per group (voice groups start every 15 minutes with 4, 6 and 8 hour
shifts, chats every 30 minutes, the back office at fixed times with a headcount). The
``staff`` curves (how the centre shares a channel among its groups) come from the
channels' Erlang requirements split by fixed shares. ``--days 1`` is its Monday. The
centre is ``large_centre.py``'s (shared with ``engine_large_bench.py``); the peak volumes
(:data:`PEAKS`) are this bench's own.

Phases (:func:`profile_plan`): ``wfm.plan`` runs with timers wrapped around the
functions it calls: ``requirements`` (``wfm.staffing`` channel and group requirements),
``schedule`` (all of ``wfm.scheduling.schedule``), split into ``model build`` (the
schedule's ``build_seconds``: the model and its greedy start) and ``HiGHS`` (its
``solve_seconds``), the rest of it (``schedule other``: templates, blocks, result
frames); ``simulation`` (``wfm.simulate``); ``judging`` (``wfm.planning.judge``); the
rest of the loop (``loop other``).

Before/after: with ``--before PATH`` (a worktree of the code before the change, e.g.
``git worktree add --detach /tmp/before15 HEAD``) every case runs in a fresh process on
both codes, interleaved (before, after, before, after, ...) so the machine's load hits
both alike, and the table shows both.

Each case records the load average (1 minute) when it starts and ends, and a plan its
replications simulated (``reps``) and its lower bound.

Run: ``python benchmarks/plan_large_bench.py [--before /tmp/before15] [--cases ...]``,
e.g. the issue's comparison: ``--before /tmp/before15 --before-max-iterations 3 --cases
schedule:1 plan:1:10:scale schedule:7 plan:7:15:scale``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import large_centre  # benchmarks/, the script's directory (also for ``--worker`` in another checkout)
import numpy as np
from large_centre import shift_rules as shift_rules  # re-exported: the centre's rules, as before

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------ the centre
# the channels, groups, calendar, shift rules and staffing are large_centre's; this bench's
# own: the peak volume per 15 min of each channel
PEAKS: dict[str, float] = {
    "v_billing": 403, "v_tech": 297, "v_sales": 233, "v_moves": 170, "v_premium": 122,
    "v_spanish": 117, "v_business": 95, "v_retention": 69,
    "chat_support": 244, "chat_sales": 122, "chat_premium": 48,
    "email": 106, "email_business": 32, "social": 38, "cases": 48, "callback": 16,
}


def centre(days: int = 7) -> dict[str, Any]:
    """The scenario mapping of the large centre over ``days`` days from Monday.

    Parameters
    ----------
    days : int
        Days from Monday (``1``: its Monday; ``7``: the week).

    Returns
    -------
    dict[str, Any]
        :func:`large_centre.scenario` with :data:`PEAKS`, the calendar (``start_date``,
        ``opening_hours``) and the shift rules.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.Scenario.from_dict(centre(1))
    >>> len(sc.channels), len(sc.group_names), sc.horizon
    (16, 12, 96)
    """
    return large_centre.scenario(PEAKS, days, calendar=True)


# ------------------------------------------------------------------------ profiling
class _Timer:
    """Wall seconds per phase, accumulated."""

    def __init__(self) -> None:
        self.t: dict[str, float] = {}

    def wrap(self, name: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.t[name] = self.t.get(name, 0.0) + time.perf_counter() - t0
        return timed


def profile_plan(days: int, max_iterations: int, mode: str, replications: int) -> dict[str, Any]:
    """``wfm.plan`` on the centre with timers around the functions the loop calls.
    ``mode``: ``cold`` (the loop's defaults), ``warm`` (each round's schedule warm-started
    by this wrapper, for code without ``plan(warm_start=)``), ``scale`` (the options for
    a large centre: ``warm_start``, ``sequential``, ``escalate``, ``confirm_first``),
    ``scale2`` (those, and the replications in two processes: ``workers=2``)."""
    warm = mode == "warm"
    import types

    import wfm
    import wfm.planning as planning

    sc = wfm.Scenario.from_dict(centre(days))
    tm = _Timer()
    builds: list[float] = []
    solves: list[float] = []
    gaps: list[float] = []
    real_schedule = planning.schedule
    last: list[Any] = []

    def schedule(*args: Any, **kwargs: Any) -> Any:
        if warm and last:
            kwargs["warm_start"] = last[-1]
        s = real_schedule(*args, **kwargs)
        last.append(s)
        builds.append(s.build_seconds)
        solves.append(s.solve_seconds)
        gaps.append(s.gap)
        return s

    proxy = types.SimpleNamespace(**{k: getattr(planning.staffing, k) for k in dir(planning.staffing)
                                     if not k.startswith("__")})
    proxy.channel_requirements = tm.wrap("requirements", planning.staffing.channel_requirements)
    proxy.group_requirements = tm.wrap("requirements", planning.staffing.group_requirements)
    planning.staffing = proxy  # type: ignore[assignment]
    planning.schedule = tm.wrap("schedule", schedule)
    if hasattr(planning, "Replications"):  # the loop asks for replications in parts
        timed_result = tm.wrap("simulation", planning.Replications.result)

        class TimedReplications(planning.Replications):  # type: ignore[name-defined,misc]
            def result(self, n: int | None = None) -> Any:
                return timed_result(self, n)

        planning.Replications = TimedReplications  # type: ignore[attr-defined,misc]
    else:  # the code before: one simulate per check
        planning.simulate = tm.wrap("simulation", planning.simulate)
    planning.judge = tm.wrap("judging", planning.judge)
    opts: dict[str, Any] = {}
    if mode in ("scale", "scale2"):  # the options for a large centre (wfm.plan's own warm start)
        opts = {"warm_start": True, "sequential": True, "escalate": True, "confirm_first": True}
    if mode == "scale2":  # and each round's replications in two processes (wall time; the
        opts["workers"] = 2  # CPU column then counts this process only)
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    res = wfm.plan(sc, seed=0, max_iterations=max_iterations, replications=replications, **opts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    it = res.iterations
    extra = {"load": [round(load0, 2), round(os.getloadavg()[0], 2)],
             "lower_bound": float(getattr(res, "lower_bound", float("nan"))),
             "replications": int(it["replications"].sum()) if "replications" in it else
             int(sum(replications * (3 if c else 1) for c in it.get("confirms", [0] * len(it)))),
             "stop": str(getattr(res, "stop", "")),
             "best_iteration": int(getattr(res, "best_iteration", 0))}
    phases = dict(tm.t)
    phases["model build"] = sum(builds)
    phases["HiGHS"] = sum(solves)
    phases["schedule other"] = phases.get("schedule", 0.0) - sum(builds) - sum(solves)
    phases["loop other"] = wall - sum(phases.get(k, 0.0) for k in
                                      ("requirements", "schedule", "simulation", "judging"))
    return {"wall": wall, "cpu": cpu, "phases": phases, "rounds": len(res.iterations),
            "converged": bool(res.converged), "reason": res.reason, "cost": res.cost,
            "gap": float(res.schedule.gap), "max_gap": max(gaps), "peak": _peak(res.schedule),
            "costs": [float(c) for c in res.iterations["cost"]], **extra}


def profile_schedule(days: int) -> dict[str, Any]:
    """One ``wfm.scheduling.schedule`` of the analytic requirement."""
    import wfm
    from wfm.scheduling import schedule

    sc = wfm.Scenario.from_dict(centre(days))
    t0 = time.perf_counter()
    req = wfm.staffing.group_requirements(sc, wfm.staffing.channel_requirements(sc))
    t1, c1 = time.perf_counter(), time.process_time()
    s = schedule(sc, req, time_limit=600.0, gap=0.01)
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    return {"wall": wall, "cpu": cpu, "phases": {"requirements": t1 - t0,
                                                 "model build": s.build_seconds,
                                                 "HiGHS": s.solve_seconds,
                                                 "schedule other": wall - s.build_seconds - s.solve_seconds},
            "cost": s.cost, "gap": float(s.gap), "bound": float(s.bound), "shortfall": s.shortfall,
            "columns": s.n_columns, "blocks": s.blocks, "peak": _peak(s)}


def _peak(s: Any) -> int:
    staff = s.staff()
    return int(sum(np.asarray(v) for v in staff.values()).max())


def worker(case: str, days: int, max_iterations: int, warm: str, replications: int) -> None:
    """One case in this process; prints one JSON line."""
    if case == "schedule":
        load0 = os.getloadavg()[0]
        out = profile_schedule(days)
        out["load"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    else:
        out = profile_plan(days, max_iterations, warm, replications)
    import wfm

    out["wfm"] = str(Path(wfm.__file__).parent)
    print(json.dumps(out))


def run_case(code: Path, args: list[str]) -> dict[str, Any]:
    """Run a case in a fresh process with ``code`` first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code)
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], env=env,
                          capture_output=True, text=True, cwd=str(code), check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


PHASES = ["requirements", "schedule", "model build", "HiGHS", "schedule other", "simulation",
          "judging", "loop other"]


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """A markdown table of the cases."""
    head = ["case", "wall s", "CPU s", *PHASES, "rounds", "reps", "converged", "cost", "gap",
            "lower bound", "peak agents", "load"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in rows:
        ph = r["phases"]
        cells = [name, f"{r['wall']:.1f}", f"{r['cpu']:.1f}",
                 *[f"{ph[k]:.1f}" if k in ph else "-" for k in PHASES],
                 str(r.get("rounds", "-")), str(r.get("replications", "-")),
                 str(r.get("converged", "-")), f"{r['cost']:,.1f}", f"{r['gap']:.2e}",
                 f"{r['lower_bound']:,.1f}" if r.get("lower_bound") == r.get("lower_bound")
                 and "lower_bound" in r else "-",
                 str(r.get("peak", "-")), "-".join(str(x) for x in r.get("load", []))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", nargs=5, metavar=("CASE", "DAYS", "ITER", "WARM", "REPS"))
    ap.add_argument("--before", type=Path, help="code before the change (a worktree)")
    ap.add_argument("--after", type=Path, default=ROOT, help="code after (default: this checkout)")
    ap.add_argument("--cases", nargs="*", default=["schedule:1", "plan:1", "schedule:7", "plan:7"],
                    help="CASE:DAYS[:MAX_ITER[:cold|warm|scale|scale2[:REPS]]], e.g. plan:7:15:scale2:3"
                         " (the before code always runs cold)")
    ap.add_argument("--before-max-iterations", type=int, default=None,
                    help="cap the before code's rounds on the week (its per-round times are shown)")
    args = ap.parse_args()
    if args.worker:
        case, days, it, warm, reps = args.worker
        worker(case, int(days), int(it), warm, int(reps))
        return
    rows: list[tuple[str, dict[str, Any]]] = []
    for spec in args.cases:
        parts = spec.split(":")
        case, days = parts[0], parts[1]
        it = parts[2] if len(parts) > 2 else "10"
        warm = parts[3] if len(parts) > 3 else "cold"
        reps = parts[4] if len(parts) > 4 else "3"
        label = f"{case} {days} d" + (f" ({warm}, {reps} reps)" if case == "plan" else "")
        if args.before is not None:
            capped = args.before_max_iterations is not None and int(days) >= 7
            bit = str(args.before_max_iterations) if capped else it
            r = run_case(args.before, [case, days, bit, "cold", reps])
            rows.append((f"before: {label}" + (f" max {bit} rounds" if bit != it and case == "plan" else ""), r))
            print(rows[-1][0], json.dumps(r), flush=True)
        r = run_case(args.after, [case, days, it, warm, reps])
        rows.append((f"after: {label}", r))
        print(rows[-1][0], json.dumps(r), flush=True)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()

"""A large centre, planned at scale: ``wfm.plan`` and ``wfm.scheduling.schedule`` on a
week of 15-minute intervals of a 16-channel, 12-group centre with 800-900 agents at peak.

The centre (:func:`centre`): 16 channels (8 voice lines, 3 chats, 5 deferred queues),
12 agent groups with overlapping skills, open 07:00-22:00 on weekdays, 08:00-20:00 on
Saturday and 09:00-18:00 on Sunday (``start_date`` a Monday, ``opening_hours``), and a
``shifts:`` rule per group (voice groups start every 15 minutes with 4, 6 and 8 hour
shifts, chats every 30 minutes, the back office at fixed times with a headcount). The
``staff`` curves (how the centre shares a channel among its groups) come from the
channels' Erlang requirements split by fixed shares. ``--days 1`` is its Monday.

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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
INTERVAL_MIN = 15
L = INTERVAL_MIN * 60.0
PER_DAY = 24 * 60 // INTERVAL_MIN  # 96
START_DATE = "2026-11-30"  # a Monday

# ------------------------------------------------------------------------ the centre
# name: (kind, peak volume per 15 min, aht s, patience s or None, concurrency)
CHANNELS: dict[str, tuple[str, float, float, float | None, int]] = {
    "v_billing": ("voice", 403, 300, 180, 1),
    "v_tech": ("voice", 297, 420, 240, 1),
    "v_sales": ("voice", 233, 360, 150, 1),
    "v_moves": ("voice", 170, 480, 240, 1),
    "v_premium": ("voice", 122, 330, 300, 1),
    "v_spanish": ("voice", 117, 360, 200, 1),
    "v_business": ("voice", 95, 420, 240, 1),
    "v_retention": ("voice", 69, 540, 300, 1),
    "chat_support": ("chat", 244, 720, 300, 3),
    "chat_sales": ("chat", 122, 600, 240, 2),
    "chat_premium": ("chat", 48, 660, 300, 2),
    "email": ("deferred", 106, 420, None, 1),
    "email_business": ("deferred", 32, 540, None, 1),
    "social": ("deferred", 38, 240, None, 1),
    "cases": ("deferred", 48, 600, None, 1),
    "callback": ("deferred", 16, 360, None, 1),
}
TARGETS = {"voice": (20, 0.8), "chat": (60, 0.8), "deferred": (14400, 0.9)}
# group: {channel: share of the channel's requirement its staff curve carries}; skills in
# priority order (dict order)
GROUPS: dict[str, dict[str, float]] = {
    "billing": {"v_billing": 0.8, "v_sales": 0.1},
    "tech": {"v_tech": 0.85, "v_business": 0.2},
    "sales": {"v_sales": 0.8, "v_retention": 0.2},
    "moves": {"v_moves": 0.9, "v_billing": 0.1},
    "premium": {"v_premium": 1.0, "chat_premium": 0.5},
    "spanish": {"v_spanish": 1.0, "v_billing": 0.05},
    "business": {"v_business": 0.8, "email_business": 0.6},
    "retention": {"v_retention": 0.8, "v_tech": 0.15},
    "chat_a": {"chat_support": 0.7, "chat_sales": 0.3},
    "chat_b": {"chat_sales": 0.7, "chat_support": 0.3, "chat_premium": 0.5, "social": 0.5},
    "back_a": {"email": 0.7, "cases": 0.6, "callback": 0.5, "v_moves": 0.1},
    "back_b": {"email": 0.3, "email_business": 0.4, "social": 0.5, "cases": 0.4, "callback": 0.5},
}
OPENING = {"mon": ["07:00", "22:00"], "tue": ["07:00", "22:00"], "wed": ["07:00", "22:00"],
           "thu": ["07:00", "22:00"], "fri": ["07:00", "22:00"], "sat": ["08:00", "20:00"],
           "sun": ["09:00", "18:00"]}
WEEK = [1.0, 0.95, 0.92, 0.9, 0.88, 0.6, 0.45]  # Monday to Sunday
_BREAK = {"minutes": 30, "paid": False, "earliest": 120, "latest": 300, "min_shift_hours": 6}


def shift_rules() -> dict[str, dict[str, Any]]:
    """A ``shifts:`` rule per group: voice groups every 15 minutes (4, 6, 8 h), chats
    every 30 minutes (6, 8 h), the back office at six fixed times (8 h) with a headcount."""
    rules: dict[str, dict[str, Any]] = {}
    for k, g in enumerate(GROUPS):
        if g.startswith("chat"):
            rule: dict[str, Any] = {"earliest_start": "07:00", "latest_start": "14:00",
                                    "every_minutes": 30, "lengths_hours": [6, 8],
                                    "cost_per_hour": 21.0}
        elif g.startswith("back"):
            rule = {"starts": ["07:00", "08:00", "09:00", "10:00", "12:00", "14:00"],
                    "lengths_hours": [8], "cost_per_hour": 19.0, "max_agents": 150}
        else:
            rule = {"earliest_start": "07:00", "latest_start": "18:00", "every_minutes": 15,
                    "lengths_hours": [4, 6, 8], "cost_per_hour": 22.0 + (k % 4) * 2.5}
        rule["break"] = dict(_BREAK)
        rules[g] = rule
    return rules


def day_profile() -> np.ndarray:
    """Share of the peak per 15-minute interval of a day: a morning peak around 10:30,
    a second one around 14:30, an evening tail (closed hours take no arrivals)."""
    h = (np.arange(PER_DAY) + 0.5) / 4
    prof = (0.05 + 0.95 * np.exp(-0.5 * ((h - 10.5) / 2.0) ** 2)
            + 0.8 * np.exp(-0.5 * ((h - 14.5) / 2.2) ** 2)
            + 0.35 * np.exp(-0.5 * ((h - 19.0) / 1.8) ** 2))
    return prof / prof.max()


def volumes(days: int) -> dict[str, list[float]]:
    """Arrivals per interval per channel over ``days`` days from Monday."""
    prof = day_profile()
    curve = np.concatenate([prof * WEEK[d % 7] for d in range(days)])
    return {name: [round(float(v), 1) for v in spec[1] * curve] for name, spec in CHANNELS.items()}


def _channel_requirements(vol: dict[str, list[float]]) -> dict[str, np.ndarray]:
    from wfm import erlang

    out = {}
    for name, (kind, _, aht, patience, conc) in CHANNELS.items():
        v = np.asarray(vol[name], float)
        if kind == "voice":
            within, sl = TARGETS["voice"]
            req = np.asarray(erlang.required_agents(v, aht, within, sl, interval=L,
                                                    patience=patience), float)
        elif kind == "chat":
            req = np.ceil(v * aht / L / conc / 0.85)
        else:
            req = np.ceil(v * aht / L / 0.9)
        out[name] = req
    return out


def centre(days: int = 7) -> dict[str, Any]:
    """The scenario mapping of the large centre over ``days`` days from Monday.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.Scenario.from_dict(centre(1))
    >>> len(sc.channels), len(sc.group_names), sc.horizon
    (16, 12, 96)
    """
    vol = volumes(days)
    req = _channel_requirements(vol)
    staff = {g: [int(x) for x in np.ceil(sum(share * req[c] for c, share in skills.items()))]
             for g, skills in GROUPS.items()}
    channels: dict[str, dict[str, Any]] = {}
    for name, (kind, _, aht, patience, conc) in CHANNELS.items():
        within, sl = TARGETS[kind]
        ch: dict[str, Any] = {"kind": kind, "volume": vol[name], "aht": aht,
                              "target": {"answer_within": within, "service_level": sl}}
        if patience is not None:
            ch["patience"] = patience
        if conc > 1:
            ch["concurrency"] = conc
        channels[name] = ch
    agents = [{"group": g, "skills": list(skills), "staff": staff[g]} for g, skills in GROUPS.items()]
    return {"name": f"Large centre, {days} day(s)", "interval_minutes": INTERVAL_MIN,
            "start": "00:00", "start_date": START_DATE, "opening_hours": OPENING,
            "channels": channels, "agents": agents, "shifts": shift_rules()}


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

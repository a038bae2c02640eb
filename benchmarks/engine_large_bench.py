"""Large multi-skill engine benchmark: a week of a big centre, switch features off and on.

The centre: a week of 15-minute intervals (672), 16 channels (8 voice lines, 3 chat
channels, 5 deferred queues: two email queues, social, back-office cases, callbacks),
12 agent groups with overlapping skills, about 1,170 agents on duty at the weekly peak,
staffed from Erlang requirements (voice: Erlang A at 80% in 20 s; chat and deferred:
load at 85-90% occupancy) split over the groups that serve each channel. The centre is
``large_centre.py``'s (shared with ``plan_large_bench.py``); this week's own are its peak
volumes (:data:`PEAKS`, about 1.29x the plan bench's) and quiet nights (before 06:30 at 0.3x).

Cases, each simulated for one replication of the week:

(a) **features off**: only what the engine had before issue 11 (voice with patience,
    chat with concurrency, deferred backlog, staff per interval, today's routing). Run
    by the current code and, with ``--before PATH``, by the code at PATH (a worktree
    of the commit before the change, e.g. ``git worktree add /tmp/before11 39fc3ac~1``),
    each in a fresh process, so both see the same scenario file;
(b) **features on**: the same centre with routing rules (ordered, longest idle, oldest,
    a 20-second overflow delay, deferred work beside chats), retrials on every voice line
    and one chat, six of the twelve groups as rosters of agents (8-hour shifts with a
    30-minute break placed to the minute), patience and handle-time distributions,
    per-interval aht, wrap-up, a shared trunk and a line limit, a queue capacity,
    ``max_wait`` to the callback queue, a transfer, and the cases queue turned into an
    outbound campaign with a reserve;
(c) **the obvious simpy model** of (a)'s semantics: a process per contact (it waits
    for an agent or its patience), the agents and queues as plain Python objects, one
    staffing process per group. It is slow: it runs ``--simpy-days`` days (default 1) of
    the week and its contacts per second are extrapolated to the week (said so in the
    output).

Contacts per second = contacts offered over the horizon (retrials, transfers and
callbacks included) / seconds of ``wfm.simulate`` (the scenario built and validated
beforehand; result frames included), each run in a fresh process. The cases run in
``--repeat`` interleaved rounds (every case once per round, seeds 1, 2, ...), so a
change in the machine's load hits them alike; the table gives wall-clock seconds
(fastest and median) and process CPU seconds, and the ratios use contacts per
CPU-second of the fastest run, the steadiest measure on a shared machine.

Run: ``python benchmarks/engine_large_bench.py [--before /tmp/before11] [--repeat 5] [--breakdown]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import numpy as np
from large_centre import CHANNELS, GROUPS, INTERVAL_MIN, L, scenario  # benchmarks/, the script's directory

ROOT = Path(__file__).resolve().parents[1]
DAYS = 7
H = DAYS * 24 * 60 // INTERVAL_MIN  # 672

# ------------------------------------------------------------------------ the centre
# the channels, groups and staffing are large_centre's; this bench's own: the peak volume
# per 15 min of each channel (about 1.29x plan_large_bench's) and quiet nights
PEAKS: dict[str, float] = {
    "v_billing": 520, "v_tech": 380, "v_sales": 300, "v_moves": 220, "v_premium": 160,
    "v_spanish": 150, "v_business": 120, "v_retention": 90,
    "chat_support": 320, "chat_sales": 160, "chat_premium": 60,
    "email": 140, "email_business": 40, "social": 50, "cases": 60, "callback": 20,
}


def build(features: bool, only: tuple[str, ...] | None = None) -> dict:
    """The scenario mapping of the week.

    Parameters
    ----------
    features : bool
        Case (b), the switch features on (:func:`switch_features`); off, case (a).
    only : tuple of str, optional
        With ``features``: just those of :data:`FEATURES` (``--breakdown``).

    Returns
    -------
    dict
        :func:`large_centre.scenario` with :data:`PEAKS`, 7 days, quiet nights, no calendar.
    """
    data = scenario(PEAKS, DAYS, quiet_nights=True, name="Large multi-skill week")
    if features:
        switch_features(data, only)
    return data


def _retrials(data: dict) -> None:
    for c in data["channels"].values():
        if c["kind"] == "voice":
            c["retrial"] = {"probability": 0.4, "delay": 600, "max_attempts": 4}
    data["channels"]["chat_support"]["retrial"] = {"probability": 0.3, "delay": 900}


def _wrap_up(data: dict) -> None:
    for c in data["channels"].values():
        if c["kind"] == "voice":
            c["wrap_up"] = 15


def _distributions(data: dict) -> None:
    ch = data["channels"]
    ch["v_billing"]["aht"] = [300 + 20 * math.sin(2 * math.pi * i / 96) for i in range(H)]
    ch["v_billing"]["handle_time"] = {"dist": "gamma", "cv": 0.9}
    ch["v_tech"]["handle_time"] = {"dist": "lognormal", "cv": 1.2}
    ch["v_tech"]["patience"] = {"dist": "lognormal", "mean": 240, "cv": 0.8}
    ch["v_sales"]["patience"] = {"dist": "gamma", "mean": 150, "cv": 1.2}


def _capacity(data: dict) -> None:
    ch = data["channels"]
    ch["v_sales"]["balking"] = 0.02
    for name in ("v_billing", "v_sales", "v_moves", "v_premium"):
        ch[name]["trunk"] = "pbx"
    data["trunks"] = {"pbx": 900}
    ch["v_spanish"]["lines"] = 80
    ch["v_retention"]["queue_capacity"] = 25


def _flows(data: dict) -> None:
    ch = data["channels"]
    ch["v_moves"]["max_wait"] = {"seconds": 300, "to": "callback"}
    ch["v_business"]["transfer"] = {"share": 0.05, "to": "v_retention"}
    ch["v_premium"]["target"]["definition"] = "answered_and_late_abandoned"
    ch["email"]["target"]["judged_on"] = "finished"


def _outbound(data: dict) -> None:
    ch = data["channels"]
    ch["cases"] = {"kind": "outbound", "volume": ch["cases"]["volume"], "aht": 300,
                   "outbound": {"connect_rate": 0.35, "dial_time": 30, "reserve": 2}}


def _routing(data: dict) -> None:
    data["routing"] = {
        "channels": {"v_billing": {"arrival": "ordered", "groups": ["billing", "moves", "spanish"]},
                     "v_tech": {"arrival": "longest_idle"},
                     "chat_support": {"arrival": "longest_idle"}},
        "groups": {"retention": {"next_contact": "oldest", "delays": {"v_tech": 20}},
                   "back_a": {"next_contact": "oldest"},
                   "chat_b": {"deferred_with_chats": True}},
    }


def _rosters(data: dict) -> None:
    for g in data["agents"]:
        if g["group"] in ("billing", "tech", "sales", "chat_a", "back_a", "business"):
            g["roster"] = roster_from_curve(g.pop("staff"))


#: case (b)'s features, each on its own for ``--breakdown``
FEATURES = {
    "routing rules": _routing,
    "retrials": _retrials,
    "rosters": _rosters,
    "wrap-up": _wrap_up,
    "distributions and per-interval aht": _distributions,
    "lines, trunk, queue capacity, balking": _capacity,
    "max_wait, transfer, SL definitions": _flows,
    "outbound campaign": _outbound,
}


def switch_features(data: dict, only: tuple[str, ...] | None = None) -> None:
    """Case (b): the features of issue 11 on the same centre (``only``: just those)."""
    for name, apply in FEATURES.items():
        if only is None or name in only:
            apply(data)


def first_days(data: dict, days: int) -> dict:
    """The scenario cut to its first ``days`` days (for the like-for-like simpy timing)."""
    n = days * 96
    out = json.loads(json.dumps(data))
    for c in out["channels"].values():
        c["volume"] = c["volume"][:n]
    for g in out["agents"]:
        g["staff"] = g["staff"][:n]
    return out


def clock(minutes: int) -> str:
    day, rem = divmod(minutes, 1440)
    text = f"{rem // 60:02d}:{rem % 60:02d}"
    return text if day == 0 else f"d{day + 1} {text}"


def roster_from_curve(curve: list[int]) -> list[dict]:
    """8-hour shifts covering a staff curve greedily: at each interval, enough new shifts
    start to meet the curve; each has a 30-minute break 4 h 07 min after its start (to
    the minute, mid-interval). Starts alternate between the boundary and 5 minutes past."""
    shift, brk_at, brk_len = 32, 4 * 60 + 7, 30
    on = np.zeros(H + shift, int)
    entries: dict[tuple[int, int], int] = {}
    for i in range(H):
        need = curve[i] - on[i]
        if need <= 0:
            continue
        on[i:i + shift] += need
        for k in range(need):
            start = i * INTERVAL_MIN + (5 if k % 2 else 0)
            entries[(start, 0)] = entries.get((start, 0), 0) + 1
    out = []
    for (start, _), count in sorted(entries.items()):
        out.append({"start": clock(start), "end": clock(start + shift * INTERVAL_MIN),
                    "breaks": [[clock(start + brk_at), clock(start + brk_at + brk_len)]], "count": count})
    return out


# ------------------------------------------------------------------------ timing worker
def worker(path: str, seed: int) -> None:
    """Load the scenario file and time one ``wfm.simulate`` (run in a fresh process;
    prints one JSON line). Only uses what every version of wfm has."""
    import wfm

    data = json.loads(Path(path).read_text())
    sc = wfm.Scenario.from_dict(data)
    t0, c0 = time.perf_counter(), time.process_time()
    res = wfm.simulate(sc, seed=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = res.summary
    voice = s[s["kind"] == "voice"]
    staff = sum(np.asarray(v) for v in sc.staff().values())
    print(json.dumps({"wall": wall, "cpu": cpu, "offered": int(s["offered"].sum()),
                      "voice_sl": float(voice["answered_in_target"].sum() / voice["offered"].sum()),
                      "peak_agents": int(staff.max()), "wfm": str(Path(wfm.__file__).parent)}))


def simpy_worker(path: str, days: int, seed: int) -> None:
    data = json.loads(Path(path).read_text())
    t0, c0 = time.perf_counter(), time.process_time()
    s = run_simpy(data, days, seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"wall": wall, "cpu": cpu, "offered": s["offered"], "voice_sl": s["voice_sl"],
                      "peak_agents": 0, "wfm": "simpy"}))


def timed(args: list[str], code: Path | None = None) -> dict:
    """Run this script as a worker in a fresh process (``code``: on PYTHONPATH)."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    proc = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True,
                          cwd=str(code or ROOT), check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------ the obvious simpy model
def run_simpy(data: dict, days: int, seed: int = 1) -> dict:
    """Case (a)'s semantics, a simpy process per contact, the first ``days`` days.

    Arrivals: per interval a Poisson count at uniform times. A contact goes to a free
    agent of the least occupied group serving it (the longest idle agent; a chat to the
    least loaded agent with room), or waits in its channel's FIFO queue until an agent
    takes it or its patience runs out. A freed agent takes the head of its skills' queues
    in priority order (voice and deferred only while it holds no chat). At each interval
    boundary each group's staff is set: new agents start, idle ones leave first, busy
    ones finish what they hold. Deferred work starts only inside the horizon.
    """
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    horizon = days * 96
    t_end = horizon * L
    names = list(data["channels"])
    chans = [data["channels"][n] for n in names]
    kinds = [c["kind"] for c in chans]
    units = math.lcm(*[c.get("concurrency", 1) for c in chans])
    cost = [units // c.get("concurrency", 1) if c["kind"] == "chat" else units for c in chans]
    within = [c["target"]["answer_within"] for c in chans]
    groups = data["agents"]
    skills = [[names.index(s) for s in g["skills"]] for g in groups]
    serving = [[gi for gi, sk in enumerate(skills) if c in sk] for c in range(len(chans))]
    queues: list[deque] = [deque() for _ in chans]
    stats = {"offered": 0, "answered": 0, "in_target": 0, "abandoned": 0, "voice_offered": 0, "voice_in_target": 0}

    class Agent:
        __slots__ = ("group", "load", "chats", "leaving", "gone")

        def __init__(self, g: int) -> None:
            self.group, self.load, self.chats, self.leaving, self.gone = g, 0, 0, False, False

    idle: list[deque] = [deque() for _ in groups]
    members: list[list[Agent]] = [[] for _ in groups]
    load = [0] * len(groups)
    present = [0] * len(groups)

    def gone(a: Agent) -> None:
        a.gone = True
        present[a.group] -= 1

    def free_agent(g: int, c: int) -> Agent | None:
        if idle[g]:
            return idle[g][0]
        if kinds[c] == "chat":
            best = None
            for a in members[g]:
                if not a.gone and not a.leaving and a.chats and a.load + cost[c] <= units:
                    if best is None or a.load < best.load:
                        best = a
            return best
        return None

    def choose(c: int) -> Agent | None:
        best, occ_best = None, 2.0
        for g in serving[c]:
            a = free_agent(g, c)
            if a is not None:
                occ = load[g] / (present[g] * units)
                if occ < occ_best:
                    best, occ_best = a, occ
        return best

    def take(a: Agent, c: int) -> None:
        if a.load == 0:
            idle[a.group].remove(a)
        a.load += cost[c]
        load[a.group] += cost[c]
        if kinds[c] == "chat":
            a.chats += 1

    def contact(c: int, t: float, handle: float, patience: float | None):
        stats["offered"] += 1
        a = choose(c)
        if a is None:
            taken = env.event()
            entry = [t, taken]
            queues[c].append(entry)
            if patience is None:
                a = yield taken
            else:
                timer = env.timeout(patience)
                got = yield taken | timer
                if taken not in got:
                    entry[1] = None  # gave up: the agent skips it
                    stats["abandoned"] += 1
                    return
                a = got[taken]
        else:
            take(a, c)
        wait = env.now - t
        stats["answered"] += 1
        stats["in_target"] += wait <= within[c]
        if kinds[c] == "voice":
            stats["voice_in_target"] += wait <= within[c]
        yield env.timeout(handle)
        a.load -= cost[c]
        load[a.group] -= cost[c]
        if kinds[c] == "chat":
            a.chats -= 1
        freed(a)

    def freed(a: Agent) -> None:
        if a.leaving:
            if a.load == 0:
                gone(a)
            return
        while a.load < units:
            got = False
            for c in skills[a.group]:
                if kinds[c] == "chat":
                    if a.load + cost[c] > units:
                        continue
                elif a.load > 0 or (kinds[c] == "deferred" and env.now >= t_end):
                    continue
                q = queues[c]
                while q and q[0][1] is None:
                    q.popleft()
                if q:
                    entry = q.popleft()
                    a.load += cost[c]
                    load[a.group] += cost[c]
                    if kinds[c] == "chat":
                        a.chats += 1
                    entry[1].succeed(a)
                    got = True
                    break
            if not got or kinds[c] != "chat":
                break
        if a.load == 0:
            idle[a.group].append(a)

    def staffing(g: int):
        for i in range(horizon):
            members[g] = [a for a in members[g] if not a.gone]
            target = groups[g]["staff"][i]
            staying = [a for a in members[g] if not a.gone and not a.leaving]
            n = len(staying)
            for a in members[g]:  # rising: keep the leaving ones first
                if n >= target:
                    break
                if a.leaving and not a.gone:
                    a.leaving = False
                    n += 1
            while n < target:
                a = Agent(g)
                members[g].append(a)
                present[g] += 1
                idle[g].append(a)
                freed_new(a)
                n += 1
            while n > target:
                if idle[g]:
                    gone(idle[g].pop())
                else:
                    busy = [a for a in members[g] if not a.gone and not a.leaving and a.load > 0]
                    a = min(busy, key=lambda x: x.load)
                    a.leaving = True
                n -= 1
            yield env.timeout(L)

    def freed_new(a: Agent) -> None:
        idle[a.group].remove(a)
        freed(a)

    def source():
        for i in range(horizon):
            t0 = i * L
            batch = []
            for c, ch in enumerate(chans):
                n = rng.poisson(ch["volume"][i])
                ts = t0 + np.sort(rng.random(n)) * L
                handles = rng.exponential(ch["aht"], n)
                pats = rng.exponential(ch["patience"], n) if ch.get("patience") else [None] * n
                batch += [(float(t), c, float(h), p) for t, h, p in zip(ts, handles, pats, strict=True)]
            batch.sort(key=lambda x: x[0])
            for t, c, h, p in batch:
                if t > env.now:
                    yield env.timeout(t - env.now)
                if kinds[c] == "voice":
                    stats["voice_offered"] += 1
                env.process(contact(c, t, h, None if p is None else float(p)))
            if env.now < t0 + L:
                yield env.timeout(t0 + L - env.now)

    for g in range(len(groups)):
        env.process(staffing(g))
    env.process(source())
    env.run()
    stats["voice_sl"] = stats["voice_in_target"] / stats["voice_offered"]
    return stats


# ------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=None, help="a worktree of the code before the change")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each case (interleaved rounds)")
    ap.add_argument("--simpy-days", type=int, default=1)
    ap.add_argument("--skip-simpy", action="store_true")
    ap.add_argument("--breakdown", action="store_true", help="also time (a) plus each feature of (b) alone")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--simpy-worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.seed)
        return
    if args.simpy_worker:
        simpy_worker(args.simpy_worker, args.simpy_days, args.seed)
        return
    tmp = Path(tempfile.mkdtemp(prefix="wfm_large_"))

    def scenario_file(name: str, data: dict) -> str:
        path = tmp / f"{name}.json"
        path.write_text(json.dumps(data))
        return str(path)

    a_file, b_file = scenario_file("a", build(False)), scenario_file("b", build(True))
    cases: list[tuple[str, list[str], Path | None]] = []  # label, worker arguments, code
    if args.before is not None:
        cases.append(("(a) features off, code before the change", ["--worker", a_file], args.before))
    cases.append(("(a) features off, current code", ["--worker", a_file], None))
    cases.append(("(b) features on, current code", ["--worker", b_file], None))
    if args.breakdown:
        for k, name in enumerate(FEATURES):
            cases.append((f"(a) + {name} only", ["--worker", scenario_file(f"a_plus_{k}", build(True, (name,)))],
                          None))
    days_label = f"(a) features off, current code, first {args.simpy_days} day(s)"
    simpy_label = f"(a) obvious simpy model, first {args.simpy_days} day(s)"
    if not args.skip_simpy:
        d_file = scenario_file("a_days", first_days(build(False), args.simpy_days))
        cases.append((days_label, ["--worker", d_file], None))
        cases.append((simpy_label, ["--simpy-worker", a_file, "--simpy-days", str(args.simpy_days)], None))
    load0 = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in cases}
    for r in range(args.repeat):  # interleaved: every case once per round, so load drifts hit all alike
        for label, wargs, code in cases:
            runs[label].append(timed([*wargs, "--seed", str(r + 1)], code))
    load1 = os.getloadavg()[0]
    first = runs[cases[0][0]][0]
    print(f"Large multi-skill week: {H} intervals of {INTERVAL_MIN} min, {len(CHANNELS)} channels, "
          f"{len(GROUPS)} groups, {first['peak_agents']} agents at the peak (case a); {args.repeat} interleaved "
          f"rounds (seeds 1-{args.repeat}), each run in a fresh process; 1-min load average {load0:.2f} before, "
          f"{load1:.2f} after\n")
    print("| case | contacts (seed 1) | wall s, fastest | wall s, median | CPU s, fastest | contacts/s (fastest wall) "
          "| contacts per CPU-second (fastest) | voice SL (seed 1) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rate: dict[str, float] = {}
    for label, _, _ in cases:
        rs = runs[label]
        walls = [x["wall"] / x["offered"] for x in rs]  # seconds per contact (seeds differ slightly)
        cpus = [x["cpu"] / x["offered"] for x in rs]
        rate[label] = 1 / min(cpus)
        print(f"| {label} | {rs[0]['offered']:,} | {min(x['wall'] for x in rs):.2f} | "
              f"{statistics.median(x['wall'] for x in rs):.2f} | {min(x['cpu'] for x in rs):.2f} | "
              f"{1 / min(walls):,.0f} | {1 / min(cpus):,.0f} | {rs[0]['voice_sl']:.3f} |")
    print()
    cur, on = rate["(a) features off, current code"], rate["(b) features on, current code"]
    if args.before is not None:
        before = rate["(a) features off, code before the change"]
        print(f"- features off, current / before: {cur / before:.2f}x (contacts per CPU-second, fastest run)")
        print(f"- features on (current) / features off (before): {on / before:.2f}x")
    print(f"- features on / features off, current code: {on / cur:.2f}x")
    if not args.skip_simpy:
        sim, wd = rate[simpy_label], rate[days_label]
        fastest = min(x["cpu"] for x in runs[simpy_label])
        print(f"- obvious simpy model: {sim:,.0f} contacts per CPU-second on the first {args.simpy_days} day(s) "
              f"(the week extrapolated: {fastest * DAYS / args.simpy_days:.0f} CPU-s); wfm on the same day(s): "
              f"{wd:,.0f}, {wd / sim:.1f}x the simpy model")
    b0 = runs["(b) features on, current code"][0]["offered"]
    a0 = runs["(a) features off, current code"][0]["offered"]
    print(f"- case (b) offered {b0:,} contacts (retrials, transfers, callbacks and outbound attempts included) "
          f"against {a0:,} in (a), seed 1")


if __name__ == "__main__":
    main()

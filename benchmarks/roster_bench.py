"""Weekly roster and capacity benchmark.

1. A week of the bundled baseline: 7 days x 48 half-hour intervals from Monday 00:00
   (336 intervals), the centre open 08:00-20:00, each day the baseline's volumes (Saturday
   and Sunday at 60%), each group's requirement from ``wfm.staffing`` on that day. Shift
   rules: voice and blended start every 30 minutes 08:00-16:00, 4/6/8 h; digital every
   hour 08:00-12:00, 6/8 h; a 30-minute unpaid break 2-5 h into shifts of 6 h or more.
   Rostered by ``wfm.scheduling.weekly_roster`` three ways:

   * **contract mix**: full time 5 x 8 h (at least 60% of each group), part time 3-5 days
     and 20-30 paid hours (at most 40%), 11 h rest, starts within 2 h, 2 consecutive
     days off; wages per group and contract;
   * **full time only, loose**: 5 x 8 h, no consecutive-days-off rule, no start window
     beyond the rest (the rules pyworkforce can express);
   * the **daily schedule** of ``wfm.scheduling.schedule`` on the same requirement (no
     weekly rules at all: a floor under any roster's cost).

2. The same week through pyworkforce 0.5.1's tools, the only way they reach a weekly
   roster: ``MinRequiredResources`` (CP-SAT) turns each group's interval requirement into
   shifts per day (a break placement is its own shift), then ``MinHoursRoster`` (CP-SAT)
   assigns named agents to those shifts with at most 2 resting days, a minimum of 37.5
   paid hours and the 11 h rest as banned shift sequences. Run in a fresh process
   (OR-Tools' bundled HiGHS clashes with highspy's). Cost, time, and wfm's rules that
   its roster breaks.

3. ``wfm.capacity.plan_capacity`` on 78 weeks and 18 months: time and size.

Run: ``python benchmarks/roster_bench.py [--quick] [--time-limit 120]``; ``--quick``
skips pyworkforce. Prints a Markdown section for ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wfm  # noqa: E402
from wfm.capacity import plan_capacity  # noqa: E402
from wfm.scheduling import build_templates, schedule, shift_rules, weekly_roster  # noqa: E402

DAYS = 7
PER_DAY = 48
OPEN = 16  # 08:00 is interval 16 of the day
WEEKDAY_FACTOR = [1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6]
WAGES = {"voice": 25.0, "blended": 27.0, "digital": 22.0}
SHIFTS = {
    "voice": {"earliest_start": "08:00", "latest_start": "16:00", "every_minutes": 30,
              "lengths_hours": [4, 6, 8], "cost_per_hour": WAGES["voice"]},
    "blended": {"earliest_start": "08:00", "latest_start": "16:00", "every_minutes": 30,
                "lengths_hours": [4, 6, 8], "cost_per_hour": WAGES["blended"]},
    "digital": {"earliest_start": "08:00", "latest_start": "12:00", "every_minutes": 60,
                "lengths_hours": [6, 8], "cost_per_hour": WAGES["digital"]},
}
MIX = {
    "contracts": {
        "full_time": {"min_days": 5, "max_days": 5, "lengths_hours": [8], "min_share": 0.6},
        "part_time": {"min_days": 3, "max_days": 5, "min_hours": 20, "max_hours": 30, "max_share": 0.4},
    },
    "wages": {g: {"full_time": w, "part_time": w - 2.0} for g, w in WAGES.items()},
    "rest_hours": 11, "start_window_hours": 2, "consecutive_days_off": 2,
}
LOOSE = {"contracts": {"full_time": {"min_days": 5, "max_days": 5, "lengths_hours": [8]}},
         "rest_hours": 11, "start_window_hours": 24, "consecutive_days_off": 0}


def baseline_week() -> tuple[wfm.Scenario, dict[str, np.ndarray]]:
    """The 7-day baseline and each group's requirement (agents per interval)."""
    day = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    data = day.to_dict()
    req = {g: np.zeros(DAYS * PER_DAY) for g in day.group_names}
    week_volume: dict[str, list[float]] = {c: [] for c in day.channel_names}
    for d, f in enumerate(WEEKDAY_FACTOR):
        scaled = day.scaled({f"channels.{c}.volume": f for c in day.channel_names}) if f != 1 else day
        for g, r in wfm.staffing.group_requirements(scaled).items():
            req[g][d * PER_DAY + OPEN:d * PER_DAY + OPEN + len(r)] = r
        for c in day.channel_names:
            v = list(scaled.channels[c].volume)
            week_volume[c] += [0.0] * OPEN + v + [0.0] * (PER_DAY - OPEN - len(v))
    for c in day.channel_names:
        data["channels"][c]["volume"] = week_volume[c]
    for a in data["agents"]:
        a["staff"] = 0
    data.update(name="baseline week", start="00:00", shifts=SHIFTS)
    return wfm.Scenario.from_dict(data), req


def run_wfm(sc: wfm.Scenario, req: dict[str, np.ndarray], rules: dict[str, Any], time_limit: float
            ) -> dict[str, Any]:
    t0 = time.perf_counter()
    r = weekly_roster(sc, req, roster_rules=rules, time_limit=time_limit, gap=0.01)
    wall = time.perf_counter() - t0
    return {"cost": r.cost, "paid_hours": r.paid_hours, "fte": r.fte, "agents": len(r.agents),
            "shortfall": r.shortfall, "status": str(r.status), "gap": r.gap, "seconds": wall,
            "build": r.build_seconds, "solve": r.solve_seconds, "tours": r.n_tours, "columns": r.n_columns,
            "headcount": r.headcount, "roster": r}


def run_schedule(sc: wfm.Scenario, req: dict[str, np.ndarray], time_limit: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    s = schedule(sc, req, time_limit=time_limit, gap=0.001)
    return {"cost": s.cost, "paid_hours": float((s.shifts["paid_hours"] * s.shifts["count"]).sum()),
            "shifts": int(s.shifts["count"].sum()), "status": str(s.status), "gap": s.gap,
            "seconds": time.perf_counter() - t0, "shortfall": s.shortfall}


# ---------------------------------------------------------------------- pyworkforce
def run_pyworkforce(sc: wfm.Scenario, req: dict[str, np.ndarray], stage1_s: float, stage2_s: float
                    ) -> dict[str, Any]:
    """Two stages per group: shifts per day (MinRequiredResources), then agents to those
    shifts (MinHoursRoster). Runs in a process that never imports highspy."""
    from pyworkforce.rostering.binary_programming import MinHoursRoster
    from pyworkforce.scheduling import MinRequiredResources

    rules = shift_rules(sc)
    tpl = build_templates(sc, rules)
    lm = sc.interval_minutes
    out: dict[str, Any] = {}
    for g in sc.group_names:
        # full time only: the 8 h shifts (a break placement is its own shift for CP-SAT)
        day0 = [t for t in tpl if t.group == g and t.day == 0 and t.length * lm == 480]
        coverage: dict[str, list[int]] = {}
        cost: dict[str, int] = {}
        parent: dict[str, Any] = {}
        for t in day0:
            for b in (list(t.break_offsets) or [None]):
                vec = [0] * PER_DAY
                for i in range(t.start, t.end):
                    vec[i] = 1
                if b is not None:
                    for i in range(t.start + b, t.start + b + t.break_length):
                        vec[i] = 0
                name = f"{t.start}_{t.length}_{b}"
                coverage[name] = vec
                cost[name] = int(round(t.cost * 2))  # CP-SAT needs integers: half units
                parent[name] = t
        required = [[int(x) for x in req[g][d * PER_DAY:(d + 1) * PER_DAY]] for d in range(DAYS)]
        top = max(max(r) for r in required)
        t0 = time.perf_counter()
        stage1 = MinRequiredResources(
            num_days=DAYS, periods=PER_DAY, shifts_coverage=coverage, required_resources=required,
            max_period_concurrency=int(top * 3 + 10), max_shift_concurrency=int(top + 1),
            cost_dict=cost, max_search_time=float(stage1_s), num_search_workers=2,
        )
        sol1 = stage1.solve()
        s1 = time.perf_counter() - t0
        if sol1["cost"] == -1:
            out[g] = {"status": f"stage 1 {sol1['status']}"}
            continue
        # stage 2: shifts without their break placement; counts per day
        shift_names = sorted({f"{parent[r['shift']].start}_{parent[r['shift']].length}"
                              for r in sol1["resources_shifts"] if r["resources"] > 0})
        need = {s: [0] * DAYS for s in shift_names}
        breaks_of: dict[tuple[str, int], list[Any]] = {}
        for r in sol1["resources_shifts"]:
            if r["resources"] > 0:
                t = parent[r["shift"]]
                key = f"{t.start}_{t.length}"
                need[key][r["day"]] += r["resources"]
                b = r["shift"].rsplit("_", 1)[1]
                breaks_of.setdefault((key, r["day"]), []).extend(
                    [None if b == "None" else int(b)] * r["resources"])
        by_name = {f"{t.start}_{t.length}": t for t in day0}
        half_hours = [int(round(by_name[s].paid_hours * 2)) for s in shift_names]
        banned = []
        for a in shift_names:
            ta = by_name[a]
            for b in shift_names:
                tb = by_name[b]
                rest = (PER_DAY + tb.start - ta.end) * lm  # minutes from a's end to b's start next day
                if rest < 11 * 60:
                    banned.append({"origin": a, "destination": b})
        total = sum(sum(v) for v in need.values())
        peak = max(sum(need[s][d] for s in shift_names) for d in range(DAYS))
        base_n = max(math.ceil(total / 5), peak)
        # the agents are an input: start from the fewest that can work the shifts and add
        # agents until CP-SAT finds a roster (as a user of the tool would)
        t1 = time.perf_counter()
        tries = []
        # with the rest as banned sequences first; when no number of agents makes that
        # feasible, without it (and its rest breaches are counted below)
        with_rest = True
        for rest_rule in ([banned, []] if banned else [[]]):
            with_rest = bool(rest_rule)
            for n_agents in sorted({base_n + k * max(1, base_n // 20) for k in range(11)}):
                resources = [f"{g}-{i + 1:03d}" for i in range(n_agents)]
                stage2 = MinHoursRoster(
                    num_days=DAYS, resources=resources, shifts=shift_names, shifts_hours=half_hours,
                    min_working_hours=int(5 * 7.5 * 2), banned_shifts=[], max_resting=2, required_resources=need,
                    non_sequential_shifts=rest_rule, max_search_time=float(stage2_s), num_search_workers=2,
                )
                sol2 = stage2.solve()
                tries.append((n_agents, with_rest, sol2["status"]))
                if sol2["cost"] != -1:
                    break
            if sol2["cost"] != -1:
                break
        s2 = time.perf_counter() - t1
        if sol2["cost"] == -1:
            out[g] = {"status": f"stage 2 {sol2['status']}", "stage1_s": s1, "stage2_s": s2, "tries": tries}
            continue
        # rules wfm's mix roster keeps and this one may break
        days_of: dict[str, list[tuple[int, Any]]] = {}
        for r in sol2["resource_shifts"]:
            days_of.setdefault(r["resource"], []).append((r["day"], by_name[r["shift"]]))
        over5 = nonconsec = spread = rest_bad = 0
        cover = np.zeros(DAYS * PER_DAY)
        used_breaks = {k: list(v) for k, v in breaks_of.items()}
        for shifts in days_of.values():
            shifts.sort(key=lambda x: x[0])
            worked = {d for d, _ in shifts}
            over5 += len(worked) > 5
            off = [d not in worked for d in range(DAYS)]
            nonconsec += not any(off[d] and off[(d + 1) % 7] for d in range(7))
            starts = [t.start for _, t in shifts]
            spread += (max(starts) - min(starts)) * lm > 120
            for (d1, t1_), (d2, t2_) in zip(shifts, shifts[1:], strict=False):
                if d2 == d1 + 1 and (PER_DAY + t2_.start - t1_.end) * lm < 11 * 60:
                    rest_bad += 1
            for d, t in shifts:
                key = (f"{t.start}_{t.length}", d)
                pool = used_breaks.get(key) or [t.break_offsets[len(t.break_offsets) // 2]
                                                if t.break_offsets else None]
                b = pool.pop() if used_breaks.get(key) else pool[0]
                cover[d * PER_DAY + t.start:d * PER_DAY + t.end] += 1
                if b is not None:
                    cover[d * PER_DAY + t.start + b:d * PER_DAY + t.start + b + t.break_length] -= 1
        paid = sol2["shifted_hours"] / 2
        out[g] = {
            "status": f"{sol1['status']} / {sol2['status']}", "stage1_s": s1, "stage2_s": s2,
            "agents": len(days_of), "paid_hours": paid, "cost": paid * WAGES[g],
            "shortfall": float(np.maximum(req[g] - cover, 0).sum()), "over5": over5, "nonconsec": nonconsec,
            "spread": spread, "rest_bad": rest_bad, "roster_vars": n_agents * DAYS * len(shift_names),
            "tries": tries, "stage1_shifts": total, "with_rest": with_rest, "banned_pairs": len(banned),
        }
    return out


# ---------------------------------------------------------------------- capacity
def bench_capacity() -> list[dict[str, Any]]:
    rows = []
    for period, n in (("week", 78), ("month", 18)):
        per_year = 52 if period == "week" else 12
        t = np.arange(n)
        season = 1 + 0.08 * np.sin(2 * np.pi * t / per_year)
        req = 120 * 1.1 ** (t / per_year) * season
        t0 = time.perf_counter()
        plan = plan_capacity(req, headcount=118, attrition=0.03, period=period,
                             hiring={"recruiting_weeks": 4, "training_weeks": 4, "ramp": [0.5, 0.75, 0.9],
                                     "min_class": 6, "max_class": 15},
                             costs={"salary": 700 if period == "week" else 3000, "hire": 2500})
        rows.append({"period": period, "periods": n, "seconds": time.perf_counter() - t0, "cost": plan.cost,
                     "hires": plan.hires, "classes": len(plan.classes), "shortfall": plan.shortfall,
                     "status": str(plan.status)})
    return rows


# ---------------------------------------------------------------------- report
def markdown(res: dict[str, Any]) -> str:
    mix, loose, daily = res["mix"], res["loose"], res["daily"]
    lines = [
        "## Capacity and rosters (`roster_bench.py`)",
        "",
        f"`python benchmarks/roster_bench.py` on this 2-core machine (Python {platform.python_version()}),"
        f" one run, load average {res['load'][0]:.1f} before and {res['load'][1]:.1f} after.",
        "",
        "### A week of the baseline",
        "",
        f"336 half-hour intervals, open 08:00-20:00, weekends at 60% of the volume;"
        f" requirement from `wfm.staffing`, day by day: {res['required_hours']:,.0f} agent-hours"
        " (voice, blended, digital). Shift rules: voice and blended start every 30 minutes"
        " 08:00-16:00 (4/6/8 h), digital every hour 08:00-12:00 (6/8 h), 30-minute unpaid"
        " breaks 2-5 h into shifts of 6 h or more. Wages per paid hour: voice 25, blended 27,"
        " digital 22 (part time 2 less in the mix).",
        "",
        "| plan | cost | paid hours | FTE (40 h) | agents | shortfall (agent-int.) | status, gap | time |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for label, r in (("wfm roster, contract mix (FT >= 60%, PT 3-5 d / 20-30 h, 2 h start window,"
                      " 2 consecutive days off, 11 h rest)", mix),
                     ("wfm roster, full time only, loose rules (as pyworkforce)", loose)):
        lines.append(
            f"| {label} | {r['cost']:,.0f} | {r['paid_hours']:,.1f} | {r['fte']:.1f} | {r['agents']} |"
            f" {r['shortfall']:g} | {r['status']}, {100 * r['gap']:.2f}% | {r['seconds']:.1f} s"
            f" (HiGHS {r['solve']:.1f} s) |"
        )
    lines.append(
        f"| wfm daily schedule (`schedule`, no weekly rules: a floor) | {daily['cost']:,.0f} |"
        f" {daily['paid_hours']:,.1f} | {daily['paid_hours'] / 40:.1f} | {daily['shifts']} shifts |"
        f" {daily['shortfall']:g} | {daily['status']}, {100 * daily['gap']:.2f}% | {daily['seconds']:.1f} s |"
    )
    pw = res.get("pyworkforce")
    if pw:
        ok = [v for v in pw.values() if "cost" in v]
        if len(ok) == len(pw):
            cost = sum(v["cost"] for v in ok)
            dropped = [g for g, v in pw.items() if v["banned_pairs"] and not v["with_rest"]]
            label = ("pyworkforce 0.5.1, two stages (CP-SAT), full time 5 x 8 h"
                     + (f", rest rule dropped for {', '.join(dropped)} (infeasible with it)" if dropped else ""))
            lines.append(
                f"| {label} | {cost:,.0f} |"
                f" {sum(v['paid_hours'] for v in ok):,.1f} | {sum(v['paid_hours'] for v in ok) / 40:.1f} |"
                f" {sum(v['agents'] for v in ok)} | {sum(v['shortfall'] for v in ok):g} |"
                f" {', '.join(v['status'] for v in ok)} |"
                f" {sum(v['stage1_s'] + v['stage2_s'] for v in ok):.1f} s |"
            )
        else:
            lines.append(f"| pyworkforce 0.5.1 | failed: {', '.join(v['status'] for v in pw.values())} | | | | | | |")
    hc = mix["headcount"]
    lines += [
        "",
        "Contract mix, per group: " + "; ".join(
            f"{g} " + ", ".join(f"{int(r.agents)} {r.contract}" for r in part.itertuples())
            for g, part in hc.groupby("group", sort=False))
        + f". Tours offered: {mix['tours']:,}; integer columns {mix['columns']:,}.",
    ]
    if pw and all("cost" in v for v in pw.values()):
        lines += [
            "",
            "pyworkforce's roster against wfm's rules (agents breaking each): "
            + "; ".join(f"{g} ({v['agents']} agents): {v['over5']} work 6-7 days, {v['nonconsec']} without 2"
                        f" consecutive days off, {v['spread']} with starts more than 2 h apart,"
                        f" {v['rest_bad']} rests under 11 h"
                        for g, v in pw.items()) + ".",
            "Agents tried in its roster stage: " + "; ".join(
                f"{g} " + (", ".join(f"{n}{'' if r else ' without the rest rule'} {st}" for n, r, st in v["tries"])
                           if v["banned_pairs"] else
                           ", ".join(f"{n} {st}" for n, _r, st in v["tries"]) + " (no pair of its shifts breaks"
                           " the rest)")
                for g, v in pw.items()) + ".",
        ]
    lines += ["", "### Capacity plans", "",
              "| periods | solve | hires | classes | shortfall (FTE-periods) | cost | status |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for c in res["capacity"]:
        lines.append(f"| {c['periods']} {c['period']}s | {c['seconds']:.2f} s | {c['hires']} | {c['classes']} |"
                     f" {c['shortfall']:.1f} | {c['cost']:,.0f} | {c['status']} |")
    return "\n".join(lines) + "\n"


def _load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="skip pyworkforce")
    ap.add_argument("--time-limit", type=float, default=120.0, help="wfm roster time limit, seconds")
    args = ap.parse_args()
    load0 = _load()
    sc, req = baseline_week()
    res: dict[str, Any] = {"required_hours": float(sum(r.sum() for r in req.values()) / 2)}
    res["mix"] = run_wfm(sc, req, MIX, args.time_limit)
    print("mix", {k: v for k, v in res["mix"].items() if k not in ("headcount", "roster")}, flush=True)
    res["loose"] = run_wfm(sc, req, LOOSE, args.time_limit)
    print("loose", {k: v for k, v in res["loose"].items() if k not in ("headcount", "roster")}, flush=True)
    res["daily"] = run_schedule(sc, req, 60.0)
    print("daily", res["daily"], flush=True)
    if not args.quick:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            res["pyworkforce"] = pool.submit(run_pyworkforce, sc, req, 20.0, 60.0).result()
        print("pyworkforce", res["pyworkforce"], flush=True)
    res["capacity"] = bench_capacity()
    res["load"] = (load0, _load())
    print(markdown(res))


if __name__ == "__main__":
    main()

""":func:`schedule`: shifts and breaks that cover each group's requirement at least cost."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np

from wfm.checks import whole_number
from wfm.scenario import Scenario, ShiftRule
from wfm.scheduling.blocks import split_blocks
from wfm.scheduling.direct import solve_block_direct
from wfm.scheduling.model import BlockSolution, solve_block
from wfm.scheduling.requirements import RequirementInput, group_requirements
from wfm.scheduling.result import Schedule, build_schedule
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import RuleInput, ShiftTemplate, build_templates, clock_labeler, shift_rules

__all__ = ["DIRECT_COLUMNS", "relative_gap", "schedule", "warm_counts"]

#: With ``method="auto"``, a model with at least this many integer columns (templates
#: and break placements) goes straight to HiGHS as arrays (:mod:`wfm.scheduling.direct`);
#: smaller ones are built in pyomo (:mod:`wfm.scheduling.model`).
DIRECT_COLUMNS = 2000

Method = Literal["auto", "direct", "pyomo"]


def schedule(
    scenario: Scenario,
    requirements: RequirementInput | None = None,
    *,
    rules: RuleInput | None = None,
    time_limit: float = 60.0,
    gap: float = 0.01,
    shortfall_penalty: float | None = None,
    tee: bool = False,
    method: Method = "auto",
    warm_start: Schedule | None = None,
    threads: int = 1,
) -> Schedule:
    """Choose shifts and break placements that cover each group's requirement at least cost.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon, the interval, the groups and (``shifts:``) their shift rules.
    requirements : DataFrame or mapping, optional
        Agents needed per interval per group: the long DataFrame of
        :func:`wfm.staffing.requirements` (its ``level == "group"`` rows are used), a
        DataFrame with columns ``group, interval, required``, or ``{group: per-interval
        agents}`` (a number means every interval). Groups left out need nobody. Default:
        :func:`wfm.staffing.requirements` of the scenario.
    rules : mapping of group name to ShiftRule or dict, optional
        Shift rules that replace the scenario's for these groups (keyword only).
    time_limit : float, default 60
        Solver time limit, seconds, shared among the model's independent blocks
        (keyword only).
    gap : float, default 0.01
        Relative MIP gap at which the solver stops and calls the plan optimal, a
        fraction in [0, 1) (keyword only).
    shortfall_penalty : float, optional
        Cost per agent-interval of uncovered requirement, > 0. Default: twice the cost of
        the dearest shift, so covering what can be covered always pays (keyword only).
    tee : bool, default False
        Show the solver's log (keyword only).
    method : {"auto", "direct", "pyomo"}, default "auto"
        How each block is solved (keyword only). ``"pyomo"``: the pyomo model of
        :mod:`wfm.scheduling.model`, started from a greedy plan. ``"direct"``: the same
        model handed to HiGHS as arrays (:mod:`wfm.scheduling.direct`): the LP
        relaxation, rounded and repaired, and the MIP only when that plan is not already
        proven within ``gap`` by the LP bound; much faster on large models. ``"auto"``:
        ``"direct"`` when the model has at least :data:`DIRECT_COLUMNS` integer columns.
        Both give a plan within ``gap`` of the same optimum.
    warm_start : Schedule, optional
        A plan to start from, e.g. the last round of :func:`wfm.plan` (keyword only).
        Its shifts that are still offered are repaired to this requirement (agents added
        where it is short, dropped where nobody needs them) and used when cheaper than
        the solver's own start. The plan returned costs (with the shortfall penalty) no
        more than that repaired start. An independent block (a group's day) whose model
        is the same as one the warm start proved within its gap (same templates, same
        agents needed in the same intervals, same rules, penalty and gap) keeps that
        plan without being solved again (``Schedule.reused_blocks`` counts them): in
        :func:`wfm.plan` the groups a round did not correct keep their shifts.
    threads : int, default 1
        Blocks solved side by side (``method="direct"`` only: HiGHS runs without
        Python's lock), each with a share of the time left (keyword only). The same
        plan as with one unless a block runs into its time limit.

    Returns
    -------
    Schedule
        The shifts, the coverage, the cost and the solver's status and gap.

    Raises
    ------
    ScenarioError
        For a bad shift rule (the message names ``shifts.<group>.<field>``).
    ValueError
        For a bad requirement, ``time_limit``, ``gap`` or ``shortfall_penalty`` (the
        message names it and the value).
    TypeError
        For a scenario that is not a :class:`wfm.Scenario`.

    Examples
    --------
    The bundled baseline day, covering the Erlang requirement of :mod:`wfm.staffing`:

    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> plan = schedule(sc, time_limit=10, gap=0.0)
    >>> plan.cost, str(plan.status), plan.optimal, plan.shortfall
    (469.5, 'optimal', True, 0.0)
    >>> plan.summary()[["group", "agents", "paid_hours", "cost", "shortfall"]]
         group  agents  paid_hours   cost  shortfall
    0    voice      43       220.5  220.5        0.0
    1  blended      17        80.5   80.5        0.0
    2  digital      31       168.5  168.5        0.0

    A requirement no shift can meet is reported as shortfall, not as an error: at most
    two agents may start on the day and three are needed from 08:00 to 12:00.

    >>> plan = schedule(sc, {"voice": [3] * 8 + [0] * 16},
    ...                 rules={"voice": {"lengths_hours": [4], "max_agents": 2}}, gap=0.0)
    >>> plan.status == "optimal", plan.cost, plan.shortfall
    (True, 8.0, 8.0)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    if not (isinstance(time_limit, int | float) and time_limit > 0):
        raise ValueError(f"time_limit must be a number of seconds > 0 (got {time_limit!r})")
    if not (isinstance(gap, int | float) and 0 <= gap < 1):
        raise ValueError(f"gap must be in [0, 1) (got {gap!r})")
    if method not in ("auto", "direct", "pyomo"):
        raise ValueError(f"method must be 'auto', 'direct' or 'pyomo' (got {method!r})")
    threads = whole_number("threads", threads, minimum=1, maximum=64)
    if warm_start is not None and not isinstance(warm_start, Schedule):
        raise TypeError(f"warm_start must be a Schedule, not {type(warm_start).__name__}")
    rule_map = shift_rules(scenario, rules)
    req = group_requirements(scenario, requirements)
    t0 = time.perf_counter()
    all_templates = build_templates(scenario, rule_map)
    # a template that covers no interval with a requirement is never worth its cost
    templates = [t for t in all_templates if req[t.group][t.start:t.end].max(initial=0) > 0]
    max_cost = max((t.cost for t in all_templates), default=1.0)
    penalty = float(shortfall_penalty) if shortfall_penalty is not None else 2.0 * max_cost
    if penalty <= 0:
        raise ValueError(f"shortfall_penalty must be > 0 (got {shortfall_penalty!r})")

    if not templates:
        status = SolverStatus.NO_REQUIREMENT
        if any(r.sum() > 0 for r in req.values()):
            status = SolverStatus.NO_SHIFT
        return build_schedule(
            scenario, req, [], [], [], status=status, optimal=True, gap=0.0, solve_seconds=0.0,
            bound=math.nan, penalty=penalty, n_templates=len(all_templates), n_columns=0,
            build_seconds=time.perf_counter() - t0,
        )
    counts = [0] * len(templates)
    zcounts: list[list[int]] = [[0] * len(t.break_offsets) for t in templates]
    blocks = split_blocks(req, templates, rule_map)
    n_int = sum(1 + len(t.break_offsets) for t in templates)
    direct = method == "direct" or (method == "auto" and n_int >= DIRECT_COLUMNS)
    warm = warm_counts(scenario, templates, warm_start) if warm_start is not None else None
    build_s = solve_s = 0.0
    obj_sum = bound_sum = 0.0
    terms: list[SolverStatus] = []
    missing = 0
    n_cols = 0
    kept = warm_start.block_plans if warm_start is not None else {}
    plans: dict[tuple[object, ...], BlockSolution] = {}
    tpls = [[templates[j] for j in block.templates] for block in blocks]
    keys = [_block_key(tpl, block.need, req, rule_map, penalty, gap, direct)
            for tpl, block in zip(tpls, blocks, strict=True)]
    todo = [k for k, key in enumerate(keys) if key not in kept]  # not kept from the warm start
    reused = len(blocks) - len(todo)
    lock = threading.Lock()
    started = [0]
    n_threads = max(1, min(int(threads), len(todo))) if direct else 1

    def solve_one(k: int) -> BlockSolution:
        block, tpl = blocks[k], tpls[k]
        with lock:  # the time left, shared among the blocks not started yet
            left = max(time_limit - (time.perf_counter() - t0), 0.05)
            waiting = len(todo) - started[0]
            started[0] += 1
        limit = min(left, left / max(waiting, 1) * min(n_threads, max(waiting, 1)))
        start = None
        if warm is not None:
            start = ([warm[0][j] for j in block.templates], [warm[1][j] for j in block.templates])
        if direct:
            return solve_block_direct(tpl, block.need, req, rule_map, penalty=penalty,
                                      time_limit=limit, gap=gap, tee=tee, warm=start)
        return solve_block(tpl, block.need, req, rule_map, penalty=penalty,
                           time_limit=limit, gap=gap, tee=tee, start=start)

    if n_threads > 1:  # HiGHS runs without Python's lock: blocks side by side
        with ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="wfm-block") as pool:
            solved = dict(zip(todo, pool.map(solve_one, todo), strict=True))
    else:
        solved = {k: solve_one(k) for k in todo}
    for k, block in enumerate(blocks):
        key = keys[k]
        sol = solved[k] if k in solved else kept[key]
        for n, j in enumerate(block.templates):
            counts[j], zcounts[j] = sol.counts[n], sol.zcounts[n]
        if sol.status is SolverStatus.OPTIMAL and sol.objective is not None:
            plans[key] = sol
        if key not in kept:
            build_s += sol.build_seconds
            solve_s += sol.solve_seconds
        n_cols += sol.n_columns
        terms.append(sol.status)
        missing += sol.objective is None
        bound_sum += sol.bound if sol.bound is not None else -math.inf
        obj_sum += sol.objective if sol.objective is not None else math.inf
    all_found = missing == 0
    # requirement that no template reaches is shortfall whatever the solver does
    in_blocks = {gi for block in blocks for gi in block.need}
    fixed = penalty * sum(
        float(r[i]) for g, r in req.items() for i in np.flatnonzero(r > 0).tolist()
        if (g, i) not in in_blocks
    )
    rel_gap = relative_gap(obj_sum + fixed, bound_sum + fixed) if all_found else math.inf
    status = SolverStatus.combine(terms)
    optimal = bool(all_found and status is SolverStatus.OPTIMAL and rel_gap <= gap + 1e-9)
    out = build_schedule(
        scenario, req, templates, counts, zcounts, status=status, optimal=optimal, gap=rel_gap,
        solve_seconds=solve_s, bound=bound_sum + fixed, penalty=penalty,
        n_templates=len(all_templates), n_columns=n_cols, build_seconds=build_s,
        blocks=len(blocks), unsolved_blocks=missing, reused_blocks=reused,
    )
    out.block_plans = plans
    return out


def _block_key(tpl: Sequence[ShiftTemplate], need: Sequence[tuple[str, int]],
               req: Mapping[str, np.ndarray], rule_map: Mapping[str, ShiftRule],
               penalty: float, gap: float, direct: bool) -> tuple[object, ...]:
    """What a block's model is made of: two blocks with the same key are the same model."""
    groups = sorted({g for g, _ in need} | {t.group for t in tpl})
    return (tuple(tpl), tuple((g, i, float(req[g][i])) for g, i in need),
            tuple((g, repr(rule_map[g])) for g in groups if g in rule_map),
            float(penalty), float(gap), bool(direct))


def warm_counts(
    scenario: Scenario, templates: Sequence[ShiftTemplate], plan: Schedule
) -> tuple[list[int], list[list[int]]]:
    """Agents per template and per break placement of a previous plan.

    Parameters
    ----------
    scenario : Scenario
        Gives the clock labels of break starts.
    templates : sequence of ShiftTemplate
        The templates offered now.
    plan : Schedule
        A plan of the same scenario (e.g. the last round's).

    Returns
    -------
    counts : list of int
        Agents per template (0 for templates the plan does not use).
    zcounts : list of list of int
        Per template, agents per break placement; shifts of the plan that are no longer
        offered (another rule, another horizon) are left out.

    Examples
    --------
    >>> import wfm
    >>> from wfm.scheduling.templates import build_templates, shift_rules
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> plan = schedule(sc, {"voice": [2] * 8 + [0] * 16}, time_limit=5, gap=0.0)
    >>> tpl = build_templates(sc, shift_rules(sc))
    >>> counts, zcounts = warm_counts(sc, tpl, plan)
    >>> sum(counts), [(t.start, t.length) for t, n in zip(tpl, counts) if n]
    (2, [(0, 8)])
    """
    lab = clock_labeler(scenario)
    index: dict[tuple[str, int, int], int] = {}
    for j, t in enumerate(templates):
        index[(t.group, t.start, t.end)] = j
    counts = [0] * len(templates)
    zcounts = [[0] * len(t.break_offsets) for t in templates]
    sh = plan.shifts
    for g, s, e, b, n in zip(sh["group"], sh["start_interval"], sh["end_interval"],
                             sh["break_start"], sh["count"], strict=True):
        found = index.get((str(g), int(s), int(e)))
        if found is None:
            continue
        j = found
        t = templates[j]
        if t.break_offsets:
            ks = [k for k, o in enumerate(t.break_offsets) if lab(t.start + o) == b]
            if not ks:
                continue
            zcounts[j][ks[0]] += int(n)
        elif b is not None:
            continue
        counts[j] += int(n)
    return counts, zcounts


def relative_gap(objective: float, bound: float) -> float:
    """Relative gap of an objective to a lower bound.

    Parameters
    ----------
    objective : float
        The plan's objective.
    bound : float
        A lower bound on the optimal objective.

    Returns
    -------
    float
        ``(objective - bound) / |objective|`` (0 when within 1e-9 relative, never
        negative); inf when the bound is not finite.

    Examples
    --------
    >>> relative_gap(100.0, 99.0), relative_gap(100.0, float("-inf"))
    (0.01, inf)
    """
    if not math.isfinite(bound):
        return math.inf
    diff = max(objective - bound, 0.0)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-9)

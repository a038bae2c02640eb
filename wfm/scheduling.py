"""Shift scheduling: a pyomo model, solved by HiGHS, that chooses how many agents work
each shift and where their breaks fall so that each group's requirement is covered at
least cost.

Shift templates
---------------
Each agent group has a :class:`wfm.ShiftRule` (from the scenario's ``shifts:`` section,
passed in as ``rules``, or the defaults). A *template* is one start interval and one
length; a template with a break comes in one *placement* per allowed break start. The
``shifts:`` section (all keys optional; see ``docs/shifts.md``)::

    shifts:
      voice:                        # the agent group's name
        earliest_start: "07:00"     # clock time of the first start of each day
        latest_start: "13:00"       # ... and of the last (inclusive)
        every_minutes: 30           # a start every 30 minutes in between
        # or: starts: ["08:00", "09:00", "12:00"]  (a list instead of the three keys)
        lengths_hours: [4, 6, 8]    # shift lengths from start to end, break included
        cost_per_hour: 25.0         # per paid hour
        max_agents: 40              # agents the group can put on shift per day
        break:
          minutes: 30               # 0 = no break; a multiple of the interval
          paid: false               # an unpaid break is not costed
          earliest: 120             # the break starts 120 ...
          latest: 300               # ... to 300 minutes after the shift's start
          min_shift_hours: 6        # shorter shifts have no break

Rules
~~~~~
* A group without a rule gets the defaults of :class:`wfm.ShiftRule` (on 60-minute
  intervals its break is 60 minutes, since 30 minutes is not a whole interval).
* Starts are clock times repeated on every day of the horizon; without ``starts`` and
  without ``earliest_start``/``latest_start``/``every_minutes`` every interval may start a
  shift. ``earliest_start`` defaults to ``"00:00"``, ``latest_start`` to the end of the day,
  ``every_minutes`` to the interval. A shift must start and end inside the horizon.
* ``lengths_hours`` is the span from start to end, break included. Paid hours are the
  length, less the break when it is unpaid; cost = ``cost_per_hour`` x paid hours.
* A shift of at least ``min_shift_hours`` has one break of ``minutes``. It may start at
  any interval boundary from ``earliest`` to ``latest`` minutes after the shift's start
  (rounded inwards to interval boundaries), must not start with the shift and must end
  before the shift does. A length with no such break start is a :class:`ScenarioError`.
* ``max_agents`` bounds the agents of the group starting a shift on any one day (a day is
  a clock day: midnight to midnight): the group's headcount. This also bounds every
  single template.

The model
---------
``x[j]`` (integer) agents work template ``j``; ``z[j, b]`` (integer) of them take their
break in placement ``b`` (``sum_b z[j, b] = x[j]``); ``u[g, t] >= 0`` is the shortfall of
group ``g`` in interval ``t``. For every interval with a requirement::

    sum_{j of g working t} x[j] - sum_{(j, b) of g on break in t} z[j, b] + u[g, t]
        >= required[g, t]

and the objective is ``sum_j cost[j] x[j] + penalty * sum u``. Coverage is soft: with a
penalty larger than the dearest shift, the optimum covers every agent-interval that any
shift can cover, and the rest is reported as shortfall instead of "infeasible".

Examples
--------
>>> import wfm
>>> from wfm.scheduling import schedule
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")            # doctest: +SKIP
>>> plan = schedule(sc, time_limit=10, gap=0.01)                  # doctest: +SKIP
>>> plan.cost, plan.optimal, plan.coverage["shortfall"].sum()    # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from wfm.scenario import (
    Scenario,
    ScenarioError,
    ShiftRule,
    _check_shift,
    _parse_clock,
    _pydantic_errors,
)

__all__ = ["Schedule", "ShiftTemplate", "schedule", "shift_rules", "shift_templates"]

_DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class ShiftTemplate:
    """One shift template of one group.

    Attributes
    ----------
    group : str
    start : int
        Interval index of the first interval worked.
    length : int
        Length in intervals, break included.
    break_offsets : tuple of int
        Allowed break starts, intervals after ``start``; empty when the shift has no break.
    break_length : int
        Break length in intervals (0 when no break).
    paid_break : bool
    cost : float
        Cost of one agent on this shift (``cost_per_hour`` x paid hours).
    paid_hours : float
    day : int
        Clock day (0 = the day the horizon starts) of the shift's start.
    """

    group: str
    start: int
    length: int
    break_offsets: tuple[int, ...]
    break_length: int
    paid_break: bool
    cost: float
    paid_hours: float
    day: int

    @property
    def end(self) -> int:
        """Interval index just after the last interval worked."""
        return self.start + self.length


@dataclass
class Schedule:
    """The shifts chosen, the coverage they give and how the solver fared.

    Attributes
    ----------
    shifts : pandas.DataFrame
        One row per shift and break placement worked by at least one agent. Columns:
        ``group``, ``start_interval``, ``end_interval`` (interval index just after the
        last one worked), ``start``, ``end`` (clock labels), ``break_start``,
        ``break_end`` (clock labels; None without a break), ``paid_break`` (bool),
        ``paid_hours`` (per agent), ``count`` (agents), ``cost`` (for all ``count``
        agents).
    coverage : pandas.DataFrame
        One row per interval x group: ``interval``, ``start`` (clock label), ``group``,
        ``required`` (agents), ``scheduled`` (agents on shift and not on break),
        ``shortfall`` (``max(required - scheduled, 0)``).
    cost : float
        Total cost of the shifts (without the shortfall penalty).
    status : str
        ``"optimal"`` (proven within ``gap``), ``"time limit"``, ``"no requirement"``
        (nothing to schedule), ``"no shift can cover the requirement"``, or the solver's
        termination condition; followed by ``": no solution for k of n blocks"`` when the
        solver found no plan for some blocks in time (their requirement is then left as
        shortfall).
    optimal : bool
        True when the solver proved the plan within the requested relative gap.
    gap : float
        Relative gap ``(objective - bound) / objective`` of the plan's objective (cost +
        penalty x shortfall) to the solver's best bound; 0 when proven optimal exactly,
        inf when no bound is known.
    solve_seconds : float
        Wall time of the solver call, seconds (``build_seconds`` is the model build).
    objective : float
        Cost + penalty x shortfall.
    bound : float
        The solver's best lower bound on ``objective``.
    penalty : float
        Penalty per agent-interval of shortfall.
    n_templates : int
        Shift templates offered to the solver (start x length, per group).
    n_columns : int
        Integer variables of the model (templates and break placements).
    build_seconds : float
        Wall time to build the model, seconds.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    cost: float
    status: str
    optimal: bool
    gap: float
    solve_seconds: float
    objective: float = math.nan
    bound: float = math.nan
    penalty: float = math.nan
    n_templates: int = 0
    n_columns: int = 0
    build_seconds: float = 0.0

    def staff(self) -> dict[str, np.ndarray]:
        """Scheduled agents (on shift, not on break) per interval per group:
        ``{group: int array of length horizon}``."""
        out: dict[str, np.ndarray] = {}
        for g, part in self.coverage.groupby("group", sort=False):
            out[str(g)] = part.sort_values("interval")["scheduled"].to_numpy(dtype=np.int64)
        return out

    @property
    def shortfall(self) -> float:
        """Agent-intervals of requirement left uncovered."""
        return float(self.coverage["shortfall"].sum())

    def summary(self) -> pd.DataFrame:
        """One row per group: ``group``, ``agents`` (shifts worked), ``paid_hours``,
        ``cost``, ``required`` and ``scheduled`` (agent-intervals), ``shortfall``
        (agent-intervals) and ``short_intervals`` (intervals with any shortfall)."""
        rows = []
        for g, cov in self.coverage.groupby("group", sort=False):
            sh = self.shifts[self.shifts["group"] == g]
            rows.append({
                "group": g,
                "agents": int(sh["count"].sum()),
                "paid_hours": float((sh["paid_hours"] * sh["count"]).sum()),
                "cost": float(sh["cost"].sum()),
                "required": float(cov["required"].sum()),
                "scheduled": int(cov["scheduled"].sum()),
                "shortfall": float(cov["shortfall"].sum()),
                "short_intervals": int((cov["shortfall"] > 0).sum()),
            })
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------- templates
def shift_rules(
    scenario: Scenario, rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None
) -> dict[str, ShiftRule]:
    """The shift rule of every group: ``rules`` first, then the scenario's ``shifts:``
    section, then the defaults of :class:`wfm.ShiftRule`.

    Raises
    ------
    ScenarioError
        For a rule that names no group or has a bad field (the message names
        ``shifts.<group>.<field>``).
    """
    out: dict[str, ShiftRule] = {}
    problems: list[tuple[str, str]] = []
    groups = scenario.group_names
    for g, rule in (rules or {}).items():
        path = f"shifts.{g}"
        if g not in groups:
            problems.append((path, f"names no agent group (groups: {', '.join(groups)})"))
            continue
        if not isinstance(rule, ShiftRule):
            if not isinstance(rule, Mapping):
                problems.append(
                    (path, f"must be a mapping or a ShiftRule, not {type(rule).__name__}")
                )
                continue
            try:
                rule = ShiftRule.model_validate(dict(rule))
            except ValidationError as exc:
                problems.extend(
                    (f"{path}.{p}" if p else path, reason) for p, reason in _pydantic_errors(exc)
                )
                continue
        problems.extend(_check_shift(rule, path, scenario.interval_minutes))
        out[g] = rule
    if problems:
        raise ScenarioError(problems)
    for g in groups:
        if g not in out:
            out[g] = scenario.shifts.get(g) or _default_rule(scenario.interval_minutes)
    return out


def _default_rule(interval_minutes: int) -> ShiftRule:
    """The defaults of :class:`ShiftRule`; on intervals the default 30-minute break does
    not divide (60 minutes), the break is one interval long."""
    rule = ShiftRule()
    if rule.break_.minutes % interval_minutes:
        brk = rule.break_.model_copy(update={"minutes": interval_minutes})
        rule = rule.model_copy(update={"break_": brk})
    return rule


def _start_minutes(rule: ShiftRule, interval_minutes: int) -> set[int] | None:
    """Allowed start clock minutes (after midnight), or None for "every interval"."""
    if rule.starts is not None:
        return {_parse_clock(s) for s in rule.starts}
    if rule.earliest_start is None and rule.latest_start is None and rule.every_minutes is None:
        return None
    first = _parse_clock(rule.earliest_start) if rule.earliest_start else 0
    last = _parse_clock(rule.latest_start) if rule.latest_start else _DAY_MINUTES - 1
    step = rule.every_minutes or interval_minutes
    return set(range(first, last + 1, step))


def _break_offsets(
    rule: ShiftRule, length: int, interval_minutes: int, path: str
) -> tuple[int, ...]:
    """Allowed break starts (intervals after the shift's start) of a shift of ``length``."""
    b = rule.break_
    hours = length * interval_minutes / 60
    if b.minutes == 0 or hours < b.min_shift_hours - 1e-9:
        return ()
    m = b.minutes // interval_minutes
    lo = max(1, -(-b.earliest // interval_minutes))
    hi = min(b.latest // interval_minutes, length - m - 1)
    if hi < lo:
        raise ScenarioError([(
            f"{path}.break",
            f"a {hours:g} h shift has no room for its {b.minutes}-minute break starting"
            f" {b.earliest}-{b.latest} minutes after the shift's start (the break must start on"
            f" a {interval_minutes}-minute boundary after the start and end before the shift"
            f" ends); widen the window or raise min_shift_hours",
        )])
    return tuple(range(lo, hi + 1))


def _templates(scenario: Scenario, rules: dict[str, ShiftRule]) -> list[ShiftTemplate]:
    H = scenario.horizon
    lm = scenario.interval_minutes
    start_min = scenario.start_seconds // 60
    out: list[ShiftTemplate] = []
    for g in scenario.group_names:
        rule = rules[g]
        path = f"shifts.{g}"
        allowed = _start_minutes(rule, lm)
        b = rule.break_
        for hours in sorted(set(rule.lengths_hours)):
            n = int(round(hours * 60 / lm))
            offsets = _break_offsets(rule, n, lm, path)
            m = b.minutes // lm if offsets else 0
            paid_hours = n * lm / 60 - (0.0 if (b.paid or not offsets) else b.minutes / 60)
            cost = rule.cost_per_hour * paid_hours
            for s in range(0, H - n + 1):
                minute = start_min + s * lm
                if allowed is not None and minute % _DAY_MINUTES not in allowed:
                    continue
                out.append(ShiftTemplate(g, s, n, offsets, m, bool(offsets) and b.paid, cost,
                                         paid_hours, minute // _DAY_MINUTES))
    return out


def shift_templates(
    scenario: Scenario, rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None
) -> pd.DataFrame:
    """The shift templates offered to the solver, one row per group x start x length.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``start_interval``, ``end_interval``, ``start``, ``end`` (clock
        labels), ``length_hours``, ``paid_hours``, ``cost`` (per agent), ``break_placements``
        (allowed break starts; 0 without a break), ``paid_break``, ``day``.
    """
    tpl = _templates(scenario, shift_rules(scenario, rules))
    lab = _labeler(scenario)
    lm = scenario.interval_minutes
    return pd.DataFrame(
        {
            "group": [t.group for t in tpl],
            "start_interval": [t.start for t in tpl],
            "end_interval": [t.end for t in tpl],
            "start": [lab(t.start) for t in tpl],
            "end": [lab(t.end) for t in tpl],
            "length_hours": [t.length * lm / 60 for t in tpl],
            "paid_hours": [t.paid_hours for t in tpl],
            "cost": [t.cost for t in tpl],
            "break_placements": [len(t.break_offsets) for t in tpl],
            "paid_break": [t.paid_break for t in tpl],
            "day": [t.day for t in tpl],
        },
        columns=["group", "start_interval", "end_interval", "start", "end", "length_hours",
                 "paid_hours", "cost", "break_placements", "paid_break", "day"],
    )


def _labeler(scenario: Scenario):
    start_min = scenario.start_seconds // 60
    lm = scenario.interval_minutes

    def label(i: int) -> str:
        day, rem = divmod(start_min + i * lm, _DAY_MINUTES)
        text = f"{rem // 60:02d}:{rem % 60:02d}"
        return text if day == 0 else f"d{day + 1} {text}"

    return label


# ---------------------------------------------------------------------- requirements
def _group_requirements(
    scenario: Scenario, requirements: pd.DataFrame | Mapping[str, Any] | None
) -> dict[str, np.ndarray]:
    H = scenario.horizon
    groups = scenario.group_names
    if requirements is None:
        from wfm.staffing import requirements as staffing_requirements

        requirements = staffing_requirements(scenario)
    if isinstance(requirements, pd.DataFrame):
        df = requirements
        if "level" in df.columns:
            df = df[df["level"] == "group"].rename(columns={"name": "group"})
        missing = {"group", "interval", "required"} - set(df.columns)
        if missing:
            raise ValueError(
                "requirements: a DataFrame needs columns group, interval, required (or the"
                f" long format of wfm.staffing.requirements); missing {', '.join(sorted(missing))}"
            )
        data: dict[str, Any] = {}
        for g, part in df.groupby("group", sort=False):
            arr = np.zeros(H)
            idx = part["interval"].to_numpy(dtype=np.int64)
            if idx.size and (idx.min() < 0 or idx.max() >= H):
                raise ValueError(f"requirements: group {g!r} has an interval outside 0..{H - 1}")
            arr[idx] = part["required"].to_numpy(dtype=float)
            data[str(g)] = arr
        requirements = data
    if not isinstance(requirements, Mapping):
        raise TypeError(
            "requirements must be a DataFrame, a mapping of group to per-interval agents or None,"
            f" not {type(requirements).__name__}"
        )
    out: dict[str, np.ndarray] = {}
    for g, values in requirements.items():
        if g not in groups:
            raise ValueError(
                f"requirements: {g!r} names no agent group (groups: {', '.join(groups)})"
            )
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 0:
            arr = np.full(H, float(arr))
        if arr.shape != (H,):
            raise ValueError(f"requirements[{g!r}]: has {arr.size} values but the horizon is {H}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"requirements[{g!r}]: must be finite numbers >= 0")
        out[g] = arr
    for g in groups:
        out.setdefault(g, np.zeros(H))
    return out


# ---------------------------------------------------------------------- the model
def schedule(
    scenario: Scenario,
    requirements: pd.DataFrame | Mapping[str, Any] | None = None,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    time_limit: float = 60.0,
    gap: float = 0.01,
    shortfall_penalty: float | None = None,
    tee: bool = False,
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
    rules : mapping of group to ShiftRule or dict, optional
        Shift rules that replace the scenario's for these groups.
    time_limit : float, default 60
        Solver time limit, seconds.
    gap : float, default 0.01
        Relative MIP gap at which the solver stops and calls the plan optimal.
    shortfall_penalty : float, optional
        Cost per agent-interval of uncovered requirement. Default: twice the cost of the
        dearest shift, so covering what can be covered always pays.
    tee : bool, default False
        Show the solver's log.

    Returns
    -------
    Schedule

    Raises
    ------
    ScenarioError
        For a bad shift rule (the message names ``shifts.<group>.<field>``).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    if not (isinstance(time_limit, int | float) and time_limit > 0):
        raise ValueError(f"time_limit must be a number of seconds > 0 (got {time_limit!r})")
    if not (isinstance(gap, int | float) and 0 <= gap < 1):
        raise ValueError(f"gap must be in [0, 1) (got {gap!r})")
    rule_map = shift_rules(scenario, rules)
    req = _group_requirements(scenario, requirements)
    t0 = time.perf_counter()
    all_templates = _templates(scenario, rule_map)
    # a template that covers no interval with a requirement is never worth its cost
    templates = [t for t in all_templates if req[t.group][t.start:t.end].max(initial=0) > 0]
    max_cost = max((t.cost for t in all_templates), default=1.0)
    penalty = float(shortfall_penalty) if shortfall_penalty is not None else 2.0 * max_cost
    if penalty <= 0:
        raise ValueError(f"shortfall_penalty must be > 0 (got {shortfall_penalty!r})")

    if not templates:
        status = "no requirement"
        if any(r.sum() > 0 for r in req.values()):
            status = "no shift can cover the requirement"
        return _result(scenario, req, [], [], [], status, True, 0.0, 0.0, math.nan, penalty,
                       len(all_templates), 0, time.perf_counter() - t0)
    counts = [0] * len(templates)
    zcounts: list[list[int]] = [[0] * len(t.break_offsets) for t in templates]
    blocks = _blocks(req, templates, rule_map)
    build_s = solve_s = 0.0
    obj_sum = bound_sum = 0.0
    terms: list[str] = []
    all_found = True
    missing = 0
    n_cols = 0
    for k, (js, need) in enumerate(blocks):
        left = max(time_limit - (time.perf_counter() - t0), 0.05)
        out = _solve_block(
            [templates[j] for j in js], need, req, rule_map, penalty,
            left / (len(blocks) - k), gap, tee,
        )
        bc, bz, term, obj, bound, b_build, b_solve, cols = out
        for n, j in enumerate(js):
            counts[j], zcounts[j] = bc[n], bz[n]
        build_s += b_build
        solve_s += b_solve
        n_cols += cols
        terms.append(term)
        all_found &= obj is not None
        missing += obj is None
        bound_sum += bound if bound is not None else -math.inf
        obj_sum += obj if obj is not None else math.inf
    # requirement that no template reaches is shortfall whatever the solver does
    in_blocks = {gi for _, need in blocks for gi in need}
    fixed = penalty * sum(
        float(r[i]) for g, r in req.items() for i in np.flatnonzero(r > 0).tolist()
        if (g, i) not in in_blocks
    )
    rel_gap = _rel_gap(obj_sum + fixed, bound_sum + fixed) if all_found else math.inf
    all_optimal = all(t == "optimal" for t in terms)
    if all_optimal:
        status = "optimal"
    elif any(t == "time limit" for t in terms):
        status = "time limit"
    else:
        status = next(t for t in terms if t != "optimal")
    if not all_found:
        status = f"{status}: no solution for {missing} of {len(blocks)} blocks (left uncovered)"
    optimal = bool(all_found and all_optimal and rel_gap <= gap + 1e-9)
    return _result(scenario, req, templates, counts, zcounts, status, optimal, rel_gap, solve_s,
                   bound_sum + fixed, penalty, len(all_templates), n_cols, build_s)


def _blocks(
    req: dict[str, np.ndarray], templates: list[ShiftTemplate], rule_map: dict[str, ShiftRule]
) -> list[tuple[list[int], list[tuple[str, int]]]]:
    """Split the model into independent blocks (exact): intervals with a requirement are
    linked by a template covering both, and templates by a shared headcount row."""
    need = [(g, i) for g, r in req.items() for i in np.flatnonzero(r > 0).tolist()]
    node = {gi: n for n, gi in enumerate(need)}
    parent = list(range(len(need)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    first: list[int] = []
    day_anchor: dict[tuple[str, int], int] = {}
    for t in templates:
        r = req[t.group]
        covered = [node[(t.group, i)] for i in range(t.start, t.end) if r[i] > 0]
        for n in covered[1:]:
            union(covered[0], n)
        first.append(covered[0])
        if rule_map[t.group].max_agents is not None:
            key = (t.group, t.day)
            if key in day_anchor:
                union(day_anchor[key], covered[0])
            else:
                day_anchor[key] = covered[0]
    by_root: dict[int, tuple[list[int], list[tuple[str, int]]]] = {}
    for j, n in enumerate(first):
        by_root.setdefault(find(n), ([], []))[0].append(j)
    for gi, n in node.items():
        root = find(n)
        if root in by_root:  # requirement no template reaches stays as shortfall
            by_root[root][1].append(gi)
    return list(by_root.values())


def _solve_block(templates, need, req, rule_map, penalty, time_limit, gap, tee):
    """Build and solve the model of one block. Returns per-template counts, per-template
    break-placement counts, the termination ("optimal", "time limit", ...), the objective
    and bound (None when unknown), build and solve seconds and the number of integer
    columns."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    t0 = time.perf_counter()
    model = pyo.ConcreteModel(name="shifts")
    nx = len(templates)
    # Upper bounds, valid for some optimum: with R the largest requirement a template
    # covers, more than R agents on one template without a break (or on one break
    # placement) is never needed: one of them could go home and the others alone still
    # cover R wherever that one worked. A template with breaks gets R per placement.
    ub_z = []
    ub_x = []
    for t in templates:
        r = math.ceil(float(req[t.group][t.start:t.end].max()) - 1e-9)
        cap = rule_map[t.group].max_agents
        r = min(r, cap) if cap is not None else r
        ub_z.append(r)
        rx = r * max(len(t.break_offsets), 1)
        ub_x.append(rx if cap is None else min(rx, cap))
    model.x = pyo.Var(range(nx), domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, j: (0, ub_x[j]))
    zindex = [(j, k) for j, t in enumerate(templates) for k in range(len(t.break_offsets))]
    model.z = pyo.Var(range(len(zindex)), domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, i: (0, ub_z[zindex[i][0]]))
    model.u = pyo.Var(range(len(need)), domain=pyo.NonNegativeReals)

    # coverage rows: per (group, interval) the +x and -z terms
    rows: dict[tuple[str, int], tuple[list[float], list[Any]]] = {gi: ([], []) for gi in need}
    x, z, u = model.x, model.z, model.u
    for j, t in enumerate(templates):
        r = req[t.group]
        for i in range(t.start, t.end):
            if r[i] > 0:
                c, v = rows[(t.group, i)]
                c.append(1.0)
                v.append(x[j])
    zofj: dict[int, list[int]] = {}
    for zi, (j, k) in enumerate(zindex):
        t = templates[j]
        zofj.setdefault(j, []).append(zi)
        r = req[t.group]
        b0 = t.start + t.break_offsets[k]
        for i in range(b0, b0 + t.break_length):
            if r[i] > 0:
                c, v = rows[(t.group, i)]
                c.append(-1.0)
                v.append(z[zi])
    model.cover = pyo.ConstraintList()
    for n, gi in enumerate(need):
        c, v = rows[gi]
        expr = LinearExpression(constant=0.0, linear_coefs=[*c, 1.0], linear_vars=[*v, u[n]])
        model.cover.add(expr >= float(req[gi[0]][gi[1]]))
    model.breaks = pyo.ConstraintList()
    for j, zis in zofj.items():
        expr = LinearExpression(constant=0.0, linear_coefs=[1.0] * len(zis) + [-1.0],
                                linear_vars=[z[zi] for zi in zis] + [x[j]])
        model.breaks.add(expr == 0)
    model.headcount = pyo.ConstraintList()
    by_day: dict[tuple[str, int], list[int]] = {}
    for j, t in enumerate(templates):
        if rule_map[t.group].max_agents is not None:
            by_day.setdefault((t.group, t.day), []).append(j)
    for (g, _day), js in by_day.items():
        expr = LinearExpression(constant=0.0, linear_coefs=[1.0] * len(js),
                                linear_vars=[x[j] for j in js])
        model.headcount.add(expr <= rule_map[g].max_agents)
    model.cost = pyo.Objective(
        expr=LinearExpression(
            constant=0.0,
            linear_coefs=[t.cost for t in templates] + [penalty] * len(need),
            linear_vars=[x[j] for j in range(nx)] + [u[n] for n in range(len(need))],
        ),
        sense=pyo.minimize,
    )

    # a greedy plan as the MIP start, so that a time limit always leaves a plan
    gx, gz = _greedy(templates, need, req, rule_map, ub_x, ub_z)
    for j in range(nx):
        x[j].set_value(gx[j])
    for zi, (j, k) in enumerate(zindex):
        z[zi].set_value(gz[j][k])
    cover = _coverage_of(templates, gx, gz, req)
    for n, gi in enumerate(need):
        u[n].set_value(max(float(req[gi[0]][gi[1]]) - cover.get(gi, 0), 0.0))
    build_s = time.perf_counter() - t0

    opt = pyo.SolverFactory("appsi_highs")
    opt.config.mip_gap = float(gap)
    t1 = time.perf_counter()
    res = opt.solve(model, tee=tee, load_solutions=False, timelimit=float(time_limit),
                    warmstart=True)
    solve_s = time.perf_counter() - t1
    term = str(res.solver.termination_message)
    ub_obj = res.problem.upper_bound
    lb_obj = res.problem.lower_bound
    has_solution = ub_obj is not None and math.isfinite(float(ub_obj))
    counts = [0] * nx
    zcounts = [[0] * len(t.break_offsets) for t in templates]
    if has_solution:
        opt.load_vars()
        counts = [int(round(pyo.value(x[j]) or 0.0)) for j in range(nx)]
        for zi, (j, k) in enumerate(zindex):
            zcounts[j][k] = int(round(pyo.value(z[zi]) or 0.0))
        # the rounded break counts must add up to the shift's count
        for j, t in enumerate(templates):
            if t.break_offsets:
                diff = counts[j] - sum(zcounts[j])
                if diff:
                    zcounts[j][0] = max(zcounts[j][0] + diff, 0)
                    counts[j] = sum(zcounts[j])
    low = term.lower()
    if "optimal" in low:
        term = "optimal"
    elif "time" in low:
        term = "time limit"
    bound = float(lb_obj) if lb_obj is not None and math.isfinite(float(lb_obj)) else None
    obj = float(ub_obj) if has_solution else None
    return counts, zcounts, term, obj, bound, build_s, solve_s, nx + len(zindex)


def _coverage_of(templates, gx, gz, req) -> dict[tuple[str, int], int]:
    """Agents on the floor per (group, interval) with a requirement, for counts gx/gz."""
    cover: dict[tuple[str, int], int] = {}
    for j, t in enumerate(templates):
        if not gx[j]:
            continue
        r = req[t.group]
        for i in range(t.start, t.end):
            if r[i] > 0:
                cover[(t.group, i)] = cover.get((t.group, i), 0) + gx[j]
        for k, c in enumerate(gz[j]):
            b0 = t.start + t.break_offsets[k]
            for i in range(b0, b0 + t.break_length):
                if c and r[i] > 0:
                    cover[(t.group, i)] -= c
    return cover


def _greedy(templates, need, req, rule_map, ub_x, ub_z):
    """A feasible plan, left to right: wherever the requirement is not yet covered, add
    agents on the latest-starting template that covers the interval (of those, the one
    covering most still-uncovered intervals per cost), each agent's break where coverage
    has most to spare, within the variables' bounds and the headcount. Used as the
    solver's starting point."""
    gx = [0] * len(templates)
    gz = [[0] * len(t.break_offsets) for t in templates]
    cover: dict[tuple[str, int], float] = {}
    heads: dict[tuple[str, int], int] = {}
    by_group: dict[str, list[int]] = {}
    for j, t in enumerate(templates):
        by_group.setdefault(t.group, []).append(j)

    def useful(t: ShiftTemplate, i: int, r: np.ndarray) -> float:
        # uncovered intervals from i on that one more agent on t would cover, per cost
        gain = sum(1.0 for b in range(i, t.end) if r[b] - cover.get((t.group, b), 0.0) > 1e-9)
        return gain / max(t.cost, 1e-9)

    def slack(t: ShiftTemplate, k: int, r: np.ndarray) -> float:
        # what coverage has to spare where placement k's break falls
        b0 = t.start + t.break_offsets[k]
        return min(cover.get((t.group, b), 0.0) - r[b] for b in range(b0, b0 + t.break_length))

    for g, i in sorted(need):
        r = req[g]
        deficit = math.ceil(float(r[i]) - cover.get((g, i), 0.0) - 1e-9)
        if deficit <= 0:
            continue
        cands = [j for j in by_group.get(g, ()) if templates[j].start <= i < templates[j].end]
        cands.sort(key=lambda j: (-templates[j].start, -useful(templates[j], i, r)))
        cap = rule_map[g].max_agents
        for j in cands:
            if deficit <= 0:
                break
            t = templates[j]
            room = ub_x[j] - gx[j]
            if cap is not None:
                room = min(room, cap - heads.get((g, t.day), 0))
            # placements whose break is not in interval i
            ks = [k for k, o in enumerate(t.break_offsets)
                  if not t.start + o <= i < t.start + o + t.break_length]
            if room <= 0 or (t.break_offsets and not ks):
                continue
            n = 0
            while n < min(deficit, room):
                if ks:
                    k = max(ks, key=lambda k, t=t: (slack(t, k, r), -gz[j][k]))
                    if gz[j][k] >= ub_z[j]:
                        break
                    gz[j][k] += 1
                    b0 = t.start + t.break_offsets[k]
                    for b in range(b0, b0 + t.break_length):
                        cover[(g, b)] = cover.get((g, b), 0.0) - 1
                n += 1
            if n == 0:
                continue
            gx[j] += n
            heads[(g, t.day)] = heads.get((g, t.day), 0) + n
            for b in range(t.start, t.end):
                cover[(g, b)] = cover.get((g, b), 0.0) + n
            deficit -= n
    return gx, gz


def _rel_gap(obj: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.inf
    diff = max(obj - bound, 0.0)
    if diff <= 1e-9 * max(1.0, abs(obj)):
        return 0.0
    return diff / max(abs(obj), 1e-9)


def _result(scenario, req, templates, counts, zcounts, status, optimal, rel_gap, solve_s, bound,
            penalty, n_templates, n_cols, build_s) -> Schedule:
    H = scenario.horizon
    lab = _labeler(scenario)
    groups = scenario.group_names
    scheduled = {g: np.zeros(H, dtype=np.int64) for g in groups}
    rows = []
    for j, t in enumerate(templates):
        n = counts[j] if counts else 0
        if n <= 0:
            continue
        scheduled[t.group][t.start:t.end] += n
        if t.break_offsets:
            placements = [(k, c) for k, c in enumerate(zcounts[j]) if c > 0]
        else:
            placements = [(None, n)]
        for k, c in placements:
            if k is None:
                bs = be = None
            else:
                b0 = t.start + t.break_offsets[k]
                scheduled[t.group][b0:b0 + t.break_length] -= c
                bs, be = lab(b0), lab(b0 + t.break_length)
            rows.append({
                "group": t.group,
                "start_interval": t.start,
                "end_interval": t.end,
                "start": lab(t.start),
                "end": lab(t.end),
                "break_start": bs,
                "break_end": be,
                "paid_break": t.paid_break,
                "paid_hours": t.paid_hours,
                "count": int(c),
                "cost": float(c * t.cost),
            })
    cols = ["group", "start_interval", "end_interval", "start", "end", "break_start", "break_end",
            "paid_break", "paid_hours", "count", "cost"]
    shifts = pd.DataFrame(rows, columns=cols)
    for c in ("group", "start", "end", "break_start", "break_end"):
        shifts[c] = pd.Series(list(shifts[c]), index=shifts.index, dtype=object)
    if len(shifts):
        order = {g: i for i, g in enumerate(groups)}
        shifts = shifts.sort_values(
            ["group", "start_interval", "end_interval", "break_start"],
            key=lambda s: s.map(order) if s.name == "group" else s,
        ).reset_index(drop=True)
    for c in ("break_start", "break_end"):  # keep None (not NaN) where there is no break
        shifts[c] = pd.Series(
            [v if isinstance(v, str) else None for v in shifts[c]], index=shifts.index, dtype=object
        )
    shifts = shifts.astype({"start_interval": "int64", "end_interval": "int64", "count": "int64",
                            "cost": "float64", "paid_hours": "float64", "paid_break": "bool"})
    labels = scenario.interval_labels()
    cov = []
    for g in groups:
        r = req[g]
        s = scheduled[g]
        cov.append(pd.DataFrame({
            "interval": np.arange(H),
            "start": labels,
            "group": g,
            "required": r,
            "scheduled": s,
            "shortfall": np.maximum(r - s, 0.0),
        }))
    coverage = pd.concat(cov, ignore_index=True)
    cost = float(shifts["cost"].sum())
    objective = cost + penalty * float(coverage["shortfall"].sum())
    return Schedule(
        shifts=shifts,
        coverage=coverage,
        cost=cost,
        status=status,
        optimal=optimal,
        gap=rel_gap,
        solve_seconds=solve_s,
        objective=objective,
        bound=bound,
        penalty=penalty,
        n_templates=n_templates,
        n_columns=n_cols,
        build_seconds=build_s,
    )

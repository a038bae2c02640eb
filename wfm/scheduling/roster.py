"""Weekly rosters: a pattern per agent (days worked, the shift and break of each day)
under contract types, chosen by a pyomo model solved by HiGHS.

For a scenario of one or more clock days (a week of 30-minute intervals from ``"00:00"``
is 336 intervals, 7 days), :func:`weekly_roster` chooses the agents of each group and, for each
agent, a weekly pattern:

* a **contract** (:class:`wfm.scheduling.contracts.Contract`): working days per week,
  paid hours per week, shift lengths, share of the group's headcount, wage;
* the **days worked**: a set of week days with ``min_days`` to ``max_days`` days whose
  days off include ``consecutive_days_off`` in a row (the week read as a cycle); on a
  horizon longer than a week the same days are worked every week;
* **one shift length** for the week (``"5 x 8 h"``, ``"4 x 6 h"``) from the group's
  ``shifts:`` rule and the contract's ``lengths_hours``;
* a **start each working day**, from the group's shift rule, all within
  ``start_window_hours`` of the earliest (start-time stability), and a **break** in the
  rule's window;
* the **rest** between two shifts is at least ``rest_hours``: the start window is
  narrowed, for shifts of ``L`` hours, to ``24 - rest_hours - L`` hours when that is
  smaller (two starts at most that far apart on consecutive days leave the rest).

The model
---------
A *tour* is (contract, days worked, shift length ``L``, earliest start ``k``);
``n[tour]`` (integer) agents work it. ``Y[s]`` (integer) agents work template ``s``
(one start and length on one day), ``z[s, b]`` (integer) of them break in placement
``b``, and ``y[L, k, d, s] >= 0`` of the agents of class ``(L, k)`` start at ``s`` on day
``d`` (a start from ``k`` to ``k`` plus the window); ``u[t] >= 0`` is the shortfall in
interval ``t``. Per group::

    sum_s y[L, k, d, s] = sum of n[tour] over the tours of (L, k) working day d
    Y[s] = sum_k y[L, k, d, s],  sum_b z[s, b] = Y[s]
    sum_{s working t} Y[s] - sum_{(s, b) on break in t} z[s, b] + u[t] >= required[t]
    sum_{tours of contract c} n >= min_share_c * sum n  (and <= max_share_c * sum n)
    sum n <= max_headcount;  per day, sum of Y <= the shift rule's max_agents
    minimise sum_tour cost[tour] n[tour] + penalty * sum_t u[t]

The rules of each agent (days, hours, length, start window, rest) are those of its
tour, so any agent of a class may take any start of its window on a day it works: the
counts are turned into agents exactly. ``y`` need not be integer: with whole agents per
class and day and whole agents per template, whole ``y`` exist (a transportation
problem whose windows are intervals of start times) and are found in start order,
earliest closing window first. A tour's cost is its paid hours in the horizon times the
wage, plus the overtime premium on the paid hours of each week above the contract's
``overtime_after_hours``. The penalty per agent-interval of shortfall is by default
twice the dearest tour, so one more agent is always cheaper than the shortfall it
removes unless a headcount or contract-share rule stops it.

HiGHS starts from a roster that keeps every rule, so a time limit still leaves one: the
LP relaxation rounded (tours at half an agent or more raised to the next whole agent and
the LP solved again, until its tours are whole), with the starts and breaks of those
agents chosen by HiGHS with the tours fixed, or greedily (agents added, least cost per
agent-interval of shortfall removed first) when that is cheaper or HiGHS finds nothing.
The gap to HiGHS's bound is reported.

Examples
--------
A week of 60-minute intervals, one group needing 2 agents from 08:00 to 16:00 on days
1 to 5; full-time agents work 5 days of 8 hours at 20 an hour:

>>> import wfm
>>> from wfm.scheduling import weekly_roster
>>> sc = wfm.Scenario.from_dict({
...     "interval_minutes": 60,
...     "channels": {"phone": {"kind": "voice", "volume": [0] * 168, "aht": 300,
...                            "target": {"answer_within": 20, "service_level": 0.8}}},
...     "agents": [{"group": "a", "skills": ["phone"], "staff": 0}],
...     "shifts": {"a": {"starts": ["08:00"], "lengths_hours": [8], "cost_per_hour": 20,
...                      "break": {"minutes": 0}}}})
>>> need = {"a": ([0] * 8 + [2] * 8 + [0] * 8) * 5 + [0] * 48}
>>> r = weekly_roster(sc, need, roster_rules={"contracts": {"full_time": {}}}, time_limit=10)
>>> r.cost, r.paid_hours, r.fte, r.shortfall, str(r.status)
(1600.0, 80.0, 2.0, 0.0, 'optimal')
>>> r.agents[["agent", "contract", "pattern", "days", "paid_hours", "cost"]]
  agent   contract  pattern  days  paid_hours   cost
0   a-1  full_time  12345--     5        40.0  800.0
1   a-2  full_time  12345--     5        40.0  800.0
>>> r.shifts[["agent", "day", "start", "end", "start_minute", "end_minute"]].head(2)
  agent  day     start       end  start_minute  end_minute
0   a-1    1     08:00     16:00           480         960
1   a-1    2  d2 08:00  d2 16:00          1920        2400
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm import limits
from wfm.errors import InputError
from wfm.scenario import Scenario, ShiftRule
from wfm.scheduling.contracts import Contract, RosterRules, rules_problems
from wfm.scheduling.contracts import roster_rules as _roster_rules
from wfm.scheduling.model import run_highs
from wfm.scheduling.requirements import RequirementInput, group_requirements
from wfm.scheduling.solve import relative_gap
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import (
    DAY_MINUTES,
    RuleInput,
    ShiftTemplate,
    build_templates,
    clock_labeler,
    shift_rules,
)

__all__ = [
    "AGENT_COLUMNS",
    "ROSTER_SHIFT_COLUMNS",
    "Roster",
    "Tour",
    "horizon_days",
    "pattern_text",
    "week_patterns",
    "weekly_roster",
]

ROSTER_SHIFT_COLUMNS = [
    "agent", "group", "contract", "day", "start_interval", "end_interval", "start_minute",
    "end_minute", "break_start_minute", "break_end_minute", "start", "end", "break_start",
    "break_end", "paid_hours",
]
"""Columns of :attr:`Roster.shifts`, in order."""

AGENT_COLUMNS = [
    "agent", "group", "contract", "pattern", "days", "length_hours", "first_start",
    "last_start", "paid_hours", "overtime_hours", "wage_per_hour", "cost",
]
"""Columns of :attr:`Roster.agents`, in order."""


# ---------------------------------------------------------------------- patterns
def week_patterns(min_days: int, max_days: int, consecutive_days_off: int) -> list[int]:
    """The sets of week days an agent may work, as bit masks (bit ``d``: day ``d``).

    Parameters
    ----------
    min_days, max_days : int
        Working days per week.
    consecutive_days_off : int
        The days off must include this many in a row, the week read as a cycle (day 7
        and day 1 are consecutive); 0 for no rule.

    Returns
    -------
    list of int
        Bit masks in increasing order.

    Examples
    --------
    >>> [pattern_text(m) for m in week_patterns(5, 5, 2)]
    ['12345--', '1234--7', '123--67', '12--567', '1--4567', '-23456-', '--34567']
    >>> len(week_patterns(4, 4, 2)), len(week_patterns(4, 4, 0))
    (28, 35)
    """
    out = []
    for mask in range(128):
        on = bin(mask).count("1")
        if not min_days <= on <= max_days:
            continue
        if consecutive_days_off and not _has_off_run(mask, consecutive_days_off):
            continue
        out.append(mask)
    # in reading order of their text: days worked first, '-' last
    return sorted(out, key=lambda m: pattern_text(m).replace("-", "~"))


def _has_off_run(mask: int, run: int) -> bool:
    if run > 7:
        return False
    off = [not (mask >> d) & 1 for d in range(7)]
    if run == 7:
        return all(off)
    return any(all(off[(s + i) % 7] for i in range(run)) for s in range(7))


def pattern_text(mask: int) -> str:
    """A week pattern as text: the day number where worked, ``-`` where off.

    Examples
    --------
    >>> pattern_text(0b0011111), pattern_text(0b1100011)
    ('12345--', '12---67')
    """
    return "".join(str(d + 1) if (mask >> d) & 1 else "-" for d in range(7))


def horizon_days(scenario: Scenario) -> int:
    """Clock days the horizon touches (day 0 is the day of its first interval).

    Examples
    --------
    >>> import wfm
    >>> horizon_days(wfm.load_scenario("scenarios/baseline.yaml"))
    1
    """
    start = scenario.start_seconds // 60
    end = start + scenario.horizon * scenario.interval_minutes
    return max(1, -(-end // DAY_MINUTES))


# ---------------------------------------------------------------------- tours
@dataclass(frozen=True)
class Tour:
    """One weekly pattern of one group: contract, days, shift length, earliest start.

    Attributes
    ----------
    contract : str
    mask : int
        Week days worked (bit ``d``: day ``d`` of every week, day 0 the horizon's first).
    length : int
        Shift length, intervals (break included).
    anchor : int
        Earliest start, minutes after midnight; starts lie from ``anchor`` to ``anchor +
        window`` minutes.
    window : int
        Width of the start window, minutes.
    week_hours : float
        Paid hours of a full week of the pattern.
    paid_hours : float
        Paid hours in the horizon.
    overtime_hours : float
        Paid hours in the horizon above the contract's weekly overtime threshold.
    wage : float
        Money per paid hour.
    cost : float
        Cost in the horizon: ``wage * (paid_hours + premium * overtime_hours)``.
    """

    contract: str
    mask: int
    length: int
    anchor: int
    window: int
    week_hours: float
    paid_hours: float
    overtime_hours: float
    wage: float
    cost: float


@dataclass
class _Group:
    """A group's templates, indexed for the model."""

    name: str
    rule: ShiftRule
    templates: list[ShiftTemplate]
    clock: list[int]  # start clock minute of each template
    by_len_day: dict[tuple[int, int], list[int]]  # (length, day) -> template indices
    paid: dict[int, float]  # length -> paid hours


def _group_data(scenario: Scenario, group: str, rule: ShiftRule, templates: list[ShiftTemplate]) -> _Group:
    start_min = scenario.start_seconds // 60
    lm = scenario.interval_minutes
    clock = [(start_min + t.start * lm) % DAY_MINUTES for t in templates]
    by: dict[tuple[int, int], list[int]] = {}
    paid: dict[int, float] = {}
    for j, t in enumerate(templates):
        by.setdefault((t.length, t.day), []).append(j)
        paid[t.length] = t.paid_hours
    return _Group(group, rule, templates, clock, by, paid)


def _window(rules: RosterRules, length: int, lm: int) -> int:
    """Start window for shifts of ``length`` intervals, minutes (negative: not rostered)."""
    w = min(rules.start_window_hours * 60, DAY_MINUTES - rules.rest_hours * 60 - length * lm)
    return int(math.floor(w + 1e-9)) if w >= 0 else -1


def _horizon_mask(mask: int, days: int) -> int:
    return sum(1 << d for d in range(days) if (mask >> (d % 7)) & 1)


def _tour_hours(mask: int, days: int, paid: float, ot_after: float | None) -> tuple[float, float]:
    """(paid hours, overtime hours) in the horizon, overtime counted week by week."""
    hours = overtime = 0.0
    for w0 in range(0, days, 7):
        h = sum(paid for d in range(w0, min(w0 + 7, days)) if (mask >> (d % 7)) & 1)
        hours += h
        if ot_after is not None:
            overtime += max(h - ot_after, 0.0)
    return hours, overtime


def _tours(g: _Group, rules: RosterRules, days: int, lm: int) -> list[Tour]:
    """Every tour of a group that the rules allow and its templates can staff."""
    lengths = sorted({t.length for t in g.templates})
    out: list[Tour] = []
    for cname, c in rules.contracts.items():
        allowed = lengths
        if c.lengths_hours is not None:
            wanted = {int(round(h * 60 / lm)) for h in c.lengths_hours}
            allowed = [n for n in lengths if n in wanted]
        masks = week_patterns(c.min_days, c.max_days, rules.consecutive_days_off)
        wage = rules.wage(g.name, cname, g.rule.cost_per_hour)
        for n in allowed:
            win = _window(rules, n, lm)
            if win < 0:
                continue
            paid = g.paid[n]
            anchors = sorted({g.clock[j] for d in range(days) for j in g.by_len_day.get((n, d), [])})
            # days on which each anchor's window has a start
            ok_days = {k: sum(1 << d for d in range(days)
                              if any(k <= g.clock[j] <= k + win for j in g.by_len_day.get((n, d), [])))
                       for k in anchors}
            for mask in masks:
                on = bin(mask).count("1")
                week_hours = on * paid
                if not c.min_hours - 1e-9 <= week_hours <= c.max_hours + 1e-9:
                    continue
                hmask = _horizon_mask(mask, days)
                if hmask == 0:
                    continue
                hours, ot = _tour_hours(mask, days, paid, c.overtime_after_hours)
                cost = wage * (hours + c.overtime_premium * ot)
                for k in anchors:
                    if hmask & ~ok_days[k]:
                        continue
                    out.append(Tour(cname, mask, n, k, win, week_hours, hours, ot, wage, cost))
    return out


# ---------------------------------------------------------------------- the result
@dataclass
class Roster:
    """A weekly roster: every agent's pattern, shifts and breaks, coverage and cost.

    Attributes
    ----------
    agents : pandas.DataFrame
        One row per agent: ``agent`` (id, ``<group>-<n>``), ``group``, ``contract``,
        ``pattern`` (week days worked, e.g. ``12345--``), ``days`` (days worked in the
        horizon), ``length_hours`` (shift length, break included), ``first_start``,
        ``last_start`` (earliest and latest start clock time of the week, ``"HH:MM"``),
        ``paid_hours`` (hours, in the horizon), ``overtime_hours`` (hours),
        ``wage_per_hour`` (money), ``cost`` (money: wage x (paid hours + premium x
        overtime hours)).
    shifts : pandas.DataFrame
        One row per agent x working day: ``agent``, ``group``, ``contract``, ``day``
        (1 = the horizon's first clock day), ``start_interval``, ``end_interval``
        (interval indices; the end is just after the last interval worked),
        ``start_minute``, ``end_minute``, ``break_start_minute``, ``break_end_minute``
        (minutes from the start of the horizon; the break's are missing (``<NA>``)
        without a break), ``start``, ``end``, ``break_start``, ``break_end`` (clock
        labels, ``"d2 08:00"`` from the second day; None without a break),
        ``paid_hours`` (hours).
    coverage : pandas.DataFrame
        One row per interval x rostered group: ``interval``, ``start`` (clock label),
        ``group``, ``required``, ``scheduled`` (agents on shift and not on break),
        ``shortfall`` (``max(required - scheduled, 0)``), all in agents.
    headcount : pandas.DataFrame
        One row per group x contract: ``group``, ``contract``, ``agents``,
        ``paid_hours`` (hours), ``overtime_hours`` (hours), ``fte`` (paid hours /
        (``fte_hours`` x weeks in the horizon)), ``cost`` (money).
    cost : float
        Money: the sum of the agents' costs.
    paid_hours : float
        Hours, all agents.
    fte : float
        Full-time equivalents: ``paid_hours / (fte_hours * weeks)``.
    weeks : float
        Days in the horizon / 7.
    days : int
        Clock days in the horizon.
    status : SolverStatus
        ``optimal``, ``time limit``, ``no requirement``, ``no shift can cover the
        requirement`` (no tour fits the rules), or the solver's other termination.
    optimal : bool
        Proven within the requested gap (every group).
    gap : float
        Relative gap of the objective (cost + penalty x shortfall) to the solver's bound.
    objective, bound, penalty : float
        The objective, the solver's bound on it, the penalty per agent-interval short.
    solve_seconds, build_seconds : float
        Wall time of the HiGHS calls and of building the models, seconds.
    n_tours, n_columns : int
        Tours offered, integer variables of the models.
    rules : RosterRules
        The rules the roster follows.
    interval_minutes : int
        The scenario's interval, minutes.

    Examples
    --------
    See :func:`weekly_roster`.
    """

    agents: pd.DataFrame
    shifts: pd.DataFrame
    coverage: pd.DataFrame
    headcount: pd.DataFrame
    cost: float
    paid_hours: float
    fte: float
    weeks: float
    days: int
    status: SolverStatus
    optimal: bool
    gap: float
    objective: float = math.nan
    bound: float = math.nan
    penalty: float = math.nan
    solve_seconds: float = 0.0
    build_seconds: float = 0.0
    n_tours: int = 0
    n_columns: int = 0
    rules: RosterRules = field(default_factory=RosterRules)
    interval_minutes: int = 30

    @property
    def shortfall(self) -> float:
        """Agent-intervals of requirement left uncovered."""
        return float(self.coverage["shortfall"].sum())

    @property
    def status_text(self) -> str:
        """The status as text (for reports)."""
        return str(self.status)

    def staff(self) -> dict[str, npt.NDArray[np.int64]]:
        """Rostered agents on the floor (on shift, not on break) per interval per group.

        Returns
        -------
        dict of str to numpy.ndarray
            ``{group: int array of length horizon}``.
        """
        out: dict[str, npt.NDArray[np.int64]] = {}
        for g, part in self.coverage.groupby("group", sort=False):
            out[str(g)] = part.sort_values("interval")["scheduled"].to_numpy(dtype=np.int64)
        return out

    def summary(self) -> pd.DataFrame:
        """One row per group: ``group``, ``agents``, ``paid_hours`` (hours), ``fte``,
        ``cost`` (money), ``required``, ``scheduled``, ``shortfall`` (agent-intervals) and
        ``short_intervals`` (intervals with any shortfall)."""
        rows = []
        for g, cov in self.coverage.groupby("group", sort=False):
            hc = self.headcount[self.headcount["group"] == g]
            rows.append({
                "group": g,
                "agents": int(hc["agents"].sum()),
                "paid_hours": float(hc["paid_hours"].sum()),
                "fte": float(hc["fte"].sum()),
                "cost": float(hc["cost"].sum()),
                "required": float(cov["required"].sum()),
                "scheduled": int(cov["scheduled"].sum()),
                "shortfall": float(cov["shortfall"].sum()),
                "short_intervals": int((cov["shortfall"] > 0).sum()),
            })
        return pd.DataFrame(rows, columns=["group", "agents", "paid_hours", "fte", "cost", "required",
                                           "scheduled", "shortfall", "short_intervals"])

    def week_view(self) -> pd.DataFrame:
        """Agent x day: each working day's shift as text, ``"08:00-16:00 (12:00)"`` (the
        break's start in brackets), empty on days off.

        Returns
        -------
        pandas.DataFrame
            Columns ``agent``, ``group``, ``contract``, then ``day 1``, ``day 2``, ...
        """
        cols = [f"day {d + 1}" for d in range(self.days)]
        base = self.agents[["agent", "group", "contract"]].copy()
        for c in cols:
            base[c] = ""
        where = {a: i for i, a in enumerate(base["agent"])}
        for r in self.shifts.itertuples(index=False):
            text = f"{_hhmm(r.start_minute, self._start)}-{_hhmm(r.end_minute, self._start)}"
            if not pd.isna(r.break_start_minute):
                text += f" ({_hhmm(int(r.break_start_minute), self._start)})"
            base.iat[where[r.agent], 2 + int(r.day)] = text
        return base

    @property
    def _start(self) -> int:
        """Minutes after midnight of the horizon's first interval (from the labels)."""
        if self.coverage.empty:
            return 0
        first = str(self.coverage["start"].iloc[0])
        hh, mm = first.split()[-1].split(":")
        return int(hh) * 60 + int(mm)

    def statement(self) -> str:
        """The shortfall in words: per group, the agent-intervals (and agent-hours) left
        uncovered and when, or that every interval is covered.

        Returns
        -------
        str
        """
        return shortfall_statement(self.coverage, self.interval_minutes)


def _hhmm(minute_from_start: int, start: int) -> str:
    m = (start + int(minute_from_start)) % DAY_MINUTES
    return f"{m // 60:02d}:{m % 60:02d}"


def shortfall_statement(coverage: pd.DataFrame, interval_minutes: int, max_spans: int = 6) -> str:
    """Per group, the uncovered requirement in agent-intervals, agent-hours and spans.

    Examples
    --------
    >>> cov = pd.DataFrame({"interval": [0, 1, 2, 3], "start": ["08:00", "09:00", "10:00", "11:00"],
    ...                     "group": "a", "required": [2, 2, 1, 1], "scheduled": [1, 1, 1, 0],
    ...                     "shortfall": [1.0, 1.0, 0.0, 1.0]})
    >>> shortfall_statement(cov, 60)
    'shortfall: a 3 agent-intervals (3.0 agent-hours) in 3 intervals: 08:00-10:00, 11:00-12:00'
    >>> shortfall_statement(cov.assign(shortfall=0.0), 60)
    'no shortfall: every interval is covered'
    """
    parts = []
    for g, cov in coverage.groupby("group", sort=False):
        cov = cov.sort_values("interval")
        short = cov["shortfall"].to_numpy(dtype=float)
        if not (short > 1e-9).any():
            continue
        iv = cov["interval"].to_numpy()
        labels = cov["start"].astype(str).to_list()
        spans: list[str] = []
        i = 0
        n = len(short)
        while i < n:
            if short[i] <= 1e-9:
                i += 1
                continue
            j = i
            while j + 1 < n and short[j + 1] > 1e-9 and iv[j + 1] == iv[j] + 1:
                j += 1
            end = labels[j + 1] if j + 1 < n and iv[j + 1] == iv[j] + 1 else _add_minutes(labels[j], interval_minutes)
            spans.append(f"{labels[i]}-{end}")
            i = j + 1
        total = float(short.sum())
        more = f" and {len(spans) - max_spans} more" if len(spans) > max_spans else ""
        parts.append(
            f"{g} {total:g} agent-intervals ({total * interval_minutes / 60:.1f} agent-hours) in"
            f" {int((short > 1e-9).sum())} intervals: {', '.join(spans[:max_spans])}{more}"
        )
    if not parts:
        return "no shortfall: every interval is covered"
    return "shortfall: " + "; ".join(parts)


def _add_minutes(label: str, minutes: int) -> str:
    bits = label.split()
    day = int(bits[0][1:]) if len(bits) == 2 else 1
    hh, mm = bits[-1].split(":")
    total = (day - 1) * DAY_MINUTES + int(hh) * 60 + int(mm) + minutes
    d, rem = divmod(total, DAY_MINUTES)
    text = f"{rem // 60:02d}:{rem % 60:02d}"
    return text if d == 0 else f"d{d + 1} {text}"


# ---------------------------------------------------------------------- the model
@dataclass
class _Solved:
    counts: list[int]  # agents per tour
    starts: dict[tuple[int, int, int, int], int]  # (length, anchor, day, template) -> agents
    breaks: dict[tuple[int, int], int]  # (template, placement) -> agents
    status: SolverStatus
    objective: float | None
    bound: float | None
    build_seconds: float
    solve_seconds: float
    n_columns: int


def _solve_group(
    g: _Group, tours: Sequence[Tour], req: npt.NDArray[np.float64], rules: RosterRules, days: int,
    *, penalty: float, time_limit: float, gap: float, tee: bool,
) -> _Solved:
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    t0 = time.perf_counter()
    m = pyo.ConcreteModel(name="roster")
    nt = len(tours)
    cap = rules.max_headcount.get(g.name)
    m.n = pyo.Var(range(nt), domain=pyo.NonNegativeIntegers, bounds=(0, cap))
    # y: starts of (length, anchor) agents on each day, per template in their window
    ykeys: list[tuple[int, int, int, int]] = []
    classes = sorted({(t.length, t.anchor, t.window) for t in tours})
    for n, k, win in classes:
        for d in range(days):
            for j in g.by_len_day.get((n, d), []):
                if k <= g.clock[j] <= k + win:
                    ykeys.append((n, k, d, j))
    m.y = pyo.Var(range(len(ykeys)), domain=pyo.NonNegativeReals)
    used = sorted({key[3] for key in ykeys})
    jpos = {j: i for i, j in enumerate(used)}
    m.Y = pyo.Var(range(len(used)), domain=pyo.NonNegativeIntegers)
    zkeys = [(j, b) for j in used for b in range(len(g.templates[j].break_offsets))]
    m.z = pyo.Var(range(len(zkeys)), domain=pyo.NonNegativeIntegers)
    need = [int(i) for i in np.flatnonzero(req > 0)]
    upos = {i: p for p, i in enumerate(need)}
    m.u = pyo.Var(range(len(need)), domain=pyo.NonNegativeReals)

    def lin(coefs: list[float], vars_: list[Any]) -> Any:
        return LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=vars_)

    # link: starts of (L, k) on day d = agents of (L, k) tours working day d
    link: dict[tuple[int, int, int], tuple[list[float], list[Any]]] = {}
    for yi, (n, k, d, _j) in enumerate(ykeys):
        coefs, terms = link.setdefault((n, k, d), ([], []))
        coefs.append(1.0)
        terms.append(m.y[yi])
    for ti, tour in enumerate(tours):
        hmask = _horizon_mask(tour.mask, days)
        for d in range(days):
            if (hmask >> d) & 1:
                coefs, terms = link.setdefault((tour.length, tour.anchor, d), ([], []))
                coefs.append(-1.0)
                terms.append(m.n[ti])
    m.link = pyo.ConstraintList()
    for coefs, terms in link.values():
        m.link.add(lin(coefs, terms) == 0)
    # Y[s] = sum_k y[., k, ., s]; sum_b z[s, b] = Y[s]
    ysum: dict[int, list[Any]] = {}
    for yi, key in enumerate(ykeys):
        ysum.setdefault(key[3], []).append(m.y[yi])
    m.ydef = pyo.ConstraintList()
    for j, vs in ysum.items():
        m.ydef.add(lin([1.0] * len(vs) + [-1.0], [*vs, m.Y[jpos[j]]]) == 0)
    zof: dict[int, list[Any]] = {}
    for zi, (j, _b) in enumerate(zkeys):
        zof.setdefault(j, []).append(m.z[zi])
    m.brk = pyo.ConstraintList()
    for j, vs in zof.items():
        m.brk.add(lin([1.0] * len(vs) + [-1.0], [*vs, m.Y[jpos[j]]]) == 0)
    # coverage
    rows: dict[int, tuple[list[float], list[Any]]] = {i: ([], []) for i in need}
    for j in used:
        t = g.templates[j]
        for i in range(t.start, t.end):
            if i in rows:
                rows[i][0].append(1.0)
                rows[i][1].append(m.Y[jpos[j]])
    for zi, (j, b) in enumerate(zkeys):
        t = g.templates[j]
        b0 = t.start + t.break_offsets[b]
        for i in range(b0, b0 + t.break_length):
            if i in rows:
                rows[i][0].append(-1.0)
                rows[i][1].append(m.z[zi])
    m.cover = pyo.ConstraintList()
    for i in need:
        coefs, terms = rows[i]
        m.cover.add(lin([*coefs, 1.0], [*terms, m.u[upos[i]]]) >= float(req[i]))
    # headcount per day (the shift rule's max_agents) and contract shares
    m.other = pyo.ConstraintList()
    if cap is not None:
        m.other.add(lin([1.0] * nt, [m.n[ti] for ti in range(nt)]) <= cap)
    if g.rule.max_agents is not None:
        for d in range(days):
            js = [jpos[j] for j in used if g.templates[j].day == d]
            if js:
                m.other.add(lin([1.0] * len(js), [m.Y[p] for p in js]) <= g.rule.max_agents)
    for cname, contract in rules.contracts.items():
        mine = [ti for ti, tour in enumerate(tours) if tour.contract == cname]
        if contract.min_share > 0:
            coefs = [(1.0 if tour.contract == cname else 0.0) - contract.min_share for tour in tours]
            m.other.add(lin(coefs, [m.n[ti] for ti in range(nt)]) >= 0)
        if contract.max_share < 1 and mine:
            coefs = [(1.0 if tour.contract == cname else 0.0) - contract.max_share for tour in tours]
            m.other.add(lin(coefs, [m.n[ti] for ti in range(nt)]) <= 0)
    m.cost = pyo.Objective(
        expr=lin([tour.cost for tour in tours] + [penalty] * len(need),
                 [m.n[ti] for ti in range(nt)] + [m.u[p] for p in range(len(need))]),
        sense=pyo.minimize,
    )
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    # the start (a roster that keeps every rule, whatever happens next): whole tours by
    # LP rounding, completed greedily
    dived = _lp_dive(m, [m.n, m.Y, m.z], m.n, time_limit=time_limit / 3)
    forced: list[int] = []
    if dived is not None:
        for ti in sorted(range(nt), key=lambda ti: -dived[ti]):
            forced.extend([ti] * dived[ti])
    start = _greedy_start(g, tours, req, rules, days, cap, penalty, forced)
    start_objective = _load_start(m, start, ykeys, used, jpos, zkeys, need, upos, req, g)
    if dived is not None:
        # the starts and breaks of the LP's tours, by HiGHS with the tours fixed
        for ti in range(nt):
            m.n[ti].fix(dived[ti])
        left = max(time_limit - (time.perf_counter() - t1), 0.05)
        fixed = run_highs(m, time_limit=left / 4, gap=gap, tee=tee, warmstart=False)
        for ti in range(nt):
            m.n[ti].unfix()
        if fixed.objective is not None and fixed.objective < start_objective - 1e-9:
            Yint = {j: int(round(pyo.value(m.Y[jpos[j]]) or 0.0)) for j in used}
            zint = {zkey: int(round(pyo.value(m.z[zi]) or 0.0)) for zi, zkey in enumerate(zkeys)}
            start = _Solved(list(dived), _integral_starts(g, tours, dived, Yint, days),
                            {k: v for k, v in zint.items() if v}, SolverStatus.TIME_LIMIT, None, None, 0.0, 0.0, 0)
        start_objective = _load_start(m, start, ykeys, used, jpos, zkeys, need, upos, req, g)
    left = max(time_limit - (time.perf_counter() - t1), 0.05)
    run = run_highs(m, time_limit=left, gap=gap, tee=tee, warmstart=True)
    evaluated = float(pyo.value(m.cost)) if run.objective is not None else math.nan
    n_int = nt + len(used) + len(zkeys)
    if (run.objective is None or abs(run.objective - evaluated) > 1e-6 * max(1.0, abs(evaluated))
            or evaluated > start_objective + 1e-6 * max(1.0, abs(start_objective))):
        # no plan in time (or one whose reported objective is not its own, as HiGHS
        # 1.16.0 can return its start): the greedy start stands
        status = SolverStatus.TIME_LIMIT if run.objective is None else run.status
        return _Solved(start.counts, start.starts, start.breaks, status, start_objective, run.bound, build_s,
                       time.perf_counter() - t1, n_int)
    solve_s = time.perf_counter() - t1
    counts = [int(round(pyo.value(m.n[ti]) or 0.0)) for ti in range(nt)]
    Yint = {j: int(round(pyo.value(m.Y[jpos[j]]) or 0.0)) for j in used}
    starts = _integral_starts(g, tours, counts, Yint, days)
    breaks: dict[tuple[int, int], int] = {}
    for zi, zkey in enumerate(zkeys):
        value = int(round(pyo.value(m.z[zi]) or 0.0))
        if value:
            breaks[zkey] = value
    return _Solved(counts, starts, breaks, run.status, run.objective, run.bound, build_s, solve_s, n_int)


def _integral_starts(g: _Group, tours: Sequence[Tour], counts: Sequence[int], Y: Mapping[int, int], days: int
                     ) -> dict[tuple[int, int, int, int], int]:
    """Whole agents per (length, earliest start, day, template) from the agents per tour
    and per template.

    The model's ``y`` are continuous: the agents of each (length, earliest start) class
    working a day (whole, from the tours) are spread over the templates of their windows
    (whole, ``Y``) as a transportation problem whose windows are intervals of start
    times. Templates in start order, each taking the agents whose window closes first,
    find whole numbers whenever any split exists (earliest deadline first).

    Examples
    --------
    Two classes, windows 08:00-09:00 and 09:00-10:00, one agent each; one agent starts at
    09:00 and one at 10:00:

    >>> ts = [ShiftTemplate("a", s, 4, (), 0, False, 4.0, 4.0, 0) for s in (8, 9, 10)]
    >>> gd = _Group("a", ShiftRule(), ts, [480, 540, 600], {(4, 0): [0, 1, 2]}, {4: 4.0})
    >>> tours = [Tour("c", 1, 4, 480, 60, 4, 4, 0, 1, 4), Tour("c", 1, 4, 540, 60, 4, 4, 0, 1, 4)]
    >>> _integral_starts(gd, tours, [1, 1], {1: 1, 2: 1}, 1)
    {(4, 480, 0, 1): 1, (4, 540, 0, 2): 1}
    """
    workers: dict[tuple[int, int, int], int] = {}
    window: dict[tuple[int, int], int] = {}
    for t, c in zip(tours, counts, strict=True):
        if not c:
            continue
        window[(t.length, t.anchor)] = t.window
        for d in range(days):
            if (t.mask >> (d % 7)) & 1:
                key = (t.length, t.anchor, d)
                workers[key] = workers.get(key, 0) + c
    out: dict[tuple[int, int, int, int], int] = {}
    for n, d in sorted({(n, d) for n, _k, d in workers}):
        left = {k: v for (nn, k, dd), v in workers.items() if nn == n and dd == d}
        for j in sorted(g.by_len_day.get((n, d), []), key=lambda j: g.clock[j]):
            need = Y.get(j, 0)
            while need > 0:
                open_ = [k for k, v in left.items() if v > 0 and k <= g.clock[j] <= k + window[(n, k)]]
                if not open_:
                    break
                k = min(open_, key=lambda k: k + window[(n, k)])
                take = min(need, left[k])
                out[(n, k, d, j)] = out.get((n, k, d, j), 0) + take
                left[k] -= take
                need -= take
    return out


# ---------------------------------------------------------------------- the start
def _load_start(
    m: Any, start: _Solved, ykeys: Sequence[tuple[int, int, int, int]], used: Sequence[int], jpos: Mapping[int, int],
    zkeys: Sequence[tuple[int, int]], need: Sequence[int], upos: Mapping[int, int], req: npt.NDArray[np.float64],
    g: _Group,
) -> float:
    """Set the model's variables to the plan ``start``; its objective."""
    import pyomo.environ as pyo

    for ti, count in enumerate(start.counts):
        m.n[ti].set_value(count)
    for yi, key in enumerate(ykeys):
        m.y[yi].set_value(start.starts.get(key, 0))
    Yv = {j: 0 for j in used}
    for skey, count in start.starts.items():
        Yv[skey[3]] += count
    for j in used:
        m.Y[jpos[j]].set_value(Yv[j])
    for zi, zkey in enumerate(zkeys):
        m.z[zi].set_value(start.breaks.get(zkey, 0))
    cover = _coverage(g, Yv, start.breaks, len(req))
    for i in need:
        m.u[upos[i]].set_value(max(float(req[i]) - cover[i], 0.0))
    return float(pyo.value(m.cost))


def _lp_dive(model: Any, integer_vars: Sequence[Any], n: Any, *, time_limit: float) -> list[int] | None:
    """Whole agents per tour by LP rounding: solve the LP relaxation, raise the lower
    bound of every tour at or above half an agent to its value rounded up (the largest
    fraction when none is), solve again, until the LP's tours are whole or time runs
    out. Returns the tours' values rounded down (None without any LP solution); the
    model's domains and bounds are restored.

    One persistent HiGHS instance re-solves after each change of bounds (warm, from the
    last basis).
    """
    import pyomo.environ as pyo

    t0 = time.perf_counter()
    saved = [(v, v.domain, v.lb) for comp in integer_vars for v in comp.values()]
    for v, _dom, _lb in saved:
        v.domain = pyo.NonNegativeReals
    keys = sorted(n.keys())
    out: list[int] | None = None
    try:
        opt = pyo.SolverFactory("appsi_highs")
        for _ in range(50):
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0.01:
                break
            res = opt.solve(model, load_solutions=False, timelimit=float(left))
            if SolverStatus.from_termination(str(res.solver.termination_message)) is not SolverStatus.OPTIMAL:
                break  # an LP stopped early is no LP solution
            opt.load_vars()
            vals = [float(n[i].value or 0.0) for i in keys]
            out = [int(math.floor(v + 1e-6)) for v in vals]
            frac = [v - f for v, f in zip(vals, out, strict=True)]
            if max(frac, default=0.0) <= 1e-6:
                break
            up = [i for i, f in enumerate(frac) if f >= 0.5 - 1e-9] or [int(np.argmax(frac))]
            for i in up:
                n[keys[i]].setlb(out[i] + 1)
    finally:
        for v, dom, lb in saved:
            v.domain = dom
            v.setlb(lb)
    return out


def _coverage(g: _Group, Y: Mapping[int, int], breaks: Mapping[tuple[int, int], int], horizon: int
              ) -> npt.NDArray[np.float64]:
    """Agents on the floor per interval from agents per template and per break placement."""
    cov = np.zeros(horizon)
    for j, v in Y.items():
        if v:
            t = g.templates[j]
            cov[t.start:t.end] += v
    for (j, b), v in breaks.items():
        if v:
            t = g.templates[j]
            b0 = t.start + t.break_offsets[b]
            cov[b0:b0 + t.break_length] -= v
    return cov


def _greedy_start(
    g: _Group, tours: Sequence[Tour], req: npt.NDArray[np.float64], rules: RosterRules, days: int,
    cap: int | None, penalty: float, forced: Sequence[int] = (),
) -> _Solved:
    """A roster that keeps every rule, built greedily: first the agents of ``forced``
    (tour indices: the LP relaxation's tours, rounded), then, while some tour removes
    shortfall for less than its penalty, the agent whose tour costs least per
    agent-interval of shortfall it removes; each working day on the start of its window,
    and the break, that remove the most; as long as the headcount and the rule's
    ``max_agents`` allow. Then agents nobody misses are taken away, and agents until the
    contract shares hold. HiGHS starts from it, and it stands when HiGHS finds nothing
    better in time.

    Examples
    --------
    One agent needed 08:00-12:00 on one day, 4-hour shifts from 08:00:

    >>> import numpy as np
    >>> t = ShiftTemplate("a", 8, 4, (), 0, False, 4.0, 4.0, 0)
    >>> gd = _Group("a", ShiftRule(), [t], [480], {(4, 0): [0]}, {4: 4.0})
    >>> tour = Tour("pt", 1, 4, 480, 120, 4.0, 4.0, 0.0, 1.0, 4.0)
    >>> req = np.zeros(24); req[8:12] = 1
    >>> sol = _greedy_start(gd, [tour], req, RosterRules(contracts={"pt": {"min_days": 1}}), 1, None, 10.0)
    >>> sol.counts, sol.starts
    ([1], {(4, 480, 0, 0): 1})
    """
    nt = len(tours)
    resid = np.asarray(req, dtype=float).copy()
    classes = sorted({(t.length, t.anchor, t.window) for t in tours})
    cpos = {(n, k): i for i, (n, k, _w) in enumerate(classes)}
    # per class and day, the templates of the window (padded with -1)
    cand: list[list[list[int]]] = []
    for n, k, win in classes:
        cand.append([[j for j in g.by_len_day.get((n, d), []) if k <= g.clock[j] <= k + win]
                     for d in range(days)])
    width = max((len(js) for per in cand for js in per), default=1) or 1
    idx = np.full((len(classes), days, width), -1, dtype=np.int64)
    for c, per in enumerate(cand):
        for d, js in enumerate(per):
            idx[c, d, :len(js)] = js
    J = len(g.templates)
    t_start = np.array([t.start for t in g.templates], dtype=np.int64)
    t_end = np.array([t.end for t in g.templates], dtype=np.int64)
    tclass = np.array([cpos[(t.length, t.anchor)] for t in tours], dtype=np.int64)
    tdays = np.array([[(t.mask >> (d % 7)) & 1 for d in range(days)] for t in tours], dtype=float)
    tcost = np.array([t.cost for t in tours])
    contracts = list(rules.contracts)
    tcon = np.array([contracts.index(t.contract) for t in tours], dtype=np.int64)
    counts = [0] * nt
    by = np.zeros(len(contracts), dtype=np.int64)
    per_day = np.zeros(days, dtype=np.int64)
    placed: list[tuple[int, list[tuple[int, int, int | None]]]] = []  # (tour, [(day, template, break)])
    lo_share = np.array([rules.contracts[c].min_share for c in contracts])
    hi_share = np.array([rules.contracts[c].max_share for c in contracts])
    day_cap = g.rule.max_agents
    limit = cap if cap is not None else 100_000
    for step in range(limit + len(forced)):
        if sum(counts) >= limit:
            break
        gainv = np.clip(resid, 0.0, 1.0)
        pre = np.concatenate([[0.0], np.cumsum(gainv)])
        full = pre[t_end] - pre[t_start] if J else np.zeros(0)
        # the break that costs the least coverage, per template
        brk_loss = np.zeros(J)
        brk_best = np.zeros(J, dtype=np.int64)
        for j, t in enumerate(g.templates):
            if t.break_offsets:
                bstarts = t.start + np.asarray(t.break_offsets)
                loss = pre[bstarts + t.break_length] - pre[bstarts]
                brk_best[j] = int(np.argmin(loss))
                brk_loss[j] = float(loss[brk_best[j]])
        gain = np.append(full - brk_loss, -np.inf)  # index -1: no template
        best = gain[idx].max(axis=2)  # class x day
        best_j = np.take_along_axis(idx, gain[idx].argmax(axis=2)[..., None], axis=2)[..., 0]
        tgain = (tdays * np.where(np.isfinite(best), best, 0.0)[tclass]).sum(axis=1)
        # contracts an agent may be added to without moving the shares further from their
        # bounds (with shares that hold: without breaking one)
        now = _share_violation(by, lo_share, hi_share)
        ok_con = np.array([
            _share_violation(by + np.eye(len(contracts), dtype=np.int64)[c], lo_share, hi_share) <= now + 1e-9
            for c in range(len(contracts))
        ])
        room: npt.NDArray[np.bool_] = np.ones(nt, dtype=bool)
        if day_cap is not None:
            room = np.asarray(~((tdays > 0) & (per_day[None, :] >= day_cap)).any(axis=1), dtype=bool)
        if step < len(forced):
            ti = int(forced[step])
            if not room[ti]:
                continue
        else:
            ok = room & ok_con[tcon] & (tgain > 1e-9) & (tcost < penalty * tgain)
            if not ok.any():
                break
            ratio = np.where(ok, tcost / np.maximum(tgain, 1e-12), np.inf)
            ti = int(np.argmin(ratio))
        counts[ti] += 1
        by[tcon[ti]] += 1
        cls = int(tclass[ti])
        shifts: list[tuple[int, int, int | None]] = []
        for d in range(days):
            if not tdays[ti, d]:
                continue
            j = int(best_j[cls, d])
            per_day[d] += 1
            b = int(brk_best[j]) if g.templates[j].break_offsets else None
            shifts.append((d, j, b))
            resid -= _floor_of(g.templates[j], b, len(resid))
        placed.append((ti, shifts))
    # take away agents nobody misses (greedy leftovers), last added first, then agents
    # of other contracts while a contract is below its minimum share
    for k in range(len(placed) - 1, -1, -1):
        ti, shifts = placed[k]
        on = sum(_floor_of(g.templates[j], b, len(resid)) for _d, j, b in shifts)
        trial = list(counts)
        trial[ti] -= 1
        if np.all(resid[on > 0] <= -1 + 1e-9) and _shares_ok(trial, tours, rules):
            counts = trial
            resid += on
            placed.pop(k)
    while not _shares_ok(counts, tours, rules):
        total = sum(counts)
        mine = {name: sum(c for c, t in zip(counts, tours, strict=True) if t.contract == name) for name in contracts}
        high = [name for name in contracts if mine[name] > rules.contracts[name].max_share * total + 1e-9]
        low = [name for name in contracts if mine[name] < rules.contracts[name].min_share * total - 1e-9]
        drop = next((i for i in range(len(placed) - 1, -1, -1)
                     if (tours[placed[i][0]].contract in high)
                     or (not high and tours[placed[i][0]].contract not in low)), None)
        if drop is None:
            return _Solved([0] * nt, {}, {}, SolverStatus.TIME_LIMIT, None, None, 0.0, 0.0, 0)
        counts[placed[drop][0]] -= 1
        placed.pop(drop)
    starts: dict[tuple[int, int, int, int], int] = {}
    breaks: dict[tuple[int, int], int] = {}
    for ti, shifts in placed:
        for d, j, b in shifts:
            key = (tours[ti].length, tours[ti].anchor, d, j)
            starts[key] = starts.get(key, 0) + 1
            if b is not None:
                breaks[(j, b)] = breaks.get((j, b), 0) + 1
    return _Solved(counts, starts, breaks, SolverStatus.TIME_LIMIT, None, None, 0.0, 0.0, 0)


def _floor_of(t: ShiftTemplate, b: int | None, horizon: int) -> npt.NDArray[np.float64]:
    """1 in the intervals an agent on template ``t`` with break placement ``b`` is on the
    floor, 0 elsewhere."""
    on = np.zeros(horizon)
    on[t.start:t.end] = 1.0
    if b is not None:
        b0 = t.start + t.break_offsets[b]
        on[b0:b0 + t.break_length] = 0.0
    return on


def _share_violation(by: npt.NDArray[np.int64], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> float:
    """Agents by which contract counts ``by`` miss their share bounds (0 when they hold)."""
    total = float(by.sum())
    return float(np.maximum(lo * total - by, 0.0).sum() + np.maximum(by - hi * total, 0.0).sum())


def _shares_ok(counts: Sequence[int], tours: Sequence[Tour], rules: RosterRules) -> bool:
    total = sum(counts)
    by: dict[str, int] = {}
    for c, t in zip(counts, tours, strict=True):
        by[t.contract] = by.get(t.contract, 0) + c
    return all(
        c.min_share * total - 1e-9 <= by.get(name, 0) <= c.max_share * total + 1e-9
        for name, c in rules.contracts.items()
    )


# ---------------------------------------------------------------------- agents
@dataclass
class _Agent:
    name: str
    group: str
    tour: Tour
    shifts: list[tuple[int, int, int | None]] = field(default_factory=list)  # (day, template, placement)


def _assign(g: _Group, tours: Sequence[Tour], counts: Sequence[int], sol: _Solved, days: int) -> list[_Agent]:
    """Agents from the tour counts (in tour order), their starts and breaks from the
    model's counts."""
    agents: list[_Agent] = []
    for ti, t in enumerate(tours):
        for _ in range(counts[ti]):
            agents.append(_Agent("", g.name, t))
    rank = {id(a): i for i, a in enumerate(agents)}
    by_class: dict[tuple[int, int], list[_Agent]] = {}
    for a in agents:
        by_class.setdefault((a.tour.length, a.tour.anchor), []).append(a)
    # starts per (length, anchor, day), as template indices in start order
    starts: dict[tuple[int, int, int], list[int]] = {}
    for (n, k, d, j), v in sorted(sol.starts.items(), key=lambda kv: (kv[0][:3], g.templates[kv[0][3]].start)):
        starts.setdefault((n, k, d), []).extend([j] * v)
    on_template: dict[int, list[_Agent]] = {}
    for (n, k), members in by_class.items():
        last: dict[int, int] = {id(a): k for a in members}
        for d in range(days):
            workers = [a for a in members if (a.tour.mask >> (d % 7)) & 1]
            if not workers:
                continue
            js = list(starts.get((n, k, d), []))
            cands = [j for j in g.by_len_day.get((n, d), []) if k <= g.clock[j] <= k + members[0].tour.window]
            # the model's counts match; a rounding slip is repaired inside the window
            while len(js) < len(workers):
                js.append(cands[0])
            js = sorted(js[:len(workers)], key=lambda j: g.templates[j].start)
            workers.sort(key=lambda a: (last[id(a)], rank[id(a)]))
            for a, j in zip(workers, js, strict=True):
                a.shifts.append((d, j, None))
                last[id(a)] = g.clock[j]
                on_template.setdefault(j, []).append(a)
    # breaks: the model's placement counts per template, in agent order
    for j, members in on_template.items():
        tmpl = g.templates[j]
        if not tmpl.break_offsets:
            continue
        places: list[int] = []
        for b in range(len(tmpl.break_offsets)):
            places.extend([b] * sol.breaks.get((j, b), 0))
        while len(places) < len(members):
            places.append(len(tmpl.break_offsets) // 2)
        places = places[:len(members)]
        for a, b in zip(members, places, strict=True):
            for s, (d, jj, _p) in enumerate(a.shifts):
                if jj == j:
                    a.shifts[s] = (d, jj, b)
    return agents


# ---------------------------------------------------------------------- weekly_roster()
def weekly_roster(
    scenario: Scenario,
    requirements: RequirementInput | None = None,
    *,
    roster_rules: RosterRules | Mapping[str, Any] | None = None,
    rules: RuleInput | None = None,
    time_limit: float = 60.0,
    gap: float = 0.01,
    shortfall_penalty: float | None = None,
    tee: bool = False,
) -> Roster:
    """A weekly roster that covers each group's requirement at least cost.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon (one or more clock days), the interval, the groups and
        (``shifts:``) the shifts each group may work.
    requirements : DataFrame or mapping, optional
        Agents needed per interval per group, as :func:`wfm.scheduling.schedule` takes
        it; default :func:`wfm.staffing.requirements` of the scenario.
    roster_rules : RosterRules or mapping, optional
        Contracts, wages, rest, days off, start window, headcounts (keyword only; see
        :mod:`wfm.scheduling.contracts`). Default :class:`RosterRules` ().
    rules : mapping of group name to ShiftRule or dict, optional
        Shift rules replacing the scenario's for these groups (keyword only).
    time_limit : float, default 60
        Solver time limit, seconds, shared among the groups (keyword only).
    gap : float, default 0.01
        Relative MIP gap at which HiGHS stops (keyword only).
    shortfall_penalty : float, optional
        Money per agent-interval of uncovered requirement, > 0. Default: twice the
        dearest tour of the group (keyword only).
    tee : bool, default False
        Show the solver's log (keyword only).

    Returns
    -------
    Roster
        Agents, shifts, coverage, headcount by contract, cost, paid hours, FTE and how
        the solver fared. An impossible requirement (too few agents allowed, rules no
        pattern can meet) is left as shortfall: see :meth:`Roster.statement`.

    Raises
    ------
    InputError
        For bad roster rules (named ``roster.<key>``) or rules that name no group.
    ScenarioError
        For a bad shift rule (``shifts.<group>.<field>``).
    ValueError
        For a bad requirement, ``time_limit``, ``gap`` or ``shortfall_penalty``.
    TypeError
        For a scenario that is not a :class:`wfm.Scenario`.

    Examples
    --------
    See the module docstring; a headcount that cannot cover the requirement:

    >>> import wfm
    >>> sc = wfm.Scenario.from_dict({
    ...     "interval_minutes": 60,
    ...     "channels": {"phone": {"kind": "voice", "volume": [0] * 24, "aht": 300,
    ...                            "target": {"answer_within": 20, "service_level": 0.8}}},
    ...     "agents": [{"group": "a", "skills": ["phone"], "staff": 0}],
    ...     "shifts": {"a": {"starts": ["08:00"], "lengths_hours": [4], "break": {"minutes": 0}}}})
    >>> r = weekly_roster(sc, {"a": [0] * 8 + [3] * 4 + [0] * 12},
    ...                   roster_rules={"contracts": {"pt": {"min_days": 1}}, "max_headcount": {"a": 2}})
    >>> len(r.agents), r.shortfall
    (2, 4.0)
    >>> r.statement()
    'shortfall: a 4 agent-intervals (4.0 agent-hours) in 4 intervals: 08:00-12:00'
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    if not (isinstance(time_limit, int | float) and not isinstance(time_limit, bool) and time_limit > 0
            and math.isfinite(time_limit)):
        raise ValueError(f"time_limit must be a number of seconds > 0 (got {time_limit!r})")
    if not (isinstance(gap, int | float) and not isinstance(gap, bool) and 0 <= gap < 1):
        raise ValueError(f"gap must be in [0, 1) (got {gap!r})")
    if shortfall_penalty is not None and not (
        isinstance(shortfall_penalty, int | float) and math.isfinite(shortfall_penalty) and shortfall_penalty > 0
    ):
        raise ValueError(f"shortfall_penalty must be a number > 0 (got {shortfall_penalty!r})")
    rr = _roster_rules(roster_rules)
    problems = rules_problems(rr, scenario)
    if problems:
        raise InputError(problems)
    for g, cap in rr.max_headcount.items():
        limits.check(f"roster.max_headcount.{g}", cap, "max_agents")
    rule_map = shift_rules(scenario, rules)
    req = group_requirements(scenario, requirements)
    t0 = time.perf_counter()
    lm = scenario.interval_minutes
    days = horizon_days(scenario)
    groups = [g for g in scenario.group_names if rr.groups is None or g in rr.groups]
    templates = build_templates(scenario, rule_map)
    label = clock_labeler(scenario)
    order = {c: i for i, c in enumerate(rr.contracts)}
    agent_rows: list[dict[str, Any]] = []
    shift_rows: list[dict[str, Any]] = []
    cov_frames: list[pd.DataFrame] = []
    statuses: list[SolverStatus] = []
    obj_sum = bound_sum = 0.0
    build_s = solve_s = 0.0
    n_tours = n_cols = 0
    all_found = True
    penalties: list[float] = []
    for gi, g in enumerate(groups):
        gdata = _group_data(scenario, g, rule_map[g], [t for t in templates if t.group == g])
        tours = _tours(gdata, rr, days, lm)
        tours.sort(key=lambda t: (order[t.contract], t.anchor, t.length, t.mask))
        n_tours += len(tours)
        r = req[g]
        pen = float(shortfall_penalty) if shortfall_penalty is not None else 2.0 * max(
            (t.cost for t in tours), default=1.0)
        penalties.append(pen)
        if not (r > 0).any():
            sol = _Solved([0] * len(tours), {}, {}, SolverStatus.NO_REQUIREMENT, 0.0, 0.0, 0.0, 0.0, 0)
        elif not tours:
            short = float(r.sum()) * pen
            sol = _Solved([], {}, {}, SolverStatus.NO_SHIFT, short, short, 0.0, 0.0, 0)
        else:
            left = max(time_limit - (time.perf_counter() - t0), 0.05)
            sol = _solve_group(gdata, tours, r, rr, days, penalty=pen,
                               time_limit=left / (len(groups) - gi), gap=gap, tee=tee)
        statuses.append(sol.status)
        build_s += sol.build_seconds
        solve_s += sol.solve_seconds
        n_cols += sol.n_columns
        if sol.objective is None:
            all_found = False
            sol.counts = [0] * len(tours)
        else:
            obj_sum += sol.objective
        bound_sum += sol.bound if sol.bound is not None else -math.inf
        agents = _assign(gdata, tours, sol.counts, sol, days)
        width = len(str(len(agents)))
        on = np.zeros(scenario.horizon, dtype=np.int64)
        for num, a in enumerate(agents, start=1):
            a.name = f"{g}-{num:0{width}d}"
            c: Contract = rr.contracts[a.tour.contract]
            week_hours: dict[int, float] = {}
            starts_clock = []
            for d, j, b in sorted(a.shifts):
                t = gdata.templates[j]
                on[t.start:t.end] += 1
                bs = be = None
                if b is not None:
                    bs = t.start + t.break_offsets[b]
                    be = bs + t.break_length
                    on[bs:be] -= 1
                week_hours[d // 7] = week_hours.get(d // 7, 0.0) + t.paid_hours
                starts_clock.append(gdata.clock[j])
                shift_rows.append({
                    "agent": a.name, "group": g, "contract": a.tour.contract, "day": d + 1,
                    "start_interval": t.start, "end_interval": t.end,
                    "start_minute": t.start * lm, "end_minute": t.end * lm,
                    "break_start_minute": bs * lm if bs is not None else None,
                    "break_end_minute": be * lm if be is not None else None,
                    "start": label(t.start), "end": label(t.end),
                    "break_start": label(bs) if bs is not None else None,
                    "break_end": label(be) if be is not None else None,
                    "paid_hours": t.paid_hours,
                })
            hours = sum(week_hours.values())
            ot = sum(max(h - c.overtime_after_hours, 0.0) for h in week_hours.values()) \
                if c.overtime_after_hours is not None else 0.0
            agent_rows.append({
                "agent": a.name, "group": g, "contract": a.tour.contract,
                "pattern": pattern_text(a.tour.mask), "days": len(a.shifts),
                "length_hours": a.tour.length * lm / 60,
                "first_start": _clock_text(min(starts_clock)) if starts_clock else None,
                "last_start": _clock_text(max(starts_clock)) if starts_clock else None,
                "paid_hours": hours, "overtime_hours": ot, "wage_per_hour": a.tour.wage,
                "cost": a.tour.wage * (hours + c.overtime_premium * ot),
            })
        cov_frames.append(pd.DataFrame({
            "interval": np.arange(scenario.horizon), "start": [label(i) for i in range(scenario.horizon)],
            "group": g, "required": r, "scheduled": on,
            "shortfall": np.maximum(r - on, 0.0),
        }))
    agents_df = pd.DataFrame(agent_rows, columns=AGENT_COLUMNS)
    shifts_df = pd.DataFrame(shift_rows, columns=ROSTER_SHIFT_COLUMNS)
    for col in ("break_start_minute", "break_end_minute"):
        shifts_df[col] = shifts_df[col].astype("Int64")
    for col in ("break_start", "break_end"):  # None without a break (not NaN)
        shifts_df[col] = pd.Series([row[col] for row in shift_rows], index=shifts_df.index, dtype=object)
    coverage = pd.concat(cov_frames, ignore_index=True) if cov_frames else pd.DataFrame(
        columns=["interval", "start", "group", "required", "scheduled", "shortfall"])
    weeks = days / 7
    hc_rows = []
    for g in groups:
        for cname in rr.contracts:
            part = agents_df[(agents_df["group"] == g) & (agents_df["contract"] == cname)]
            paid = float(part["paid_hours"].sum())
            hc_rows.append({"group": g, "contract": cname, "agents": len(part), "paid_hours": paid,
                            "overtime_hours": float(part["overtime_hours"].sum()),
                            "fte": paid / (rr.fte_hours * weeks), "cost": float(part["cost"].sum())})
    headcount = pd.DataFrame(hc_rows, columns=["group", "contract", "agents", "paid_hours", "overtime_hours",
                                               "fte", "cost"])
    status = _combine(statuses)
    rel_gap = relative_gap(obj_sum, bound_sum) if all_found else math.inf
    optimal = bool(all_found and all(s in (SolverStatus.OPTIMAL, SolverStatus.NO_REQUIREMENT, SolverStatus.NO_SHIFT)
                                     for s in statuses) and rel_gap <= gap + 1e-9)
    paid_total = float(agents_df["paid_hours"].sum())
    return Roster(
        agents=agents_df, shifts=shifts_df, coverage=coverage, headcount=headcount,
        cost=float(agents_df["cost"].sum()), paid_hours=paid_total, fte=paid_total / (rr.fte_hours * weeks),
        weeks=weeks, days=days, status=status, optimal=optimal, gap=rel_gap, objective=obj_sum,
        bound=bound_sum, penalty=max(penalties, default=math.nan), solve_seconds=solve_s,
        build_seconds=build_s, n_tours=n_tours, n_columns=n_cols, rules=rr, interval_minutes=lm,
    )


def _combine(statuses: Sequence[SolverStatus]) -> SolverStatus:
    """The roster's status from its groups': groups with nothing to solve (no
    requirement, no tour) count as optimal when another group was solved."""
    solved = [s for s in statuses if s not in (SolverStatus.NO_REQUIREMENT, SolverStatus.NO_SHIFT)]
    if solved:
        return SolverStatus.combine(solved)
    if SolverStatus.NO_SHIFT in statuses:
        return SolverStatus.NO_SHIFT
    return SolverStatus.NO_REQUIREMENT


def _clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"

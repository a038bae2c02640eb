"""Shift rules and shift templates: which shifts a group may work.

A :class:`wfm.ShiftRule` per group (from ``rules``, the scenario's ``shifts:`` section or
the defaults) is expanded into :class:`ShiftTemplate` s: one start interval and one length
each, with the break placements the rule allows. See ``docs/guides/scenario-format.md``
(the keys) and ``docs/guides/planning.md`` (the model).

Examples
--------
>>> import wfm
>>> from wfm.scheduling import shift_templates
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> tpl = shift_templates(sc, {"voice": {"starts": ["08:00", "12:00"], "lengths_hours": [4, 8]}})
>>> tpl[tpl["group"] == "voice"][["start", "end", "paid_hours", "cost", "break_placements"]]
   start    end  paid_hours  cost  break_placements
0  08:00  12:00         4.0   4.0                 0
1  12:00  16:00         4.0   4.0                 0
2  08:00  16:00         7.5   7.5                 7
3  12:00  20:00         7.5   7.5                 7
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd
from pydantic import ValidationError

from wfm.scenario import (
    LimitError,
    Scenario,
    ScenarioError,
    ShiftRule,
    parse_clock,
    pydantic_problems,
    shift_rule_problems,
)

__all__ = [
    "DAY_MINUTES",
    "RuleInput",
    "ShiftTemplate",
    "break_offsets",
    "build_templates",
    "clock_labeler",
    "default_rule",
    "shift_rules",
    "shift_templates",
    "start_minutes",
]

DAY_MINUTES = 24 * 60
"""Minutes in a clock day."""

RuleInput: TypeAlias = Mapping[str, ShiftRule | Mapping[str, Any]]
"""Shift rules per group name: a :class:`wfm.ShiftRule` or a mapping of its fields."""


@dataclass(frozen=True)
class ShiftTemplate:
    """One shift template of one group.

    Attributes
    ----------
    group : str
        The agent group's name.
    start : int
        Interval index of the first interval worked.
    length : int
        Length in intervals, break included.
    break_offsets : tuple of int
        Allowed break starts, in intervals after ``start``; empty when the shift has no
        break.
    break_length : int
        Break length in intervals (0 when no break).
    paid_break : bool
        True when the shift has a break and the break is paid.
    cost : float
        Cost of one agent on this shift (``cost_per_hour`` x paid hours).
    paid_hours : float
        Paid hours of one agent on this shift, hours.
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


def shift_rules(scenario: Scenario, rules: RuleInput | None = None) -> dict[str, ShiftRule]:
    """The shift rule of every group.

    Parameters
    ----------
    scenario : Scenario
        Gives the groups, the interval and the ``shifts:`` section.
    rules : mapping of group name to ShiftRule or dict, optional
        Rules that replace the scenario's for these groups; a dict is validated as a
        :class:`wfm.ShiftRule` (same keys as the ``shifts:`` section).

    Returns
    -------
    dict of str to ShiftRule
        For every group, in the scenario's group order after those in ``rules``: the
        rule from ``rules``, else from the scenario's ``shifts:`` section, else the
        defaults (:func:`default_rule`).

    Raises
    ------
    ScenarioError
        For a rule that names no group or has a bad field (the message names
        ``shifts.<group>.<field>``, the value and the problem).
    LimitError
        For a rule field beyond a limit of :mod:`wfm.limits`.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> rules = shift_rules(sc, {"voice": {"lengths_hours": [8], "cost_per_hour": 20}})
    >>> rules["voice"].lengths_hours, rules["voice"].cost_per_hour, rules["digital"].lengths_hours
    ((8.0,), 20.0, (4.0, 6.0, 8.0))
    >>> try:
    ...     shift_rules(sc, {"phone": {}, "voice": {"cost_per_hour": -1}})
    ... except wfm.ScenarioError as exc:
    ...     print(exc)
    invalid scenario (2 problems):
      - shifts.phone: names no agent group (groups: voice, blended, digital)
      - shifts.voice.cost_per_hour: must be > 0 (got -1)
    """
    out: dict[str, ShiftRule] = {}
    problems: list[tuple[str, str]] = []
    beyond_limit = False
    groups = scenario.group_names
    for g, given in (rules or {}).items():
        path = f"shifts.{g}"
        if g not in groups:
            problems.append((path, f"names no agent group (groups: {', '.join(groups)})"))
            continue
        if isinstance(given, ShiftRule):
            rule = given
        elif isinstance(given, Mapping):
            try:
                rule = ShiftRule.model_validate(dict(given))
            except ValidationError as exc:
                found, limit = pydantic_problems(exc)
                beyond_limit = beyond_limit or limit
                problems.extend((f"{path}.{p}" if p else path, reason) for p, reason in found)
                continue
        else:
            problems.append(
                (path, f"must be a mapping or a ShiftRule, not {type(given).__name__}")
            )
            continue
        problems.extend(shift_rule_problems(rule, path, scenario.interval_minutes))
        out[g] = rule
    if problems:
        raise (LimitError if beyond_limit else ScenarioError)(problems)
    for g in groups:
        if g not in out:
            out[g] = scenario.shifts.get(g) or default_rule(scenario.interval_minutes)
    return out


def default_rule(interval_minutes: int) -> ShiftRule:
    """The defaults of :class:`wfm.ShiftRule`, fitted to the interval.

    Parameters
    ----------
    interval_minutes : int
        The scenario's interval, minutes.

    Returns
    -------
    ShiftRule
        ``ShiftRule()``; on intervals the default 30-minute break does not divide (60
        minutes), the break is one interval long.

    Examples
    --------
    >>> default_rule(30).break_.minutes, default_rule(60).break_.minutes
    (30, 60)
    """
    rule = ShiftRule()
    if rule.break_.minutes % interval_minutes:
        brk = rule.break_.model_copy(update={"minutes": interval_minutes})
        rule = rule.model_copy(update={"break_": brk})
    return rule


def start_minutes(rule: ShiftRule, interval_minutes: int) -> set[int] | None:
    """Allowed start clock times of a rule.

    Parameters
    ----------
    rule : ShiftRule
        The group's rule.
    interval_minutes : int
        The scenario's interval, minutes (the default step between starts).

    Returns
    -------
    set of int or None
        Start clock times, minutes after midnight; None when every interval may start a
        shift.

    Examples
    --------
    >>> import wfm
    >>> sorted(start_minutes(wfm.ShiftRule(earliest_start="07:00", latest_start="08:00"), 30))
    [420, 450, 480]
    >>> start_minutes(wfm.ShiftRule(), 30) is None
    True
    """
    if rule.starts is not None:
        return {parse_clock(s) for s in rule.starts}
    if rule.earliest_start is None and rule.latest_start is None and rule.every_minutes is None:
        return None
    first = parse_clock(rule.earliest_start) if rule.earliest_start else 0
    last = parse_clock(rule.latest_start) if rule.latest_start else DAY_MINUTES - 1
    step = rule.every_minutes or interval_minutes
    return set(range(first, last + 1, step))


def break_offsets(
    rule: ShiftRule, length: int, interval_minutes: int, path: str
) -> tuple[int, ...]:
    """Allowed break starts of a shift.

    Parameters
    ----------
    rule : ShiftRule
        The group's rule (its ``break``).
    length : int
        Shift length in intervals, break included.
    interval_minutes : int
        The scenario's interval, minutes.
    path : str
        Field path of the rule for error messages, e.g. ``"shifts.voice"``.

    Returns
    -------
    tuple of int
        Break starts in intervals after the shift's start: from ``break.earliest`` to
        ``break.latest`` minutes, rounded inwards, at least one interval after the start
        and ending before the shift ends. Empty when the shift has no break.

    Raises
    ------
    ScenarioError
        ``<path>.break`` when the shift needs a break but no break start fits.

    Examples
    --------
    >>> import wfm
    >>> rule = wfm.ShiftRule(**{"break": {"minutes": 30, "earliest": 120, "latest": 300}})
    >>> break_offsets(rule, 16, 30, "shifts.voice")     # an 8 h shift: 2 h to 5 h in
    (4, 5, 6, 7, 8, 9, 10)
    >>> break_offsets(rule, 8, 30, "shifts.voice")      # 4 h: shorter than min_shift_hours
    ()
    """
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


def build_templates(scenario: Scenario, rules: Mapping[str, ShiftRule]) -> list[ShiftTemplate]:
    """Every shift template of every group.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon, the interval, the clock time of the first interval and the
        group order.
    rules : mapping of group name to ShiftRule
        A rule for every group, as :func:`shift_rules` returns.

    Returns
    -------
    list of ShiftTemplate
        Per group (scenario order), per length (ascending), per start interval: every
        start the rule allows on each clock day whose shift ends inside the horizon.

    Raises
    ------
    ScenarioError
        ``shifts.<group>.break`` for a shift length with no room for its break.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> tpl = build_templates(sc, shift_rules(sc))
    >>> len(tpl)
    117
    >>> t = tpl[-1]
    >>> t.group, t.start, t.end, t.break_offsets, t.break_length, t.paid_hours, t.cost, t.day
    ('digital', 8, 24, (4, 5, 6, 7, 8, 9, 10), 1, 7.5, 7.5, 0)
    """
    H = scenario.horizon
    lm = scenario.interval_minutes
    start_min = scenario.start_seconds // 60
    out: list[ShiftTemplate] = []
    for g in scenario.group_names:
        rule = rules[g]
        path = f"shifts.{g}"
        allowed = start_minutes(rule, lm)
        b = rule.break_
        for hours in sorted(set(rule.lengths_hours)):
            n = int(round(hours * 60 / lm))
            offsets = break_offsets(rule, n, lm, path)
            m = b.minutes // lm if offsets else 0
            paid_hours = n * lm / 60 - (0.0 if (b.paid or not offsets) else b.minutes / 60)
            cost = rule.cost_per_hour * paid_hours
            for s in range(0, H - n + 1):
                minute = start_min + s * lm
                if allowed is not None and minute % DAY_MINUTES not in allowed:
                    continue
                out.append(ShiftTemplate(g, s, n, offsets, m, bool(offsets) and b.paid, cost,
                                         paid_hours, minute // DAY_MINUTES))
    return out


def shift_templates(scenario: Scenario, rules: RuleInput | None = None) -> pd.DataFrame:
    """The shift templates offered to the solver, one row per group x start x length.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon, the interval, the groups and (``shifts:``) their shift rules.
    rules : mapping of group name to ShiftRule or dict, optional
        Rules that replace the scenario's for these groups (see :func:`shift_rules`).

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``start_interval``, ``end_interval`` (interval indices),
        ``start``, ``end`` (clock labels), ``length_hours`` (hours, break included),
        ``paid_hours`` (hours), ``cost`` (per agent), ``break_placements`` (allowed break
        starts; 0 without a break), ``paid_break``, ``day`` (clock day of the start).

    Raises
    ------
    ScenarioError
        For a bad rule, naming ``shifts.<group>.<field>``.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> tpl = shift_templates(sc)
    >>> tpl.groupby("group", sort=False).size().to_dict()
    {'voice': 39, 'blended': 39, 'digital': 39}
    """
    tpl = build_templates(scenario, shift_rules(scenario, rules))
    lab = clock_labeler(scenario)
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


def clock_labeler(scenario: Scenario) -> Callable[[int], str]:
    """A function from interval index to the clock label of that interval's start.

    Parameters
    ----------
    scenario : Scenario
        Gives the clock time of the first interval and the interval length.

    Returns
    -------
    callable
        ``label(i)`` is ``"HH:MM"`` on the first clock day and ``"d<k> HH:MM"`` on day
        ``k``; it also labels ``i = horizon`` (the end of the last interval).

    Examples
    --------
    >>> import wfm
    >>> label = clock_labeler(wfm.load_scenario("scenarios/baseline.yaml"))
    >>> label(0), label(24), label(32)
    ('08:00', '20:00', 'd2 00:00')
    """
    start_min = scenario.start_seconds // 60
    lm = scenario.interval_minutes

    def label(i: int) -> str:
        day, rem = divmod(start_min + i * lm, DAY_MINUTES)
        text = f"{rem // 60:02d}:{rem % 60:02d}"
        return text if day == 0 else f"d{day + 1} {text}"

    return label

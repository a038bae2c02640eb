"""Roster rules: contract types, wages, rest, days off and start-time stability.

A :class:`RosterRules` says which weekly patterns agents may work (see
:func:`wfm.scheduling.weekly_roster`): the contract types with their days and hours per week and
their share of each group's headcount, the wage per hour of each group and contract with
an overtime premium, the minimum rest between two shifts, the consecutive days off every
week, and how far apart an agent's start times may be within the week. Every key is
optional; a roster rules file (YAML, read by :func:`load_roster_rules`) looks like::

    rest_hours: 11                 # minimum rest between two shifts, hours
    start_window_hours: 2          # an agent's starts in the week lie within 2 hours
    consecutive_days_off: 2        # the days off of every week include 2 in a row
    fte_hours: 40                  # paid hours per week of one FTE (for the FTE figures)
    contracts:
      full_time: {min_days: 5, max_days: 5, lengths_hours: [8], min_share: 0.6}
      part_time: {min_days: 3, max_days: 5, min_hours: 20, max_hours: 30, max_share: 0.4}
    wages:                         # per paid hour; default: the group's shifts.cost_per_hour
      voice: 25                    # every contract of the group
      digital: {full_time: 22, part_time: 20}
    max_headcount: {voice: 60}     # agents on the group's roster at most

Units: hours for ``rest_hours``, ``start_window_hours``, ``fte_hours``, ``min_hours``,
``max_hours``, ``lengths_hours`` and ``overtime_after_hours``; days per week for
``min_days``, ``max_days`` and ``consecutive_days_off``; fractions (0-1) for shares and
the overtime premium; money per paid hour for wages.

Examples
--------
>>> rules = roster_rules({"contracts": {"full_time": {"lengths_hours": [8]}}})
>>> rules.rest_hours, list(rules.contracts), rules.contracts["full_time"].min_days
(11.0, ['full_time'], 5)
>>> list(RosterRules().contracts)
['full_time', 'part_time']
>>> roster_rules({"contracts": {"pt": {"min_days": 6, "max_days": 4}}, "rest_hours": -1})
Traceback (most recent call last):
...
wfm.errors.InputError: invalid input (2 problems):
  - roster.contracts.pt.max_days: must not be below min_days (got 4 < 6)
  - roster.rest_hours: must be >= 0 (got -1)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from wfm.errors import InputError, ScenarioError
from wfm.scenario import Scenario, pydantic_problems
from wfm.scenario.problems import Problems
from wfm.yamlio import load_yaml, read_text

__all__ = [
    "DEFAULT_CONTRACTS",
    "Contract",
    "RosterRules",
    "load_roster_rules",
    "roster_rules",
    "rules_problems",
]


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


def _tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value


Days = Annotated[int, BeforeValidator(_integral), Field(ge=0, le=7)]
Hours = Annotated[float, BeforeValidator(_number), Field(ge=0, le=168, allow_inf_nan=False)]
ShareValue = Annotated[float, BeforeValidator(_number), Field(ge=0, le=1, allow_inf_nan=False)]
Money = Annotated[float, BeforeValidator(_number), Field(gt=0, le=1e6, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Contract(_Model):
    """One contract type: days and paid hours per week, shift lengths, share, wage.

    Attributes
    ----------
    min_days, max_days : int
        Working days per week (0-7; default 5 and 5).
    lengths_hours : tuple of float or None
        Shift lengths (hours, break included) this contract works; an agent works one
        of them on every working day of the week. None (default): any length of the
        group's shift rule.
    min_hours, max_hours : float
        Paid hours per week (default 0 and 168): working days x paid hours of the shift.
    min_share, max_share : float
        Share of the group's rostered headcount on this contract (default 0 and 1).
    wage_per_hour : float or None
        Money per paid hour; None: the group's wage (``wages`` or the shift rule's
        ``cost_per_hour``).
    overtime_after_hours : float or None
        Paid hours per week above which the overtime premium is paid; None: never.
    overtime_premium : float
        Extra pay per overtime hour as a fraction of the wage (default 0.5: time and a half).
    """

    min_days: Days = 5
    max_days: Days = 5
    lengths_hours: Annotated[
        tuple[Annotated[float, BeforeValidator(_number), Field(gt=0, le=24, allow_inf_nan=False)], ...],
        BeforeValidator(_tuple), Field(min_length=1),
    ] | None = None
    min_hours: Hours = 0.0
    max_hours: Hours = 168.0
    min_share: ShareValue = 0.0
    max_share: ShareValue = 1.0
    wage_per_hour: Money | None = None
    overtime_after_hours: Hours | None = None
    overtime_premium: Annotated[float, BeforeValidator(_number), Field(ge=0, le=10, allow_inf_nan=False)] = 0.5

    @model_validator(mode="after")
    def _ranges(self) -> Contract:
        problems = []
        if self.max_days < self.min_days:
            problems.append(("max_days", f"must not be below min_days (got {self.max_days} < {self.min_days})"))
        if self.max_hours < self.min_hours:
            problems.append(("max_hours", f"must not be below min_hours (got {self.max_hours:g} < {self.min_hours:g})"))
        if self.max_share < self.min_share:
            problems.append(("max_share", f"must not be below min_share (got {self.max_share:g} < {self.min_share:g})"))
        if problems:
            raise Problems(problems)
        return self


DEFAULT_CONTRACTS: dict[str, Contract] = {
    "full_time": Contract(min_days=5, max_days=5, lengths_hours=(8.0,)),
    "part_time": Contract(min_days=3, max_days=5, min_hours=20.0, max_hours=30.0),
}
"""Full time: 5 days x 8 h shifts; part time: 3 to 5 days, 20 to 30 paid hours a week."""


class RosterRules(_Model):
    """The rules of a weekly roster (every key optional; see the module docstring).

    Attributes
    ----------
    contracts : dict of str to Contract
        The contract types (default: :data:`DEFAULT_CONTRACTS`, full and part time).
    rest_hours : float
        Minimum rest between the end of one shift and the start of the next, hours
        (default 11).
    start_window_hours : float
        An agent's start times within the week lie within this many hours of each other
        (default 2).
    consecutive_days_off : int
        The days off of every week include this many in a row, the week read as a cycle
        (Sunday and Monday are consecutive); default 2, 0 for no rule.
    fte_hours : float
        Paid hours per week of one full-time equivalent (default 40).
    wages : dict of str to float or dict of str to float
        Money per paid hour per group, for every contract or per contract; default the
        group's ``shifts.cost_per_hour``. A contract's ``wage_per_hour`` comes between
        the two.
    max_headcount : dict of str to int
        Agents on the group's roster at most.
    groups : tuple of str or None
        The groups to roster (default all).
    """

    contracts: dict[str, Contract] = Field(default_factory=lambda: dict(DEFAULT_CONTRACTS), min_length=1)
    rest_hours: Hours = 11.0
    start_window_hours: Annotated[float, BeforeValidator(_number), Field(ge=0, le=24, allow_inf_nan=False)] = 2.0
    consecutive_days_off: Days = 2
    fte_hours: Annotated[float, BeforeValidator(_number), Field(gt=0, le=168, allow_inf_nan=False)] = 40.0
    wages: dict[str, Money | dict[str, Money]] = Field(default_factory=dict)
    max_headcount: dict[str, Annotated[int, BeforeValidator(_integral), Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict)
    groups: Annotated[tuple[str, ...], BeforeValidator(_tuple)] | None = None

    def wage(self, group: str, contract: str, default: float) -> float:
        """Money per paid hour of ``contract`` agents in ``group``.

        ``wages[group][contract]``, else ``wages[group]`` (a number), else the contract's
        ``wage_per_hour``, else ``default`` (the shift rule's ``cost_per_hour``).

        Examples
        --------
        >>> r = RosterRules(wages={"voice": {"part_time": 18.0}, "digital": 21.0})
        >>> r.wage("voice", "part_time", 25.0), r.wage("voice", "full_time", 25.0), r.wage("digital", "x", 1.0)
        (18.0, 25.0, 21.0)
        """
        given = self.wages.get(group)
        if isinstance(given, dict) and contract in given:
            return float(given[contract])
        if isinstance(given, int | float):
            return float(given)
        c = self.contracts.get(contract)
        if c is not None and c.wage_per_hour is not None:
            return float(c.wage_per_hour)
        return float(default)


def _validate(data: Any, source: str | None, error: type[InputError]) -> RosterRules:
    if isinstance(data, RosterRules):
        return data
    if data is None:
        return RosterRules()
    if not isinstance(data, Mapping):
        raise error([("roster", f"must be a mapping of roster rules, not {type(data).__name__}")], source)
    try:
        return RosterRules.model_validate(dict(data))
    except ValidationError as exc:
        found, _ = pydantic_problems(exc)
        raise error([(f"roster.{p}" if p else "roster", r) for p, r in found], source) from None


def roster_rules(rules: RosterRules | Mapping[str, Any] | None = None) -> RosterRules:
    """Roster rules from a :class:`RosterRules`, a mapping of its keys, or None (defaults).

    Parameters
    ----------
    rules : RosterRules or mapping or None
        The keys of the module docstring.

    Returns
    -------
    RosterRules

    Raises
    ------
    InputError
        Every bad key, named ``roster.<key>`` with the value and the problem.

    Examples
    --------
    >>> roster_rules(None).start_window_hours
    2.0
    >>> roster_rules({"fte_hours": "40"})
    Traceback (most recent call last):
    ...
    wfm.errors.InputError: invalid input: roster.fte_hours: must be a number (got '40')
    """
    return _validate(rules, None, InputError)


def load_roster_rules(path: str | os.PathLike[str]) -> RosterRules:
    """Read roster rules from a YAML file (safe YAML, unknown keys refused).

    Parameters
    ----------
    path : str or PathLike
        The file; its keys are those of the module docstring.

    Returns
    -------
    RosterRules

    Raises
    ------
    ScenarioError
        The file cannot be read, is not YAML, or has a bad key (named
        ``roster.<key>``, with the file).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roster.yaml"
    >>> _ = p.write_text("rest_hours: 12\\ncontracts:\\n  ft: {lengths_hours: [8]}\\n")
    >>> load_roster_rules(p).rest_hours
    12.0
    >>> _ = p.write_text("rest_hour: 12\\n")
    >>> load_roster_rules(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wfm.errors.ScenarioError: invalid scenario ...roster.yaml: roster.rest_hour: is not a known key
    """
    text = read_text(os.fspath(path), "roster rules")
    data = load_yaml(text, source=str(path))
    return _validate(data if data is not None else {}, str(path), ScenarioError)


def rules_problems(rules: RosterRules, scenario: Scenario) -> list[tuple[str, str]]:
    """Problems of roster rules against a scenario (groups named, lengths on intervals).

    Parameters
    ----------
    rules : RosterRules
    scenario : Scenario

    Returns
    -------
    list of (str, str)
        ``(field path, reason)`` for every group name that is not a group of the
        scenario, every contract length that is not a whole number of intervals, and
        every contract whose days off cannot hold ``consecutive_days_off``.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> rules_problems(RosterRules(wages={"phone": 20.0}), sc)
    [('roster.wages.phone', 'names no agent group (groups: voice, blended, digital)')]
    """
    groups = scenario.group_names
    out: list[tuple[str, str]] = []
    names = "groups: " + ", ".join(groups)
    for key, mapping in (("wages", rules.wages), ("max_headcount", rules.max_headcount)):
        for g in mapping:
            if g not in groups:
                out.append((f"roster.{key}.{g}", f"names no agent group ({names})"))
    for g in rules.groups or ():
        if g not in groups:
            out.append(("roster.groups", f"{g!r} names no agent group ({names})"))
    for g, given in rules.wages.items():
        if isinstance(given, dict):
            for cname in given:
                if cname not in rules.contracts:
                    out.append((f"roster.wages.{g}.{cname}",
                                f"names no contract (contracts: {', '.join(rules.contracts)})"))
    lm = scenario.interval_minutes
    for name, c in rules.contracts.items():
        for k, hours in enumerate(c.lengths_hours or ()):
            if abs(hours * 60 / lm - round(hours * 60 / lm)) > 1e-9:
                out.append((f"roster.contracts.{name}.lengths_hours[{k}]",
                            f"{hours:g} h is not a whole number of {lm}-minute intervals"))
        if rules.consecutive_days_off and 7 - c.min_days < rules.consecutive_days_off:
            out.append((f"roster.contracts.{name}.min_days",
                        f"{c.min_days} working days leave {7 - c.min_days} days off a week, fewer than"
                        f" consecutive_days_off ({rules.consecutive_days_off})"))
    return out

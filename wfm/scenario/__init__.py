"""The scenario file: what arrives, how long it takes, the targets and who is on duty.

A scenario says what arrives (channels and their volume per interval), how long it
takes (AHT), what the targets are and who is on duty (agent groups and their staff per
interval); optionally the shift templates per group (``shifts:``, used by
:mod:`wfm.scheduling`). The full format, every key with its default, is in
``docs/guides/scenario-format.md``.

All times are in seconds, volumes in contacts offered per interval, rates in [0, 1].

Examples
--------
>>> import wfm
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> sc.horizon, sc.interval_seconds
(24, 1800)
>>> wfm.Scenario.from_yaml(sc.to_yaml()) == sc
True
>>> sc.with_values({"channels.phone.aht": -5})
Traceback (most recent call last):
...
wfm.errors.ScenarioError: invalid scenario: channels.phone.aht: must be > 0 (got -5)
"""

from __future__ import annotations

from pathlib import Path

from wfm.errors import LimitError, ScenarioError
from wfm.scenario.behaviour import Distribution, MaxWait, Outbound, Retrial, Transfer
from wfm.scenario.calendar import OpeningHours, Shrinkage
from wfm.scenario.clock import parse_clock
from wfm.scenario.models import (
    CHANNEL_KINDS,
    INTERVAL_MINUTES,
    AgentGroup,
    BreakRule,
    Channel,
    Scenario,
    ShiftRule,
    Target,
    Uncertainty,
    default_break_minutes,
)
from wfm.scenario.problems import pydantic_problems
from wfm.scenario.roster import RosterAgent
from wfm.scenario.routing import ChannelRouting, GroupRouting, Routing
from wfm.scenario.rules import shift_rule_problems
from wfm.scenario.social import (
    Community,
    Incident,
    Playbook,
    PlaybookAction,
    PlaybookCondition,
    Reach,
    Social,
    Virality,
)
from wfm.yamlio import read_text

__all__ = [
    "CHANNEL_KINDS",
    "INTERVAL_MINUTES",
    "AgentGroup",
    "BreakRule",
    "Channel",
    "ChannelRouting",
    "Community",
    "Distribution",
    "GroupRouting",
    "Incident",
    "LimitError",
    "MaxWait",
    "OpeningHours",
    "Outbound",
    "Playbook",
    "PlaybookAction",
    "PlaybookCondition",
    "Reach",
    "Retrial",
    "RosterAgent",
    "Routing",
    "Scenario",
    "ScenarioError",
    "ShiftRule",
    "Shrinkage",
    "Social",
    "Target",
    "Transfer",
    "Uncertainty",
    "Virality",
    "default_break_minutes",
    "load_scenario",
    "parse_clock",
    "pydantic_problems",
    "shift_rule_problems",
]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file cannot be read or parsed, or any field is invalid; the message
        names the field path and the reason.
    LimitError
        If the file or the scenario is larger than a limit of :mod:`wfm.limits`.

    Examples
    --------
    >>> load_scenario("scenarios/baseline.yaml").name
    'Retail omnichannel weekday'
    >>> load_scenario("no/such.yaml")
    Traceback (most recent call last):
    ...
    wfm.errors.ScenarioError: invalid scenario no/such.yaml: cannot read the scenario: No such file or directory
    """
    p = Path(path)
    return Scenario.from_yaml(read_text(p, "scenario"), source=str(p))


"""Routing tables: which group takes which channel, in which priority, at what load.

Agent capacity is counted in integer *units* so chat concurrency stays exact: an agent
has ``U`` units, the least common multiple of every chat channel's concurrency; a voice
call or a deferred item takes all ``U`` units, a chat session of a channel with
concurrency ``k`` takes ``U / k``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wfm.scenario import Scenario

VOICE, CHAT, DEFERRED, OUTBOUND = 0, 1, 2, 3
KIND_CODES = {"voice": VOICE, "chat": CHAT, "deferred": DEFERRED, "outbound": OUTBOUND,
              "social": DEFERRED}


@dataclass(frozen=True)
class Routing:
    """Routing tables derived from a scenario.

    Attributes
    ----------
    channels : list of str
        Channel names; a channel is referred to by its index in this list.
    kinds : list of int
        VOICE, CHAT, DEFERRED or OUTBOUND per channel.
    units : int
        Capacity of one agent in units.
    cost : list of int
        Units one contact of each channel takes.
    serving : list of list of int
        Per channel, the groups that have it as a skill.
    skills : list of list of int
        Per group, its channels in priority order.
    groups : list of str
        Group names; a group is referred to by its index.
    """

    channels: list[str]
    kinds: list[int]
    units: int
    cost: list[int]
    serving: list[list[int]]
    skills: list[list[int]]
    groups: list[str]


def build_routing(scenario: Scenario) -> Routing:
    """Build the :class:`Routing` tables of a validated scenario."""
    channels = scenario.channel_names
    index = {name: i for i, name in enumerate(channels)}
    kinds = [KIND_CODES[ch.kind] for ch in scenario.channels.values()]
    units = 1
    for ch in scenario.channels.values():
        if ch.kind == "chat":
            units = math.lcm(units, ch.concurrency)
    cost = [
        units // ch.concurrency if ch.kind == "chat" else units for ch in scenario.channels.values()
    ]
    groups = scenario.group_names
    skills = [[index[s] for s in g.skills] for g in scenario.agents]
    serving = [[gi for gi, sk in enumerate(skills) if c in sk] for c in range(len(channels))]
    return Routing(channels, kinds, units, cost, serving, skills, groups)

"""Routing rules as small policy objects: a new rule is one class.

* Arrival policies choose the group whose free agent takes an arriving contact
  (``choose(run, channel, t) -> group or -1``); the engine then takes that group's
  longest-idle agent, or for a chat the least-loaded agent with room.
* Next-contact policies choose the channel whose oldest waiting contact a freed agent
  takes (``pick(run, agent, t) -> channel or -1``), honouring what the agent may take
  (``run.can_take``) and the overflow delays (``run.eligible``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wfm.sim.routing import CHAT

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import _Run
    from wfm.sim.records import Agent

__all__ = [
    "ARRIVAL_POLICIES",
    "NEXT_POLICIES",
    "LeastOccupied",
    "LongestIdle",
    "Oldest",
    "Ordered",
    "Priority",
    "RandomGroup",
]


def _free(run: _Run, g: int, c: int) -> bool:
    """Group g has an agent free for channel c: an idle one, or chat room."""
    return bool(run.idle[g]) or (run.kinds[c] == CHAT and run.room(g, c) is not None)


class LeastOccupied:
    """The group whose agents are least busy (busy units / present units)."""

    def choose(self, run: _Run, c: int, t: float) -> int:
        best, best_occ = -1, 2.0
        units = run.units
        idle, g_load, present = run.idle, run.g_load, run.present
        chat = run.kinds[c] == CHAT
        for g in run.arrival_groups[c]:
            if idle[g] or (chat and run.room(g, c) is not None):  # _free, written out
                occ = g_load[g] / (present[g] * units)
                if occ < best_occ:
                    best, best_occ = g, occ
        return best


_LEAST_OCCUPIED = LeastOccupied()


class Ordered:
    """The channel's groups in preference order: the first with a free agent."""

    def choose(self, run: _Run, c: int, t: float) -> int:
        for g in run.order[c]:
            if run.delay[g][c] <= 0 and _free(run, g, c):
                return g
        return -1


class LongestIdle:
    """The agent idle longest across the groups that can serve the contact (for chat,
    when nobody is idle, the least occupied group with room)."""

    def choose(self, run: _Run, c: int, t: float) -> int:
        best, since = -1, float("inf")
        for g in run.arrival_groups[c]:
            idle = run.idle[g]
            if idle and idle[0].idle_since < since:
                best, since = g, idle[0].idle_since
        if best >= 0 or run.kinds[c] != CHAT:
            return best
        return _LEAST_OCCUPIED.choose(run, c, t)


class RandomGroup:
    """Uniformly at random among the groups with a free agent."""

    def choose(self, run: _Run, c: int, t: float) -> int:
        free = [g for g in run.arrival_groups[c] if _free(run, g, c)]
        if not free:
            return -1
        return free[int(run.route_rng.integers(len(free)))] if len(free) > 1 else free[0]


class Priority:
    """The group's skills in order: the first with a contact the agent may take."""

    def pick(self, run: _Run, a: Agent, t: float) -> int:
        g = a.group
        queues, head = run.queues, run.head
        if a.load == 0 and t < run.t_end and not run.delayed_group[g]:
            # the common case: a free agent may take any inbound contact (can_take)
            for c in run.inbound_skills[g]:
                if queues[c] and head(c, t) is not None:
                    return c
            return -1
        for c in run.skills[g]:
            if queues[c] and run.can_take(a, g, c, t):
                x = head(c, t)
                if x is not None and run.eligible(g, c, x, t):
                    return c
        return -1


class Oldest:
    """The longest-waiting contact among the skills the agent may take."""

    def pick(self, run: _Run, a: Agent, t: float) -> int:
        g = a.group
        best, arrived = -1, float("inf")
        queues, head, eligible = run.queues, run.head, run.eligible
        if a.load == 0 and t < run.t_end:  # a free agent may take any inbound contact
            for c in run.inbound_skills[g]:
                if queues[c]:
                    x = head(c, t)
                    if x is not None and x.arrival < arrived and eligible(g, c, x, t):
                        best, arrived = c, x.arrival
            return best
        for c in run.skills[g]:
            if queues[c] and run.can_take(a, g, c, t):
                x = head(c, t)
                if x is not None and x.arrival < arrived and eligible(g, c, x, t):
                    best, arrived = c, x.arrival
        return best


ARRIVAL_POLICIES: dict[str, type[LeastOccupied | Ordered | LongestIdle | RandomGroup]] = {
    "least_occupied": LeastOccupied,
    "ordered": Ordered,
    "longest_idle": LongestIdle,
    "random": RandomGroup,
}
NEXT_POLICIES: dict[str, type[Priority | Oldest]] = {"priority": Priority, "oldest": Oldest}

"""Agents coming on and off duty: staff per interval, or rostered shifts and breaks.

A mixin of the engine's run (:class:`wfm.sim.engine._Run`): the staffing half of it,
kept apart so that each file holds one concept.

* Staff per interval: at each boundary :meth:`_set_staff` hires or re-keeps agents up to
  the new staff (``routing.staff_rise``), or lets idle agents go at once and the least
  loaded busy ones when they are done (``routing.staff_drop`` breaks ties).
* Rosters: every agent's shift start, break start and end, shift end are timers; an
  agent going off duty finishes what it holds first.
* Presence is counted in agent-seconds per interval: a boundary counts every agent on
  duty for the whole interval; an agent joining or leaving mid-interval adds or
  removes the rest of the interval.
"""

from __future__ import annotations

from collections import deque
from heapq import heappush
from itertools import count
from typing import TYPE_CHECKING

from wfm.sim.records import GONE, LEAVING, STAYING, Agent

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.metrics import Accumulator
    from wfm.sim.model import Model

__all__ = ["OFF_DUTY", "ON_DUTY", "Staffing"]

#: timer kinds of the agents' shifts (the engine's other timers use lower numbers)
ON_DUTY, OFF_DUTY = 100, 101


class Staffing:
    """The staffing methods of a run (a mixin: the run provides the attributes)."""

    m: Model
    acc: Accumulator
    agents: list[Agent]
    members: list[list[Agent]]
    off_duty: list[list[Agent]]
    rostered: list[bool]
    live: list[int]
    skills: list[list[int]]
    idle: list[deque[Agent]]
    partial: list[dict[int, Agent]]
    staying: list[int]
    present: list[int]
    timers: list[tuple]
    seq: count
    L: float
    t_end: float

    def _refill(self, a: Agent, t: float) -> float:  # pragma: no cover - the run's
        raise NotImplementedError

    def _no_room(self, a: Agent, g: int) -> None:  # pragma: no cover - the run's
        raise NotImplementedError

    def _hire(self, g: int, t: float) -> Agent:
        """A new agent of group g: one who left earlier comes back (so a staff curve
        going up and down does not pile up agents), else a new one."""
        off = self.off_duty[g]
        if off:
            return off.pop()
        a = Agent(len(self.agents), g)
        self.agents.append(a)
        self.members[g].append(a)
        return a

    def _join(self, a: Agent, t: float, at_boundary: bool = False) -> float:
        """Agent a comes on duty at t (hired, back from a break or a shift start).

        ``at_boundary``: a staff change at an interval boundary, whose presence the
        boundary counts for the whole interval."""
        g = a.group
        if a.state == LEAVING:  # still finishing: it simply stays
            a.state = STAYING
            self.staying[g] += 1
        else:
            a.state = STAYING
            self.staying[g] += 1
            self.present[g] += 1
            if not at_boundary:
                self._present_from(g, t, 1)
        return self._refill(a, t)

    def _present_from(self, g: int, t: float, sign: int) -> None:
        """Count (sign 1) or stop counting (-1) one agent's presence from t to the end of
        its interval (boundaries count whole intervals)."""
        if t < self.t_end:
            i = int(t // self.L)
            self.acc.present[i, g] += sign * ((i + 1) * self.L - t)

    def _leave(self, a: Agent, t: float, at_boundary: bool = False) -> None:
        a.state = GONE
        self.present[a.group] -= 1
        if not self.rostered[a.group]:
            self.off_duty[a.group].append(a)
        if not at_boundary:
            self._present_from(a.group, t, -1)

    def _off(self, a: Agent, t: float) -> None:
        """Agent a goes off duty at t: now if it holds nothing, else when done."""
        if a.state != STAYING:
            return
        g = a.group
        self.staying[g] -= 1
        self._no_room(a, g)
        if a.load == 0:
            try:
                self.idle[g].remove(a)
            except ValueError:
                pass
            self._leave(a, t)
        else:
            a.state = LEAVING

    def _set_staff(self, g: int, target: int, t: float) -> None:
        if target > self.staying[g]:
            if self.m.staff_rise == "keep":  # first keep agents that were about to leave
                for a in self.members[g]:
                    if self.staying[g] >= target:
                        break
                    if a.state == LEAVING:
                        self._join(a, t, at_boundary=True)
            while self.staying[g] < target and any(self.live[c] for c in self.skills[g]):
                self._join(self._hire(g, t), t, at_boundary=True)
            # nothing waits for this group: the rest simply come on duty, idle
            n = target - self.staying[g]
            if n > 0:
                idle = self.idle[g]
                for _ in range(n):
                    a = self._hire(g, t)
                    a.state = STAYING
                    a.idle_since = t
                    idle.append(a)
                self.staying[g] += n
                self.present[g] += n
        # falling: idle agents leave now, then the least loaded leave when done
        while self.staying[g] > target and self.idle[g]:
            a = self.idle[g].pop()
            self.staying[g] -= 1
            self._leave(a, t, at_boundary=True)
        if self.staying[g] > target:
            cand = [a for a in self.members[g] if a.state == STAYING and a.load > 0]
            if self.m.staff_drop == "last_hired":
                cand.reverse()
            cand.sort(key=lambda a: a.load)  # stable: ties keep the hiring order
            for a in cand[: self.staying[g] - target]:
                self._off(a, t)

    def _schedule_rosters(self) -> None:
        for g, roster in enumerate(self.m.rosters):
            if roster is None:
                continue
            for start, end, breaks in roster:
                a = self._hire(g, start)
                a.state = GONE
                # the spells on duty: start to the first break, each break's end to the
                # next break (or the shift's end); a spell over before the horizon starts
                # is dropped whole (a shift begun before the horizon whose break straddles
                # its start comes on duty at the break's end, once)
                edges = [start, *(t for brk in breaks for t in brk), end]
                for on, off in zip(edges[::2], edges[1::2], strict=True):
                    on = max(on, 0.0)
                    if off <= on:
                        continue
                    heappush(self.timers, (on, next(self.seq), ON_DUTY, a, None))
                    heappush(self.timers, (off, next(self.seq), OFF_DUTY, a, None))

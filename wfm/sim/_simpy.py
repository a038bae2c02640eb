"""The one place where the engine touches simpy's internals, wrapped and explained.

The engine keeps simpy's clock and event queue for what must be events — service
completions and interval boundaries — but skips simpy's per-event generator and
process machinery, which costs more than the simulation itself:

* :class:`Completion` is scheduled by **absolute** time straight into
  ``env._queue`` (a heap of ``(time, priority, event id, event)``), as
  ``simpy.Timeout.__init__`` does by relative time: arrivals are routed between simpy
  steps, when the clock still shows the previous event's time, so a relative delay
  would be wrong.
* :func:`boundary` schedules an already-triggered event with ``URGENT`` priority, so an
  interval boundary at time ``t`` runs before a completion at the same ``t``.
* :func:`boundary_next` tells the run loop whether the next event is a boundary (the
  loop fires its own timers due at a completion's time before the completion, but not
  before a boundary at that time).
* A completion carries its own time in its value, so the engine never reads the clock
  in the hot path.

Everything else goes through simpy's public API (``Environment``, ``step``, ``peek``).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, Event

__all__ = ["Completion", "EmptySchedule", "boundary", "boundary_next"]


class Completion(Event):
    """A service completion at absolute time ``at`` carrying ``value`` to ``callback``."""

    __slots__ = ()

    def __init__(self, env: simpy.Environment, at: float, value: Any,
                 callback: Callable[[Event], None]) -> None:
        # what simpy.Timeout.__init__ does, with an absolute time
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (at, NORMAL, next(env._eid), self))


def boundary_next(env: simpy.Environment) -> bool:
    """Whether the next event in simpy's queue is an interval boundary (the queue must
    not be empty): boundaries are the only events scheduled ``URGENT``."""
    return env._queue[0][1] == URGENT


def boundary(env: simpy.Environment, at: float, value: Any,
             callback: Callable[[Event], None]) -> None:
    """An interval boundary at ``at``: runs before completions at the same time."""
    ev = Event(env)
    ev._ok = True
    ev._value = value
    ev.callbacks.append(callback)
    env.schedule(ev, URGENT, at - env.now)


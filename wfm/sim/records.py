"""The engine's records: a contact waiting or in service, an agent, a timer.

Slotted classes: as cheap to create as tuples and faster to read, with names.
"""

from __future__ import annotations

import math

__all__ = [
    "ABANDONED",
    "Agent",
    "Contact",
    "DONE",
    "GONE",
    "LEAVING",
    "REROUTED",
    "SERVED",
    "STAYING",
    "WAITING",
]

# contact states
WAITING = 0  #: in a queue
SERVED = 1  #: taken by an agent
ABANDONED = 2  #: gave up waiting
REROUTED = 3  #: moved to another channel after max_wait
DONE = 4  #: dropped without a queue (blocked, balked)

# agent states
STAYING = 0  #: on duty
LEAVING = 1  #: finishing what it holds, then off (staff drop, shift end, break)
GONE = 2  #: off duty


class Contact:
    """One attempt of one contact on one channel.

    Attributes
    ----------
    arrival : float
        When it joined this channel's queue, seconds from the horizon's start.
    channel : int
        Channel index.
    handle : float
        Handle (talk or session) time at a standard agent, seconds.
    giveup : float
        When it abandons if still waiting (``inf``: never).
    interval : int
        Interval of ``arrival`` (the KPIs are by interval of arrival).
    attempt : int
        1 for a first call, 2, 3, ... for retrials.
    first : bool
        A customer's first contact (not a retrial, a transfer or a callback).
    state : int
        ``WAITING``, ``SERVED``, ``ABANDONED``, ``REROUTED`` or ``DONE``.
    line : int
        The line pool it holds a line of (-1: none).
    """

    __slots__ = ("arrival", "attempt", "channel", "first", "giveup", "handle", "interval",
                 "line", "state")

    def __init__(self, arrival: float, channel: int, handle: float, giveup: float,
                 interval: int, attempt: int = 1, first: bool = True) -> None:
        self.arrival = arrival
        self.channel = channel
        self.handle = handle
        self.giveup = giveup
        self.interval = interval
        self.attempt = attempt
        self.first = first
        self.state = WAITING
        self.line = -1

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return (f"Contact(channel={self.channel}, arrival={self.arrival:.1f},"
                f" handle={self.handle:.1f}, state={self.state})")


class Agent:
    """One agent of a group.

    Attributes
    ----------
    id : int
        Position in the run's agent list (hiring order).
    group : int
        Group index.
    load : int
        Capacity units in use (a voice call or a deferred item takes all of them; a chat
        session ``units / concurrency``).
    state : int
        ``STAYING``, ``LEAVING`` or ``GONE``.
    idle_since : float
        When it last became idle (for ``longest_idle`` routing).
    since : int
        While it holds chats and has room (its group's ``partial``): its place in the
        order in which such agents came to have room (-1: not there).
    bucket : int
        The load it was last filed under among the agents with room.
    """

    __slots__ = ("bucket", "group", "id", "idle_since", "load", "since", "state")

    def __init__(self, aid: int, group: int) -> None:
        self.id = aid
        self.group = group
        self.load = 0
        self.state = STAYING
        self.idle_since = -math.inf
        self.since = -1
        self.bucket = -1

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Agent({self.id}, group={self.group}, load={self.load}, state={self.state})"

"""Chat: sessions as servers, each agent holding up to ``concurrency`` sessions at once.

The session length (``aht``, the mean length of a session while it is held) does not
depend on how many sessions the agent holds, so ``n`` agents are ``n * concurrency``
independent servers of an M/M/(n k) queue, or M/M/(n k)+M with ``patience``. No slowdown
factor is applied. Required agents are ``ceil(required servers / concurrency)``;
occupancy is that of the session slots.
"""

from __future__ import annotations

import numpy as np

from wfm.erlang._checks import MAX_AGENTS, ArrayLike, FloatResult, IntResult, check, fmt, out
from wfm.erlang.voice import required_agents, service_level

__all__ = ["chat_required_agents", "chat_service_level"]


def chat_service_level(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    concurrency: ArrayLike,
    answer_within: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Service level of chat, with each agent holding up to ``concurrency`` sessions.

    Sessions are servers: ``agents * concurrency`` servers of an M/M/(n k) queue (Erlang
    A with ``patience``), the session length ``aht`` not depending on concurrency (no
    slowdown factor).

    Parameters
    ----------
    volume : array_like
        Chats offered per interval (>= 0).
    aht : array_like
        Mean session length while held, seconds (> 0).
    agents : array_like
        Chat agents on duty (whole number >= 0).
    concurrency : array_like
        Sessions one agent may hold at once (whole number >= 1).
    answer_within : array_like
        Service-level threshold, seconds (>= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Service level, a fraction 0-1.

    Raises
    ------
    ValueError
        For the same input as :func:`service_level`, and for more than 1e7 session slots (``agents *
        concurrency``).

    Examples
    --------
    >>> round(float(chat_service_level(200, 600, 26, 3, 60)), 4)
    0.961
    >>> float(chat_service_level(200, 600, 10, 3, 60)) == float(service_level(200, 600, 30, 60))
    True
    """
    n = check("agents", agents, low=0.0, integer=True, limit=MAX_AGENTS)
    k = check("concurrency", concurrency, low=1.0, integer=True, limit=MAX_AGENTS)
    slots = n * k
    if not (slots <= MAX_AGENTS).all():
        nb, kb = np.broadcast_arrays(n, k)
        i = np.flatnonzero(~(slots <= MAX_AGENTS))[0]
        raise ValueError(f"agents * concurrency (session slots) must be at most {MAX_AGENTS:g}, the limit"
                         f" of wfm.erlang (got agents={fmt(nb.flat[i])}, concurrency={fmt(kb.flat[i])})")
    return service_level(volume, aht, slots, answer_within, interval=interval, patience=patience)


def chat_required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    service_level: ArrayLike,
    concurrency: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    max_asa: ArrayLike | None = None,
    max_abandonment: ArrayLike | None = None,
) -> IntResult:
    """Fewest chat agents meeting every target: ``ceil(required servers / concurrency)``.

    Parameters
    ----------
    volume : array_like
        Chats offered per interval (>= 0).
    aht : array_like
        Mean session length while held, seconds (> 0).
    answer_within : array_like
        Service-level threshold, seconds (>= 0).
    service_level : array_like
        Target share answered within ``answer_within``, a fraction in (0, 1].
    concurrency : array_like
        Sessions one agent may hold at once (whole number >= 1).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.
    max_occupancy : array_like or None, default None
        Highest acceptable busy share of the session slots, a fraction in (0, 1].
    max_asa : array_like or None, default None
        Highest acceptable ASA (answered chats), seconds (> 0).
    max_abandonment : array_like or None, default None
        Highest acceptable abandonment rate, a fraction in (0, 1].

    Returns
    -------
    numpy.ndarray or numpy.int64
        Chat agents (int64).

    Raises
    ------
    ValueError
        For the same input as :func:`required_agents`, and for a concurrency above 1e7.

    Examples
    --------
    >>> int(chat_required_agents(200, 600, 60, 0.9, concurrency=3))
    26
    """
    k = check("concurrency", concurrency, low=1.0, integer=True, limit=MAX_AGENTS)
    servers = required_agents(volume, aht, answer_within, service_level, interval=interval,
                              patience=patience, max_occupancy=max_occupancy, max_asa=max_asa,
                              max_abandonment=max_abandonment)
    srv, kk = np.broadcast_arrays(np.asarray(servers, dtype=np.int64), k.astype(np.int64))
    return out(np.asarray(-(-srv // kk), dtype=np.int64))

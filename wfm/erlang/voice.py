"""Voice: Erlang B, Erlang C and Erlang A measures, and the agents a target needs.

Every function broadcasts its arguments with numpy's rules (scalars in give a numpy
scalar out); times are in seconds, ``volume`` is contacts offered per ``interval``
seconds. ``patience=None`` is Erlang C (M/M/n, nobody abandons); a mean patience in
seconds is Erlang A (M/M/n+M). The models are described in :mod:`wfm.erlang`.
"""

from __future__ import annotations

import numpy as np

from wfm.erlang._checks import (
    MAX_AGENTS,
    MAX_SECONDS,
    MAX_TRAFFIC,
    MAX_VOLUME,
    ArrayLike,
    FloatArray,
    FloatResult,
    IntResult,
    check,
    check_agents_for_occupancy,
    check_optional,
    check_patience,
    check_traffic,
    flat,
    out,
)
from wfm.erlang._measures import erlang_c_parts, metrics
from wfm.erlang._search import Targets, bracket_search, required_c_fast
from wfm.erlang._special import log_erlang_b

__all__ = [
    "abandonment",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "probability_wait",
    "required_agents",
    "service_level",
]


def _measure(
    key: str,
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    answer_within: ArrayLike | None,
    interval: ArrayLike,
    patience: ArrayLike | None,
) -> FloatResult:
    """Validate, broadcast and compute one measure (``key``) of a voice queue."""
    v = check("volume", volume, low=0.0, limit=MAX_VOLUME, unit=" contacts")
    h = check("aht", aht, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    n = check("agents", agents, low=0.0, integer=True, limit=MAX_AGENTS)
    t = check_optional("answer_within", answer_within, low=0.0)
    iv = check("interval", interval, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    p = check_optional("patience", patience, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    shape, (v, h, n, iv), (t, p) = flat([v, h, n, iv], [t, p])
    with np.errstate(over="ignore"):  # an overflow is refused just below
        a = v * h / iv
    check_traffic(v, h, iv, a)
    if p is not None:
        check_patience(p, h)
    res = metrics(a, n, h, t, p, frozenset((key,)))[key]
    return out(res.reshape(shape))


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> FloatResult:
    """Blocking probability of an M/M/n/n loss system (Erlang B).

    Parameters
    ----------
    traffic : array_like
        Offered traffic, Erlangs (>= 0): arrival rate times mean handle time.
    agents : array_like
        Number of servers (whole number >= 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability (0-1) that an arrival finds every server busy. 1 with no server.

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, a fractional number of agents, more than 1e6
        Erlangs or more than 1e7 agents (the limits of :mod:`wfm.erlang`).

    Examples
    --------
    >>> round(float(erlang_b(10.0, 14)), 6)
    0.056819
    >>> erlang_b([1.0, 2.0], 0)
    array([1., 1.])
    """
    a = check("traffic", traffic, low=0.0, limit=MAX_TRAFFIC, unit=" Erlangs")
    n = check("agents", agents, low=0.0, integer=True, limit=MAX_AGENTS)
    shape, (a, n), _ = flat([a, n])
    with np.errstate(all="ignore"):
        res = np.exp(log_erlang_b(a, n))
    return out(res.reshape(shape))


def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> FloatResult:
    """Probability of waiting in an M/M/n queue (Erlang C).

    Parameters
    ----------
    traffic : array_like
        Offered traffic, Erlangs (>= 0): arrival rate times mean handle time.
    agents : array_like
        Number of agents (whole number >= 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability (0-1) that an arrival has to wait; 1 when ``traffic >= agents``
        (the queue is unstable, or there is no agent).

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, a fractional number of agents, more than 1e6
        Erlangs or more than 1e7 agents (the limits of :mod:`wfm.erlang`).

    Examples
    --------
    >>> round(float(erlang_c(10.0, 14)), 6)
    0.174132
    >>> erlang_c(12.0, [10, 12])
    array([1., 1.])
    """
    a = check("traffic", traffic, low=0.0, limit=MAX_TRAFFIC, unit=" Erlangs")
    n = check("agents", agents, low=0.0, integer=True, limit=MAX_AGENTS)
    shape, (a, n), _ = flat([a, n])
    with np.errstate(all="ignore"):
        log_c, stable = erlang_c_parts(a, n)
        res = np.where(stable, np.exp(log_c), np.where(a >= n, 1.0, 0.0))
    return out(res.reshape(shape))


def service_level(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    answer_within: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Share of offered contacts answered within ``answer_within`` seconds.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    answer_within : array_like
        Service-level threshold, seconds (>= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0), exponential: Erlang A, and abandoned contacts count
        as misses. ``None``: nobody abandons (Erlang C).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Service level, a fraction 0-1. 1 with no contact; 0 when the queue is unstable
        (Erlang C with traffic >= agents) or there is no agent.

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, a fractional number of agents, or input beyond
        the limits of :mod:`wfm.erlang` (more than 1e6 Erlangs of offered traffic, 1e12
        contacts, 1e7 agents, times above 1e9 s, a patience above 1e8 handle times).

    Examples
    --------
    >>> round(float(service_level(100, 180, 14, answer_within=20)), 6)
    0.88835
    >>> round(float(service_level(100, 180, 13, answer_within=20, patience=300)), 6)
    0.858178
    >>> service_level(100, 180, [5, 10], 20)
    array([0., 0.])
    """
    return _measure("sl", volume, aht, agents, answer_within, interval, patience)


def asa(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Average speed of answer: mean wait of the contacts that are answered, seconds.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Mean wait in seconds of answered contacts (those that abandon are left out; the
        mean over all arrivals is ``abandonment * patience``). 0 with no contact;
        ``inf`` when the Erlang C queue is unstable; ``nan`` with patience, contacts and
        no agent, since then nobody is answered.

    Raises
    ------
    ValueError
        For the same input as :func:`service_level`.

    Examples
    --------
    >>> round(float(asa(600, 120, 26, interval=3600)), 3)
    2.868
    >>> float(asa(100, 180, 10))
    inf
    """
    return _measure("asa", volume, aht, agents, None, interval, patience)


def probability_wait(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Probability that an arriving contact has to wait (Erlang C, or its Erlang A form).

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability 0-1: 0 with no contact, 1 when the Erlang C queue is unstable.

    Raises
    ------
    ValueError
        For the same input as :func:`service_level`.

    Examples
    --------
    >>> round(float(probability_wait(100, 180, 14)), 6)
    0.174132
    >>> round(float(probability_wait(100, 180, 14, patience=300)), 5)
    0.14526
    """
    return _measure("pw", volume, aht, agents, None, interval, patience)


def abandonment(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    patience: ArrayLike,
    *,
    interval: ArrayLike = 1800,
) -> FloatResult:
    """Share of offered contacts that abandon before an answer (Erlang A).

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    patience : array_like
        Mean patience, seconds (> 0), exponential.
    interval : array_like, default 1800
        Interval length, seconds (> 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Abandonment rate, a fraction 0-1: 0 with no contact, 1 with contacts and no
        agent.

    Raises
    ------
    ValueError
        For the same input as :func:`service_level`, and for ``patience=None``.

    Examples
    --------
    >>> round(float(abandonment(100, 180, 13, patience=300)), 6)
    0.024963
    """
    if patience is None:
        raise ValueError("patience must be given for abandonment (got None)")
    return _measure("ab", volume, aht, agents, None, interval, patience)


def occupancy(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Busy share of the agents' time.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.

    Returns
    -------
    numpy.ndarray or numpy.float64
        A fraction 0-1. Erlang C: ``traffic / agents``, capped at 1 (unstable queue or
        no agent). Erlang A: the carried traffic over the agents, ``(1 - abandonment) *
        traffic / agents``, and 0 with no agent. 0 with no contact.

    Raises
    ------
    ValueError
        For the same input as :func:`service_level`.

    Examples
    --------
    >>> round(float(occupancy(100, 180, 14)), 6)
    0.714286
    >>> float(occupancy(100, 180, 8))
    1.0
    """
    return _measure("occ", volume, aht, agents, None, interval, patience)


def required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    service_level: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    max_asa: ArrayLike | None = None,
    max_abandonment: ArrayLike | None = None,
) -> IntResult:
    """Fewest agents meeting every given target, per interval.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    answer_within : array_like
        Service-level threshold, seconds (>= 0).
    service_level : array_like
        Target share answered within ``answer_within``, a fraction in (0, 1].
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.
    max_occupancy : array_like or None, default None
        Highest acceptable occupancy, a fraction in (0, 1].
    max_asa : array_like or None, default None
        Highest acceptable ASA (answered contacts), seconds (> 0).
    max_abandonment : array_like or None, default None
        Highest acceptable abandonment rate, a fraction in (0, 1]; always met without
        patience.

    Returns
    -------
    numpy.ndarray or numpy.int64
        Agents (int64): with ``n`` agents every target is met, with ``n - 1`` at least
        one is missed. 0 for no contact.

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, a target outside its range, or input beyond the
        limits of :mod:`wfm.erlang` (as :func:`service_level`, and a ``max_occupancy``
        below ``traffic / 1e7``, which would need more than 1e7 agents).

    Notes
    -----
    Erlang C starts at the stability bound ``floor(traffic) + 1`` and walks up with the
    Erlang B recursion, a block of counts at a time for all intervals at once. Erlang A
    gallops up from ``service_level * traffic`` (no fewer agents can answer that share)
    and bisects. Both are exact: the answer satisfies the same formulas as
    :func:`service_level` and friends.

    Examples
    --------
    >>> required_agents(100, 180, answer_within=20, service_level=[0.8, 0.9])
    array([14, 15])
    >>> int(required_agents(100, 180, 20, 0.8, patience=300))
    13
    >>> int(required_agents(0, 180, 20, 0.8))
    0
    """
    v = check("volume", volume, low=0.0, limit=MAX_VOLUME, unit=" contacts")
    h = check("aht", aht, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    t = check("answer_within", answer_within, low=0.0)
    sl = check("service_level", service_level, low=0.0, low_strict=True, high=1.0)
    iv = check("interval", interval, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    p = check_optional("patience", patience, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    mo = check_optional("max_occupancy", max_occupancy, low=0.0, low_strict=True, high=1.0)
    ma = check_optional("max_asa", max_asa, low=0.0, low_strict=True)
    mb = check_optional("max_abandonment", max_abandonment, low=0.0, low_strict=True, high=1.0)
    shape, (v, h, t, sl, iv), (p, mo, ma, mb) = flat([v, h, t, sl, iv], [p, mo, ma, mb])
    with np.errstate(over="ignore"):  # an overflow is refused just below
        a = v * h / iv
    check_traffic(v, h, iv, a)
    if p is not None:
        check_patience(p, h)
    if mo is not None:
        check_agents_for_occupancy(a, mo)
    result = np.zeros(a.shape, dtype=np.int64)
    idx = np.flatnonzero(a > 0)
    if idx.size:
        tg = Targets(a, h, t, sl, p, mo, ma, mb)
        with np.errstate(all="ignore"):
            n: FloatArray
            if p is None:
                n = required_c_fast(tg, idx)
            else:
                lower = np.maximum(np.floor(sl[idx] * a[idx] * (1.0 - 1e-9)), 1.0)
                n = bracket_search(tg.feasible, lower, idx)
        result[idx] = n.astype(np.int64)
    return out(result.reshape(shape))

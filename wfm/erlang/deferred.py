"""Deferred work (email, social posts): a fluid model of arrivals, backlog and deadlines.

Contacts of an interval arrive uniformly over it, agents work them first in, first out
and never ahead of arrivals, and every contact must be finished within ``answer_within``
seconds of its arrival. :func:`deferred_required_agents` describes the model.
"""

from __future__ import annotations

import math

import numpy as np

from wfm.erlang._checks import (
    MAX_SECONDS,
    MAX_TRAFFIC,
    MAX_VOLUME,
    ArrayLike,
    FloatArray,
    FloatResult,
    IntArray,
    check,
    fmt,
    out,
)

__all__ = ["deferred_backlog", "deferred_required_agents", "deferred_workload"]


def _scalar(name: str, arr: FloatArray) -> float:
    """The one number of a one-element array, or ``ValueError`` naming ``name``."""
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number (got an array of shape {arr.shape})")
    return float(arr.reshape(()))


def _check_workload(name: str, workload: FloatArray) -> None:
    """Refuse a workload (agents) above ``MAX_TRAFFIC``, naming where it is."""
    ok = workload <= MAX_TRAFFIC
    if ok.all():
        return
    i = int(np.flatnonzero(~ok.ravel())[0])
    where = f" in interval {i}" if workload.ndim else ""
    raise ValueError(f"{name} (the workload) must be at most {MAX_TRAFFIC:g} agents, the limit of"
                     f" wfm.erlang (got {fmt(workload.flat[i])} agents{where})")


def _deferred_inputs(
    volume: ArrayLike, aht: ArrayLike, interval: ArrayLike, backlog: ArrayLike
) -> tuple[FloatArray, FloatArray, float, float]:
    """Validate the inputs of the fluid model: volume and aht per interval, interval, backlog."""
    v = check("volume", volume, low=0.0, limit=MAX_VOLUME, unit=" contacts")
    if v.ndim != 1:
        raise ValueError(f"volume must be a 1-d array of contacts per interval (got {v.ndim}-d)")
    h = check("aht", aht, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    try:
        h = np.broadcast_to(h, v.shape).astype(np.float64)
    except ValueError:
        raise ValueError(f"aht must be a number or one value per interval (got shape {h.shape},"
                         f" volume has {v.size} intervals)") from None
    iv = _scalar("interval", check("interval", interval, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s"))
    b0 = _scalar("backlog", check("backlog", backlog, low=0.0, limit=MAX_VOLUME, unit=" contacts"))
    with np.errstate(over="ignore"):  # an overflow is refused just below
        _check_workload("volume * aht / interval", v * h / iv)
        backlog_ok = b0 * h[0] / iv <= MAX_TRAFFIC if v.size else True
    if not backlog_ok:
        raise ValueError(f"backlog * aht / interval (the backlog's workload) must be at most {MAX_TRAFFIC:g}"
                         f" agents, the limit of wfm.erlang (got backlog={fmt(b0)}, aht={fmt(h[0])} s,"
                         f" interval={fmt(iv)} s)")
    return v, h, iv, b0


def deferred_workload(volume: ArrayLike, aht: ArrayLike, *, interval: ArrayLike = 1800) -> FloatResult:
    """Agents of pure workload: ``volume * aht / interval``.

    Parameters
    ----------
    volume : array_like
        Contacts arriving per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Agents needed to keep pace with the arrivals, no queueing (fractional).

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, or a workload above 1e6 agents, a handle time or
        interval above 1e9 s (the limits of :mod:`wfm.erlang`).

    Examples
    --------
    >>> float(deferred_workload(30, 240))
    4.0
    """
    v = check("volume", volume, low=0.0, limit=MAX_VOLUME, unit=" contacts")
    h = check("aht", aht, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    iv = check("interval", interval, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    with np.errstate(over="ignore"):  # an overflow is refused just below
        workload = np.asarray(v * h / iv, dtype=np.float64)
    _check_workload("volume * aht / interval", workload)
    return out(workload)


def _ceil_tol(x: float) -> int:
    """Ceiling that forgives rounding noise: 3.0000000000004 -> 3 (never more than half an agent)."""
    return max(0, math.ceil(x - min(1e-9 * max(1.0, abs(x)), 0.5)))


def deferred_required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: float,
    *,
    interval: float = 1800,
    backlog: float = 0.0,
) -> IntArray:
    """Fewest whole agents per interval that finish every deferred contact in time.

    The fluid model. Contacts of interval ``i`` arrive uniformly over it, so work arrives
    at ``volume[i] * aht[i] / interval`` agent-seconds per second. During interval ``j``
    the ``staff[j]`` agents work through it first in, first out at ``staff[j]``
    agent-seconds per second, but never faster than work is there: agents cannot work
    ahead of arrivals. Every contact must be *finished* within ``answer_within`` seconds
    of its arrival, a deadline that may fall many intervals later: at every instant
    ``t`` the work done so far must be at least the work that arrived before
    ``t - answer_within``.

    Going forward interval by interval, each interval gets the least staff that meets
    every deadline falling inside it, given the backlog carried in (the "latest" policy).
    Work done is piecewise linear and so is the work due, so the deadlines need checking
    only at the interval's end and at the one point inside it where the due-work curve
    bends (``answer_within`` past an interval boundary, when ``answer_within`` is not a
    multiple of ``interval``). Work whose deadline falls after the last interval is not
    required. With these staff levels no interval can lose one agent without a deadline
    being missed in it.

    Parameters
    ----------
    volume : array_like, 1-d
        Contacts arriving per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0): one value, or one per interval.
    answer_within : float
        Deadline from arrival to completion, seconds (>= 0).
    interval : float, default 1800
        Interval length, seconds (> 0).
    backlog : float, default 0
        Contacts already waiting at time 0 (handle time ``aht[0]``), all due at
        ``answer_within``. Needs ``answer_within > 0`` when positive.

    Returns
    -------
    numpy.ndarray
        Agents per interval (int64), same length as ``volume``.

    Raises
    ------
    ValueError
        For a negative, NaN or infinite value, volume not 1-d, a backlog with no time to do
        it, or input beyond the limits of :mod:`wfm.erlang`: a workload above 1e6 agents in
        an interval or in the backlog, more than 1e12 contacts, a handle time or interval
        above 1e9 s.

    Examples
    --------
    Ten agents of work arriving in each of four intervals, due one interval later, are
    worked one interval late:

    >>> deferred_required_agents([60, 60, 60, 60], 300, answer_within=1800)
    array([ 0, 10, 10, 10])
    """
    v, h, iv, b0 = _deferred_inputs(volume, aht, interval, backlog)
    tat = _scalar("answer_within", check("answer_within", answer_within, low=0.0))
    if b0 > 0 and tat == 0:
        raise ValueError("backlog must be 0 when answer_within is 0 (got "
                         f"{b0!r}: it could never be on time)")
    m = v.size
    if tat / iv > m + 2:  # every deadline falls after the last interval
        return np.zeros(m, dtype=np.int64)
    work = v * h
    cum = np.concatenate(([b0 * (h[0] if m else 0.0)], work)).cumsum()  # W(t_i), i = 0..m
    q, rest = divmod(tat, iv)
    q = int(q)
    if rest <= 1e-9 * iv:
        rest = 0.0
    elif iv - rest <= 1e-9 * iv:
        q, rest = q + 1, 0.0

    def due(k: int, frac: float) -> float:
        """Work arrived by ``t_k + frac * interval`` (0 <= frac <= 1), incl. the backlog."""
        if k < 0:
            return 0.0
        if k >= m:
            return float(cum[m])
        return float(cum[k] + work[k] * frac)

    staff = np.zeros(m, dtype=np.int64)
    done = 0.0
    for j in range(m):
        # the interval's end: t_{j+1} - tat = t_{j+1-q} - rest
        if rest == 0.0:
            need_end = due(j + 1 - q, 0.0)
        else:
            need_end = due(j - q, 1.0 - rest / iv)
        rate = (need_end - done) / iv
        if rest > 0.0 and j - q >= 0:  # the bend at t_j + rest, due = W(t_{j-q})
            rate = max(rate, (due(j - q, 0.0) - done) / rest)
        s = _ceil_tol(rate)
        staff[j] = s
        done = min(done + s * iv, float(cum[j + 1]))
    return staff


def deferred_backlog(
    volume: ArrayLike,
    aht: ArrayLike,
    staff: ArrayLike,
    *,
    interval: float = 1800,
    backlog: float = 0.0,
) -> FloatArray:
    """Fluid backlog, in contacts, at the end of each interval for a given staff curve.

    The same fluid model as :func:`deferred_required_agents`: uniform arrivals within
    each interval, first in first out, ``staff[j]`` agent-seconds of work per second
    while there is work, never ahead of arrivals.

    Parameters
    ----------
    volume : array_like, 1-d
        Contacts arriving per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0): one value or one per interval.
    staff : array_like
        Agents working per interval (>= 0, may be fractional), one value or one per
        interval.
    interval : float, default 1800
        Interval length, seconds (> 0).
    backlog : float, default 0
        Contacts waiting at time 0 (handle time ``aht[0]``).

    Returns
    -------
    numpy.ndarray
        Contacts not yet finished at the end of each interval (float).

    Raises
    ------
    ValueError
        For the same input as :func:`deferred_required_agents`, and for a negative, NaN or infinite staff.

    Examples
    --------
    >>> deferred_backlog([60, 60, 60], 300, [0, 10, 10])
    array([60., 60., 60.])
    """
    v, h, iv, b0 = _deferred_inputs(volume, aht, interval, backlog)
    s = check("staff", staff, low=0.0)
    try:
        s = np.broadcast_to(s, v.shape)
    except ValueError:
        raise ValueError(f"staff must be a number or one value per interval (got shape {s.shape},"
                         f" volume has {v.size} intervals)") from None
    m = v.size
    # cumulative work and contacts at 0 (before the backlog), t_0 (with it), t_1, ..., t_m
    cum_w = np.concatenate(([0.0, b0 * (h[0] if m else 0.0)], v * h)).cumsum()
    cum_n = np.concatenate(([0.0, b0], v)).cumsum()
    out = np.zeros(m)
    done = 0.0
    for j in range(m):
        arrived = float(cum_w[j + 2])
        done = min(done + float(s[j]) * iv, arrived)
        # contacts finished: invert the piecewise-linear work curve (first in, first out)
        k = int(np.searchsorted(cum_w, done, side="right")) - 1
        k = min(max(k, 0), cum_w.size - 2)
        piece = cum_w[k + 1] - cum_w[k]
        frac = min(max((done - cum_w[k]) / piece, 0.0), 1.0) if piece > 0 else 1.0
        finished = cum_n[k] + frac * (cum_n[k + 1] - cum_n[k])
        out[j] = max(cum_n[j + 2] - finished, 0.0)
    return out

"""Voice with capacity limits: trunk lines, a queue capacity and balking (M/M/n/K+M).

The queue
---------
Poisson arrivals of ``volume`` contacts per ``interval`` seconds, exponential handle
times of mean ``aht``, ``agents`` agents, FIFO, exponential patience of mean ``patience``
(``None``: nobody abandons), and the limits of :mod:`wfm.sim`'s switch:

* ``lines``: trunk lines; a call holds one while it waits and while it is served, and a
  call that finds every line busy is **blocked**;
* ``queue_capacity``: contacts that may wait at once; a call that would wait beyond it
  is **blocked**;
* ``balking``: the share of callers who hang up at once (**balked**) when they would
  have to wait. The engine asks in this order: a free line (else blocked), a free agent
  (answered at once), balk, room in the queue (else blocked).

The number of calls in the system is then a birth-death chain on ``0..K`` with
``K = min(lines, agents + queue_capacity)``: births at the arrival rate ``lambda`` below
``agents`` and ``lambda * (1 - balking)`` from ``agents`` on, deaths at
``min(j, agents) / aht + max(j - agents, 0) / patience``. Its stationary law is exact
(computed in log space, so thousands of states keep their digits), and by PASTA an
arrival sees it. A caller who joins with ``i`` calls ahead of it in the queue reaches an
agent after ``i + 1`` steps at rates ``agents / aht + k / patience`` (``k = i..0``: a
call ahead is answered or abandons), while its own patience runs at ``1 / patience``.
From that chain:

* answered, abandoned, blocked and balked shares of the offered calls;
* the service level by the channel's ``definition`` (as :class:`wfm.scenario.Target`
  and the simulation count it): answered within ``answer_within`` / offered
  (``offered``, blocked and balked calls are offered), / (answered + abandoned after
  ``answer_within``) (``answered_and_late_abandoned``), / answered (``answered``);
  ``P(answered, wait <= t | i ahead)`` is the Erlang-k CDF without patience and
  ``expm(G t)`` of the caller's absorbing chain with it (:func:`scipy.sparse.linalg.expm_multiply`);
* ASA, the mean wait of answered calls (0 for those answered at once), from the exact
  recursion ``T_i = s_i / r_i + p_i T_(i-1)`` (``s_i`` the chance of being answered from
  ``i`` ahead, ``r_i`` the total rate out of the state, ``p_i`` the chance its next step
  is forward);
* occupancy: mean busy agents / agents.

Without ``lines`` and ``queue_capacity`` the queue has no limit: use
:func:`wfm.erlang.service_level` (Erlang C or A) instead. With ``lines = agents`` and no
patience this is Erlang B (M/M/n/n); with ``balking = 0`` and ``queue_capacity = 0`` too.

Examples
--------
>>> q = finite_queue(100, 180, 10, 20, lines=10)  # 10 Erlangs on 10 lines: Erlang B
>>> round(float(q.blocked), 6)
0.214582
>>> q = finite_queue(100, 180, 12, 20, queue_capacity=5, patience=120)
>>> round(float(q.blocked + q.balked + q.abandoned + q.answered), 12)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import expm_multiply
from scipy.special import gammainc, logsumexp

from wfm.erlang._checks import (
    MAX_AGENTS,
    MAX_SECONDS,
    MAX_VOLUME,
    ArrayLike,
    FloatResult,
    check,
    check_optional,
    check_patience,
    check_traffic,
    flat,
    out,
)

__all__ = ["MAX_STATES", "FiniteQueue", "finite_queue"]

#: States of one queue's chain (``lines``, or ``agents + queue_capacity``, plus one) at most.
MAX_STATES = 100_000
#: Chain states summed over every broadcast element at most (bounds the work of one call).
MAX_TOTAL_STATES = 10_000_000

Definition = Literal["offered", "answered_and_late_abandoned", "answered"]
_DEFINITIONS = ("offered", "answered_and_late_abandoned", "answered")


@dataclass(frozen=True)
class FiniteQueue:
    """Measures of :func:`finite_queue`, each a numpy scalar or an array of the broadcast
    shape. Shares are fractions (0-1) of the offered calls; times are seconds.

    Attributes
    ----------
    answered, abandoned, blocked, balked : float or ndarray
        Shares of the offered calls; they add up to 1.
    short_abandoned : float or ndarray
        Share abandoned within ``answer_within`` (part of ``abandoned``).
    answered_in_target : float or ndarray
        Share answered within ``answer_within`` (at once included).
    probability_wait : float or ndarray
        Share that joins the queue (neither answered at once nor lost on arrival).
    service_level : float or ndarray
        ``answered_in_target`` over the denominator the ``definition`` names; 1 with no
        contact, NaN where the denominator is 0.
    asa : float or ndarray
        Mean wait of answered calls, seconds.
    occupancy : float or ndarray
        Mean busy agents / agents (0 with no agent).

    Examples
    --------
    >>> q = finite_queue(100, 180, 11, 20, queue_capacity=3)  # 10 Erlangs, 11 agents
    >>> round(float(q.blocked), 4), round(float(q.asa), 2), round(float(q.occupancy), 4)
    (0.0872, 11.03, 0.8298)
    """

    answered: FloatResult
    abandoned: FloatResult
    blocked: FloatResult
    balked: FloatResult
    short_abandoned: FloatResult
    answered_in_target: FloatResult
    probability_wait: FloatResult
    service_level: FloatResult
    asa: FloatResult
    occupancy: FloatResult

    def to_frame(self) -> pd.DataFrame:
        """The measures as a DataFrame, one row per broadcast element (in C order).

        Examples
        --------
        >>> finite_queue([80, 100], 180, 10, 20, lines=12).to_frame()[["blocked", "asa"]].round(4)
               blocked     asa
        0   0.0663  5.1887
        1   0.1501  9.5403
        """
        return pd.DataFrame({k: np.asarray(v).ravel() for k, v in self.__dict__.items()})


def _one(
    lam: float, mu: float, n: int, cap: int, blocked_at_cap: float, theta: float,
    b: float, t: float,
) -> tuple[float, ...]:
    """Measures of one queue: arrival rate ``lam``, service rate ``mu`` per agent, ``n``
    agents, ``cap`` calls in the system at most (lines or agents + queue capacity),
    ``blocked_at_cap`` the share of arrivals at ``cap`` blocked rather than balking
    (1 when the lines are full), abandonment rate ``theta``, balking share ``b``,
    threshold ``t`` (seconds).

    Returns (answered, abandoned, blocked, balked, short_abandoned, in_target, wait,
    asa, occupancy)."""
    if lam == 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    j = np.arange(cap + 1, dtype=np.float64)
    births = np.where(j[:-1] < n, lam, lam * (1.0 - b))
    deaths = np.minimum(j[1:], n) * mu + np.maximum(j[1:] - n, 0.0) * theta
    if n == 0 and theta == 0.0:  # nobody ever leaves: the chain climbs to the top
        pi = np.zeros(cap + 1)
        pi[0 if b == 1.0 else cap] = 1.0  # ... unless every caller balks
    else:
        with np.errstate(divide="ignore"):
            logp = np.concatenate([[0.0], np.cumsum(np.log(births) - np.log(deaths))])
        pi = np.exp(logp - logsumexp(logp))
    m = min(n, cap)  # states where an arrival is answered at once
    at_once = float(pi[:m].sum())
    qstates = pi[m:cap]  # an agent is busy, the call may wait (room left)
    joins = float(qstates.sum()) * (1.0 - b)
    balked = float(qstates.sum()) * b + float(pi[cap]) * (1.0 - blocked_at_cap) * b
    blocked = float(pi[cap]) * (1.0 - (1.0 - blocked_at_cap) * b)
    busy = float((np.minimum(j, n) * pi).sum())
    occupancy = busy / n if n > 0 else 0.0
    q = cap - m  # queue positions 0..q-1 (calls ahead)
    if q == 0 or joins == 0.0:
        return (at_once, 0.0, blocked, balked, 0.0, at_once, 0.0, 0.0, occupancy)
    weights = qstates * (1.0 - b)
    i = np.arange(q, dtype=np.float64)
    fwd = n * mu + i * theta  # rate at which the call moves forward from i ahead
    rate = fwd + theta
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(rate > 0, fwd / np.where(rate > 0, rate, 1.0), 0.0)
    s = np.cumprod(p)  # answered from i ahead
    tail = np.zeros(q)  # E[wait 1{answered} | i ahead]
    acc = 0.0
    for k in range(q):
        acc = (s[k] / rate[k] if rate[k] > 0 else 0.0) + p[k] * acc
        tail[k] = acc
    answered = at_once + float((weights * s).sum())
    abandoned = max(joins - float((weights * s).sum()), 0.0)
    if n == 0:
        served_by_t = np.zeros(q)
        aband_by_t = np.full(q, -math.expm1(-theta * t))
    elif theta == 0.0:
        served_by_t = np.asarray(gammainc(i + 1.0, n * mu * t), dtype=np.float64)
        aband_by_t = np.zeros(q)
    elif t == 0.0:
        served_by_t = np.zeros(q)
        aband_by_t = np.zeros(q)
    else:  # the caller's absorbing chain: positions 0..q-1, answered (q), abandoned (q+1)
        rows = np.concatenate([i, i[1:], i, i]).astype(np.int64)
        cols = np.concatenate([i, i[1:] - 1, i, i]).astype(np.int64)
        cols[2 * q - 1:3 * q - 1] = q
        cols[3 * q - 1:] = q + 1
        cols[0] = 0
        vals = np.concatenate([-rate, fwd[1:], np.zeros(q), np.full(q, theta)])
        vals[2 * q - 1] = fwd[0]  # from 0 ahead: to an agent
        gen = sparse.csr_matrix((vals * t, (rows, cols)), shape=(q + 2, q + 2))
        ends = np.zeros((q + 2, 2))
        ends[q, 0] = ends[q + 1, 1] = 1.0
        probs = expm_multiply(gen, ends)
        served_by_t = np.clip(probs[:q, 0], 0.0, 1.0)
        aband_by_t = np.clip(probs[:q, 1], 0.0, 1.0)
    in_target = at_once + float((weights * served_by_t).sum())
    short = float((weights * aband_by_t).sum())
    asa = float((weights * tail).sum()) / answered if answered > 0 else 0.0
    return (answered, abandoned, blocked, balked, short, in_target, joins, asa, occupancy)


def finite_queue(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    answer_within: ArrayLike,
    *,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
    lines: ArrayLike | None = None,
    queue_capacity: ArrayLike | None = None,
    balking: ArrayLike = 0.0,
    definition: Definition = "offered",
) -> FiniteQueue:
    """Exact measures of a voice queue with trunk lines, a queue capacity and balking.

    The model is described in :mod:`wfm.erlang.finite`; it is the steady state of one
    interval, as the other functions of :mod:`wfm.erlang`.

    Parameters
    ----------
    volume : array_like
        Calls offered per interval (>= 0).
    aht : array_like
        Mean handle time, seconds (> 0).
    agents : array_like
        Agents on duty (whole number >= 0).
    answer_within : array_like
        Service-level threshold, seconds (>= 0).
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0, exponential); ``None``: nobody abandons.
    lines : array_like or None
        Trunk lines (whole number >= 0); ``None``: no line limit.
    queue_capacity : array_like or None
        Calls that may wait at once (whole number >= 0); ``None``: no limit.
    balking : array_like, default 0
        Share (0-1) of the callers who would have to wait that hang up at once.
    definition : {"offered", "answered_and_late_abandoned", "answered"}
        What the service level counts (see :class:`wfm.scenario.Target`).

    Returns
    -------
    FiniteQueue

    Raises
    ------
    ValueError
        For a bad value (named, with the value), neither ``lines`` nor
        ``queue_capacity`` given, or a chain beyond :data:`MAX_STATES` states
        (:data:`MAX_TOTAL_STATES` over the broadcast elements), refused before any work.

    Examples
    --------
    >>> q = finite_queue(100, 180, 11, 20, queue_capacity=3)
    >>> round(float(q.blocked), 4), round(float(q.service_level), 4)
    (0.0872, 0.7256)
    >>> round(float(finite_queue(100, 180, 11, 20, queue_capacity=3,
    ...                          definition="answered").service_level), 4)
    0.7949
    """
    if definition not in _DEFINITIONS:
        raise ValueError(f"definition must be one of {', '.join(_DEFINITIONS)} (got {definition!r})")
    if lines is None and queue_capacity is None:
        raise ValueError(
            "finite_queue needs lines or queue_capacity (got neither): without a limit use"
            " wfm.erlang.service_level (Erlang C or A)"
        )
    v = check("volume", volume, low=0.0, limit=MAX_VOLUME, unit=" contacts")
    h = check("aht", aht, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    n = check("agents", agents, low=0.0, integer=True, limit=MAX_AGENTS)
    t = check("answer_within", answer_within, low=0.0, limit=MAX_SECONDS, unit=" s")
    iv = check("interval", interval, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    bk = check("balking", balking, low=0.0, high=1.0)
    p = check_optional("patience", patience, low=0.0, low_strict=True, limit=MAX_SECONDS, unit=" s")
    ln = check_optional("lines", lines, low=0.0, limit=MAX_STATES - 1)
    qc = check_optional("queue_capacity", queue_capacity, low=0.0, limit=MAX_STATES - 1)
    for name, arr in (("lines", ln), ("queue_capacity", qc)):
        if arr is not None and (arr != np.floor(arr)).any():
            bad = float(arr[arr != np.floor(arr)].flat[0])
            raise ValueError(f"{name} must be a whole number (got {bad!r})")
    shape, (v, h, n, t, iv, bk), (p, ln, qc) = flat([v, h, n, t, iv, bk], [p, ln, qc])
    with np.errstate(over="ignore"):
        a = v * h / iv
    check_traffic(v, h, iv, a)
    if p is not None:
        check_patience(p, h)
    top_lines = ln if ln is not None else np.full(v.shape, np.inf)
    top_queue = n + qc if qc is not None else np.full(v.shape, np.inf)
    cap = np.minimum(top_lines, top_queue)
    if (cap >= MAX_STATES).any():
        k = int(np.argmax(cap >= MAX_STATES))
        raise ValueError(
            f"lines or agents + queue_capacity must stay below {MAX_STATES:,} (got"
            f" {cap[k]:.0f} at element {k}): the chain has one state per call in the system"
        )
    if float(cap.sum()) + cap.size > MAX_TOTAL_STATES:
        raise ValueError(
            f"the queues' chains have {float(cap.sum()) + cap.size:,.0f} states together,"
            f" more than {MAX_TOTAL_STATES:,}: ask for fewer elements at once"
        )
    res = np.empty((v.size, 9))
    for k in range(v.size):
        # at the top state the lines are full (blocked) unless the queue limit is lower
        at_cap_blocked = 1.0 if top_lines[k] <= top_queue[k] else 0.0
        res[k] = _one(
            float(v[k]) / float(iv[k]), 1.0 / float(h[k]), int(n[k]), int(cap[k]),
            at_cap_blocked, 0.0 if p is None else 1.0 / float(p[k]), float(bk[k]), float(t[k]),
        )
    answered, abandoned, blocked, balked, short, in_target, wait, asa_, occ = res.T
    offered = (answered + abandoned + blocked + balked)
    den = {
        "offered": offered,
        "answered_and_late_abandoned": answered + abandoned - short,
        "answered": answered,
    }[definition]
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(den > 0, in_target / np.where(den > 0, den, 1.0), np.nan)
    sl = np.where(v == 0, 1.0, sl)
    return FiniteQueue(*(out(np.asarray(x, float).reshape(shape)) for x in (
        answered, abandoned, blocked, balked, short, in_target, wait, sl, asa_, occ)))

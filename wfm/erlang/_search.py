"""Searches for the fewest agents meeting a set of targets (behind ``required_agents``).

:class:`Targets` holds the flattened inputs of a staffing question and tests whether a
number of agents meets every target with the same kernels as the public measures;
:func:`required_c_fast` walks up from the stability bound with the Erlang B recursion
(Erlang C), :func:`bracket_search` gallops and bisects (Erlang A, and near-ties).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wfm.erlang._checks import BoolArray, FloatArray, IndexArray
from wfm.erlang._measures import metrics
from wfm.erlang._special import log_erlang_b

WALK_BLOCKS = 24  # blocks of counts (about 5,000) walked by the recursion before bisecting


def bracket_search(
    feasible: Callable[[IndexArray, FloatArray], BoolArray],
    lower: FloatArray,
    idx: IndexArray,
) -> FloatArray:
    """Fewest agents for each of ``idx`` such that ``feasible`` holds.

    Every count below ``lower`` must be known infeasible. Gallops upward from ``lower``
    (steps 1, 2, 4, ...) to a feasible count, then bisects, so the answer ``n`` is
    feasible and ``n - 1`` is not (or is below ``lower``).
    """
    result = lower.astype(np.float64).copy()
    ok = feasible(idx, result)
    todo = np.flatnonzero(~ok)
    lo = result[todo]  # infeasible
    hi = lo.copy()
    step = np.ones(todo.shape)
    pending = np.arange(todo.size)  # positions in todo still galloping
    while pending.size:
        cand = lo[pending] + step[pending]
        good = feasible(idx[todo[pending]], cand)
        hi[pending[good]] = cand[good]
        lo[pending[~good]] = cand[~good]
        step[pending[~good]] *= 2.0
        pending = pending[~good]
        if step.size and step.max() > 2.0**60:
            raise RuntimeError("required_agents: no feasible agent count found")
    while todo.size:
        gap = hi - lo > 1.0
        if not gap.any():
            break
        pos = np.flatnonzero(gap)
        mid = np.floor((lo[pos] + hi[pos]) / 2.0)
        good = feasible(idx[todo[pos]], mid)
        hi[pos[good]] = mid[good]
        lo[pos[~good]] = mid[~good]
    result[todo] = hi
    return result


class Targets:
    """Flattened inputs of a staffing question and its feasibility test."""

    def __init__(
        self,
        a: FloatArray,
        aht: FloatArray,
        t: FloatArray,
        target: FloatArray,
        patience: FloatArray | None,
        max_occ: FloatArray | None,
        max_asa: FloatArray | None,
        max_ab: FloatArray | None,
    ) -> None:
        """Traffic (Erlangs), aht and ``t`` (seconds), the service-level target and the optional
        patience (seconds), occupancy, ASA (seconds) and abandonment limits, all flat."""
        self.a, self.aht, self.t, self.target = a, aht, t, target
        self.patience, self.max_occ, self.max_asa, self.max_ab = patience, max_occ, max_asa, max_ab
        want = {"sl"}
        if max_occ is not None:
            want.add("occ")
        if max_asa is not None:
            want.add("asa")
        if max_ab is not None and patience is not None:
            want.add("ab")
        self.want = frozenset(want)

    def feasible(self, idx: IndexArray, n: FloatArray) -> BoolArray:
        """Whether ``n`` agents meet every target of the intervals ``idx``."""
        p = None if self.patience is None else self.patience[idx]
        res = metrics(self.a[idx], n, self.aht[idx], self.t[idx], p, self.want)
        ok = res["sl"] >= self.target[idx]
        if self.max_occ is not None:
            ok &= res["occ"] <= self.max_occ[idx]
        if self.max_asa is not None:
            ok &= res["asa"] <= self.max_asa[idx]  # nan (nobody answered) fails
        if self.max_ab is not None and "ab" in res:
            ok &= res["ab"] <= self.max_ab[idx]
        return ok


def required_c_fast(tg: Targets, idx: IndexArray) -> FloatArray:
    """Erlang C search: the Erlang B recursion upward from the stability bound.

    Erlang B is computed once, at ``floor(traffic) + 1`` agents; the recursion
    ``B(n+1) = a B(n) / (n + 1 + a B(n))`` then gives the next counts, a block of them at
    a time for every interval at once, and the next block only for the intervals still
    short. Intervals whose measures land within 1e-9 of a target are re-solved with the
    public formulas, so the answer always agrees with :func:`service_level`,
    :func:`asa` and :func:`occupancy`; so are the few still short after ``WALK_BLOCKS``
    blocks (targets such as an ASA of 1e-300 s, met only thousands of agents up), by
    bisection from where the walk stopped.
    """
    if idx.size == tg.a.size:  # every interval (idx is all of them, in order): no copies
        a, t, aht, target = tg.a, tg.t, tg.aht, tg.target
        max_asa, max_occ = tg.max_asa, tg.max_occ
    else:
        a, t, aht, target = tg.a[idx], tg.t[idx], tg.aht[idx], tg.target[idx]
        max_asa = None if tg.max_asa is None else tg.max_asa[idx]
        max_occ = None if tg.max_occ is None else tg.max_occ[idx]
    kappa = t / aht
    room_sl = 1.0 - target  # the largest acceptable 1 - service level
    n0 = np.floor(a) + 1.0
    if max_occ is not None:
        n0 = np.maximum(n0, np.ceil(a / max_occ) - 1.0)
    start = n0.copy()
    b = np.exp(log_erlang_b(a, n0))
    result = np.empty(a.shape)
    delicate = np.zeros(a.shape, dtype=bool)
    rows = np.arange(a.size)
    block = 12
    for _ in range(WALK_BLOCKS):
        if not rows.size:
            break
        ar, nr, br, kr = a[rows], n0[rows], b[rows], kappa[rows]
        steps = np.arange(block, dtype=np.float64)[:, None]
        ns = nr + steps  # (block, intervals): counts tried
        bs = np.empty(ns.shape)
        es = np.empty(ns.shape)
        bs[0] = br
        es[0] = np.exp(-(nr - ar) * kr)
        q = np.exp(-kr)
        ab = np.empty(ar.shape)
        den = np.empty(ar.shape)
        for k in range(1, block):  # B(n+1) = a B(n) / (n + 1 + a B(n)), in place
            np.multiply(ar, bs[k - 1], out=ab)
            np.add(ns[k], ab, out=den)
            np.divide(ab, den, out=bs[k])
            np.multiply(es[k - 1], q, out=es[k])
        gap = ns - ar
        c = ns * bs / (gap + ar * bs)  # Erlang C
        room = room_sl[rows] - c * es
        ok = room >= 0.0
        near = np.abs(room) <= 1e-9
        if max_asa is not None:
            lim = max_asa[rows]
            w = c / gap * aht[rows]
            ok &= w <= lim
            # (an ASA limit in the underflow range is a near-tie too: the recursion and the
            # public formula part ways there)
            near |= np.abs(w - lim) <= 1e-9 * lim + 1e-280
        if max_occ is not None:
            lim = max_occ[rows]
            occ = ar / ns
            ok &= occ <= lim
            near |= np.abs(occ - lim) <= 1e-9 * lim
        found = ok.any(axis=0)
        first = ok.argmax(axis=0)
        hit = rows[found]
        result[hit] = n0[hit] + first[found]
        tie = near.any(axis=0)
        delicate[rows] |= tie
        # a near-tie is re-solved below from the start, so its walk can stop here (walking
        # on could take long: a target met only once Erlang C underflows to 0)
        go_on = ~found & ~tie
        nxt = rows[go_on]
        last = bs[-1, go_on]
        n0[nxt] += block
        b[nxt] = a[nxt] * last / (n0[nxt] + a[nxt] * last)
        rows = nxt
        block = min(2 * block, 256)
    if rows.size:  # far from the stability bound (targets met only near underflow): bisect
        result[rows] = bracket_search(tg.feasible, n0[rows], idx[rows])
    if delicate.any():
        d = np.flatnonzero(delicate)
        result[d] = bracket_search(tg.feasible, start[d], idx[d])
    return result

"""Closed-form queueing for contact centres, vectorised with numpy and scipy.

Every function takes scalars or arrays in any mix and broadcasts them with numpy's rules:
scalars in give a numpy scalar out, arrays in give an array of the broadcast shape out.
Times are in **seconds**. ``volume`` is the number of contacts offered per ``interval``
seconds, so the offered traffic is ``a = volume * aht / interval`` Erlangs.

Models
------
Voice, Erlang C (``patience=None``): M/M/n. Arrivals are Poisson, handle times
exponential with mean ``aht``, ``n`` agents, nobody abandons. The probability of waiting
is Erlang C, and the service level is ``1 - C * exp(-(n - a) * t / aht)``. When the
traffic reaches the agents (``a >= n``) the queue is unstable: service level 0, ASA
``inf``, probability of waiting 1, occupancy 1.

Voice, Erlang A (``patience`` given): M/M/n+M (Palm, Mandelbaum & Zeltyn). Waiting
contacts abandon after an exponential patience of mean ``patience``. Abandoned contacts
count as misses in the service level, and ASA is the mean wait of the contacts that were
answered. With ``x = n * patience / aht`` (``n mu / theta``), ``r = lambda * patience``
(``lambda / theta``), ``T = t / patience``, ``P(s, z)`` the regularised lower incomplete
gamma, Mandelbaum & Zeltyn's ``A(x, r) = Gamma(x + 1) e^r r^-x P(x, r)`` (which is
``1F1(1; x + 1; r)``, the mass of the waiting states relative to the all-busy state) and
``B`` Erlang B with ``a`` Erlangs on ``n`` agents:

* ``P(wait) = A B / (1 - B + A B)``;
* ``P(served | wait) = (x / r) P(x + 1, r) / P(x, r)`` and ``P(abandon) = P(wait) *
  (1 - P(served | wait))``, which is M&Z's ``1 - 1/rho + 1/(rho A)`` with
  ``rho = a / n``;
* ``P(served, wait <= t | wait) = P(served | wait) * (P(x + 1, r) - P(x + 1, r e^-T)) /
  P(x + 1, r)``, so the service level is ``1 - P(wait) + P(wait) * P(served,
  wait <= t | wait)``. (The offered wait of a contact that must wait is
  ``patience * log(r / S)`` with ``S`` a Gamma(x) variable truncated to ``(0, r)``;
  weighting by the chance of outlasting it shifts the shape to ``x + 1``.)
* ASA: the wait of a contact that waits and is served has the density (in ``w = wait /
  patience``) proportional to ``exp(-(x + 1) w + r (1 - e^-w))``. Its mean has no
  closed form in ``P`` (it needs the derivative of ``P`` in its shape) and is integrated
  by Gauss-Legendre quadrature over the bulk of that log-concave density (to
  ``exp(-50)`` of its peak, 96 nodes), good to about 1e-14.

``log A`` is computed with Loader's ``stirlerr`` and ``bd0`` so that it keeps its digits
for tens of thousands of agents; far below the mode (``x - r > 50``, or where ``P``
underflows) the power series of ``A`` and of its derivative replace the incomplete
gammas, which lose digits there, and give ``P(abandon | wait) = A'(r) / A(r)`` free of
cancellation. Erlang B is ``pmf / cdf`` of a Poisson law in log space, and where that
cdf is far in its tail (traffic well above the agents) the terminating series
``1/B = sum_j prod_{i<j} (n - i) / a`` of the Erlang B recursion. No factorial is ever
formed; results match the exact birth-death chain to about 1e-12.

Chat (``chat_service_level``, ``chat_required_agents``): sessions as servers. An agent
holds up to ``concurrency`` sessions at once, and the session length (``aht``, the mean
length of a session while it is held) does not depend on how many sessions the agent
holds, so ``n`` agents are ``n * concurrency`` independent servers of an
M/M/(n k)(+M) queue. No slowdown factor is applied. Required agents are
``ceil(required servers / concurrency)``; occupancy is that of the session slots.

Deferred work (email, social; ``deferred_*``): a fluid model, described in
:func:`deferred_required_agents`.

Examples
--------
>>> from wfm import erlang
>>> int(erlang.required_agents(volume=100, aht=180, answer_within=20, service_level=0.8))
14
>>> round(float(erlang.service_level(100, 180, 14, answer_within=20)), 4)
0.8884
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = [
    "abandonment",
    "asa",
    "chat_required_agents",
    "chat_service_level",
    "deferred_backlog",
    "deferred_required_agents",
    "deferred_workload",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "probability_wait",
    "required_agents",
    "service_level",
]

ArrayLike = npt.ArrayLike
FloatResult = np.ndarray | np.float64
IntResult = np.ndarray | np.int64

_LOG_2PI = math.log(2.0 * math.pi)
_TINY = 1e-290  # below this an incomplete gamma value is treated as underflowed
_QUAD_DROP = 50.0  # the quadrature covers the density down to exp(-50) of its peak
_QUAD_NODES = 48
_GL_Z, _GL_W = np.polynomial.legendre.leggauss(_QUAD_NODES)
_GL_Z = 0.5 * (_GL_Z + 1.0)  # nodes on (0, 1)
_GL_W = 0.5 * _GL_W
_SEARCH_CHUNK = 16  # agent counts tried at once by the Erlang C search


# ----------------------------------------------------------------------------- validation


def _fmt(value: float) -> str:
    return repr(float(value))


def _check(
    name: str,
    value: ArrayLike,
    *,
    low: float | None = None,
    low_strict: bool = False,
    high: float | None = None,
    integer: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array, or raise ``ValueError`` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers (got {value!r})") from None
    ok = arr < np.inf
    if low is not None:
        ok &= (arr > low) if low_strict else (arr >= low)
    if high is not None:
        ok &= arr <= high
    if integer:
        ok &= arr == np.floor(arr)
    if ok.all():
        return arr
    bad = arr[~ok].flat[0] if arr.ndim else arr[()]
    if np.isnan(bad):
        raise ValueError(f"{name} must not be NaN (got nan)")
    if not np.isfinite(bad):
        raise ValueError(f"{name} must be finite (got {_fmt(bad)})")
    if low is not None and ((bad <= low) if low_strict else (bad < low)):
        raise ValueError(f"{name} must be {'>' if low_strict else '>='} {low:g} (got {_fmt(bad)})")
    if high is not None and bad > high:
        raise ValueError(f"{name} must be <= {high:g} (got {_fmt(bad)})")
    raise ValueError(f"{name} must be a whole number (got {_fmt(bad)})")


def _check_optional(name: str, value: ArrayLike | None, **kw) -> np.ndarray | None:
    return None if value is None else _check(name, value, **kw)


def _out(arr: np.ndarray):
    """Numpy scalar for 0-d results, the array otherwise."""
    return arr[()] if arr.ndim == 0 else arr


def _flat(*arrays: np.ndarray | None) -> tuple[tuple[int, ...], list[np.ndarray | None]]:
    """Broadcast the arrays (``None`` passes through) and flatten them to 1-d."""
    present = [a for a in arrays if a is not None]
    shape = np.broadcast_shapes(*(a.shape for a in present))
    flat = [None if a is None else np.broadcast_to(a, shape).ravel() for a in arrays]
    return shape, flat


# ----------------------------------------------------------------------------- special parts


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """``log(n!) - ((n + 1/2) log n - n + log(2 pi) / 2)`` for ``n > 0``, accurately."""
    big = n >= 15.0
    nb = np.where(big, n, 15.0)
    inv = 1.0 / nb
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))
    if big.all():
        return series
    ns = np.where(big, 1.0, n)
    direct = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - 0.5 * _LOG_2PI
    return np.where(big, series, direct)


def _bd0(n: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``n log(n / z) + z - n`` (>= 0) for ``n > 0``, without cancellation."""
    t = (z - n) / n
    near = n * (t - np.log1p(t))  # accurate unless z << n, where 1 + t loses digits
    far = n * np.log(n / z) + z - n
    return np.where(t < -0.5, far, near)


def _log_poisson_pmf(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log(a^n e^-a / n!)`` for ``n >= 1`` (Loader's saddle-point form)."""
    return -0.5 * (_LOG_2PI + np.log(n)) - _stirlerr(n) - _bd0(n, a)


def _log_erlang_b(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Log of Erlang B for traffic ``a >= 0`` and whole ``n >= 0`` (1-d arrays)."""
    out = np.zeros(a.shape)
    m = (n > 0) & (a > 0)
    out[(n > 0) & (a == 0)] = -np.inf
    if not m.any():
        return out
    am, nm = a[m], n[m]
    cdf = special.gammaincc(nm + 1.0, am)  # P(Poisson(a) <= n)
    res = _log_poisson_pmf(nm, am) - np.log(np.maximum(cdf, _TINY))
    low = cdf < 1e-20
    if low.any():
        # a >> n, where the Poisson cdf is far in its tail and loses digits (or underflows):
        # 1/B = sum_j prod_{i<j} (n - i) / a, terms shrinking at least like n / a
        aa, nn = am[low], nm[low]
        term = np.ones(aa.shape)
        total = np.ones(aa.shape)
        for j in range(int(nn.max())):
            term *= np.maximum(nn - j, 0.0) / aa
            total += term
            if (term <= 1e-17 * total).all():
                break
        res[low] = -np.log(total)
    out[m] = res
    return out


def _log_kummer(s: np.ndarray, z: np.ndarray, p: np.ndarray | None = None) -> np.ndarray:
    """``log 1F1(1; s + 1; z) = log(Gamma(s+1) e^z z^-s P(s, z))`` for ``s > 0, z >= 0``.

    This is Mandelbaum & Zeltyn's ``A(s, z)`` (>= 1), the mass of the waiting states
    of Erlang A relative to the state where all agents are busy. ``p`` may pass
    ``P(s, z)`` (regularised lower incomplete gamma) when already known.
    """
    out = np.zeros(s.shape)
    m = z > 0
    if not m.any():
        return out
    sm, zm = s[m], z[m]
    pm = special.gammainc(sm, zm) if p is None else p[m]
    res = (0.5 * (_LOG_2PI + np.log(sm)) + _stirlerr(sm) + _bd0(sm, zm)
           + np.log(np.maximum(pm, _TINY)))
    low = pm < _TINY
    if low.any():
        res[low] = _kummer_series(sm[low], zm[low])[0]
    out[m] = res
    return out


def _kummer_series(s: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log A(s, z)`` and ``A'(z) / A(z)`` by the power series, for ``z`` well below ``s``.

    ``A = sum_j z^j / ((s+1)...(s+j))``; used where ``P(s, z)`` underflows, which
    happens only far below the mode, where the terms fall fast. ``A'/A`` is then the
    probability that a waiting contact abandons, free of cancellation.
    """
    e = 1.0 / (s + 1.0)  # z^(j-1) / ((s+1)...(s+j)) for j = 1
    total = 1.0 + z * e
    deriv = e.copy()
    j = 1
    while True:
        j += 1
        e = e * z / (s + j)
        total += z * e
        deriv += j * e
        if ((j * e <= 1e-17 * deriv) & (z * e <= 1e-17 * total)).all() or j > 10_000_000:
            break
    return np.log(total), deriv / total


def _newton_extent(c: np.ndarray, peak: np.ndarray, right: bool) -> np.ndarray:
    """Distance from the mode at which the served-wait density falls by ``exp(-50)``."""
    drop = _QUAD_DROP
    if right:  # solve c d - R (1 - e^-d) = drop, from an upper bound (convex, increasing)
        d = (drop + peak) / c
        for _ in range(60):
            f = c * d + peak * np.expm1(-d) - drop
            d = d - f / (c - peak * np.exp(-d))
    else:  # solve c (e^d - 1 - d) = drop, from an upper bound
        d = np.sqrt(2.0 * drop / c)
        for _ in range(60):
            f = c * (np.expm1(d) - d) - drop
            d = d - f / (c * np.expm1(d))
    return d


def _served_wait_mean(c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Mean of ``w`` under the density ``exp(-c w + r (1 - e^-w))`` on ``w > 0``.

    With ``c = x + 1`` this is the mean wait, in units of the mean patience, of a contact
    that waits and is then served in Erlang A. The density is log-concave; it is
    integrated by Gauss-Legendre on each side of its mode, with ``w - mode`` mapped as
    ``d z^2`` so the nodes crowd where the density peaks.
    """
    mode = np.where(r > c, np.log(np.maximum(r, c) / c), 0.0)
    peak = np.minimum(r, c)  # r e^-mode
    d_right = _newton_extent(c, peak, right=True)
    d_left = np.where(mode > 0, np.minimum(_newton_extent(c, peak, right=False), mode), 0.0)
    num = np.zeros(c.shape)
    den = np.zeros(c.shape)
    for extent, sign in ((d_right, 1.0), (d_left, -1.0)):
        delta = sign * extent[:, None] * _GL_Z**2  # offset from the mode
        weight = (2.0 * extent[:, None] * _GL_Z) * _GL_W
        f = np.exp(-c[:, None] * delta - peak[:, None] * np.expm1(-delta)) * weight
        num += (f * delta).sum(axis=1)
        den += f.sum(axis=1)
    return mode + num / den


# ----------------------------------------------------------------------------- the models


def _erlang_c_parts(a: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log of Erlang C for the stable entries (``n > a > 0``), and that mask."""
    stable = (n > a) & (a > 0)
    log_c = np.zeros(a.shape)
    if stable.any():
        am, nm = a[stable], n[stable]
        log_b = _log_erlang_b(am, nm)
        # C = 1 / (1 + (1 - B)(1 - a/n) / B)
        z = log_b - np.log1p(-np.exp(log_b)) - (np.log(nm - am) - np.log(nm))
        log_c[stable] = -np.logaddexp(0.0, -z)
    return log_c, stable


def _metrics_c(
    a: np.ndarray, n: np.ndarray, aht: np.ndarray, t: np.ndarray | None, want: frozenset[str]
) -> dict[str, np.ndarray]:
    """Erlang C measures on 1-d arrays: keys among sl, asa, pw, occ."""
    log_c, stable = _erlang_c_parts(a, n)
    busy = a > 0
    unstable = busy & ~stable
    res: dict[str, np.ndarray] = {}
    if "pw" in want:
        res["pw"] = np.where(stable, np.exp(log_c), np.where(unstable, 1.0, 0.0))
    if "sl" in want:
        sl = np.where(unstable, 0.0, 1.0)
        if stable.any():
            s = stable
            sl[s] = -np.expm1(log_c[s] - (n[s] - a[s]) * t[s] / aht[s])
        res["sl"] = sl
    if "asa" in want:
        out = np.where(unstable, np.inf, 0.0)
        if stable.any():
            s = stable
            out[s] = np.exp(log_c[s]) * aht[s] / (n[s] - a[s])
        res["asa"] = out
    if "occ" in want:
        with np.errstate(divide="ignore", invalid="ignore"):
            res["occ"] = np.where(busy, np.minimum(a / np.maximum(n, 1e-300), 1.0), 0.0)
    return res


def _metrics_a(
    a: np.ndarray,
    n: np.ndarray,
    aht: np.ndarray,
    patience: np.ndarray,
    t: np.ndarray | None,
    want: frozenset[str],
) -> dict[str, np.ndarray]:
    """Erlang A (M/M/n+M) measures on 1-d arrays: keys among sl, asa, pw, ab, occ."""
    busy = a > 0
    staffed = busy & (n > 0)
    empty = busy & (n == 0)  # contacts but no agent: all wait, all abandon
    res: dict[str, np.ndarray] = {}
    pw = np.where(busy, 1.0, 0.0)
    p0 = 1.0 - pw
    psr = np.zeros(a.shape)  # P(served | wait)
    pab = np.ones(a.shape)  # P(abandon | wait)
    if staffed.any():
        s = staffed
        am, nm, hm, pm = a[s], n[s], aht[s], patience[s]
        x = nm * pm / hm  # n mu / theta
        r = am * pm / hm  # lambda / theta
        big_p0 = special.gammainc(x, r)
        big_p1 = special.gammainc(x + 1.0, r)
        log_b = _log_erlang_b(am, nm)
        gam = big_p1 > _TINY
        # far below the mode (x - r large) P(served | wait) is within 1/(x - r) of 1 and
        # the incomplete gammas lose digits there: use the power series of A instead
        ser = ~gam | (x - r > 50.0)
        la0 = np.empty(x.shape)
        psr_s = np.empty(x.shape)
        pab_s = np.empty(x.shape)
        if ser.any():
            la0[ser], pab_s[ser] = _kummer_series(x[ser], r[ser])
            psr_s[ser] = 1.0 - pab_s[ser]
        g = ~ser
        if g.any():
            la0[g] = _log_kummer(x[g], r[g], big_p0[g])
            # P(served | wait) = E[S] / r for S ~ Gamma(x) truncated to (0, r)
            psr_s[g] = np.minimum(x[g] / r[g] * (big_p1[g] / big_p0[g]), 1.0)
            pab_s[g] = 1.0 - psr_s[g]
        z = la0 + log_b - np.log1p(-np.exp(log_b))
        pw[s] = special.expit(z)
        p0[s] = special.expit(-z)
        psr[s] = psr_s
        pab[s] = pab_s
    ab = pw * pab
    if "pw" in want:
        res["pw"] = pw
    if "ab" in want:
        res["ab"] = ab
    if "occ" in want:
        with np.errstate(divide="ignore", invalid="ignore"):
            res["occ"] = np.where(
                staffed, np.minimum((1.0 - ab) * a / np.maximum(n, 1e-300), 1.0), 0.0)
    if "sl" in want:
        sl = np.where(empty, 0.0, 1.0)
        if staffed.any():
            s = staffed
            # P(wait <= t | wait, served): S' ~ Gamma(x + 1) truncated to (0, r) and the
            # wait is patience * log(r / S'), so it is P(r e^-T < S' < r) / P(S' < r)
            big_t = t[s] / patience[s]
            y = r * np.exp(-big_t)
            frac = np.empty(x.shape)
            lower = gam & (big_p1 < 0.5)
            upper = gam & ~lower
            frac[lower] = 1.0 - special.gammainc(x[lower] + 1.0, y[lower]) / big_p1[lower]
            frac[upper] = (special.gammaincc(x[upper] + 1.0, y[upper])
                           - special.gammaincc(x[upper] + 1.0, r[upper])) / big_p1[upper]
            if not gam.all():
                g = ~gam
                xg, rg, yg = x[g], r[g], y[g]
                delta = (-(xg + 1.0) * big_t[g] - rg * np.expm1(-big_t[g])
                         + _log_kummer(xg + 1.0, yg) - _log_kummer(xg + 1.0, rg))
                frac[g] = -np.expm1(np.minimum(delta, 0.0))
            sl[s] = p0[s] + pw[s] * psr[s] * np.clip(frac, 0.0, 1.0)
        res["sl"] = sl
    if "asa" in want:
        out = np.where(empty, np.nan, 0.0)
        if staffed.any():
            s = staffed
            mean_w = _served_wait_mean(x + 1.0, r) * patience[s]
            served_waiting = pw[s] * psr[s]
            out[s] = served_waiting * mean_w / (p0[s] + served_waiting)
        res["asa"] = out
    return res


def _metrics(
    a: np.ndarray,
    n: np.ndarray,
    aht: np.ndarray,
    t: np.ndarray | None,
    patience: np.ndarray | None,
    want: frozenset[str],
) -> dict[str, np.ndarray]:
    with np.errstate(all="ignore"):
        if patience is None:
            res = _metrics_c(a, n, aht, t, want)
            if "ab" in want:
                res["ab"] = np.zeros(a.shape)
            return res
        return _metrics_a(a, n, aht, patience, t, want)


def _measure(
    key: str,
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    answer_within: ArrayLike | None,
    interval: ArrayLike,
    patience: ArrayLike | None,
):
    v = _check("volume", volume, low=0.0)
    h = _check("aht", aht, low=0.0, low_strict=True)
    n = _check("agents", agents, low=0.0, integer=True)
    t = _check_optional("answer_within", answer_within, low=0.0)
    iv = _check("interval", interval, low=0.0, low_strict=True)
    p = _check_optional("patience", patience, low=0.0, low_strict=True)
    shape, (v, h, n, t, iv, p) = _flat(v, h, n, t, iv, p)
    a = v * h / iv
    res = _metrics(a, n, h, t, p, frozenset((key,)))[key]
    return _out(res.reshape(shape))


# ----------------------------------------------------------------------------- public: measures


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> FloatResult:
    """Blocking probability of an M/M/n/n loss system (Erlang B).

    Parameters
    ----------
    traffic : array_like
        Offered traffic in Erlangs (>= 0).
    agents : array_like
        Number of servers (whole number >= 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability (0-1) that an arrival finds every server busy. 1 with no server.

    Examples
    --------
    >>> round(float(erlang_b(10.0, 14)), 6)
    0.056819
    >>> erlang_b([1.0, 2.0], 0)
    array([1., 1.])
    """
    a = _check("traffic", traffic, low=0.0)
    n = _check("agents", agents, low=0.0, integer=True)
    shape, (a, n) = _flat(a, n)
    with np.errstate(all="ignore"):
        out = np.exp(_log_erlang_b(a, n))
    return _out(out.reshape(shape))


def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> FloatResult:
    """Probability of waiting in an M/M/n queue (Erlang C).

    Parameters
    ----------
    traffic : array_like
        Offered traffic in Erlangs (>= 0).
    agents : array_like
        Number of agents (whole number >= 0).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability (0-1) that an arrival has to wait; 1 when ``traffic >= agents``
        (the queue is unstable, or there is no agent).

    Examples
    --------
    >>> round(float(erlang_c(10.0, 14)), 6)
    0.174132
    >>> erlang_c(12.0, [10, 12])
    array([1., 1.])
    """
    a = _check("traffic", traffic, low=0.0)
    n = _check("agents", agents, low=0.0, integer=True)
    shape, (a, n) = _flat(a, n)
    with np.errstate(all="ignore"):
        log_c, stable = _erlang_c_parts(a, n)
        out = np.where(stable, np.exp(log_c), np.where(a >= n, 1.0, 0.0))
    return _out(out.reshape(shape))


def service_level(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    answer_within: ArrayLike,
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
        Service level, 0-1. 1 with no contact; 0 when the queue is unstable (Erlang C with
        traffic >= agents) or there is no agent.

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
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Average speed of answer: mean wait of the contacts that are answered, seconds.

    Parameters
    ----------
    volume, aht, agents, interval, patience
        As in :func:`service_level`.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Mean wait in seconds of answered contacts (those that abandon are left out; the
        mean over all arrivals is ``abandonment * patience``). 0 with no contact;
        ``inf`` when the Erlang C queue is unstable; ``nan`` with patience, contacts and
        no agent, since then nobody is answered.

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
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Probability that an arriving contact has to wait (Erlang C, or its Erlang A form).

    Parameters
    ----------
    volume, aht, agents, interval, patience
        As in :func:`service_level`.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probability 0-1: 0 with no contact, 1 when the Erlang C queue is unstable.

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
    interval: ArrayLike = 1800,
) -> FloatResult:
    """Share of offered contacts that abandon before an answer (Erlang A).

    Parameters
    ----------
    volume, aht, agents, interval
        As in :func:`service_level`.
    patience : array_like
        Mean patience, seconds (> 0), exponential.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Abandonment rate 0-1: 0 with no contact, 1 with contacts and no agent.

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
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Busy share of the agents' time.

    Parameters
    ----------
    volume, aht, agents, interval, patience
        As in :func:`service_level`.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Erlang C: ``traffic / agents``, capped at 1 (unstable queue or no agent). Erlang A:
        the carried traffic over the agents, ``(1 - abandonment) * traffic / agents``,
        and 0 with no agent. 0 with no contact.

    Examples
    --------
    >>> round(float(occupancy(100, 180, 14)), 6)
    0.714286
    >>> float(occupancy(100, 180, 8))
    1.0
    """
    return _measure("occ", volume, aht, agents, None, interval, patience)


# ----------------------------------------------------------------------------- public: staffing


def _bracket_search(
    feasible: Callable[[np.ndarray, np.ndarray], np.ndarray],
    lower: np.ndarray,
    idx: np.ndarray,
) -> np.ndarray:
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


class _Targets:
    """Flattened inputs of a staffing question and its feasibility test."""

    def __init__(self, a, aht, t, target, patience, max_occ, max_asa, max_ab):
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

    def feasible(self, idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        p = None if self.patience is None else self.patience[idx]
        res = _metrics(self.a[idx], n, self.aht[idx], self.t[idx], p, self.want)
        ok = res["sl"] >= self.target[idx]
        if "occ" in res:
            ok &= res["occ"] <= self.max_occ[idx]
        if "asa" in res:
            ok &= res["asa"] <= self.max_asa[idx]  # nan (nobody answered) fails
        if "ab" in res:
            ok &= res["ab"] <= self.max_ab[idx]
        return ok


def _required_c_fast(tg: _Targets, idx: np.ndarray) -> np.ndarray:
    """Erlang C search: the Erlang B recursion upward from the stability bound.

    Erlang B is computed once, at ``floor(traffic) + 1`` agents; the recursion
    ``B(n+1) = a B(n) / (n + 1 + a B(n))`` then gives the next counts, a block of them at
    a time for every interval at once, and the next block only for the intervals still
    short. Intervals whose measures land within 1e-9 of a target are re-solved with the
    public formulas, so the answer always agrees with :func:`service_level`,
    :func:`asa` and :func:`occupancy`.
    """
    a = tg.a[idx]
    kappa = tg.t[idx] / tg.aht[idx]
    room_sl = 1.0 - tg.target[idx]  # the largest acceptable 1 - service level
    max_asa = None if tg.max_asa is None else tg.max_asa[idx]
    max_occ = None if tg.max_occ is None else tg.max_occ[idx]
    n0 = np.floor(a) + 1.0
    if max_occ is not None:
        n0 = np.maximum(n0, np.ceil(a / max_occ) - 1.0)
    start = n0.copy()
    b = np.exp(_log_erlang_b(a, n0))
    result = np.empty(a.shape)
    delicate = np.zeros(a.shape, dtype=bool)
    rows = np.arange(a.size)
    block = 12
    while rows.size:
        ar, nr, br, kr = a[rows], n0[rows], b[rows], kappa[rows]
        steps = np.arange(block, dtype=np.float64)[:, None]
        ns = nr + steps  # (block, intervals): counts tried
        bs = np.empty(ns.shape)
        es = np.empty(ns.shape)
        bs[0] = br
        es[0] = np.exp(-(nr - ar) * kr)
        q = np.exp(-kr)
        for k in range(1, block):
            ab = ar * bs[k - 1]
            bs[k] = ab / (ns[k] + ab)
            es[k] = es[k - 1] * q
        gap = ns - ar
        c = ns * bs / (gap + ar * bs)  # Erlang C
        room = room_sl[rows] - c * es
        ok = room >= 0.0
        near = np.abs(room) <= 1e-9
        if max_asa is not None:
            lim = max_asa[rows]
            w = c / gap * (tg.aht[idx][rows])
            ok &= w <= lim
            near |= np.abs(w - lim) <= 1e-9 * lim
        if max_occ is not None:
            lim = max_occ[rows]
            occ = ar / ns
            ok &= occ <= lim
            near |= np.abs(occ - lim) <= 1e-9 * lim
        found = ok.any(axis=0)
        first = ok.argmax(axis=0)
        hit = rows[found]
        result[hit] = n0[hit] + first[found]
        delicate[rows] |= near.any(axis=0)
        nxt = rows[~found]
        last = bs[-1, ~found]
        n0[nxt] += block
        b[nxt] = a[nxt] * last / (n0[nxt] + a[nxt] * last)
        rows = nxt
        block = min(2 * block, 256)
    if delicate.any():
        d = np.flatnonzero(delicate)
        result[d] = _bracket_search(tg.feasible, start[d], idx[d])
    return result


def required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    service_level: ArrayLike,
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
        Target share answered within ``answer_within``, in (0, 1].
    interval : array_like, default 1800
        Interval length, seconds (> 0).
    patience : array_like or None, default None
        Mean patience, seconds (> 0): Erlang A. ``None``: Erlang C.
    max_occupancy : array_like or None
        Highest acceptable occupancy, in (0, 1].
    max_asa : array_like or None
        Highest acceptable ASA (answered contacts), seconds (> 0).
    max_abandonment : array_like or None
        Highest acceptable abandonment rate, in (0, 1]; always met without patience.

    Returns
    -------
    numpy.ndarray or numpy.int64
        Agents (int64): with ``n`` agents every target is met, with ``n - 1`` at least
        one is missed. 0 for no contact.

    Notes
    -----
    Erlang C starts at the stability bound ``floor(traffic) + 1`` and walks up with the
    Erlang B recursion, 16 counts at a time for all intervals at once. Erlang A gallops
    up from ``service_level * traffic`` (no fewer agents can answer that share) and
    bisects. Both are exact: the answer satisfies the same formulas as
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
    v = _check("volume", volume, low=0.0)
    h = _check("aht", aht, low=0.0, low_strict=True)
    t = _check("answer_within", answer_within, low=0.0)
    sl = _check("service_level", service_level, low=0.0, low_strict=True, high=1.0)
    iv = _check("interval", interval, low=0.0, low_strict=True)
    p = _check_optional("patience", patience, low=0.0, low_strict=True)
    mo = _check_optional("max_occupancy", max_occupancy, low=0.0, low_strict=True, high=1.0)
    ma = _check_optional("max_asa", max_asa, low=0.0, low_strict=True)
    mb = _check_optional("max_abandonment", max_abandonment, low=0.0, low_strict=True, high=1.0)
    shape, (v, h, t, sl, iv, p, mo, ma, mb) = _flat(v, h, t, sl, iv, p, mo, ma, mb)
    a = v * h / iv
    result = np.zeros(a.shape, dtype=np.int64)
    idx = np.flatnonzero(a > 0)
    if idx.size:
        tg = _Targets(a, h, t, sl, p, mo, ma, mb)
        with np.errstate(all="ignore"):
            if p is None:
                n = _required_c_fast(tg, idx)
            else:
                lower = np.maximum(np.floor(sl[idx] * a[idx] * (1.0 - 1e-9)), 1.0)
                n = _bracket_search(tg.feasible, lower, idx)
        result[idx] = n.astype(np.int64)
    return _out(result.reshape(shape))


# ----------------------------------------------------------------------------- public: chat


def chat_service_level(
    volume: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    concurrency: ArrayLike,
    answer_within: ArrayLike,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
) -> FloatResult:
    """Service level of chat, with each agent holding up to ``concurrency`` sessions.

    Sessions are servers: ``agents * concurrency`` servers of an M/M/(n k) queue (Erlang
    A with ``patience``), the session length ``aht`` not depending on concurrency (no
    slowdown factor).

    Parameters
    ----------
    volume, aht, answer_within, interval, patience
        As in :func:`service_level`; ``aht`` is the mean session length while held.
    agents : array_like
        Chat agents on duty (whole number >= 0).
    concurrency : array_like
        Sessions one agent may hold at once (whole number >= 1).

    Returns
    -------
    numpy.ndarray or numpy.float64
        Service level, 0-1.

    Examples
    --------
    >>> float(chat_service_level(200, 600, 10, 3, 60)) == float(service_level(200, 600, 30, 60))
    True
    """
    n = _check("agents", agents, low=0.0, integer=True)
    k = _check("concurrency", concurrency, low=1.0, integer=True)
    return service_level(volume, aht, n * k, answer_within, interval=interval, patience=patience)


def chat_required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    service_level: ArrayLike,
    concurrency: ArrayLike,
    interval: ArrayLike = 1800,
    patience: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    max_asa: ArrayLike | None = None,
    max_abandonment: ArrayLike | None = None,
) -> IntResult:
    """Fewest chat agents meeting every target: ``ceil(required servers / concurrency)``.

    Parameters
    ----------
    volume, aht, answer_within, service_level, interval, patience, max_occupancy, max_asa,
    max_abandonment
        As in :func:`required_agents`, for the sessions (servers); ``max_occupancy``
        bounds the busy share of the session slots.
    concurrency : array_like
        Sessions one agent may hold at once (whole number >= 1).

    Returns
    -------
    numpy.ndarray or numpy.int64
        Chat agents (int64).

    Examples
    --------
    >>> int(chat_required_agents(200, 600, 60, 0.9, concurrency=3))
    26
    """
    k = _check("concurrency", concurrency, low=1.0, integer=True)
    servers = required_agents(volume, aht, answer_within, service_level, interval=interval,
                              patience=patience, max_occupancy=max_occupancy, max_asa=max_asa,
                              max_abandonment=max_abandonment)
    srv, kk = np.broadcast_arrays(np.asarray(servers, dtype=np.int64), k.astype(np.int64))
    return _out(np.asarray(-(-srv // kk), dtype=np.int64))


# ----------------------------------------------------------------------------- public: deferred


def _deferred_inputs(volume, aht, interval, backlog):
    v = _check("volume", volume, low=0.0)
    if v.ndim != 1:
        raise ValueError(f"volume must be a 1-d array of contacts per interval (got {v.ndim}-d)")
    h = _check("aht", aht, low=0.0, low_strict=True)
    try:
        h = np.broadcast_to(h, v.shape).astype(np.float64)
    except ValueError:
        raise ValueError(f"aht must be a number or one value per interval (got shape {h.shape},"
                         f" volume has {v.size} intervals)") from None
    iv = float(_check("interval", interval, low=0.0, low_strict=True))
    b0 = float(_check("backlog", backlog, low=0.0))
    return v, h, iv, b0


def deferred_workload(volume: ArrayLike, aht: ArrayLike, interval: ArrayLike = 1800) -> FloatResult:
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

    Examples
    --------
    >>> float(deferred_workload(30, 240))
    4.0
    """
    v = _check("volume", volume, low=0.0)
    h = _check("aht", aht, low=0.0, low_strict=True)
    iv = _check("interval", interval, low=0.0, low_strict=True)
    return _out(np.asarray(v * h / iv, dtype=np.float64))


def _ceil_tol(x: float) -> int:
    """Ceiling that forgives rounding noise: 3.0000000000004 -> 3."""
    return max(0, math.ceil(x - 1e-9 * max(1.0, abs(x))))


def deferred_required_agents(
    volume: ArrayLike,
    aht: ArrayLike,
    answer_within: float,
    interval: float = 1800,
    backlog: float = 0.0,
) -> np.ndarray:
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

    Examples
    --------
    Ten agents of work arriving in each of four intervals, due one interval later, are
    worked one interval late:

    >>> deferred_required_agents([60, 60, 60, 60], 300, answer_within=1800)
    array([ 0, 10, 10, 10])
    """
    v, h, iv, b0 = _deferred_inputs(volume, aht, interval, backlog)
    tat = float(_check("answer_within", answer_within, low=0.0))
    if b0 > 0 and tat == 0:
        raise ValueError("backlog must be 0 when answer_within is 0 (got "
                         f"{b0!r}: it could never be on time)")
    m = v.size
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
    interval: float = 1800,
    backlog: float = 0.0,
) -> np.ndarray:
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

    Examples
    --------
    >>> deferred_backlog([60, 60, 60], 300, [0, 10, 10])
    array([60., 60., 60.])
    """
    v, h, iv, b0 = _deferred_inputs(volume, aht, interval, backlog)
    s = _check("staff", staff, low=0.0)
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

"""Special functions of the Erlang models, in log space: Poisson, Erlang B, Kummer.

Nothing here forms a factorial or a power that could overflow: the Poisson pmf uses
Loader's saddle-point form (``stirlerr`` and ``bd0``), Erlang B is ``pmf / cdf`` of a
Poisson law in log space, and Mandelbaum & Zeltyn's ``A(x, r) = 1F1(1; x + 1; r)`` comes
from the regularised incomplete gamma function, or from its power series far below the
mode. All functions take and return 1-d float arrays.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from wfm.erlang._checks import BoolArray, FloatArray

LOG_2PI = math.log(2.0 * math.pi)
TINY = 1e-290  # below this an incomplete gamma value is treated as underflowed
QUAD_DROP = 50.0  # the quadrature covers the density down to exp(-50) of its peak
QUAD_NODES = 48  # Gauss-Legendre nodes on each side of the mode
SERIES_TERMS = 200  # series terms (Kummer, Erlang B tail) tried before a quadrature takes over
_GL_Z, _GL_W = np.polynomial.legendre.leggauss(QUAD_NODES)
GL_Z: FloatArray = 0.5 * (_GL_Z + 1.0)  # nodes on (0, 1)
GL_W: FloatArray = 0.5 * _GL_W


def stirlerr(n: FloatArray) -> FloatArray:
    """``log(n!) - ((n + 1/2) log n - n + log(2 pi) / 2)`` for ``n > 0``, accurately."""
    big = n >= 15.0
    nb = np.where(big, n, 15.0)
    inv = 1.0 / nb
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))
    if big.all():
        return series
    ns = np.where(big, 1.0, n)
    direct = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - 0.5 * LOG_2PI
    return np.where(big, series, direct)


def bd0(n: FloatArray, z: FloatArray) -> FloatArray:
    """``n log(n / z) + z - n`` (>= 0) for ``n > 0``, without cancellation."""
    t = (z - n) / n
    near = n * (t - np.log1p(t))  # accurate unless z << n, where 1 + t loses digits
    far = n * np.log(n / z) + z - n
    return np.where(t < -0.5, far, near)


def log_poisson_pmf(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log(a^n e^-a / n!)`` for ``n >= 1`` (Loader's saddle-point form)."""
    return -0.5 * (LOG_2PI + np.log(n)) - stirlerr(n) - bd0(n, a)


def log_erlang_b(a: FloatArray, n: FloatArray) -> FloatArray:
    """Log of Erlang B for traffic ``a >= 0`` and whole ``n >= 0`` (1-d arrays)."""
    m = (n > 0) & (a > 0)
    every = m.all()
    if every:  # (the common case: skip the copies)
        am, nm = a, n
    else:
        out = np.zeros(a.shape)
        out[(n > 0) & (a == 0)] = -np.inf
        if not m.any():
            return out
        am, nm = a[m], n[m]
    cdf = special.gammaincc(nm + 1.0, am)  # P(Poisson(a) <= n)
    res = log_poisson_pmf(nm, am) - np.log(np.maximum(cdf, TINY))
    low = cdf < 1e-20
    if low.any():
        # a >> n, where the Poisson cdf is far in its tail and loses digits (or underflows)
        res[low] = -log_inverse_erlang_b_low(am[low], nm[low])
    if every:
        return res
    out[m] = res
    return out


def log_inverse_erlang_b_low(a: FloatArray, n: FloatArray) -> FloatArray:
    """``log(1 / B)`` for ``n`` well below ``a`` (where the Poisson cdf at ``n`` is < 1e-20).

    ``1/B = sum_j prod_{i<j} (n - i) / a``, the terminating series of the Erlang B
    recursion, whose terms shrink at least like ``n / a``; it answers where it converges
    within ``SERIES_TERMS`` terms. Closer to the traffic (``n`` within a few ``sqrt(a)``
    of ``a`` for thousands of Erlangs or more, where the series would need up to
    ``4 sqrt(a)`` terms) the same sum as an integral, ``1/B = a int_0^inf exp(-a u)
    (1 + u)^n du``, by Gauss-Legendre quadrature at a fixed cost.
    """
    out = np.empty(a.shape)
    # the series has converged by term K once prod_{i<K} (n - i) / a < e^-41 (or n < K)
    reach = SERIES_TERMS * np.log(a) - (special.gammaln(n + 1.0) - special.gammaln(n - SERIES_TERMS + 1.0))
    with np.errstate(invalid="ignore"):  # gammaln of a negative count where n < K
        quick = (n < SERIES_TERMS) | (reach >= 36.0)
    slow = ~quick
    if quick.any():
        aa, nn = a[quick], n[quick]
        term = np.ones(aa.shape)
        total = np.ones(aa.shape)
        done = np.zeros(aa.shape, dtype=bool)
        for j in range(min(int(nn.max()), 2 * SERIES_TERMS)):
            term *= np.maximum(nn - j, 0.0) / aa
            total += term
            if j % 8 == 7:  # convergence is checked every 8 terms
                done = (term <= 1e-17 * total) | (nn <= j + 1)  # converged, or every term added
                if done.all():
                    break
        done = (term <= 1e-17 * total) | (nn <= j + 1)
        out[quick] = np.log(total)
        slow[np.flatnonzero(quick)[~done]] = True
    if slow.any():
        out[slow] = _log_inverse_erlang_b_quadrature(a[slow], n[slow])
    return out


def _log_inverse_erlang_b_quadrature(a: FloatArray, n: FloatArray) -> FloatArray:
    """``log(a int_0^inf exp(-a u + n log(1 + u)) du)`` for ``n < a``, by Gauss-Legendre.

    The integrand falls from 1 at ``u = 0``; it is integrated up to where it has fallen
    by ``exp(-50)`` (found by Newton from an upper bound), with ``u`` mapped as ``d z^2``.
    """
    d = QUAD_DROP / (a - n)  # (a - n) d >= drop there: an upper bound of the extent
    for _ in range(60):
        f = a * d - n * np.log1p(d) - QUAD_DROP
        d = d - f / (a - n / (1.0 + d))
    u = d[:, None] * GL_Z**2
    weight = (2.0 * d[:, None] * GL_Z) * GL_W
    total = (np.exp(-a[:, None] * u + n[:, None] * np.log1p(u)) * weight).sum(axis=1)
    return np.log(a) + np.log(total)


def log_kummer(s: FloatArray, z: FloatArray, p: FloatArray | None = None) -> FloatArray:
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
    res = (0.5 * (LOG_2PI + np.log(sm)) + stirlerr(sm) + bd0(sm, zm)
           + np.log(np.maximum(pm, TINY)))
    low = pm < TINY
    if low.any():
        res[low] = kummer_below_mode(sm[low], zm[low])[0]
    out[m] = res
    return out


def kummer_below_mode(s: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``log A(s, z)`` and ``A'(z) / A(z)`` for ``0 < z`` well below ``s``.

    Used where ``P(s, z)`` underflows or loses digits, far below the mode, where ``A'/A``
    is the probability that a waiting contact abandons, free of cancellation. The power
    series (:func:`kummer_series`) answers where it converges within ``SERIES_TERMS``
    terms; elsewhere (hundreds of agents or more with patient callers, where the series
    would need up to ``10 sqrt(s)`` terms) the integral (:func:`kummer_quadrature`) does,
    at a fixed cost.
    """
    log_a = np.empty(s.shape)
    ratio = np.empty(s.shape)
    # the series has converged at term K once sum_{i <= K} log((s + i) / z) exceeds about
    # 41 (1e-17 of its sum); from 36 it converges within 2 K terms
    reach = special.gammaln(s + SERIES_TERMS + 1.0) - special.gammaln(s + 1.0) - SERIES_TERMS * np.log(z)
    quick = reach >= 36.0
    slow = ~quick
    if quick.any():
        log_q, ratio_q, done = kummer_series(s[quick], z[quick], 2 * SERIES_TERMS)
        log_a[quick], ratio[quick] = log_q, ratio_q
        slow[np.flatnonzero(quick)[~done]] = True
    if slow.any():
        log_a[slow], ratio[slow] = kummer_quadrature(s[slow], z[slow])
    return log_a, ratio


def kummer_series(
    s: FloatArray, z: FloatArray, max_terms: int
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """``log A(s, z)``, ``A'(z) / A(z)`` by the power series, and where it converged.

    ``A = sum_j z^j / ((s+1)...(s+j))``, summed until every further term is below 1e-17
    of the sum, or for ``max_terms`` terms at most (entries not converged by then are
    marked ``False``). Terms past convergence are below half a unit in the last place of
    the sums and leave them unchanged, so each entry's result does not depend on the
    others summed with it.
    """
    e = 1.0 / (s + 1.0)  # z^(j-1) / ((s+1)...(s+j)) for j = 1
    total = 1.0 + z * e
    deriv = e.copy()
    j = 1
    while True:
        for _ in range(8):  # convergence is checked every 8 terms
            j += 1
            e = e * z / (s + j)
            total += z * e
            deriv += j * e
        done = (j * e <= 1e-17 * deriv) & (z * e <= 1e-17 * total)
        if done.all() or j >= max_terms:
            break
    return np.log(total), deriv / total, done


def kummer_quadrature(s: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``log A(s, z)`` and ``A'(z) / A(z)`` by Gauss-Legendre quadrature, for ``0 < z < s``.

    ``A(s, z) = s int_0^inf exp(-s w + z (1 - e^-w)) dw`` (Euler's integral of ``1F1``
    with ``t = 1 - e^-w``) and ``A'(z) = s int_0^inf (1 - e^-w) exp(...) dw``. Below the
    mode the integrand falls from its peak at ``w = 0``; it is integrated up to where it
    has fallen by ``exp(-50)``, with ``w`` mapped as ``d u^2`` so the nodes crowd near 0.
    Good to about 1e-14 relative for ``s`` up to 1e6 and 1e-10 at 1e15.
    """
    d = newton_extent(s, z, right=True)
    w = d[:, None] * GL_Z**2
    weight = (2.0 * d[:, None] * GL_Z) * GL_W
    f = np.exp(-s[:, None] * w - z[:, None] * np.expm1(-w)) * weight
    den = f.sum(axis=1)
    num = (f * -np.expm1(-w)).sum(axis=1)
    return np.log(s) + np.log(den), num / den


def newton_extent(c: FloatArray, peak: FloatArray, right: bool) -> FloatArray:
    """Distance from the mode at which the served-wait density falls by ``exp(-50)``."""
    drop = QUAD_DROP
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


def served_wait_mean(c: FloatArray, r: FloatArray) -> FloatArray:
    """Mean of ``w`` under the density ``exp(-c w + r (1 - e^-w))`` on ``w > 0``.

    With ``c = x + 1`` this is the mean wait, in units of the mean patience, of a contact
    that waits and is then served in Erlang A. The density is log-concave; it is
    integrated by Gauss-Legendre on each side of its mode, with ``w - mode`` mapped as
    ``d z^2`` so the nodes crowd where the density peaks.
    """
    mode = np.where(r > c, np.log(np.maximum(r, c) / c), 0.0)
    peak = np.minimum(r, c)  # r e^-mode
    d_right = newton_extent(c, peak, right=True)
    d_left = np.where(mode > 0, np.minimum(newton_extent(c, peak, right=False), mode), 0.0)
    num = np.zeros(c.shape)
    den = np.zeros(c.shape)
    for extent, sign in ((d_right, 1.0), (d_left, -1.0)):
        delta = sign * extent[:, None] * GL_Z**2  # offset from the mode
        weight = (2.0 * extent[:, None] * GL_Z) * GL_W
        f = np.exp(-c[:, None] * delta - peak[:, None] * np.expm1(-delta)) * weight
        num += (f * delta).sum(axis=1)
        den += f.sum(axis=1)
    return mode + num / den

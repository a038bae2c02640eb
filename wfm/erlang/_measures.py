"""The Erlang C and Erlang A measures on flat arrays, the kernels behind :mod:`wfm.erlang`.

Inputs are 1-d float arrays of one length, already validated: traffic ``a`` in Erlangs,
agents ``n``, ``aht``, the service-level threshold ``t`` and ``patience`` in seconds.
The formulas are described in the :mod:`wfm.erlang` docstring. Each kernel computes only
the measures asked for (``want``, keys among ``sl``, ``asa``, ``pw``, ``ab``, ``occ``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from wfm.erlang._checks import BoolArray, FloatArray
from wfm.erlang._special import TINY, kummer_below_mode, log_erlang_b, log_kummer, served_wait_mean


def erlang_c_parts(a: FloatArray, n: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Log of Erlang C for the stable entries (``n > a > 0``), and that mask."""
    stable = (n > a) & (a > 0)
    log_c: FloatArray = np.zeros(a.shape)
    if stable.any():
        am, nm = a[stable], n[stable]
        log_b = log_erlang_b(am, nm)
        # C = 1 / (1 + (1 - B)(1 - a/n) / B)
        z = log_b - np.log1p(-np.exp(log_b)) - (np.log(nm - am) - np.log(nm))
        log_c[stable] = -np.logaddexp(0.0, -z)
    return log_c, stable


def metrics_c(
    a: FloatArray, n: FloatArray, aht: FloatArray, t: FloatArray | None, want: frozenset[str]
) -> dict[str, FloatArray]:
    """Erlang C measures on 1-d arrays: keys among sl, asa, pw, occ."""
    log_c, stable = erlang_c_parts(a, n)
    busy = a > 0
    unstable = busy & ~stable
    res: dict[str, FloatArray] = {}
    if "pw" in want:
        res["pw"] = np.where(stable, np.exp(log_c), np.where(unstable, 1.0, 0.0))
    if "sl" in want:
        if t is None:
            raise ValueError("answer_within is required for the service level (seconds >= 0)")
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


def metrics_a(
    a: FloatArray,
    n: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    t: FloatArray | None,
    want: frozenset[str],
) -> dict[str, FloatArray]:
    """Erlang A (M/M/n+M) measures on 1-d arrays: keys among sl, asa, pw, ab, occ."""
    busy = a > 0
    staffed = busy & (n > 0)
    empty = busy & (n == 0)  # contacts but no agent: all wait, all abandon
    res: dict[str, FloatArray] = {}
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
        log_b = log_erlang_b(am, nm)
        gam = big_p1 > TINY
        # far below the mode (x - r large) P(served | wait) is within 1/(x - r) of 1 and
        # the incomplete gammas lose digits there: use the power series of A instead
        ser = ~gam | (x - r > 50.0)
        la0 = np.empty(x.shape)
        psr_s = np.empty(x.shape)
        pab_s = np.empty(x.shape)
        if ser.any():
            la0[ser], pab_s[ser] = kummer_below_mode(x[ser], r[ser])
            psr_s[ser] = 1.0 - pab_s[ser]
        g = ~ser
        if g.any():
            la0[g] = log_kummer(x[g], r[g], big_p0[g])
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
        if t is None:
            raise ValueError("answer_within is required for the service level (seconds >= 0)")
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
                         + log_kummer(xg + 1.0, yg) - log_kummer(xg + 1.0, rg))
                frac[g] = -np.expm1(np.minimum(delta, 0.0))
            sl[s] = p0[s] + pw[s] * psr[s] * np.clip(frac, 0.0, 1.0)
        res["sl"] = sl
    if "asa" in want:
        out = np.where(empty, np.nan, 0.0)
        if staffed.any():
            s = staffed
            mean_w = served_wait_mean(x + 1.0, r) * patience[s]
            served_waiting = pw[s] * psr[s]
            out[s] = served_waiting * mean_w / (p0[s] + served_waiting)
        res["asa"] = out
    return res


def metrics(
    a: FloatArray,
    n: FloatArray,
    aht: FloatArray,
    t: FloatArray | None,
    patience: FloatArray | None,
    want: frozenset[str],
) -> dict[str, FloatArray]:
    """Erlang C (``patience`` None) or Erlang A measures on 1-d arrays, the keys in ``want``.

    ``a`` is the traffic in Erlangs, ``n`` the agents, ``aht``, ``t`` (the service-level
    threshold; needed for ``sl``) and ``patience`` in seconds.
    """
    with np.errstate(all="ignore"):
        if patience is None:
            res = metrics_c(a, n, aht, t, want)
            if "ab" in want:
                res["ab"] = np.zeros(a.shape)
            return res
        return metrics_a(a, n, aht, patience, t, want)

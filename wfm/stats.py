"""Small statistics shared by the simulation summaries, sweeps and the plan's checks.

Student-t confidence half-widths over independent replications (the one definition
used everywhere), and normal quantiles. Only :mod:`scipy.special` is imported: it loads
in milliseconds, which matters in fresh sweep worker processes.

Examples
--------
>>> import numpy as np
>>> round(float(t_quantile(0.975, 4)), 4)      # two-sided 95%, 5 replications
2.7764
>>> round(float(t_halfwidth(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))), 4)
1.9632
>>> float(t_halfwidth(np.array([3.0])))          # one replication: no interval
nan
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri, stdtrit

__all__ = ["halfwidth_from", "normal_quantile", "t_halfwidth", "t_quantile"]


def t_quantile(p: float, dof: ArrayLike) -> NDArray[np.float64]:
    """The ``p`` quantile of Student's t with ``dof`` degrees of freedom."""
    return np.asarray(stdtrit(np.asarray(dof, float), p), float)


def normal_quantile(p: ArrayLike) -> NDArray[np.float64]:
    """The ``p`` quantile of the standard normal distribution."""
    return np.asarray(ndtri(np.asarray(p, float)), float)


def t_halfwidth(values: ArrayLike, axis: int = 0, *, level: float = 0.95) -> NDArray[np.float64]:
    """Half-width of the two-sided Student-t confidence interval of the mean.

    Parameters
    ----------
    values : array_like
        Independent observations (e.g. one per replication) along ``axis``; NaN values
        are left out.
    axis : int, default 0
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    numpy.ndarray
        ``t_{(1+level)/2, n-1} * s / sqrt(n)`` with ``n`` the non-NaN count and ``s``
        their sample standard deviation; NaN where ``n < 2``.
    """
    arr = np.asarray(values, float)
    n = np.sum(~np.isnan(arr), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        if arr.shape[axis] > 1:
            sd = np.nanstd(arr, axis=axis, ddof=1)
        else:
            sd = np.full(np.delete(arr.shape, axis), np.nan)
    return halfwidth_from(sd, n, level=level)


def halfwidth_from(sd: ArrayLike, n: ArrayLike, *, level: float = 0.95) -> NDArray[np.float64]:
    """The Student-t half-width from a sample standard deviation ``sd`` (ddof 1) and a
    count ``n``: ``t_{(1+level)/2, n-1} * sd / sqrt(n)``; NaN where ``n < 2``.

    >>> round(float(halfwidth_from(1.5811388, 5)), 4)
    1.9632
    """
    sd_arr = np.asarray(sd, float)
    n_arr = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = t_quantile(0.5 + level / 2, np.maximum(n_arr - 1, 1))
        out = np.where(n_arr > 1, q * sd_arr / np.sqrt(np.maximum(n_arr, 1)), np.nan)
    return np.asarray(out, float)

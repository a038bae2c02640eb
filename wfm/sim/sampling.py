"""Drawing handle times and patience in bulk, one interval and channel at a time.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> x = handle_times(rng, None, 300.0, 0.0, 4)
>>> x.tolist()
[300.0, 300.0, 300.0, 300.0]
>>> from wfm.scenario.behaviour import Distribution
>>> y = handle_times(rng, Distribution(dist="uniform", low=100, high=200), 150.0, 0.0, 10_000)
>>> 148 < float(y.mean()) < 152 and float(y.min()) >= 100
True
"""

from __future__ import annotations

import math

import numpy as np

from wfm.scenario.behaviour import Distribution

__all__ = ["draw", "handle_times", "patience_times"]


def draw(rng: np.random.Generator, dist: Distribution, mean: float, n: int) -> np.ndarray:
    """``n`` values of ``dist``, seconds; ``mean`` is used by the mean-based kinds when
    the distribution does not fix its own."""
    kind = dist.dist
    m = float(dist.mean) if dist.mean is not None else float(mean)
    if kind == "exponential":
        return rng.exponential(m, n)
    if kind == "constant":
        return np.full(n, m)
    if kind == "lognormal":
        return _lognormal(rng, m, float(dist.cv or 0.0), n)
    if kind == "gamma":
        cv = float(dist.cv or 0.0)
        if cv == 0:
            return np.full(n, m)
        shape = 1.0 / (cv * cv)
        return rng.gamma(shape, m / shape, n)
    if kind == "uniform":
        return rng.uniform(float(dist.low), float(dist.high), n)  # type: ignore[arg-type]
    if kind == "triangular":
        return rng.triangular(float(dist.low), float(dist.mode), float(dist.high), n)  # type: ignore[arg-type]
    values = np.asarray(dist.values, float)
    return values[rng.integers(0, values.size, n)]


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    if cv == 0:
        return np.full(n, mean)
    s2 = math.log1p(cv * cv)
    return rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n)


def handle_times(rng: np.random.Generator, dist: Distribution | None, mean: float, cv: float,
                 n: int) -> np.ndarray:
    """Handle times: from ``dist`` when given, else by ``cv`` (0 constant, 1 exponential,
    otherwise lognormal) with the given mean, seconds."""
    if dist is not None:
        return draw(rng, dist, mean, n)
    if cv == 0:
        return np.full(n, float(mean))
    if cv == 1:
        return rng.exponential(mean, n)
    return _lognormal(rng, mean, cv, n)


def patience_times(rng: np.random.Generator, dist: Distribution | None, mean: float, n: int
                   ) -> np.ndarray:
    """Patience: exponential with the given mean, or from ``dist``, seconds."""
    if dist is None:
        return rng.exponential(mean, n)
    return draw(rng, dist, mean, n)

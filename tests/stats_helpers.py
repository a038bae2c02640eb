"""Helpers for statistical tests: Student-t checks at a family-wise error, exact queue theory.

Checks
------
A test that compares simulated replications with theory makes ``m`` checks; each is a
two-sided Student-t test of "the mean of the ``n`` independent replication values equals
the theory" at level ``alpha_fw / m`` (Bonferroni), so a correct engine fails the test
with probability at most ``alpha_fw`` (default 1e-3), whatever the dependence between
the checks. The critical value is ``t_{1 - alpha_fw / (2 m), n - 1}`` from
:func:`wfm.stats.t_quantile`: the studentised replication mean has ``n - 1`` degrees of
freedom, not a normal law (exactly so for normal replication values; a replication's
measure averages thousands of contacts, which makes it close to normal).

For a measure that is a ratio of counts over few contacts, ``check(..., per=N)`` tests
the pooled ratio instead, through ``X - theory * N`` whose mean is exactly 0
(:func:`t_check_ratio`): the mean of the per-replication ratios X/N is biased by up to
``sd(X/N) / sqrt(E[N])`` for Poisson N.

:class:`Family` counts the checks, so the Bonferroni split is the real one, and offers
:meth:`Family.rejects`, a *power* check: the same replications, the same band, must
reject a deliberately wrong theory (e.g. the answer for one agent fewer). A check whose
band is too wide to see a wrong answer is caught there. A power check adds a type-II
risk (the wrong value not rejected on a new seed); :meth:`Family.rejects` reports its
probability, estimated from the noncentral t with the observed spread.

Queue theory
------------
:class:`MMnM` is the M/M/n+M queue (``theta = 0``: M/M/n, Erlang C) as a birth-death
chain truncated far in its tail, with FIFO waiting. From the distribution of the number
in system an arrival sees (PASTA) it gives every per-arrival measure the engine reports
(service level, ASA of the answered, abandonment, the wait distribution of the answered
and its quantiles), either in steady state or for a finite horizon started empty, the
time average ``(1/T) int_0^T p(s) ds`` computed exactly with matrix exponentials. The
finite-horizon values are what one replication of ``T`` seconds estimates (E[X]/E[N] for
a ratio X/N), so the engine's empty start needs no bias allowance.

A tagged arrival that finds ``j`` contacts waiting ahead of it (all agents busy) moves
up at rate ``n mu + j theta`` (a service completion, or one ahead abandons), is served
from the head at rate ``n mu`` and abandons at rate ``theta``: a small absorbing chain
``A`` whose exponentials give ``P(served, wait <= w | j)``; ``P(served | j)`` is
``(-A)^-1 r`` and ``E[wait; served | j]`` is ``(-A)^-2 r`` (``r``: rate into service).
"""

from __future__ import annotations

import bisect
import math
import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import linalg, optimize, special
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import expm_multiply
from scipy.stats import binom, nct, norm

import wfm
from wfm.stats import t_quantile

ALPHA_FW = 1e-3  # family-wise error of one test: P(a correct engine fails it) <= 1e-3


# ------------------------------------------------------------------------ t checks
@dataclass(frozen=True)
class Check:
    """One comparison of replication values with a theoretical value."""

    label: str
    mean: float
    theory: float
    halfwidth: float
    n: int
    sd: float
    t: float  # (mean - theory) / (sd / sqrt(n))
    t_crit: float
    alpha: float  # two-sided level of this one check

    @property
    def inside(self) -> bool:
        return abs(self.mean - self.theory) <= self.halfwidth

    def __str__(self) -> str:
        return (
            f"{self.label}: mean {self.mean:.6g} vs theory {self.theory:.6g}, "
            f"half-width {self.halfwidth:.4g} (t_crit {self.t_crit:.3f}, alpha {self.alpha:.2g}), "
            f"n {self.n}, sd {self.sd:.4g}, t = {self.t:+.2f}"
        )


def t_check(values, theory: float, alpha: float, label: str = "") -> Check:
    """Compare the mean of independent ``values`` with ``theory`` at two-sided level ``alpha``."""
    v = np.asarray(values, float).ravel()
    if v.size < 2 or not np.all(np.isfinite(v)):
        raise ValueError(f"{label}: need >= 2 finite replication values (got {v.tolist()})")
    n = v.size
    mean, sd = float(v.mean()), float(v.std(ddof=1))
    if sd == 0:
        raise ValueError(f"{label}: all {n} replication values equal {mean}: no spread to test")
    se = sd / math.sqrt(n)
    tc = float(t_quantile(1 - alpha / 2, n - 1))
    return Check(label, mean, float(theory), tc * se, n, sd, (mean - theory) / se, tc, alpha)


def t_check_ratio(num, den, theory: float, alpha: float, label: str = "") -> Check:
    """Compare the pooled ratio sum(num) / sum(den) of independent replications with theory.

    For a measure that is a ratio of counts (in target / offered, wait sum / answered), a
    replication's ratio X/N is biased for E[X]/E[N] by -Cov(X/N, N)/E[N], which matters
    when N is small. The values ``X - theory * N`` have mean exactly 0 when ``theory`` is
    E[X]/E[N]: the t test is on them, reported in the ratio's units (divided by mean N).
    """
    x, n_ = np.asarray(num, float).ravel(), np.asarray(den, float).ravel()
    c = t_check(x - theory * n_, 0.0, alpha, label)
    scale = float(n_.mean())
    return Check(
        label,
        float(x.sum() / n_.sum()),
        float(theory),
        c.halfwidth / scale,
        c.n,
        c.sd / scale,
        c.t,
        c.t_crit,
        alpha,
    )


def verbose(message: str) -> None:
    """Print when WFM_STATS_VERBOSE is set (run pytest with -s to see it)."""
    if os.environ.get("WFM_STATS_VERBOSE"):
        print(message)


class Family:
    """The checks of one test, Bonferroni-split: ``with Family("name", checks=m) as fam:``.

    ``fam.check(values, theory, label)`` asserts that the mean lies within the Student-t
    band at level ``alpha_fw / m``; ``fam.rejects(values, wrong, label)`` asserts that the
    same band excludes a wrong value (a power check; it does not count towards ``m``).
    Leaving the block asserts that exactly ``m`` checks were made.
    """

    def __init__(self, name: str, checks: int, alpha_fw: float = ALPHA_FW) -> None:
        if checks < 1:
            raise ValueError("a family needs at least one check")
        self.name = name
        self.m = checks
        self.alpha_fw = alpha_fw
        self.alpha = alpha_fw / checks
        self.done: list[Check] = []
        self.power: list[tuple[Check, float]] = []

    def __enter__(self) -> Family:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for c in self.done:
            verbose(str(c))
        for c, risk in self.power:
            verbose(f"{c} [rejected; miss probability {risk:.2g}]")
        if exc_type is None:
            assert len(self.done) == self.m, (
                f"{self.name}: declared {self.m} checks for the Bonferroni split, made {len(self.done)}"
            )

    def _test(self, values, theory: float, label: str, per) -> Check:
        if per is None:
            return t_check(values, theory, self.alpha, label)
        return t_check_ratio(values, per, theory, self.alpha, label)

    def check(self, values, theory: float, label: str, per=None) -> Check:
        """Assert the mean of ``values`` (with ``per``: the ratio sum(values) / sum(per)) is
        within the band of ``theory``."""
        c = self._test(values, theory, f"{self.name} / {label}", per)
        self.done.append(c)
        assert c.inside, f"engine disagrees with theory beyond the band: {c}"
        return c

    def rejects(self, values, wrong: float, label: str, per=None) -> Check:
        """Power check: the band must exclude ``wrong``; reports the estimated type-II risk."""
        c = self._test(values, wrong, f"{self.name} / power: {label}", per)
        risk = miss_probability(c)
        self.power.append((c, risk))
        assert not c.inside, (
            f"the test cannot tell a wrong theory value from the simulation: {c} "
            f"(estimated probability of missing it: {risk:.2g})"
        )
        return c


def miss_probability(c: Check) -> float:
    """P(a check at c's level fails to reject c.theory), estimated with the observed spread.

    The statistic against a wrong value is noncentral t with ``n - 1`` degrees of freedom
    and noncentrality ``(mean - wrong) / (sd / sqrt(n))`` (plug-in estimate).
    """
    delta = abs(c.t)
    risk = float(nct.cdf(c.t_crit, c.n - 1, delta) - nct.cdf(-c.t_crit, c.n - 1, delta))
    if not math.isfinite(risk):  # far in the tail the noncentral t's series fails: normal bound
        risk = float(norm.cdf(c.t_crit - delta))
    return max(risk, 0.0)


def binomial_interval(trials: int, p: float, alpha: float) -> tuple[int, int]:
    """The acceptance region [lo, hi] of an exact two-sided binomial test at level alpha.

    The largest ``lo`` with ``P(X < lo) <= alpha / 2`` and the smallest ``hi`` with
    ``P(X > hi) <= alpha / 2``, for ``X ~ Binomial(trials, p)``.
    """
    k = np.arange(trials + 1)
    below = binom.cdf(k - 1, trials, p)  # P(X < k)
    above = binom.sf(k, trials, p)  # P(X > k)
    lo = int(k[below <= alpha / 2].max())
    hi = int(k[above <= alpha / 2].min())
    return lo, hi


# ------------------------------------------------------------------------ queue theory
class MMnM:
    """M/M/n+M with FIFO waiting as a birth-death chain on 0..K contacts in system.

    Parameters
    ----------
    servers : int
        Agents (for chat: agents x concurrency session slots).
    lam, mu, theta : float
        Arrival rate, service rate and abandonment rate (1 / mean patience; 0: none), per
        second.
    K : int, optional
        Truncation; by default the first state whose stationary probability is below 1e-18
        of the largest one (for ``theta = 0`` the queue must be stable).
    """

    def __init__(self, servers: int, lam: float, mu: float, theta: float = 0.0, K: int | None = None):
        self.n, self.lam, self.mu, self.theta = int(servers), float(lam), float(mu), float(theta)
        if theta == 0 and lam >= self.n * mu and K is None:
            raise ValueError("M/M/n without abandonment is unstable: give K for a transient study")
        if K is None:
            logp, k = [0.0], 0
            while True:  # log of unnormalised stationary probabilities
                k += 1
                logp.append(logp[-1] + math.log(lam / self.death(k)))
                if k > self.n and logp[-1] < max(logp) - math.log(1e18):
                    break
            K = k
        self.K = int(K)

    def death(self, k):
        return np.minimum(k, self.n) * self.mu + np.maximum(k - self.n, 0) * self.theta

    @classmethod
    def from_interval(cls, servers, volume, aht, interval=1800.0, patience=None, K=None) -> MMnM:
        theta = 0.0 if patience is None else 1.0 / patience
        return cls(servers, volume / interval, 1.0 / aht, theta, K)

    # ---- the chain
    @cached_property
    def Q(self) -> np.ndarray:
        k = np.arange(self.K + 1)
        Q = np.zeros((self.K + 1, self.K + 1))
        Q[k[:-1], k[:-1] + 1] = self.lam
        Q[k[1:], k[1:] - 1] = self.death(k[1:])
        Q[k, k] = -Q.sum(axis=1)
        return Q

    @cached_property
    def stationary(self) -> np.ndarray:
        k = np.arange(1, self.K + 1)
        logp = np.concatenate(([0.0], np.cumsum(np.log(self.lam / self.death(k)))))
        p = np.exp(logp - logp.max())
        return p / p.sum()

    def empty(self) -> np.ndarray:
        p = np.zeros(self.K + 1)
        p[0] = 1.0
        return p

    def evolve(self, p0: np.ndarray, t: float) -> np.ndarray:
        """p(t) from p(0) = p0."""
        return p0 @ linalg.expm(self.Q * t)

    def transient(self, p0: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(p(t), int_0^t p(s) ds) from p(0) = p0, by one matrix exponential of size 2(K+1)."""
        s = self.K + 1
        big = np.zeros((2 * s, 2 * s))
        big[:s, :s] = self.Q * t
        big[:s, s:] = np.eye(s) * t
        e = linalg.expm(big)
        return p0 @ e[:s, :s], p0 @ e[:s, s:]

    def horizon_mix(self, horizon: float, step: float, start: float = 0.0) -> np.ndarray:
        """Distribution seen by an arrival uniform on [start, horizon], the system empty at 0.

        ``horizon`` and ``start`` are multiples of ``step`` (one interval).
        """
        steps, first = round(horizon / step), round(start / step)
        s = self.K + 1
        big = np.zeros((2 * s, 2 * s))
        big[:s, :s] = self.Q * step
        big[:s, s:] = np.eye(s) * step
        e = linalg.expm(big)
        E, J = e[:s, :s], e[:s, s:]
        p, acc = self.empty(), np.zeros(s)
        for i in range(steps):
            if i >= first:
                acc += p @ J
            p = p @ E
        assert p[-1] < 1e-15, f"truncation at K={self.K} too low: p(K) = {p[-1]:.2g}"
        return acc / acc.sum()

    # ---- a tagged arrival that finds all agents busy and j waiting ahead
    @cached_property
    def _tagged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        J = self.K - self.n + 1  # j = 0 .. K - n
        j = np.arange(J)
        A = np.zeros((J, J))
        A[j, j] = -(self.n * self.mu + j * self.theta + self.theta)
        A[j[1:], j[1:] - 1] = self.n * self.mu + j[1:] * self.theta
        r = np.zeros(J)
        r[0] = self.n * self.mu
        served = linalg.solve_triangular(-A, r, lower=True)  # P(served | j)
        wait_served = linalg.solve_triangular(-A, served, lower=True)  # E[wait; served | j]
        return A, r, served, wait_served

    def served_within(self, w: float) -> np.ndarray:
        """P(served with wait <= w | j ahead) for j = 0 .. K - n."""
        A, _, served, _ = self._tagged
        if w <= 0:
            return np.zeros_like(served)
        if self.theta == 0:  # the wait is Erlang(j + 1, n mu): the closed form, and fast
            return special.gammainc(np.arange(1, served.size + 1), self.n * self.mu * w)
        return served - linalg.expm(A * w) @ served

    def measures(self, mix: np.ndarray, answer_within: float) -> dict[str, float]:
        """Per-arrival measures for arrivals seeing ``mix`` (the engine's definitions)."""
        n = self.n
        free = float(mix[:n].sum())
        busy = mix[n:]
        _, _, served, wait_served = self._tagged
        answered = free + float(busy @ served)
        return {
            "service_level": free + float(busy @ self.served_within(answer_within)),
            "asa": float(busy @ wait_served) / answered,
            "abandonment": 1.0 - answered,
            "p_wait": float(busy.sum()),
        }

    def wait_cdf(self, mix: np.ndarray, w: float) -> float:
        """P(wait <= w | answered) for arrivals seeing ``mix``."""
        n = self.n
        A, _, served, _ = self._tagged
        free, busy = float(mix[:n].sum()), mix[n:]
        answered = free + float(busy @ served)
        if self.theta == 0 or w <= 0:
            return (free + float(busy @ self.served_within(w))) / answered
        # busy^T exp(A w) served: one sparse action on a vector, no dense exponential
        left = expm_multiply(csr_matrix(A.T) * w, busy)
        return (free + float(busy @ served) - float(left @ served)) / answered

    def wait_quantile(self, mix: np.ndarray, q: float) -> float:
        """The q quantile of the wait of the answered (0 when P(no wait) >= q)."""
        if self.wait_cdf(mix, 0.0) >= q:
            return 0.0
        hi = 1.0
        while self.wait_cdf(mix, hi) < q:
            hi *= 2
        return optimize.brentq(lambda w: self.wait_cdf(mix, w) - q, 0.0, hi, xtol=1e-10, rtol=1e-12)

    def binned_wait_quantile(self, mix: np.ndarray, q: float, edges, exact: float | None = None) -> float:
        """The population value of a histogram quantile: bin 0 holds the zero waits, bin 1
        (0, edges[0]), bin j >= 2 [edges[j-2], edges[j-1]); linear inside the bin the
        quantile falls in. (What a histogram estimator averages to, up to O(1/N).)
        ``exact``: the exact quantile, when already known."""
        if exact is None:
            exact = self.wait_quantile(mix, q)
        if exact == 0.0:
            return 0.0
        points = [0.0, *map(float, edges)]
        hi = bisect.bisect_left(points, exact)  # points[hi - 1] < exact <= points[hi]
        assert 0 < hi < len(points), "quantile beyond the last histogram edge"
        lo_w, hi_w = points[hi - 1], points[hi]
        f_lo, f_hi = self.wait_cdf(mix, lo_w), self.wait_cdf(mix, hi_w)
        return lo_w + (q - f_lo) / (f_hi - f_lo) * (hi_w - lo_w)

    def occupancy(self, mix: np.ndarray) -> float:
        """Mean busy servers / servers under ``mix`` (a time average, not per arrival)."""
        k = np.arange(self.K + 1)
        return float(mix @ np.minimum(k, self.n)) / self.n

    def relaxation_time(self) -> float:
        """1 / spectral gap of the generator, seconds: how fast p(t) forgets the empty start.

        The birth-death generator is similar to a symmetric tridiagonal matrix with
        off-diagonal ``sqrt(lam * death(k + 1))``; its eigenvalues are those of Q.
        """
        k = np.arange(self.K + 1)
        diag = np.diag(self.Q)
        off = np.sqrt(self.lam * self.death(k[1:]))
        ev = linalg.eigvalsh_tridiagonal(diag, off)
        return float(1.0 / -np.sort(ev)[-2])


# ------------------------------------------------------------------------ scenarios
def one_channel(
    staff,
    volume=100.0,
    aht=180.0,
    horizon=48,
    kind="voice",
    patience=None,
    concurrency=1,
    answer_within=20.0,
    cv=1.0,
    interval_minutes=30,
) -> wfm.Scenario:
    """One channel served by one group: the queues the theory above describes."""
    ch = {
        "kind": kind,
        "volume": [volume] * horizon if np.isscalar(volume) else list(volume),
        "aht": aht,
        "handle_cv": cv,
        "target": {"answer_within": answer_within, "service_level": 0.8},
    }
    if patience is not None:
        ch["patience"] = patience
    if concurrency > 1:
        ch["concurrency"] = concurrency
    return wfm.Scenario.from_dict(
        {
            "name": "validation",
            "interval_minutes": interval_minutes,
            "channels": {"c": ch},
            "agents": [{"group": "g", "skills": ["c"], "staff": staff}],
        }
    )

"""The statistical test helpers (``tests/stats_helpers.py``) checked on their own.

The theory the engine is validated against must itself be right: the birth-death chains
agree with ``wfm.erlang``'s closed forms, the wait quantile with Erlang C's, the
finite-horizon average with a direct integration. The t checks reject at their nominal
rate (and the old 4-standard-error band with 6 replications did not: about 1%).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from stats_helpers import (
    ALPHA_FW,
    Family,
    MMnM,
    binomial_interval,
    t_check,
    t_check_ratio,
)

from wfm import erlang

# (agents or session slots, volume per 30 min, aht, patience, answer_within): the queues
# of test_engine_validation.py
QUEUES = [
    (14, 100, 180, None, 20),
    (13, 100, 180, None, 20),
    (46, 600, 120, None, 20),
    (24, 120, 300, None, 60),
    (13, 100, 180, 300, 20),
    (9, 100, 180, 120, 20),
    (50, 1440, 60, 120, 20),
    (12, 100, 360, 240, 60),
]


@pytest.mark.parametrize(("n", "volume", "aht", "patience", "within"), QUEUES)
def test_chain_steady_state_is_erlang(n, volume, aht, patience, within):
    q = MMnM.from_interval(n, volume, aht, patience=patience)
    got = q.measures(q.stationary, within)
    kw = {"patience": patience}
    assert got["service_level"] == pytest.approx(float(erlang.service_level(volume, aht, n, within, **kw)), abs=1e-10)
    assert got["asa"] == pytest.approx(float(erlang.asa(volume, aht, n, **kw)), rel=1e-9)
    assert got["p_wait"] == pytest.approx(float(erlang.probability_wait(volume, aht, n, **kw)), abs=1e-10)
    abandon = 0.0 if patience is None else float(erlang.abandonment(volume, aht, n, patience))
    assert got["abandonment"] == pytest.approx(abandon, abs=1e-10)
    # busy servers = answered traffic: a (1 - abandonment) / n
    a = volume * aht / 1800
    assert q.occupancy(q.stationary) == pytest.approx(a * (1 - abandon) / n, rel=1e-9)


@pytest.mark.parametrize(("n", "volume", "aht"), [(14, 100, 180), (13, 100, 180), (46, 600, 120), (12, 100, 180)])
def test_wait_quantile_is_erlang_c_closed_form(n, volume, aht):
    """P(W > t) = C exp(-(n mu - lambda) t): the 0.9 quantile is max(0, ln(C/0.1)/(n mu - lambda))."""
    q = MMnM.from_interval(n, volume, aht)
    lam, mu = volume / 1800, 1 / aht
    c = float(erlang.erlang_c(lam / mu, n))
    closed = max(0.0, math.log(c / 0.1) / (n * mu - lam))
    assert q.wait_quantile(q.stationary, 0.9) == pytest.approx(closed, rel=1e-9, abs=1e-9)
    for w in (0.0, 5.0, 20.0, 60.0):
        assert q.wait_cdf(q.stationary, w) == pytest.approx(1 - c * math.exp(-(n * mu - lam) * w), abs=1e-12)


def test_tagged_chain_exponential_path_matches_the_gamma_closed_form():
    """theta > 0 takes the matrix-exponential path; with theta = 1e-9 it must agree with the
    Erlang(j + 1, n mu) closed form used at theta = 0."""
    c = MMnM(14, 100 / 1800, 1 / 180, 0.0)
    a = MMnM(14, 100 / 1800, 1 / 180, 1e-9, K=c.K)
    for w in (1.0, 20.0, 100.0):
        np.testing.assert_allclose(a.served_within(w), c.served_within(w), atol=1e-6)
        assert a.wait_cdf(a.stationary, w) == pytest.approx(c.wait_cdf(c.stationary, w), abs=1e-6)


def test_binned_quantile_is_the_interpolated_cdf():
    q = MMnM.from_interval(14, 100, 180)
    edges = [0.1 * 1.05**k for k in range(380)]
    exact = q.wait_quantile(q.stationary, 0.9)
    binned = q.binned_wait_quantile(q.stationary, 0.9, edges)
    k = int(np.searchsorted(edges, exact))  # edges[k - 1] < exact <= edges[k]
    lo, hi = edges[k - 1], edges[k]
    f_lo, f_hi = q.wait_cdf(q.stationary, lo), q.wait_cdf(q.stationary, hi)
    assert lo < binned <= hi
    assert binned == pytest.approx(lo + (0.9 - f_lo) / (f_hi - f_lo) * (hi - lo), rel=1e-12)
    # a 5% bin bounds the difference; the near-linear CDF makes it far smaller
    assert abs(binned - exact) < 0.05 * exact / 100


def test_horizon_mix_is_the_time_average_from_empty():
    """The augmented-exponential integral against quadrature, and its limits."""
    q = MMnM.from_interval(8, 100, 180, patience=200)
    T, L = 4 * 1800.0, 1800.0
    mix = q.horizon_mix(T, L)

    def p(s):
        return q.evolve(q.empty(), s)

    direct = integrate.quad_vec(p, 0, T, epsabs=1e-12)[0] / T
    np.testing.assert_allclose(mix, direct, atol=1e-9)
    late = q.horizon_mix(T, L, start=2 * L)
    direct_late = integrate.quad_vec(p, 2 * L, T, epsabs=1e-12)[0] / (T - 2 * L)
    np.testing.assert_allclose(late, direct_late, atol=1e-9)
    # a long horizon approaches the steady state like relaxation time / horizon
    tau = q.relaxation_time()
    long = q.horizon_mix(200 * L, L)
    assert 0.5 * np.abs(long - q.stationary).sum() < 5 * tau / (200 * L)


def test_relaxation_time_is_the_spectral_gap():
    """1 / (second eigenvalue of the generator), from the symmetrised tridiagonal matrix;
    against a dense eigen-solver, and the distance from steady state then shrinks by at
    least e^-1 per relaxation time (the next modes, e.g. 1.06 / tau, decay faster)."""
    q = MMnM.from_interval(14, 100, 180)
    tau = q.relaxation_time()
    ev = np.sort(np.linalg.eigvals(q.Q).real)[::-1]
    assert tau == pytest.approx(-1 / ev[1], rel=1e-6)
    assert tau == pytest.approx(525, abs=1)  # the figure quoted in test_engine_validation.py
    d1 = np.abs(q.evolve(q.empty(), 10 * tau) - q.stationary).sum()
    d2 = np.abs(q.evolve(q.empty(), 11 * tau) - q.stationary).sum()
    assert math.exp(-1.25) < d2 / d1 < math.exp(-1)


def test_t_check_rejects_at_its_nominal_rate():
    """4,000 normal samples of 6: a check at alpha = 0.05 rejects Binomial(4000, 0.05) of
    them (exact test at 1e-3); with the normal quantile 1.96 (df ignored) it would reject
    about 10.7% and fails that test."""
    rng = np.random.default_rng(7)
    samples = rng.normal(3.0, 2.0, size=(4000, 6))
    checks = [t_check(x, 3.0, 0.05) for x in samples]
    lo, hi = binomial_interval(4000, 0.05, ALPHA_FW)
    rejected = sum(not c.inside for c in checks)
    assert lo <= rejected <= hi, (rejected, lo, hi)
    z_rejected = sum(abs(c.t) > 1.959964 for c in checks)
    assert z_rejected > hi


def test_old_four_standard_error_band_was_not_1e4():
    """The replaced tests claimed a 4-standard-error band over 6 replications fails a
    correct engine with probability below 1e-4; the statistic is t with 5 df."""
    per_check = 2 * stats.t.sf(4, 5)
    assert per_check == pytest.approx(0.0103, abs=1e-4)
    # the t quantile the helper uses for one check at 1e-4 with 6 replications
    assert t_check(np.arange(6.0), 0.0, 1e-4).t_crit == pytest.approx(stats.t.isf(5e-5, 5), rel=1e-9)


def test_ratio_check_is_exact_where_the_mean_of_ratios_is_biased():
    """Small replications whose success rate falls with their size: the mean of X/N is
    biased for E[X]/E[N]; the ratio check (X - theory N) is not."""
    rng = np.random.default_rng(3)
    lam = 4.0
    n = rng.poisson(lam, 40_000) + 1  # N >= 1
    p_of = 1 / (1 + 0.2 * n)
    x = rng.binomial(n, p_of)
    # exact E[X]/E[N] by summation over the law of N
    k = np.arange(1, 80)
    pk = stats.poisson.pmf(k - 1, lam)
    exact = float((pk * k / (1 + 0.2 * k)).sum() / (pk * k).sum())
    assert t_check_ratio(x, n, exact, 1e-3).inside
    assert not t_check(x / n, exact, 1e-3).inside  # the naive mean of ratios is off


def test_family_counts_its_checks_and_power_checks_bite():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(AssertionError, match="declared 2 checks"):
        with Family("f", checks=2) as fam:
            fam.check(values, 3.0, "mean")
    with Family("g", checks=1) as fam:
        c = fam.check(values, 3.0, "mean")
        assert c.alpha == ALPHA_FW and c.n == 5 and c.t == 0
        with pytest.raises(AssertionError, match="cannot tell"):
            fam.rejects(values, 3.5, "too close to tell")
        fam.rejects(values, 30.0, "far")
    with pytest.raises(AssertionError, match=r"mean 3 vs theory 10.*half-width.*n 5.*t = -"):
        with Family("h", checks=1) as fam:
            fam.check(values, 10.0, "mean")


@pytest.mark.parametrize(("trials", "p", "alpha"), [(1000, 0.95, 2.5e-4), (4000, 0.05, 1e-3), (50, 0.5, 0.01)])
def test_binomial_interval_is_the_exact_region(trials, p, alpha):
    lo, hi = binomial_interval(trials, p, alpha)
    dist = stats.binom(trials, p)
    assert dist.cdf(lo - 1) <= alpha / 2 < dist.cdf(lo)  # lo is the largest such bound
    assert dist.sf(hi) <= alpha / 2 < dist.sf(hi - 1)

"""Independent references for the engine's switch features (issue 11): exact chains and
small process-per-contact models, written here, not taken from ``wfm.erlang``.

How the feature tests use them (the statistics are ``tests/stats_helpers.py``'s):

* Every value compared is one independent replication (its own root seed, or one of the
  replications of one ``simulate`` call, which are independent by construction:
  ``SeedSequence.spawn``). A test makes ``m`` Student-t checks at ``1e-3 / m``
  (Bonferroni, :class:`stats_helpers.Family`); a ratio of counts is checked pooled
  (``per=``: ``X - theory * N`` has mean exactly 0), so the ratio's small-sample bias
  does not enter. Each test also rejects a deliberately wrong value with the same band
  (``Family.rejects``).
* Where the reference is an exact chain over the horizon from empty (PASTA: an arrival
  uniform on ``[0, T]`` sees the time average of ``p(t)``), the whole horizon is
  compared. Where the reference is a steady state (M/M/n+G, M/G/1, priority classes,
  Jackson networks), the first intervals (many relaxation times of the queue) and, for
  non-FIFO disciplines, the last ones are left out: :func:`windows` sums the per-interval
  counts of each replication over the intervals kept.
* Where no exact result exists, a small simpy model with a process per contact written
  in the test is the reference; engine and reference replications are independent, so
  their paired differences are i.i.d. with mean ``E[engine] - E[reference]`` and are
  checked against 0.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import simpy
from scipy import integrate, linalg, sparse
from scipy.special import gammaln
from stats_helpers import MMnM

import wfm
from wfm.sim.engine import simulate

L = 1800.0  # a 30-minute interval, seconds
# every root seed is shifted by WFM_TEST_SEED (default 0), as in test_engine_validation.py
SHIFT = int(os.environ.get("WFM_TEST_SEED", "0"))
TARGET = {"answer_within": 20.0, "service_level": 0.8}


# ------------------------------------------------------------------------ scenarios
def scenario(channels: dict, agents: list, interval_minutes: int = 30, **top) -> wfm.Scenario:
    """A validated scenario from plain mappings (the file's layout)."""
    return wfm.Scenario.from_dict(
        {"name": "feature", "interval_minutes": interval_minutes, "channels": channels, "agents": agents, **top}
    )


def voice(volume, aht, horizon: int | None = None, within: float = 20.0, **extra) -> dict:
    """A voice channel: ``volume`` per interval (one number with ``horizon``, or a list)."""
    vol = [volume] * horizon if horizon is not None else list(volume)
    return {"kind": "voice", "volume": vol, "aht": aht,
            "target": {"answer_within": within, "service_level": 0.8}, **extra}


def replications(sc: wfm.Scenario, seed: int, runs: int) -> pd.DataFrame:
    """The per-replication totals of one ``simulate`` call (``SimulationResult.replications``)."""
    return simulate(sc, seed=SHIFT + seed, replications=runs).replications


COUNT_COLUMNS = ("offered", "answered", "abandoned", "answered_in_target", "unanswered", "pending",
                 "short_abandoned", "blocked", "balked", "retrials", "customers", "transferred_in",
                 "transferred_out", "rerouted", "connected")


def windows(sc: wfm.Scenario, seeds: Iterable[int], first: int = 0, last: int | None = None
            ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Per-replication sums over the intervals ``first <= i < last`` (one run per seed).

    Returns ``(channels, groups)``: per channel a frame with one row per seed holding the
    counts and ``wait_sum`` (ASA x answered) of the contacts that arrived in the window;
    per group one row per seed with ``busy`` and ``on_duty`` (agent-seconds in it).
    """
    ch_rows: dict[str, list[dict]] = {}
    gr_rows: dict[str, list[dict]] = {}
    for s in seeds:
        res = simulate(sc, seed=SHIFT + s)
        iv = res.intervals
        stop = sc.horizon if last is None else last
        iv = iv[(iv["interval"] >= first) & (iv["interval"] < stop)]
        iv = iv.assign(wait_sum=iv["asa"].fillna(0.0) * iv["answered"])
        for name, part in iv.groupby("channel", sort=False):
            row = {k: float(part[k].sum()) for k in (*COUNT_COLUMNS, "wait_sum")}
            ch_rows.setdefault(str(name), []).append(row)
        gr = res.groups
        gr = gr[(gr["interval"] >= first) & (gr["interval"] < stop)]
        for name, part in gr.groupby("group", sort=False):
            gr_rows.setdefault(str(name), []).append(
                {"busy": float(part["busy"].sum()), "on_duty": float(part["on_duty"].sum())})
    return ({k: pd.DataFrame(v) for k, v in ch_rows.items()},
            {k: pd.DataFrame(v) for k, v in gr_rows.items()})


# ------------------------------------------------------------------------ one queue, exact
class Queue:
    """M/M/n(+M) whose arrivals may be refused, as a birth-death chain on 0..K in system.

    An arrival that finds ``k`` in system starts at once (``k < n``) or joins the FIFO
    queue with probability ``accept[k]`` (``k >= n``); the others are refused (blocked by
    a full queue or busy lines, or balking). The chain's birth rate in state ``k`` is
    ``lam * accept[k]`` (thinning). ``K`` is the capacity when the system has one (give
    ``accept`` 0 there), otherwise a truncation far in the tail (:class:`MMnM`'s).

    A tagged contact that joins with ``j`` ahead moves as in :class:`MMnM` (completions
    at ``n mu``, those ahead abandoning at ``theta`` each): later arrivals do not change
    its fate, so the measures hold over a finite horizon with the queue drained after it.
    """

    def __init__(self, n: int, lam: float, mu: float, theta: float = 0.0, K: int | None = None,
                 accept: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.base = MMnM(n, lam, mu, theta, K=K)
        self.n, self.lam, self.mu, self.theta, self.K = n, lam, mu, theta, self.base.K
        k = np.arange(self.K + 1)
        a = np.ones(self.K + 1) if accept is None else np.asarray(accept(k), float)
        a[:n] = 1.0
        self.accept = a

    @property
    def Q(self) -> np.ndarray:
        k = np.arange(self.K + 1)
        Q = np.zeros((self.K + 1, self.K + 1))
        Q[k[:-1], k[:-1] + 1] = self.lam * self.accept[:-1]
        Q[k[1:], k[1:] - 1] = self.base.death(k[1:])
        Q[k, k] = -Q.sum(axis=1)
        return Q

    def stationary(self) -> np.ndarray:
        k = np.arange(1, self.K + 1)
        with np.errstate(divide="ignore"):
            logp = np.concatenate(([0.0], np.cumsum(np.log(self.lam * self.accept[:-1] / self.base.death(k)))))
        p = np.exp(logp - logp[np.isfinite(logp)].max())
        return p / p.sum()

    def horizon_mix(self, horizon: float, step: float = L) -> np.ndarray:
        """What an arrival uniform on [0, horizon] sees, the system empty at 0 (the time
        average of p(t), exact: one matrix exponential per ``step``)."""
        return time_average(self.Q, horizon, step)[0]

    def measures(self, mix: np.ndarray, within: float) -> dict[str, float]:
        """Per-arrival measures for arrivals that see ``mix`` (sums to 1 over 0..K)."""
        n = self.n
        _, _, served, wait_served = self.base._tagged
        free = float(mix[:n].sum())
        joins = mix[n:] * self.accept[n:]
        answered = free + float(joins @ served)
        in_target = free + float(joins @ self.base.served_within(within)) if within > 0 else free
        k = np.arange(self.K + 1)
        return {
            "service_level": in_target,
            "answered": answered,
            "asa": float(joins @ wait_served) / answered,
            "refused": float((mix[n:] * (1 - self.accept[n:])).sum()),
            "abandonment": float(joins.sum()) - float(joins @ served),
            "short_abandoned": float(joins @ self.abandoned_within(within)),
            "occupancy": float(mix @ np.minimum(k, n)) / n,
            "p_wait": float(mix[n:].sum()),
        }

    def abandoned_within(self, w: float) -> np.ndarray:
        """P(abandoned with wait <= w | j ahead)."""
        A, _, _, _ = self.base._tagged
        if self.theta == 0 or w <= 0:
            return np.zeros(A.shape[0])
        waiting = linalg.expm(A * w) @ np.ones(A.shape[0])
        return 1.0 - waiting - self.base.served_within(w)

    def finished_within(self, mix: np.ndarray, w: float) -> float:
        """P(wait + handle <= w) per arrival (no abandonment): a joiner with j ahead goes
        through j + 1 phases at rate n mu, then its own service at mu."""
        assert self.theta == 0
        n, mu = self.n, self.mu
        J = self.K - n + 1
        B = np.zeros((J + 1, J + 1))  # phases: waiting with j ahead (0..J-1), in service (J)
        for j in range(J):
            B[j, j] = -n * mu
            B[j, j - 1 if j > 0 else J] = n * mu
        B[J, J] = -mu
        done = 1.0 - linalg.expm(B * w) @ np.ones(J + 1)
        joins = mix[n:] * self.accept[n:]
        return float(mix[:n].sum()) * done[J] + float(joins @ done[:J])


def time_average(Q: np.ndarray, horizon: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Time average over [0, horizon] of the state distribution of the chain with
    generator ``Q`` started in state 0, and the distribution at ``horizon`` (exact: one
    matrix exponential of the augmented generator per ``step``)."""
    s = len(Q)
    big = np.zeros((2 * s, 2 * s))
    big[:s, :s] = Q * step
    big[:s, s:] = np.eye(s) * step
    e = linalg.expm(big)
    E, Jm = e[:s, :s], e[:s, s:]
    p, acc = np.zeros(s), np.zeros(s)
    p[0] = 1.0
    for _ in range(round(horizon / step)):
        acc += p @ Jm
        p = p @ E
    return acc / acc.sum(), p


def erlang_b(n: int, a: float) -> float:
    """Erlang B by its recursion (blocking of M/G/n/n)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def birth_death_average(births: np.ndarray, deaths: np.ndarray, horizon: float, step: float = L) -> np.ndarray:
    """Time average over [0, horizon] of a birth-death chain on 0..K started in state 0:
    ``births[k]`` the rate k -> k + 1 (k < K), ``deaths[k]`` the rate k -> k - 1 (k > 0)."""
    K = len(births) - 1
    k = np.arange(K + 1)
    Q = np.zeros((K + 1, K + 1))
    Q[k[:-1], k[:-1] + 1] = births[:-1]
    Q[k[1:], k[1:] - 1] = deaths[1:]
    Q[k, k] = -Q.sum(axis=1)
    average, p = time_average(Q, horizon, step)
    assert p[-1] < 1e-14, "truncation too low"
    return average


# ------------------------------------------------------------------------ M/M/n+G, steady state
def mmn_plus_g(n: int, lam: float, mu: float, survival: Callable[[float], float], within: float,
               breaks: tuple[float, ...] = ()) -> dict[str, float]:
    """M/M/n+G (FIFO, patience of survival function ``survival``) in steady state.

    Baccelli and Hebuterne (1981), in the form of Zeltyn and Mandelbaum (2005): with
    ``H(x) = int_0^x survival``, the virtual wait V (the wait of an infinitely patient
    arrival) has an atom ``E / (E + lam J)`` at 0 and density
    ``lam exp(lam H(x) - n mu x) / (E + lam J)`` on x > 0, where
    ``J = int_0^inf exp(lam H(x) - n mu x) dx`` and ``E = sum_{j<n} rho^j / j! /
    (rho^(n-1) / (n-1)!)``. An arrival whose patience exceeds V is served after V.
    ``breaks``: points where ``survival`` jumps (a deterministic patience), for the
    quadrature.
    """
    rho = lam / mu
    j = np.arange(n)
    E = float(np.exp(j * math.log(rho) - gammaln(j + 1) - ((n - 1) * math.log(rho) - gammaln(n))).sum())

    def H(x: float) -> float:
        return integrate.quad(survival, 0.0, x, points=[b for b in breaks if b < x] or None, limit=200)[0]

    def g(x: float) -> float:
        return math.exp(lam * H(x) - n * mu * x)

    pts = sorted({*breaks, within})

    def quad(f: Callable[[float], float], lo: float, hi: float) -> float:
        inner = [p for p in pts if lo < p < hi]
        edges = [lo, *inner, hi]
        return sum(integrate.quad(f, a, b, limit=200, epsabs=1e-13, epsrel=1e-11)[0] for a, b in
                   zip(edges[:-1], edges[1:], strict=True))

    top = max(pts) if pts else 0.0
    J = quad(g, 0.0, top) + integrate.quad(g, top, math.inf, limit=200)[0]
    norm = E + lam * J
    served_in_queue = quad(lambda x: lam * g(x) * survival(x), 0.0, top) + integrate.quad(
        lambda x: lam * g(x) * survival(x), top, math.inf, limit=200)[0]
    answered = (E + served_in_queue) / norm
    wait_served = (quad(lambda x: x * lam * g(x) * survival(x), 0.0, top) + integrate.quad(
        lambda x: x * lam * g(x) * survival(x), top, math.inf, limit=200)[0]) / norm
    in_target = (E + quad(lambda x: lam * g(x) * survival(x), 0.0, within)) / norm
    return {
        "p_wait": lam * J / norm,
        "abandonment": 1.0 - answered,
        "service_level": in_target,
        "asa": wait_served / answered,
    }


def pollaczek_khinchine(lam: float, mean: float, second_moment: float) -> float:
    """Mean wait in queue of M/G/1: lam E[S^2] / (2 (1 - rho))."""
    rho = lam * mean
    assert rho < 1
    return lam * second_moment / (2 * (1 - rho))


# ------------------------------------------------------------------------ chains on tuples
class Markov:
    """A finite continuous-time Markov chain on hashable states, built from ``moves(state)``
    (pairs of rate and next state); sparse generator."""

    def __init__(self, states: list, moves: Callable[[object], Iterable[tuple[float, object]]]) -> None:
        self.states = list(states)
        self.index = {s: i for i, s in enumerate(self.states)}
        rows, cols, vals = [], [], []
        for i, s in enumerate(self.states):
            for rate, t in moves(s):
                if rate <= 0 or t == s:
                    continue
                rows.append(i)
                cols.append(self.index[t])
                vals.append(rate)
        m = len(self.states)
        Q = sparse.csr_matrix((vals, (rows, cols)), shape=(m, m))
        self.Q = (Q - sparse.diags(np.asarray(Q.sum(axis=1)).ravel())).tocsr()

    def stationary(self) -> np.ndarray:
        m = len(self.states)
        A = self.Q.T.tolil()
        A[m - 1, :] = np.ones(m)
        b = np.zeros(m)
        b[m - 1] = 1.0
        p = sparse.linalg.spsolve(A.tocsc(), b)
        return np.asarray(p)

    def average(self, p0: np.ndarray, horizon: float, step: float) -> np.ndarray:
        """(1/horizon) int_0^horizon p(s) ds from p(0) = p0, exact (a matrix exponential
        of one ``step``, applied horizon / step times)."""
        s = len(self.states)
        big = np.zeros((2 * s, 2 * s))
        big[:s, :s] = self.Q.toarray() * step
        big[:s, s:] = np.eye(s) * step
        e = linalg.expm(big)
        E, Jm = e[:s, :s], e[:s, s:]
        p, acc = np.asarray(p0, float), np.zeros(s)
        for _ in range(round(horizon / step)):
            acc += p @ Jm
            p = p @ E
        return acc / horizon

    def start(self, state) -> np.ndarray:
        p = np.zeros(len(self.states))
        p[self.index[state]] = 1.0
        return p

    def expect(self, p: np.ndarray, f: Callable[[object], float]) -> float:
        return float(sum(pi * f(s) for pi, s in zip(p, self.states, strict=True)))


def relaxation_time(Q: np.ndarray | sparse.spmatrix) -> float:
    """1 / spectral gap of a generator (the slowest decay of p(t) to the steady state), s."""
    dense = Q.toarray() if sparse.issparse(Q) else np.asarray(Q)
    ev = np.sort(np.linalg.eigvals(dense).real)
    return float(-1.0 / ev[-2])


# ------------------------------------------------------------------------ process-per-contact models
def overflow_reference(seed: int, lam: float, aht: float, n_main: int, n_backup: int, delay: float,
                       horizon: float, within: float) -> dict[str, float]:
    """Overflow to a back-up group after ``delay``, simpy, a process per contact.

    One FIFO queue; an arriving contact takes a free main agent, else waits; a main agent
    takes the head of the queue whenever it is free; a back-up agent takes the head only
    once it has waited ``delay`` seconds. Exponential handle times, no abandonment;
    arrivals on [0, horizon), the queue drained after it. Returns the counts of the
    horizon and the back-up group's busy seconds inside it.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    queue: deque = deque()  # waiting contacts: (arrival, event triggered when an agent takes it)
    idle = {"main": n_main, "backup": n_backup}
    need = {"main": 0.0, "backup": delay}
    out = {"offered": 0, "in_target": 0, "wait_sum": 0.0, "answered": 0, "backup_busy": 0.0,
           "backup_early": 0}
    wake: dict[str, simpy.Event] = {"main": env.event(), "backup": env.event()}

    def poke(group: str) -> None:
        ev = wake[group]
        wake[group] = env.event()
        ev.succeed()

    def take(group: str, arrival: float) -> None:
        idle[group] -= 1
        wait = env.now - arrival
        out["answered"] += 1
        out["wait_sum"] += wait
        out["in_target"] += wait <= within
        out["backup_early"] += group == "backup" and wait < delay - 1e-9

    def contact(arrival: float, handle: float):
        out["offered"] += 1
        if idle["main"] > 0:
            take("main", arrival)
            group = "main"
        else:
            taken = env.event()
            queue.append((arrival, taken))
            poke("backup")  # it may need a timer for this contact
            group = yield taken
        if group == "backup":
            out["backup_busy"] += min(env.now + handle, horizon) - min(env.now, horizon)
        yield env.timeout(handle)
        idle[group] += 1
        poke(group)

    def dispatcher(group: str):
        # hands the head of the queue to a free agent of the group once it may take it
        while True:
            # (a nanosecond of slack: the clock reached arrival + delay through a float sum)
            while queue and idle[group] > 0 and env.now - queue[0][0] >= need[group] - 1e-9:
                arrival, taken = queue.popleft()
                take(group, arrival)
                taken.succeed(group)
            events = [wake[group]]
            if queue and idle[group] > 0:
                events.append(env.timeout(queue[0][0] + need[group] - env.now))
            yield env.any_of(events)

    def source():
        t = 0.0
        while True:
            t += rng.exponential(1 / lam)
            if t >= horizon:
                return
            yield env.timeout(t - env.now)
            env.process(contact(t, rng.exponential(aht)))

    env.process(source())
    env.process(dispatcher("main"))
    env.process(dispatcher("backup"))
    env.run()
    return out

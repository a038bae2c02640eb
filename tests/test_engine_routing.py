"""Routing rules against exact chains and a small reference model (issue 11, item 1).

The statistics are those of ``tests/feature_refs.py`` (module docstring). References:

* Arrival rules with two groups of one skill (3 and 6 agents, exponential handle
  times): the numbers busy in each group and the queue, ``(a, b, q)``, form a Markov
  chain for ``ordered``, ``least_occupied`` (ties to the group listed first) and
  ``random`` (uniform among the groups with a free agent); the group occupancies are its
  time averages over the horizon from empty, exact. ``longest_idle`` sends each contact
  to the agent idle longest across both groups: one FIFO line of idle agents, so every
  agent, whatever its group, is alike in the long run and the two groups' occupancies
  are equal.
* ``priority`` and ``oldest`` on one group with two skills of the same handle time:
  with ``oldest`` the line is FIFO across skills and each skill waits as in M/M/n
  (Erlang C); with ``priority`` the non-preemptive priority M/M/n mean waits of Cobham
  (1954): ``W_k = C / (n mu (1 - s_{k-1})(1 - s_k))``, ``s_k`` the load of classes up to k.
  Steady state: the first 3 hours (5.6 relaxation times of the M/M/10) and the last 2
  are left out (the low class's waits are shortened at the end, when no high-priority
  arrivals overtake it any more).
* Overflow ``delays``: a process-per-contact simpy model (``overflow_reference``); engine
  and reference replications are independent, their paired differences checked against
  0. The engine's starts are also recorded (a read-only wrapper around ``_Run._start``)
  to check that no back-up agent takes a contact before its delay.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from feature_refs import SHIFT, Markov, Queue, overflow_reference, replications, scenario, voice, windows
from stats_helpers import Family

from wfm.sim import engine
from wfm.sim.engine import simulate

L = 1800.0
H = 48

# --------------------------------------------------------------------- arrival rules
NA, NB, VOLUME, AHT = 3, 6, 120, 90.0  # 6 Erlangs on 9 agents
RULES = ("ordered", "least_occupied", "random", "longest_idle")


def two_group_chain(rule: str, qmax: int = 80) -> Markov:
    lam, mu = VOLUME / L, 1 / AHT
    states = [(a, b, 0) for a in range(NA + 1) for b in range(NB + 1)] + [(NA, NB, q) for q in range(1, qmax + 1)]

    def moves(s):
        a, b, q = s
        free_a, free_b = a < NA, b < NB
        if not (free_a or free_b):
            if q < qmax:
                yield lam, (a, b, q + 1)
        elif rule == "ordered":
            yield lam, ((a + 1, b, 0) if free_a else (a, b + 1, 0))
        elif rule == "least_occupied":
            to_a = free_a and (not free_b or a / NA <= b / NB)
            yield lam, ((a + 1, b, 0) if to_a else (a, b + 1, 0))
        elif rule == "random":
            if free_a and free_b:
                yield lam / 2, (a + 1, b, 0)
                yield lam / 2, (a, b + 1, 0)
            else:
                yield lam, ((a + 1, b, 0) if free_a else (a, b + 1, 0))
        else:
            raise ValueError(rule)
        if q > 0:  # a freed agent takes the next waiting contact: (a, b) unchanged
            yield (a + b) * mu, (a, b, q - 1)
        else:
            yield a * mu, (a - 1, b, 0)
            yield b * mu, (a, b - 1, 0)

    return Markov(states, moves)


@cache
def chain_average(rule: str) -> tuple[Markov, np.ndarray]:
    """The two-group chain of a rule and its time average over the horizon from empty."""
    m = two_group_chain(rule)
    return m, m.average(m.start((0, 0, 0)), H * L, L)


def occupancies(rule: str) -> tuple[float, float]:
    m, p = chain_average(rule)
    return m.expect(p, lambda s: s[0] / NA), m.expect(p, lambda s: s[1] / NB)


def rules_scenario():
    channels, agents, per_channel = {}, [], {}
    for k, rule in enumerate(RULES):
        c = f"c{k}"
        channels[c] = voice(VOLUME, AHT, H)
        agents += [{"group": f"A{k}", "skills": [c], "staff": NA}, {"group": f"B{k}", "skills": [c], "staff": NB}]
        per_channel[c] = {"arrival": rule, "groups": [f"A{k}", f"B{k}"]}
    return scenario(channels, agents, routing={"channels": per_channel})


def test_arrival_rules_share_the_work_as_their_chains():
    """One channel per rule (120 calls per 30 min of 90 s), each served by group A (3
    agents, listed first) and group B (6 agents), 24 hours, 30 runs.

    Checks: A's and B's occupancy under ``ordered`` (A first: A busier),
    ``least_occupied`` and ``random`` (each group half of the contacts that find both
    free: A's agents busier) against the exact chains; under ``longest_idle`` the two
    occupancies are equal (their difference checked against 0); the service level of
    every channel is that of M/M/9 (the routing does not change the pooled queue). Power:
    each rule's occupancy of A under the next rule's chain, and for ``longest_idle`` the
    difference ``random`` gives.
    """
    _, gr = windows(rules_scenario(), range(2000, 2030))
    theory = {rule: occupancies(rule) for rule in RULES[:3]}
    with Family("arrival rules, two groups", checks=7) as fam:
        for k, rule in enumerate(RULES[:3]):
            a, b = gr[f"A{k}"], gr[f"B{k}"]
            fam.check(a["busy"], theory[rule][0], f"{rule}: occupancy of A", per=a["on_duty"])
            fam.check(b["busy"], theory[rule][1], f"{rule}: occupancy of B", per=b["on_duty"])
            nxt = RULES[(k + 1) % 3]
            fam.rejects(a["busy"], theory[nxt][0], f"{rule}: occupancy of A under {nxt}", per=a["on_duty"])
        a, b = gr["A3"], gr["B3"]
        diff = (a["busy"] / a["on_duty"] - b["busy"] / b["on_duty"]).to_numpy()
        fam.check(diff, 0.0, "longest_idle: occupancy of A - occupancy of B")
        fam.rejects(diff, theory["random"][0] - theory["random"][1], "longest_idle: the difference of random")


def test_arrival_rules_keep_the_pooled_service_level():
    """The same four channels: each is M/M/9 whatever the rule (every rule is work
    conserving and the agents alike): service level within 20 s and ASA against the exact
    M/M/9 over 24 hours from empty (pooled over 60 replications of one call: a
    replication's ASA is skewed, and 60 keep the t statistic's tail near its nominal
    level). Power: M/M/8."""
    reps = replications(rules_scenario(), 2100, 60)
    q9, q8 = Queue(9, VOLUME / L, 1 / AHT), Queue(8, VOLUME / L, 1 / AHT)
    exact, fewer = (q.measures(q.horizon_mix(H * L), 20.0) for q in (q9, q8))
    with Family("arrival rules keep M/M/9", checks=8) as fam:
        for k, rule in enumerate(RULES):
            r = reps[reps["channel"] == f"c{k}"]
            ws = (r["asa"].fillna(0) * r["answered"]).to_numpy()
            fam.check(r["answered_in_target"], exact["service_level"], f"{rule}: service level", per=r["offered"])
            fam.check(ws, exact["asa"], f"{rule}: ASA", per=r["answered"])
            fam.rejects(ws, fewer["asa"], f"{rule}: ASA of M/M/8", per=r["answered"])


def test_two_group_chain_is_mmn_in_total():
    """The reference chain's total busy count is the M/M/9 birth-death chain (a check of
    the reference, every rule)."""
    q = Queue(9, VOLUME / L, 1 / AHT)
    mix = q.horizon_mix(H * L)
    want = q.measures(mix, 20.0)["occupancy"]
    for rule in RULES[:3]:
        m, p = chain_average(rule)
        assert m.expect(p, lambda s: (s[0] + s[1]) / 9) == pytest.approx(want, rel=1e-9)
        assert m.expect(p, lambda s: s[2]) == pytest.approx(float(mix @ np.maximum(np.arange(q.K + 1) - 9, 0)),
                                                            rel=1e-7)


# --------------------------------------------------------------------- priority vs oldest
PRI = {"n": 10, "hi": 40, "lo": 60, "aht": 150.0}  # 8.33 Erlangs on 10 agents


def erlang_c(n: int, a: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))


@pytest.mark.parametrize("runs", [30, pytest.param(150, marks=pytest.mark.slow)])
def test_priority_and_oldest_waits(runs):
    """One group of 10 agents with two skills, 40 and 60 calls per 30 min of 150 s.

    ``priority`` (its skills in order): Cobham's non-preemptive priority waits, the high
    skill far shorter; ``oldest``: FIFO across skills, both skills wait as M/M/10. ASA
    of each skill over hours 3-22 of 24, 30 runs (150 in the slow lane: bands 2.3 times
    narrower). Power: the FIFO wait for the high priority skill, and the priority wait of
    the high skill under ``oldest``.
    """
    n, mu = PRI["n"], 1 / PRI["aht"]
    lam_hi, lam_lo = PRI["hi"] / L, PRI["lo"] / L
    a = (lam_hi + lam_lo) / mu
    c = erlang_c(n, a)
    s1, s = lam_hi / (n * mu), (lam_hi + lam_lo) / (n * mu)
    w_hi = c / (n * mu * (1 - s1))
    w_lo = c / (n * mu * (1 - s1) * (1 - s))
    w_fifo = c / (n * mu - lam_hi - lam_lo)
    # Kleinrock's conservation law: the load-weighted waits are FIFO's
    assert lam_hi * w_hi + lam_lo * w_lo == pytest.approx((lam_hi + lam_lo) * w_fifo, rel=1e-12)
    sc = scenario(
        {"hiP": voice(PRI["hi"], PRI["aht"], H), "loP": voice(PRI["lo"], PRI["aht"], H),
         "hiO": voice(PRI["hi"], PRI["aht"], H), "loO": voice(PRI["lo"], PRI["aht"], H)},
        [{"group": "P", "skills": ["hiP", "loP"], "staff": n}, {"group": "O", "skills": ["hiO", "loO"], "staff": n}],
        routing={"groups": {"O": {"next_contact": "oldest"}}},
    )
    ch, _ = windows(sc, range(2200 + 1000 * (runs > 30), 2200 + 1000 * (runs > 30) + runs), first=6, last=H - 4)
    with Family("priority vs oldest", checks=4) as fam:
        for name, want in (("hiP", w_hi), ("loP", w_lo), ("hiO", w_fifo), ("loO", w_fifo)):
            fam.check(ch[name]["wait_sum"], want, f"{name}: ASA", per=ch[name]["answered"])
        fam.rejects(ch["hiP"]["wait_sum"], w_fifo, "hiP: ASA of FIFO", per=ch["hiP"]["answered"])
        fam.rejects(ch["hiO"]["wait_sum"], w_hi, "hiO: ASA of priority", per=ch["hiO"]["answered"])


# --------------------------------------------------------------------- overflow delays
OVF = {"main": 5, "backup": 5, "volume": 105, "aht": 120.0, "delay": 20.0, "within": 15.0, "H": 24, "runs": 30}


def overflow_scenario(main: int = OVF["main"], backup: int = OVF["backup"], within: float = OVF["within"]):
    return scenario(
        {"c": voice(OVF["volume"], OVF["aht"], OVF["H"], within=within)},
        [{"group": "main", "skills": ["c"], "staff": main}, {"group": "backup", "skills": ["c"], "staff": backup}],
        routing={"groups": {"backup": {"delays": {"c": OVF["delay"]}}}},
    )


def record_starts(monkeypatch) -> list[tuple[int, float]]:
    """Record (group, wait) of every contact an agent starts (a read-only wrapper)."""
    seen: list[tuple[int, float]] = []
    original = engine._Run._start

    def start(self, a, g, c, x, t):
        seen.append((g, t - x.arrival))
        return original(self, a, g, c, x, t)

    monkeypatch.setattr(engine._Run, "_start", start)
    return seen


@pytest.mark.parametrize("runs", [OVF["runs"], pytest.param(120, marks=pytest.mark.slow)])
def test_backup_group_waits_for_its_delay(monkeypatch, runs):
    """Overflow to a back-up group after 20 s: 5 main and 5 back-up agents, 7 Erlangs
    (105 calls per 30 min of 120 s), 12 hours, 30 runs against 30 runs of the simpy
    reference (120 of each in the slow lane).

    Exact: no back-up agent starts a contact that has waited less than 20 s (every start
    recorded). Paired differences engine - reference, checked against 0: service level
    within 15 s (only main agents answer that fast), ASA, back-up occupancy. Power: the
    pooled M/M/10 (no delay), exact over the 12 hours from empty: its service level and
    ASA (half the delayed system's) rejected.
    """
    seen = record_starts(monkeypatch)
    sc = overflow_scenario()
    first = 2300 + 1000 * (runs > OVF["runs"])
    ch, gr = windows(sc, range(first, first + runs))
    monkeypatch.undo()
    backup_waits = np.array([w for g, w in seen if g == 1])
    assert backup_waits.size > 100 * runs
    assert backup_waits.min() >= OVF["delay"] - 1e-9
    assert max(w for g, w in seen if g == 0) > OVF["delay"]  # main agents take anything
    T = OVF["H"] * L
    ref = [overflow_reference(SHIFT + first + 500 + s, OVF["volume"] / L, OVF["aht"], OVF["main"], OVF["backup"],
                              OVF["delay"], T, OVF["within"]) for s in range(runs)]
    assert sum(r["backup_early"] for r in ref) == 0
    c, b = ch["c"], gr["backup"]
    sl = (c["answered_in_target"] / c["offered"]).to_numpy()
    asa = (c["wait_sum"] / c["answered"]).to_numpy()
    occ = (b["busy"] / b["on_duty"]).to_numpy()
    r_sl = np.array([r["in_target"] / r["offered"] for r in ref])
    r_asa = np.array([r["wait_sum"] / r["answered"] for r in ref])
    r_occ = np.array([r["backup_busy"] / (OVF["backup"] * T) for r in ref])
    pooled = Queue(OVF["main"] + OVF["backup"], OVF["volume"] / L, 1 / OVF["aht"])
    wrong = pooled.measures(pooled.horizon_mix(T), OVF["within"])
    with Family("overflow after 20 s vs simpy reference", checks=3) as fam:
        fam.check(sl - r_sl, 0.0, "service level, engine - reference")
        fam.check(asa - r_asa, 0.0, "ASA, engine - reference")
        fam.check(occ - r_occ, 0.0, "back-up occupancy, engine - reference")
        fam.rejects(c["answered_in_target"], wrong["service_level"], "SL of the pooled M/M/10", per=c["offered"])
        fam.rejects(c["wait_sum"], wrong["asa"], "ASA of the pooled M/M/10", per=c["answered"])


def test_backup_takes_a_contact_exactly_at_its_delay():
    """Only back-up agents (30 of them for 6.7 Erlangs): every contact waits exactly its
    20 s delay (an idle back-up agent takes it when the delay runs out), so all are
    answered within 20.001 s."""
    sc = scenario(
        {"c": voice(200, 60, 48, within=20.001)},
        [{"group": "main", "skills": ["c"], "staff": 0}, {"group": "backup", "skills": ["c"], "staff": 30}],
        routing={"groups": {"backup": {"delays": {"c": 20}}}},
    )
    s = simulate(sc, seed=1).summary.iloc[0]
    assert s["answered"] == s["offered"] > 9000
    assert s["answered_in_target"] == s["answered"]

"""Retrials, transfers, outbound blending, service-level definitions, deferred work judged
on finishing, and busyness uncertainty, against exact results (issue 11, items 6, 8-11).

The statistics are those of ``tests/feature_refs.py`` (module docstring). Exact
references:

* Retrials with lines = agents (no queue): the retrial chain (busy agents, callers in
  orbit) of Erlang's loss system, over the horizon from empty: first attempts see its
  time average (PASTA); retrials come at rate (orbit) / (mean delay).
* Transfers: a Jackson network. The departures of an M/M/n queue in steady state are
  Poisson (Burke), a random share of them too, so the specialist line is M/M/m at its
  own rate plus the transferred share (the first 3 hours, over 5 relaxation times of
  either queue, and the last interval left out).
* Outbound with a reserve, connect rate 1 and the inbound handle-time law: the idle
  agents and the inbound queue form a birth-death chain (below), exact over the horizon
  from its start; connects are Binomial(dialled, connect rate).
* Service-level definitions and ``judged_on``: Erlang A's per-arrival probabilities
  (answered within T, answered, abandoned within T) and M/M/n's sojourn time (wait plus
  an independent exponential handle time), over the horizon from empty.
* Busyness: a gamma day factor of mean 1 and coefficient of variation c multiplying a
  Poisson day of mean m gives a day total of mean m and variance m + (m c)^2; two
  channels sharing the factor have covariance m1 m2 c^2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_refs import (
    L,
    Markov,
    Queue,
    birth_death_average,
    erlang_b,
    replications,
    scenario,
    voice,
    windows,
)
from stats_helpers import Family, MMnM

from wfm.sim.engine import simulate

H = 48


def by_channel(reps: pd.DataFrame, name: str) -> pd.DataFrame:
    return reps[reps["channel"] == name].reset_index(drop=True)


def wait_sum(reps: pd.DataFrame) -> np.ndarray:
    return (reps["asa"].fillna(0.0) * reps["answered"]).to_numpy()


# --------------------------------------------------------------------- retrials
RETRIAL = {"n": 8, "volume": 70, "aht": 180.0, "p": 0.6, "delay": 120.0}


def retrial_chain(p: float, orbit: int = 40) -> tuple[Markov, np.ndarray]:
    n, lam, mu, delay = RETRIAL["n"], RETRIAL["volume"] / L, 1 / RETRIAL["aht"], RETRIAL["delay"]
    states = [(k, m) for k in range(n + 1) for m in range(orbit + 1)]

    def moves(s):
        k, m = s
        if k < n:
            yield lam, (k + 1, m)
        elif m < orbit:
            yield lam * p, (k, m + 1)  # blocked, calls again later
        if m > 0:
            if k < n:
                yield m / delay, (k + 1, m - 1)
            else:
                yield m / delay * (1 - p), (k, m - 1)  # blocked again and gives up
        if k > 0:
            yield k * mu, (k - 1, m)

    chain = Markov(states, moves)
    avg = chain.average(chain.start((0, 0)), H * L, L)
    assert chain.expect(avg, lambda s: s[1] == orbit) < 1e-12
    return chain, avg


def retrial_theory(p: float) -> dict[str, float]:
    n, lam, delay = RETRIAL["n"], RETRIAL["volume"] / L, RETRIAL["delay"]
    chain, avg = retrial_chain(p)
    full = chain.expect(avg, lambda s: s[0] == n)
    orbit = chain.expect(avg, lambda s: s[1])
    orbit_full = chain.expect(avg, lambda s: s[1] * (s[0] == n))
    attempts = lam + orbit / delay
    return {
        "retrials_per_customer": orbit / delay / lam,
        "service_level_first": 1 - full,
        "service_level": 1 - (lam * full + orbit_full / delay) / attempts,
    }


def test_retrials_of_blocked_callers_follow_the_retrial_chain():
    """8 agents on 8 lines (no queue), 7 Erlangs; a blocked caller calls again with
    probability 0.6 after an exponential 120 s (up to 100 calls), 24 hours, 40 runs.

    Every attempt is answered at once or blocked, so the first-attempt service level is
    1 - P(all lines busy) seen by first calls, and the attempts' service level counts
    the retrials, which come more often when the lines are busy. Checks (pooled): retrials
    per customer, ``service_level_first`` (per customer), ``service_level`` (per attempt),
    and the customers (each caller once: the Poisson mean). Exactly: offered = customers +
    retrials in every run. Power: the first-attempt service level without retrials (the
    loss system from empty), and the attempts' one given for first attempts.
    """
    sc = scenario(
        {"c": voice(RETRIAL["volume"], RETRIAL["aht"], H, lines=RETRIAL["n"],
                    retrial={"probability": RETRIAL["p"], "delay": RETRIAL["delay"], "on": ["blocked"],
                             "max_attempts": 100})},
        [{"group": "g", "skills": ["c"], "staff": RETRIAL["n"]}],
    )
    reps = replications(sc, 3000, 40)
    assert (reps["offered"] == reps["customers"] + reps["retrials"]).all()
    assert (reps["retrials"] > 0).all()
    exact = retrial_theory(RETRIAL["p"])
    without = retrial_theory(0.0)
    first_in_target = reps["service_level_first"] * reps["customers"]
    with Family("retrial chain, loss system", checks=4) as fam:
        fam.check(reps["retrials"], exact["retrials_per_customer"], "retrials per customer", per=reps["customers"])
        fam.check(first_in_target, exact["service_level_first"], "service_level_first", per=reps["customers"])
        fam.check(reps["answered_in_target"], exact["service_level"], "service_level", per=reps["offered"])
        fam.check(reps["customers"], RETRIAL["volume"] * H, "customers")
        fam.rejects(first_in_target, without["service_level_first"], "first-attempt SL without retrials",
                    per=reps["customers"])
        fam.rejects(first_in_target, exact["service_level"], "first-attempt SL = the attempts' SL",
                    per=reps["customers"])
    # without retrials the chain is the loss system: Erlang B in its steady state
    chain, _ = retrial_chain(0.0, orbit=2)
    p = chain.stationary()
    assert chain.expect(p, lambda s: s[0] == RETRIAL["n"]) == pytest.approx(
        erlang_b(RETRIAL["n"], RETRIAL["volume"] * RETRIAL["aht"] / L), rel=1e-9)


def test_retrial_counts_after_abandonment():
    """Callers who abandon (patience 60 s, 9 agents, 11 Erlangs) call again with
    probability 0.5 after 5 minutes, at most 3 calls: counts only, every run exactly.

    offered = customers + retrials; no caller calls more than 3 times (retrials at most
    2 per customer); first attempts are a subset of all (answered in target by first
    attempts <= all); the first-attempt abandonment is below the attempts' count; and
    ``service_level`` is answered in target / offered while ``service_level_first`` is
    over customers (recomputed here from the interval counts)."""
    sc = scenario(
        {"c": voice(110, 180, 16, patience=60, retrial={"probability": 0.5, "delay": 300, "max_attempts": 3})},
        [{"group": "g", "skills": ["c"], "staff": 9}],
    )
    for seed in (1, 2, 3):
        res = simulate(sc, seed=seed)
        s = res.summary.iloc[0]
        assert s["offered"] == s["customers"] + s["retrials"]
        assert 0 < s["retrials"] <= 2 * s["customers"]
        assert s["retrials"] <= s["abandoned"]
        assert s["offered"] == s["answered"] + s["abandoned"] + s["unanswered"]
        assert s["service_level"] == pytest.approx(s["answered_in_target"] / s["offered"], rel=1e-12)
        iv = res.intervals
        first = (iv["service_level_first"].fillna(0) * iv["customers"]).sum()
        assert first <= s["answered_in_target"] + 1e-9
        assert s["service_level_first"] == pytest.approx(first / s["customers"], rel=1e-9)


# --------------------------------------------------------------------- transfers
TRANSFER = {"na": 10, "va": 100, "aht_a": 150.0, "share": 0.3, "nb": 12, "vb": 40, "aht_b": 240.0}


def transfer_scenario():
    t = TRANSFER
    return scenario(
        {"a": voice(t["va"], t["aht_a"], H, transfer={"share": t["share"], "to": "b"}),
         "b": voice(t["vb"], t["aht_b"], H)},
        [{"group": "ga", "skills": ["a"], "staff": t["na"]}, {"group": "gb", "skills": ["b"], "staff": t["nb"]}],
    )


@pytest.mark.parametrize("runs", [30, pytest.param(150, marks=pytest.mark.slow)])
def test_transfers_load_the_target_channel_as_a_jackson_network(runs):
    """A front line (10 agents, 100 calls per 30 min of 150 s) transfers 30% of its
    answered calls to a specialist line (12 agents, 40 own calls per 30 min of 240 s).

    The specialist line is M/M/12 at 40 + 0.3 x 100 calls per 30 min in steady state:
    its service level (20 s), ASA and occupancy over hours 3 to 23.5, 30 runs (150 in
    the slow lane); the
    transferred share of the front line's answered calls is 0.3. Exactly, in every run:
    transferred in = transferred out, the specialist's offered = its customers + the
    transfers (a transferred caller is not a new customer). Power: the specialist line
    without the transfers, and a 35% share.
    """
    t = TRANSFER
    full = replications(transfer_scenario(), 3100, 5)
    for _, rep in full.groupby("replication"):
        a, b = rep[rep["channel"] == "a"].iloc[0], rep[rep["channel"] == "b"].iloc[0]
        assert b["transferred_in"] == a["transferred_out"] > 0
        assert b["offered"] == b["customers"] + b["transferred_in"]
        assert a["offered"] == a["customers"] and a["transferred_in"] == 0
    first = 3200 + 1000 * (runs > 30)
    ch, gr = windows(transfer_scenario(), range(first, first + runs), first=6, last=H - 1)
    lam_b = (t["vb"] + t["share"] * t["va"]) / L
    q = MMnM(t["nb"], lam_b, 1 / t["aht_b"])
    exact = q.measures(q.stationary, 20.0)
    alone = MMnM(t["nb"], t["vb"] / L, 1 / t["aht_b"])
    wrong = alone.measures(alone.stationary, 20.0)
    a, b, g = ch["a"], ch["b"], gr["gb"]
    with Family("transfers: Jackson network", checks=4) as fam:
        fam.check(a["transferred_out"], t["share"], "transferred share of the answered", per=a["answered"])
        fam.check(b["answered_in_target"], exact["service_level"], "specialist: service level", per=b["offered"])
        fam.check(b["wait_sum"], exact["asa"], "specialist: ASA", per=b["answered"])
        fam.check(g["busy"], lam_b * t["aht_b"] / t["nb"], "specialist: occupancy", per=g["on_duty"])
        fam.rejects(b["answered_in_target"], wrong["service_level"], "specialist SL without transfers",
                    per=b["offered"])
        fam.rejects(a["transferred_out"], 0.35, "a 35% share", per=a["answered"])


def test_first_attempt_service_level_of_a_transfer_target_is_a_share():
    """``service_level_first`` is answered-in-target first attempts over customers: a
    share, at most 1, on the channel receiving transfers too."""
    reps = replications(transfer_scenario(), 3300, 3)
    b = by_channel(reps, "b")
    assert (b["service_level_first"] <= 1.0).all(), b["service_level_first"].tolist()


# --------------------------------------------------------------------- outbound blending
OUT = {"n": 10, "inbound": 40, "aht": 300.0}


def reserve_theory(r: int, qmax: int = 160) -> dict[str, float]:
    """Inbound measures and dials of a blended group with ``r`` agents kept free.

    State s: for s < r, r - s agents idle and no inbound waiting; for s >= r, nobody idle
    and s - r inbound calls waiting. An inbound call moves s up (it takes an idle agent
    or queues). A completion (rate mu per busy agent) makes its agent take the next
    inbound call (s > r), join the idle ones (0 < s <= r) or, with r agents already idle
    (s = 0), dial the next attempt (s unchanged). Started at s = 0: the first attempts
    arrive within seconds and n - r agents dial them.
    """
    n, lam, mu = OUT["n"], OUT["inbound"] / L, 1 / OUT["aht"]
    K = r + qmax
    s = np.arange(K + 1)
    births = np.full(K + 1, lam)
    deaths = np.where(s <= r, (n - r + s) * mu, n * mu)
    deaths[0] = 0.0
    mix = birth_death_average(births, deaths, H * L)
    tagged = MMnM(n, lam, mu, K=n + qmax)  # a waiting call moves up at n mu
    _, _, served, wait_served = tagged._tagged
    free = float(mix[:r].sum())
    waiting = mix[r:]
    return {
        "service_level": free + float(waiting @ tagged.served_within(20.0)),
        "asa": float(waiting @ wait_served),
        "dialled": (n - r) + (n - r) * mu * H * L * float(mix[0]),
    }


def outbound_scenario():
    channels, agents = {}, []
    for r in (0, 3):
        channels[f"in{r}"] = voice(OUT["inbound"], OUT["aht"], H)
        channels[f"out{r}"] = {"kind": "outbound", "volume": [3000] + [100] * (H - 1), "aht": OUT["aht"],
                               "outbound": {"connect_rate": 1.0, "reserve": r}}
        agents.append({"group": f"blend{r}", "skills": [f"in{r}", f"out{r}"], "staff": OUT["n"]})
    channels["dialer"] = {"kind": "outbound", "volume": [200] * H, "aht": 240,
                          "outbound": {"connect_rate": 0.3, "dial_time": 30}}
    agents.append({"group": "dialers", "skills": ["dialer"], "staff": 5})
    return scenario(channels, agents)


def test_outbound_reserve_keeps_inbound_service():
    """A blended group of 10 agents answers inbound calls (40 per 30 min of 300 s) and
    dials outbound attempts (talk = the same law) while at least ``reserve`` agents stay
    idle; once with reserve 0, once with 3; 24 hours, 30 runs. A dialer group (5 agents)
    dials attempts that connect with probability 0.3 (240 s talk) or cost 30 s.

    Checks: inbound service level (20 s) and ASA for both reserves, attempts dialled for
    both (the initial n - r plus one per completion while r agents are idle), and the
    dialer's connected share (Binomial(dialled, 0.3): pooled). Power: each reserve's
    service level under the other's chain, and a 0.32 connect rate.
    """
    reps = replications(outbound_scenario(), 3400, 30)
    theory = {r: reserve_theory(r) for r in (0, 3)}
    with Family("outbound blending with a reserve", checks=7) as fam:
        for r in (0, 3):
            i, o = by_channel(reps, f"in{r}"), by_channel(reps, f"out{r}")
            assert (o["unanswered"] > 0).all()  # attempts never ran out
            fam.check(i["answered_in_target"], theory[r]["service_level"], f"reserve {r}: inbound SL", per=i["offered"])
            fam.check(wait_sum(i), theory[r]["asa"], f"reserve {r}: inbound ASA", per=i["answered"])
            fam.check(o["answered"], theory[r]["dialled"], f"reserve {r}: attempts dialled")
            other = theory[3 - r]
            fam.rejects(i["answered_in_target"], other["service_level"], f"reserve {r}: SL of reserve {3 - r}",
                        per=i["offered"])
        d = by_channel(reps, "dialer")
        fam.check(d["connected"], 0.3, "dialer: connected share", per=d["answered"])
        fam.rejects(d["connected"], 0.32, "dialer: connect rate 0.32", per=d["answered"])


# --------------------------------------------------------------------- service-level definitions
SLDEF = {"n": 9, "volume": 100, "aht": 180.0, "patience": 120.0}
DEFINITIONS = ("offered", "answered_and_late_abandoned", "answered")


def sl_scenario(definition: str):
    ch = voice(SLDEF["volume"], SLDEF["aht"], H, patience=SLDEF["patience"])
    ch["target"]["definition"] = definition
    return scenario({"c": ch}, [{"group": "g", "skills": ["c"], "staff": SLDEF["n"]}])


def test_service_level_definitions():
    """Erlang A (9 agents, 10 Erlangs, patience 120 s), T = 20 s, the three definitions
    on the same seeds (the definition changes no count: asserted), 40 runs.

    Exactly, in every run: ``service_level`` = answered in T / offered; / (answered +
    abandoned - abandoned within T); / answered. Against M/M/9+M over 24 hours from
    empty: each definition's service level and the share abandoning within T. Power: the
    ``offered`` value for the two others.
    """
    reps = {d: replications(sl_scenario(d), 3500, 40) for d in DEFINITIONS}
    counts = ["offered", "answered", "abandoned", "short_abandoned", "answered_in_target"]
    for d in DEFINITIONS[1:]:
        pd.testing.assert_frame_equal(reps[d][counts], reps["offered"][counts])
    r = reps["offered"]
    late_den = r["answered"] + r["abandoned"] - r["short_abandoned"]
    dens = {"offered": r["offered"], "answered_and_late_abandoned": late_den, "answered": r["answered"]}
    for d in DEFINITIONS:
        np.testing.assert_allclose(reps[d]["service_level"], r["answered_in_target"] / dens[d], rtol=1e-12)
        np.testing.assert_allclose(reps[d]["service_level_first"], reps[d]["service_level"], rtol=1e-12)
    q = Queue(SLDEF["n"], SLDEF["volume"] / L, 1 / SLDEF["aht"], 1 / SLDEF["patience"])
    m = q.measures(q.horizon_mix(H * L), 20.0)
    theory = {
        "offered": m["service_level"],
        "answered_and_late_abandoned": m["service_level"] / (m["answered"] + m["abandonment"] - m["short_abandoned"]),
        "answered": m["service_level"] / m["answered"],
    }
    with Family("service-level definitions, Erlang A", checks=4) as fam:
        for d in DEFINITIONS:
            fam.check(r["answered_in_target"], theory[d], f"{d}: service level", per=dens[d])
            if d != "offered":
                fam.rejects(r["answered_in_target"], theory["offered"], f"{d}: the offered value", per=dens[d])
        fam.check(r["short_abandoned"], m["short_abandoned"], "abandoned within T", per=r["offered"])


# --------------------------------------------------------------------- judged on finished
@pytest.mark.parametrize("runs", [30, pytest.param(200, marks=pytest.mark.slow)])
def test_deferred_judged_on_finished(runs):
    """Deferred work on 4 agents, 40 items per 30 min of 150 s for 22 hours (then 2
    quiet hours: all started and finished inside the horizon), T = 300 s; one channel
    judged when an item is started, a copy judged when it is finished, 30 runs (200 in
    the slow lane).

    Exact over the busy hours from empty: started within T is M/M/4's P(wait <= T);
    finished within T is P(wait + handle <= T), the handle time exponential and
    independent of the wait (phase-type: the wait's Erlang phases, then the service).
    Power: each channel's service level under the other rule.
    """
    vol = [40] * 44 + [0] * 4
    channels, agents = {}, []
    for rule in ("started", "finished"):
        channels[rule] = {"kind": "deferred", "volume": vol, "aht": 150,
                          "target": {"answer_within": 300, "service_level": 0.8, "judged_on": rule}}
        agents.append({"group": rule, "skills": [rule], "staff": 4})
    reps = replications(scenario(channels, agents), 3600 + 1000 * (runs > 30), runs)
    q = Queue(4, 40 / L, 1 / 150)
    mix = q.horizon_mix(44 * L)
    started = q.measures(mix, 300.0)["service_level"]
    finished = q.finished_within(mix, 300.0)
    with Family("deferred judged started or finished", checks=2) as fam:
        s, f = by_channel(reps, "started"), by_channel(reps, "finished")
        assert (s["answered"] == s["offered"]).all() and (f["answered"] == f["offered"]).all()
        fam.check(s["answered_in_target"], started, "started within T", per=s["offered"])
        fam.check(f["answered_in_target"], finished, "finished within T", per=f["offered"])
        fam.rejects(s["answered_in_target"], finished, "started channel, finished rule", per=s["offered"])
        fam.rejects(f["answered_in_target"], started, "finished channel, started rule", per=f["offered"])


# --------------------------------------------------------------------- busyness uncertainty
def busy_scenario(**uncertainty):
    ch = voice(10, 180, H)  # 480 contacts a day per channel; nobody on duty (cheap: they just wait)
    return scenario({"a": ch, "b": dict(ch)}, [{"group": "g", "skills": ["a", "b"], "staff": 0}],
                    uncertainty=uncertainty)


def day_totals(sc, seed: int, runs: int) -> tuple[np.ndarray, np.ndarray]:
    reps = replications(sc, seed, runs)
    return by_channel(reps, "a")["offered"].to_numpy(), by_channel(reps, "b")["offered"].to_numpy()


def test_day_busyness_adds_gamma_variance():
    """480 contacts a day per channel, 300 one-day runs per setting.

    ``busyness_cv: 0.25`` shared by both channels: each day total has mean 480 and
    variance 480 + (480 x 0.25)^2 = 14,880, and the two channels covary by 480^2 x
    0.0625 = 14,400. ``per_channel: true``: the same variance, covariance 0.
    ``interval_cv: 0.5`` alone: variance 480 + 48 x 10^2 x 0.25 = 1,680. The variance is
    checked as the mean of (X - 480)^2 (the mean is known exactly), the covariance as the
    mean of (Xa - 480)(Xb - 480). Power: the Poisson variance (480), a day cv of 0.15,
    and covariance 0 / 14,400 swapped.
    """
    m = 480.0
    xa, xb = day_totals(busy_scenario(busyness_cv=0.25), 3700, 300)
    ya, yb = day_totals(busy_scenario(busyness_cv=0.25, per_channel=True), 3701, 300)
    za, _ = day_totals(busy_scenario(interval_cv=0.5), 3702, 300)
    var, cov = m + (m * 0.25) ** 2, m * m * 0.25**2
    with Family("busyness uncertainty", checks=6) as fam:
        fam.check(xa, m, "shared day factor: mean day total")
        fam.check((xa - m) ** 2, var, "shared day factor: variance")
        fam.check((xa - m) * (xb - m), cov, "shared day factor: covariance of the channels")
        fam.check((ya - m) ** 2, var, "per-channel factor: variance")
        fam.check((ya - m) * (yb - m), 0.0, "per-channel factor: covariance")
        fam.check((za - m) ** 2, m + H * 10**2 * 0.5**2, "interval factor: variance")
        fam.rejects((xa - m) ** 2, m, "shared day factor: Poisson variance")
        fam.rejects((xa - m) ** 2, m + (m * 0.15) ** 2, "shared day factor: variance of cv 0.15")
        fam.rejects((xa - m) * (xb - m), 0.0, "shared day factor: covariance 0")
        fam.rejects((ya - m) * (yb - m), cov, "per-channel factor: shared covariance")
        fam.rejects((za - m) ** 2, m, "interval factor: Poisson variance")


def test_outbound_channel_has_no_service_level():
    """``service_level`` is NaN where undefined: an outbound channel has no target."""
    res = simulate(outbound_scenario(), seed=1)
    s = res.summary.set_index("channel")
    assert s.loc["dialer", "answered"] > 0
    assert np.isnan(s.loc["dialer", "service_level"])

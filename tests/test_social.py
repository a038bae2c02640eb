"""Social care in the engine: virality (Hawkes), the community race, one reply for many,
triage and private moves, playbooks, and the analytic requirement (issue 13).

Statistical checks use the project's Student-t helper with a family-wise error per test
(``tests/stats_helpers.py``), or exact binomial/chi-square bounds at 1e-3.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from stats_helpers import Family

import wfm
from wfm import staffing

HALF_HOUR = 1800.0


def social_scenario(social: dict, *, volume: float = 20.0, horizon: int = 48, staff: int = 50,
                    aht: float = 60.0, within: float = 3600.0, kind: str = "social",
                    extra_channels: dict | None = None, playbooks: list | None = None,
                    groups: list | None = None) -> wfm.Scenario:
    ch = {"kind": kind, "volume": [volume] * horizon, "aht": aht,
          "target": {"answer_within": within, "service_level": 0.9}}
    if kind == "social":
        ch["social"] = social
    channels = {"x": ch, **(extra_channels or {})}
    agents = groups or [{"group": "g", "skills": list(channels), "staff": staff}]
    data = {"interval_minutes": 30, "channels": channels, "agents": agents}
    if playbooks:
        data["playbooks"] = playbooks
    return wfm.Scenario.from_dict(data)


def row(res: wfm.SimulationResult, channel: str = "x") -> dict:
    return res.summary.set_index("channel").loc[channel].to_dict()


# ---------------------------------------------------------------------- virality
def hawkes_mean(mu_total: float, b: float, delay: float, horizon_s: float) -> float:
    """E[N(0, T)] of a Hawkes process started empty with an exponential kernel of mean
    ``delay`` and branching ``b``, base rate mu = mu_total / T."""
    mu = mu_total / horizon_s
    return mu_total / (1 - b) - mu * b * delay / (1 - b) ** 2 * (1 - math.exp(-(1 - b) * horizon_s / delay))


@pytest.mark.parametrize("branching", [0.3, 0.6])
def test_hawkes_counts_match_theory(branching):
    delay, horizon = 300.0, 96
    sc = social_scenario({"virality": {"branching": branching, "delay": delay}},
                         volume=10.0, horizon=horizon, staff=200)
    res = wfm.simulate(sc, seed=11, replications=120)
    counts = res.replications.loc[res.replications["channel"] == "x", "mentions"].to_numpy(float)
    base = 10.0 * horizon
    mean = hawkes_mean(base, branching, delay, horizon * HALF_HOUR)
    with Family(f"hawkes b={branching}", checks=1) as fam:
        fam.check(counts, mean, "mentions per day")
        fam.rejects(counts, base, "mentions per day without the follow-ups")
    # long-window variance: base T / (1 - b)^3 (the edge terms are below 1% here); the
    # sample variance of n roughly normal counts: (n-1) s^2 / sigma^2 ~ chi2(n-1)
    var = base / (1 - branching) ** 3
    n = counts.size
    stat = (n - 1) * counts.var(ddof=1) / var
    lo, hi = stats.chi2.ppf([5e-4, 1 - 5e-4], n - 1)
    assert lo < stat < hi, (counts.var(ddof=1), var)
    poisson_stat = (n - 1) * counts.var(ddof=1) / mean  # a Poisson variance is rejected
    assert not lo < poisson_stat < hi


def test_unanswered_posts_excite_more():
    base = {"branching": 0.3, "delay": 300}
    quiet = social_scenario({"virality": {**base, "unanswered_factor": 3}}, staff=0, within=600,
                            horizon=24)
    calm = social_scenario({"virality": base}, staff=0, within=600, horizon=24)
    a = wfm.simulate(quiet, seed=2, replications=40).replications
    b = wfm.simulate(calm, seed=2, replications=40).replications
    assert a["viral"].mean() > 1.5 * b["viral"].mean()
    assert (a["exposure"] > 0).all()  # nobody answers: every post is seen unanswered


# ---------------------------------------------------------------------- community race
def test_community_race_with_ample_agents_matches_the_closed_form():
    share, tau, mean = 0.6, 120.0, 300.0
    sc = social_scenario({"triage_time": tau, "community": {"share": share,
                          "time": {"dist": "exponential", "mean": mean}}},
                         volume=40.0, horizon=48, staff=400, aht=30)
    res = wfm.simulate(sc, seed=5, replications=10)
    s = res.summary.set_index("channel")
    deflected = float(s.loc["x", "community_deflected"]) * 10
    actionable = float(s.loc["x", "actionable"]) * 10
    p = share * (1 - math.exp(-tau / mean))  # the reply can start only after triage
    lo, hi = stats.binom.ppf([5e-4, 1 - 5e-4], round(actionable), p)
    assert lo <= deflected <= hi, (deflected / actionable, p)
    wrong = share * (1 - math.exp(-2 * tau / mean))
    wlo, whi = stats.binom.ppf([5e-4, 1 - 5e-4], round(actionable), wrong)
    assert not wlo <= deflected <= whi


def test_community_race_with_no_agents_equals_the_community_share():
    share = 0.35
    sc = social_scenario({"community": {"share": share, "time": {"dist": "exponential",
                                                                 "mean": 600}}},
                         volume=30.0, horizon=24, staff=0)
    res = wfm.simulate(sc, seed=8, replications=10)
    s = res.summary.set_index("channel").loc["x"]
    n = round(float(s["actionable"]) * 10)
    k = round(float(s["community_deflected"]) * 10)
    lo, hi = stats.binom.ppf([5e-4, 1 - 5e-4], n, share)
    assert lo <= k <= hi


# ---------------------------------------------------------------------- one reply for many
def test_one_public_reply_resolves_the_waiting_posts():
    # one agent; an incident of 20 posts within seconds; the first post taken is the
    # public reply (900 s); when it is out every waiting post is resolved (resolves 1)
    incident = {"start": "00:05", "posts": 20, "spread_minutes": 0.1, "reply_time": 900,
                "resolves": 1.0}
    sc = social_scenario({"incidents": [incident]}, volume=0.0, horizon=4, staff=1, aht=300)
    res = wfm.simulate(sc, seed=1)
    s = row(res)
    assert s["mentions"] == 20 and s["actionable"] == 20
    assert s["answered"] == 1 and s["reply_resolved"] == 19
    assert s["offered"] == 1  # the resolved posts were never offered to an agent
    # the reply took 900 s: the agent was busy 900 s in interval 0
    assert res.groups["busy"].sum() == pytest.approx(900)
    # resolving nobody: the agent answers them one by one (the reply, then 19 x 300 s)
    none = social_scenario({"incidents": [{**incident, "resolves": 0.0}]}, volume=0.0,
                           horizon=8, staff=1, aht=300)
    s0 = row(wfm.simulate(none, seed=1))
    assert s0["reply_resolved"] == 0 and s0["answered"] == 20


def test_a_status_message_playbook_resolves_incident_posts():
    incident = {"start": "01:00", "posts": 200, "spread_minutes": 60, "reply_time": 900,
                "resolves": 0.0}
    book = [{"name": "status", "when": {"channel": "x", "incident": True},
             "then": {"kind": "status_message", "channel": "x", "resolves": 0.5}}]
    sc = social_scenario({"incidents": [incident]}, volume=2.0, horizon=12, staff=2,
                         playbooks=book)
    res = wfm.simulate(sc, seed=3)
    assert (res.playbooks["playbook"] == "status").any()
    # on from the first post to the boundary after the reply (01:30): about
    # 200 (1 - exp(-30/60)) = 79 posts, half of them resolved (binomial sd 4.4)
    assert row(res)["reply_resolved"] > 25
    off = social_scenario({"incidents": [incident]}, volume=2.0, horizon=12, staff=2)
    assert row(wfm.simulate(off, seed=3))["reply_resolved"] == 0


# ---------------------------------------------------------------------- triage, private, conservation
def test_every_mention_ends_in_exactly_one_state():
    sc = social_scenario(
        {"actionable": 0.6, "triage_time": 30, "private": {"share": 0.25, "to": "dm"},
         "community": {"share": 0.3}, "virality": {"branching": 0.4, "unanswered_factor": 2},
         "incidents": [{"start": "03:00", "posts": 60, "spread_minutes": 30}]},
        volume=25.0, horizon=16, staff=6, aht=240, within=1800,
        extra_channels={"dm": {"kind": "chat", "volume": [0.0] * 16, "aht": 300,
                               "concurrency": 2,
                               "target": {"answer_within": 60, "service_level": 0.8}}})
    res = wfm.simulate(sc, seed=4, replications=3)
    s = res.summary.set_index("channel")
    x, triage, dm = s.loc["x"], s.loc["x/triage"], s.loc["dm"]
    assert triage["offered"] == pytest.approx(x["mentions"])
    assert triage["answered"] + triage["unanswered"] == pytest.approx(triage["offered"])
    # triaged mentions: actionable or not; actionable: one end state each
    assert x["actionable"] <= triage["answered"] + 1e-9
    ends = x["community_deflected"] + x["reply_resolved"] + x["answered"] + x["unanswered"]
    assert ends == pytest.approx(x["actionable"])
    assert x["offered"] == pytest.approx(x["answered"] + x["unanswered"])
    # the private conversations arrive on the messaging channel
    assert dm["transferred_in"] == pytest.approx(x["transferred_out"])
    assert dm["offered"] == pytest.approx(dm["transferred_in"])
    assert x["transferred_out"] <= x["answered"]
    funnel = res.funnel.set_index("channel").loc["x"]
    assert funnel["triaged"] == pytest.approx(triage["answered"])
    assert funnel["moved_private"] == pytest.approx(x["transferred_out"])


def test_a_plain_social_channel_is_deferred_work():
    # the social kind with nothing switched on works exactly like deferred work
    deferred = social_scenario({}, kind="deferred", volume=30.0, staff=4, aht=200)
    social = social_scenario({}, volume=30.0, staff=4, aht=200)
    a = row(wfm.simulate(deferred, seed=9))
    b = row(wfm.simulate(social, seed=9))
    for key in ("offered", "answered", "answered_in_target", "service_level", "asa", "backlog"):
        assert a[key] == b[key], key


def test_the_add_skill_playbook_brings_help():
    groups = [{"group": "social_team", "skills": ["x"], "staff": 1},
              {"group": "voice", "skills": ["phone"], "staff": 12}]
    phone = {"phone": {"kind": "voice", "volume": [40.0] * 16, "aht": 180,
                       "target": {"answer_within": 20, "service_level": 0.8}}}
    book = [{"name": "voice helps", "when": {"channel": "x", "backlog_above": 10},
             "then": {"kind": "add_skill", "group": "voice", "channel": "x"}}]
    with_book = social_scenario({}, volume=20.0, horizon=16, aht=300, groups=groups,
                                extra_channels=phone, playbooks=book)
    without = social_scenario({}, volume=20.0, horizon=16, aht=300, groups=groups,
                              extra_channels=phone)
    a = wfm.simulate(with_book, seed=6)
    b = wfm.simulate(without, seed=6)
    assert len(a.playbooks) > 0 and set(a.playbooks["action"]) == {"add_skill"}
    assert row(a)["service_level"] > row(b)["service_level"]
    assert row(a)["backlog_peak"] < row(b)["backlog_peak"]


# ---------------------------------------------------------------------- analytic requirement
def test_the_analytic_work_matches_the_simulated_work():
    social = {"actionable": 0.5, "triage_time": 20, "virality": {"branching": 0.3, "delay": 300}}
    sc = social_scenario(social, volume=30.0, horizon=48, staff=40, aht=240)
    expected = float((staffing.social_volume(sc, "x") * 240).sum())  # agent-seconds
    res = wfm.simulate(sc, seed=12, replications=30)
    busy = res.groups.groupby("interval")["busy"].sum()  # means per replication
    per_rep = []
    for r in range(30):
        one = wfm.simulate(sc, seed=1000 + r)
        per_rep.append(one.groups["busy"].sum())
    with Family("social work", checks=1) as fam:
        # the edge of the horizon: follow-ups after it are not made (a few per mille)
        fam.check(np.array(per_rep), expected * (1 - 0.004), "busy agent-seconds")
        fam.rejects(np.array(per_rep), expected / 0.5 * 0.75, "work without the actionable share")
    assert busy.sum() > 0
    req = staffing.channel_requirements(sc)["x"]
    assert req.max() >= math.ceil(expected / (48 * HALF_HOUR))

"""Planning at the scale of a large centre (issue 15, item 5): the mechanisms that make the
simulate-and-correct loop fast (warm starts from the last round, the sequential check of
the replications, sized and escalating raises, the lower bound without pyomo). Fast
tests, no timings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import wfm
import wfm.planning as planning
from wfm.planning import _day_steps, _erlang_steps, _judge, _lower_bound_pyomo, _raise, judge, lower_bound, plan
from wfm.scheduling import schedule
from wfm.sim.engine import Replications, simulate


def premium():
    """A desk like the large centre's premium line: a group answers its calls first and
    premium chats when no call waits, beside a chat group. Chat sessions hold the
    group's agents, so its calls miss far below the Erlang plan: a hard case for the
    loop's raises."""
    shifts = {"lengths_hours": [1, 2, 4], "cost_per_hour": 20.0, "break": {"minutes": 0}}
    return wfm.Scenario.from_dict({
        "name": "premium desk", "interval_minutes": 30, "start": "08:00",
        "channels": {
            "phone": {"kind": "voice", "aht": 300, "patience": 300, "volume": [40] * 8,
                      "target": {"answer_within": 20, "service_level": 0.8}},
            "chat": {"kind": "chat", "aht": 660, "concurrency": 2, "patience": 300,
                     "volume": [40] * 8, "target": {"answer_within": 60, "service_level": 0.8}},
        },
        "agents": [{"group": "premium", "skills": ["phone", "chat"], "staff": 10},
                   {"group": "chat", "skills": ["chat"], "staff": 4}],
        "shifts": {"premium": shifts, "chat": shifts},
    })


def two_lines(staff_a: int, staff_b: int, hours: int = 4):
    """Two voice lines, one group each, staffed by hand (no shifts: the judge's tests)."""
    return wfm.Scenario.from_dict({
        "name": "two lines", "interval_minutes": 30, "start": "08:00",
        "channels": {c: {"kind": "voice", "aht": 240, "patience": 180, "volume": [60] * (2 * hours),
                         "target": {"answer_within": 20, "service_level": 0.8}}
                     for c in ("a", "b")},
        "agents": [{"group": "ga", "skills": ["a"], "staff": staff_a},
                   {"group": "gb", "skills": ["b"], "staff": staff_b}],
    })


#: the options for a large centre (``confirm_first`` apart)
SCALE = {"warm_start": True, "sequential": True, "escalate": True}


# ---------------------------------------------------------------------------- bound
@pytest.mark.parametrize("name", ["baseline", "channel_shift"])
def test_lower_bound_without_pyomo_is_the_same_lp(name):
    sc = wfm.load_scenario(f"scenarios/{name}.yaml")
    assert lower_bound(sc) == pytest.approx(_lower_bound_pyomo(sc), rel=1e-7)


def test_lower_bound_with_headcounts_and_deferred_work_matches_pyomo():
    sc = wfm.load_scenario("scenarios/baseline.yaml").with_values({
        "shifts": {"voice": {"max_agents": 12, "lengths_hours": [4, 8]},
                   "digital": {"earliest_start": "09:00"}}})
    assert lower_bound(sc) == pytest.approx(_lower_bound_pyomo(sc), rel=1e-7)


# ---------------------------------------------------------------------- warm start
def test_each_round_is_warm_started_from_the_last(monkeypatch):
    seen: list[object] = []
    made: list[object] = []
    real = planning.schedule

    def spy(*args, **kwargs):
        seen.append(kwargs.get("warm_start"))
        s = real(*args, **kwargs)
        made.append(s)
        return s

    monkeypatch.setattr(planning, "schedule", spy)
    r = plan(premium(), seed=1, replications=2, max_iterations=4, time_limit=10, bound=False,
             warm_start=True)
    assert len(seen) >= 2
    assert seen[0] is None
    # every later round starts from the schedule made just before it
    assert all(w is m for w, m in zip(seen[1:], made[:-1], strict=True))
    cold = plan(premium(), seed=1, replications=2, max_iterations=1, time_limit=10,
                bound=False)
    assert cold.schedule.cost == pytest.approx(r.erlang_schedule.cost)


@pytest.mark.parametrize("method", ["direct", "pyomo"])
def test_warm_start_costs_no_more_than_the_start(method):
    sc = wfm.load_scenario("scenarios/baseline.yaml")
    req = wfm.staffing.group_requirements(sc)
    first = schedule(sc, req, time_limit=10, gap=0.05, method=method)
    again = schedule(sc, req, time_limit=10, gap=0.05, method=method, warm_start=first)
    assert again.objective <= first.objective + 1e-6
    # a raised requirement: the last plan repaired is a start the answer never exceeds
    raised = {g: r + (1 if g == "voice" else 0) for g, r in req.items()}
    warm = schedule(sc, raised, time_limit=10, gap=0.05, method=method, warm_start=first)
    assert warm.shortfall == 0
    assert warm.cost <= first.cost + 2 * 8 * max(float(sc.shifts["voice"].cost_per_hour)
                                                 if "voice" in sc.shifts else 1.0, 1.0) + 1e-6


# ------------------------------------------------------------- sequential check
@pytest.fixture(scope="module")
def spread():
    """Each line's spread of one replication's day service level, pooled (as the loop
    pools it over its rounds)."""
    out = {}
    for c in ("a", "b"):
        ss = dof = 0.0
        for staff in (9, 10, 11, 12):
            reps = simulate(two_lines(staff, staff), seed=777, replications=6).replications
            x = reps.loc[reps["channel"] == c, "service_level"].to_numpy(float)
            ss += float(((x - x.mean()) ** 2).sum())
            dof += x.size - 1
        out[c] = math.sqrt(ss / dof)
    return out


def test_first_replications_are_those_of_the_full_check():
    sc = two_lines(10, 12)
    one = simulate(sc, seed=5, replications=1).replications
    three = simulate(sc, seed=5, replications=3).replications
    np.testing.assert_allclose(one["service_level"],
                               three.loc[three["replication"] == 0, "service_level"])


def test_an_early_verdict_that_is_clear_is_the_full_checks(spread):
    """The sequential check keeps a channel's verdict from the first replication only
    when it is clear; over understaffed, borderline and overstaffed lines and many seeds
    the full check (same seed, three replications) never says otherwise."""
    n_clear = n_unclear = 0
    for staff_a, staff_b in ((8, 13), (9, 11), (10, 10), (11, 9), (13, 8)):
        sc = two_lines(staff_a, staff_b)
        for seed in range(8):
            v1, c1 = _judge(simulate(sc, seed=seed, replications=1), min_contacts=30,
                            interval_tolerance=0.05, confidence=0.95, spread=spread,
                            project=3)
            v3, _ = judge(simulate(sc, seed=seed, replications=3), spread=spread)
            for row1, row3 in zip(v1.itertuples(), v3.itertuples(), strict=True):
                if row1.clear:
                    n_clear += 1
                    assert row1.met == row3.met, (staff_a, staff_b, seed, row1.channel)
                else:
                    n_unclear += 1
            assert {"band"} <= set(c1.columns)
    # both kinds occur: the rule is not vacuous
    assert n_clear >= 20 and n_unclear >= 5


def test_projected_verdict_judges_like_the_full_check(spread):
    """Projected to three replications, one replication's contacts are scaled, so the
    same intervals are judged and the day's margin is that of three replications."""
    sim = simulate(two_lines(10, 10), seed=3, replications=1)
    v, checks = _judge(sim, min_contacts=30, interval_tolerance=0.05, confidence=0.95,
                       spread=spread, project=3)
    plain, plain_checks = judge(sim, spread=spread)
    np.testing.assert_allclose(checks["contacts"], 3 * plain_checks["contacts"])
    np.testing.assert_allclose(v["margin"] * math.sqrt(3), plain["margin"])
    assert (v["band"] > 0).all() and (checks["band"] >= 0).all()


def test_sequential_plan_never_converges_on_an_early_verdict():
    """Rounds may stop at one replication only when a channel surely misses, so the
    round a plan converges on was judged with every replication."""
    r = plan(premium(), seed=1, replications=2, max_iterations=10, time_limit=10, bound=False,
             **SCALE)
    assert r.converged, r.reason
    it = r.iterations
    assert (it["replications"] < 2).any()          # some rounds stopped early
    early = it[it["replications"] < 2]
    assert not early["met"].any()
    assert r.simulation.n_replications >= 2
    off = plan(premium(), seed=1, replications=2, max_iterations=10, time_limit=10,
               bound=False, **{**SCALE, "sequential": False})
    assert (off.iterations["replications"] >= 2).all()
    assert (off.iterations["unclear"] == "").all()


# -------------------------------------------------------------------- escalation
def test_raise_steps_escalate_and_are_sized_on_the_erlang_curve():
    sc = premium()
    verdict = pd.DataFrame({"channel": ["phone"], "met": [False], "target": [0.8],
                            "margin": [0.02], "day_met": [True]})
    checks = pd.DataFrame({"channel": "phone", "interval": np.arange(8), "met": False,
                           "target": 0.8, "service_level": 0.45, "contacts": 80.0})
    plain = {"phone": np.zeros(8, np.int64)}
    _raise(plain, verdict, checks)
    assert (plain["phone"] == 4).all()                    # one agent per 10 points short
    doubled = {"phone": np.zeros(8, np.int64)}
    _raise(doubled, verdict, checks, {"phone": 2})
    assert (doubled["phone"] == 8).all()
    level = {"phone": np.full(8, 10)}
    sized = _erlang_steps(sc, "phone", np.arange(8), np.full(8, 0.45), np.full(8, 80.0),
                          level["phone"], 0.84)
    # 40 calls of 300 s per half hour: 6.7 Erlangs; 45% in 20 s is about 7 agents, 84%
    # about 10: three or more to add, never more than the level
    assert (sized >= 2).all() and (sized <= 10).all()
    big = {"phone": np.zeros(8, np.int64)}
    _raise(big, verdict, checks, None, sc, level)
    assert (big["phone"] == np.maximum(4, sized)).all()
    # nothing observed (no service level): no sized step
    assert _erlang_steps(sc, "phone", np.arange(2), np.full(2, np.nan), np.zeros(2),
                         np.full(2, 10), 0.84).tolist() == [0, 0]


def test_a_day_only_miss_is_raised_where_the_curves_gain_most():
    sc = premium()
    level = np.full(8, 9)
    sl = np.array([0.9, 0.9, 0.6, 0.9, 0.9, 0.9, 0.9, 0.75])
    part = pd.DataFrame({"channel": "phone", "interval": np.arange(8), "met": True,
                         "target": 0.8, "service_level": sl, "contacts": 80.0})
    add = _day_steps(sc, "phone", part, level, 0.9)
    # the two weak intervals get agents first and most
    assert add[2] >= 1 and add[7] >= 1 and add[2] == add.max()
    assert add[[0, 1, 3, 4, 5, 6]].sum() < add[[2, 7]].sum()
    # the day's predicted service level gets there with fewer agents for a lower aim
    assert 0 < _day_steps(sc, "phone", part, level, 0.86).sum() < add.sum()
    assert (add <= level).all()
    # already above the aim: nothing
    assert _day_steps(sc, "phone", part.assign(service_level=0.95), level, 0.86).sum() == 0


def test_escalation_converges_on_a_hard_case_in_fewer_rounds():
    fast = plan(premium(), seed=1, replications=2, max_iterations=12, time_limit=10,
                bound=False, **SCALE)
    slow = plan(premium(), seed=1, replications=2, max_iterations=12, time_limit=10,
                bound=False)
    assert fast.converged and slow.converged, (fast.reason, slow.reason)
    first_met = int(fast.iterations["met"].to_numpy().argmax())
    first_met_slow = int(slow.iterations["met"].to_numpy().argmax())
    assert first_met < first_met_slow
    assert len(fast.iterations) < len(slow.iterations)
    # simulated again on a new seed, every channel's day still reaches its target
    again = judge(simulate(fast.scenario, seed=4242, replications=6))[0]
    assert (again["service_level"] >= again["target"]).all(), again


def test_confirm_first_stops_on_the_first_confirmed_round():
    r = plan(premium(), seed=1, replications=2, max_iterations=12, time_limit=10,
             bound=False, **SCALE, confirm_first=True)
    assert r.converged and "confirming round" in r.reason
    it = r.iterations
    # every round that met was confirmed at once: the round after it is its confirmation
    for i in np.flatnonzero(it["met"].to_numpy() & (it["confirms"].to_numpy() == 0)):
        assert int(it["confirms"].iloc[i + 1]) == i + 1


def test_new_options_are_checked():
    for name in ("warm_start", "sequential", "escalate", "confirm_first"):
        with pytest.raises(ValueError, match=name):
            plan(premium(), max_iterations=1, **{name: 1})


def test_the_sequential_check_simulates_each_replication_once(monkeypatch):
    """A round whose first replication is not conclusive goes on from it: the replications
    simulated are exactly those the rounds report (before, the first was run twice)."""
    import wfm.sim.engine as engine

    runs = []
    real = engine._Run.run

    def counted(self):
        runs.append(1)
        return real(self)

    monkeypatch.setattr(engine._Run, "run", counted)
    r = plan(premium(), seed=1, replications=2, max_iterations=12, time_limit=10,
             bound=False, **SCALE, confirm_first=True)
    it = r.iterations
    went_on = it["replications"] == 2  # rounds judged on both replications
    assert went_on.iloc[1:].any()      # some looked at one first, then went on
    assert len(runs) == int(it["replications"].sum())


def test_a_confirmation_surely_missed_at_its_first_replication_is_refuted_in_full(spread):
    """A confirmation (fresh seed, three times the replications, a second margin) may
    stop at its first replication when a channel surely misses: over lines staffed below,
    at and above their need and many seeds, the full confirmation never holds for a
    channel the first replication found surely missing."""
    n_sure = 0
    for staff_a, staff_b in ((8, 13), (9, 11), (10, 10), (11, 9)):
        sc = two_lines(staff_a, staff_b)
        for seed in range(6):
            with Replications(sc, seed=seed, replications=6) as runs:
                v1, _ = _judge(runs.result(1), min_contacts=30, interval_tolerance=0.05,
                               confidence=0.95, spread=spread, project=6)
                full = runs.result()
            v6 = planning._confirmation(judge(full, spread=spread)[0], full, 0.95)
            for row1, row6 in zip(v1.itertuples(), v6.itertuples(), strict=True):
                if row1.clear and not row1.met:
                    n_sure += 1
                    assert not row6.met, (staff_a, staff_b, seed, row1.channel)
    assert n_sure >= 10  # the early refutation happens: the rule is not vacuous


def test_a_confirmation_can_be_refuted_at_its_first_replication():
    r = plan(premium(), seed=1, replications=2, max_iterations=12, time_limit=10,
             bound=False, **SCALE, confirm_first=True)
    it = r.iterations
    early = it[(it["confirms"] > 0) & (it["replications"] == 1)]
    assert len(early) >= 1 and not early["met"].any()
    assert r.converged and int(r.simulation.n_replications) == 6  # held on all six

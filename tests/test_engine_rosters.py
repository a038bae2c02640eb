"""Agent rosters to the minute (issue 11, item 12).

* A roster of agents all on duty for the whole horizon is M/M/n+M: exact over the
  horizon from empty (``feature_refs.Queue``).
* A roster equal to a rising staff curve on interval boundaries gives the same KPIs in
  distribution as the curve: independent replications of both, paired differences
  checked against 0 (Student t at a family-wise 1e-3), and a roster with one agent fewer
  rejected. (Only a rising curve: when staff drops, the curve sends idle agents home
  first while a roster sends the named agents, busy or not, so the two differ.)
* Breaks and shift ends mid-contact, chats included, checked on every event of runs
  whose starts, joins and leaves are recorded (read-only wrappers around the engine's
  ``_Run`` methods): exact assertions, no statistics.
* The ``staff`` and ``on_duty`` columns of a roster with shifts and breaks starting
  mid-interval, with no contacts: exact arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest
from feature_refs import SHIFT, L, Queue, replications, scenario, voice, windows
from stats_helpers import Family

from wfm.sim import engine
from wfm.sim.engine import simulate
from wfm.sim.model import compile_model

H = 24  # 12 hours of 30-minute intervals


def test_constant_roster_is_erlang_a():
    """13 agents rostered 00:00-14:00 (the horizon is 00:00-12:00, the queue drains in
    the two hours after): M/M/13+M, 100 calls per 30 min of 180 s, patience 300 s, 40
    runs. Checks: service level (20 s), ASA, abandonment. Power: 12 agents."""
    sc = scenario({"c": voice(100, 180, H, patience=300)},
                  [{"group": "g", "skills": ["c"], "roster": [{"start": "00:00", "end": "14:00", "count": 13}]}])
    assert sc.staff()["g"].tolist() == [13] * H
    reps = replications(sc, 4000, 40)
    q13, q12 = (Queue(n, 100 / L, 1 / 180, 1 / 300) for n in (13, 12))
    exact, fewer = (q.measures(q.horizon_mix(H * L), 20.0) for q in (q13, q12))
    ws = (reps["asa"].fillna(0) * reps["answered"]).to_numpy()
    with Family("roster of 13: M/M/13+M", checks=3) as fam:
        fam.check(reps["answered_in_target"], exact["service_level"], "service level", per=reps["offered"])
        fam.check(ws, exact["asa"], "ASA", per=reps["answered"])
        fam.check(reps["abandoned"], exact["abandonment"], "abandonment", per=reps["offered"])
        fam.rejects(reps["answered_in_target"], fewer["service_level"], "SL with 12 agents", per=reps["offered"])


CURVE = [6] * 4 + [9] * 4 + [12] * (H - 8)


def rising(roster_first: int = 6):
    ch = {"c": voice(100, 180, H, patience=300)}
    staffed = scenario(ch, [{"group": "g", "skills": ["c"], "staff": CURVE}])
    rostered = scenario(ch, [{"group": "g", "skills": ["c"], "roster": [
        {"start": "00:00", "end": "14:00", "count": roster_first},
        {"start": "02:00", "end": "14:00", "count": 3},
        {"start": "04:00", "end": "14:00", "count": 3},
    ]}])
    return staffed, rostered


def measures(sc, seeds) -> dict[str, np.ndarray]:
    ch, gr = windows(sc, seeds)
    c, g = ch["c"], gr["g"]
    return {
        "service_level": (c["answered_in_target"] / c["offered"]).to_numpy(),
        "asa": (c["wait_sum"] / c["answered"]).to_numpy(),
        "abandonment": (c["abandoned"] / c["offered"]).to_numpy(),
        "occupancy": (g["busy"] / g["on_duty"]).to_numpy(),
    }


def test_roster_on_interval_boundaries_is_the_staff_curve():
    """Staff 6, 9, then 12 agents (rising at 02:00 and 04:00) as a staff curve and as a
    roster of 6 + 3 + 3 agents starting then: 12 hours of 100 calls per 30 min (the first
    four hours overloaded), 30 independent runs of each.

    Exactly: the roster's ``staff`` column is the curve. In distribution: service level,
    ASA, abandonment and occupancy (paired differences against 0). Power: the roster with
    5 agents in its first block."""
    staffed, rostered = rising()
    _, fewer = rising(5)
    assert simulate(rostered, seed=1).groups["staff"].tolist() == CURVE
    a = measures(staffed, range(4100, 4130))
    b = measures(rostered, range(4200, 4230))
    w = measures(fewer, range(4300, 4330))
    with Family("roster = rising staff curve", checks=4) as fam:
        for key in a:
            fam.check(b[key] - a[key], 0.0, f"{key}: roster - staff curve")
        fam.rejects(w["service_level"] - a["service_level"], 0.0, "SL: roster with 5 first - staff curve")
        fam.rejects(w["abandonment"] - a["abandonment"], 0.0, "abandonment: roster with 5 first - staff curve")


# --------------------------------------------------------------------- breaks mid-contact, to the event
class Events:
    """Every start (agent, channel, time, end), join and leave of a run, recorded by
    wrappers that call the engine's own methods unchanged."""

    def __init__(self, monkeypatch) -> None:
        self.starts: list[tuple[int, int, float, float]] = []
        self.joins: list[tuple[int, float]] = []
        self.leaves: list[tuple[int, float]] = []
        run = engine._Run
        start, join, leave = run._start, run._join, run._leave

        def _start(r, a, g, c, x, t):
            end = start(r, a, g, c, x, t)
            self.starts.append((a.id, c, t, end))
            return end

        def _join(r, a, t, at_boundary=False):
            self.joins.append((a.id, t))
            return join(r, a, t, at_boundary)

        def _leave(r, a, t, at_boundary=False):
            self.leaves.append((a.id, t))
            return leave(r, a, t, at_boundary)

        monkeypatch.setattr(run, "_start", _start)
        monkeypatch.setattr(run, "_join", _join)
        monkeypatch.setattr(run, "_leave", _leave)


def break_scenario():
    return scenario(
        {"phone": {**voice(200, 427.3, 16), "handle_cv": 0},
         "chat": {"kind": "chat", "concurrency": 3, "volume": [150] * 16, "aht": 503.7, "handle_cv": 0,
                  "target": {"answer_within": 60, "service_level": 0.8}}},
        [{"group": "voice", "skills": ["phone"], "roster": [
            {"start": "08:00", "end": "12:00", "breaks": [["09:07", "09:22"]]},
            {"start": "08:00", "end": "12:00", "breaks": [["10:03", "10:18"], ["11:01", "11:09"]]},
            {"start": "08:10", "end": "11:37", "breaks": [["10:41", "10:56"]]}]},
         {"group": "chat", "skills": ["chat"], "roster": [
             {"start": "08:00", "end": "12:00", "breaks": [["09:30", "09:45"]]},
             {"start": "08:05", "end": "11:50", "breaks": [["10:10", "10:40"]]}]}],
        interval_minutes=15, start="08:00",
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_break_and_shift_end_wait_for_the_contacts_in_hand(monkeypatch, seed):
    """Three rostered voice agents and two chat agents (3 sessions each), always busy
    (constant 427.3 s calls, 503.7 s sessions, queues that never empty), breaks and shift
    ends to the minute, 4 hours from 08:00 (no completion falls exactly on a break: see
    the next test for that tie).

    For every agent and every break or shift end, exactly: no contact starts while it is
    off; if it holds contacts when the break or the end comes, it leaves when the last of
    them ends (a voice agent finishes its call, a chat agent its sessions and takes no new
    one), or, if that is after the break's end, it never leaves; otherwise it leaves at
    once. The ``on_duty`` column is the agents' presence so recorded, clipped to the
    horizon.
    """
    sc = break_scenario()
    ev = Events(monkeypatch)
    res = simulate(sc, seed=SHIFT + seed)
    monkeypatch.undo()
    model = compile_model(sc)
    agents = [entry for roster in model.rosters for entry in roster]  # agent id = position (hiring order)
    t_end = sc.horizon * sc.interval_seconds
    for aid, (start, end, breaks) in enumerate(agents):
        mine = sorted((t, e) for a, _, t, e in ev.starts if a == aid)
        leaves = sorted(t for a, t in ev.leaves if a == aid)
        assert mine, f"agent {aid} never worked"
        assert mine[0][0] >= start
        off = [*breaks, (end, np.inf)]
        for bs, be in off:
            assert not [t for t, _ in mine if bs <= t < be], f"agent {aid} started a contact while off ({bs}, {be})"
            held = [e for t, e in mine if t < bs < e]
            last = max(held, default=bs)
            if last < be:
                assert any(abs(t - last) < 1e-9 for t in leaves), f"agent {aid}: no leave at {last} (off at {bs})"
            else:
                assert not [t for t in leaves if bs <= t < be]
    # presence: from a join while off duty to the next leave (a join while still
    # finishing before a break's end only keeps the agent on)
    presence = 0.0
    for aid in range(len(agents)):
        moves = sorted([(t, 1) for a, t in ev.joins if a == aid] + [(t, -1) for a, t in ev.leaves if a == aid])
        since = None
        for t, kind in moves:
            if kind == 1 and since is None:
                since = t
            elif kind == -1:
                assert since is not None, f"agent {aid} left while off duty"
                presence += min(t, t_end) - min(since, t_end)
                since = None
        assert since is None, f"agent {aid} still on duty after its shift"
    assert res.groups["on_duty"].sum() == pytest.approx(presence, rel=1e-12)
    # a chat agent never holds more than 3 sessions (chat channel index 1)
    for aid in (3, 4):
        sessions = sorted((t, e) for a, c, t, e in ev.starts if a == aid and c == 1)
        edges = sorted([(t, 1) for t, _ in sessions] + [(e, -1) for _, e in sessions], key=lambda x: (x[0], x[1]))
        assert max(np.cumsum([d for _, d in edges])) <= 3


def test_roster_staff_and_on_duty_columns_to_the_minute():
    """No contacts; 15-minute intervals from 08:00. Agents: 08:10-12:40 with a break
    10:05-10:20; two agents 09:00-11:00; one 11:50-d2 01:00 (past the horizon's end).
    ``staff`` counts the agents on duty at each interval's start; ``on_duty`` is their
    presence in agent-seconds, to the minute (computed here from the shifts)."""
    roster = [
        {"start": "08:10", "end": "12:40", "breaks": [["10:05", "10:20"]]},
        {"start": "09:00", "end": "11:00", "count": 2},
        {"start": "11:50", "end": "01:00"},
    ]
    h = 20  # 08:00-13:00
    sc = scenario({"c": voice(0, 180, h)}, [{"group": "g", "skills": ["c"], "roster": roster}],
                  interval_minutes=15, start="08:00")
    res = simulate(sc, seed=1)
    # minutes from 08:00 when each agent is on duty
    spans = [[(10, 125), (140, 280)], [(60, 180)], [(60, 180)], [(230, 17 * 60)]]
    starts = np.arange(h) * 15
    staff = [sum(any(a <= s < b for a, b in sp) for sp in spans) for s in starts]
    on_duty = [60 * sum(max(0, min(b, s + 15) - max(a, s)) for sp in spans for a, b in sp) for s in starts]
    assert res.groups["staff"].tolist() == staff
    np.testing.assert_allclose(res.groups["on_duty"].to_numpy(), on_duty, rtol=0, atol=1e-6)
    assert staff[:4] == [0, 1, 1, 1] and staff[8] == 3 and staff[9] == 2  # 10:00 and 10:15 (a break)


def test_break_starting_as_a_contact_ends_is_taken_at_once(monkeypatch):
    """One agent from 08:05 (a queue already waiting) with constant 600 s calls: its calls
    end at 08:15, 08:25, ..., 09:05, exactly when its break 09:05-09:20 starts. It must
    go on break then, not start another call."""
    sc = scenario({"c": {**voice(100, 600, 8), "handle_cv": 0}},
                  [{"group": "g", "skills": ["c"],
                    "roster": [{"start": "08:05", "end": "10:00", "breaks": [["09:05", "09:20"]]}]}],
                  interval_minutes=15, start="08:00")
    ev = Events(monkeypatch)
    simulate(sc, seed=1)
    monkeypatch.undo()
    starts = sorted(t for _, _, t, _ in ev.starts)
    # 08:05, ..., 08:55; 09:05 would be the 7th; the 7th is at the break's end, 09:20
    assert starts[:7] == [300.0 + 600 * k for k in range(6)] + [4800.0]
    assert not [t for t in starts if 3900 <= t < 4800], starts


def test_shift_started_before_the_horizon_with_its_break_straddling_the_start():
    """One agent 07:00-09:00 with a break 07:50-08:10, the horizon 08:00-09:00 in
    15-minute intervals: on duty from 08:10 to 09:00 only (5, 15, 15, 15 minutes), never
    busier than present."""
    ch = {"c": {**voice(60, 600, 4), "handle_cv": 0}}
    agents = [{"group": "g", "skills": ["c"],
               "roster": [{"start": "07:00", "end": "09:00", "breaks": [["07:50", "08:10"]]}]}]
    sc = scenario(ch, agents, interval_minutes=15, start="08:00")
    res = simulate(sc, seed=1)
    assert res.groups["staff"].tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(res.groups["on_duty"], [300, 900, 900, 900])
    assert (res.groups["busy"] <= res.groups["on_duty"] + 1e-6).all()

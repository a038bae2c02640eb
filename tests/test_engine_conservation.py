"""Every contact accounted for, with every switch feature on at once (issue 11).

One scenario uses every new key together: per-interval aht and patience lists, handle
and patience distributions, balking, wrap-up, retrials (of abandoned, blocked and balked
callers), a shared trunk and a channel's own lines, a queue capacity, ``max_wait`` to a
callback channel judged on finishing, a transfer to a specialist line, a blended
outbound channel with a reserve, deflection, every routing rule (ordered, longest idle,
oldest, an overflow delay, deferred work beside chats, staff rise and drop rules), a
rostered group with breaks, handle factors, day and interval busyness, and the three
service-level definitions. Exact identities, checked in every interval of every run:

* each attempt that reached a channel ends one way: offered = answered + abandoned +
  blocked + balked + rerouted + unanswered;
* each caller is counted once: offered = customers + retrials + transfers in + callbacks
  in (over the horizon), with transfers in = transfers out of the sending channel and
  callbacks in = contacts rerouted to the callback channel;
* the sub-counts are inside their counts, and no group is busier than present;
* the same seed gives the same result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_refs import scenario

from wfm.sim.engine import simulate

H = 32  # 8 hours of 15-minute intervals from 08:00
RAMP = [40, 55, 70, 85, 95, 100, 100, 95, 90, 85, 85, 90, 95, 100, 100, 95,
        90, 85, 80, 75, 70, 70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 20]


def everything():
    target = {"answer_within": 20, "service_level": 0.8}
    channels = {
        "phone": {
            "kind": "voice", "volume": [round(v * 0.55) for v in RAMP], "aht": [240 + 2 * (i % 8) for i in range(H)],
            "handle_time": {"dist": "gamma", "cv": 0.8},
            "patience": {"dist": "lognormal", "mean": 150, "cv": 0.7},
            "balking": 0.03, "wrap_up": 20, "trunk": "main",
            "retrial": {"probability": 0.4, "delay": 300, "on": ["abandoned", "blocked", "balked"],
                        "max_attempts": 4},
            "max_wait": {"seconds": 90, "to": "callback"},
            "transfer": {"share": 0.1, "to": "specialist"},
            "target": {**target, "definition": "answered_and_late_abandoned"},
        },
        "specialist": {
            "kind": "voice", "volume": [8] * H, "aht": 400, "handle_cv": 1.5, "lines": 8, "queue_capacity": 3,
            "patience": [200.0] * 16 + [120.0] * 16, "target": {**target, "definition": "answered"},
        },
        "chat": {
            "kind": "chat", "concurrency": 2, "volume": [16] * H, "aht": 500, "patience": 200, "trunk": "main",
            "retrial": {"probability": 0.6, "delay": 600, "dist": "constant"},
            "handle_time": {"dist": "uniform", "low": 200, "high": 800},
            "target": {"answer_within": 60, "service_level": 0.8},
        },
        "callback": {
            "kind": "deferred", "volume": [0] * H, "aht": 240,
            "target": {"answer_within": 3600, "service_level": 0.8, "judged_on": "finished"},
        },
        "email": {
            "kind": "deferred", "volume": [20] * H, "aht": 300, "deflection": 0.1,
            "handle_time": {"dist": "empirical", "values": [120, 240, 300, 540]},
            "target": {"answer_within": 14400, "service_level": 0.9},
        },
        "outbound": {
            "kind": "outbound", "volume": [15] * H, "aht": 200,
            "outbound": {"connect_rate": 0.35, "dial_time": 25, "reserve": 1},
        },
    }
    agents = [
        {"group": "front", "skills": ["phone", "chat", "outbound"], "handle_factor": {"phone": 1.1},
         "roster": [
             {"start": "08:00", "end": "16:00", "breaks": [["10:07", "10:22"], ["12:30", "13:00"]], "count": 8},
             {"start": "08:20", "end": "16:00", "breaks": [["11:13", "11:28"]], "count": 6},
             {"start": "09:45", "end": "16:30", "breaks": [["13:02", "13:32"]], "count": 6},
         ]},
        {"group": "backup", "skills": ["phone", "email"], "staff": [4] * 8 + [6] * 16 + [3] * 8,
         "handle_factor": {"phone": 0.9}},
        {"group": "specialists", "skills": ["specialist"], "staff": [5] * 10 + [4] * 6 + [6] * 16},
        {"group": "digital", "skills": ["chat", "email", "callback"], "staff": [5] * 12 + [4] * 8 + [6] * 12},
    ]
    routing = {
        "staff_rise": "new", "staff_drop": "last_hired",
        "channels": {"phone": {"arrival": "ordered", "groups": ["front", "backup"]},
                     "chat": {"arrival": "longest_idle"}},
        "groups": {"backup": {"delays": {"phone": 20}, "next_contact": "oldest"},
                   "digital": {"deferred_with_chats": True}},
    }
    return scenario(channels, agents, interval_minutes=15, start="08:00", routing=routing, trunks={"main": 45},
                    uncertainty={"busyness_cv": 0.1, "interval_cv": 0.1})


ENDINGS = ["answered", "abandoned", "blocked", "balked", "rerouted", "unanswered"]


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_every_contact_is_accounted_for(seed):
    res = simulate(everything(), seed=seed)
    iv = res.intervals
    # each attempt ends one way, interval by interval
    np.testing.assert_array_equal(iv["offered"], iv[ENDINGS].sum(axis=1))
    for small, big in (("answered_in_target", "answered"), ("short_abandoned", "abandoned"),
                       ("pending", "unanswered"), ("customers", "offered"), ("connected", "answered")):
        assert (iv[small] <= iv[big]).all(), (small, big)
    tot = res.summary.set_index("channel")
    # every feature did something
    for ch, col in (("phone", "retrials"), ("phone", "rerouted"), ("phone", "transferred_out"),
                    ("phone", "abandoned"), ("phone", "balked"), ("specialist", "blocked"),
                    ("chat", "retrials"), ("outbound", "connected"), ("callback", "answered")):
        assert tot.loc[ch, col] > 0, (ch, col)
    # each caller once: the extra attempts are retrials, transfers and callbacks
    callbacks = pd.Series(0.0, index=tot.index)
    callbacks["callback"] = tot["rerouted"].sum()
    extra = tot["retrials"] + tot["transferred_in"] + callbacks
    np.testing.assert_array_equal(tot["offered"], tot["customers"] + extra)
    assert tot.loc["specialist", "transferred_in"] == tot.loc["phone", "transferred_out"]
    assert tot["transferred_out"].drop("phone").eq(0).all()
    assert tot.loc["callback", "customers"] == 0
    for ch in ("phone", "chat"):
        assert tot.loc[ch, "retrials"] <= tot.loc[ch, ["abandoned", "blocked", "balked"]].sum()
    # a group is never busier than present
    gr = res.groups
    assert (gr["busy"] <= gr["on_duty"] + 1e-6).all()
    assert (gr["occupancy"].dropna() <= 1 + 1e-9).all()
    # the service level of each definition, from the counts
    s = tot.loc["phone"]
    late = s["answered_in_target"] / (s["answered"] + s["abandoned"] - s["short_abandoned"])
    assert s["service_level"] == pytest.approx(late, rel=1e-12)
    s = tot.loc["specialist"]
    assert s["service_level"] == pytest.approx(s["answered_in_target"] / s["answered"], rel=1e-12)


def test_everything_on_is_deterministic():
    """Same scenario and seed, same result, frame by frame (two replications)."""
    sc = everything()
    a, b = simulate(sc, seed=5, replications=2), simulate(sc, seed=5, replications=2)
    for frame in ("intervals", "groups", "summary", "replications"):
        pd.testing.assert_frame_equal(getattr(a, frame), getattr(b, frame))
    c = simulate(sc, seed=6, replications=2)
    assert not a.intervals["offered"].equals(c.intervals["offered"])

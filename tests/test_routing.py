"""The routing tables (``wfm.sim.routing.build_routing``) against hand-computed values."""

from __future__ import annotations

import pytest

import wfm
from wfm.sim.routing import CHAT, DEFERRED, VOICE, build_routing


def _channel(kind: str, concurrency: int = 1) -> dict:
    ch = {
        "kind": kind,
        "volume": [10, 10],
        "aht": 300,
        "target": {"answer_within": 60 if kind != "deferred" else 3600, "service_level": 0.8},
    }
    if concurrency > 1:
        ch["concurrency"] = concurrency
    return ch


def _scenario(channels: dict, agents: list) -> wfm.Scenario:
    return wfm.Scenario.from_dict(
        {"name": "routing", "interval_minutes": 30, "channels": channels, "agents": agents}
    )


@pytest.fixture(scope="module")
def multi_skill() -> wfm.Scenario:
    """Voice, two chat channels of concurrency 4 and 6, email; three groups.

    Channel order is the scenario's: phone 0, chat_a 1, email 2, chat_b 3. Group order:
    blend 0, chat 1, back 2. Skills are listed in priority order.
    """
    return _scenario(
        {
            "phone": _channel("voice"),
            "chat_a": _channel("chat", 4),
            "email": _channel("deferred"),
            "chat_b": _channel("chat", 6),
        },
        [
            {"group": "blend", "skills": ["chat_b", "phone", "email"], "staff": 5},
            {"group": "chat", "skills": ["chat_a", "chat_b"], "staff": 3},
            {"group": "back", "skills": ["email"], "staff": 2},
        ],
    )


def test_multi_skill_tables(multi_skill):
    rt = build_routing(multi_skill)
    assert rt.channels == ["phone", "chat_a", "email", "chat_b"]
    assert rt.kinds == [VOICE, CHAT, DEFERRED, CHAT]
    assert rt.groups == ["blend", "chat", "back"]
    # an agent has lcm(4, 6) = 12 units (not 4 * 6 = 24): a call or an email takes all 12,
    # a chat_a session 12 / 4 = 3, a chat_b session 12 / 6 = 2
    assert rt.units == 12
    assert rt.cost == [12, 3, 12, 2]
    # per group, its channels in its own priority order (indices into channels)
    assert rt.skills == [[3, 0, 2], [1, 3], [2]]
    # per channel, the groups having it as a skill, in group order
    assert rt.serving == [[0], [1], [0, 2], [0, 1]]


@pytest.mark.parametrize(
    ("concurrencies", "units", "costs"),
    [
        ((), 1, []),  # no chat: one unit, every contact takes it
        ((1,), 1, [1]),
        ((2, 3, 4), 12, [6, 4, 3]),
        ((3, 3), 3, [1, 1]),
        ((5, 7), 35, [7, 5]),
    ],
)
def test_units_are_the_lcm_of_chat_concurrencies(concurrencies, units, costs):
    channels = {"phone": _channel("voice")}
    channels.update({f"chat{i}": _channel("chat", k) for i, k in enumerate(concurrencies)})
    sc = _scenario(channels, [{"group": "all", "skills": list(channels), "staff": 4}])
    rt = build_routing(sc)
    assert rt.units == units
    assert rt.cost == [units, *costs]
    assert rt.serving == [[0]] * len(channels)
    assert rt.skills == [list(range(len(channels)))]


def test_busy_time_counts_a_session_as_its_share():
    """What the units mean in the engine: a chat_a session keeps its agent 3/12 = 1/4
    busy, a chat_b session 2/12 = 1/6, a call all of it.

    Arrivals in the first half hour only, handle times of exactly 600 s, more agents than
    could ever be needed: every contact starts on arrival and ends before the second
    interval does, so the busy agent-seconds are exactly sum(answered x 600 x share).
    """
    chans = {
        "phone": {**_channel("voice"), "volume": [20, 0], "aht": 600, "handle_cv": 0},
        "chat_a": {**_channel("chat", 4), "volume": [30, 0], "aht": 600, "handle_cv": 0},
        "chat_b": {**_channel("chat", 6), "volume": [30, 0], "aht": 600, "handle_cv": 0},
    }
    sc = _scenario(chans, [{"group": "all", "skills": list(chans), "staff": 200}])
    res = wfm.simulate(sc, seed=4)
    s = res.summary.set_index("channel")
    assert (s["answered"] == s["offered"]).all() and (s["asa"].fillna(0) == 0).all()
    expected = 600 * (s.loc["phone", "answered"] + s.loc["chat_a", "answered"] / 4 + s.loc["chat_b", "answered"] / 6)
    assert s["answered"].sum() > 0
    assert res.groups["busy"].sum() == pytest.approx(expected, rel=1e-12)

"""Staffing requirements: channel rules against wfm.erlang, the deferred rule against
the fluid model, and the group rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm import erlang, staffing

VOICE = {"kind": "voice", "aht": 300, "target": {"answer_within": 20, "service_level": 0.8}}


def make(channels, agents, horizon=None, interval_minutes=30):
    return wfm.Scenario.from_dict({
        "name": "staffing test",
        "interval_minutes": interval_minutes,
        "start": "08:00",
        "channels": channels,
        "agents": agents,
    })


@pytest.fixture(scope="module")
def baseline():
    return wfm.load_scenario("scenarios/baseline.yaml")


def test_long_format_columns(baseline):
    req = staffing.requirements(baseline)
    assert list(req.columns) == ["level", "name", "interval", "start", "required",
                                 "required_paid", "kind", "volume", "workload"]
    H = baseline.horizon
    ch = req[req["level"] == "channel"]
    gr = req[req["level"] == "group"]
    assert len(ch) == H * len(baseline.channels)
    assert len(gr) == H * len(baseline.agents)
    assert set(gr["name"]) == set(baseline.group_names)
    assert req["required"].dtype == np.int64
    assert (req["required"] >= 0).all()
    assert list(ch[ch["name"] == "phone"]["start"]) == baseline.interval_labels()
    assert gr["workload"].isna().all() and ch["workload"].notna().all()


def test_voice_erlang_a_with_patience_and_c_without():
    vol = [50, 100, 150, 0]
    with_p = make({"phone": {**VOICE, "volume": vol, "patience": 120}},
                  [{"group": "g", "skills": ["phone"], "staff": 1}])
    no_p = make({"phone": {**VOICE, "volume": vol}},
                [{"group": "g", "skills": ["phone"], "staff": 1}])
    a = staffing.channel_requirements(with_p)["phone"]
    c = staffing.channel_requirements(no_p)["phone"]
    np.testing.assert_array_equal(a, erlang.required_agents(vol, 300, 20, 0.8, interval=1800,
                                                            patience=120))
    np.testing.assert_array_equal(c, erlang.required_agents(vol, 300, 20, 0.8, interval=1800))
    assert (a <= c).all() and a[-1] == 0
    # the requirement meets the target and one fewer does not (Erlang C)
    sl = erlang.service_level(vol[:3], 300, c[:3], 20, interval=1800)
    sl_less = erlang.service_level(vol[:3], 300, c[:3] - 1, 20, interval=1800)
    assert (sl >= 0.8).all() and (sl_less < 0.8).all()


def test_deflection_reduces_the_offered_volume():
    sc = make({"phone": {**VOICE, "volume": [100, 100], "deflection": 0.25}},
              [{"group": "g", "skills": ["phone"], "staff": 1}])
    req = staffing.requirements(sc)
    row = req[(req["level"] == "channel")].iloc[0]
    assert row["volume"] == pytest.approx(75)
    assert row["workload"] == pytest.approx(75 * 300 / 1800)
    assert row["required"] == erlang.required_agents(75, 300, 20, 0.8)


def test_chat_uses_concurrency():
    chat = {"kind": "chat", "volume": [60, 120], "aht": 600, "concurrency": 3, "patience": 300,
            "target": {"answer_within": 60, "service_level": 0.9}}
    sc = make({"chat": chat}, [{"group": "g", "skills": ["chat"], "staff": 1}])
    req = staffing.requirements(sc)
    ch = req[req["level"] == "channel"]
    expected = erlang.chat_required_agents([60, 120], 600, 60, 0.9, 3, interval=1800, patience=300)
    np.testing.assert_array_equal(ch["required"], expected)
    np.testing.assert_allclose(ch["workload"], np.array([60, 120]) * 600 / 1800 / 3)


def deferred(volume, tat, aht=300):
    return {"kind": "deferred", "volume": volume, "aht": aht,
            "target": {"answer_within": tat, "service_level": 0.9}}


def test_deferred_short_turnaround_meets_the_fluid_deadlines():
    vol = [10, 40, 80, 60, 20, 5, 30, 50]
    req = staffing.deferred_requirement(vol, 300, answer_within=3600)
    latest = erlang.deferred_required_agents(vol, 300, 3600)
    assert (req >= latest).all()
    # level: trailing mean workload over the 2-interval window, rounded up
    work = np.array(vol) * 300 / 1800
    level = np.ceil([work[0], *((work[1:] + work[:-1]) / 2)] - np.full(len(vol), 1e-9))
    np.testing.assert_array_equal(req, np.maximum(latest, level))
    # the fluid backlog at each interval's end is at most the work of the last window
    backlog = erlang.deferred_backlog(vol, 300, req)
    for i in range(len(vol)):
        assert backlog[i] <= sum(vol[max(0, i - 1):i + 1]) + 1e-9


def test_deferred_turnaround_longer_than_horizon_is_worked_level():
    vol = [45, 40, 36, 34, 32, 30, 28, 26]
    req = staffing.deferred_requirement(vol, 420, answer_within=86400)
    work = np.array(vol) * 420 / 1800
    # the latest policy alone asks for nobody; the level rule works the day's mean
    assert erlang.deferred_required_agents(vol, 420, 86400).sum() == 0
    assert (req == np.ceil(work.mean())).all()
    # and clears the day's work by the horizon's end (front-loaded arrivals)
    assert erlang.deferred_backlog(vol, 420, req)[-1] == pytest.approx(0, abs=1e-9)


def test_single_group_channels_are_that_groups():
    sc = make({"phone": {**VOICE, "volume": [100, 150]},
               "email": deferred([20, 20], 86400)},
              [{"group": "v", "skills": ["phone"], "staff": 5},
               {"group": "d", "skills": ["email"], "staff": 2}])
    chan = staffing.channel_requirements(sc)
    grp = staffing.group_requirements(sc)
    np.testing.assert_array_equal(grp["v"], chan["phone"])
    np.testing.assert_array_equal(grp["d"], chan["email"])


def test_shared_channel_is_split_by_staff_and_sums_exactly():
    sc = make({"phone": {**VOICE, "volume": [100, 150, 200, 0]},
               "chat": {"kind": "chat", "volume": [30, 30, 30, 30], "aht": 600, "concurrency": 2,
                        "target": {"answer_within": 60, "service_level": 0.9}}},
              [{"group": "voice", "skills": ["phone"], "staff": [30, 30, 0, 10]},
               {"group": "blended", "skills": ["phone", "chat"], "staff": [10, 10, 0, 10]}])
    chan = staffing.channel_requirements(sc)
    w = staffing.split_weights(sc)
    assert w["phone"]["voice"][0] == pytest.approx(0.75)
    # interval 2: nobody staffed -> the day's staff shares (70 : 30)
    assert w["phone"]["voice"][2] == pytest.approx(70 / 100)
    assert w["chat"]["blended"].tolist() == [1.0] * 4
    grp = staffing.group_requirements(sc)
    np.testing.assert_array_equal(grp["voice"] + grp["blended"], chan["phone"] + chan["chat"])
    # the voice share is the phone requirement apportioned 3:1
    assert abs(grp["voice"][0] - 0.75 * chan["phone"][0]) <= 1
    # the group rows of requirements() are the same
    req = staffing.requirements(sc)
    g = req[req["level"] == "group"].pivot(index="interval", columns="name", values="required")
    np.testing.assert_array_equal(g["voice"].to_numpy(), grp["voice"])


def test_even_split_when_nobody_is_staffed():
    sc = make({"phone": {**VOICE, "volume": [100]}},
              [{"group": "a", "skills": ["phone"], "staff": 0},
               {"group": "b", "skills": ["phone"], "staff": 0}])
    grp = staffing.group_requirements(sc)
    n = int(staffing.channel_requirements(sc)["phone"][0])
    assert grp["a"][0] + grp["b"][0] == n
    assert abs(int(grp["a"][0]) - int(grp["b"][0])) <= 1


def test_extra_channel_requirement_flows_to_groups():
    sc = make({"phone": {**VOICE, "volume": [100, 100]}},
              [{"group": "a", "skills": ["phone"], "staff": 1}])
    chan = staffing.channel_requirements(sc)
    grp = staffing.group_requirements(sc, {"phone": chan["phone"] + np.array([0, 3])})
    np.testing.assert_array_equal(grp["a"], chan["phone"] + np.array([0, 3]))


def test_baseline_groups_cover_their_channels(baseline):
    req = staffing.requirements(baseline)
    ch = req[req["level"] == "channel"].groupby("interval")["required"].sum()
    gr = req[req["level"] == "group"].groupby("interval")["required"].sum()
    pd.testing.assert_series_equal(ch, gr)
    # email (24 h turnaround on a 12 h day) is worked through the day
    email = req[(req["level"] == "channel") & (req["name"] == "email")]["required"]
    assert (email > 0).all()


def test_rejects_a_non_scenario():
    with pytest.raises(TypeError):
        staffing.requirements({"channels": {}})


def test_shrinkage_turns_net_agents_into_paid_agents(baseline):
    data = baseline.to_dict()
    data["agents"][0]["shrinkage"] = {"planned": 0.15, "unplanned": 0.08}
    sc = wfm.Scenario.from_dict(data)
    req = staffing.requirements(sc)
    voice = req[(req["level"] == "group") & (req["name"] == "voice")]
    expected = np.ceil(voice["required"].to_numpy() / 0.77 - 1e-9)
    np.testing.assert_array_equal(voice["required_paid"].to_numpy(), expected)
    other = req[(req["level"] == "group") & (req["name"] == "digital")]
    np.testing.assert_array_equal(other["required_paid"], other["required"])


def test_closed_intervals_need_nobody_and_take_no_arrivals(baseline):
    data = baseline.to_dict()
    data.update(start_date="2026-11-30", opening_hours={"mon": ["09:00", "18:00"]})
    sc = wfm.Scenario.from_dict(data)  # a Monday, 08:00-20:00: closed 08:00-09:00, 18:00-20:00
    is_open = sc.open_mask()
    assert is_open.tolist() == [False] * 2 + [True] * 18 + [False] * 4
    req = staffing.requirements(sc)
    closed = req[req["interval"].isin(np.flatnonzero(~is_open))]
    assert (closed["required"] == 0).all()
    res = wfm.simulate(sc, seed=1)
    offered = res.intervals.groupby("interval")["offered"].sum()
    assert (offered[~is_open] == 0).all() and (offered[is_open] > 0).all()
    assert res.intervals["start"].iloc[0] == "Mon 30 Nov 08:00"
    # closed_dates: the whole day
    data.update(closed_dates=["2026-11-30"])
    assert not wfm.Scenario.from_dict(data).open_mask().any()
    with pytest.raises(wfm.ScenarioError, match="start_date"):
        wfm.Scenario.from_dict({**baseline.to_dict(), "opening_hours": {"mon": ["09:00", "18:00"]}})

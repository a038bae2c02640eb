"""Multi-day scenarios: dates, weekday labels, opening hours, results per day and week."""

from __future__ import annotations

import numpy as np
import pytest

import wfm


def week(days: int = 8) -> wfm.Scenario:
    h = days * 48  # half-hours from midnight
    clock = np.arange(h) % 48
    shape = np.where((clock >= 16) & (clock < 40), 1.0, 0.0)  # 08:00-20:00
    return wfm.Scenario.from_dict({
        "interval_minutes": 30,
        "start_date": "2026-11-30",  # a Monday
        "opening_hours": {d: ["08:00", "20:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": ["09:00", "13:00"]},
        "closed_dates": ["2026-12-01"],
        "channels": {
            "phone": {"kind": "voice", "volume": (40 * shape + 5).tolist(), "aht": 240,
                      "patience": 120, "target": {"answer_within": 20, "service_level": 0.8}},
            "email": {"kind": "deferred", "volume": (10 * shape + 2).tolist(), "aht": 300,
                      "target": {"answer_within": 86400, "service_level": 0.9}},
        },
        "agents": [{"group": "team", "skills": ["phone", "email"], "staff": (9 * shape).astype(int).tolist()}],
    })


def test_labels_dates_and_opening_hours():
    sc = week()
    labels = sc.interval_labels()
    assert labels[0] == "Mon 30 Nov 00:00" and labels[48 + 17] == "Tue 01 Dec 08:30"
    is_open = sc.open_mask()
    day = sc.day_index()
    assert not is_open[day == 1].any()  # closed_dates: Tuesday 1 December
    assert not is_open[day == 6].any()  # Sunday: not listed, closed
    sat = np.flatnonzero(day == 5)
    assert is_open[sat].sum() == 8  # 09:00-13:00
    assert not is_open[day == 0][:16].any() and is_open[day == 0][16:40].all()


def test_results_per_day_and_week_add_up():
    sc = week()
    res = wfm.simulate(sc, seed=3)
    daily, weekly = res.daily, res.weekly
    assert set(daily.columns) >= {"day", "channel", "offered", "service_level", "backlog", "date",
                                  "weekday"}
    assert daily.loc[daily["day"] == 1, "offered"].sum() == 0  # the closed Tuesday
    for ch in ("phone", "email"):
        total = res.summary.set_index("channel").loc[ch, "offered"]
        assert daily.loc[daily["channel"] == ch, "offered"].sum() == pytest.approx(total)
        assert weekly.loc[weekly["channel"] == ch, "offered"].sum() == pytest.approx(total)
    # the backlog at a day's close is the backlog of its last interval
    iv = res.intervals
    last = iv[(iv["channel"] == "email") & (iv["interval"] == 47)]["backlog"].iloc[0]
    assert daily[(daily["channel"] == "email") & (daily["day"] == 0)]["backlog"].iloc[0] == last
    assert list(daily[daily["channel"] == "phone"]["weekday"][:2]) == ["Mon", "Tue"]
    assert sorted(weekly["week"].unique()) == [0, 1]

"""The week view of a multi-day run (wfm.report.week) and its place in the HTML run
report: per-day and per-week tables against SimulationResult.daily/.weekly, the figures'
traces and values, and nothing of it for a single day."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from scenario_texts import DAYS, nine_days

import wfm
from wfm import report
from wfm.report import week

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result():
    return wfm.simulate(nine_days(), seed=3, replications=2)


def test_day_and_week_names_follow_the_calendar(result):
    names = week.day_names(result)
    assert len(names) == DAYS and names[0] == "Mon 30 Nov" and names[6] == "Sun 06 Dec"
    assert week.has_days(result)
    assert week.day_names(nine_days(None)) == [f"day {k + 1}" for k in range(DAYS)]
    assert not week.has_days(wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml"))


def test_daily_display_matches_result_daily(result):
    d = week.daily_display(result)
    daily = result.daily
    assert len(d) == len(daily) == DAYS * 2
    assert d.columns.tolist()[:3] == ["day", "channel", "offered"]
    phone = d[d["channel"] == "phone"].reset_index(drop=True)
    ref = daily[daily["channel"] == "phone"].reset_index(drop=True)
    for k in range(DAYS):
        sl = ref.at[k, "service_level"]
        assert phone.at[k, "service level"] == ("-" if math.isnan(sl) else f"{100 * sl:.1f}%")
        assert phone.at[k, "offered"] == report.format.number(round(ref.at[k, "offered"], 1))
    # Sunday is closed: nothing offered, no service level, no verdict
    sunday = phone[phone["day"] == "Sun 06 Dec"].iloc[0]
    assert sunday["offered"] == "0" and sunday["service level"] == "-" and sunday["met"] == "-"
    monday = phone.iloc[0]
    assert monday["met"] == ("yes" if ref.at[0, "service_level"] >= 0.8 else "no")
    assert monday["target"] == "80%"


def test_weekly_display_sums_the_days(result):
    w = week.weekly_display(result)
    assert w["week"].unique().tolist() == ["week of Mon 30 Nov", "week of Mon 07 Dec"]
    daily = result.daily
    first = daily[(daily["day"] < 7) & (daily["channel"] == "phone")]["offered"].sum()
    row = w[(w["channel"] == "phone")].iloc[0]
    assert row["offered"] == report.format.number(round(first, 1))


def test_week_figures_carry_the_daily_values(result):
    figs = dict(week.week_figures(result))
    assert list(figs) == ["Service level per day", "Volume per day", "Service level per week"]
    sl = figs["Service level per day"]
    phone = next(t for t in sl.data if t.name == "phone")
    assert list(phone.x) == week.day_names(result)
    ref = result.daily[result.daily["channel"] == "phone"]["service_level"].to_numpy()
    np.testing.assert_allclose(np.asarray(phone.y, float), ref, equal_nan=True)
    assert {"phone target", "email target"} <= {t.name for t in sl.data}
    vol = figs["Volume per day"]
    bars = next(t for t in vol.data if t.name == "phone")
    np.testing.assert_allclose(
        bars.y, result.daily[result.daily["channel"] == "phone"]["offered"].to_numpy())
    weekly = figs["Service level per week"]
    assert list(next(t for t in weekly.data if t.name == "phone").x) == [
        "week of Mon 30 Nov", "week of Mon 07 Dec"]


def test_one_day_has_no_week_view():
    res = wfm.simulate(wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml"), seed=1)
    assert week.week_figures(res) == []
    assert "single day" in week.daily_figure(res).layout.annotations[0].text


def test_the_run_report_has_the_week_view(result, tmp_path):
    report.write_run_report(result, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for title in ("Per day", "Per week", "Service level per day", "Volume per day",
                  "Service level per week"):
        assert title in page, title
    assert "Sun 06 Dec" in page and "week of Mon 07 Dec" in page
    one = wfm.simulate(wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml"), seed=1)
    report.write_run_report(one, tmp_path / "one")
    assert "Service level per day" not in (tmp_path / "one" / "report.html").read_text(
        encoding="utf-8")
    assert dt.date(2026, 11, 30).weekday() == 0  # the fixture starts on a Monday

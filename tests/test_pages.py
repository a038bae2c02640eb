"""The app's Forecast, Capacity and weekly Roster pages themselves (``app_pages/``),
driven by Streamlit's AppTest with real wfm and real HiGHS (no mocks).

(``tests/test_app_pages.py`` checks the app's side: the tabs call ``render`` with fake
pages; this file checks what the real pages draw and hand back.)

Each page runs alone in a tiny script (:func:`page`) that imports it and calls
``render(base, load)`` with a bundled or small scenario and a ``load`` that records the
scenarios handed to it (as YAML, in ``st.session_state["loads"]``). The tests check real
values: the forecast table's channels and intervals, the capacity plan's class starting
exactly the lead time before a requirement step, the roster's paid hours against the
library's, and every scenario handed to ``load`` validating. Bad input shows an error
naming the field, the value and the problem, never a traceback.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

streamlit_testing = pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

import wfm  # noqa: E402
from wfm.errors import InputError  # noqa: E402
from wfm.history import HistoryError  # noqa: E402
from wfm.report.pages import (  # noqa: E402
    contracts_from_rows,
    example_history,
    read_history_bytes,
    rename_channels,
    special_days_from_rows,
    weekly_requirement,
)
from wfm.scheduling import roster_rules, weekly_roster, with_shifts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
TIMEOUT = 90


def page(root: str, module: str, yaml_text: str, failing_load: bool = False) -> None:
    """The script AppTest runs: one page, rendered with a recording ``load`` (or, with
    ``failing_load``, one that raises, as a bug in the app would)."""
    import importlib
    import sys

    if root not in sys.path:
        sys.path.insert(0, root)
    import streamlit as st

    import wfm

    mod = importlib.import_module(f"app_pages.{module}")
    base = wfm.Scenario.from_yaml(yaml_text)
    st.session_state.setdefault("loads", [])

    def load(scenario: wfm.Scenario, label: str) -> None:
        if failing_load:
            raise RuntimeError("load failed")
        st.session_state["loads"].append((scenario.to_yaml(), label))

    mod.render(base, load)


def run_page(module: str, scenario: wfm.Scenario, failing_load: bool = False) -> AppTest:
    at = AppTest.from_function(page, args=(str(ROOT), module, scenario.to_yaml(), failing_load),
                               default_timeout=TIMEOUT)
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def small_week() -> wfm.Scenario:
    """A week of 60-minute intervals from Monday 00:00: phone open 08:00-18:00 Monday to
    Friday, one group with 8-hour shifts starting 07:00-10:00 (an unpaid hour's break)."""
    profile = [0] * 8 + [30, 45, 60, 60, 55, 50, 50, 45, 35, 25] + [0] * 6
    volume = [v * (1.0 if d < 5 else 0.0) for d in range(7) for v in profile]
    return wfm.Scenario.from_dict({
        "name": "small week", "interval_minutes": 60, "start": "00:00", "start_date": "2026-03-30",
        "currency": "EUR",
        "channels": {"phone": {"kind": "voice", "volume": volume, "aht": 300, "patience": 180,
                               "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": "voice", "skills": ["phone"], "staff": 0}],
        "shifts": {"voice": {"earliest_start": "07:00", "latest_start": "10:00", "every_minutes": 60,
                             "lengths_hours": [8], "cost_per_hour": 20,
                             "break": {"minutes": 60, "paid": False, "earliest": 180, "latest": 300}}},
    })


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


# ---------------------------------------------------------------------- forecast
def test_forecast_page_example_to_scenario() -> None:
    at = run_page("forecast", BASELINE)
    assert not errors(at)
    days = frame_with(at, "contacts")
    # five open days (Mon-Fri after a Mon-Sat history ending on a Saturday: the Sunday is closed), every channel
    assert sorted(days["channel"].unique()) == sorted(BASELINE.channel_names)
    assert days["date"].nunique() == 5 and len(days) == 5 * len(BASELINE.channels)
    assert (days["lower"] >= 0).all() and (days["lower"] <= days["contacts"]).all()
    assert (days["contacts"] <= days["upper"]).all() and (days["upper"] > days["lower"]).all()
    assert list(days["weekday"].unique()) == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    # the figure of wfm.report.forecast, one panel per channel with its band
    fig = at.get("plotly_chart")[0]
    assert "Forecast per interval" in fig.proto.spec

    # the backtest: the model against both benchmarks, WAPE and coverage
    at.button(key="forecast:bt_run").click().run()
    assert_clean(at)
    assert not errors(at)
    bt = frame_with(at, "WAPE per interval (%)")
    assert bt["method"].tolist() == ["wfm forecast", "seasonal naive (same weekday last week)",
                                     "mean of the last 4 same weekdays"]
    assert (bt["WAPE per interval (%)"] > 0).all() and (bt["WAPE per interval (%)"] < 50).all()
    assert 0 < bt["coverage per interval (%)"].iloc[0] <= 100

    # the scenario: validates, the baseline's channels and groups over the forecast's days
    at.button(key="forecast:build").click().run()
    assert_clean(at)
    loads = at.session_state["loads"]
    assert len(loads) == 1
    yaml_text, label = loads[0]
    sc = wfm.Scenario.from_yaml(yaml_text)
    assert sc.channel_names == BASELINE.channel_names and sc.group_names == BASELINE.group_names
    assert sc.start_date == "2026-03-30" and sc.start == "08:00" and sc.interval_minutes == 30
    assert sc.horizon == 4 * 48 + 24  # Monday 08:00 to Friday 20:00
    total = days.groupby("channel")["contacts"].sum()
    for ch in BASELINE.channel_names:
        assert sum(sc.channels[ch].volume) == pytest.approx(total[ch], rel=1e-3)
    assert sc.uncertainty.busyness_cv > 0  # the forecast's own error carried into the simulation
    assert label.startswith("forecast: example history")
    assert any("Made the scenario being edited" in str(s.value) for s in at.success)


def _upload_csv(at: AppTest, name: str, text: str) -> None:
    at.selectbox(key="forecast:source").set_value("Upload a file").run()
    at.file_uploader(key="forecast:upload").upload(name, text.encode("utf-8"), "text/csv").run()
    assert_clean(at)


def test_forecast_page_upload_errors_named_by_line_and_column() -> None:
    at = run_page("forecast", BASELINE)
    raw = example_history(BASELINE, weeks=4)
    raw.loc[2, "offered"] = -4
    raw.loc[5, "interval_start"] = "yesterday"
    _upload_csv(at, "calls.csv", raw.to_csv(index=False))
    shown = " ".join(errors(at))
    assert "calls.csv" in shown
    assert "line 4, column 'offered': must be a count >= 0 (got -4)" in shown
    assert "line 7, column 'interval_start': not a date and time (got 'yesterday'" in shown
    assert not at.session_state["loads"]


def test_forecast_page_wide_upload_with_mapped_columns() -> None:
    raw = example_history(BASELINE, weeks=5)
    wide = raw.pivot(index="interval_start", columns="channel", values="offered").reset_index()
    wide = wide.rename(columns={"interval_start": "Start Time", "phone": "Calls", "messaging": "Chats",
                                "social": "Posts", "email": "Mails"})
    at = run_page("forecast", BASELINE)
    _upload_csv(at, "wide.csv", wide.to_csv(index=False))
    assert not errors(at)
    # layout and time column guessed (no channel column: wide), then each scenario channel mapped
    for ch, col in zip(BASELINE.channel_names, ["Calls", "Chats", "Posts", "Mails"], strict=True):
        at.selectbox(key=f"forecast:chan:{ch}").set_value(col)
    at.run()
    assert_clean(at)
    assert not errors(at)
    days = frame_with(at, "contacts")
    assert sorted(days["channel"].unique()) == sorted(BASELINE.channel_names)
    phone = days[days["channel"] == "phone"]["contacts"].mean()
    email = days[days["channel"] == "email"]["contacts"].mean()
    assert phone > email  # phone's volume really went to phone
    at.button(key="forecast:build").click().run()
    sc = wfm.Scenario.from_yaml(at.session_state["loads"][0][0])
    assert sc.channel_names == BASELINE.channel_names


def test_forecast_page_parquet_long_form_and_calibration() -> None:
    raw = example_history(BASELINE, weeks=5).rename(columns={"interval_start": "Start", "channel": "Queue",
                                                             "offered": "Calls", "aht": "AHT (s)"})
    raw["Start"] = pd.to_datetime(raw["Start"])
    buf = io.BytesIO()
    raw.to_parquet(buf, index=False)
    at = run_page("forecast", BASELINE)
    at.selectbox(key="forecast:source").set_value("Upload a file").run()
    at.file_uploader(key="forecast:upload").upload("calls.parquet", buf.getvalue()).run()
    assert_clean(at)
    assert not errors(at)
    tag = next(str(w.key).split(":")[2] for w in at.selectbox
               if str(w.key).startswith("forecast:map:") and str(w.key).endswith(":time"))
    # time, channel and offered columns guessed from their names; the AHT column mapped by hand
    assert at.selectbox(key=f"forecast:map:{tag}:time").value == "Start"
    assert at.selectbox(key=f"forecast:map:{tag}:channel").value == "Queue"
    assert at.selectbox(key=f"forecast:map:{tag}:offered").value == "Calls"
    at.selectbox(key=f"forecast:map:{tag}:aht").set_value("AHT (s)").run()
    assert not errors(at)
    assert "fields offered, handled, aht" in " ".join(str(c.value) for c in at.caption)
    assert len(frame_with(at, "aht_se")) > 0  # handle time per interval of the week

    # contact records: patience with censoring (sum of waits / abandoned), applied to the template
    rng = np.random.default_rng(3)
    n = 4000
    patience, wait = rng.exponential(200, n), rng.exponential(60, n)
    abandoned = patience < wait
    records = pd.DataFrame({"channel": "phone", "wait": np.where(abandoned, patience, wait).round(2),
                            "outcome": np.where(abandoned, "abandoned", "answered"),
                            "handle_time": np.where(abandoned, np.nan, rng.gamma(4, 75, n)).round(1)})
    at.file_uploader(key="forecast:contacts").upload("contacts.csv", records.to_csv(index=False).encode()).run()
    assert_clean(at)
    assert not errors(at)
    cal = frame_with(at, "95% from").set_index("parameter")
    expected = records["wait"].sum() / abandoned.sum()
    assert cal.loc["patience", "value"] == pytest.approx(expected, rel=1e-3)
    assert cal.loc["patience", "95% from"] < 200 < cal.loc["patience", "95% to"]
    at.button(key="forecast:build").click().run()
    assert_clean(at)
    sc = wfm.Scenario.from_yaml(at.session_state["loads"][0][0])
    assert sc.channels["phone"].patience == pytest.approx(expected, abs=1e-3)
    assert sc.channels["messaging"].patience == BASELINE.channels["messaging"].patience  # no records for it


def test_forecast_page_bad_option_is_an_error_not_a_traceback() -> None:
    at = run_page("forecast", BASELINE)
    at.text_input(key="forecast:country").set_value("XX").run()
    assert_clean(at)
    assert "country: no public holidays known for 'XX'" in " ".join(errors(at))
    at.text_input(key="forecast:country").set_value("US")
    at.text_input(key="forecast:subdiv").set_value("ZZ").run()
    assert_clean(at)
    assert "subdiv: 'ZZ' is not a subdivision of US" in " ".join(errors(at))
    at.text_input(key="forecast:subdiv").set_value("CA").run()
    assert not errors(at)
    closed = frame_with(at, "reason")
    assert "Cesar Chavez Day" in closed["reason"].tolist()  # a California holiday, not forecast
    days = frame_with(at, "contacts")
    assert "2026-03-31" not in days["date"].tolist()


# ---------------------------------------------------------------------- capacity
def test_capacity_page_hires_the_lead_time_before_a_step() -> None:
    at = run_page("capacity", BASELINE)
    assert not errors(at)
    at.radio(key="capacity:source").set_value("Type the FTE per period")
    at.run()
    at.text_area(key="capacity:values").set_value(" ".join(["50"] * 10 + ["60"] * 10))
    at.number_input(key="capacity:headcount").set_value(50.0)
    at.number_input(key="capacity:attrition").set_value(0.0)
    at.number_input(key="capacity:recruiting").set_value(3.0)
    at.number_input(key="capacity:training").set_value(2.0)
    at.text_input(key="capacity:ramp").set_value("")
    at.run()
    at.button(key="capacity:run").click().run()
    assert_clean(at)
    assert not errors(at)
    plan = at.session_state["capacity:plan"]
    # the step is in week 10 (0-based); 3 + 2 weeks of lead time: recruiting starts in week 5
    assert plan.classes["hires"].tolist() == [10]
    assert int(plan.classes["start_period"].iloc[0]) == 10 - 2
    assert plan.periods["recruiting"].to_numpy().nonzero()[0].tolist() == [10 - 5]
    assert plan.shortfall == 0.0
    classes = frame_with(at, "recruiting from")
    assert classes["agents"].tolist() == [10] and classes["lead time (weeks)"].tolist() == [5.0]
    periods = frame_with(at, "required FTE")
    assert len(periods) == 20 and periods["hires"].sum() == 10
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agents hired"] == "10" and metrics["Lead time"] == "5 weeks"
    assert any("no shortfall" in str(s.value) for s in at.success)
    assert not at.session_state["loads"]  # a capacity plan does not change the scenario


def test_capacity_page_from_scenario_and_bad_input() -> None:
    at = run_page("capacity", BASELINE)
    weekly = weekly_requirement(BASELINE, open_days_per_week=5.0)
    caption = " ".join(str(c.value) for c in at.caption)
    assert f"{weekly['fte'].iloc[-1]:,.1f} FTE" in caption
    at.button(key="capacity:run").click().run()
    assert_clean(at)
    plan = at.session_state["capacity:plan"]
    assert plan.periods["required"].iloc[0] == pytest.approx(weekly["fte"].iloc[-1])
    assert len(plan.periods) == 26
    at.text_input(key="capacity:ramp").set_value("0.5, x").run()
    assert_clean(at)
    assert "hiring.ramp[2]: not a number (got 'x')" in " ".join(errors(at))
    at.text_input(key="capacity:ramp").set_value("0.5")
    at.text_input(key="capacity:seasonality").set_value("1 1 1").run()
    assert "seasonality: give 12 factors" in " ".join(errors(at))


# ---------------------------------------------------------------------- roster
def test_roster_page_one_day_needs_several_days() -> None:
    at = run_page("roster", BASELINE)
    assert any("needs a scenario of several days" in str(i.value) for i in at.info)
    assert not at.button


def test_roster_page_week_roster_and_simulation_handoff() -> None:
    week = small_week()
    at = run_page("roster", week)
    assert not errors(at)
    at.button(key="roster:run").click().run()
    assert_clean(at)
    assert not errors(at)
    roster = at.session_state["roster:result"]
    # the library's own result for the same rules (HiGHS proves it optimal on this week)
    rules = {"contracts": contracts_from_rows([
        {"contract": "full_time", "min_days": 5, "max_days": 5, "lengths_hours": "8"},
        {"contract": "part_time", "min_days": 3, "max_days": 5, "min_hours": 20, "max_hours": 30},
    ]), "rest_hours": 11.0, "start_window_hours": 2.0, "consecutive_days_off": 2, "fte_hours": 40.0}
    direct = weekly_roster(week, roster_rules=rules, time_limit=30, gap=0.01)
    assert str(direct.status) == "optimal" and str(roster.status) == "optimal"
    assert roster.paid_hours == pytest.approx(direct.paid_hours)
    assert roster.cost == pytest.approx(direct.cost)
    assert roster.paid_hours == pytest.approx(float(roster.agents["paid_hours"].sum()))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Paid hours"] == f"{roster.paid_hours:,.1f}"
    assert metrics["Agents"] == f"{len(roster.agents):,}"
    assert metrics["Cost"].endswith(" EUR")
    head = frame_with(at, "paid hours")
    assert head.iloc[-1]["group"] == "total"
    assert head.iloc[-1]["paid hours"] == pytest.approx(roster.paid_hours)
    assert head.iloc[:-1]["agents"].sum() == len(roster.agents)
    assert any(str(s.value) == roster.statement() for s in at.success)  # no shortfall on this week
    assert roster.shortfall == 0
    assert (roster.agents["length_hours"] == 8).all()
    assert len(at.get("plotly_chart")) == 2  # the week view and the coverage

    at.button(key="roster:simulate").click().run()
    assert_clean(at)
    yaml_text, label = at.session_state["loads"][-1]
    rostered = wfm.Scenario.from_yaml(yaml_text)
    assert label.startswith("roster of small week")
    assert rostered.group("voice").roster  # agents with their shifts, not a staff curve
    assert rostered == with_shifts(week, roster)
    on_duty = rostered.staff()["voice"]
    on_floor = roster.staff()["voice"]
    assert (on_duty >= on_floor).all()  # on duty at the interval start; breaks taken off the floor


def test_an_unexpected_error_is_shown_not_raised() -> None:
    at = run_page("roster", small_week(), failing_load=True)
    at.button(key="roster:run").click().run()
    at.button(key="roster:simulate").click().run()
    assert_clean(at)
    assert any("Weekly roster: an internal error (a bug to report): RuntimeError: load failed" in e
               for e in errors(at))


# ---------------------------------------------------------------------- helpers
def test_page_helpers_name_field_value_and_problem() -> None:
    with pytest.raises(InputError, match=r"special_days\[2\]\.value: must be 'closed' or a multiplier"):
        special_days_from_rows([{"date": "2026-12-24", "value": "0.6"}, {"date": "2026-12-25", "value": "half"}])
    with pytest.raises(InputError, match=r"special_days\[1\]\.date: not a date"):
        special_days_from_rows([{"date": "2026-13-45", "value": "closed"}])
    with pytest.raises(InputError, match=r"contracts\.pt\.min_days: must be a whole number of days \(got 2.5\)"):
        contracts_from_rows([{"contract": "pt", "min_days": 2.5}])
    with pytest.raises(InputError, match=r"roster\.contracts\.pt\.max_hours: must not be below min_hours"):
        roster_rules({"contracts": contracts_from_rows([{"contract": "pt", "min_hours": 30, "max_hours": 20}])})
    with pytest.raises(HistoryError, match=r"unknown file type"):
        read_history_bytes(b"a,b\n1,2\n", "calls.xlsx")
    raw = example_history(BASELINE, weeks=3)
    hist = read_history_bytes(raw.to_csv(index=False).encode(), "calls.csv")
    assert hist.source == "calls.csv" and len(hist.days) == 18
    two = rename_channels(hist, {"voice": "phone", "mail": "email"})
    assert two.channels == ("voice", "mail")
    assert np.allclose(two.intervals.loc[two.intervals["channel"] == "voice", "offered"].to_numpy(),
                       hist.intervals.loc[hist.intervals["channel"] == "phone", "offered"].to_numpy())

"""The app's week view (issue 12) for a multi-day scenario, driven by streamlit's
AppTest: per-day and per-week tables equal to SimulationResult.daily/.weekly in planner
units, the per-day and per-week figures, and no week view for a single day."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytest.importorskip("streamlit.testing.v1")
from app_helpers import chart_titles as _charts  # noqa: E402
from app_helpers import frame as _frame  # noqa: E402
from app_helpers import started  # noqa: E402
from scenario_texts import DAYS, nine_days  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from wfm.sim.engine import simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WEEK = nine_days()


@pytest.fixture
def at() -> AppTest:
    return started(60)


def _run_week(at: AppTest, replications: int = 2):
    at.file_uploader(key="scenario_upload").set_value(
        ("nine_days.yaml", WEEK.to_yaml().encode(), "text/yaml"))
    at.run()
    assert not at.exception and not [e.value for e in at.error]
    assert at.header[0].value == "Nine days"
    at.number_input(key="replications").set_value(replications)
    at.button(key="run").click().run()
    assert not at.exception and not [e.value for e in at.error]
    return at.session_state["result"]


def test_week_view_tables_equal_daily_and_weekly(at):
    result = _run_week(at)
    assert result.scenario == WEEK
    ref = simulate(WEEK, seed=0, replications=2)
    days = _frame(at, "day", "channel", "service level", "met")
    assert days is not None and len(days) == DAYS * 2
    phone = days[days["channel"] == "phone"].reset_index(drop=True)
    daily = ref.daily[ref.daily["channel"] == "phone"].reset_index(drop=True)
    assert phone["day"].tolist()[:2] == ["Mon 30 Nov", "Tue 01 Dec"]
    for k in range(DAYS):
        sl = daily.at[k, "service_level"]
        assert phone.at[k, "service level"] == ("-" if math.isnan(sl) else f"{100 * sl:.1f}%")
    assert phone.at[6, "day"] == "Sun 06 Dec" and phone.at[6, "offered"] == "0"
    weeks = _frame(at, "week", "channel", "service level")
    assert weeks["week"].unique().tolist() == ["week of Mon 30 Nov", "week of Mon 07 Dec"]
    weekly = ref.weekly[ref.weekly["channel"] == "email"].reset_index(drop=True)
    email = weeks[weeks["channel"] == "email"].reset_index(drop=True)
    assert email.at[1, "offered"] == f"{weekly.at[1, 'offered']:,.0f}"


def test_week_view_figures_are_drawn_for_several_days_only(at):
    _run_week(at, 1)
    charts = _charts(at)
    assert charts["fig:week:service_level_per_day"] == "Service level per day"
    assert charts["fig:week:volume_per_day"] == "Volume per day"
    assert charts["fig:week:service_level_per_week"] == "Service level per week"
    # the baseline is one day: no week view
    at.selectbox(key="scenario_choice").set_value("baseline").run()
    at.number_input(key="replications").set_value(1)
    at.button(key="run").click().run()
    assert not any(k.startswith("fig:week:") for k in _charts(at))
    assert _frame(at, "day", "channel", "service level", "met") is None


def test_compare_shows_each_variant_per_day(at):
    """Compare on the bundled week: the as-loaded week against +4 voice agents all week,
    a table per day and channel with each variant's service level (the runs' daily
    frames) and the difference in points."""
    import app  # noqa: PLC0415 - the app module, for its choice names

    at.selectbox(key="scenario_choice").set_value("retail_week").run()
    assert at.header[0].value == "Retail omnichannel week"
    at.number_input(key="move:agents").set_value(4)
    at.button(key="move_apply").click().run()
    at.session_state["tab"] = "Compare"
    at.run()
    at.number_input(key="replications").set_value(1)
    at.multiselect(key="compare_pick").set_value([app.AS_LOADED, app.EDITED])
    at.button(key="compare_run").click().run()
    assert not at.exception and not [e.value for e in at.error]
    table = _frame(at, "day", "channel", "target", "as loaded", "edited", "edited vs as loaded")
    assert table is not None and len(table) == 6 * 4  # Monday to Saturday x 4 channels
    results = at.session_state["comparison"]["results"]
    daily = {n: r.daily.set_index(["day", "channel"])["service_level"] for n, r in results.items()}
    mon = table[(table["day"] == "Mon 23 Nov") & (table["channel"] == "phone")].iloc[0]
    a, e = daily["as loaded"][(0, "phone")], daily["edited"][(0, "phone")]
    assert mon["as loaded"] == f"{100 * a:.1f}%" and mon["edited"] == f"{100 * e:.1f}%"
    assert e > a and mon["edited vs as loaded"].startswith("+")

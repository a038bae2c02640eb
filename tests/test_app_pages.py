"""The Plan tab's money (issue 15) and the page tabs (Forecast, Capacity, the weekly
roster), driven by streamlit's AppTest.

The Plan tab shows PlanResult.costs in the scenario's currency (cards and the table per
group and in total, the frame the CLI prints), the lower bound and the gap. The
Forecast and Capacity tabs call ``app_pages.<page>.render(base, load)`` with the scenario
being edited, only when open; ``load`` makes a page's scenario the one being edited (a
choice of the selector). Fake page modules stand in for app_pages here, so these tests
check the app's side of the contract whatever the pages draw.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

pytest.importorskip("streamlit.testing.v1")
import streamlit as st  # noqa: E402
from app_helpers import errors as _errors  # noqa: E402
from app_helpers import frame as _frame  # noqa: E402
from app_helpers import import_app, started  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import wfm  # noqa: E402
from wfm.report.schedule import plan_costs_display  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")


app = import_app("wfm_app_pages")

MONEY = """
name: Small centre in euros
interval_minutes: 30
start: "08:00"
currency: EUR
channels:
  phone:
    kind: voice
    volume: [20, 30, 40, 40, 35, 30, 25, 20]
    aht: 240
    patience: 120
    target: {answer_within: 20, service_level: 0.80}
agents:
  - group: voice
    skills: [phone]
    staff: 6
    shrinkage: {planned: 0.1, unplanned: 0.1}
shifts:
  voice:
    lengths_hours: [2, 4]
    cost_per_hour: 25.0
    break: {minutes: 0}
"""

TWO_DAYS = wfm.Scenario.from_dict({
    "name": "Two days", "interval_minutes": 60, "start": "00:00", "start_date": "2026-11-30",
    "channels": {"phone": {"kind": "voice", "volume": [5] * 48, "aht": 240,
                           "target": {"answer_within": 20, "service_level": 0.8}}},
    "agents": [{"group": "voice", "skills": ["phone"], "staff": 2}],
})


@pytest.fixture
def at() -> AppTest:
    return started(120)


# ---------------------------------------------------------------------- plan money
def test_plan_shows_money_in_the_currency_fte_and_the_lower_bound(at):
    at.file_uploader(key="scenario_upload").set_value(("money.yaml", MONEY.encode(), "text/yaml"))
    at.run()
    assert at.header[0].value == "Small centre in euros"
    at.session_state["tab"] = "Plan"
    at.run()
    at.number_input(key="plan_max_iterations").set_value(3)
    at.button(key="plan_run").click().run()
    assert not at.exception and not _errors(at), _errors(at)
    plan = at.session_state["plan"]
    assert plan.currency == "EUR" and not plan.costs.empty
    metrics = {m.label: m for m in at.metric}
    assert metrics["Cost of the shifts (EUR)"].value == f"{plan.cost:,.2f} EUR"
    total = plan.costs.iloc[-1]
    assert metrics["Paid hours"].value == f"{total['paid_hours']:,.1f} h"
    assert metrics["FTE"].value == f"{total['fte']:,.2f}"
    # shrinkage 20%: paid hours are the shift hours / 0.8
    assert total["paid_hours"] == pytest.approx(total["shift_hours"] / 0.8)
    bound = metrics["Lower bound (EUR)"]
    assert bound.value == f"{plan.lower_bound:,.2f} EUR"
    assert bound.delta == f"{plan.lower_bound_gap:.1f}% above the bound"
    assert 0 <= plan.lower_bound <= plan.cost
    table = _frame(at, "group", "FTE", "cost (EUR)")
    assert table is not None and table["group"].tolist() == ["voice", "total"]
    assert table.equals(plan_costs_display(plan.costs, "EUR"))
    captions = " ".join(c.value for c in at.caption)
    assert f"gap {plan.lower_bound_gap:.1f}%" in captions and "EUR" in captions


def test_plan_money_in_planner_words():
    class Plan:
        cost, lower_bound, lower_bound_gap, currency = 1234.5, float("nan"), float("nan"), None
        paid_hours, fte, paid_cost, fte_hours = 50.0, 8.75, 1500.0, 40.0

    m = app.plan_money(Plan())
    assert m == {"cost": "1,234", "paid": "1,500", "paid_hours": "50.0 h", "fte": "8.75",
                 "fte_hours": "40", "bound": "not computed", "gap": "-"}


# ---------------------------------------------------------------------- page tabs
def _fake_page(name: str, calls: list, made: wfm.Scenario | None = None) -> types.ModuleType:
    module = types.ModuleType(f"app_pages.{name}")

    def render(base, load):
        calls.append((name, base))
        st.markdown(f"fake {name} page for {base.name}")
        if made is not None and st.button(f"make {name}", key=f"fake:{name}"):
            load(made, f"{name} of {base.name}")
            st.session_state[f"fake:{name}:after"] = True  # the page finishes its run

    module.render = render
    return module


@pytest.fixture
def pages(monkeypatch):
    calls: list = []
    made = BASELINE.with_values({"name": "Made by a page"})
    for name in ("forecast", "capacity", "roster"):
        monkeypatch.setitem(sys.modules, f"app_pages.{name}", _fake_page(name, calls, made))
    return calls, made


def test_forecast_and_capacity_tabs_call_render_only_when_open(at, pages):
    calls, made = pages
    assert [t.label for t in at.tabs] == list(app.TABS)
    assert app.TABS[-2:] == ("Forecast", "Capacity")
    at.run()
    assert calls == []  # the Scenario tab is open: no page is computed
    at.number_input(key="edit:channels.phone.aht").set_value(250.0)
    at.session_state["tab"] = "Forecast"
    at.run()
    assert not at.exception
    assert [c[0] for c in calls] == ["forecast"]
    assert calls[0][1] == BASELINE.with_values({"channels.phone.aht": 250.0})  # as edited
    calls.clear()
    at.session_state["tab"] = "Capacity"
    at.run()
    assert [c[0] for c in calls] == ["capacity"]


def test_a_page_loads_its_scenario_as_the_one_being_edited(at, pages):
    calls, made = pages
    at.session_state["tab"] = "Forecast"
    at.run()
    at.button(key="fake:forecast").click().run()
    assert not at.exception and not _errors(at)
    assert at.session_state["fake:forecast:after"] is True
    assert at.header[0].value == "Made by a page"
    assert at.session_state["base"] == made and at.session_state["loaded"] == made
    label = app.MADE_PREFIX + "forecast of " + BASELINE.name
    assert at.selectbox(key="scenario_choice").value == label
    assert label in at.selectbox(key="scenario_choice").options
    assert any("Made by a page" in s.value for s in at.success)
    # it stays a choice: the baseline and back
    at.selectbox(key="scenario_choice").set_value("baseline").run()
    at.selectbox(key="scenario_choice").set_value(label).run()
    assert at.header[0].value == "Made by a page"


def test_the_weekly_roster_section_is_for_several_days_only(at, pages):
    calls, made = pages
    at.session_state["tab"] = "Plan"
    at.run()
    assert "roster" not in [c[0] for c in calls]
    at.file_uploader(key="scenario_upload").set_value(
        ("two_days.yaml", TWO_DAYS.to_yaml().encode(), "text/yaml"))
    at.run()
    assert not at.exception
    assert [c[0] for c in calls] == ["roster"] and calls[0][1] == TWO_DAYS
    assert "Weekly roster" in [h.value for h in at.subheader]

"""The app's social view (issue 13), driven by streamlit's AppTest: for a scenario with
social channels the Results tab shows the funnel, the risk over the replications, the
exposure over the day and the playbooks fired, and compares the run with the same run
without its playbooks; nothing of it for a scenario without social channels."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit.testing.v1")
from app_helpers import chart_specs as _charts  # noqa: E402
from app_helpers import frame as _frame  # noqa: E402
from app_helpers import started  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import wfm  # noqa: E402
from wfm.report import social  # noqa: E402
from wfm.sim.engine import simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOCIAL = wfm.load_scenario(ROOT / "scenarios" / "social_care.yaml")
REPS = 3


@pytest.fixture(scope="module")
def ran() -> AppTest:
    at = started(60)
    at.selectbox(key="scenario_choice").set_value("social_care").run()
    at.number_input(key="replications").set_value(REPS)
    at.button(key="run").click().run()
    assert not at.exception and not [e.value for e in at.error]
    return at


@pytest.fixture(scope="module")
def reference():
    return simulate(SOCIAL, seed=0, replications=REPS)


def _values(x) -> list[float]:
    """A plotly array from the page: a list, or numpy bytes (``bdata``, base64)."""
    if isinstance(x, dict) and "bdata" in x:
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).tolist()
    return list(x)


def test_the_social_view_shows_funnel_risk_exposure_and_playbooks(ran, reference):
    assert ran.session_state["result"].scenario == SOCIAL
    charts = _charts(ran)
    assert {"fig:social:social_funnel", "fig:social:social_risk",
            "fig:social:exposure_over_the_day"} <= set(charts)
    funnel = charts["fig:social:social_funnel"]
    assert [t["name"] for t in funnel["data"]] == ["twitter", "facebook", "reviews"]
    f = reference.funnel.set_index("channel")
    assert _values(funnel["data"][0]["x"])[0] == pytest.approx(f.at["twitter", "mentions"])
    table = _frame(ran, "channel", "mentions", "answered by the community")
    assert table["channel"].tolist() == ["twitter", "facebook", "reviews"]
    assert table.set_index("channel").at["twitter", "exposure"] == \
        f"{f.at['twitter', 'exposure']:,.0f} people"
    risk = _frame(ran, "channel", "chance of missing the target")
    r = reference.risk.set_index("channel")
    assert risk.set_index("channel").at["twitter", "peak backlog (most)"] == \
        f"{r.at['twitter', 'backlog_peak_max']:,.0f}"
    risk_fig = charts["fig:social:social_risk"]
    reps = reference.replications
    ref = reps.loc[reps["channel"] == "twitter", "exposure"].to_numpy(dtype=float)
    assert _values(risk_fig["data"][0]["x"]) == pytest.approx(ref)  # one per replication
    assert len(ref) == REPS
    fired = _frame(ran, "playbook", "fired in")
    assert set(fired["playbook"]) == set(reference.playbooks["playbook"])


def test_compare_with_and_without_playbooks(ran, reference):
    ran.button(key="social_compare").click().run()
    assert not ran.exception and not [e.value for e in ran.error]
    table = _frame(ran, "channel", "service level with", "without", "exposure change")
    assert table is not None
    without = simulate(social.without_playbooks(SOCIAL), seed=0, replications=REPS)
    expected = social.playbook_comparison_display(social.playbook_comparison(reference, without))
    assert table.set_index("channel").loc["twitter"].to_dict() == \
        expected.set_index("channel").loc["twitter"].to_dict()
    a = reference.summary.set_index("channel").at["twitter", "answered"]
    b = without.summary.set_index("channel").at["twitter", "answered"]
    assert a != b  # the playbooks change the day


def test_no_social_view_without_social_channels():
    at = started(60)
    at.number_input(key="replications").set_value(1)
    at.button(key="run").click().run()
    assert not at.exception
    assert not any(k.startswith("fig:social:") for k in _charts(at))
    assert "social_compare" not in {b.key for b in at.button}
    assert _frame(at, "channel", "mentions") is None

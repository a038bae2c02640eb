"""The app's editor for the switch keys (issue 11) and the switch's measures in Results
and Compare, driven by streamlit's AppTest (no browser, real wfm).

Every bundled scenario opens, takes an edit of a switch key and runs; a scenario whose
``aht``, ``handle_cv`` and ``patience`` are per-interval lists opens (it once failed on
``float(ch.aht)``) and is edited in its YAML box; an invalid box shows the scenario's
own error naming the field, the value and the problem; routing rules and the target's
definition have selectors; a group given as a roster shows its agents on duty and is
edited in its box. Results show blocked, balked, retrials with customers and the
first-attempt service level, transfers, moves after max wait and outbound connects,
only for the channels that use them.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

pytest.importorskip("streamlit.testing.v1")
from app_helpers import errors as _errors  # noqa: E402
from app_helpers import frame as _frame  # noqa: E402
from app_helpers import import_app, started  # noqa: E402
from app_helpers import markdown as _markdown  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import wfm  # noqa: E402
from wfm.errors import ScenarioError  # noqa: E402
from wfm.sim.engine import simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


app = import_app("wfm_app_switch")
BASELINE = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")

#: aht, handle_cv and patience per interval; a group given as a roster.
LISTS = """
name: Per-interval centre
interval_minutes: 60
start: "08:00"
channels:
  phone:
    kind: voice
    volume: [40, 60, 60, 40]
    aht: [240, 300, 300, 240]
    handle_cv: [1.0, 0.8, 0.8, 1.0]
    patience: [120, 150, 150, 120]
    target: {answer_within: 20, service_level: 0.8}
  email:
    kind: deferred
    volume: [10, 10, 10, 10]
    aht: 300
    target: {answer_within: 7200, service_level: 0.9}
agents:
  - group: voice
    skills: [phone]
    roster:
      - {start: "08:00", end: "12:00", count: 6}
  - group: back
    skills: [email, phone]
    staff: 2
"""


@pytest.fixture
def at() -> AppTest:
    return started(TIMEOUT)


def _pick(at: AppTest, name: str) -> wfm.Scenario:
    at.selectbox(key="scenario_choice").set_value(name).run()
    assert not at.exception, at.exception
    return wfm.load_scenario(ROOT / "scenarios" / f"{name}.yaml")


def _upload(at: AppTest, text: str, name: str = "lists.yaml") -> None:
    at.file_uploader(key="scenario_upload").set_value((name, text.encode(), "text/yaml"))
    at.run()
    assert not at.exception, at.exception


# ---------------------------------------------------------------------- pure helpers
def test_a_yaml_box_edits_only_its_keys_and_a_left_out_key_is_back_at_its_default():
    sc = wfm.load_scenario(ROOT / "scenarios" / "blended_outbound.yaml")
    boxes = app.yaml_sections(sc)
    assert "wrap_up" in boxes["channels.service"] and "aht" not in boxes["channels.service"]
    text = app.section_text(sc, "channels.service", boxes["channels.service"])
    assert "transfer" in text and "wrap_up: 45" in text
    new = app.apply_edits(sc, {}, sections={"channels.service": "wrap_up: 10"})
    assert new.channels["service"].wrap_up == 10 and new.channels["service"].transfer is None
    with pytest.raises(ScenarioError, match=r"channels\.service\.volume: is not edited"):
        app.apply_edits(sc, {}, sections={"channels.service": "volume: [1]"})
    with pytest.raises(ScenarioError, match=r"channels\.service: write a mapping"):
        app.apply_edits(sc, {}, sections={"channels.service": "- 1"})


# ---------------------------------------------------------------------- every bundled scenario
def test_every_bundled_scenario_opens_takes_a_switch_edit_and_runs(at):
    at.number_input(key="replications").set_value(1)
    for name in app.bundled_scenarios():
        sc = _pick(at, name)
        at.number_input(key="replications").set_value(1)
        boxes = app.yaml_sections(sc)
        assert {t.key for t in at.text_area} == {f"yaml:{p}" for p in boxes}
        first = next(iter(sc.channels))
        box = at.text_area(key=f"yaml:channels.{first}")
        assert box.value == app.section_text(sc, f"channels.{first}", boxes[f"channels.{first}"])
        # an edit in a box: after-contact work on the first channel
        data = yaml.safe_load(box.value or "") or {}
        box.set_value(yaml.safe_dump({**data, "wrap_up": 7}))
        at.run()
        assert not at.exception and not _errors(at), (name, _errors(at))
        edited = at.session_state["edited"]
        assert edited.channels[first].wrap_up == 7, name
        at.button(key="run").click().run()
        assert not at.exception and not _errors(at), name
        result = at.session_state["result"]
        assert result.scenario == edited and result.n_replications == 1
        assert result.summary["offered"].sum() > 0


def test_per_interval_aht_handle_cv_and_patience_open_edit_and_run(at):
    """The known defect: the editor called float(ch.aht) on a per-interval list."""
    _upload(at, LISTS)
    assert at.header[0].value == "Per-interval centre" and not _errors(at)
    keys = {w.key for w in at.number_input}
    assert "edit:channels.phone.aht" not in keys and "edit:channels.phone.patience" not in keys
    assert "edit:channels.email.aht" in keys  # a scalar one keeps its card input
    box = at.text_area(key="yaml:channels.phone")
    assert "aht: [240, 300, 300, 240]" in box.value and "patience: [120, 150, 150, 120]" in box.value
    box.set_value(box.value.replace("aht: [240, 300, 300, 240]", "aht: [200, 250, 250, 200]"))
    at.number_input(key="edit:channels.phone.deflection").set_value(0.1)
    at.run()
    assert not at.exception and not _errors(at), _errors(at)
    edited = at.session_state["edited"]
    assert edited.channels["phone"].aht == (200, 250, 250, 200)
    assert edited.channels["phone"].handle_cv == (1.0, 0.8, 0.8, 1.0)
    assert edited.channels["phone"].deflection == pytest.approx(0.1)
    # the changes against the file are listed (wfm.variants.diff raised on a list aht)
    diff = _frame(at, "what", "change").set_index("what")
    assert diff.at["phone AHT", "after"] == "mean 225 s"
    assert diff.at["phone AHT", "before"] == "mean 270 s"
    assert diff.at["phone AHT", "change"] == "-45 s where changed"
    at.number_input(key="replications").set_value(2)
    at.button(key="run").click().run()
    assert not at.exception and not _errors(at)
    assert at.session_state["result"].scenario == edited


@pytest.mark.parametrize(
    ("box", "text", "message"),
    [
        ("channels.phone", "retrial: {probability: 1.5, delay: 600}",
         "channels.phone.retrial.probability: must be a share between 0 and 1 (got 1.5)"),
        ("channels.phone", "lines: 0", "channels.phone.lines"),
        ("channels.phone", "max_wait: {seconds: 60, to: messaging}", "max_wait"),
        ("channels.phone", "retrial: [", "channels.phone: YAML line"),
        ("routing", "groups: {voice: {delays: {email: 20}}}", "routing.groups.voice.delays"),
        ("", "uncertainty: {busyness_cv: -1}", "uncertainty.busyness_cv"),
    ],
)
def test_an_invalid_box_shows_the_scenario_error_and_blocks_the_run(at, box, text, message):
    at.text_area(key=f"yaml:{box}").set_value(text).run()
    assert not at.exception
    errors = _errors(at)
    assert any(message in e for e in errors), errors
    assert all("Traceback" not in e for e in errors)
    assert at.button(key="run").disabled
    at.text_area(key=f"yaml:{box}").set_value(
        app.section_text(BASELINE, box, app.yaml_sections(BASELINE)[box])).run()
    assert not _errors(at) and not at.button(key="run").disabled


def test_routing_rules_target_definition_and_busyness_are_edited(at):
    at.selectbox(key="edit:routing.arrival").set_value("longest_idle")
    at.selectbox(key="edit:routing.next_contact").set_value("oldest")
    at.selectbox(key="edit:channels.phone.target.definition").set_value("answered")
    at.selectbox(key="edit:channels.email.target.judged_on").set_value("finished")
    at.text_area(key="yaml:").set_value("uncertainty: {busyness_cv: 0.1}")
    at.text_area(key="yaml:routing").set_value("groups: {blended: {delays: {phone: 20}}}")
    at.run()
    assert not at.exception and not _errors(at), _errors(at)
    sc = at.session_state["edited"]
    assert (sc.routing.arrival, sc.routing.next_contact) == ("longest_idle", "oldest")
    assert sc.channels["phone"].target.definition == "answered"
    assert sc.channels["email"].target.judged_on == "finished"
    assert sc.uncertainty.busyness_cv == pytest.approx(0.1)
    assert sc.routing.groups["blended"].delays == {"phone": 20.0}
    # the switch table shows what the scenario runs
    table = _frame(at, "channel", "service level counts")
    assert table.set_index("channel").at["phone", "service level counts"] == "answered"
    # a move folds the edits into the scenario being edited
    at.button(key="move_apply").click().run()
    assert at.session_state["base"].routing.arrival == "longest_idle"
    assert at.selectbox(key="edit:routing.arrival").value == "longest_idle"


def test_a_roster_group_shows_its_agents_and_is_edited_in_its_box(at):
    _upload(at, LISTS)
    staff = at.data_editor(key="table:staff").value
    assert staff["voice"].tolist() == [6, 6, 6, 6]
    assert at.slider(key="scale:agents.voice.staff").disabled  # a roster has no staff
    assert not at.slider(key="scale:agents.back.staff").disabled
    box = at.text_area(key="yaml:agents.voice")
    assert "roster" in box.value and "count: 6" in box.value
    box.set_value("roster:\n- {start: '08:00', end: '10:00', count: 9}\n"
                  "handle_factor: {phone: 1.2}")
    at.run()
    assert not at.exception and not _errors(at), _errors(at)
    sc = at.session_state["edited"]
    assert sc.staff()["voice"].tolist() == [9, 9, 0, 0]
    assert sc.group("voice").handle_factor == {"phone": 1.2}
    # a staff group given a roster in its box: the roster replaces the staff
    at.text_area(key="yaml:agents.back").set_value(
        "roster:\n- {start: '08:00', end: '12:00', count: 3}").run()
    assert not _errors(at), _errors(at)
    sc = at.session_state["edited"]
    assert sc.group("back").staff is None and sc.staff()["back"].tolist() == [3, 3, 3, 3]
    # a move on a rostered group's staff says where to change it
    at.selectbox(key="move:group").set_value("voice").run()
    at.button(key="move_apply").click().run()
    assert not at.exception
    assert any("agents.voice: the group works from a roster" in e for e in _errors(at))


# ---------------------------------------------------------------------- results and compare
def _run(at: AppTest, replications: int = 2):
    at.number_input(key="replications").set_value(replications)
    at.button(key="run").click().run()
    assert not at.exception and not _errors(at), _errors(at)
    return at.session_state["result"]


def test_results_show_the_switch_measures_only_where_used(at):
    _run(at, 1)
    assert _frame(at, "channel", "blocked") is None and "retrials" not in _markdown(at)
    assert _frame(at, "channel", "retrials") is None
    _pick(at, "bilingual_retrials")
    res = _run(at)
    s = res.summary.set_index("channel")
    text = _markdown(at)
    for ch in ("english", "french"):
        assert s.at[ch, "retrials"] > 0
        assert (f"retrials {app.number(round(s.at[ch, 'retrials'], 1))} · customers "
                f"{app.number(round(s.at[ch, 'customers'], 1))} · first attempts "
                f"{app.pct(s.at[ch, 'service_level_first'])} in target") in text
    table = _frame(at, "channel", "retrials", "first-attempt service level").set_index("channel")
    assert table.at["english", "first-attempt service level"] == app.pct(
        s.at["english", "service_level_first"])
    assert "short abandons" in table.columns  # english counts answered and late abandoned
    assert table.at["french", "short abandons"] == "-"
    assert "blocked" not in table.columns and "connects" not in table.columns

    _pick(at, "overflow_backup")
    res = _run(at)
    s = res.summary.set_index("channel")
    table = _frame(at, "channel", "blocked", "moved after max wait").set_index("channel")
    blocked = s.at["claims", "blocked"]
    share = blocked / (s.at["claims", "offered"] + blocked)
    assert table.at["claims", "blocked"] == f"{app.number(round(blocked, 1))} ({app.pct(share)})"
    assert table.at["claims", "moved after max wait"].startswith(
        app.number(round(s.at["claims", "rerouted"], 1)))
    assert s.at["claims", "rerouted"] > 0

    _pick(at, "blended_outbound")
    res = _run(at)
    s = res.summary.set_index("channel")
    text = _markdown(at)
    rate = s.at["campaign", "connected"] / s.at["campaign", "answered"]
    assert 0.25 < rate < 0.45  # connect_rate 0.35
    assert (f"dialled {app.number(round(s.at['campaign', 'answered'], 1))} · connects "
            f"{app.number(round(s.at['campaign', 'connected'], 1))} ({app.pct(rate)})") in text
    assert f"transfers in {app.number(round(s.at['retention', 'transferred_in'], 1))}" in text
    assert s.at["retention", "transferred_in"] == pytest.approx(
        s.at["service", "transferred_out"])


def test_compare_shows_the_switch_per_variant(at):
    _pick(at, "bilingual_retrials")
    at.session_state["tab"] = "Compare"
    at.run()
    at.number_input(key="replications").set_value(2)
    at.multiselect(key="compare_pick").set_value([app.EDITED, app.AS_LOADED])
    at.button(key="compare_run").click().run()
    assert not at.exception and not _errors(at), _errors(at)
    table = _frame(at, "variant", "retrials", "first-attempt service level")
    assert table is not None and table["variant"].tolist() == ["edited"] * 2 + ["as loaded"] * 2
    sc = wfm.load_scenario(ROOT / "scenarios" / "bilingual_retrials.yaml")
    ref = simulate(sc, seed=0, replications=2).summary.set_index("channel")
    row = table[(table["variant"] == "edited") & (table["channel"] == "french")].iloc[0]
    assert row["first-attempt service level"] == app.pct(ref.at["french", "service_level_first"])
    assert not math.isnan(ref.at["french", "service_level_first"])


def test_a_group_without_shortfall_is_covered_in_the_requirement_chart():
    """The requirement chart titled a fully covered group "short by up to -1 agents at -"
    (seen on the bilingual centre)."""
    from wfm import report
    from wfm.staffing import requirements

    sc = wfm.load_scenario(ROOT / "scenarios" / "bilingual_retrials.yaml")
    sc = sc.with_values({"agents.english.staff": 60, "agents.french.staff": 30})
    res = simulate(sc, seed=0)
    titles = [a.text for a in report.requirement_figure(res, requirements(sc)).layout.annotations]
    assert "english: covered" in titles and "french: covered" in titles
    assert not any("at -" in t or "-1 agents" in t for t in titles), titles

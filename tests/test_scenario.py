"""The scenario file: loading, round trip, and a clear error for every invalid file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import wfm
from wfm import Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

CONTRACT_EXAMPLE = """
name: Retail omnichannel weekday
interval_minutes: 30
start: "08:00"
channels:
  phone:
    kind: voice
    volume: [40, 55, 70, 90, 100, 95]
    aht: 300
    handle_cv: 1.0
    patience: 180
    target: {answer_within: 20, service_level: 0.80}
  messaging:
    kind: chat
    concurrency: 3
    volume: [10, 15, 20, 25, 25, 20]
    aht: 600
    patience: 300
    target: {answer_within: 60, service_level: 0.90}
  social:
    kind: deferred
    volume: [5, 8, 12, 30, 60, 20]
    aht: 240
    deflection: 0.10
    target: {answer_within: 3600, service_level: 0.90}
  email:
    kind: deferred
    volume: [20, 20, 25, 25, 20, 15]
    aht: 420
    target: {answer_within: 86400, service_level: 0.95}
agents:
  - group: voice
    skills: [phone]
    staff: [12, 14, 16, 19, 20, 19]
  - group: digital
    skills: [messaging, social, email]
    staff: 9
"""


def contract() -> dict:
    return yaml.safe_load(CONTRACT_EXAMPLE)


def test_contract_example_loads():
    sc = Scenario.from_yaml(CONTRACT_EXAMPLE)
    assert sc.horizon == 6
    assert sc.interval_seconds == 1800
    assert sc.start_seconds == 8 * 3600
    assert sc.channel_names == ["phone", "messaging", "social", "email"]
    assert sc.channels["messaging"].concurrency == 3
    assert sc.channels["social"].deflection == pytest.approx(0.10)
    assert sc.channels["email"].patience is None
    assert list(sc.staff()["digital"]) == [9] * 6
    assert sc.interval_labels() == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
    assert sc.groups_serving("messaging") == ["digital"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenarios_load_and_round_trip(path):
    sc = load_scenario(path)
    assert sc.start == "08:00"
    if sc.start_date is None:  # a day, 08:00-20:00
        assert sc.horizon == 24
    else:  # the week: Monday 08:00 to Saturday 20:00, the nights closed
        assert path.stem == "retail_week" and sc.horizon == 5 * 48 + 24
        assert sum(sc.open_mask()) == 6 * 24
    text = sc.to_yaml()
    again = Scenario.from_yaml(text)
    assert again == sc
    assert again.to_yaml() == text


def test_bundled_scenarios_are_what_they_say():
    base = load_scenario(BASELINE)
    surge = load_scenario(ROOT / "scenarios" / "social_surge.yaml")
    shift = load_scenario(ROOT / "scenarios" / "channel_shift.yaml")
    assert {c.kind for c in base.channels.values()} == {"voice", "chat", "deferred"}
    assert 2 <= len(base.agents) <= 3
    peak = max(
        s / b
        for s, b in zip(
            surge.channels["social"].volume, base.channels["social"].volume, strict=True
        )
    )
    assert peak >= 5
    assert surge.channels["phone"] == base.channels["phone"]
    moved = sum(base.channels["phone"].volume) - sum(shift.channels["phone"].volume)
    assert moved / sum(base.channels["phone"].volume) == pytest.approx(1 / 3, abs=0.01)
    gained = sum(shift.channels["messaging"].volume) - sum(base.channels["messaging"].volume)
    assert gained == pytest.approx(moved, rel=0.02)


def test_to_yaml_writes_atomically(tmp_path):
    sc = load_scenario(BASELINE)
    out = tmp_path / "sub" / "copy.yaml"
    sc.to_yaml(out)
    assert load_scenario(out) == sc
    assert Scenario.from_yaml(out) == sc  # a Path is read as a file
    assert not list(out.parent.glob(".*tmp"))


def test_yaml_times_without_quotes():
    data = contract()
    data["start"] = 600  # YAML 1.1 reads an unquoted 10:00 as 600
    assert Scenario.from_dict(data).start == "10:00"
    assert (
        Scenario.from_yaml(CONTRACT_EXAMPLE.replace('start: "08:00"', "start: 10:00")).start
        == "10:00"
    )


def test_changes_by_path_revalidate():
    sc = load_scenario(BASELINE)
    more = sc.scaled({"channels.phone.volume": 1.1, "agents.voice.staff": 1.1})
    assert more.channels["phone"].volume[0] == pytest.approx(77)
    assert more.group("voice").staff[0] == round(sc.group("voice").staff[0] * 1.1)
    assert isinstance(more.group("voice").staff[0], int)
    changed = sc.with_values({"channels.messaging.concurrency": 2, "agents.digital.staff": 5})
    assert changed.channels["messaging"].concurrency == 2
    assert changed.group("digital").staff == 5
    assert sc.get("channels.phone.aht") == 300
    with pytest.raises(ScenarioError, match="channels.phone.aht"):
        sc.with_values({"channels.phone.aht": -1})
    with pytest.raises(ScenarioError, match="channels.fax"):
        sc.get("channels.fax.aht")
    with pytest.raises(ScenarioError, match="scale factor"):
        sc.scaled({"channels.phone.volume": -1})


def mutate(path: str, value):
    data = contract()
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return data


DELETE = object()

INVALID = [
    # (change, expected field path in the message, expected reason fragment)
    (("channels.phone.volume", [40, -5, 70, 90, 100, 95]), "channels.phone.volume[1]", ">= 0"),
    (
        ("channels.phone.volume", [40, "many", 70, 90, 100, 95]),
        "channels.phone.volume[1]",
        "number",
    ),
    (("channels.phone.volume", "lots"), "channels.phone.volume", "list"),
    (("channels.phone.aht", 0), "channels.phone.aht", "> 0"),
    (("channels.phone.aht", -300), "channels.phone.aht", "> 0"),
    (("channels.phone.aht", "5 min"), "channels.phone.aht", "number"),
    (("channels.phone.kind", "fax"), "channels.phone.kind", "unknown channel kind 'fax'"),
    (("channels.phone.target.service_level", 0), "channels.phone.target.service_level", "(0, 1]"),
    (("channels.phone.target.service_level", 1.2), "channels.phone.target.service_level", "(0, 1]"),
    (
        ("channels.phone.target.answer_within", DELETE),
        "channels.phone.target.answer_within",
        "required",
    ),
    (("agents.0.skills", ["phone", "fax"]), "agents[0].skills[1]", "'fax', which names no channel"),
    (("agents.0.skills", ["messaging"]), "channels.phone", "no agent group"),
    (("agents.0.staff", [12, 14, 16]), "agents[0].staff", "3 intervals but the horizon is 6"),
    (("channels.email.volume", [1, 2, 3]), "channels.email.volume", "3 intervals"),
    (("agents.0.staff", -1), "agents[0].staff", ">= 0"),
    (("agents.0.staff", 2.5), "agents[0].staff", "whole number"),
    (("interval_minutes", 20), "interval_minutes", "15, 30 or 60"),
    (("channels.messaging.concurrency", 0), "channels.messaging.concurrency", ">= 1"),
    (("channels.social.deflection", 1.0), "channels.social.deflection", "[0, 1)"),
    (("channels.phone.patience", 0), "channels.phone.patience", "> 0"),
    (("channels.email.patience", 100), "channels.email", "deferred work never abandons"),
    (("channels.phone.concurrency", 3), "channels.phone", "chat channels only"),
    (("start", "25:00"), "start", "HH:MM"),
    (("channels.phone.volumes", [1] * 6), "channels.phone.volumes", "not a known key"),
    (("agents", []), "agents", "at least 1"),
]


@pytest.mark.parametrize(
    ("change", "path", "reason"), INVALID, ids=[c[1] + ":" + c[2] for c in INVALID]
)
def test_invalid_scenarios_name_the_field(change, path, reason):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(mutate(*change))
    msg = str(info.value)
    assert path in msg, msg
    assert reason in msg, msg
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("channels: [unclosed", "cannot be parsed"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("42", "must be a YAML mapping"),
        ("", "must be a YAML mapping"),
        ("!!python/object/apply:os.system ['echo owned']", "tag not allowed"),
        ("name: !!python/name:os.system x\n", "tag not allowed"),
    ],
)
def test_unparsable_or_unsafe_yaml(text, reason, tmp_path):
    with pytest.raises(ScenarioError, match=reason):
        Scenario.from_yaml(text)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")


def test_many_problems_are_listed_together():
    data = contract()
    data["channels"]["phone"]["aht"] = -1
    data["channels"]["email"]["kind"] = "post"
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    assert len(info.value.errors) == 2
    assert "channels.phone.aht" in str(info.value) and "channels.email.kind" in str(info.value)


def test_shifts_section():
    data = contract()
    data["shifts"] = {
        "voice": {
            "earliest_start": "08:00",
            "latest_start": "10:00",
            "every_minutes": 30,
            "lengths_hours": [4, 8],
            "break": {"minutes": 30, "paid": False, "earliest": 120, "latest": 240},
            "cost_per_hour": 25,
        }
    }
    sc = Scenario.from_dict(data)
    rule = sc.shifts["voice"]
    assert rule.break_.minutes == 30 and rule.cost_per_hour == 25
    assert Scenario.from_yaml(sc.to_yaml()) == sc
    bad = [
        ({"voice": {"lengths_hours": [4.2]}}, "shifts.voice.lengths_hours[0]"),
        ({"voice": {"break": {"minutes": 20}}}, "shifts.voice.break.minutes"),
        ({"voice": {"break": {"earliest": 300, "latest": 100}}}, "shifts.voice.break"),
        ({"nobody": {}}, "shifts.nobody"),
        ({"voice": {"starts": ["8am"]}}, "shifts.voice.starts"),
        ({"voice": {"cost_per_hour": -3}}, "shifts.voice.cost_per_hour"),
        ({"voice": {"starts": ["08:15"]}}, "shifts.voice.starts[0]"),
    ]
    for shifts, path in bad:
        data["shifts"] = shifts
        with pytest.raises(ScenarioError, match=path.replace("[", r"\[").replace("]", r"\]")):
            Scenario.from_dict(data)


def test_scenario_is_immutable():
    sc = load_scenario(BASELINE)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        sc.name = "x"
    assert isinstance(sc.channels["phone"].volume, tuple)


def test_public_api():
    for name in ("load_scenario", "Scenario", "ScenarioError", "erlang", "simulate"):
        assert hasattr(wfm, name)

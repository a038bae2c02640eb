"""wfm.variants on the switch's keys: a diff of per-interval or distribution values, and
staff moves on a group given as a roster."""

from __future__ import annotations

from pathlib import Path

import pytest

import wfm
import wfm.variants

ROOT = Path(__file__).resolve().parents[1]


def test_diff_of_per_interval_aht_and_distributions():
    """A per-interval aht or a distribution is shown, not a crash (float() of a list)."""
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    d = wfm.variants.diff(sc, sc.with_values({"channels.phone.aht": [300] * 23 + [200]}))
    row = d.set_index("what").loc["phone AHT"]
    assert (row["intervals"], row["before"], row["after"], row["change"]) == (
        "19:30-20:00", "mean 300 s", "mean 296 s", "-100 s where changed")
    b = wfm.load_scenario(ROOT / "scenarios" / "bilingual_retrials.yaml")
    d2 = wfm.variants.diff(b, b.with_values({"channels.english.patience": 200}))
    assert "english patience" in set(d2["what"]) or d2["path"].str.startswith("channels.english.patience").any()


def test_a_staff_move_on_a_roster_group_names_the_roster():
    sc = wfm.Scenario.from_yaml(
        "name: r\ninterval_minutes: 30\nstart: '08:00'\n"
        "channels:\n  c:\n    kind: voice\n    volume: [10, 10]\n    aht: 200\n"
        "    target: {answer_within: 20, service_level: 0.8}\n"
        "agents:\n  - group: g\n    skills: [c]\n"
        "    roster: [{start: '08:00', end: '09:00', count: 2}]\n")
    for move in (lambda: wfm.variants.add_agents(sc, "g", 1), lambda: wfm.variants.scale_staff(sc, "g", 1.2)):
        with pytest.raises(wfm.ScenarioError, match="'g' is given as a roster of agents"):
            move()

"""The bundled scenarios: each loads, round-trips, runs through ``wfm run`` and the
engine, and accounts for every contact; the three switch examples use the keys they
are there to show.

Conservation (exact, every interval of two replications): offered = answered +
abandoned + blocked + balked + rerouted + unanswered; offered = customers + retrials +
transfers in + callbacks in over the horizon; sub-counts inside their counts; no group
busier than present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import wfm
from wfm.cli import app
from wfm.scenario.behaviour import Distribution
from wfm.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SWITCH = ["bilingual_retrials", "overflow_backup", "blended_outbound"]
ENDINGS = ["answered", "abandoned", "blocked", "balked", "rerouted", "unanswered"]


def test_the_switch_examples_are_bundled():
    assert set(SWITCH) <= {p.stem for p in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_conserves_contacts(path):
    sc = wfm.load_scenario(path)
    assert wfm.Scenario.from_yaml(sc.to_yaml()) == sc
    res = simulate(sc, seed=3, replications=2)
    iv = res.intervals
    np.testing.assert_allclose(iv["offered"], iv[ENDINGS].sum(axis=1), rtol=0, atol=1e-9)
    for small, big in (("answered_in_target", "answered"), ("short_abandoned", "abandoned"),
                       ("pending", "unanswered"), ("customers", "offered")):
        assert (iv[small] <= iv[big] + 1e-9).all(), (small, big)
    tot = res.summary.set_index("channel")
    callbacks = pd.Series(0.0, index=tot.index)
    for name, ch in sc.channels.items():
        if ch.max_wait is not None:
            callbacks[ch.max_wait.to] += tot.loc[name, "rerouted"]
    np.testing.assert_allclose(tot["offered"], tot["customers"] + tot["retrials"] + tot["transferred_in"] + callbacks,
                               rtol=0, atol=1e-9)
    assert tot["transferred_in"].sum() == pytest.approx(tot["transferred_out"].sum(), abs=1e-9)
    sl = tot["service_level"].dropna()
    assert ((sl >= 0) & (sl <= 1)).all()
    gr = res.groups
    assert (gr["busy"] <= gr["on_duty"] + 1e-6).all()
    triage = {f"{n}/triage" for n, ch in sc.channels.items()
              if ch.social is not None and ch.social.triage_time > 0}
    assert set(tot.index) == set(sc.channels) | triage  # a triage queue is reported as a row


@pytest.mark.parametrize("name", SWITCH)
def test_wfm_run_runs_the_switch_examples(name, tmp_path):
    out = tmp_path / name
    res = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--seed", "2", "--out", str(out)],
                             env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    sc = wfm.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    for channel in sc.channels:
        assert channel in res.output
    summary = pd.read_csv(out / "summary.csv")
    assert summary["channel"].tolist() == list(sc.channels)


def test_bilingual_retrials_is_what_it_says():
    sc = wfm.load_scenario(ROOT / "scenarios" / "bilingual_retrials.yaml")
    en, fr = sc.channels["english"], sc.channels["french"]
    assert en.retrial is not None and fr.retrial is not None
    assert isinstance(en.patience, Distribution) and isinstance(fr.patience, Distribution)
    assert en.target.definition == "answered_and_late_abandoned" and fr.target.definition == "offered"
    assert sc.group("bilingual").skills == ("french", "english")
    assert [g for g in sc.agents if len(g.skills) == 1]  # single-language teams too
    assert sc.routing.channels["english"].arrival == "ordered"
    res = simulate(sc, seed=1, replications=3)
    s = res.summary.set_index("channel")
    assert (s["retrials"] > 0).all()
    np.testing.assert_allclose(s["offered"], s["customers"] + s["retrials"], rtol=1e-12)


def test_overflow_backup_is_what_it_says():
    sc = wfm.load_scenario(ROOT / "scenarios" / "overflow_backup.yaml")
    assert sc.routing.arrival == "ordered"
    assert sc.routing.groups["backup"].delays == {"claims": 20.0, "policy": 20.0}
    assert sc.trunks == {"pbx": 50}
    assert sc.channels["claims"].trunk == "pbx" and sc.channels["policy"].trunk == "pbx"
    assert sc.channels["claims"].max_wait.to == "callbacks"
    assert sc.channels["callbacks"].kind == "deferred"
    assert sc.channels["callbacks"].target.judged_on == "finished"
    s = simulate(sc, seed=1, replications=5).summary.set_index("channel")
    assert s.loc["claims", "rerouted"] > 0
    assert s.loc["callbacks", "offered"] == pytest.approx(s.loc["claims", "rerouted"], rel=1e-12)
    assert s[["blocked"]].sum().iloc[0] > 0


def test_blended_outbound_is_what_it_says():
    sc = wfm.load_scenario(ROOT / "scenarios" / "blended_outbound.yaml")
    camp = sc.channels["campaign"]
    assert camp.kind == "outbound" and camp.outbound.reserve == 2
    assert sc.channels["service"].wrap_up > 0 and sc.channels["service"].transfer.to == "retention"
    assert sc.group("blended").skills == ("service", "campaign")
    s = simulate(sc, seed=1, replications=3).summary.set_index("channel")
    assert s.loc["retention", "transferred_in"] == pytest.approx(s.loc["service", "transferred_out"], rel=1e-12)
    assert s.loc["service", "transferred_out"] > 0
    assert 0 < s.loc["campaign", "connected"] < s.loc["campaign", "answered"]

"""The social view of a run (wfm.report.social, issue 13): the funnel against
SimulationResult.funnel (every actionable post ends in exactly one stage), the risk over
the replications against SimulationResult.replications/.risk, the exposure over the day
against the interval results, when playbooks fired, the run without its playbooks, and
the social sections of the HTML run report; and nothing of it without a social channel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import wfm
from wfm import report
from wfm.report import social

ROOT = Path(__file__).resolve().parents[1]
SOCIAL = wfm.load_scenario(ROOT / "scenarios" / "social_care.yaml")
BASELINE = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
REPS = 3


@pytest.fixture(scope="module")
def result():
    return wfm.simulate(SOCIAL, seed=11, replications=REPS)


@pytest.fixture(scope="module")
def plain():
    return wfm.simulate(BASELINE, seed=1, replications=2)


def test_social_channels_are_found_in_results_and_scenarios(result, plain):
    assert social.social_channels(result) == ["twitter", "facebook", "reviews"]
    assert social.social_channels(SOCIAL) == ["twitter", "facebook", "reviews"]
    assert social.has_social(result) and not social.has_social(plain)
    assert social.social_channels(plain) == []


def test_funnel_figure_bars_are_the_funnel_and_every_actionable_post_ends_once(result):
    f = result.funnel.set_index("channel")
    fig = social.funnel_figure(result)
    assert [t.name for t in fig.data] == ["twitter", "facebook", "reviews"]
    labels = [label for _, label in social.FUNNEL_STAGES]
    for trace in fig.data:
        assert list(trace.y) == labels
        values = dict(zip(trace.y, trace.x, strict=True))
        r = f.loc[trace.name]
        assert values["mentions"] == pytest.approx(r["mentions"])
        assert values["actionable"] == pytest.approx(r["actionable"])
        assert values["answered publicly"] == pytest.approx(r["answered"] - r["moved_private"])
        ends = sum(values[k] for k in ("answered by the community", "resolved by a public reply",
                                       "answered publicly", "moved to private", "unanswered"))
        assert ends == pytest.approx(values["actionable"], abs=1e-6)
        assert values["actionable"] <= values["mentions"]


def test_funnel_display_is_in_planner_units(result):
    d = social.funnel_display(result).set_index("channel")
    f = result.funnel.set_index("channel")
    for c in social.social_channels(result):
        assert d.at[c, "mentions"] == report.format.number(f.at[c, "mentions"])
        assert d.at[c, "service level"] == f"{100 * f.at[c, 'service_level']:.1f}%"
        assert d.at[c, "exposure"] == f"{f.at[c, 'exposure']:,.0f} people"
    assert f.at["twitter", "viral"] > 0 and f.at["twitter", "reply_resolved"] > 0


def test_risk_figure_has_one_point_per_replication(result):
    fig = social.risk_figure(result)
    names = [t.name for t in fig.data]
    assert names == [f"{c} exposure" for c in ("twitter", "facebook", "reviews")] + [
        f"{c} peak backlog" for c in ("twitter", "facebook", "reviews")]
    reps = result.replications
    for trace in fig.data:
        channel, what = trace.name.split(" ", 1)
        col = "exposure" if what == "exposure" else "backlog_peak"
        ref = reps.loc[reps["channel"] == channel, col].to_numpy(dtype=float)
        assert len(trace.x) == REPS
        np.testing.assert_allclose(np.asarray(trace.x, float), ref)


def test_risk_display_matches_the_risk_frame(result):
    d = social.risk_display(result).set_index("channel")
    assert d.index.tolist() == ["twitter", "facebook", "reviews"]  # no triage queues
    risk = result.risk.set_index("channel")
    for c in d.index:
        assert d.at[c, "replications"] == str(REPS)
        assert d.at[c, "chance of missing the target"] == \
            f"{100 * risk.at[c, 'miss_probability']:.0f}%"
        assert d.at[c, "peak backlog (most)"] == report.format.number(
            risk.at[c, "backlog_peak_max"])


def test_exposure_figure_per_interval(result):
    fig = social.exposure_figure(result)
    iv = result.intervals
    for c in social.social_channels(result):
        bars = next(t for t in fig.data if t.name == f"{c} exposure")
        ref = iv.loc[iv["channel"] == c, "exposure"].to_numpy(dtype=float)
        np.testing.assert_allclose(np.asarray(bars.y, float), ref)
        backlog = next(t for t in fig.data if t.name == f"{c} backlog")
        np.testing.assert_allclose(np.asarray(backlog.y, float),
                                   iv.loc[iv["channel"] == c, "backlog"].to_numpy(dtype=float))
    total = sum(np.nansum(np.asarray(t.y, float)) for t in fig.data if t.name == "twitter exposure")
    assert total == pytest.approx(result.funnel.set_index("channel").at["twitter", "exposure"],
                                  rel=1e-6)


def test_playbooks_display_counts_the_firings(result):
    d = social.playbooks_display(result).set_index("playbook")
    pb = result.playbooks
    assert set(d.index) == set(pb["playbook"])
    for name, part in pb.groupby("playbook"):
        reps = part["replication"].nunique()
        assert d.at[name, "fired in"] == f"{reps} of {REPS} replications"
        assert d.at[name, "first at"] == part.sort_values("interval").iloc[0]["start"]
        assert float(d.at[name, "times"]) == pytest.approx(len(part) / reps, abs=0.05)


def test_without_playbooks_and_the_comparison(result):
    bare = social.without_playbooks(SOCIAL)
    assert bare.playbooks == () and bare.channels == SOCIAL.channels
    assert bare.agents == SOCIAL.agents
    without = wfm.simulate(bare, seed=11, replications=REPS)
    assert without.playbooks.empty
    cmp = social.playbook_comparison(result, without).set_index("channel")
    a = result.summary.set_index("channel")
    b = without.summary.set_index("channel")
    for c in SOCIAL.channel_names:
        assert cmp.at[c, "service_level_with"] == pytest.approx(a.at[c, "service_level"])
        assert cmp.at[c, "service_level_without"] == pytest.approx(b.at[c, "service_level"])
        assert cmp.at[c, "exposure_change"] == pytest.approx(
            a.at[c, "exposure"] - b.at[c, "exposure"])
    # the status post resolves part of the outage: fewer posts answered one by one
    assert cmp.at["twitter", "answered_with"] < cmp.at["twitter", "answered_without"]
    d = social.playbook_comparison_display(cmp.reset_index())
    row = d.set_index("channel").loc["twitter"]
    assert row["change"].endswith(" pts") and row["exposure with"].endswith(" people")


def test_without_a_social_channel_everything_is_empty(plain):
    assert social.social_figures(plain) == []
    assert social.funnel_display(plain).empty and social.risk_display(plain).empty
    assert social.playbooks_display(plain).empty
    for fig in (social.funnel_figure(plain), social.risk_figure(plain),
                social.exposure_figure(plain)):
        assert not fig.data and "no social channel" in fig.layout.annotations[0].text


def test_the_run_report_has_the_social_view(result, plain, tmp_path):
    report.write_run_report(result, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for title in ("Social funnel", "Social risk over 3 replication(s)", "Surge playbooks fired",
                  "Exposure over the day", "status post on the outage"):
        assert title in page, title
    report.write_run_report(plain, tmp_path / "plain")
    assert "Social funnel" not in (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")

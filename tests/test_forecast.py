"""Forecast what-ifs: surge events and channel mix shifts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import wfm
from wfm.forecast import mix_shift, surge, surge_multipliers
from wfm.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base() -> wfm.Scenario:
    return wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")


def vol(sc: wfm.Scenario, channel: str) -> np.ndarray:
    return np.asarray(sc.channels[channel].volume, float)


# ---------------------------------------------------------------------- surge
def test_surge_multipliers_halve_every_half_life():
    m = surge_multipliers(6, 1800, start=2, peak=9, half_life=1800)
    assert m.tolist() == [1, 1, 9, 5, 3, 2]
    # half-life of two intervals: the extra volume halves every second interval
    m = surge_multipliers(5, 900, start=0, peak=5, half_life=1800)
    np.testing.assert_allclose(m - 1, 4 * 0.5 ** (np.arange(5) / 2))


def test_surge_changes_only_the_channel_from_start(base):
    sc = surge(base, "social", start=10, peak=6, half_life=3600)
    before, after = vol(base, "social"), vol(sc, "social")
    np.testing.assert_array_equal(after[:10], before[:10])
    assert after[10] == pytest.approx(6 * before[10])
    # 30-minute intervals, 60-minute half-life: the extra halves every two intervals
    assert after[12] - before[12] == pytest.approx(5 * before[12] / 2)
    for ch in ("phone", "messaging", "email"):
        np.testing.assert_array_equal(vol(sc, ch), vol(base, ch))
    assert sc.staff()["digital"].tolist() == base.staff()["digital"].tolist()
    assert vol(base, "social")[10] == before[10]  # the input is unchanged


def test_surge_start_by_clock_label(base):
    by_label = surge(base, "social", start="13:00", peak=3, half_life=1800)
    by_index = surge(base, "social", start=10, peak=3, half_life=1800)
    assert by_label == by_index


def test_surge_of_one_is_no_surge(base):
    assert surge(base, "phone", start=0, peak=1, half_life=60) == base


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"channel": "tiktok"}, "surge.channel"),
        ({"start": 24}, "surge.start"),
        ({"start": -1}, "surge.start"),
        ({"start": "13:10"}, "surge.start"),
        ({"start": 2.5}, "surge.start"),
        ({"peak": 0.5}, "surge.peak"),
        ({"peak": "high"}, "surge.peak"),
        ({"peak": float("nan")}, "surge.peak"),
        ({"half_life": 0}, "surge.half_life"),
        ({"half_life": -60}, "surge.half_life"),
    ],
)
def test_surge_rejects_bad_values(base, kwargs, field):
    args = {"channel": "social", "start": 10, "peak": 3, "half_life": 3600, **kwargs}
    with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
        surge(base, **args)


def test_surge_raises_simulated_volume_as_forecast(base):
    """The simulation offers what the surged forecast says, within the replications' spread."""
    sc = surge(base, "social", start=10, peak=6, half_life=3600)
    reps = wfm.simulate(sc, seed=5, replications=4).replications
    offered = reps.loc[reps["channel"] == "social", "offered"].to_numpy()
    expected = vol(sc, "social").sum() * (1 - sc.channels["social"].deflection)
    # Poisson total: sd = sqrt(expected); the mean of 4 replications is within 4 sd / 2
    assert abs(offered.mean() - expected) < 4 * np.sqrt(expected) / 2


# ---------------------------------------------------------------------- mix shift
def test_mix_shift_moves_volume_and_conserves_it(base):
    sc = mix_shift(base, "phone", "messaging", share=0.2)
    np.testing.assert_allclose(vol(sc, "phone"), 0.8 * vol(base, "phone"))
    np.testing.assert_allclose(vol(sc, "messaging"), vol(base, "messaging") + 0.2 * vol(base, "phone"))
    np.testing.assert_allclose(vol(sc, "phone") + vol(sc, "messaging"),
                               vol(base, "phone") + vol(base, "messaging"))
    assert sc.channels["messaging"].aht == base.channels["messaging"].aht  # no aht: unchanged


def test_mix_shift_aht_is_volume_weighted(base):
    sc = mix_shift(base, "phone", "messaging", share=0.5, aht=900)
    own, moved = vol(base, "messaging").sum(), 0.5 * vol(base, "phone").sum()
    expected = (own * 600 + moved * 900) / (own + moved)
    assert sc.channels["messaging"].aht == pytest.approx(expected)
    # workload is conserved on the destination: volume x AHT adds up
    assert vol(sc, "messaging").sum() * sc.channels["messaging"].aht == pytest.approx(
        own * 600 + moved * 900
    )


def test_mix_shift_edges(base):
    assert mix_shift(base, "phone", "messaging", share=0) == base
    all_moved = mix_shift(base, "email", "social", share=1.0)
    assert vol(all_moved, "email").sum() == 0
    assert vol(all_moved, "social").sum() == pytest.approx(
        vol(base, "social").sum() + vol(base, "email").sum()
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "fax"}, "mix_shift.from"),
        ({"dest": "fax"}, "mix_shift.to"),
        ({"dest": "phone"}, "mix_shift.to"),
        ({"share": 1.2}, "mix_shift.share"),
        ({"share": -0.1}, "mix_shift.share"),
        ({"share": None}, "mix_shift.share"),
        ({"aht": 0}, "mix_shift.aht"),
        ({"aht": float("inf")}, "mix_shift.aht"),
    ],
)
def test_mix_shift_rejects_bad_values(base, kwargs, field):
    args = {"source": "phone", "dest": "messaging", "share": 0.2, "aht": None, **kwargs}
    with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
        mix_shift(base, **args)


def test_mix_shift_then_simulate_moves_offered_contacts(base):
    sc = mix_shift(base, "phone", "messaging", share=0.33, aht=540)
    s0 = wfm.simulate(base, seed=2, replications=2).summary.set_index("channel")
    s1 = wfm.simulate(sc, seed=2, replications=2).summary.set_index("channel")
    moved = 0.33 * vol(base, "phone").sum()
    assert s0.loc["phone", "offered"] - s1.loc["phone", "offered"] == pytest.approx(moved, rel=0.1)
    assert s1.loc["messaging", "offered"] - s0.loc["messaging", "offered"] == pytest.approx(
        moved, rel=0.1
    )

"""wfm.erlang.finite_queue (M/M/n/K+M with lines, queue capacity and balking) against
exact references: Erlang B, the textbook M/M/c/K closed form, Erlang C and A in the limit
of an unbounded queue, and the independent birth-death chain of the engine's tests
(:class:`feature_refs.Queue`, dense matrix exponentials), which the simulation is
validated against in ``test_engine_capacity.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from feature_refs import Queue

from wfm import erlang
from wfm.erlang.finite import MAX_STATES, finite_queue

L = 1800.0


def mmck_blocking(lam: float, mu: float, c: int, K: int) -> float:
    """Blocking of M/M/c/K, the textbook product form (Gross & Harris 2.5)."""
    a = lam / mu
    terms = [a**k / math.factorial(k) for k in range(c)]
    terms += [a**c / math.factorial(c) * (a / c) ** (k - c) for k in range(c, K + 1)]
    return terms[-1] / sum(terms)


@pytest.mark.parametrize(("a", "n"), [(0.5, 1), (10.0, 10), (10.0, 14), (45.0, 40), (200.0, 230)])
def test_lines_equal_to_agents_is_erlang_b(a: float, n: int) -> None:
    q = finite_queue(a * L / 180, 180, n, 20, lines=n)
    assert float(q.blocked) == pytest.approx(float(erlang.erlang_b(a, n)), rel=1e-10)
    assert float(q.probability_wait) == 0.0
    assert float(q.answered) == pytest.approx(1 - float(erlang.erlang_b(a, n)), rel=1e-10)


@pytest.mark.parametrize(("c", "K", "volume"), [(3, 5, 40), (9, 13, 100), (12, 20, 100), (5, 5, 30)])
def test_blocking_is_the_mmck_product_form(c: int, K: int, volume: float) -> None:
    by_queue = finite_queue(volume, 180, c, 20, queue_capacity=K - c)
    by_lines = finite_queue(volume, 180, c, 20, lines=K)
    exact = mmck_blocking(volume / L, 1 / 180, c, K)
    assert float(by_queue.blocked) == pytest.approx(exact, rel=1e-10)
    assert float(by_lines.blocked) == pytest.approx(exact, rel=1e-10)


@pytest.mark.parametrize("patience", [None, 300.0])
def test_an_unbounded_queue_is_erlang_c_or_a(patience: float | None) -> None:
    vol, aht, n, t = 100, 180, 13 if patience else 14, 20
    q = finite_queue(vol, aht, n, t, queue_capacity=3000, patience=patience)
    assert float(q.service_level) == pytest.approx(
        float(erlang.service_level(vol, aht, n, t, patience=patience)), rel=1e-9)
    assert float(q.asa) == pytest.approx(float(erlang.asa(vol, aht, n, patience=patience)), rel=1e-9)
    assert float(q.occupancy) == pytest.approx(float(erlang.occupancy(vol, aht, n, patience=patience)), rel=1e-9)
    assert float(q.blocked) < 1e-12
    if patience:
        assert float(q.abandoned) == pytest.approx(float(erlang.abandonment(vol, aht, n, patience=patience)),
                                                   rel=1e-9)


CASES = [  # (agents, volume per 30 min, aht, patience, lines, queue_capacity, balking, within)
    (9, 100, 180, None, 13, None, 0.0, 20.0),
    (9, 100, 180, 120.0, 13, None, 0.0, 20.0),
    (9, 100, 180, 120.0, None, 4, 0.0, 20.0),
    (9, 100, 180, 120.0, 12, 6, 0.0, 30.0),   # the lines bind first
    (9, 100, 180, 120.0, 20, 6, 0.0, 30.0),   # the queue binds first
    (9, 100, 180, 60.0, 15, None, 0.3, 20.0),
    (6, 80, 240, 90.0, None, 10, 0.25, 0.0),
    (20, 300, 200, 45.0, 30, 5, 0.1, 15.0),
]


@pytest.mark.parametrize("case", CASES)
def test_every_measure_matches_the_independent_chain(case: tuple) -> None:
    n, vol, aht, patience, lines, qcap, balk, t = case
    theta = 0.0 if patience is None else 1 / patience
    K = min(lines if lines is not None else 10**9, n + qcap if qcap is not None else 10**9)
    lines_bind = lines is not None and lines <= (n + qcap if qcap is not None else 10**9)

    def accept(k: np.ndarray) -> np.ndarray:
        return np.where(k < K, 1.0 - balk, 0.0)

    ref = Queue(n, vol / L, 1 / aht, theta, K=K, accept=accept)
    m = ref.measures(ref.stationary(), t)
    q = finite_queue(vol, aht, n, t, patience=patience, lines=lines, queue_capacity=qcap, balking=balk)
    assert float(q.answered_in_target) == pytest.approx(m["service_level"], rel=1e-7, abs=1e-12)
    assert float(q.answered) == pytest.approx(m["answered"], rel=1e-9)
    assert float(q.asa) == pytest.approx(m["asa"], rel=1e-7)
    assert float(q.abandoned) == pytest.approx(m["abandonment"], rel=1e-9, abs=1e-12)
    assert float(q.short_abandoned) == pytest.approx(m["short_abandoned"], rel=1e-7, abs=1e-12)
    assert float(q.occupancy) == pytest.approx(m["occupancy"], rel=1e-9)
    # refused = blocked + balked; at the top state the reference refuses everyone
    assert float(q.blocked + q.balked) == pytest.approx(m["refused"], rel=1e-9)
    pi = ref.stationary()
    if lines_bind:  # at full lines every arrival is blocked, before it could balk
        assert float(q.blocked) == pytest.approx(float(pi[K]), rel=1e-9)
    else:  # a full queue: it may balk first
        assert float(q.blocked) == pytest.approx(float(pi[K]) * (1 - balk), rel=1e-9)
    total = q.answered + q.abandoned + q.blocked + q.balked
    assert float(total) == pytest.approx(1.0, abs=1e-12)


def test_the_service_level_definitions() -> None:
    q = finite_queue(100, 180, 9, 20, lines=14, patience=60, balking=0.2)
    offered = finite_queue(100, 180, 9, 20, lines=14, patience=60, balking=0.2, definition="offered")
    late = finite_queue(100, 180, 9, 20, lines=14, patience=60, balking=0.2,
                        definition="answered_and_late_abandoned")
    answered = finite_queue(100, 180, 9, 20, lines=14, patience=60, balking=0.2, definition="answered")
    assert float(q.service_level) == float(offered.service_level)
    assert float(offered.service_level) == pytest.approx(float(q.answered_in_target), rel=1e-12)
    assert float(late.service_level) == pytest.approx(
        float(q.answered_in_target / (q.answered + q.abandoned - q.short_abandoned)), rel=1e-12)
    assert float(answered.service_level) == pytest.approx(float(q.answered_in_target / q.answered), rel=1e-12)
    assert float(offered.service_level) < float(late.service_level) < float(answered.service_level)


def test_balking_of_every_waiting_caller_is_erlang_b() -> None:
    q = finite_queue(100, 180, 9, 20, queue_capacity=5, balking=1.0)
    assert float(q.balked) == pytest.approx(float(erlang.erlang_b(10.0, 9)), rel=1e-10)
    assert float(q.blocked) == 0.0 and float(q.asa) == 0.0


def test_edges() -> None:
    none = finite_queue(0, 180, 3, 20, lines=3)
    assert float(none.service_level) == 1.0 and float(none.blocked) == 0.0
    nobody = finite_queue(100, 180, 0, 20, queue_capacity=3)
    assert float(nobody.blocked) == 1.0 and float(nobody.service_level) == 0.0
    impatient = finite_queue(100, 180, 0, 20, queue_capacity=3, patience=60)
    assert float(impatient.answered) == 0.0
    assert float(impatient.abandoned + impatient.blocked) == pytest.approx(1.0)
    arr = finite_queue([80, 100], 180, [[10], [11]], 20, lines=12)
    assert arr.service_level.shape == (2, 2)
    assert list(arr.to_frame().columns)[:4] == ["answered", "abandoned", "blocked", "balked"]
    assert len(arr.to_frame()) == 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "needs lines or queue_capacity"),
    ({"lines": 2.5}, "lines must be a whole number (got 2.5)"),
    ({"queue_capacity": -1}, "queue_capacity must be >= 0 (got -1.0)"),
    ({"lines": 10, "balking": 1.5}, "balking must be <= 1 (got 1.5)"),
    ({"lines": 10, "definition": "abandoned"}, "definition must be one of"),
    ({"lines": MAX_STATES}, "lines must be at most"),
    ({"queue_capacity": MAX_STATES - 5}, "must stay below 100,000"),
    ({"lines": float("nan")}, "lines must not be NaN"),
])
def test_bad_input_is_refused_with_the_field_and_value(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        finite_queue(100, 180, 10, 20, **kwargs)


def test_too_many_states_together_are_refused_before_work() -> None:
    with pytest.raises(ValueError, match="states together"):
        finite_queue(np.full(200, 100.0), 180, 10, 20, queue_capacity=60_000)

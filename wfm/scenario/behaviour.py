"""How contacts behave beyond the textbook queue: time distributions, retrials, waiting
limits, transfers and outbound dialling (optional keys of a channel).

Examples
--------
>>> Distribution(dist="lognormal", cv=0.8).implied_mean() is None     # the mean is the aht
True
>>> Distribution(dist="uniform", low=120, high=480).implied_mean()
300.0
>>> Distribution(dist="triangular", low=60, mode=120, high=300).implied_mean()
160.0
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from wfm.scenario.fields import (
    MAX_CV,
    MAX_SECONDS,
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Share,
    StrictModel,
    integral,
    to_tuple,
)

__all__ = ["DISTRIBUTIONS", "Distribution", "MaxWait", "Outbound", "Retrial", "Transfer"]

DISTRIBUTIONS = (
    "exponential",
    "lognormal",
    "gamma",
    "uniform",
    "triangular",
    "constant",
    "empirical",
)
#: distributions given by their mean (the channel's ``aht`` or ``patience``, possibly per
#: interval) and a shape; the others carry their own values in seconds.
MEAN_BASED = ("exponential", "lognormal", "gamma", "constant")

Seconds = Annotated[NonNegFloat, Field(le=MAX_SECONDS)]


class Distribution(StrictModel):
    """A distribution of times, seconds.

    ``exponential`` (mean), ``lognormal`` and ``gamma`` (mean and ``cv``), ``constant``
    (mean): the mean is the channel's ``aht`` (or ``patience``) unless ``mean`` is given.
    ``uniform`` (``low``, ``high``), ``triangular`` (``low``, ``mode``, ``high``) and
    ``empirical`` (``values``, drawn with replacement) carry their own values; their mean
    is implied, and the channel's ``aht`` may then be omitted (it must match if given).
    """

    dist: Literal[
        "exponential", "lognormal", "gamma", "uniform", "triangular", "constant", "empirical"
    ]
    mean: Annotated[PosFloat, Field(le=MAX_SECONDS)] | None = None
    cv: Annotated[NonNegFloat, Field(le=MAX_CV)] | None = None
    low: Seconds | None = None
    mode: Seconds | None = None
    high: Seconds | None = None
    values: Annotated[
        tuple[Seconds, ...], BeforeValidator(to_tuple), Field(min_length=1, max_length=1_000_000)
    ] | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        d = self.dist
        need: dict[str, tuple[str, ...]] = {
            "exponential": (),
            "constant": (),
            "lognormal": ("cv",),
            "gamma": ("cv",),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "empirical": ("values",),
        }
        allowed = set(need[d]) | ({"mean"} if d in MEAN_BASED else set())
        given = {k for k in ("mean", "cv", "low", "mode", "high", "values") if getattr(self, k) is not None}
        extra = sorted(given - allowed)
        if extra:
            raise ValueError(f"a {d} distribution takes no {', '.join(extra)}")
        missing = [k for k in need[d] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {d} distribution needs {', '.join(missing)}")
        if d == "uniform" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError(f"uniform needs low < high (got {self.low} and {self.high})")
        if d == "triangular" and not (
            self.low <= self.mode <= self.high and self.low < self.high  # type: ignore[operator]
        ):
            raise ValueError(
                f"triangular needs low <= mode <= high and low < high"
                f" (got {self.low}, {self.mode}, {self.high})"
            )
        if d == "empirical" and not sum(self.values or ()) > 0:
            raise ValueError("empirical values must not all be 0")
        return self

    def implied_mean(self) -> float | None:
        """The mean the parameters fix, seconds (None for a mean-based distribution
        without ``mean``)."""
        if self.dist in MEAN_BASED:
            return self.mean
        if self.dist == "uniform":
            return (float(self.low) + float(self.high)) / 2  # type: ignore[arg-type]
        if self.dist == "triangular":
            return (float(self.low) + float(self.mode) + float(self.high)) / 3  # type: ignore[arg-type]
        values = self.values or ()
        return sum(values) / len(values)

    def implied_cv(self) -> float:
        """The coefficient of variation (exponential 1, constant 0)."""
        if self.dist == "exponential":
            return 1.0
        if self.dist == "constant":
            return 0.0
        if self.dist in ("lognormal", "gamma"):
            return float(self.cv or 0.0)
        mean = self.implied_mean() or 1.0
        if self.dist == "uniform":
            sd = (float(self.high) - float(self.low)) / 12**0.5  # type: ignore[arg-type]
        elif self.dist == "triangular":
            a, b, c = float(self.low), float(self.mode), float(self.high)  # type: ignore[arg-type]
            sd = ((a * a + b * b + c * c - a * b - a * c - b * c) / 18) ** 0.5
        else:
            vals = self.values or ()
            sd = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5
        return sd / mean


class Retrial(StrictModel):
    """Callers who call again: with ``probability`` after a delay of mean ``delay``
    seconds (exponential, or ``constant``), at most ``max_attempts`` calls in all.

    ``on`` lists which lost callers retry: ``abandoned`` (the default), ``blocked`` (no
    free line or a full queue), ``balked``.
    """

    probability: Share
    delay: Annotated[PosFloat, Field(le=MAX_SECONDS)]
    dist: Literal["exponential", "constant"] = "exponential"
    max_attempts: Annotated[int, BeforeValidator(integral), Field(ge=2, le=100)] = 10
    on: Annotated[
        tuple[Literal["abandoned", "blocked", "balked"], ...], BeforeValidator(to_tuple),
        Field(min_length=1),
    ] = ("abandoned",)


class MaxWait(StrictModel):
    """A waiting contact still unanswered after ``seconds`` is moved to channel ``to``
    (a deferred callback or voicemail channel with its own target)."""

    seconds: Annotated[PosFloat, Field(le=MAX_SECONDS)]
    to: str = Field(min_length=1)


class Transfer(StrictModel):
    """After service, a ``share`` of the channel's contacts joins channel ``to``'s queue
    (a specialist line) with that channel's handle time."""

    share: Share
    to: str = Field(min_length=1)


class Outbound(StrictModel):
    """An outbound channel's dialling: each attempt reaches a customer with
    ``connect_rate`` (the talk time is the channel's handle time) or costs ``dial_time``
    seconds; idle agents of its groups dial while at least ``reserve`` agents of their
    group stay free for inbound work."""

    connect_rate: Share = 0.3
    dial_time: Annotated[NonNegFloat, Field(le=3600)] = 30.0
    reserve: NonNegInt = 0

"""Field types shared by the scenario's models: numbers that YAML and numpy hand over,
immutable lists, and the base model (strict, frozen, no unknown keys)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "MAX_AHT",
    "MAX_CONCURRENCY",
    "MAX_CV",
    "MAX_SECONDS",
    "Minutes",
    "NonNegFloat",
    "NonNegInt",
    "PosFloat",
    "Share",
    "StrictModel",
    "integral",
    "number",
    "to_tuple",
]

#: Upper bounds of single values (seconds unless noted); beyond them a value is a typo.
MAX_SECONDS = 366 * 86400  # answer_within, patience, delays: a year
MAX_AHT = 30 * 86400  # a month
MAX_CV = 20.0
MAX_CONCURRENCY = 100


def integral(value: Any) -> Any:
    """Accept 12.0 for an integer field (YAML writers and spreadsheets emit it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def to_tuple(value: Any) -> Any:
    """YAML gives lists; the immutable model keeps tuples."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value


def number(value: Any) -> Any:
    """numpy scalars as Python numbers."""
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


def _share(value: Any) -> Any:
    value = number(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and not 0 <= value <= 1:
        raise ValueError(f"must be a share between 0 and 1 (got {value})")
    return value


NonNegInt = Annotated[int, BeforeValidator(integral), Field(ge=0)]
NonNegFloat = Annotated[float, BeforeValidator(number), Field(ge=0, allow_inf_nan=False)]
PosFloat = Annotated[float, BeforeValidator(number), Field(gt=0, allow_inf_nan=False)]
Minutes = Annotated[int, BeforeValidator(integral), Field(ge=0, le=24 * 60)]
#: A share in [0, 1].
Share = Annotated[float, BeforeValidator(_share), Field(allow_inf_nan=False)]


class StrictModel(BaseModel):
    """Strict, immutable, and no unknown keys."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)

"""What the app's tests share (``tests/test_app*.py``): ``app.py`` imported as a module
(its pure helpers), a started ``AppTest``, and readers of the page it drew.

The test modules import these under their own short names (``_frame``, ``_errors``...)
after their ``pytest.importorskip("streamlit.testing.v1")``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def import_app(name: str) -> ModuleType:
    """``app.py`` as a module named ``name`` (each test module its own copy)."""
    spec = importlib.util.spec_from_file_location(name, APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def started(timeout: float) -> AppTest:
    """The app, run once without an exception; each run may take ``timeout`` seconds."""
    test = AppTest.from_file(str(APP), default_timeout=timeout)
    test.run()
    assert not test.exception, test.exception
    return test


def errors(at: AppTest) -> list[str]:
    """The texts of the st.error boxes on the page."""
    return [e.value for e in at.error]


def frame(at: AppTest, *columns: str) -> Any:
    """The first st.dataframe holding these columns (st.dataframe keeps no key), or None."""
    for d in at.dataframe:
        value = d.value
        if all(c in value.columns for c in columns):
            return value
    return None


def markdown(at: AppTest) -> str:
    """Every st.markdown text on the page, one per line."""
    return "\n".join(m.value for m in at.markdown)


def chart_specs(at: AppTest) -> dict[str, dict]:
    """Plotly charts on the page: {element key: the figure's JSON spec}."""
    return {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.spec)
            for el in at.get("plotly_chart")}


def chart_titles(at: AppTest) -> dict[str, str]:
    """Plotly charts on the page: {element key: figure title}."""
    return {key: spec["layout"].get("title", {}).get("text", "")
            for key, spec in chart_specs(at).items()}

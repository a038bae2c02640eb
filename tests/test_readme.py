"""The README's notebook example runs as written (docs that teach by examples that run)."""

import re
from pathlib import Path

import plotly.graph_objects as go

ROOT = Path(__file__).resolve().parents[1]


def test_readme_notebook_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: None)
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    assert set(namespace["res"].summary["channel"]) == {"phone", "messaging", "social", "email"}


def test_readme_opens_with_the_two_commands():
    lines = [ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.strip()]
    fence = lines.index("```bash")
    assert lines[fence + 1] == "pip install -e . && wfm run scenarios/baseline.yaml"
    assert lines[fence + 2] == 'pip install -e ".[test]" && pytest'

"""The docs in docs/ stay true: links resolve, the tutorial runs, the scenario-format
guide names (and gives the defaults of) every key the models accept, and the API
reference matches the docstrings."""

from __future__ import annotations

import ast
import importlib.util
import re
import typing
from pathlib import Path

import plotly.graph_objects as go
import pytest
import yaml

import wfm
from wfm import scenario as scenario_module
from wfm.sim import SimulationResult

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE = DOCS / "guides" / "scenario-format.md"
TUTORIAL = DOCS / "tutorial.md"

MODELS = ("Scenario", "Channel", "Target", "AgentGroup", "ShiftRule", "BreakRule", "Distribution",
          "Retrial", "MaxWait", "Transfer", "Outbound", "Routing", "ChannelRouting", "GroupRouting",
          "RosterAgent", "Uncertainty", "Social", "Community", "Reach", "Virality", "Incident",
          "Playbook", "PlaybookCondition", "PlaybookAction", "OpeningHours", "Shrinkage")

_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _links(text: str) -> list[str]:
    """Link targets of a Markdown text, code blocks and code spans left out."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    return _INLINE_LINK.findall(prose) + _REF_LINK.findall(prose)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings (code blocks left out)."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        n, candidate = 0, slug
        while candidate in out:
            n += 1
            candidate = f"{slug}-{n}"
        out.add(candidate)
    return out


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith("//")


# ---------------------------------------------------------------------- links
def test_link_scanner_sees_links_and_skips_code():
    text = (
        "See [the guide](guides/a.md#keys) and ![fig](img/x.png).\n"
        "[ref]: background/models.md\n"
        "Not `[code](nope.md)`.\n"
        "```python\nx = d[k](1)  # [no](no.md)\n```\n"
    )
    assert _links(text) == ["guides/a.md#keys", "img/x.png", "background/models.md"]


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_inside_the_repository(path):
    problems = []
    for target in _links(path.read_text(encoding="utf-8")):
        if _is_external(target):
            continue
        if target.startswith("#"):
            if target[1:] not in _anchors(path):
                problems.append(f"{target}: no such heading in this file")
            continue
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        if re.search(r"(^|/)shared/", file_part):
            problems.append(f"{target}: links to shared/, which is not part of the repository")
            continue
        resolved = (path.parent / file_part).resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: points outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file ({resolved.relative_to(ROOT)})")
        elif "#" in target and resolved.suffix == ".md":
            anchor = target.split("#", 1)[1]
            if anchor not in _anchors(resolved):
                problems.append(f"{target}: {resolved.relative_to(ROOT)} has no heading #{anchor}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_docs_have_the_promised_pages():
    for rel in (
        "index.md",
        "tutorial.md",
        "design.md",
        "guides/scenario-format.md",
        "guides/sweeps.md",
        "guides/app.md",
        "guides/planning.md",
        "guides/cli.md",
        "guides/limits.md",
        "background/models.md",
        "background/validation.md",
        "reference/index.md",
    ):
        assert (DOCS / rel).is_file(), rel
    assert not (DOCS / "shifts.md").exists(), "docs/shifts.md moved into the guides"


# ---------------------------------------------------------------------- tutorial
def test_tutorial_python_blocks_run(monkeypatch):
    """The tutorial's notebook part runs as written, in order, in one namespace."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: None)
    blocks = re.findall(r"^```python\n(.*?)^```", TUTORIAL.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) >= 3, "the tutorial has lost its Python part"
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/tutorial.md (python block {i + 1})", "exec"), namespace)  # noqa: S102
    assert isinstance(namespace["res"], SimulationResult)
    assert set(namespace["res"].summary["channel"]) == {"phone", "messaging", "social", "email"}


def test_tutorial_commands_name_bundled_files():
    """Every file a `wfm` command of the tutorial names is bundled (or made in it)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    made = set(re.findall(r"cp \S+ (\S+\.yaml)", text))
    for path in re.findall(r"^\$? ?wfm \w+ (\S+\.yaml)", text, re.M):
        assert path in made or (ROOT / path).is_file(), path


# ---------------------------------------------------------------------- scenario format
def _model(name: str):
    return getattr(wfm, name, None) or getattr(scenario_module, name)


def _keys(model) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _rows(text: str) -> dict[str, list[list[str]]]:
    """Table rows of the guide whose first cell is a single backticked key."""
    out: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        m = re.match(r"^\|\s*`([A-Za-z_][\w.]*)`\s*\|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", m.group(2))]
            out.setdefault(m.group(1), []).append(cells)
    return out


@pytest.mark.parametrize("model_name", MODELS)
def test_scenario_guide_names_every_key(model_name):
    """A key added to a model must be documented in the guide's tables."""
    rows = _rows(GUIDE.read_text(encoding="utf-8"))
    missing = [k for k in _keys(_model(model_name)) if k not in rows]
    assert not missing, f"docs/guides/scenario-format.md has no table row for {model_name} keys {missing}"


def _documented_default(cell: str):
    cell = cell.strip()
    if cell.lower().startswith("required"):
        return "required"
    if cell.lower().startswith(("omitted", "none")):
        return None
    m = re.match(r"`([^`]*)`", cell)
    assert m, f"default cell {cell!r} is neither required, omitted nor a `value`"
    return yaml.safe_load(m.group(1))


@pytest.mark.parametrize("model_name", MODELS)
def test_scenario_guide_defaults_match_the_models(model_name):
    """The default column (the 3rd of the key tables: key | type | default | ...)
    says what the model does when the key is left out."""
    rows = _rows(GUIDE.read_text(encoding="utf-8"))
    model = _model(model_name)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if info.default_factory is not None:  # a nested section (break) or an empty mapping
            continue
        cells_of = [cells for cells in rows.get(key, []) if len(cells) >= 5]
        assert cells_of, f"no key table row (key | type | default | ...) for {model_name}.{key}"
        expected = "required" if info.is_required() else info.default
        if isinstance(expected, tuple):
            expected = list(expected)
        found = [_documented_default(cells[1]) for cells in cells_of]
        assert expected in found or any(
            isinstance(f, int | float) and isinstance(expected, int | float) and f == expected
            for f in found
        ), f"{model_name}.{key}: the guide says default {found}, the model has {expected!r}"


def _upper_bounds(info) -> set[float]:
    """The ``le``/``lt`` bounds of a field, at the top level or on its items."""
    found: set[float] = set()

    def visit(meta) -> None:
        for m in meta:
            for attr in ("le", "lt"):
                v = getattr(m, attr, None)
                if v is not None:
                    found.add(v)
            visit(getattr(m, "metadata", None) or [])

    def walk(tp) -> None:
        if typing.get_origin(tp) is typing.Annotated:
            args = typing.get_args(tp)
            visit(args[1:])
            walk(args[0])
        else:
            for arg in typing.get_args(tp):
                walk(arg)

    visit(info.metadata)
    walk(info.annotation)
    return found


@pytest.mark.parametrize("model_name", MODELS)
def test_scenario_guide_states_the_upper_bounds(model_name):
    """An upper bound the model enforces (a 30-day AHT, 1440 minutes) is in the key's row."""
    rows = _rows(GUIDE.read_text(encoding="utf-8"))
    for name, info in _model(model_name).model_fields.items():
        key = info.alias or name
        text = " ".join(" ".join(cells) for cells in rows.get(key, []))
        for bound in _upper_bounds(info):
            forms = {f"{bound:,}", f"{bound:g}", str(bound)}
            if float(bound).is_integer():
                forms |= {f"{int(bound):,}", str(int(bound))}
            assert any(f in text for f in forms), (
                f"{model_name}.{key}: the model bounds it at {bound}; the guide's row does not say so"
            )


def test_scenario_guide_examples_load():
    """Every complete scenario (a YAML block with `channels:`) in the guide is valid."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M) if "\nchannels:" in "\n" + b]
    assert blocks, "the guide has no complete example"
    for block in blocks:
        sc = wfm.Scenario.from_yaml(block)
        assert sc.horizon > 0


def test_scenario_guide_lists_the_allowed_values():
    text = GUIDE.read_text(encoding="utf-8")
    for kind in typing.get_args(wfm.Channel.model_fields["kind"].annotation):
        assert f"`{kind}`" in text
    for minutes in getattr(scenario_module, "INTERVAL_MINUTES", (15, 30, 60)):
        assert f"`{minutes}`" in text


# ---------------------------------------------------------------------- reference
def _generator():
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
_PAGES, _MISSING = GEN.build()


@pytest.mark.skipif(bool(_MISSING), reason=f"the reference generator cannot import {_MISSING}")
def test_reference_is_up_to_date():
    problems = GEN.differences(_PAGES)
    assert not problems, "docs/reference/ is stale; run `python docs/gen_reference.py`:\n" + "\n".join(problems)


def test_reference_generation_is_deterministic():
    again, _ = GEN.build()
    assert again == _PAGES
    text = "".join(_PAGES.values())
    assert " at 0x" not in text
    assert str(ROOT) not in text


# ---------------------------------------------------------------------- design
def test_code_follows_the_import_rule_of_the_design_doc():
    """docs/design.md states the order in which wfm's modules may import each other;
    every ``import`` in wfm/ (type-checking ones included) follows it."""
    text = (DOCS / "design.md").read_text(encoding="utf-8")
    rule = re.search(r"Imports flow one way, down this order:(.*?)A module imports only", text, re.S)
    assert rule, "docs/design.md no longer states the import order"
    order = [name for name in re.findall(r"`([\w.]+)`", rule.group(1)) if name != "app.py"]
    rank = {name: i for i, name in enumerate(order)}
    problems = []
    for path in sorted((ROOT / "wfm").rglob("*.py")):
        parts = path.relative_to(ROOT / "wfm").with_suffix("").parts
        me = parts[0]
        if me not in rank:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"wfm.{a.name}" for a in node.names] if node.module == "wfm" else [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] != "wfm" or len(bits) < 2 or bits[1] not in rank or bits[1] == me:
                    continue
                if rank[bits[1]] > rank[me]:
                    problems.append(f"wfm/{'/'.join(parts)}.py:{node.lineno}: {me} imports {name}")
    assert not problems, "imports against the rule of docs/design.md:\n" + "\n".join(problems)

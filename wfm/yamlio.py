"""Safe YAML for every file wfm reads: scenarios, sweep specs and uploads.

:func:`load_yaml` is the one loader. It uses PyYAML's C parser when present (libyaml;
about ten times faster on large files) and refuses, with a clear message and before
building anything big:

* Python object tags (``!!python/object``): plain data only;
* **duplicate keys** in a mapping (a channel defined twice, two ``agents:`` blocks),
  naming the key and the lines of both;
* documents whose values, with aliases expanded, exceed ``max_yaml_nodes`` (the
  "billion laughs" alias bomb: a 1 KB file that expands to billions of values);
* nesting deeper than ``max_yaml_depth`` levels;
* text longer than ``max_file_bytes`` (see :mod:`wfm.limits`).

Error messages name the line and column, never print an expanded structure, and are
:class:`wfm.errors.ScenarioError` (an :class:`~wfm.errors.InputError`).

Examples
--------
>>> load_yaml("a: 1\\nb: [1, 2]")
{'a': 1, 'b': [1, 2]}
>>> load_yaml("a: 1\\na: 2", source="day.yaml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
wfm.errors.ScenarioError: invalid scenario day.yaml: YAML line 2, column 1: key 'a' appears twice ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from wfm import limits
from wfm.checks import short_repr
from wfm.errors import InputError, LimitError, ScenarioError

__all__ = ["dump_yaml", "load_yaml", "read_text"]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """The safe loader with duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *base": keys it brings may be
                continue  # overridden by the mapping's own keys, as YAML says
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_object(key_node, deep=False)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class reports it
                    continue
                if first is not None:
                    raise _Duplicate(key, first, line, key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _Duplicate(Exception):
    def __init__(self, key: Any, first: int, second: int, mark: Any) -> None:
        super().__init__()
        self.key, self.first, self.second, self.mark = key, first, second, mark


def _too_many(n: int, source: str | None) -> LimitError:
    return LimitError(
        [("YAML", f"holds more than {n:,} values once its aliases (&/*) are expanded"
                  " (max_yaml_nodes; raise it with WFM_MAX_YAML_NODES or wfm.limits.raised)")],
        source,
    )


def _mark(mark: Any) -> str:
    return f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _measure(root: yaml.Node, max_nodes: int, max_depth: int) -> tuple[int, int]:
    """(values with aliases expanded, deepest nesting) of a composed document, in time
    linear in the number of distinct nodes (aliases share their node), without recursion.
    Stops counting once either bound is passed."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = min(1 + sum(size[id(k)] for k in kids), max_nodes + 1)
            depth[key] = min(1 + max((depth[id(k)] for k in kids), default=0), max_depth + 1)
            continue
        if key in size:
            continue
        if key in on_path:  # a recursive alias: infinite when expanded
            return max_nodes + 1, max_depth + 1
        on_path.add(key)
        stack.append((node, True))
        if len(on_path) > max_depth + 1:
            return 0, max_depth + 1
        for k in _children(node):
            if id(k) not in size:
                stack.append((k, False))
    return size[id(root)], depth[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def read_text(path: str | Path, what: str = "file") -> str:
    """Read a UTF-8 text file of at most ``max_file_bytes``.

    Raises
    ------
    ScenarioError
        The file cannot be read or is not UTF-8 text.
    LimitError
        The file is larger than the limit (checked before reading it).
    """
    p = Path(path)
    lim = limits.current().max_file_bytes
    try:
        if not p.is_file():  # a folder, a FIFO, a device: never block reading one
            what_it_is = "a folder" if p.is_dir() else "not a regular file"
            if not p.exists():
                raise FileNotFoundError(2, "No such file or directory")
            raise ScenarioError(f"cannot read the {what}: {p} is {what_it_is}", str(p))
        size = p.stat().st_size
        if size > lim:
            limits.check("file size", size, "max_file_bytes", str(p))
        with open(p, "rb") as fh:
            data = fh.read(lim + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read the {what}: {exc.strerror or exc}", str(p)) from None
    if len(data) > lim:
        limits.check("file size", len(data), "max_file_bytes", str(p))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"the {what} is not UTF-8 text", str(p)) from None


def load_yaml(text: str | bytes, source: str | None = None) -> Any:
    """Parse one YAML document safely (see the module docstring).

    Parameters
    ----------
    text : str or bytes
        The document.
    source : str, optional
        Its file name, for messages.

    Returns
    -------
    The plain data: dicts, lists, strings, numbers, booleans, None.

    Raises
    ------
    ScenarioError
        Not YAML, a tag, a duplicate key, too deep or too large once expanded.
    LimitError
        Longer than ``max_file_bytes``.
    """
    lim = limits.current()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError("the file is not UTF-8 text", source) from None
    if len(text) > lim.max_file_bytes:
        limits.check("file size", len(text.encode("utf-8")), "max_file_bytes", source)
    # every value is at least a separator (a comma or a new line): a document with more
    # of them than the limit allows is refused before the parser builds anything
    if text.count(",") + text.count("\n") > lim.max_yaml_nodes:
        raise _too_many(lim.max_yaml_nodes, source)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        n, d = _measure(node, lim.max_yaml_nodes, lim.max_yaml_depth)
        if d > lim.max_yaml_depth:
            raise ScenarioError(
                f"YAML is nested more than {lim.max_yaml_depth} levels deep"
                " (lists or mappings inside each other); a scenario needs a handful",
                source,
            )
        if n > lim.max_yaml_nodes:
            raise _too_many(lim.max_yaml_nodes, source)
        return loader.construct_document(node)
    except _Duplicate as dup:
        raise ScenarioError(
            f"YAML{_mark(dup.mark)}: key {short_repr(dup.key)} appears twice in the same mapping"
            f" (lines {dup.first} and {dup.second}); keep one",
            source,
        ) from None
    except yaml.constructor.ConstructorError as exc:
        problem = str(exc.problem or "")
        if "unhashable" in problem:
            reason = "a mapping key must be text or a number, not a list or a mapping"
        elif "constructor for the tag" in problem:
            reason = f"tag not allowed ({problem}); wfm files hold plain data only"
        else:
            reason = problem
        raise ScenarioError(f"YAML{_mark(exc.problem_mark)}: {reason}", source) from None
    except InputError:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ScenarioError(f"YAML holds a value that cannot be read: {str(exc)[:120]}",
                            source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"YAML{_mark(mark)} cannot be parsed: {problem}", source) from None
    except RecursionError:
        raise ScenarioError(
            f"YAML is nested more than {lim.max_yaml_depth} levels deep", source
        ) from None
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for lists of numbers."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, int | float | str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    flow = bool(data) and len(data) <= 2 and all(isinstance(v, int | float) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump_yaml(data: Any) -> str:
    """YAML text of plain data: mappings in block style, lists of numbers on one line.

    Examples
    --------
    >>> print(dump_yaml({"name": "day", "volume": [1, 2, 3]}), end="")
    name: day
    volume: [1, 2, 3]
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=4096)

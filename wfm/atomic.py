"""Atomic file writes: the one way wfm writes a file.

Every file wfm writes (scenario YAML, CSV tables, HTML reports, Parquet point files,
sweep manifests) goes through :func:`atomic_write`: the content is written to a
temporary file in the target's directory, flushed to disk, and moved over the target
with :func:`os.replace`. A crash, a full disk or Ctrl-C in the middle leaves either the
old file or the new one, never half a file, and the temporary file is removed.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "hello.txt", "hello\\n").read_text()
'hello\\n'
>>> atomic_write(d / "data.bin", b"\\x00\\x01").read_bytes()
b'\\x00\\x01'
>>> atomic_write(d / "table.csv", lambda fh: fh.write("a,b\\n1,2\\n")).read_text()
'a,b\\n1,2\\n'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "check_writable_dir"]

Content = str | bytes | Callable[[IO[Any]], Any]


def atomic_write(path: str | os.PathLike[str], content: Content, *, binary: bool | None = None) -> Path:
    """Write ``content`` to ``path`` atomically; returns the path.

    Parameters
    ----------
    path : str or PathLike
        The file to write; its directory is created if needed.
    content : str, bytes or callable
        Text (written as UTF-8), bytes, or a function called with the open temporary
        file (text mode unless ``binary``), e.g. ``lambda fh: frame.to_csv(fh)``, or
        ``lambda fh: pyarrow.parquet.write_table(table, fh)`` with ``binary=True``.
    binary : bool, optional
        Open the temporary file in binary mode for a callable (default: text).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OSError
        The directory cannot be created or written (read-only, full disk): the message
        names the file; the target is left as it was and no temporary file remains.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the folder {target.parent}: {exc.strerror or exc}") from exc
    is_binary = isinstance(content, bytes) if binary is None else binary
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if is_binary:
            with os.fdopen(fd, "wb") as fh:
                _fill(fh, content)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                _fill(fh, content)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise OSError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def _fill(fh: IO[Any], content: Content) -> None:
    if callable(content):
        content(fh)
    else:
        fh.write(content)


def check_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` is (or can become) a directory wfm can write into.

    Called before long work so that a bad ``--out`` fails in a second, not after the
    computation. Creates the directory if missing and writes and removes a probe file.

    Raises
    ------
    OSError
        With a message naming the path and the problem (a file in the way, no
        permission, a full disk).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise NotADirectoryError(f"{p} is a file, not a folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the folder {p}: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(dir=p, prefix=".wfm-probe.", suffix=".tmp")
        try:
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            with suppress(OSError):
                os.unlink(probe)
    except OSError as exc:
        raise OSError(f"cannot write into the folder {p}: {exc.strerror or exc}") from None
    return p

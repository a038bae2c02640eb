"""Shared test settings.

Streamlit's ``AppTest`` makes the app script the process's ``__main__`` module and
leaves it there; a later test that starts processes by ``spawn`` (a Dask cluster built
by the test itself) would run that script again in the child. Each test gets the real
``__main__`` back after it.

Under CI (``CI=true``) hypothesis runs derandomized: the same examples every run, so a
red CI always points at a reproducible case; developers' runs keep exploring new
examples.
"""

import os
import sys
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


@pytest.fixture(autouse=True)
def _main_module_restored() -> Iterator[None]:
    main = sys.modules.get("__main__")
    yield
    if main is not None and sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main

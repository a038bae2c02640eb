"""Shared test settings.

Under CI (``CI=true``) hypothesis runs derandomized: the same examples every run, so a
red CI always points at a reproducible case; developers' runs keep exploring new
examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")

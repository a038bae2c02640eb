"""Streamlit page modules for the app's tabs.

Each module exposes ``render(base, load)``: ``base`` is the scenario being edited and
``load(scenario, label)`` makes a new scenario the one being edited. Library code stays in
:mod:`wfm`; these modules only lay out widgets and call the library.
"""

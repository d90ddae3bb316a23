"""Fixtures for the window tests."""

import pytest
from helpers import make_window


@pytest.fixture
def window(qtbot):
    """The window on the circle preset, closed after the test."""
    win = make_window(qtbot, preset="circle", seed=0)
    yield win
    win.close()

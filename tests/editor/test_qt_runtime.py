"""The Qt binding the editor runs on must not leak references to None (PySide6 6.12.0 did: on Python 3.11 the
app aborted with "none_dealloc" after a few thousand calls; pyproject pins it out)."""

import sys

import pytest

pytestmark = pytest.mark.qt


def test_void_qt_calls_keep_none_refcount(qapp):
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) - before in range(-5, 6)

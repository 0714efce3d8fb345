"""Labels that name the control beside them, for screen readers as well as eyes.

A ``QLabel`` put in a grid next to a box is only text there: a screen reader announced the box by its group's
title (the AI panel's five NPS boxes and its Seed box all read "Draft difficulties (target notes per second)") or,
for a drop-down list, by its value alone. :func:`buddy` makes the label the control's buddy (Qt reports it as the
control's label) and gives the control an accessible name.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def buddy(text: str, widget: QWidget, name: str | None = None) -> QLabel:
    """A label showing ``text`` for ``widget``, whose accessible name becomes ``name`` (else ``text``)."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(name or text.strip())
    return label

"""The vertical notefield: :class:`editor.timeline.view.TimelineWidget` and the items it draws."""

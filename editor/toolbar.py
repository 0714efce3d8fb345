"""The main toolbar: the Snap list (with a custom snap), the note type, the chart and Compare lists, Play.

A list hands the keyboard focus back to the notefield once something is picked in it, as the Chart list always did:
a list that kept the focus took the next lane key or arrow as a search or a step through its items ("1" jumped
the snap to 1/16, Down to the next snap) instead of an edit.

**Custom snap** (the Snap list's last item, "Custom..."): asks for N rows per beat, 1 to
:data:`~editor.session.MAX_ROWS_PER_BEAT`, so osu!'s and Quaver's 1/5, 1/7, 1/10... beat snaps can be charted;
the list names it like the others, by rows per 4-beat measure (5 per beat is "1/20"). It takes its place in the
list by fineness (Left/Right walk it) and is remembered (``edit/custom_snap``). StepMania keeps 48 rows per beat:
a snap off that grid (1/20, 1/28...) is said so in the status bar when chosen, Verify flags every note placed on it,
and .sm/.ssc/.osu refuse to save such notes rather than move them (only the JSON export keeps them).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QInputDialog, QStyle, QStyleOptionComboBox, QStylePainter, QToolBar

from chart.notes import NoteKind
from editor.chart_names import chart_label as chart_label  # re-exported: its home before chart_names
from editor.key_hints import follow_keys, hint
from editor.note_counts import note_counts
from editor.panels.labels import buddy
from editor.session import MAX_ROWS_PER_BEAT, PLACE_KINDS

CUSTOM = 0  # item data of the Snap list's "Custom..." entry
SM_ROWS_PER_MEASURE = 192  # StepMania's rows per 4-beat measure (48 per beat)
MAX_COMBO_CHARS = 40  # widest a toolbar list grows, in average characters


def snap_text(divisor: int, custom: bool = False) -> str:
    """A snap as the list names it: ``1/16``; a custom one with its rows per beat, ``1/20 (5 per beat)``."""
    return f"1/{divisor} ({divisor // 4} per beat)" if custom else f"1/{divisor}"


def off_stepmania_grid(divisor: int) -> bool:
    """Whether notes on this snap's grid can fall between StepMania's rows (1/20, 1/28, 1/768...)."""
    return SM_ROWS_PER_MEASURE % divisor != 0


class ElidingComboBox(QComboBox):
    """A list that ends its shown item with "…" where the item is wider than the list. QComboBox clips the text at
    its edge: "Hard 8 (7K Hard) · kb7-single · 270 notes" showed "... · 270", a note count that looked whole."""

    def shown_text(self, option: QStyleOptionComboBox) -> str:
        """The current item's text as drawn: elided to the room the style gives the text in ``option``."""
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()
        return option.fontMetrics.elidedText(option.currentText, Qt.TextElideMode.ElideRight, room)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text(option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def fit_to_contents(combo: QComboBox) -> None:
    """Size ``combo`` to its longest item whenever its items change, up to :data:`MAX_COMBO_CHARS` average
    characters (a longer item is elided by :class:`ElidingComboBox`; its tooltip in the list has it whole). A combo
    sized once kept the width of the blank song it was first shown with: chart names, long Edit names and custom
    snaps were cut while the toolbar had room."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMaximumWidth(combo.fontMetrics().averageCharWidth() * MAX_COMBO_CHARS)


def build_toolbar(win) -> QToolBar:
    bar = QToolBar("Main")
    bar.setObjectName("main-toolbar")
    bar.setMovable(False)
    # not in the window's right-click menu ("Main"): hidden there it stayed hidden at every start, with no menu item
    # to bring it back (:func:`editor.window_frame.restore_frame` shows one an older session kept hidden)
    bar.toggleViewAction().setEnabled(False)
    win.addToolBar(bar)
    win.snap_combo = ElidingComboBox()
    bar.addWidget(buddy(" Snap ", win.snap_combo))  # a screen reader read the lists by their value alone
    fit_to_contents(win.snap_combo)
    follow_keys(win, ("nav.snap_coarser", "nav.snap_finer"), lambda: win.snap_combo.setToolTip(
        f"Beat snap: notes per 4-beat measure{hint(win, 'nav.snap_coarser', 'nav.snap_finer')}; Custom... for any "
        "number of rows per beat (osu!'s 1/5, 1/7...)"))
    custom = int(win.settings.get("edit/custom_snap"))
    if custom:
        win.session.set_custom_divisor(4 * custom)
    refresh_snaps(win)
    win.snap_combo.activated.connect(lambda i: _snap_picked(win, win.snap_combo.itemData(i)))
    win.session.snaps_changed.connect(lambda: _snaps_changed(win))
    win.session.divisor_changed.connect(lambda d: _divisor_changed(win, d))
    bar.addWidget(win.snap_combo)
    win.kind_combo = QComboBox()
    bar.addWidget(buddy("  Note ", win.kind_combo, "Note type"))
    follow_keys(win, ("edit.kind_next",), lambda: win.kind_combo.setToolTip(
        f"What a click or a number key places{hint(win, 'edit.kind_next')}; drags draw holds, or rolls"))
    for kind in PLACE_KINDS:
        win.kind_combo.addItem(kind.value, kind.value)
    win.kind_combo.activated.connect(lambda i: _kind_picked(win, win.kind_combo.itemData(i)))
    win.session.place_kind_changed.connect(lambda v: win.kind_combo.setCurrentIndex(win.kind_combo.findData(v)))
    bar.addWidget(win.kind_combo)
    win.chart_combo = ElidingComboBox()
    bar.addWidget(buddy("  Chart ", win.chart_combo))
    win.chart_combo.setMinimumWidth(170)
    fit_to_contents(win.chart_combo)
    follow_keys(win, ("view.prev_chart", "view.next_chart"), lambda: win.chart_combo.setToolTip(
        "The difficulty being edited" + hint(win, "view.prev_chart", "view.next_chart")))
    win.chart_combo.activated.connect(win.choose_chart)
    bar.addWidget(win.chart_combo)
    win.compare_combo = ElidingComboBox()
    bar.addWidget(buddy("  Compare ", win.compare_combo, "Compare with"))
    win.compare_combo.setMinimumWidth(120)
    fit_to_contents(win.compare_combo)
    follow_keys(win, ("view.compare",), lambda: win.compare_combo.setToolTip(
        "Show another difficulty's notes as pale outlines behind this one, and its density in the minimap, e.g. to "
        "build a harder chart from an easier one" + hint(win, "view.compare")))
    win.compare_combo.activated.connect(lambda i: _compare_with(win, win.compare_combo.itemData(i)))
    bar.addWidget(win.compare_combo)
    bar.addSeparator()
    win.play_button = bar.addAction("Play")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    side = bar.fontMetrics().height()
    bar.setIconSize(QSize(side, side))  # the style's 24 px made the toolbar taller than its lists
    follow_keys(win, ("play.toggle",), lambda: win.play_button.setToolTip(
        "Play / pause from the cursor" + hint(win, "play.toggle")))
    win.play_button.triggered.connect(lambda: win.playback.toggle())
    win.playback.state_changed.connect(lambda on: show_playing(win, on))
    show_playing(win, False)
    note_counts(win.session).recount.connect(lambda ids: _recount(win, ids))
    return bar


def show_playing(win, playing: bool) -> None:
    """The Play button as Pause while playing. The style's media icons, not "▶"/"⏸" in the text: many fonts lack
    U+23F8 (DejaVu, often the only one on a bare Linux), and the button showed an empty box while playing."""
    icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
    win.play_button.setIcon(win.style().standardIcon(icon))
    win.play_button.setText("Pause" if playing else "Play")


def _kind_picked(win, kind: str) -> None:
    win.session.set_place_kind(NoteKind(kind))
    win.timeline.setFocus()


# ---------------------------------------------------------------------- snap
def refresh_snaps(win) -> None:
    """The Snap list: the session's snaps (the custom one marked), then "Custom...", with the current one chosen."""
    session = win.session
    items = [(snap_text(d, d == session.custom_divisor), d) for d in session.snaps()] + [("Custom...", CUSTOM)]
    _fill(win.snap_combo, items, next((k for k, (_, d) in enumerate(items) if d == session.divisor), 0))
    custom = session.custom_divisor
    if custom and off_stepmania_grid(custom):
        win.snap_combo.setItemData(win.snap_combo.findData(custom), "Off StepMania's 48 rows per beat: Verify flags "
                                   "notes on it, and only the JSON export keeps them", Qt.ItemDataRole.ToolTipRole)


def _snap_picked(win, divisor: int) -> None:
    if divisor == CUSTOM:
        ask_custom_snap(win)
    else:
        win.session.set_divisor(divisor)
    win.timeline.setFocus()


def ask_custom_snap(win) -> bool:
    """Snap > Custom...: ask for the rows per beat and snap to them; False (and the list as it was) when cancelled."""
    current = (win.session.custom_divisor or 20) // 4
    rows, ok = QInputDialog.getInt(
        win, "Custom snap", f"Rows per beat (1 to {MAX_ROWS_PER_BEAT}; osu!'s beat snap 1/N is N rows, shown here "
                            f"as 1/(4N): 5 rows is 1/20):", current, 1, MAX_ROWS_PER_BEAT)
    if not ok:
        refresh_snaps(win)  # "Custom..." stays chosen otherwise
        return False
    set_custom_snap(win, rows)
    return True


def set_custom_snap(win, rows_per_beat: int) -> None:
    """Snap to ``rows_per_beat`` rows per beat, the list's custom snap unless it is one of StepMania's."""
    divisor = 4 * rows_per_beat
    win.session.set_custom_divisor(divisor)
    win.session.set_divisor(divisor)
    refresh_snaps(win)  # also when nothing changed: "Custom..." was chosen in the list


def _snaps_changed(win) -> None:
    custom = win.session.custom_divisor
    win.settings.set("edit/custom_snap", custom // 4 if custom else 0)
    refresh_snaps(win)


def _divisor_changed(win, divisor: int) -> None:
    refresh_snaps(win)
    if off_stepmania_grid(divisor):
        win.session.status.emit(f"Snap 1/{divisor} ({divisor // 4} rows per beat) lies off StepMania's 48 rows per "
                                "beat: Verify flags the notes placed on it, and .sm/.ssc/.osu refuse to save them "
                                "rather than move them (the JSON export keeps them)")


# ---------------------------------------------------------------------- charts
def _entry(chart, session) -> str:
    """A chart's line in the list: its label and its notes as ``info`` and the Stats panel count them (mines left
    out: :func:`chart.stats.note_count`, kept per chart by :mod:`editor.note_counts`)."""
    return f"{chart_label(chart)} · {note_counts(session).count(chart)} notes"


def _fill(combo, items: list[tuple[str, object]], current: int) -> None:
    """Replace a combo's items (text, data) and select ``current``, without emitting its signals."""
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
        combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)  # in full, where a long one is cut
    combo.setCurrentIndex(current)
    combo.blockSignals(False)


def refresh_chart_combo(win) -> None:
    """The toolbar's chart list (label and note count) and the Compare list (none, or another chart)."""
    combo = getattr(win, "chart_combo", None)
    if combo is None:
        return
    charts = win.session.doc.song.charts
    _fill(combo, [(_entry(c, win.session), None) for c in charts],
          next((i for i, c in enumerate(charts) if c is win.session.chart), 0))
    refresh_compare(win)


def _recount(win, chart_ids: set[str]) -> None:
    """The entries of the charts whose notes changed, only (:attr:`editor.note_counts.NoteCounts.recount`: once a
    drag or a recording take pauses)."""
    doc = win.session.doc
    for i, chart in enumerate(doc.song.charts):
        if i < win.chart_combo.count() and doc.chart_id(chart) in chart_ids:
            text = _entry(chart, win.session)
            win.chart_combo.setItemText(i, text)
            win.chart_combo.setItemData(i, text, Qt.ItemDataRole.ToolTipRole)


def compare(win, on: bool) -> None:
    """View > Compare: on = the next easier difficulty (:func:`editor.session.easier_chart`), off = none."""
    from editor.session import easier_chart

    session = win.session
    chart = easier_chart(session.doc.song.charts, session.chart) if on and session.chart is not None else None
    if on and chart is None:
        session.status.emit("Compare: this song has no other difficulty of this mode")
    session.set_reference(chart)
    refresh_compare(win)  # also when nothing changed: the check mark follows what is shown


def _compare_with(win, index: int | None) -> None:
    charts = win.session.doc.song.charts
    win.session.set_reference(charts[index] if index is not None and 0 <= index < len(charts) else None)
    win.timeline.setFocus()


def refresh_compare(win) -> None:
    """The Compare list (none, then every chart but the one being edited) and the View menu's check mark."""
    combo = getattr(win, "compare_combo", None)
    if combo is None:
        return
    session = win.session
    shown = session.shown_reference()
    # data: the song's chart index (the list is rebuilt whenever the charts change)
    others = [(i, c) for i, c in enumerate(session.doc.song.charts) if c is not session.chart]
    _fill(combo, [("none", None)] + [(chart_label(c), i) for i, c in others],
          next((k + 1 for k, (_, c) in enumerate(others) if c is shown), 0))
    action = win.actions["view.compare"]
    action.blockSignals(True)
    action.setChecked(shown is not None)
    action.blockSignals(False)

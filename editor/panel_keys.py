"""Panel keys stay in the panel: a chart shortcut never takes a key that the focused text field, number box,
drop-down or table uses itself.

The window's Ctrl/Alt shortcuts work wherever the focus is (Ctrl+S saves from a panel), so Ctrl+Backspace typed in
the Song title field rejected every AI draft instead of deleting a word, Alt+Down on a drop-down shifted the
selected notes, and Ctrl+C in the Timing table copied notes. Qt asks the focused widget first (a
``ShortcutOverride`` event); :class:`PanelKeyGuard` answers it for the editing keys of that kind of widget, so the
key goes to the widget. Keys a panel widget has no use for (Ctrl+S, Ctrl+Q, the F keys...) still reach the chart;
a function key typed in a text field or number box commits what was typed first, as leaving the field does (F6
switched the chart and dropped a description being typed, F11 nudged an offset being typed over). The guard is an
event filter on the widget that has the focus (put there as the focus moves), not on the whole application, so it
costs nothing while the notefield is typed in. An open menu keeps its keys the same way
(:class:`editor.menu_keys.MenuKeyGuard`, made with the guard).

A text widget keeps every key with a standard text meaning (any ``QKeySequence.StandardKey`` for moving, selecting,
deleting, copying, pasting, undoing; Ctrl+Shift+V, which pasted notes from a title field, and Ctrl+Shift+Z too)
and every key that types a character without Ctrl or Meta, Alt+letters included: Alt+T typed while naming a song
turned the selected notes into taps. Only the menu bar's own Alt mnemonics (Alt+F for File...) pass, as Qt routes
them through the same shortcut map: the chart's Alt letters are chosen never to clash with them
(:func:`editor.menus.menu_titles`).

A bare Escape in a panel's widget (any focusable widget of a panel dock: field, number box, list, slider, button)
or in the toolbar (its Snap, Note, Chart and Compare lists: :func:`home_area`)
commits what was typed there and gives the focus back to the notefield (``owner.timeline``), so that the next
chart key is the chart's (from a floating panel too: the main window is made the active one first, or the focus
stayed in the panel's window and the next key typed into its field); an open drop-down or completer popup and an
open table cell editor keep their Escape (it closes the popup, or cancels the cell's edit, as in Qt), and so does
a message box or dialog opened from a panel (:func:`panel_dock`: its buttons are parented to the panel, and Escape
in a "Delete chart" question moved the focus behind the box instead of answering No).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
    QWidget,
)

from editor.menu_keys import MenuKeyGuard
from editor.panels.fields import cell_view, commit_focused_field

SK = QKeySequence.StandardKey
#: What item views (the Timing table, lists) do with keys: copy a cell, select all, move.
VIEW_KEYS = (SK.Copy, SK.Cut, SK.Paste, SK.SelectAll, SK.MoveToStartOfDocument, SK.MoveToEndOfDocument,
             SK.SelectStartOfDocument, SK.SelectEndOfDocument, SK.MoveToNextPage, SK.MoveToPreviousPage)
#: What text fields do with keys, in the platform's spelling (Ctrl+Backspace deletes a word on Linux and Windows):
#: every standard key that moves, selects or deletes, and the clipboard and undo keys.
TEXT_KEYS = (*VIEW_KEYS, *(k for k in SK if k.name.startswith(("Move", "Select", "Delete"))), SK.Undo, SK.Redo,
             SK.Backspace, SK.Deselect, SK.InsertLineSeparator, SK.InsertParagraphSeparator)
CTRL, ALT, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ShiftModifier
K = Qt.Key
#: Keys a text widget takes whatever the platform's standard says (Ctrl+Backspace on every platform, Ctrl+Z/Y...).
TEXT_EXTRA = {(K.Key_Backspace, CTRL), (K.Key_Delete, CTRL), (K.Key_Z, CTRL), (K.Key_Y, CTRL), (K.Key_Z, CTRL | SHIFT),
              (K.Key_Left, CTRL), (K.Key_Right, CTRL), (K.Key_Left, CTRL | SHIFT), (K.Key_Right, CTRL | SHIFT),
              (K.Key_Home, CTRL), (K.Key_End, CTRL), (K.Key_Home, CTRL | SHIFT), (K.Key_End, CTRL | SHIFT),
              (K.Key_A, CTRL), (K.Key_C, CTRL), (K.Key_V, CTRL), (K.Key_X, CTRL), (K.Key_Insert, CTRL),
              (K.Key_Insert, SHIFT), (K.Key_Delete, SHIFT), (K.Key_V, CTRL | SHIFT)}
#: A drop-down opens on Alt+Down (and closes on Alt+Up); a number box steps on Up/Down, PgUp/PgDn.
COMBO_EXTRA = {(K.Key_Down, ALT), (K.Key_Up, ALT)}
VIEW_EXTRA = {(K.Key_A, CTRL), (K.Key_C, CTRL), (K.Key_V, CTRL), (K.Key_X, CTRL), (K.Key_Home, CTRL),
              (K.Key_End, CTRL), (K.Key_Home, CTRL | SHIFT), (K.Key_End, CTRL | SHIFT), (K.Key_Up, CTRL),
              (K.Key_Down, CTRL), (K.Key_Left, CTRL), (K.Key_Right, CTRL), (K.Key_Space, CTRL)}
META = Qt.KeyboardModifier.MetaModifier
MODIFIERS = CTRL | ALT | SHIFT | META


def kind_of(widget: QWidget | None) -> str | None:
    """'text', 'combo' (a drop-down that is not typed in) or 'view' for the widgets whose keys are guarded."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
        if isinstance(widget, (QTextEdit, QPlainTextEdit)) and widget.isReadOnly():
            return "view"  # a read-only log still copies and selects
        return "text"
    if isinstance(widget, QComboBox):
        return "text" if widget.isEditable() else "combo"
    if isinstance(widget, QAbstractItemView):
        return "view"
    return None


def widget_takes(kind: str, event: QKeyEvent, mnemonics: frozenset[QKeySequence] = frozenset()) -> bool:
    """Whether a widget of ``kind`` uses the key of ``event`` itself; ``mnemonics``: the menu bar's Alt keys,
    which a text widget lets through (module docstring)."""
    pair = (event.key(), event.modifiers() & MODIFIERS)
    if kind == "combo":
        return pair in COMBO_EXTRA
    if kind == "view":
        return pair in VIEW_EXTRA or any(event.matches(k) for k in VIEW_KEYS)
    if pair in TEXT_EXTRA or pair in COMBO_EXTRA or any(event.matches(k) for k in TEXT_KEYS):
        return True
    return types_text(event) and QKeySequence(event.keyCombination()) not in mnemonics


def types_text(event: QKeyEvent) -> bool:
    """Whether the key types a character: no Ctrl or Meta, and a printable key (Alt+T is the letter t with Alt,
    whatever text the platform puts in the event)."""
    if event.modifiers() & (CTRL | META):
        return False
    text, key = event.text(), event.key()
    return (bool(text) and text.isprintable()) or K.Key_Space <= key <= K.Key_AsciiTilde or 0xA0 <= key <= 0xFF


def _within(widget: QWidget, kind: type[QWidget]) -> QWidget | None:
    """The ``kind`` widget that ``widget`` is in, within the same window (not past a dialog or message box)."""
    parent: QWidget | None = widget
    while parent is not None and not isinstance(parent, kind):
        if parent.isWindow():
            return None
        parent = parent.parentWidget()
    return parent


def panel_dock(widget: QWidget) -> QDockWidget | None:
    """The dock whose panel ``widget`` is in, within the same window: a message box or dialog opened from a panel
    is a window of its own (its buttons are parented to the panel), and its Escape is its own."""
    dock = _within(widget, QDockWidget)
    return dock if isinstance(dock, QDockWidget) else None


def home_area(widget: QWidget) -> QWidget | None:
    """The panel dock (:func:`panel_dock`) or the window's tool bar ``widget`` is in: where Escape goes back to the
    notefield from. None elsewhere (the notefield, a dialog, a menu)."""
    dock = panel_dock(widget)
    return dock if dock is not None else _within(widget, QToolBar)


class PanelKeyGuard(QObject):
    """Keeps the editing keys of the text fields, number boxes, drop-downs and item views of ``owner`` (the main
    window) away from its shortcuts."""

    def __init__(self, owner: QWidget):
        super().__init__(owner)
        self.owner = owner
        self.menu_guard = MenuKeyGuard(owner.menuBar()) if isinstance(owner, QMainWindow) else None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._focus_changed(None, app.focusWidget())

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        parent: QWidget | None = new
        while parent is not None and parent is not self.owner:  # a floating panel is a window of its own
            parent = parent.parentWidget()
        if parent is not None and (home_area(new) is not None or kind_of(new) is not None):
            new.installEventFilter(self)  # once per widget: Qt drops a repeated filter before adding it again

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == K.Key_Escape \
                and not event.modifiers() & MODIFIERS and isinstance(watched, QWidget) and watched.hasFocus():
            return self._escape(watched)
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and isinstance(watched, QWidget) and watched.hasFocus():
            kind = kind_of(watched)
            if kind is not None and widget_takes(kind, event, self._mnemonics() if kind == "text" else frozenset()):
                event.accept()  # the widget gets it as a key press, the shortcut does not fire
                return True
            if kind == "text" and K.Key_F1 <= event.key() <= K.Key_F35:
                commit_focused_field(self.owner)  # before the F key's action reads or replaces the field's value
        return False

    def _escape(self, widget: QWidget) -> bool:
        """Escape in a panel or toolbar widget: commit it and go back to the notefield (module docstring). False
        (the widget gets the key) outside the panel docks and the tool bar, in a cell editor, or while a popup is
        open."""
        home = getattr(self.owner, "timeline", None)
        if not isinstance(home, QWidget) or home.isAncestorOf(widget) or home is widget \
                or QApplication.activePopupWidget() is not None or QApplication.activeModalWidget() is not None \
                or cell_view(widget) is not None:
            return False
        area = home_area(widget)
        if area is None:
            return False
        commit_focused_field(self.owner)
        if area.isWindow():  # a floating dock or tool bar: the notefield's window must become the active one
            self.owner.activateWindow()
        home.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def _mnemonics(self) -> frozenset[QKeySequence]:
        """The Alt keys of the owner's menu bar (``&File`` -> Alt+F), read as the key comes: menus are renamed."""
        bar = self.owner.menuBar() if isinstance(self.owner, QMainWindow) else None
        if bar is None:
            return frozenset()
        return frozenset(QKeySequence.mnemonic(a.text()) for a in bar.actions() if "&" in a.text())

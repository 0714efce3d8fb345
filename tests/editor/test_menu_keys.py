"""An open menu keeps its keys: a menu item's underlined letter picks the item instead of firing a one-key chart
shortcut (Alt+E, Q quantizes rather than changing the note type; Alt+V, P shows the AI curve rather than playing a
loop), a tap on Alt then a letter opens that menu, and every menu's mnemonics are unique, so one letter picks one
item. Menus other engineers add are walked too."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

pytestmark = pytest.mark.qt
K, ALT = Qt.Key, Qt.KeyboardModifier.AltModifier


def fired(win) -> list[str]:
    seen: list[str] = []
    for aid, action in win.actions.actions.items():
        action.triggered.connect(lambda _=False, aid=aid: seen.append(aid))
    return seen


def close_popups(qtbot) -> None:
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()
        qtbot.wait(5)


@pytest.mark.parametrize(("menu_key", "letter", "meant", "not_this"), [
    (K.Key_E, K.Key_Q, "edit.quantize", "edit.kind_next"),
    (K.Key_E, K.Key_P, "edit.paste", "play.loop"),
    (K.Key_V, K.Key_P, "view.curve", "play.loop"),
    (K.Key_V, K.Key_Right, None, "nav.snap_finer"),  # Right goes on to the next menu
])
def test_a_letter_in_an_open_menu_picks_its_item_not_a_one_key_shortcut(opened, qtbot, qtlog, menu_key, letter, meant,
                                                                         not_this):
    win = opened
    seen = fired(win)
    with qtlog.disabled():  # the offscreen platform cannot grab the keyboard for a menu, and says so
        qtbot.keyClick(win.timeline, menu_key, ALT)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=3000)
        qtbot.keyClick(QApplication.activePopupWidget(), letter)
        qtbot.wait(20)
        close_popups(qtbot)
    assert not_this not in seen
    if meant is not None:
        assert seen == [meant]


def test_a_tap_on_alt_then_a_letter_opens_that_menu(opened, qtbot, qtlog):
    win = opened
    seen = fired(win)
    with qtlog.disabled():
        qtbot.keyPress(win.timeline, K.Key_Alt)
        qtbot.keyRelease(win.timeline, K.Key_Alt, ALT)
        bar = win.menuBar()
        qtbot.waitUntil(bar.hasFocus, timeout=3000)
        qtbot.keyClick(bar, K.Key_P)  # P: Play Selection in a Loop on the notefield
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=3000)
        assert QApplication.activePopupWidget().title().replace("&", "") == "Playback"
        close_popups(qtbot)
    assert seen == []


def test_one_key_shortcuts_still_work_on_the_notefield_and_show_in_the_menus(opened, qtbot):
    win = opened
    seen = fired(win)
    qtbot.keyClick(win.timeline, K.Key_Q)
    assert seen == ["edit.kind_next"]
    edit = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "Edit")
    assert win.actions["edit.kind_next"] in edit.actions()
    assert win.actions["edit.kind_next"].shortcut().toString() == "Q"


def all_menus(menu: QMenu) -> list[QMenu]:
    out = [menu]
    for action in menu.actions():
        if action.menu() is not None:
            out += all_menus(action.menu())
    return out


def test_every_menu_s_mnemonics_are_unique(opened):
    win = opened
    bar_keys = Counter(QKeySequence.mnemonic(a.text()).toString() for a in win.menuBar().actions())
    assert [k for k, n in bar_keys.items() if k and n > 1] == []
    menus = [m for top in win.menuBar().actions() for m in all_menus(top.menu())]
    assert len(menus) > 10  # File ... Help, Open Recent, Select By, Expand / Compress, Convert, ...
    clashes = {}
    for menu in menus:
        menu.aboutToShow.emit()  # the texts some menus set as they open (Edit > Hitsounds' header)
        keys = Counter(QKeySequence.mnemonic(a.text()).toString() for a in menu.actions()
                       if not a.isSeparator() and a.isVisible())
        same = sorted(k for k, n in keys.items() if k and n > 1)
        if same:
            clashes[menu.title()] = [(k, [a.text() for a in menu.actions()
                                          if QKeySequence.mnemonic(a.text()).toString() == k]) for k in same]
    assert clashes == {}


def test_a_recent_file_with_an_ampersand_shows_it_and_takes_no_letter(opened, tmp_path):
    from editor.menus import _fill_recent

    win = opened
    _fill_recent(win, [str(tmp_path / "Rock & Roll" / "song.ssc")])
    action = win.recent_menu.actions()[0]
    assert QKeySequence.mnemonic(action.text()).isEmpty()
    assert action.text().replace("&&", "&").endswith("Rock & Roll/song.ssc")

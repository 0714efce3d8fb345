"""Every editor command as a QAction with a remappable shortcut.

Defaults follow ArrowVortex where it has an answer (number keys place notes, arrows walk the snap and change it,
T/Y/G mirror, F3/F4 ticks, Space plays, Shift+Left/Right change the playback rate), then SMEditor (``,``/``.``
previous/next note; F7/F8 and F11/F12 nudge the BPM and the offset, as in StepMania 5's editor) and common
desktop conventions elsewhere. The keymap is a JSON file of
``{"action id": "shortcut"}``: ``resources/keymap.json`` ships the defaults, and a user file of the same shape
(``<app data>/keymap.json``) overrides any subset. An empty string removes a shortcut. Keys are read as Qt reads
them, plus the spellings the docs and other programs use (``PgDn``, ``PageDown``, ``Spacebar``, ``Control``:
:data:`KEY_ALIASES`); an entry that still cannot be used is left out with a warning, and the others apply.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from chart.fileio import atomic_write_text
from editor.key_reading import KEY_ALIASES as KEY_ALIASES  # (re-exported: the docs name it here)
from editor.key_reading import key_problem, normal_key
from editor.keypad_enter import KeypadEnter
from editor.panel_keys import PanelKeyGuard

REPO = Path(__file__).resolve().parent.parent
DEFAULT_KEYMAP = REPO / "resources" / "keymap.json"


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    shortcut: str = ""
    checkable: bool = False
    tip: str = ""


def ordinal(n: int) -> str:
    """``32nd``, ``12th``, ``192nd``: a snap's English name ("32ths" read as a typo)."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


SPECS: tuple[ActionSpec, ...] = (
    # file
    ActionSpec("file.new_from_audio", "&New Song from Audio...", "Ctrl+N"),
    ActionSpec("file.open", "&Open...", "Ctrl+O", tip="A chart file (.ssc .sm .osu .json), an .osz archive or an audio file"),
    ActionSpec("file.open_folder", "Open &Folder...", "Ctrl+Shift+O",
               tip="A song folder, or an osu! beatmap set: all its difficulties open as one song"),
    ActionSpec("file.save", "&Save", "Ctrl+S"),
    ActionSpec("file.save_as", "Save &As...", "Ctrl+Shift+S"),
    ActionSpec("file.export", "&Export...", "Ctrl+E", tip="Run Verify, then write .sm/.ssc/.osu/.osz/.json"),
    ActionSpec("file.music_to_ogg", "Convert &Music to Ogg", ""),
    ActionSpec("file.quit", "&Quit", "Ctrl+Q"),
    # edit
    ActionSpec("edit.undo", "&Undo", "Ctrl+Z"),
    ActionSpec("edit.redo", "&Redo", "Ctrl+Y"),
    ActionSpec("edit.cut", "Cu&t", "Ctrl+X"),
    ActionSpec("edit.copy", "&Copy", "Ctrl+C"),
    ActionSpec("edit.paste", "&Paste at Cursor", "Ctrl+V"),
    ActionSpec("edit.paste_keep", "Paste &Keeping Notes", "Ctrl+Shift+V",
               tip="Paste at the cursor; the chart's notes stay, pasted notes on or inside them are skipped"),
    ActionSpec("edit.copy_timestamp", "Copy Time&stamp", "Ctrl+Alt+C",
               tip="The selection (else the cursor) as an osu! review timestamp: mm:ss:mmm (ms|lane,...) - "),
    ActionSpec("edit.go_to_timestamp", "&Go to Timestamp...", "Ctrl+G",
               tip="Move to an osu! timestamp pasted from a review (and select its notes), a time, b123 or m45"),
    ActionSpec("edit.delete", "&Delete", "Delete"),
    ActionSpec("edit.select_all", "Select &All", "Ctrl+A"),
    ActionSpec("edit.select_none", "Select &None", "Escape"),
    *[ActionSpec(f"edit.select_snap_{d}", {4: "Select 4ths (on Beats)", 192: "Select 96ths, Finer and Other Snaps"
                                           }.get(d, f"Select {ordinal(d)}s"), "",
                 tip="Keep, in the selection (or the chart), the notes whose coarsest snap is this one" + (
                     " (or finer, or a custom snap not listed: 1/20, 1/28...)" if d == 192 else ""))
      for d in (4, 8, 12, 16, 24, 32, 48, 64, 192)],
    ActionSpec("edit.select_jumps", "Select Jumps", "", tip="The arrows of rows with two or more arrows"),
    ActionSpec("edit.select_holds", "Select Holds and Rolls", ""),
    ActionSpec("edit.select_mines", "Select Mines", ""),
    ActionSpec("edit.select_after", "Select from Cursor to End", "Ctrl+Shift+End"),
    ActionSpec("edit.select_before", "Select from Start to Cursor", "Ctrl+Shift+Home"),
    ActionSpec("edit.range_up", "Extend Range Up", "Shift+Up"),
    ActionSpec("edit.range_down", "Extend Range Down", "Shift+Down"),
    ActionSpec("edit.mirror", "&Mirror Lanes", "T"),
    ActionSpec("edit.flip", "&Flip in Time", "Y"),
    ActionSpec("edit.mirror_flip", "Mirror and Flip", "G"),
    ActionSpec("edit.turn_left", "Turn &Left (arrows a quarter counter-clockwise)", ""),
    ActionSpec("edit.turn_right", "Turn R&ight (arrows a quarter clockwise)", ""),
    ActionSpec("edit.shuffle", "S&huffle Lanes", ""),
    ActionSpec("edit.shift_up", "Shift Earlier by Snap", "Alt+Up"),
    ActionSpec("edit.shift_down", "Shift Later by Snap", "Alt+Down"),
    ActionSpec("edit.to_tap", "Convert to &Taps", "Alt+T"),
    ActionSpec("edit.quantize", "&Quantize to the Snap", "Alt+Q"),
    ActionSpec("edit.expand_2_1", "Expand 2:1 (16ths to 8ths)", ""),
    ActionSpec("edit.compress_1_2", "Compress 1:2 (8ths to 16ths)", ""),
    ActionSpec("edit.expand_3_2", "Expand 3:2 (12ths to 8ths)", ""),
    ActionSpec("edit.compress_2_3", "Compress 2:3 (8ths to 12ths)", ""),
    ActionSpec("edit.expand_4_3", "Expand 4:3 (16ths to 12ths)", ""),
    ActionSpec("edit.compress_3_4", "Compress 3:4 (12ths to 16ths)", ""),
    ActionSpec("edit.to_hold", "Convert to &Holds", "Alt+H"),
    ActionSpec("edit.to_roll", "Convert to &Rolls", "Alt+R"),
    ActionSpec("edit.to_mine", "Convert to &Mines", "Alt+M"),
    ActionSpec("edit.to_lift", "Convert to L&ifts", "",
               tip="The selection becomes lifts (judged on release; a hold keeps only its head); a selection of "
                   "lifts only becomes taps again"),
    ActionSpec("edit.to_fake", "Convert to Fa&kes", "",
               tip="The selection becomes fakes (drawn, never judged; a hold keeps only its head); a selection of "
                   "fakes only becomes taps again"),
    # osu! hitsounds (editor.controllers.hitsounds): osu!'s W/E/R and Shift+Q-R; its Alt+Q-R sets get Shift here
    *[ActionSpec(f"edit.hitsound_{name.lower()}", f"&{name}", key, checkable=True,
                 tip=f"{name} on the selected notes (else the cursor's row); off when all have it (osu! maps)")
      for name, key in (("Whistle", "W"), ("Finish", "E"), ("Clap", "R"))],
    *[ActionSpec(f"edit.{field.lower()}_set_{name.lower()}", f"{field} Set: {name}", f"{mod}+{key}", checkable=True)
      for field, mod in (("Normal", "Shift"), ("Addition", "Shift+Alt"))
      for name, key in zip(("Auto", "Normal", "Soft", "Drum"), "QWER", strict=True)],
    ActionSpec("edit.hitsound_custom", "Sample &Index and Volume...", ""),
    ActionSpec("edit.hitsound_reset", "&Default Hitsounds", "",
               tip="No additions, Auto sample sets, no custom index, volume or file on the notes"),
    *[ActionSpec(f"edit.place_{k}", f"Place Note in Lane {k}", str(k % 10)) for k in range(1, 11)],  # 5-10: 5K-10K
    ActionSpec("edit.kind_next", "Next Note Type (tap/mine/roll/lift/fake)", "Q"),
    ActionSpec("edit.step_entry", "Step &Entry", "Ctrl+Shift+E", checkable=True,
               tip="After a lane key places (or removes) a note, the cursor moves on one snap step once the keys "
                   "are up; keys pressed together make a jump"),
    # navigation / view
    ActionSpec("nav.up", "Cursor Up by Snap", "Up"),
    ActionSpec("nav.down", "Cursor Down by Snap", "Down"),
    ActionSpec("nav.measure_up", "Cursor Up by Measure", "PgUp"),  # up the screen: later in reverse scroll
    ActionSpec("nav.measure_down", "Cursor Down by Measure", "PgDown"),
    ActionSpec("nav.prev_label", "Previous Label", "Ctrl+PgUp", tip="Go to the previous label (Timing panel)"),
    ActionSpec("nav.next_label", "Next Label", "Ctrl+PgDown", tip="Go to the next label (Timing panel)"),
    ActionSpec("nav.prev_note", "Previous Note", ",", tip="Go to the previous row with a note of this chart"),
    ActionSpec("nav.next_note", "Next Note", ".", tip="Go to the next row with a note of this chart"),
    ActionSpec("nav.prev_stream", "Previous Stream Start", "Ctrl+Shift+PgUp",
               tip="Go to the start of the previous stream: 8 or more rows, 16ths or closer"),
    ActionSpec("nav.next_stream", "Next Stream Start", "Ctrl+Shift+PgDown",
               tip="Go to the start of the next stream: 8 or more rows, 16ths or closer"),
    ActionSpec("nav.start", "Song Start", "Home"),
    ActionSpec("nav.end", "Song End", "End"),
    ActionSpec("nav.snap_finer", "Finer Snap", "Right"),
    ActionSpec("nav.snap_coarser", "Coarser Snap", "Left"),
    ActionSpec("view.zoom_in", "Zoom &In", "Ctrl+Up"),
    ActionSpec("view.zoom_out", "Zoom &Out", "Ctrl+Down"),
    ActionSpec("view.spectrogram", "&Spectrogram Lane", "Ctrl+Shift+G", checkable=True),
    ActionSpec("view.curve", "AI &Probability Curve", "Ctrl+Shift+P", checkable=True),
    ActionSpec("view.feet", "&Foot Labels", "Ctrl+Shift+F", checkable=True),
    ActionSpec("view.beat_spaced", "&Beat-Spaced (X-mod)", "Ctrl+Shift+X", checkable=True,
               tip="Every beat equally tall and stops take no room (X-mod); off: the height of a beat follows the "
                   "tempo and the waveform is undistorted (C-mod)"),
    ActionSpec("view.reverse", "&Reverse Scroll", "Ctrl+Shift+R", checkable=True,
               tip="Time runs up the notefield (StepMania's Reverse): the cursor near the bottom, the notes to come "
                   "above it; the wheel and Up/Down still move the cursor the way they point on screen"),
    ActionSpec("view.prev_chart", "Previous Difficulty", "F5"),
    ActionSpec("view.next_chart", "Next Difficulty", "F6"),
    ActionSpec("view.compare", "&Compare with an Easier Difficulty", "Ctrl+Shift+C", checkable=True),
    ActionSpec("view.messages", "&Messages...", "", tip="Every status message of this session with its time "
               "(also a click on the message line)"),
    # playback
    ActionSpec("play.toggle", "&Play / Pause", "Space"),
    ActionSpec("play.loop", "Play &Selection in a Loop", "P"),
    ActionSpec("play.rate_down", "Slower Playback Rate", "Shift+Left", tip="5 % slower, down to 25 %"),
    ActionSpec("play.rate_up", "Faster Playback Rate", "Shift+Right", tip="5 % faster, up to 100 %"),
    ActionSpec("play.rate_reset", "Playback Rate 100 %", "Ctrl+Shift+Right"),
    ActionSpec("play.beat_ticks", "&Beat Ticks", "F3", checkable=True),
    ActionSpec("play.note_ticks", "&Note Ticks", "F4", checkable=True),
    ActionSpec("play.hitsounds", "&Hitsounds (osu! Maps)", "Shift+F4", checkable=True,
               tip="An osu! map's notes play their hitsounds (the set folder's samples, else built-in ones) "
                   "instead of the note tick"),
    ActionSpec("play.calibrate", "&Latency Calibration...", ""),
    ActionSpec("play.test", "&Test Play from Cursor", "Ctrl+T",
               tip="Play the chart with the keyboard (D F J K or the arrows), judged; Esc ends"),
    ActionSpec("play.record", "&Record from Cursor", "Ctrl+R",
               tip="Tap along with the song (D F J K, the arrows or 1-4): notes land on the snap; hold a key for a "
                   "hold; Esc ends (one undo step)"),
    ActionSpec("play.record_replace", "Record R&eplaces Notes", "", checkable=True,
               tip="On: recording clears the passage it plays through; off: the chart's notes stay"),
    # timing (SM5's editor nudges the BPM and the offset with F7/F8 and F11/F12)
    ActionSpec("timing.detect", "&Detect Tempo...", "",
               tip="Detect the BPM and first beat of the loaded audio and set the timing to one (one undo step)"),
    ActionSpec("timing.tap", "&Tap Tempo...", "", tip="Tap along with the song for its BPM and first beat"),
    ActionSpec("timing.detect_section", "Detect Tempo of Se&lection...", "",
               tip="Detect the BPM of the selected section (6 s or more) and put it on its first beat; the tempo "
                   "after it stays (one undo step)"),
    ActionSpec("timing.bpm_down", "BPM at Cursor -0.01", "F7"),
    ActionSpec("timing.bpm_up", "BPM at Cursor +0.01", "F8"),
    ActionSpec("timing.bpm_down_big", "BPM at Cursor -0.1", "Shift+F7"),
    ActionSpec("timing.bpm_up_big", "BPM at Cursor +0.1", "Shift+F8"),
    ActionSpec("timing.offset_down", "Offset -1 ms", "F11", tip="#OFFSET 1 ms lower: the grid 1 ms later"),
    ActionSpec("timing.offset_up", "Offset +1 ms", "F12", tip="#OFFSET 1 ms higher: the grid 1 ms earlier"),
    ActionSpec("timing.offset_down_big", "Offset -10 ms", "Shift+F11"),
    ActionSpec("timing.offset_up_big", "Offset +10 ms", "Shift+F12"),
    ActionSpec("timing.sync_to_mouse", "&Sync Beat at Cursor to Mouse", "Shift+V",
               tip="The cursor's beat moves to the time under the pointer (also Shift+Alt+click on the notefield); "
                   "the notes stay on their beats"),
    ActionSpec("timing.sync_keep_later", "Sync &Keeps Later Beats in Time", "", checkable=True,
               tip="A sync puts a BPM change on the synced beat: what follows keeps its tempo, and from the next "
                   "BPM change on its time"),
    # AI
    ActionSpec("ai.accept", "Accept Drafts in Selection/Measure", "Return"),
    ActionSpec("ai.reject", "Reject Drafts in Selection/Measure", "Backspace"),
    ActionSpec("ai.accept_all", "Accept All Drafts in This Chart", "Ctrl+Return"),
    ActionSpec("ai.reject_all", "Reject All Drafts in This Chart", "Ctrl+Backspace"),
    ActionSpec("ai.arrows", "Suggest &Arrows for Selection", "Ctrl+Shift+A",
               tip="Keep the selection's rhythm; the lane model draws its arrows as ghosts"),  # + the variant keys: menus
    ActionSpec("ai.next_variant", "Next Draft Variant", "]"),
    ActionSpec("ai.prev_variant", "Previous Draft Variant", "["),
    ActionSpec("help.keymap", "&Keyboard Shortcuts", "F1"),
)
SPEC_BY_ID = {s.id: s for s in SPECS}


class KeymapError(ValueError):
    """A keymap file that cannot be used (bad JSON, unknown action, invalid shortcut)."""


def read_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """``{action id: shortcut}`` from a JSON file (UTF-8, with or without a BOM), and one line per entry left out
    (an unknown action, a key Qt cannot read or never fires: :func:`~editor.key_reading.key_problem`): a bad
    entry costs only itself. Raises KeymapError with one line when the file as a whole cannot be used
    (unreadable, bad JSON, not an object)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:  # damaged or hostile: '[[[[...' deeper than Python parses
        raise KeymapError(f"cannot read keymap {path.name}: JSON nested too deeply") from None
    except (OSError, ValueError) as exc:
        raise KeymapError(f"cannot read keymap {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise KeymapError(f"keymap {path.name} must be a JSON object of action id -> shortcut")
    out: dict[str, str] = {}
    refused: list[str] = []
    for key, value in data.items():
        if key.startswith("_"):
            continue  # comments
        if key not in SPEC_BY_ID:
            near = difflib.get_close_matches(key, SPEC_BY_ID, n=1)  # a typo: 'edit.mirorr' -> 'edit.mirror'
            refused.append(f"unknown action {key!r} ({f'did you mean {near[0]!r}? ' if near else ''}the action ids "
                           f"are those of resources/keymap.json)")
        elif not isinstance(value, str) or (value and key_problem(normal_key(value))):
            why = key_problem(normal_key(value) if isinstance(value, str) else "")  # a number: as unreadable
            refused.append(f"invalid shortcut {value!r} for {key} ({why})")
        else:
            out[key] = normal_key(value)
    return out, refused


def _title(action: str) -> str:
    """An action's menu text without its mnemonic mark."""
    return SPEC_BY_ID[action].text.replace("&", "")


def effective_keymap(user_file: Path | None) -> tuple[dict[str, str], str | None]:
    """Shipped defaults overridden by the user file. Returns (keymap, warning or None).

    A key the user gives one action that another action has too would make Qt fire neither ("ambiguous
    shortcut"): the user's choice wins, the other action loses the key, and the warning says so. So it goes when one
    is the start of the other ("T, L" and Mirror's "T"): Qt would fire the shorter one and never see the rest."""
    keymap = {s.id: s.shortcut for s in SPECS}
    warning = None
    chosen: dict[str, str] = {}
    defaults = keymap  # the shipped keys (SPECS, resources/keymap.json), before the user's file
    for path in (DEFAULT_KEYMAP, user_file):
        if path is None or not path.is_file():
            continue
        try:
            mine, refused = read_keymap(path)
        except KeymapError as exc:
            warning = str(exc)
            continue
        if refused:
            warning = f"keymap {path.name}: left out {'; '.join(refused)}; its other keys apply"
        if path == user_file:
            chosen, defaults = mine, dict(keymap)
        keymap.update(mine)
    clashes = []
    owner: dict[tuple[int, ...], str] = {}  # the user's keys -> the action that keeps them (the first in the file)
    for action, key in chosen.items():
        if not key:
            continue
        wanted = _combos(key)
        first = next((a for k, a in owner.items() if _overlap(k, wanted)), None)
        if first is not None:
            keymap[action] = ""
            clashes.append(f"{_text(key)} is given to {_title(first)}{_start(keymap[first], key)} and "
                           f"{_title(action)}: the first keeps it")
            continue
        owner[wanted] = action
        for other, theirs in keymap.items():
            if other not in chosen and theirs and _overlap(_combos(theirs), wanted):
                keymap[other] = ""
                clashes.append(f"{_text(key)} now does {_title(action)}, so {_title(other)}{_start(theirs, key)} "
                               "has no shortcut")
    from editor.menus import menu_keys_taken  # (menus binds the actions: imported when a window is made)

    clashes += menu_keys_taken(defaults, keymap, chosen, _title)  # Alt+F: the File menu's key
    if clashes:
        text = "keymap: " + "; ".join(clashes)
        warning = f"{warning}; {text}" if warning else text
    return keymap, warning


def _combos(key: str) -> tuple[int, ...]:
    sequence = QKeySequence(key)
    # PySide6's stubs lack QKeySequence.__getitem__ (Qt's operator[], a QKeyCombination)
    return tuple(sequence[i].toCombined() for i in range(sequence.count()))  # type: ignore[index]


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two key sequences are one, or one starts the other (Qt could never see the longer one through)."""
    return a[:len(b)] == b or b[:len(a)] == a


def _text(key: str) -> str:
    return QKeySequence(key).toString()


def _start(theirs: str, key: str) -> str:
    """'' when two shortcuts are one key; else which starts which, for the warning."""
    if _combos(theirs) == _combos(key):
        return ""
    return f" ({_text(theirs)}: one starts the other)"


def write_default_keymap(path: Path = DEFAULT_KEYMAP) -> None:
    """Write the built-in defaults as a keymap file (regenerates resources/keymap.json)."""
    data = {"_comment": "action id -> shortcut (Qt key sequence text); an empty string removes it"}
    data.update({s.id: s.shortcut for s in SPECS})
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _is_bare(sequence: QKeySequence) -> bool:
    """Whether a shortcut is a key without Ctrl/Alt/Meta that a panel's widget may use itself (digits, letters,
    arrows, Space, Delete ...). The function keys are no widget's: F1, F5/F6, F7/F8 and F11/F12 work from a panel's
    field, list or tab bar too (bound to the notefield, they did nothing there)."""
    if sequence.isEmpty():
        return False
    combo = sequence[0]  # type: ignore[index]  # stubs lack QKeySequence.__getitem__ (Qt's operator[])
    if Qt.Key.Key_F1 <= combo.key() <= Qt.Key.Key_F35:
        return False
    mods = combo.keyboardModifiers()
    return not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                       | Qt.KeyboardModifier.MetaModifier)


class ActionSet:
    """The QActions of one window, created from SPECS and the keymap.

    Shortcuts without Ctrl/Alt (1-4, arrows, Space, T ...) are bound to ``focus_owner`` (the notefield and the
    minimap) so that typing in a panel's text field or walking a list never edits the chart; the others (and the
    function keys) work from the panels too, except the editing keys of the focused field, drop-down or table
    (Ctrl+Backspace, Ctrl+C, Alt+Down ...), which :class:`~editor.panel_keys.PanelKeyGuard` leaves to it. While a
    menu is open, its letters are its own (:class:`~editor.menu_keys.MenuKeyGuard`).
    """

    def __init__(self, owner: QWidget, keymap: dict[str, str], focus_owner: QWidget | None = None):
        self.actions: dict[str, QAction] = {}
        for spec in SPECS:
            action = QAction(spec.text, owner)
            action.setObjectName(spec.id)
            action.setCheckable(spec.checkable)
            shortcut = QKeySequence(keymap.get(spec.id, spec.shortcut))
            if not shortcut.isEmpty():
                action.setShortcut(shortcut)
            if spec.tip:
                action.setStatusTip(spec.tip)
            if focus_owner is not None and _is_bare(shortcut):
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                focus_owner.addAction(action)
            else:
                owner.addAction(action)  # shortcuts work even for actions that are in no menu
            self.actions[spec.id] = action
        self.key_guard = PanelKeyGuard(owner)
        if focus_owner is not None:  # the keypad's Enter as Return there (Accept Drafts...)
            self.keypad_enter = KeypadEnter(focus_owner, self.actions)

    def __getitem__(self, action_id: str) -> QAction:
        return self.actions[action_id]

    def bind(self, action_id: str, slot: Callable[..., object]) -> None:
        action = self.actions[action_id]
        if action.isCheckable():
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())

    def shortcut_table(self) -> list[tuple[str, str]]:
        """(shortcut, description) rows for the help dialog."""
        return [(a.shortcut().toString(), a.text().replace("&", "")) for a in self.actions.values()
                if not a.shortcut().isEmpty()]

"""Menus of the main window, and the binding of every action to its controller (the toolbar: editor/toolbar.py)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from PySide6.QtGui import QKeySequence

from chart.notes import NoteKind
from chart.select import SNAP_CLASSES
from editor.actions import SPEC_BY_ID, effective_keymap
from editor.controllers import rate_keys
from editor.controllers.jumps import step_label, step_note, step_stream
from editor.controllers.key_holds import N_LANES_WITH_KEYS
from editor.controllers.select_by import bind_select
from editor.key_hints import follow_keys, key_text
from editor.toolbar import compare

MENUS = {
    "&File": ["file.new_from_audio", "file.open", "file.open_folder", "@recent", "-", "file.save", "file.save_as", "file.export",
              "file.music_to_ogg", "-",
              "file.quit"],
    "&Edit": ["edit.undo", "edit.redo", "-", "edit.cut", "edit.copy", "edit.paste", "edit.paste_keep", "edit.delete", "-",
              "edit.copy_timestamp", "edit.go_to_timestamp", "-",
              "edit.select_all", "edit.select_none", "@select", "edit.range_up", "edit.range_down", "-", "edit.mirror",
              "edit.flip", "edit.mirror_flip", "edit.turn_left", "edit.turn_right", "edit.shuffle", "edit.shift_up", "edit.shift_down", "edit.quantize", "@scale", "-",
              "@convert", "-", "@hitsounds", "-", "edit.kind_next",
              "edit.step_entry"],
    "&View": ["view.zoom_in", "view.zoom_out", "-", "nav.snap_finer", "nav.snap_coarser", "-", "nav.start",
              "nav.end", "nav.prev_label", "nav.next_label", "nav.prev_note", "nav.next_note", "nav.prev_stream",
              "nav.next_stream", "-", "view.spectrogram", "view.curve", "view.feet", "view.beat_spaced", "view.reverse", "-", "view.prev_chart", "view.next_chart",
              "view.compare", "-", "view.messages"],
    "&Playback": ["play.toggle", "play.loop", "-", "play.rate_down", "play.rate_up", "play.rate_reset", "-",
                  "play.beat_ticks", "play.note_ticks", "play.hitsounds", "-", "play.test",
                  "play.record", "play.record_replace", "-", "play.calibrate"],
    "&Timing": ["timing.detect", "timing.detect_section", "timing.tap", "-", "timing.bpm_down", "timing.bpm_up",
                "timing.bpm_down_big", "timing.bpm_up_big", "-", "timing.offset_down", "timing.offset_up",
                "timing.offset_down_big", "timing.offset_up_big", "-", "timing.sync_to_mouse",
                "timing.sync_keep_later"],
    "&AI": ["ai.accept", "ai.reject", "ai.accept_all", "ai.reject_all", "-", "ai.arrows", "ai.next_variant",
            "ai.prev_variant"],
    "Plu&gins": ["@plugins"],
    "&Help": ["help.keymap"],
}


SELECT_IDS = (*[f"edit.select_snap_{d}" for d in SNAP_CLASSES], "-", "edit.select_jumps", "edit.select_holds",
              "edit.select_mines", "-", "edit.select_after", "edit.select_before")
SCALE_RATIOS = (Fraction(2), Fraction(1, 2), Fraction(3, 2), Fraction(2, 3), Fraction(4, 3), Fraction(3, 4))
#: Edit > Convert: a submenu of its own, as the six letters T H R M I K could not all be mnemonics in the Edit menu
CONVERT_IDS = ("edit.to_tap", "edit.to_hold", "edit.to_roll", "edit.to_mine", "edit.to_lift", "edit.to_fake")


def _scale_id(ratio: Fraction) -> str:
    """``expand_2_1`` / ``compress_1_2``: the action id of a time scaling."""
    return f"{'expand' if ratio > 1 else 'compress'}_{ratio.numerator}_{ratio.denominator}"


def alt_letter(key: str) -> str | None:
    """The letter a shortcut takes with Alt alone (``Alt+H`` -> ``h``), else None."""
    text = QKeySequence(key).toString()
    return text[4].lower() if text.startswith("Alt+") and len(text) == 5 and text[4].isalpha() else None


def alt_letters(actions) -> set[str]:
    """Letters that an action's shortcut takes with Alt alone (Alt+H: Convert to Holds), lower case."""
    letters = (alt_letter(action.shortcut().toString()) for action in actions.actions.values())
    return {letter for letter in letters if letter is not None}


def menu_keys_taken(defaults: dict[str, str], keymap: dict[str, str], chosen: dict[str, str],
                    title: Callable[[str], str]) -> list[str]:
    """What the user's keys (``chosen``, in effect in ``keymap``) take from the menu bar: one line per menu whose
    Alt key one of them took ("Alt+F now does Convert to Fakes, so the File menu opens with Alt+I"), against the
    menus with the shipped ``defaults``. ``title``: an action's name for the line."""
    def titles(keys: dict[str, str], before: list[str] | None = None) -> list[str]:
        return menu_titles(MENUS, {x for x in map(alt_letter, keys.values()) if x is not None}, before)

    mine = {letter: action for action, key in chosen.items()
            if keymap.get(action) == key and (letter := alt_letter(key)) is not None}
    taken, moved = [], []  # a menu whose letter is the user's; one that moved on for it (File took its letter)
    shipped = titles(defaults)
    for before, after, own in zip(shipped, titles(keymap, shipped), MENUS, strict=True):
        if before == after or after == own:  # (a menu that only got its own letter back is no news)
            continue
        letter = before[before.find("&") + 1].lower() if "&" in before else None
        opens = f"the {before.replace('&', '')} menu " + (
            f"opens with Alt+{after[after.find('&') + 1].upper()}" if "&" in after else "has no Alt key")
        if letter is not None and letter in mine:
            taken.append(f"Alt+{letter.upper()} now does {title(mine[letter])}, so {opens}")
        else:
            moved.append(opens)
    return taken + moved if taken else []


def menu_titles(titles, taken: set[str], before: list[str] | None = None) -> list[str]:
    """Menu titles whose Alt mnemonic does not take a letter of ``taken`` (Qt calls such a key ambiguous and
    fires neither: Alt+H did nothing while the Help menu was "&Help"). A clashing mnemonic moves to another letter
    of its title, or is dropped; the shortcut keeps its key. The letters are chosen for the whole bar at once: as
    many menus as can have an Alt key have one, as few as can leave their shipped letter, as few as can change from
    ``before`` (the titles with the shipped keys: a user's key moves no menu it need not), then each takes the
    earliest letter of its title left. {"edit.to_fake": "Alt+P"} moves Playback to Alt+Y, not to Help's L (which
    left Help none), and Alt+V moves View to Alt+W, not to Timing's I."""
    titles = list(titles)
    plain = [t.replace("&", "") for t in titles]

    def letter(title: str) -> str | None:
        return title[title.find("&") + 1].lower() if 0 <= title.find("&") < len(title) - 1 else None

    shipped = [letter(t) for t in titles]
    had = [letter(t) for t in before] if before is not None else shipped
    options: list[list[tuple[int, str]]] = []  # per menu: (place in its title, letter), its shipped letter first
    for title, text, own in zip(titles, plain, shipped, strict=True):
        kept: dict[str, int] = {}
        for p, ch in [(title.find("&"), own), *((p, ch.lower()) for p, ch in enumerate(text) if ch.isalpha())]:
            if own is not None and ch is not None and ch not in taken:
                kept.setdefault(ch, p)
        options.append([(p, ch) for ch, p in kept.items()])
    must_move = [sum(1 for own in shipped[i:] if own in taken) for i in range(len(titles) + 1)]
    best: list = [None]  # ((menus without a key, menus moved, menus changed), the place chosen per menu)

    def search(i: int, used: set[str], chosen: list[int | None], cost: tuple[int, int, int]) -> None:
        if best[0] is not None and (cost[0], cost[1] + must_move[i], cost[2]) >= best[0][0]:
            return  # no better than the best found (of equal costs, the first found has the earliest letters)
        if i == len(titles):
            best[0] = (cost, list(chosen))
            return
        for p, ch in [op for op in options[i] if op[1] not in used]:
            search(i + 1, used | {ch}, [*chosen, p], (cost[0], cost[1] + (ch != shipped[i]), cost[2] + (ch != had[i])))
        search(i + 1, used, [*chosen, None], (cost[0] + (shipped[i] is not None), cost[1], cost[2] + (had[i] is not None)))

    search(0, set(), [], (0, 0, 0))
    return [title if shipped[i] is None else plain[i] if p is None else f"{plain[i][:p]}&{plain[i][p:]}"
            for i, (title, p) in enumerate(zip(titles, best[0][1], strict=True))]


def shipped_titles() -> list[str]:
    """The menu titles with the shipped keys (resources/keymap.json): :func:`menu_titles`'s ``before``."""
    return menu_titles(MENUS, {x for x in map(alt_letter, effective_keymap(None)[0].values()) if x is not None})


def build_menus(win) -> None:
    bar = win.menuBar()
    titles = menu_titles(MENUS, alt_letters(win.actions), shipped_titles())
    for title, items in zip(titles, MENUS.values()):
        menu = bar.addMenu(title)
        for item in items:
            if item == "-":
                menu.addSeparator()
            elif item == "@scale":
                scale = menu.addMenu("E&xpand / Compress")
                for ratio in SCALE_RATIOS:
                    scale.addAction(win.actions[f"edit.{_scale_id(ratio)}"])
            elif item == "@convert":
                convert = menu.addMenu("Con&vert")
                for action_id in CONVERT_IDS:
                    convert.addAction(win.actions[action_id])
            elif item == "@select":
                sub = menu.addMenu("Select &By")
                for action_id in SELECT_IDS:
                    sub.addSeparator() if action_id == "-" else sub.addAction(win.actions[action_id])
            elif item == "@plugins":
                win.plugins.attach(menu)
            elif item == "@hitsounds":  # osu! hitsounds: the tool binds its own actions
                from editor.controllers.hitsounds import HitsoundTool

                win.hitsounds = HitsoundTool(win)
                win.hitsounds.attach(menu)
            elif item == "@recent":
                win.recent_menu = menu.addMenu("Open &Recent")
                _fill_recent(win, win.settings.recent_files())
                win.files.recent_changed.connect(lambda paths: _fill_recent(win, paths))
            else:
                menu.addAction(win.actions[item])
    _bind(win)


def _fill_recent(win, paths: list[str]) -> None:
    win.recent_menu.clear()
    for path in paths:
        action = win.recent_menu.addAction(path.replace("&", "&&"))  # "Rock & Roll/": no mnemonic mark
        action.triggered.connect(lambda _=False, p=path: win.open_path(p))
    win.recent_menu.setEnabled(bool(paths))


def _bind(win) -> None:
    _bind_files_and_edits(win)
    bind_select(win)
    _bind_navigation(win)
    _bind_playback_and_ai(win)
    _bind_timing(win)
    history_changed = lambda: _update_undo(win)  # noqa: E731
    win.session.document_replaced.connect(lambda: win.session.bridge.history_changed.connect(history_changed))
    win.session.bridge.history_changed.connect(history_changed)
    _update_undo(win)


def _bind_files_and_edits(win) -> None:
    a, ed, tr = win.actions, win.editing, win.transforms
    a.bind("file.new_from_audio", win.new_song_from_audio)
    a.bind("file.open", win.files.open_dialog)
    a.bind("file.open_folder", win.files.open_folder_dialog)
    a.bind("file.save", win.files.save)
    a.bind("file.save_as", win.files.save_as)
    a.bind("file.export", win.export)
    a.bind("file.music_to_ogg", win.files.convert_music_to_ogg)
    a.bind("file.quit", win.close)
    a.bind("edit.undo", lambda: undo_redo(win, redo=False))
    a.bind("edit.redo", lambda: undo_redo(win, redo=True))
    a.bind("edit.cut", tr.cut)
    a.bind("edit.copy", tr.copy)
    a.bind("edit.paste", tr.paste)
    a.bind("edit.paste_keep", tr.paste_keep)
    _bind_timestamps(win)
    a.bind("edit.delete", tr.delete)
    a.bind("edit.select_all", ed.select_all)
    a.bind("edit.select_none", lambda: (ed.cancel_gesture(), win.session.clear_selection()))
    a.bind("edit.range_up", lambda: ed.extend_range(-win.timeline.down))  # up the screen, as Up moves the cursor
    a.bind("edit.range_down", lambda: ed.extend_range(win.timeline.down))
    a.bind("edit.mirror", lambda: tr.mirror(lanes_too=True, time_too=False))
    a.bind("edit.flip", lambda: tr.mirror(lanes_too=False, time_too=True))
    a.bind("edit.mirror_flip", lambda: tr.mirror(lanes_too=True, time_too=True))
    for how in ("left", "right"):
        a.bind(f"edit.turn_{how}", lambda how=how: tr.turn(how))
    a.bind("edit.shuffle", lambda: tr.turn("shuffle"))
    a.bind("edit.shift_up", lambda: tr.shift(-1))
    a.bind("edit.shift_down", lambda: tr.shift(1))
    a.bind("edit.quantize", tr.quantize)
    for ratio in SCALE_RATIOS:
        a.bind(f"edit.{_scale_id(ratio)}", lambda r=ratio: tr.scale(r))
    for kind in (NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE, NoteKind.LIFT, NoteKind.FAKE):
        a.bind(f"edit.to_{kind.value}", lambda k=kind: tr.convert(k))
    for lane in range(N_LANES_WITH_KEYS):
        a.bind(f"edit.place_{lane + 1}", lambda k=lane: ed.toggle_at_cursor(k))
        a[f"edit.place_{lane + 1}"].setAutoRepeat(False)  # held down it draws a hold (KeyHolds), never re-toggles
    a.bind("edit.kind_next", ed.cycle_place_kind)
    a.bind("edit.step_entry", lambda on: _step_entry(win, on))
    a["edit.step_entry"].setChecked(win.settings.get("edit/step_entry"))


def _bind_navigation(win) -> None:
    a, ed, tl = win.actions, win.editing, win.timeline
    a.bind("nav.up", lambda: tl.cursor_down(-1))  # up and down the screen: reversed in reverse scroll
    a.bind("nav.down", lambda: tl.cursor_down(1))
    a.bind("nav.measure_up", lambda: tl.cursor_down(-1, measures=True))
    a.bind("nav.measure_down", lambda: tl.cursor_down(1, measures=True))
    a.bind("nav.start", lambda: win.seek(float(win.session.timing().beat_to_seconds(0))))
    a.bind("nav.end", lambda: win.seek(win.session.duration_s()))
    a.bind("nav.prev_label", lambda: step_label(win, -1))
    a.bind("nav.next_label", lambda: step_label(win, 1))
    for name, jump in (("note", step_note), ("stream", step_stream)):
        a.bind(f"nav.prev_{name}", lambda jump=jump: jump(win, -1))
        a.bind(f"nav.next_{name}", lambda jump=jump: jump(win, 1))
    a.bind("nav.snap_finer", lambda: ed.change_snap(1))
    a.bind("nav.snap_coarser", lambda: ed.change_snap(-1))
    a.bind("view.zoom_in", lambda: tl.zoom_by(1.25))
    a.bind("view.zoom_out", lambda: tl.zoom_by(0.8))
    a.bind("view.prev_chart", lambda: win.step_chart(-1))
    a.bind("view.next_chart", lambda: win.step_chart(1))
    a.bind("view.compare", lambda on: compare(win, on))
    a.bind("view.messages", win.show_messages)
    a.bind("help.keymap", win.show_keymap)


def undo_redo(win, redo: bool) -> bool:
    """Undo or redo one step (Ctrl+Z / Ctrl+Y); see :func:`editor.panels.history.step_history`. A panel field
    being typed in (Edit > Undo from the menu leaves the focus in it) is committed first, as its own step: Undo
    takes that back (Redo puts it back), and a Redo has nothing left to redo."""
    from editor.panels.history import commit_typed, step_history

    typed = commit_typed(win, win.session)
    if typed is not None and redo:
        win.session.status.emit(f"Kept what was typed as a step of its own ({typed.name}): nothing to redo now")
        return False
    return step_history(win.session, redo, note=" (what was typed in the field; Redo puts it back)" if typed else "")


def _bind_playback_and_ai(win) -> None:
    a, pb = win.actions, win.playback
    a.bind("play.toggle", pb.toggle)
    a.bind("play.loop", pb.play_loop)
    a.bind("play.rate_down", lambda: rate_keys.step_rate(win, -1))
    a.bind("play.rate_up", lambda: rate_keys.step_rate(win, 1))
    a.bind("play.rate_reset", lambda: rate_keys.reset_rate(win))
    a["play.beat_ticks"].setChecked(win.settings.get("audio/beat_ticks"))
    a["play.note_ticks"].setChecked(win.settings.get("audio/note_ticks"))
    a.bind("play.beat_ticks", lambda on: pb.set_ticks_enabled(beats=on))
    a.bind("play.note_ticks", lambda on: pb.set_ticks_enabled(notes=on))
    a["play.hitsounds"].setChecked(win.settings.get("audio/hitsounds"))
    a.bind("play.hitsounds", lambda on: pb.set_ticks_enabled(hitsounds=on))
    a.bind("play.calibrate", win.show_calibration)
    a.bind("play.test", win.test_play.start)
    a.bind("play.record", win.record.start)
    a["play.record_replace"].setChecked(win.settings.get("record/replace"))
    a.bind("play.record_replace", win.record.set_replace)
    a.bind("ai.accept", win.accept_drafts)
    a.bind("ai.reject", win.reject_drafts)
    a.bind("ai.accept_all", lambda: win.accept_drafts(everything=True))
    a.bind("ai.reject_all", lambda: win.reject_drafts(everything=True))
    a.bind("ai.arrows", lambda: win.ai_panel.arrows())
    follow_keys(win, ("ai.prev_variant", "ai.next_variant"), lambda: _arrows_tip(win))
    a.bind("ai.next_variant", lambda: win.ai_panel.flip(1))
    a.bind("ai.prev_variant", lambda: win.ai_panel.flip(-1))
    a.bind("view.spectrogram", win.set_show_spectrogram)
    a.bind("view.curve", win.set_show_curve)
    a["view.spectrogram"].setChecked(win.settings.get("view/spectrogram"))  # after binding: applies it
    a["view.curve"].setChecked(win.settings.get("view/curve"))
    a.bind("view.feet", lambda on: _show_feet(win, on))
    a["view.feet"].setChecked(win.settings.get("view/feet"))
    a.bind("view.beat_spaced", lambda on: _beat_spaced(win, on))
    a["view.beat_spaced"].setChecked(win.settings.get("view/beat_spaced"))
    a.bind("view.reverse", lambda on: _reverse(win, on))
    a["view.reverse"].setChecked(win.settings.get("view/reverse"))


def _arrows_tip(win) -> None:
    """AI > Suggest Arrows' status tip, naming the variant keys as mapped."""
    keys = key_text(win, "ai.prev_variant", "ai.next_variant", sep=" and ")
    win.actions["ai.arrows"].setStatusTip(SPEC_BY_ID["ai.arrows"].tip + (f" (variants: {keys})" if keys else ""))


def _bind_timing(win) -> None:
    """Timing menu: Detect / Tap Tempo (also the Timing panel's buttons), the nudge keys and the beat sync. Their
    controllers are made here, as the menus are built once the panels exist."""
    from editor.controllers.beat_sync import BeatSync
    from editor.controllers.section_tempo import SectionTempoTool
    from editor.controllers.timing_nudge import TimingNudges
    from editor.controllers.timing_tools import TimingTools

    a = win.actions
    win.timing_tools = tools = TimingTools(win)
    win.timing_nudges = nudges = TimingNudges(win.session, win.timeline.cursor_beat)
    a.bind("timing.detect", tools.detect)
    a.bind("timing.tap", tools.tap)
    win.section_tempo = SectionTempoTool(win)
    a.bind("timing.detect_section", win.section_tempo.detect)
    win.timing_panel.detect_requested.connect(tools.detect)
    win.timing_panel.tap_requested.connect(tools.tap)
    for suffix, big in (("", False), ("_big", True)):
        a.bind(f"timing.bpm_down{suffix}", lambda big=big: nudges.nudge_bpm(-1, big))
        a.bind(f"timing.bpm_up{suffix}", lambda big=big: nudges.nudge_bpm(1, big))
        a.bind(f"timing.offset_down{suffix}", lambda big=big: nudges.nudge_offset(-1, big))
        a.bind(f"timing.offset_up{suffix}", lambda big=big: nudges.nudge_offset(1, big))
    win.beat_sync = sync = BeatSync(win)
    a.bind("timing.sync_to_mouse", sync.sync_to_mouse)
    a["timing.sync_keep_later"].setChecked(sync.keep_later)
    a.bind("timing.sync_keep_later", sync.set_keep_later)


def _bind_timestamps(win) -> None:
    """Copy Timestamp / Go to Timestamp (osu! review timestamps); their controller is made here, as the timing
    tools' is."""
    from editor.controllers.timestamps import TimestampController

    win.timestamps = stamps = TimestampController(win)
    win.actions.bind("edit.copy_timestamp", stamps.copy)
    win.actions.bind("edit.go_to_timestamp", stamps.ask)


def _step_entry(win, on: bool) -> None:
    win.editing.keys.step_entry = on
    win.settings.set("edit/step_entry", on)
    win.session.status.emit("Step entry on: a lane key places a note and the cursor moves on one snap step" if on
                            else "Step entry off")


def _show_feet(win, on: bool) -> None:
    win.sync.feet.set_enabled(on)
    win.settings.set("view/feet", bool(on))


def _beat_spaced(win, on: bool) -> None:
    win.timeline.set_beat_spaced(on)
    win.settings.set("view/beat_spaced", bool(on))


def _reverse(win, on: bool) -> None:
    """View > Reverse Scroll: the notefield and the minimap run up together; kept as a setting."""
    win.timeline.set_reverse(on)
    win.minimap.set_reversed(on)
    win.settings.set("view/reverse", bool(on))


def _update_undo(win) -> None:
    h = win.session.doc.history
    undo, redo = win.actions["edit.undo"], win.actions["edit.redo"]
    undo.setEnabled(h.can_undo)
    redo.setEnabled(h.can_redo)
    names, redo_names = h.undo_stack_names(), h.redo_stack_names()
    # a step's name may hold "&" (a plugin's NAME): doubled, it shows as itself, not as a mnemonic mark
    undo.setText(f"&Undo {names[-1].replace('&', '&&')}" if names else "&Undo")
    redo.setText(f"&Redo {redo_names[0].replace('&', '&&')}" if redo_names else "&Redo")

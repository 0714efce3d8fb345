"""View > Reverse Scroll: time runs up the notefield (StepMania's Reverse). Items drawn the right way up, the mouse
mapped back to the beat under it in C-mod and X-mod, the wheel and keys moving the cursor the way they point on
screen, the minimap following, and the choice kept as a setting."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage

from chart.commands import SetTiming
from chart.notes import Note, NoteKind
from chart.timing import TimingData
from editor.timeline import geometry as geo
from editor.timeline.grid_item import marker_text_ys
from editor.timeline.note_index import NoteIndex

pytestmark = pytest.mark.qt

# 120 BPM, 240 BPM from beat 8 with a 1-s stop at beat 12, 60 BPM from beat 16; beat 0 at 0.5 s (as test_xmod)
TEMPO_CHANGES = TimingData(offset=Fraction(-1, 2), bpms=((Fraction(0), Fraction(120)), (Fraction(8), Fraction(240)),
                                                          (Fraction(16), Fraction(60))),
                           stops=((Fraction(12), Fraction(1)),))


def beat_s(timing: TimingData, beat) -> float:
    return float(timing.beat_to_seconds(Fraction(beat)))


def y_of(w, beat, lane: float = 0.5) -> float:
    return float(w.widget_pos(beat_s(w.timing, beat), lane).y())


def colour_at(w, beat, lane: float) -> QColor:
    image = w.grab().toImage()
    point = w.viewport().mapTo(w, w.widget_pos(beat_s(w.timing, beat), lane).toPoint())
    return image.pixelColor(point)


def is_hold_green(c: QColor) -> bool:
    return c.green() > 120 and c.green() > c.red() + 50 and c.green() > c.blue() + 30


def test_later_notes_are_drawn_higher_and_a_hold_runs_up_from_its_head(make_timeline, qtbot):
    w = make_timeline(TimingData.constant(120, "-0.5"))
    w.set_notes(NoteIndex([Note(Fraction(4), 0, NoteKind.HOLD, Fraction(2)), Note(Fraction(7), 2)], w.timing))
    w.set_cursor(beat_s(w.timing, 3))
    assert y_of(w, 6) > y_of(w, 4)  # time runs down
    assert is_hold_green(colour_at(w, 5, 0.5))
    w.set_reverse(True)
    qtbot.wait(20)
    assert not w.vb.yInverted()
    assert y_of(w, 6) < y_of(w, 4) < y_of(w, 3)  # time runs up: a later beat is higher
    assert y_of(w, 7, 2.5) < y_of(w, 6)
    assert is_hold_green(colour_at(w, 5, 0.5))  # the body between head and tail, now above the head
    below_head = w.widget_pos(beat_s(w.timing, 4), 0.5) + QPointF(0, y_of(w, 4) - y_of(w, 5))
    image = w.grab().toImage()
    assert not is_hold_green(image.pixelColor(w.viewport().mapTo(w, below_head.toPoint())))  # none below it
    # the cursor sits 30 % up from the bottom, with the notes to come above it
    (_x0, _x1), (y0, y1) = w.vb.viewRange()
    assert (float(w.axis.to_y(w.cursor_s)) - y0) / (y1 - y0) == pytest.approx(0.3, abs=0.01)
    assert y_of(w, 3) > w.viewport().height() * 0.6
    w.set_reverse(False)
    assert w.vb.yInverted()
    assert y_of(w, 6) > y_of(w, 4)


def test_pixel_maps_know_which_way_time_runs():
    from PySide6.QtGui import QTransform

    down = geo.PixelMap.from_transform(QTransform(76, 0, 0, 240, 10, -50))
    up = geo.PixelMap.from_transform(QTransform(76, 0, 0, -240, 10, 900))
    assert down.time_down
    assert not up.time_down
    assert up.y(2.0) < up.y(1.0)
    assert up.rect(0, 1.0, 1, 2.0).height() == pytest.approx(240)  # normalised either way


@pytest.mark.parametrize("beat_spaced", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_mouse_positions_map_back_to_their_beats(make_timeline, beat_spaced, reverse):
    w = make_timeline(TEMPO_CHANGES)
    w.set_beat_spaced(beat_spaced)
    w.set_reverse(reverse)
    notes = [Note(Fraction(b), b % 4) for b in (9, 10, 11, 17)]
    w.set_notes(NoteIndex(notes, TEMPO_CHANGES))
    w.seek(beat_s(TEMPO_CHANGES, 10))
    for beat, lane in ((9, 1), (10, 2), (Fraction(21, 2), 0), (11, 3)):
        hit = w.hit_at(w.widget_pos(beat_s(TEMPO_CHANGES, beat), lane + 0.5))
        assert hit.time_s == pytest.approx(beat_s(TEMPO_CHANGES, beat), abs=1.01 / w.pps)  # within a pixel
        assert hit.snapped == beat
        assert hit.lane == lane
    hit = w.hit_at(w.widget_pos(beat_s(TEMPO_CHANGES, 10), 2.5))
    assert notes[hit.note] == Note(Fraction(10), 2)
    # a few pixels towards later on screen is later in the song, whichever way that is
    later = w.hit_at(w.widget_pos(beat_s(TEMPO_CHANGES, 10), 2.5) + QPointF(0, 4 * w.down))
    assert later.time_s > hit.time_s
    ys = [y_of(w, b) for b in (9, 10, 11)]
    assert (np.diff(ys) < 0).all() == reverse
    assert (np.diff(ys) > 0).all() != reverse


def test_the_spectrogram_and_waveform_run_with_the_notes(make_timeline, qtbot):
    """A tile bright in its first rows shows that brightness at its start time in both directions (the image is
    turned over with the field, not just moved); a waveform loud only at first, likewise."""
    from editor.timeline.spectrogram_item import SpectrogramItem

    class Burst:
        def query(self, start_s, end_s, n):  # loud for 1 s from 5 s, silent elsewhere
            t = start_s + (np.arange(n) + 0.5) * (end_s - start_s) / n
            amp = np.where((t >= 5.0) & (t < 6.0), 0.9, 0.0)
            return -amp, amp

    w = make_timeline(TimingData.constant(120))
    item = SpectrogramItem()
    w.set_spectrogram_item(item)
    w.set_show_spectrogram(True)
    pixels = np.zeros((100, 8), np.uint32)
    pixels[:20] = 0xFFFFFFFF  # first fifth bright: 5.0-6.0 s
    image = QImage(pixels.tobytes(), 8, 100, 32, QImage.Format.Format_RGB32).copy()
    item.add_tile(0, 5.0, 10.0, image)
    w.set_peaks(Burst(), 60.0)
    w.set_zoom(60.0)
    w.set_cursor(6.5)
    x_spec = (geo.SPECTRO_X0 + geo.SPECTRO_X1) / 2

    def brightness(t_s: float, x: float) -> int:
        p = w.viewport().mapTo(w, w.widget_pos(t_s, x).toPoint())
        return w.grab().toImage().pixelColor(p).lightness()

    for reverse in (False, True):
        w.set_reverse(reverse)
        qtbot.wait(20)
        assert brightness(5.5, x_spec) > 200, reverse
        assert brightness(9.0, x_spec) < 60, reverse
        # the waveform, near the lanes' centre, between grid lines
        assert brightness(5.45, 1.9) > brightness(7.2, 1.9) + 20, reverse


def test_marker_texts_stack_down_the_screen_in_either_direction():
    assert marker_text_ys([100.0, 105.0, 300.0]) == [100.0, 112.0, 300.0]
    # reverse scroll: by beat the rows decrease; the text higher on screen keeps its place
    assert marker_text_ys([300.0, 105.0, 100.0]) == [300.0, 112.0, 100.0]
    assert marker_text_ys([50.0, 50.0]) == [50.0, 62.0]  # one beat's markers keep their order


def test_minimap_runs_up_with_the_notefield(qtbot):
    from editor.timeline.minimap import DensityMinimap

    m = DensityMinimap()
    qtbot.addWidget(m)
    m.resize(80, 408)
    m.set_duration(100.0)
    assert m._y(0.0) == pytest.approx(4.0)
    assert m.time_at(4.0 + 100.0) == pytest.approx(25.0)
    m.set_reversed(True)
    assert m._y(0.0) == pytest.approx(404.0)  # the song's start at the bottom
    assert m._y(100.0) == pytest.approx(4.0)
    assert m.time_at(4.0 + 100.0) == pytest.approx(75.0)
    assert m.time_at(m._y(30.0)) == pytest.approx(30.0)
    m.density_fn = lambda: (np.array([10.0, 90.0]), np.array([8.0, 0.0]))
    m.refresh()
    m.show()
    image = m.grab().toImage()
    assert image.pixelColor(30, int(m._y(10.0))) != image.pixelColor(30, int(m._y(90.0)))  # busy start: low


def _wheel(w, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(w.width() / 2, w.height() / 2)
    w.wheelEvent(QWheelEvent(centre, w.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120 * notches),
                             Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False))


def test_wheel_and_keys_move_the_cursor_the_way_they_point_on_screen(opened, qtbot):
    win = opened
    tl = win.timeline
    win.session.set_divisor(4)
    for reverse in (False, True):
        win.actions["view.reverse"].setChecked(reverse)
        win.seek(beat_s(tl.timing, 8))
        assert y_of(tl, 7 if reverse else 9) > y_of(tl, 8)  # the beat lower on screen ...
        _wheel(tl, -1)  # ... is where the wheel rolled towards the user takes the cursor
        assert tl.cursor_s == pytest.approx(beat_s(tl.timing, 7 if reverse else 9))
        win.seek(beat_s(tl.timing, 8))
        qtbot.keyClick(tl, Qt.Key.Key_Down)
        assert tl.cursor_s == pytest.approx(beat_s(tl.timing, 7 if reverse else 9))
        qtbot.keyClick(tl, Qt.Key.Key_Up)
        qtbot.keyClick(tl, Qt.Key.Key_Up)
        assert tl.cursor_s == pytest.approx(beat_s(tl.timing, 9 if reverse else 7))
        win.seek(beat_s(tl.timing, 8))
        _wheel(tl, -1, Qt.KeyboardModifier.ShiftModifier)  # Shift: by measure
        assert tl.cursor_s == pytest.approx(beat_s(tl.timing, 4 if reverse else 12))
        qtbot.keyClick(tl, Qt.Key.Key_PageUp)
        assert tl.cursor_s == pytest.approx(beat_s(tl.timing, 8))
        qtbot.keyClick(tl, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # a range, up the screen
        assert win.session.range_beats == (Fraction(8), Fraction(9 if reverse else 7))
        win.session.set_range(None)


def test_mouse_editing_in_reverse_lands_on_the_beats_under_the_pointer(opened, qtbot):
    """Click, hold drawing (dragged up the screen, towards later beats), end drag and box selection."""
    from tests.editor.test_editing import drag_mouse, notes, pos_of

    win = opened
    win.session.set_divisor(4)
    win.actions["view.reverse"].setChecked(True)
    win.seek(beat_s(win.session.timing(), 10))
    vp = win.timeline.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=pos_of(win, 11, 2))
    assert Note(Fraction(11), 2) in notes(win)
    assert pos_of(win, 12, 3).y() < pos_of(win, 10, 3).y()
    drag_mouse(win, qtbot, 3, [10, 10.5, 11, 12])  # up the screen
    assert Note(Fraction(10), 3, NoteKind.HOLD, Fraction(2)) in notes(win)
    drag_mouse(win, qtbot, 3, [12, 13, 14])  # its end, further up
    assert Note(Fraction(10), 3, NoteKind.HOLD, Fraction(4)) in notes(win)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=pos_of(win, 12.5, -0.2))
    qtbot.mouseMove(vp, pos=pos_of(win, 9.5, 3.2))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=pos_of(win, 9.5, 3.2))
    assert win.session.selection == {Note(Fraction(11), 2), Note(Fraction(10), 3, NoteKind.HOLD, Fraction(4))}


def test_the_action_is_kept_and_applied_at_start(window, settings, qtbot, boxes):
    from editor.main_window import MainWindow

    action = window.actions["view.reverse"]
    assert action.isCheckable()
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    assert settings.get("view/reverse") is False
    action.trigger()
    assert window.timeline.reverse
    assert window.minimap.reversed
    assert settings.get("view/reverse") is True
    again = MainWindow(settings)
    qtbot.addWidget(again)
    try:
        assert again.actions["view.reverse"].isChecked()
        assert again.timeline.reverse
        assert not again.timeline.vb.yInverted()
        assert again.minimap.reversed
    finally:
        again.skip_close_prompt = True
        again.shutdown()
    action.trigger()
    assert settings.get("view/reverse") is False
    assert not window.timeline.reverse


def test_reverse_and_x_mod_together(opened, qtbot):
    win = opened
    win.session.push(SetTiming(TEMPO_CHANGES))
    win.actions["view.beat_spaced"].setChecked(True)
    win.actions["view.reverse"].setChecked(True)
    tl = win.timeline
    win.seek(beat_s(TEMPO_CHANGES, 10))
    gaps = [y_of(tl, b) - y_of(tl, b + 1) for b in (6, 10, 17)]
    assert gaps == pytest.approx([tl.pps] * 3, rel=0.02)  # every beat equally tall, and later is higher
    win.actions["view.beat_spaced"].setChecked(False)
    assert tl.reverse
    assert y_of(tl, 11) < y_of(tl, 10)

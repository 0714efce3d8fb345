"""AI assist in the window, with a tiny real ONNX model (built in a fixture) and the real Drafter: drafts appear as
ghosts, accepting is ONE undo step carrying provenance, variants flip, refine drafts a higher slot, cancel works,
and a dead remote server gives a clear message while the draft still arrives (local fallback)."""

from __future__ import annotations

import socket
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.notes import Note
from chart.song import Slot
from tests.editor.conftest import wait_job

pytestmark = pytest.mark.qt


def test_draft_shows_ghosts_and_accept_is_one_undo_step(ai, qtbot):
    win = ai
    before_charts = len(win.session.doc.song.charts)
    assert win.ai_panel.draft([Slot.HARD]) is not None
    wait_job(qtbot, win)
    assert win.drafting.last_error is None
    hard = win.session.doc.song.chart(Slot.HARD)
    assert hard is not None
    assert len(win.session.doc.song.charts) == before_charts + 1
    assert win.session.chart is hard  # the view switched to the drafted chart
    ghost = win.drafting.ghosts.get(hard)
    assert ghost is not None
    assert len(ghost.notes) > 4
    assert hard.notes == []  # nothing in the chart until accepted
    qtbot.waitUntil(lambda: win.timeline.ghosts is not None and len(win.timeline.ghosts) == len(ghost.notes))
    conf = win.timeline.ghosts.confidence
    assert ((conf >= 0) & (conf <= 1)).all()
    assert win.timeline.curve_item.times_s.size > 0  # probability curve available for the overlay
    steps = len(win.session.doc.history.undo_stack_names())
    drafted = list(ghost.notes)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # accept all
    assert hard.notes == sorted(drafted)
    names = win.session.doc.history.undo_stack_names()
    assert len(names) == steps + 1
    assert names[-1] == "Accept AI draft"
    command = win.session.doc.history.undo_commands()[-1]
    assert command.provenance["model_id"] == "onset-tiny"
    assert command.provenance["seed"] == 0
    assert "accepted_region" in command.provenance
    assert win.drafting.ghosts.get(hard) is None
    win.session.doc.undo()
    assert hard.notes == []


def test_accept_and_reject_per_measure(ai, qtbot):
    win = ai
    win.ai_panel.draft([Slot.MEDIUM])
    wait_job(qtbot, win)
    medium = win.session.doc.song.chart(Slot.MEDIUM)
    ghost = win.drafting.ghosts.get(medium)
    beats = sorted({n.beat for n in ghost.notes})
    measure = (beats[len(beats) // 2] // 4) * 4
    in_measure = [n for n in ghost.notes if measure <= n.beat < measure + 4]
    assert in_measure
    win.seek(float(win.session.timing().beat_to_seconds(measure + 1)))
    qtbot.keyClick(win.timeline, Qt.Key.Key_Return)  # accept the cursor's measure
    assert [n for n in medium.notes if measure <= n.beat < measure + 4] == sorted(in_measure)
    assert all(not measure <= n.beat < measure + 4 for n in win.drafting.ghosts.get(medium).notes)
    win.seek(float(win.session.timing().beat_to_seconds(measure + 5)))
    pending = len(win.drafting.ghosts.get(medium).notes)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Backspace)  # reject the next measure
    left = win.drafting.ghosts.get(medium).notes
    assert len(left) < pending
    assert all(not measure + 4 <= n.beat < measure + 8 for n in left)


def test_regenerate_selection_variants_flip(ai, qtbot):
    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.EASY))
    win.session.set_range((Fraction(8), Fraction(24)))
    win.ai_panel.variants.setValue(3)
    assert win.ai_panel.regenerate() is not None
    wait_job(qtbot, win)
    ghost = win.drafting.ghosts.get(win.session.chart)
    assert len(ghost.variants) == 3
    assert all(8 <= n.beat < 24 for v in ghost.variants for n in v)
    assert ghost.notes == sorted(ghost.variants[0])
    from inference.lane_decision import UNSURE_ARROWS

    def badges_match():  # the timeline's "?" badges are the rows whose arrows the lane model guessed
        index = win.timeline.ghosts
        expected = [ghost.lane_confidence.get(n.beat, 1.0) < UNSURE_ARROWS for n in index.notes]
        return index.unsure.tolist() == expected

    assert set(ghost.lane_confidence) >= {n.beat for n in ghost.variants[0]}
    qtbot.waitUntil(badges_match)
    first = dict(ghost.lane_confidence)
    qtbot.keyClick(win.timeline, Qt.Key.Key_BracketRight)
    assert win.drafting.ghosts.get(win.session.chart).variant_index == 1
    assert win.drafting.ghosts.get(win.session.chart).notes == sorted(ghost.variants[1])
    assert ghost.lane_confidence == {**{b: c for b, c in first.items() if not 8 <= b < 24},
                                     **ghost.variant_lane_confidence[1]}  # the flipped variant's own
    qtbot.waitUntil(badges_match)
    assert "variant 2/3" in win.ai_panel.variant_label.text()
    before = [n for n in win.session.chart.notes if not 8 <= n.beat < 24]
    chosen = sorted(ghost.variants[1])
    win.accept_drafts()  # the range is still selected
    assert [n for n in win.session.chart.notes if 8 <= n.beat < 24] == chosen
    assert not ghost.variants  # decided: no more flipping there
    assert [n for n in win.session.chart.notes if not 8 <= n.beat < 24] == before  # outside untouched


def test_arrows_for_selection_keep_the_rhythm(ai, qtbot):
    from chart.commands import AddNotes
    from chart.notes import Note, NoteKind

    win = ai
    beginner = win.session.doc.song.chart(Slot.BEGINNER)  # taps 0-3, hold 4 (2 beats), mine 5/2, 6/1, 13/2/2...
    win.session.set_chart(beginner)
    win.session.push(AddNotes(beginner, [Note(Fraction(1), 3, NoteKind.FAKE)]))
    win.session.set_range((Fraction(0), Fraction(7)))
    rows = sorted({n.beat for n in beginner.notes if n.kind.is_onset and n.beat < 7})
    outside = [n for n in beginner.notes if n.beat >= 7]
    win.ai_panel.variants.setValue(2)
    win.actions["ai.arrows"].trigger()
    wait_job(qtbot, win)
    assert win.drafting.last_error is None
    ghost = win.drafting.ghosts.get(beginner)
    assert len(ghost.variants) == 2
    for variant in ghost.variants:
        assert sorted({n.beat for n in variant if n.kind.is_onset}) == rows  # the rhythm, row for row
        arrows = [n for n in variant if n.kind.is_onset]
        for kept in (Note(Fraction(5), 2, NoteKind.MINE), Note(Fraction(1), 3, NoteKind.FAKE)):
            taken = any(a.lane == kept.lane and a.beat <= kept.beat <= a.end_beat for a in arrows)
            assert (kept in variant) != taken  # kept unless an arrow (or a hold's body) took its cell
    assert "variant(s) of beats 0-7" in win.statusBar().currentMessage()
    steps = len(win.session.doc.history.undo_stack_names())
    win.accept_drafts()
    assert sorted({n.beat for n in beginner.notes if n.kind.is_onset and n.beat < 7}) == rows
    assert [n for n in beginner.notes if n.beat >= 7] == outside
    assert len(win.session.doc.history.undo_stack_names()) == steps + 1
    command = win.session.doc.history.undo_commands()[-1]
    assert command.provenance["parameters"]["mode"] == "arrows"


def test_arrows_need_notes_there(ai, qtbot):
    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.BEGINNER))
    win.session.set_range((Fraction(40), Fraction(44)))
    assert win.ai_panel.arrows() is None
    assert "no notes there" in win.statusBar().currentMessage()


def test_a_chart_that_is_not_4_panel_gets_no_draft_but_a_reason(ai, qtbot, boxes):
    """An osu! 7K chart is editable, but the models are 4-panel: refine used to run and leave 4-lane ghosts in a
    7-lane chart (its lower chart's lanes 4-6 fed to the lane model)."""
    from chart.commands import AddChart
    from chart.song import Chart

    win = ai
    seven = Chart(mode="kb7-single", slot=Slot.HARD, notes=[Note(Fraction(b), b % 7) for b in range(4, 30)])
    win.session.push(AddChart(seven))
    win.session.set_chart(win.session.doc.song.chart(Slot.HARD, "kb7-single"))
    assert win.session.chart.lanes == 7
    for call in (lambda: win.drafting.refine_up(Slot.CHALLENGE), lambda: win.drafting.draft_slots([Slot.EASY], {}),
                 lambda: win.drafting.regenerate((Fraction(4), Fraction(12)), 2),
                 lambda: win.drafting.arrows((Fraction(4), Fraction(12)), 2)):
        assert call() is None
        assert "4-panel" in boxes[-1][2]
    assert not win.drafting.busy


def test_refine_up_drafts_a_higher_slot(ai, qtbot):
    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.BEGINNER))
    win.ai_panel.refine_target.setCurrentIndex(win.ai_panel.refine_target.findData(Slot.CHALLENGE))
    assert win.ai_panel.refine() is not None
    wait_job(qtbot, win)
    challenge = win.session.doc.song.chart(Slot.CHALLENGE)
    ghost = win.drafting.ghosts.get(challenge)
    assert ghost is not None
    assert ghost.notes
    assert ghost.provenance["parameters"]["refined_from"] == "Beginner"
    assert win.session.chart is challenge  # the view moves to the drafted chart, compared with the source
    assert win.session.reference is win.session.doc.song.chart(Slot.BEGINNER)
    assert win.compare_combo.currentText().startswith("Beginner")
    assert win.ai_panel.refine_from_lower.isChecked()  # the default: density follows the lower chart
    assert ghost.provenance["parameters"]["nps_target"] is None
    assert win.ai_panel.refine_keep_arrows.isChecked()  # the default: kept rows keep the Beginner's arrows
    beginner = win.session.doc.song.chart(Slot.BEGINNER)
    lanes = {}
    for n in beginner.notes:
        if n.kind.is_onset:
            lanes.setdefault(n.beat, set()).add(n.lane)
    drafted = {}
    for n in ghost.notes:
        drafted.setdefault(n.beat, set()).add(n.lane)
    shared = [b for b in drafted if b in lanes]
    assert shared
    assert all(drafted[b] == lanes[b] for b in shared)
    assert ghost.provenance["parameters"]["lower_arrows_kept"] == len(shared)


def test_refine_up_with_the_target_slots_nps_box(ai, qtbot):
    win = ai
    win.session.set_chart(win.session.doc.song.chart(Slot.BEGINNER))
    win.ai_panel.refine_target.setCurrentIndex(win.ai_panel.refine_target.findData(Slot.HARD))
    win.ai_panel.refine_from_lower.setChecked(False)
    win.ai_panel.nps[Slot.HARD].setValue(2.5)
    try:
        assert win.ai_panel.refine() is not None
        wait_job(qtbot, win)
    finally:
        win.ai_panel.refine_from_lower.setChecked(True)  # a persisted setting: leave the default for others
    ghost = win.drafting.ghosts.get(win.session.doc.song.chart(Slot.HARD))
    assert ghost is not None
    assert ghost.provenance["parameters"]["nps_target"] == 2.5


def test_simplify_down_drafts_an_easier_slot_from_the_current_charts_rows(ai, qtbot, boxes):
    win = ai
    easy = win.session.doc.song.chart(Slot.EASY)  # a note every half beat, beats 0-7.5, lanes 0-3 in turn
    win.session.set_chart(easy)
    assert win.ai_panel.simplify_target.currentData() == Slot.BEGINNER  # the slot below the current chart
    assert win.ai_panel.refine_target.currentData() == Slot.MEDIUM  # and above it
    for combo, ok in ((win.ai_panel.simplify_target, {Slot.BEGINNER}),  # the other targets are greyed out
                      (win.ai_panel.refine_target, {Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE})):
        assert {combo.itemData(k) for k in range(combo.count()) if combo.model().item(k).isEnabled()} == ok
    assert win.ai_panel.simplify() is not None
    wait_job(qtbot, win)
    assert win.drafting.last_error is None
    beginner = win.session.doc.song.chart(Slot.BEGINNER)
    ghost = win.drafting.ghosts.get(beginner)
    assert ghost is not None
    easy_cells = {(n.beat, n.lane) for n in easy.notes}
    assert ghost.notes
    assert {(n.beat, n.lane) for n in ghost.notes} <= easy_cells  # the Easy chart's rows and arrows
    assert len(ghost.notes) < len(easy.notes)
    assert ghost.provenance["parameters"]["simplified_from"] == "Easy"
    assert win.session.chart is beginner
    assert win.session.reference is easy  # compared with its source, as a refine is
    win.session.set_chart(beginner)
    panel = win.ai_panel
    assert not panel.simplify_button.isEnabled()  # nothing is below Beginner: the button says so, off
    assert "nothing is below Beginner" in panel.simplify_button.toolTip()
    assert panel.refine_button.isEnabled()
    win.ai_panel.simplify_target.setCurrentIndex(win.ai_panel.simplify_target.findData(Slot.EASY))
    assert win.ai_panel.simplify() is None  # Easy is not easier than Beginner
    assert "not easier" in boxes[-1][2]
    # an Edit chart: refine and simplify name the slots they work from (they said "Medium is not easier")
    edit = win.session.doc.song.chart(Slot.EASY)
    edit.slot = Slot.EDIT
    win.session.set_chart(edit)
    for button in (panel.simplify_button, panel.refine_button):
        assert not button.isEnabled()
        assert "the current chart is Edit" in button.toolTip()
    for act in (win.ai_panel.simplify, win.ai_panel.refine):
        assert act() is None
        assert "the current chart is Edit" in boxes[-1][2]
        assert "not easier" not in boxes[-1][2]
        assert "not higher" not in boxes[-1][2]


def test_cancel_stops_the_draft(ai, qtbot):
    win = ai
    job = win.ai_panel.draft(list(Slot)[:5])
    assert job is not None
    win.ai_panel.cancel_button.click()
    wait_job(qtbot, win)
    # either it was cancelled before finishing, or it had already finished: never an error box
    assert win.drafting.last_error is None


def test_dead_remote_server_falls_back_with_a_message(ai, qtbot, boxes):
    win = ai
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    win.ai_panel.url.setText(f"http://127.0.0.1:{port}")
    win.ai_panel.url.editingFinished.emit()
    win.ai_panel.remote.setChecked(True)
    qtbot.waitUntil(lambda: win.ai_panel.light.property("state") == "down", timeout=10000)
    assert "not reachable" in win.ai_panel.light.toolTip()
    win.ai_panel.draft([Slot.HARD])
    wait_job(qtbot, win)
    assert win.drafting.last_error is None
    assert win.drafting.ghosts.get(win.session.doc.song.chart(Slot.HARD)) is not None
    qtbot.waitUntil(lambda: "fallback" in win.ai_panel.device.text(), timeout=5000)
    assert win.ai_panel.light.property("state") in ("fallback", "down")


def test_missing_model_is_a_clear_message(opened, tmp_path, boxes, qtbot):
    win = opened
    win.drafting.models_dir = tmp_path / "no-models"
    win.ai_panel.draft([Slot.HARD])
    wait_job(qtbot, win)
    assert any("no onset model" in text for _kind, _title, text in boxes)
    assert win.session.doc.song.chart(Slot.HARD) is None  # the empty chart made for the draft is taken back


def test_gpu_machine_without_working_cuda_says_why_in_the_panel(ai, qtbot, monkeypatch):
    """With an NVIDIA driver but no CUDA libraries, the device line names the missing library; provenance does not."""
    import inference.backends as backends

    monkeypatch.setattr(backends, "preload_cuda_libraries", lambda: "Failed to load libcudnn.so.9: not found\n")
    monkeypatch.setattr(backends, "nvidia_driver_present", lambda: True)
    monkeypatch.setattr(backends.OnnxBackend, "providers",
                        lambda self: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    win = ai
    win.drafting.drafter = None  # a fresh backend, as on start-up
    win.drafting.warm_up()
    wait_job(qtbot, win)
    qtbot.waitUntil(lambda: "libcudnn.so.9" in win.ai_panel.device.text(), timeout=10000)
    assert win.ai_panel.device.text().startswith("local ONNX (CPU)")


def test_accepting_a_measure_or_range_never_reaches_past_what_was_drafted(ai, qtbot):
    """Regenerate beats 10-14, then Return with the cursor in measure 8-12 and no selection: only 10-12 is the
    AI's; the designer's notes at 8-10 stay (they were deleted). With two drafted passages, accepting a range over
    both replaces them in one undo step and keeps the notes between them."""
    from chart.commands import AddNotes
    from chart.notes import Note

    win = ai
    chart = win.session.doc.song.chart(Slot.EASY)
    win.session.set_chart(chart)
    mine = [Note(Fraction(b, 2), (b * 3) % 4) for b in range(16, 40)]  # beats 8 to 19.5
    win.session.push(AddNotes(chart, [n for n in mine if n not in chart.notes]))
    designer = sorted(chart.notes)
    win.session.set_range((Fraction(10), Fraction(14)))
    assert win.ai_panel.regenerate() is not None
    wait_job(qtbot, win)
    ghosts = list(win.drafting.ghosts.get(chart).notes)
    assert ghosts
    assert all(10 <= n.beat < 14 for n in ghosts)
    win.session.set_range(None)
    win.session.select([])
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(9))))
    assert win.drafting.decision_region() == (8, 12)
    win.accept_drafts()
    kept = [n for n in designer if not 10 <= n.beat < 12]
    assert [n for n in chart.notes if not 10 <= n.beat < 12] == kept  # 8-10 untouched
    assert [n for n in chart.notes if 10 <= n.beat < 12] == sorted(n for n in ghosts if n.beat < 12)
    win.session.doc.undo()
    assert sorted(chart.notes) == designer
    # two passages drafted; a range over both: one step, the notes between them stay
    win.drafting.ghosts.reject(chart)
    for region in ((Fraction(8), Fraction(9)), (Fraction(12), Fraction(13))):
        win.session.set_range(region)
        assert win.ai_panel.regenerate() is not None
        wait_job(qtbot, win)
    steps = len(win.session.doc.history.undo_stack_names())
    win.session.set_range((Fraction(6), Fraction(16)))
    win.accept_drafts()
    assert len(win.session.doc.history.undo_stack_names()) == steps + 1
    outside = [n for n in designer if not (8 <= n.beat < 9 or 12 <= n.beat < 13)]
    assert [n for n in chart.notes if not (8 <= n.beat < 9 or 12 <= n.beat < 13)] == outside
    win.session.doc.undo()
    assert sorted(chart.notes) == designer


def test_each_chart_drafts_on_its_own_timing(ai, qtbot, monkeypatch):
    """Split timing: with a chart that has a timing of its own (half a second later) as the current chart, a draft
    of another slot used that chart's timing, and a refine from it put the kept rows half a second early. Each
    chart now drafts on the timing it uses, and a refine reads the lower chart at its times."""
    from chart.commands import SetTiming

    win = ai
    song = win.session.doc.song
    easy = song.chart(Slot.EASY)
    shifted = song.timing.with_changes(offset=song.timing.offset - Fraction(1, 2))
    assert win.session.push(SetTiming(shifted, chart=easy, name="Easy's own timing"))
    win.session.set_chart(easy)
    assert win.drafting.draft_slots([Slot.HARD], {}) is not None
    wait_job(qtbot, win)
    hard = song.chart(Slot.HARD)
    from_easy = list(win.drafting.ghosts.get(hard).notes)
    win.drafting.ghosts.reject(hard)
    win.session.set_chart(song.chart(Slot.BEGINNER))  # uses the song's timing, as Hard does
    assert win.drafting.draft_slots([Slot.HARD], {}) is not None
    wait_job(qtbot, win)
    assert win.drafting.ghosts.get(hard).notes == from_easy
    win.drafting.ghosts.reject(hard)
    # a refine from Easy to Hard: Hard's timing, and Easy's notes at their times in Hard's beats
    seen = {}
    drafter = win.drafting.ensure_drafter()
    real = drafter.refine

    def spy(path, timing, lower, *args, **kwargs):
        seen.update(timing=timing, lower=lower)
        return real(path, timing, lower, *args, **kwargs)

    monkeypatch.setattr(drafter, "refine", spy)
    win.session.set_chart(easy)
    assert win.drafting.refine_up(Slot.HARD) is not None
    wait_job(qtbot, win)
    assert seen["timing"] == song.timing
    assert len(seen["lower"]) == len(easy.notes)
    for mine, theirs in zip(sorted(easy.notes), seen["lower"]):
        assert abs(float(shifted.beat_to_seconds(mine.beat) - song.timing.beat_to_seconds(theirs.beat))) < 0.007


def test_a_chart_removed_while_the_ai_works_drops_its_draft(ai, qtbot):
    """Refine up to a slot the song lacks adds that chart (its own undo step) and starts the job; undoing the
    addition before the job ends left the finished draft pointing the editor at the removed chart (a click then
    raised "chart ... is not part of this song"; found by the GUI fuzz on a shared song)."""
    from chart.commands import RemoveChart

    win = ai
    song = win.session.doc.song
    hard = song.chart(Slot.HARD)
    if hard is not None:
        win.session.push(RemoveChart(hard))
    win.session.set_chart(song.chart(Slot.EASY))
    gate = __import__("threading").Event()
    drafter = win.drafting.ensure_drafter()
    real = drafter.refine

    def held(*args, **kwargs):
        gate.wait(30)  # the job is running while the designer undoes
        return real(*args, **kwargs)

    drafter.refine = held
    assert win.drafting.refine_up(Slot.HARD) is not None
    added = song.chart(Slot.HARD)
    assert added is not None
    assert win.session.doc.history.undo_stack_names()[-1].startswith("Add Hard chart")
    win.session.doc.undo()
    assert song.chart(Slot.HARD) is None
    gate.set()
    wait_job(qtbot, win)
    assert win.session.has_chart(win.session.chart)
    assert win.drafting.ghosts.get(added) is None
    assert "dropped" in win.statusBar().currentMessage()
    with pytest.raises(ValueError, match="chart of the open song"):
        win.session.set_chart(added)


def test_a_regenerated_passage_makes_room_in_the_pending_draft(opened):
    """A pending draft hold ending on the first beat of a regenerated passage, whose variant puts a tap there in
    that lane: Accept All wrote both and Save refused (a note on the hold's end)."""
    from chart.notes import Note, NoteKind
    from chart.sorted_notes import inside_holds
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    ghosts.put(GhostDraft(chart, [Note(Fraction(30), 0, NoteKind.HOLD, Fraction(2))], {}, {},
                          regions=[(Fraction(28), Fraction(32))]))
    variants = [[Note(Fraction(32), 0)], [Note(Fraction(32), 1)], [Note(Fraction(32), 0), Note(Fraction(33), 2)]]
    ghosts.put_variants(chart, variants, (Fraction(32), Fraction(36)), {}, {}, 0.5, None, 0.0)
    for step in (0, 1, 1):
        if step:
            ghosts.flip_variant(chart, step)
        notes = ghosts.get(chart).notes
        assert not inside_holds(notes), notes
    assert ghosts.accept(chart)
    assert not inside_holds(chart.notes)


def test_each_variant_is_spliced_into_the_ghosts_as_they_were(opened):
    """A variant that steps into a pending ghost hold cuts it while it is shown; the next variant, a Reject of the
    passage and Accept see the hold whole again (the cut stayed for good, so the flip order changed the chart)."""
    from chart.notes import Note, NoteKind
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    hold = Note(Fraction(30), 0, NoteKind.HOLD, Fraction(4))
    inside, beside = [Note(Fraction(33), 0)], [Note(Fraction(33), 3)]

    def fresh():
        ghosts.clear()
        ghosts.put(GhostDraft(chart, [hold], {}, {}, regions=[(Fraction(28), Fraction(32))]))
        ghosts.put_variants(chart, [inside, beside], (Fraction(32), Fraction(36)), {}, {}, 0.5, None, 0.0)

    fresh()
    assert ghosts.get(chart).notes[0].length < 4  # cut while the variant stepping into it is shown
    ghosts.flip_variant(chart, 1)
    assert ghosts.get(chart).notes == [hold, *beside]
    ghosts.flip_variant(chart, 1)
    ghosts.reject(chart, Fraction(32), Fraction(36))
    assert ghosts.get(chart).notes == [hold]
    fresh()
    ghosts.flip_variant(chart, 1)
    assert ghosts.accept(chart)
    assert [n for n in chart.notes if 28 <= n.beat < 36] == [hold, *beside]


def test_a_server_url_with_a_password_is_not_kept_in_the_settings(opened, qtbot):
    """A user name and password in the URL went into editor.ini (0644; the token has a 0600 file of its own)."""
    win = opened
    settings = win.drafting.settings
    settings.set("ai/remote_url", "http://127.0.0.1:8080")
    win.ai_panel.url.setText("http://alice:hunter2pw@127.0.0.1:8080")
    win.ai_panel.url.editingFinished.emit()
    assert settings.get("ai/remote_url") == "http://127.0.0.1:8080"
    assert win.ai_panel.light.property("state") == "down"
    assert "token file" in win.ai_panel.light.toolTip()
    win.ai_panel.remote.setChecked(True)  # choosing Remote keeps it out too
    assert "hunter2" not in settings.get("ai/remote_url")
    win.ai_panel.url.setText("http://127.0.0.1:9090")
    win.ai_panel.url.editingFinished.emit()
    assert settings.get("ai/remote_url") == "http://127.0.0.1:9090"

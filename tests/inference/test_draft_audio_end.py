"""No drafted row at or past the end of the audio, nor in the silence a song ends with (audit 25: Regenerate
selection over the demo song's last measures put a note 23 ms after the audio's end, which Verify calls a PROBLEM;
Walkie Talkie Man's got rows 3-40 ms before its end, in digital silence, where whole-song drafts end seconds
earlier).

The onset model is a stand-in backend whose curve peaks everywhere, the last frames included (as the real model's
faint bump at the end of its input), so a dense target takes rows up to the very end."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from inference.draft_audio import beat_window, ends_within
from inference.draft_types import DraftError, SongAnalysis
from inference.drafter import Drafter
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050
TIMING = TimingData.constant(120, Fraction(-1, 2))  # beat 0 at 0.5 s, 2 beats a second


class PeakyBackend:
    """Every sixth frame a peak of 0.9, the last frames too; the curve's frames are the window's."""

    def run(self, manifest, inputs):
        batch, frames = inputs["features"].shape[:2]
        prob = np.full((batch, frames), 0.05, dtype=np.float32)
        prob[:, ::6] = 0.9
        prob[:, -3:] = [0.3, 0.95, 0.3]
        return {manifest.outputs[0].name if manifest.outputs else "onset_prob": prob}

    def describe(self) -> str:
        return "peaky stand-in"


@pytest.fixture(scope="module")
def drafter(tmp_path_factory):
    pytest.importorskip("onnx")
    return Drafter(drafting_model(tmp_path_factory.mktemp("audio-end")), backend=PeakyBackend())


def end_beat(samples: np.ndarray) -> Fraction:
    """The beat the audio ends at, as the drafter computes it (from the float seconds)."""
    return TIMING.seconds_to_beat(Fraction(len(samples) / SR))


def test_a_window_ends_at_the_end_of_the_audio():
    """beat_window let a range run a beat past the audio's end."""
    frames = 500
    analysis = SongAnalysis(np.zeros((frames, 4), np.float32), np.zeros((frames, 4), np.float32), 50.0, 9.97)
    audio_end = TIMING.seconds_to_beat(Fraction(9.97))
    window = beat_window(TIMING, analysis, Fraction(12), Fraction(24))
    assert window.end_beat == audio_end == window.rows_end
    with pytest.raises(DraftError, match="past the end of the audio"):
        beat_window(TIMING, analysis, audio_end, Fraction(24))


@pytest.mark.parametrize("seconds", [9.97, 9.98, 9.99, 10.03])
@pytest.mark.parametrize("slot", ["beginner", "easy", "challenge"])
def test_a_range_over_the_last_beats_puts_nothing_past_the_audio(drafter, seconds, slot):
    samples = click_track(120, 0.5, seconds, SR)
    audio_end = end_beat(samples)
    draft = drafter.variants((samples, SR), TIMING, slot, 1, start_beat=Fraction(12), end_beat=audio_end + 2,
                             nps=12.0)[0]
    assert draft.notes, "the stand-in curve offers rows everywhere"
    late = [n for n in draft.notes if n.beat >= audio_end or n.end_beat >= audio_end]
    assert not late, f"audio ends at beat {float(audio_end):.3f}: {late}"  # before: a row at beat 19
    assert draft.end_beat <= audio_end  # Accept replaces no more than the audio holds


def test_no_row_in_the_silence_the_song_ends_with(drafter):
    music = click_track(120, 0.5, 7.9, SR)
    samples = np.concatenate([music, np.zeros(2 * SR, np.float32)])  # the last 2 s (4 beats) are silent
    silent_from = end_beat(music) + Fraction(1, 25)  # the silence as its 10-ms level frames find it: 20 ms later
    for start in (Fraction(0), Fraction(10)):  # a whole-song draft and a range over the last measures
        draft = drafter.draft((samples, SR), TIMING, ["challenge"], start_beat=start if start else None,
                              end_beat=end_beat(samples) + 1 if start else None, nps={"challenge": 12.0})[0]
        assert draft.notes
        late = [n for n in draft.notes if n.end_beat >= silent_from]
        assert not late, f"the song falls silent at beat {float(silent_from):.3f}: {late}"
    with pytest.raises(DraftError, match=r"^nothing to draft: beats 16\.5 to 20 lie in the silence at the end of "
                                         r"the song \(from beat 14\.8\d\)$"):
        drafter.variants((samples, SR), TIMING, "easy", 1, start_beat=Fraction(33, 2), end_beat=Fraction(20))


def test_arrows_end_a_hold_before_the_end_of_the_audio():
    """Arrows keeps the designer's rows; a hold the lane model draws from one near the end stops before it."""
    notes = [Note(Fraction(16), 0, NoteKind.HOLD, Fraction(1)), Note(Fraction(18), 1, NoteKind.HOLD, Fraction(2)),
             Note(Fraction(75, 4), 2, NoteKind.ROLL, Fraction(1)), Note(Fraction(19), 3)]
    out = ends_within(notes, TIMING, 9.95)  # the audio ends at beat 18.9
    assert out[0] == notes[0]
    assert out[1] == Note(Fraction(18), 1, NoteKind.HOLD, Fraction(3, 4))  # on the sixteenth grid before 18.9
    assert out[2] == Note(Fraction(75, 4), 2, NoteKind.TAP)  # too short a hold: a tap
    assert out[3] == notes[3]  # a row is the designer's: kept

"""Playback > Hitsounds (osu! Maps): the player plays an osu! map's hitsounds as osu!'s editor does.

osu!'s editor plays each hit object's samples as the song plays: that is how a mapper checks the hitsounding.
Here, on an osu! map (:func:`chart.hitsound_edit.takes_sounds`: the charts Edit > Hitsounds edits) with the
option on (the ``audio/hitsounds`` setting, on by default), every judged note plays its samples
(:func:`chart.hitsound_play.hitsound_plan`: normal sound and additions, sample sets with Auto through the timing
point in force, custom index, volume and file), each the set folder's own file where it has one, else a built-in
sound (:class:`audio.hitsound_bank.SampleBank`). The player mixes them at exact frames in the audio callback, as
it mixes the assist ticks, so they stay on the music at every rate, and at the tick volume.

They take the place of the note tick (F4) on such a map: a note sounds once, with its hitsound. A StepMania
chart, or an osu! map with the option off, keeps the note tick. They follow every change the ticks follow
(:meth:`editor.controllers.playback.PlaybackController.update_ticks`: notes, timing, the chart's extras where
Edit > Hitsounds writes, another chart).
"""

from __future__ import annotations

from audio.hitsound_bank import SampleBank, Sound, plan_sounds
from chart.hitsound_edit import takes_sounds
from chart.hitsound_play import hitsound_plan
from editor.key_hints import hint
from editor.status_messages import post_background

SETTING = "audio/hitsounds"


def plays_hitsounds(chart, settings) -> bool:
    """Whether ``chart`` plays its osu! hitsounds (instead of the note tick) with these settings."""
    return chart is not None and bool(settings.get(SETTING)) and takes_sounds(chart)


def toggled_text(on: bool, chart, where=None) -> str:
    """The status line of Playback > Hitsounds turned on or off with ``chart`` shown, naming the Note Ticks key of
    the window ``where`` is in as the keymap gives it (the default without one)."""
    keys = hint(where, "play.note_ticks")
    if not on:
        return f"Hitsounds off: notes play the note tick{keys} when it is on"
    if chart is not None and takes_sounds(chart):
        return "Hitsounds on: the notes play their osu! hitsounds instead of the note tick"
    return f"Hitsounds on for osu! maps; this chart is not one: its notes keep the note tick{keys}"


class HitsoundVoices:
    """The hitsounds of the current chart for a player, with the decoded samples kept between changes."""

    def __init__(self, win, session) -> None:
        self.win, self.session = win, session
        self.bank = SampleBank()

    def sounds(self, player) -> list[Sound]:
        """(song seconds, gains, samples at ``player``'s rate) of each distinct sound the current chart plays."""
        s = self.session
        song = s.doc.song
        plan = hitsound_plan(song, s.chart, s.timing())
        folder = song.source_path.parent if song.source_path is not None else None
        sounds = plan_sounds(plan, folder, int(round(player.sample_rate_hz)), self.bank)
        failed = self.bank.new_failures()
        if failed:
            post_background(self.win, f"Hitsounds: cannot play {'; '.join(failed[:3])}"
                                      f"{f' (and {len(failed) - 3} more)' if len(failed) > 3 else ''}: the "
                                      "built-in sound plays instead")
        return sounds

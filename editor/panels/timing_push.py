"""One timing change as one undo step, with **Keep notes in time** (:func:`push_timing`).

Split from :mod:`editor.panels.timing` (which re-exports it): the Timing table, the F7/F8/F11/F12 nudges, Detect and
Tap Tempo and Detect Tempo of Selection all change the timing through it. With Keep notes in time the same step
re-beats, through one :class:`~chart.retime.BeatMap` per timing so that they agree, the notes of the charts that
use the timing (``chart.retime``), a routine chart's player 2, the osu! sounds, green lines, bookmarks and breaks,
and the timing's own display and scoring segments (labels, scrolls, fakes...: ``chart.retime_segments``): left on
their old beats, a fake segment made other notes fake and a label left the note it marked.
"""

from __future__ import annotations

from chart.checks.base import describe_beat
from chart.commands import ReplaceNotes, SetChartMeta, SetSongMeta, SetTiming
from chart.history import HistoryError
from chart.notes import Note
from chart.retime import SNAP_TOLERANCE_S, BeatMap, retime_extra, retime_osu_extra, retime_replacement
from chart.retime_map import paused_beats
from chart.retime_segments import describe, retime_segments
from chart.timing import TimingData
from editor.session import EditorSession


def push_timing(session: EditorSession, changed: TimingData, chart, name: str, merge: bool = True) -> bool:
    """Apply a timing change (``chart``'s own timing, or the song's when None) as one undo step; with
    ``session.keep_notes_in_time`` the notes of the charts using that timing are re-beated to keep their times, in
    the same step, and so are the changed timing's display segments (module docstring: they are re-beated into
    ``changed`` before it is set, so the step sets the timing with them). ``merge``: a quick follow-up change may
    join this step (a spin box being dragged); the Timing table's adds, edits and removals are each a step of
    their own. False (and a status message) when refused."""
    if not session.keep_notes_in_time:
        return session.push(SetTiming(changed, chart=chart, name=name, merge=merge))
    doc = session.doc
    song = doc.song
    targets = [chart] if chart is not None else [c for c in song.charts if c.timing is None]
    before = [song.timing_for(c) for c in targets]
    song_before = song.timing
    dropped = moved = 0
    shift_s = 0.0
    jumps_before = sum(_jump_rows(c.notes) for c in targets)
    try:
        shared = BeatMap(song.timing if chart is None else song.timing_for(chart), changed)  # every target's old
        changed, segments = retime_segments(changed, shared)  # the segments in the beats the notes get
        maps: dict[tuple[int, int], BeatMap] = {(id(shared.old), id(changed)): shared}  # one per (old, new)
        song_notes = []  # the notes of the charts that use the song's timing, as they were (green lines on them)
        rebeated: list[tuple[list[Note], BeatMap]] = []  # each target's old notes and its map (_fell_in_pauses)
        with doc.transaction(f"{name}, notes kept in time"):
            doc.push(SetTiming(changed, chart=chart, name=name, merge=merge))
            for target, old in zip(targets, before, strict=True):
                new = song.timing_for(target)
                beats = maps.setdefault((id(old), id(new)), BeatMap(old, new))
                old_notes, old_extra = list(target.notes), target.extra  # as before the notes' own step
                song_notes += old_notes
                rebeated.append((old_notes, beats))
                gone, came, lost, shifted_s, changed_n = retime_replacement(old_notes, old, new, beats)
                shift_s = max(shift_s, shifted_s)
                if gone or came:
                    doc.push(ReplaceNotes(target, gone, came, name="Keep notes in time"))
                dropped, moved = dropped + lost, moved + changed_n
                extra, came2, lost2, shifted2_s = retime_extra(old_extra, target.lanes, old, new,
                                                               beats)  # a routine's player 2
                extra = retime_osu_extra(extra, old_notes, old, new, beats)  # osu! sounds, @beat
                if extra != target.extra:  # (the notes' step alone marks their sounds lost)
                    doc.push(SetChartMeta(target, name="Keep notes in time", extra=extra))
                shift_s, dropped, moved = max(shift_s, shifted2_s), dropped + lost2, moved + came2
            song_extra = song.extra if chart is not None else retime_osu_extra(
                song.extra, (), song_before, song.timing, shared, on=song_notes)  # a green line on a note stays on it
            if song_extra is not song.extra:  # the song's green lines, bookmarks and breaks
                doc.push(SetSongMeta(name="Keep notes in time", extra=song_extra))
    except (ValueError, KeyError, HistoryError) as exc:  # during a take the history refuses: say why (session.push)
        session.status.emit(f"{name}: {session.refused_why(exc)}")
        return False
    text = f"{name}: {moved} note(s) given new beats to keep their times"
    new_jumps = sum(_jump_rows(c.notes) for c in targets) - jumps_before
    fell, shift_s = _fell_in_pauses(rebeated, shift_s) if shift_s >= SNAP_TOLERANCE_S else ("", shift_s)
    if shift_s >= SNAP_TOLERANCE_S:  # StepMania's finest row (1/48 beat) is the nearest: say how far that is
        text += f", within {shift_s * 1000:.1f} ms (the finest row is 1/48 beat)"
    text += fell
    if segments:
        text += f"; {describe(segments)} moved with them"
    pulled, late_s = sum(m.pulled for m in maps.values()), max((m.late_s for m in maps.values()), default=0.0)
    if pulled:  # no chart file keeps a note before beat 0: they sound late there (chart.retime)
        text += f"; {pulled} moved up to beat 0 (no chart file keeps one before it), up to {late_s * 1000:.1f} ms late"
    shortened = sum(m.shortened for m in maps.values())
    if shortened:
        text += f"; {shortened} hold(s) shortened to end a row before a note they reached"
    if new_jumps > 0:  # notes a pause or a shorter warp put on one row (a warp's own notes keep their beats)
        text += f"; {new_jumps} more jump row(s) than before: check them"
    session.status.emit(text + (f"; {dropped} dropped on a cell already taken" if dropped else ""))
    return True


def _jump_rows(notes: list[Note]) -> int:
    """Rows of ``notes`` with two or more onsets (mines aside)."""
    rows: dict = {}
    for n in notes:
        if n.kind.is_onset:
            rows[n.beat] = rows.get(n.beat, 0) + 1
    return sum(1 for k in rows.values() if k > 1)


def _fell_in_pauses(rebeated: list[tuple[list[Note], BeatMap]], shift_s: float) -> tuple[str, float]:
    """(what the status line says of the notes whose time fell inside a new pause, a stop's or a delay's: no row
    sounds during it, so they went to its beat or the row after, up to half the pause from their time, and a run
    of them may now share a row, a jump; the largest shift of the other notes, a rounding to a row). ``shift_s``
    and "" when none fell so. ``rebeated``: each re-beated chart's old notes and the map they went through."""
    maps = {id(m): m for _, m in rebeated}  # (the charts of one timing share a map)
    paused = {i: paused_beats(m) for i, m in maps.items()}
    if not any(paused.values()):
        return "", shift_s
    count, most = 0, 0.0
    was: set = set()
    pauses: set = set()
    for notes, beats in rebeated:
        mine = paused[id(beats)]
        for note in notes if mine else ():
            key = (note.beat.numerator, note.beat.denominator)
            if key in mine:
                count, most = count + 1, max(most, beats.shift[key])
                was.add(note.beat)
                pauses.add(mine[key])
    rounding = max((s for i, m in maps.items() for key, s in m.shift.items()
                    if key not in paused[i] and key not in m.yields), default=0.0)
    if not count:
        return "", rounding
    olds = ", ".join(describe_beat(b) for b in sorted(was)[:4]) + (", ..." if len(was) > 4 else "")
    kinds = {kind for kind, _ in pauses}
    what = "stop" if kinds == {"stop"} else "delay" if kinds == {"delay"} else "pause"
    plural = "s" if len(pauses) > 1 else ""
    at = ", ".join(describe_beat(b) for b in sorted({b for _, b in pauses}))
    return (f"; {count} note(s) (beat{'s' if len(was) > 1 else ''} {olds}) fell inside the {what}{plural} at"
            f" beat{plural} {at}, where no row sounds: moved to its beat or the row after, up to"
            f" {most * 1000:.1f} ms from their time, and may now form jumps", rounding)

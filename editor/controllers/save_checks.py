"""What Save (:class:`editor.controllers.files.FileController`) asks and checks before it writes, and the write of an
``.osu`` into a folder its audio is not in.

The questions: a format that holds one difficulty per file (a song of several, or of none, cannot be one ``.osu``),
what the format converts (as Export lists it; asked once per file and list), a file changed on disk since it was
read. An ``.osu`` saved to a folder without its audio (Save As of a new song into a set folder of its own) named
``../audio/track.ogg``, a map osu! cannot load: osu! loads a set's audio, background and samples only from the
set's folder. Save now does what Export and ``convert`` do (:mod:`chart.formats.osu_set_files`): it copies them in,
with the ``.osu`` all or nothing, after asking, as it asks before the conversions it makes.
"""

from __future__ import annotations

from pathlib import Path

from chart.document import Document
from chart.formats.osu_set_files import SetFiles, set_files, write_set
from chart.song import Song
from editor import messages
from editor.controllers.key_holds import KEY_ENDS

TAKE = "the recording take"
#: what ends a test play's stroke: it holds the history so that no edit changes the chart the run judges, but it
#: is no edit (nothing to finish before a Save, an autosave or a plugin; ``under_way`` still waits for the run)
TEST_PLAY_ENDS = "end the test play (Esc)"
#: what :attr:`chart.history.History.stroke_ends` says ends a stroke -> the stroke itself, as "when ... ends" and
#: "during ..." name it (a stroke opened without its own words is a mouse drag: "finish the drag")
_STROKES = {KEY_ENDS: "the lane key hold"}


def open_edit(window, doc: Document) -> str | None:
    """The edit under way in ``window`` that nothing may be saved, exported or applied in the middle of ("the
    recording take"; else named from the stroke's :attr:`~chart.history.History.stroke_ends`: "the drag", "the
    lane key hold"), or None. A Save clicked during a take wrote half of it, and after the take was undone the
    editor said there was nothing to save."""
    ends = doc.history.stroke_ends
    if ends is None or ends == TEST_PLAY_ENDS:
        return None
    record = getattr(window, "record", None)
    if record is not None and record.active:
        return TAKE
    return _STROKES.get(ends, ends.removeprefix("finish "))


def finish_first(window, doc: Document) -> str | None:
    """What to do before the refused step can go, during an :func:`open_edit` ("finish the recording take first
    (Esc ends it)", "finish the drag first", "release the lane key first"), else None."""
    edit = open_edit(window, doc)
    if edit is None:
        return None
    return f"finish {TAKE} first (Esc ends it)" if edit == TAKE else f"{doc.history.stroke_ends} first"


def refused_mid_edit(window, session, what: str) -> bool:
    """True (and a status line: "Not saved: finish the recording take first") during an :func:`open_edit`."""
    line = finish_first(window, session.doc)
    if line is not None:
        session.status.emit(f"Not {what}: {line}")
    return line is not None


def may_write(files, target: Path) -> bool:
    """The questions before ``files`` (a FileController) saves the open song to ``target``; False: not saved (a
    dialog or the status bar said why)."""
    from chart.formats.errors import conversion_lines
    from chart.formats.registry import format_for, unrepresentable

    window, session = files.window, files.session
    song = session.doc.song
    try:
        fmt = format_for(target).name
    except ValueError as exc:
        messages.error(window, "Cannot save", messages.one_line(str(exc)))
        return False
    if fmt == "osz":  # never rewrite an archive: it holds more than the song (module chart.formats.osz)
        messages.error(window, "Cannot save", f"{target.name}: an .osz is a packed beatmap set; File > "
                       f"Export writes one. Save the song as .ssc (or .osu) to keep working on it.")
        return False
    if fmt == "osu" and not song.charts:  # the writer's own words were "beat 0: ... the song has 0"
        messages.error(window, "Cannot save", f"{target.name}: the song has no difficulty to write (an osu!mania "
                       f"file holds one). Add one in the Charts panel, or save the song as .ssc.")
        return False
    if fmt == "osu" and len(song.charts) > 1:
        messages.error(window, "Cannot save",
                       f"{target.name}: an osu!mania file holds one difficulty and this song has "
                       f"{len(song.charts)}. File > Export writes one .osu per difficulty; save the song as "
                       f".ssc to keep it in one file.")
        return False
    found = unrepresentable(song, fmt)  # once: a .sm's reads its timing back
    refused = refusal(song, target, fmt, found)  # no question about small losses for a file that cannot be written
    if refused is not None:
        messages.error(window, "Cannot save", messages.one_line(f"{target}: {refused}") + "\nNothing was written; "
                       "your changes are still open.")
        return False
    if not drafts_left_out(files, target.name, "Save", "saved"):
        return False
    lines = conversion_lines(found)
    if lines and files._conversions_accepted != (target, lines):
        if not messages.confirm(window, "Save with conversions?", conversions_text(found, target, fmt)):
            session.status.emit("Not saved; Save As .ssc keeps everything")
            return False
        files._conversions_accepted = (target, lines)
    changed = (f"{target} was changed on disk after it was opened or saved here (by another program?). "
               f"Overwrite it with the editor's version? (The old file is kept as {target.name}.bak.)")
    if files.on_disk.changed(target) and not messages.confirm(window, "File changed on disk", changed):
        session.status.emit("Not saved; Save As writes the editor's version to another file")
        return False
    return True


def refusal(song: Song, target: Path, fmt: str, found=None) -> str | None:
    """The writer's refusal (:class:`~chart.formats.errors.WriteError`'s line) of ``song`` written to ``target`` as
    ``fmt``, or None: its fatal :func:`~chart.formats.registry.unrepresentable` entries, those of each file
    written: one per difficulty for ``.osu``; an ``.osz`` holds such ``.osu`` files, whose audio its writer checks
    itself. ``found``: the song's own entries for ``fmt`` when they are at hand (one pass over a big song's notes
    costs a second): their song-level fatal one is then left out for a song of difficulties written as
    ``.osu`` (the one difficulty per file, answered by a file per chart); an ``.osz``'s keep its audio not found,
    which its writer refuses (Export said so only after its questions). Save and
    Export say it before their questions: a "Save anyway?" about dropped tags answered Yes, then "Cannot save:
    .sm has one timing per song"."""
    from chart.formats.errors import WriteError
    from chart.formats.registry import split_per_chart, unrepresentable

    if found is None:
        each = "osu" if fmt == "osz" else fmt
        found = [u for part, _ in split_per_chart(song, target.with_suffix(f".{each}"))
                 for u in unrepresentable(part, each)]
    elif fmt == "osu" and song.charts:  # an .osz's own entries leave that rule out already; its audio stays
        found = [u for u in found if u.chart_id or not u.fatal]
    fatal = [u for u in found if u.fatal]
    return str(WriteError(f".{fmt}", fatal)) if fatal else None


def drafts_left_out(files, name: str, verb: str = "Save", done: str = "saved") -> bool:
    """Save's (and Export's) question when AI drafts are pending in any chart: ghosts are not part of the song,
    so the file would hold the charts without them (after "Draft all difficulties" and Ctrl+Return, which
    accepts the chart on screen only, four charts empty). Yes goes on without them, No cancels. Asked once per
    document, set of pending drafts (:meth:`DraftResults.pending_text`) and ``verb``, as closing the window asks
    it for Save: Export's Yes (a quick test copy without them) is no answer for Save's song file; True to go
    on."""
    drafting = getattr(files.window, "drafting", None)
    drafts = drafting.pending_text() if drafting is not None else ""
    doc = files.session.doc
    told = files._drafts_accepted.get(verb)  # Save's and Export's answers apart
    if not drafts or (told is not None and told[0] is doc and told[1] == drafts):
        return True
    from editor.key_hints import hint

    if not messages.confirm(files.window, "AI drafts not accepted",
                            f"{drafts}. Drafts are not part of the song until accepted, so {name} would be written "
                            f"without them. {verb} without them?\n\nTo keep them: No, then in each chart AI > "
                            f"Accept All Drafts in This Chart{hint(files.window, 'ai.accept_all')}; Previous/Next "
                            f"Difficulty{hint(files.window, 'view.prev_chart', 'view.next_chart')} switch charts.",
                            default=True):
        files.session.status.emit(f"Not {done}: AI drafts pending ({drafts})")
        return False
    files._drafts_accepted[verb] = (doc, drafts)
    return True


def conversions_text(found, target: Path, fmt: str) -> str:
    """Save's question about the conversions among ``found`` (:func:`chart.formats.registry.unrepresentable`):
    what the file does not have as it is (dropped or converted), apart from what it has but the game ignores
    (``Unrepresentable.written``: ``#SCROLLS`` in a ``.sm``), which must not be called lost."""
    from chart.formats.errors import conversion_lines

    written = conversion_lines(u for u in found if u.written)
    lost = conversion_lines(u for u in found if not u.written)
    parts = []
    if lost:
        parts.append(f"{target.name} cannot hold everything in this song as it is:\n{_shown(lost)}\n\nIn the file "
                     f"these are dropped or converted, as each line says.")
    if written:
        game = "StepMania ignores them in .sm" if fmt == "sm" else "the game ignores them"
        parts.append(f"Written to {target.name}, but {game}:\n{_shown(written)}")
    return "\n\n".join(parts) + "\n\nThe editor keeps everything until you close it. Save anyway?"


def _shown(lines: list[str]) -> str:
    return "\n".join(lines[:8]) + (f"\n... and {len(lines) - 8} more" if len(lines) > 8 else "")


def set_copies(files, target: Path) -> SetFiles | None:
    """The files an ``.osu`` saved to ``target`` needs copied into its folder (:func:`set_files`; none for another
    format or the set's own folder), for the open song relinked for ``target`` already. Asks first when there are
    any; None when the designer says no (nothing is written). SetFileClash (a ValueError) when another file of a
    copy's name is there."""
    made = set_files(files.session.doc.song, target)
    if not made.copies:
        return made
    what = made.note(target.parent).replace("copied", "copies", 1)
    if not messages.confirm(files.window, "Copy into the set's folder?",
                            f"Saving {target.name} {what}. Save and copy?", default=True):
        files.session.status.emit("Not saved; an .osu naming audio outside its folder does not load in osu! "
                                  "(Save As .ssc needs no copy)")
        return None
    return made


def write(doc: Document, target: Path, made: SetFiles) -> None:
    """Save ``doc`` to ``target`` (:meth:`Document.save`), with the set's copies when there are any: the song then
    names the copies (the song's own chart objects keep their identity: later commands are tied to them), and the
    ``.osu`` and the copies are written all or nothing (:func:`write_set`; the old file kept as ``.bak``)."""
    if not made.copies:
        doc.save(target)
        return
    from chart.formats.registry import encode

    song = doc.song
    song.music, song.extra = made.song.music, made.song.extra
    for chart, named in zip(song.charts, made.song.charts, strict=True):
        chart.extra = named.extra
    write_set([(target, encode(song, target))], made.copies, keep_backup=True)
    doc.path = target
    doc.mark_clean()

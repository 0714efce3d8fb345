"""ExportController: Verify first, then write a copy in another format (.sm/.ssc/.osu/.osz/.json).

Export never changes the open document, its file name or its saved state. Before writing, every chart is
checked (``chart.checks``) against the target format, and what the format will convert (e.g. mines dropped in
osu!mania) is listed; problems are shown and the designer decides whether to export anyway. osu!mania holds one
difficulty per file, so a multi-chart song becomes ``<name> [<difficulty>].osu`` files side by side. Other ``.osu``
files of the same song in that folder (a difficulty deleted or renamed since the set was opened) would come back
when the folder is opened again, and osu! would show them: the export lists those the song was read from or
wrote here (never another mapper's difficulty it did not read) and offers to move them to
``.bak`` files once the new ones are written (kept, not deleted: a designer can take one back; an earlier backup
of the same name is kept too, the new one numbered: :func:`backup_name`). An ``.osz`` is the same set in one zip,
with the audio and the files its ``[Events]`` name (:mod:`chart.formats.osz`). ``.osu`` files exported to a folder
their audio, background, video or storyboard is not in get copies of them, written with them all or nothing, as
``convert`` does (:mod:`chart.formats.osu_set_files`): osu! loads them only from the set's folder; the question
before the export says so.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from chart.checks.base import CheckContext, Issue, Severity
from chart.checks.registry import all_checks, run_checks
from chart.fileio import backup_name, move_aside
from chart.formats.errors import Unrepresentable, conversion_lines
from chart.formats.osu_set_files import set_files
from chart.formats.osz_zip import extract_folder, extraction_of, refresh_extraction
from chart.formats.registry import (
    format_for,
    leftover_set_files,
    relink_charts,
    relinked_extra,
    split_per_chart,
    unrepresentable,
)
from chart.song import Chart, Song
from editor import messages
from editor.controllers.file_dialogs import with_filter_extension
from editor.controllers.files import music_for
from editor.controllers.save_checks import drafts_left_out, refusal, refused_mid_edit
from editor.demo import away_from_bundled
from editor.panels.fields import commit_focused_field

EXPORT_FILTER = ("StepMania 5 (*.ssc);;StepMania (*.sm);;osu!mania (*.osu);;osu! beatmap archive (*.osz);;"
                 "Game JSON (*.json)")
MAX_LISTED = 8


class ExportController:
    """One export run for a window."""

    def __init__(self, win):
        self.win = win

    def ask_export_path(self) -> Path | None:
        doc = self.win.session.doc
        suggested = (doc.path or doc.song.source_path or Path("song.ssc")).with_suffix(".sm")
        suggested = away_from_bundled(suggested)  # the demo: the user's folder, as Save suggests
        path, chosen = QFileDialog.getSaveFileName(self.win, "Export", str(suggested), EXPORT_FILTER)
        if not path:
            return None
        return with_filter_extension(Path(path), chosen, None)

    def review(self, song: Song, fmt: str, found: list[Unrepresentable] | None = None,
               written: Song | None = None) -> tuple[list[str], bool]:
        """(lines to show, whether there are PROBLEM-level findings) for exporting ``song`` as ``fmt``, once
        :func:`refusal` let it through: :meth:`findings` as :func:`review_lines` words them."""
        found = unrepresentable(song, fmt) if found is None else found
        return review_lines(self.findings(song, fmt, found, written), found)

    def findings(self, song: Song, fmt: str, found: list[Unrepresentable],
                 written: Song | None = None) -> list[tuple[Chart, Issue]]:
        """:func:`export_findings` with the open audio's length."""
        audio = self.win.session.audio
        return export_findings(song, fmt, found, written, audio.duration_s if audio is not None else None)

    def export(self, target: Path | None = None) -> bool:
        commit_focused_field(self.win)  # the title still being typed is part of the copy
        if refused_mid_edit(self.win, self.win.session, "exported"):  # half a take or drag is no chart to export
            return False
        target = target or self.ask_export_path()
        if target is None:
            return False
        try:
            fmt = format_for(target).name
        except ValueError as exc:
            messages.error(self.win, "Cannot export", str(exc))
            return False
        song = self.win.session.doc.song
        found = unrepresentable(song, fmt)  # once: the refusal, the review and its summary all read it
        refused = refusal(song, target, fmt, found)  # never "Export anyway?" for what the writer refuses
        if refused is not None:
            messages.error(self.win, "Cannot export", messages.one_line(f"{target}: {refused}") + "\nNothing was written.")
            return False
        if (long := too_long_name([p for _part, p in split_per_chart(song, target)])) is not None:
            messages.error(self.win, "Cannot export", long + "\nNothing was written.")
            return False
        music = music_for(self.win.session, target)  # the copy names the audio (and banner...) from its own folder
        copied = dataclasses.replace(song, music=song.music if music is None else music,
                                     extra=relinked_extra(song, target), charts=[copy.copy(c) for c in song.charts])
        relink_charts(copied, target)  # on the copies: the open document keeps its own
        try:
            made = set_files(copied, target)  # an osu! set away from its files: they are copied in (osu_set_files)
        except (ValueError, OSError) as exc:  # SetFileClash and WriteError are ValueErrors
            messages.error(self.win, "Cannot export", messages.one_line(str(exc)))
            return False
        if not drafts_left_out(self.win.files, target.name, "Export", "exported"):  # after every refusal
            return False
        # one list for the question and, when it is cancelled, the Verify panel: they cannot differ
        issues = self.findings(song, fmt, found, written=dataclasses.replace(made.song, source_path=target))
        lines, problems = review_lines(issues, found)
        if made.copies:
            lines = [f"set folder: the export {made.note(target.parent).replace('copied', 'copies', 1)}", *lines]
        if made.no_audio:  # an osu! set without its music: osu! cannot play it (an .osz is refused for it)
            lines = [f"set folder: {made.missing()}", *lines]
        verify = getattr(self.win, "verify_panel", None)
        if verify is not None:  # the panel brought up to date in its worker: the window stays usable
            verify.run_in_background()
        if lines and not messages.confirm(self.win, "Verify before export",
                                          review_text(lines, problems, conversion_summary(song, fmt, found)),
                                          default=not problems, details="\n".join(lines)):  # all, in Show Details
            if verify is not None:  # the panel lists what the question found: the same findings, not a check of its own
                verify.show_for_export(fmt, issues)
            self.win.session.status.emit(f"Export cancelled; the Verify panel lists what it found for .{fmt}")
            return False
        targets = [p for _part, p in split_per_chart(song, target)]
        replaced = [p.name for p in targets if p != target and p.exists()]
        if replaced and not messages.confirm(self.win, "Replace files?",
                                             f"Export writes one file per difficulty, and these exist already:\n"
                                             f"{chr(10).join(replaced[:MAX_LISTED])}\n\nReplace them?"):
            self.win.session.status.emit("Export cancelled; nothing was written")
            return False
        if not self.may_overwrite(targets):
            self.win.session.status.emit("Export cancelled; nothing was written")
            return False
        on_disk = self.win.files.on_disk  # the song's files read or written here (editor.controllers.disk_stamps)
        # the song's own file (the open .osu, a difficulty of the set) keeps its old version as .bak, as Save does
        keep = any(p in on_disk and p.exists() for p in targets)
        song = made.song
        leftover = self.ask_leftovers(song, target)
        # an archive written over the one whose extraction is beside it (the .osz opened here): that folder is
        # brought up to date as the CLI does (chart.formats.osz_zip.refresh_extraction), else the new archive would
        # not open again; a folder edited since its extraction is never touched
        extracted = extraction_of(target)
        try:  # the .osu files and the set's copies all or nothing
            paths = made.write(target, keep_backup=keep)
        except (ValueError, OSError) as exc:  # WriteError is a ValueError
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            messages.error(self.win, "Cannot export", messages.one_line(f"{target}: {reason}"))
            return False
        on_disk.note(paths)  # the editor's own export is no change on disk for the next Save or Export
        written = [p.name for p in paths]
        moved = self.move_to_backup(leftover)
        on_disk.forget(p for p in leftover if not p.exists())
        note = (f"; {made.note(target.parent)}" if made.copies else "") + (f"; {made.missing()}" if made.no_audio else "")
        if extracted is not None and (refreshed := refresh_extraction(target, extracted)):
            note += f"; {refreshed}"
            on_disk.renote(extract_folder(target))  # the set opened from that archive, rewritten by the editor
        self.win.session.status.emit(f"Exported {', '.join(written)}{note}" + (f"; moved {', '.join(moved)}" if moved else ""))
        return True

    def may_overwrite(self, targets: list[Path]) -> bool:
        """Save's question (:func:`editor.controllers.save_checks.may_write`) before writing over a file of the
        song that another program changed since it was read or written here; False: the designer said no."""
        changed = [p for p in targets if self.win.files.on_disk.changed(p)]
        if not changed:
            return True
        names = "\n".join(str(p) for p in changed[:MAX_LISTED])
        return messages.confirm(self.win, "File changed on disk",
                                f"Changed on disk after it was opened or saved here (by another program?):\n{names}"
                                f"\n\nOverwrite with the export? (The old file is kept as NAME.bak.)")

    def ask_leftovers(self, song: Song, target: Path) -> list[Path]:
        """The stale difficulty files of the set to move aside once the export is written: those of
        :func:`leftover_set_files` that were read as this song or written by it here (a difficulty deleted or
        renamed since), never another mapper's difficulty of the same audio beside them; all of them when the
        designer agrees, else none."""
        on_disk = self.win.files.on_disk
        leftover = [p for p in leftover_set_files(song, target) if p in on_disk]
        if not leftover:
            return []
        names = "\n".join(p.name for p in leftover[:MAX_LISTED]) + (
            f"\n... and {len(leftover) - MAX_LISTED} more" if len(leftover) > MAX_LISTED else "")
        agreed = messages.confirm(
            self.win, "Old difficulty files",
            f"The folder holds difficulties of this song that the export does not write (deleted or renamed "
            f"since):\n{names}\n\nMove them to .bak files, so that the folder opens (here and in osu!) as just the "
            f"exported difficulties? (No keeps them beside the export.)", default=True)
        return leftover if agreed else []

    def move_to_backup(self, files: list[Path]) -> list[str]:
        """Rename each file to a free backup name (:func:`backup_name`); ``"OLD to .bak"`` (``NAME.bak``) or ``"OLD
        to NEW"`` (a numbered one) for each file moved. One that cannot be moved is named in a dialog (the export
        itself is written)."""
        moved, failed = [], []
        for path in files:
            try:
                backup = move_aside(path)
                moved.append(f"{path.name} to {'.bak' if backup == backup_name(path) else backup.name}")
            except OSError as exc:
                failed.append(f"{path.name}: {exc.strerror or exc}")
        if failed:
            messages.error(self.win, "Old difficulty files", "Exported, but these could not be moved to .bak:\n"
                           + "\n".join(failed[:MAX_LISTED]))
        return moved


def export_findings(song: Song, fmt: str, found: list[Unrepresentable], written: Song | None = None,
                    audio_s: float | None = None) -> list[tuple[Chart, Issue]]:
    """What Verify finds exporting ``song`` as ``fmt``, as (chart of ``song``, issue) pairs: the question's
    findings and, when it is cancelled, the Verify panel's list (:meth:`VerifyPanel.show_for_export`), one list
    for both. ``found``: the song's :func:`unrepresentable` entries for ``fmt`` (computed once per export: on a
    58k-note song each pass over its notes cost a second), which stand for the ``representable`` check: after
    the refusal only the song-level ones that its files do not answer are left (an ``.osz``'s audio; an ``.osu``
    export's "one difficulty per file" is answered by a file per chart), and its conversions are INFO.
    ``written``: the song as the export writes it (named from the target's folder, :func:`set_files`' copies in
    it; ``source_path`` the target), on which the ``set-folder`` check runs: an osu! set's audio outside the open
    song's folder is copied into the set's, and is no PROBLEM there."""
    moved = {"set-folder"} if written is not None else set()  # checked where the set is written (below)
    checks = [c for c in all_checks() if c.meta.id != "representable" and c.meta.id not in moved]  # found's
    out: list[tuple[Chart, Issue]] = []
    for k, chart in enumerate(song.charts):
        ctx = CheckContext(song, chart, audio_length_s=audio_s, target_format=fmt, song_level=k == 0)
        out += [(chart, i) for i in run_checks(ctx, checks)]
    if written is not None and written.charts and song.charts:
        ctx = CheckContext(written, written.charts[0], target_format=fmt, song_level=True)
        out += [(song.charts[0], i) for i in run_checks(ctx, [c for c in all_checks() if c.meta.id in moved])]
    by_id = {c.chart_id(): c for c in reversed(song.charts)}  # an id two charts share: the first
    left = [u for u in found if u.fatal and not (fmt == "osu" and not u.chart_id)]
    for u in left + [u for u in found if not u.fatal]:
        owner = by_id.get(u.chart_id, song.charts[0] if song.charts else None)
        if owner is not None:  # (a song without charts is refused before the question)
            at = u.beat if u.note is not None or u.beat else None
            out.append((owner, Issue(Severity.PROBLEM if u.fatal else Severity.INFO, f"{fmt}: {u.reason}", at,
                                     (u.note,) if u.note is not None else (), "representable", u.chart_id or "song")))
    return out


def review_lines(issues: list[tuple[Chart, Issue]], found: list[Unrepresentable]) -> tuple[list[str], bool]:
    """(the export question's lines, whether any is a PROBLEM): what the format converts or drops first (it
    happens to the file whatever the designer fixes, and a long list of warnings must not push it out of sight),
    then the warnings and problems of :func:`export_findings`."""
    lines = [f"{i.severity.label}: {i.chart_id}: {i.message}" for _c, i in issues if i.severity >= Severity.WARNING]
    return conversion_lines(found) + lines, any(i.severity >= Severity.PROBLEM for _c, i in issues)


def too_long_name(paths: list[Path]) -> str | None:
    """A line naming the first file name longer than its folder's file system takes (255 bytes on most: one
    difficulty's "NAME [Easy hand-made].osu" of a long name may be), else None. Checked before anything else: such a
    name fails every look at the file (``exists()`` raises), not only the write."""
    for path in paths:
        limit = name_max(path.parent)
        try:
            size = len(os.fsencode(path.name))
        except UnicodeError:  # not a name this file system takes at all: the write says so
            continue
        if size > limit:
            return f"{path.name}: the file name is too long for the file system ({size} bytes, at most {limit})"
    return None


def name_max(folder: Path) -> int:
    """The longest file name (bytes) ``folder``'s file system takes: asked of the folder, or of its nearest
    existing parent when it is not made yet (an osu! set's); 255 where that cannot be asked (Windows has no
    ``os.pathconf``) or no such limit is known."""
    pathconf = getattr(os, "pathconf", None)
    if pathconf is None:
        return 255
    folder = Path(os.path.abspath(folder))
    try:
        while not folder.is_dir() and folder.parent != folder:
            folder = folder.parent
        limit = int(pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):  # a folder name too long itself, or no such limit known
        return 255
    return limit if limit > 0 else 1 << 16  # -1: no limit


def conversion_summary(song: Song, fmt: str, found: list[Unrepresentable] | None = None) -> tuple[list[str], int]:
    """(one line per kind of conversion writing ``song`` as ``fmt`` makes, summed over the charts; how many notes
    it leaves out). A song of six charts has six lines of dropped mines in :func:`conversions`; summed, every kind
    of loss fits the export question, and the per-chart lines go to its details. ``found``: the song's
    :func:`unrepresentable` entries for ``fmt`` when they are at hand."""
    kinds: dict[str, tuple[int, set[str]]] = {}
    dropped = 0
    for u in unrepresentable(song, fmt) if found is None else found:
        if u.fatal:
            continue
        n, charts = kinds.get(u.reason, (0, set()))
        kinds[u.reason] = (n + 1, charts | {u.chart_id or "song"})
        dropped += u.note is not None and "dropped" in u.reason
    lines = []
    for reason, (n, charts) in kinds.items():
        where = next(iter(charts)) if len(charts) == 1 else f"{len(charts)} charts"
        lines.append(f"conversion: {where}: {reason}" + (f" (x{n})" if n > 1 else ""))
    return lines, dropped


def review_text(lines: list[str], problems: bool, summary: tuple[list[str], int]) -> str:
    """The export question's text: every kind of conversion (:func:`conversion_summary`), then the first
    :data:`MAX_LISTED` warnings and problems and how many more there are (the whole list is the box's details),
    then the question with the number of notes the file will not have."""
    conv, dropped = summary
    rest = [line for line in lines if not line.startswith("conversion: ")]
    parts = [text for text in (_capped(conv, 2 * MAX_LISTED), _capped(rest, MAX_LISTED)) if text]
    loss = f"The exported file leaves out {dropped} note{'s' if dropped != 1 else ''}. " if dropped else ""
    question = "Export anyway?" if problems else "Export with these notes?"
    return "\n\n".join(parts) + f"\n\n{loss}{question}"


def _capped(lines: list[str], most: int) -> str:
    more = len(lines) - most
    return "\n".join(lines[:most]) + (f"\n... and {more} more (Show Details...)" if more > 0 else "")


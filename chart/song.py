"""Song and Chart: the whole document a designer edits (metadata, timing, one chart per difficulty)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from pathlib import Path

from chart.notes import Note, sort_notes
from chart.timing import TimingData

LANES_BY_MODE = {
    "dance-single": 4, "dance-double": 8, "dance-couple": 8, "dance-solo": 6, "dance-threepanel": 3,
    "pump-single": 5, "pump-double": 10, "pump-halfdouble": 6,
    "kb7-single": 7, "techno-single4": 4, "techno-single5": 5, "techno-single8": 8,
}


class Slot(IntEnum):
    """Difficulty slot. The integer value is the model's difficulty index (Beginner=0 .. Challenge=4)."""

    BEGINNER = 0
    EASY = 1
    MEDIUM = 2
    HARD = 3
    CHALLENGE = 4
    EDIT = 5

    @property
    def sm_name(self) -> str:
        """Name as written in .sm/.ssc files."""
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: str) -> Slot:
        """Slot from a file's or a user's spelling (case-insensitive; old SM aliases accepted, mapped as StepMania's
        ``OldStyleStringToDifficulty`` maps them: "difficult" is Medium)."""
        key = text.strip().lower()
        aliases = {"basic": "easy", "light": "easy", "another": "medium", "trick": "medium",
                   "standard": "medium", "difficult": "medium", "ssr": "hard", "maniac": "hard",
                   "heavy": "hard", "smaniac": "challenge", "expert": "challenge", "oni": "challenge",
                   "novice": "beginner"}
        key = aliases.get(key, key)
        for slot in cls:
            if slot.name.lower() == key:
                return slot
        raise ValueError(f"unknown difficulty slot {text!r} (use beginner, easy, medium, hard, challenge, edit)")


MODEL_SLOTS = (Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE)
#: The one chart mode the AI models draft: a dance pad's four panels, the lane model's layout (an osu!mania 4K map
#: reads as it, marked a keyboard chart: chart.keyboard). A 4-lane chart of another game (kickbox-human,
#: maniax-single, techno-single4) is not it. :meth:`Song.chart`'s default, so the command line drafts it too.
MODEL_MODE = "dance-single"


@dataclass
class Chart:
    """One chart (a difficulty of a song).

    ``timing`` is the chart's own timing (.ssc per-chart timing) or ``None`` to use the song's.
    ``extra`` keeps tags the project does not interpret, in file order, so they survive a round trip.
    """

    mode: str = "dance-single"
    slot: Slot = Slot.BEGINNER
    meter: int = 1
    description: str = ""
    credit: str = ""
    notes: list[Note] = field(default_factory=list)
    timing: TimingData | None = None
    lanes: int = 0
    extra: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lanes:
            self.lanes = LANES_BY_MODE.get(self.mode, 4)
        self.notes = sort_notes(self.notes)

    def chart_id(self) -> str:
        """Stable identifier within a song: mode, slot and (for edits) description."""
        base = f"{self.mode}/{self.slot.sm_name}"
        return f"{base}/{self.description}" if self.slot == Slot.EDIT else base


@dataclass
class Song:
    """A song: metadata, audio reference, timing and charts.

    ``music`` is the audio path as written in the file (relative to the chart file's folder);
    ``source_path`` is the file the song was read from (not part of equality).
    """

    title: str = ""
    subtitle: str = ""
    artist: str = ""
    credit: str = ""
    music: str = ""
    sample_start: Fraction = Fraction(0)
    sample_length: Fraction = Fraction(0)
    timing: TimingData = field(default_factory=TimingData)
    charts: list[Chart] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    source_path: Path | None = field(default=None, compare=False)
    # the timings (by identity) whose tempo a reader filled in because the file states none (chart.stated_tempo)
    invented_timings: tuple[TimingData, ...] = field(default=(), compare=False, repr=False)

    def timing_for(self, chart: Chart) -> TimingData:
        """The timing a chart plays with (its own, else the song's)."""
        return chart.timing if chart.timing is not None else self.timing

    def chart(self, slot: Slot, mode: str = MODEL_MODE) -> Chart | None:
        """First chart of a slot and mode, or None."""
        return next((c for c in self.charts if c.slot == slot and c.mode == mode), None)

    def audio_path(self) -> Path | None:
        """Resolved audio file: ``music`` relative to the chart's folder, each part of its path in any case and
        ``\\`` read as ``/`` (osu! reads ``AudioFilename: music\\song.mp3`` so, and StepMania finds files in any
        case), as the ``.osz`` writer finds it (:func:`chart.formats.relink.named_file`); else a file of its name in
        the folder; else the only audio file in the folder (StepMania's fallback). None when nothing is found, also
        when the folder is not there any more (moved, deleted, a drive unplugged): the song then has no audio, as a
        chart whose music is missing has none, and saving, autosave and crash recovery go on without it."""
        from chart.formats.relink import named_file  # here: relink reads songs (chart.song) itself

        if self.source_path is None:
            return Path(self.music) if self.music else None
        folder = self.source_path.parent
        if self.music:
            named = named_file(folder, self.music)  # None as well where it cannot be read (permissions)
            if named is not None:
                return named
            want = Path(self.music.replace("\\", "/")).name.lower()
            for p in _entries(folder):
                if p.name.lower() == want:
                    return p
        audio = audio_files(folder)
        # several: which one is a guess (a stem, a preview, another song's file), and a draft or a check against
        # the wrong audio looks right; the caller says the named file is missing instead
        return audio[0] if len(audio) == 1 else None


def music_relative_to(audio: str | Path, target: str | Path, music: str = "") -> str:
    """``#MUSIC`` for a chart written to ``target`` whose audio is the file ``audio``: ``music`` unchanged when it
    already names that file from ``target``'s folder (a plain save leaves the tag alone), else the audio's path
    relative to that folder, as games expect. Lexical (``os.path.abspath``, not ``resolve``): a symlinked
    audio file keeps its own name, so a copied or zipped song folder still holds its music."""
    audio, target = Path(audio), Path(target)
    if music:
        named = target.parent / music
        try:
            if named.is_file() and os.path.samefile(named, audio):
                return music
        except OSError:
            pass
    try:
        rel = os.path.relpath(os.path.abspath(audio), os.path.dirname(os.path.abspath(target)))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(audio)
    return Path(rel).as_posix()


#: Audio files libsndfile decodes, needing nothing more (:mod:`audio.decoders`).
NATIVE_AUDIO_EXTENSIONS = (".ogg", ".opus", ".mp3", ".wav", ".flac")
#: Audio files only ffmpeg decodes (through audioread), by extension, with the format's name for the "no decoder
#: for ... is installed" error (:data:`audio.decoders.NEEDS_FFMPEG` is this dict).
NEEDS_FFMPEG = {".m4a": "M4A/AAC", ".aac": "AAC", ".mp4": "M4A/AAC", ".m4b": "M4A/AAC", ".wma": "WMA",
                ".webm": "WebM", ".mka": "Matroska", ".ac3": "AC-3"}
#: Every audio file the project reads, the one list: ``main.py open``/``draft``/``tempo``, the editor's File >
#: Open and New Song from Audio, and their file dialogs.
AUDIO_EXTENSIONS = NATIVE_AUDIO_EXTENSIONS + tuple(NEEDS_FFMPEG)
#: Containers that usually hold a video: opened as a song when named, but not taken for a song folder's music
#: (an osu! set or a StepMania song may carry a background video beside its audio).
VIDEO_EXTENSIONS = (".mp4", ".webm")


def audio_files(folder: Path) -> list[Path]:
    """The audio files of a song folder, sorted (its music is the one when there is only one); none when the
    folder is gone or cannot be listed. A video (:data:`VIDEO_EXTENSIONS`) is not counted."""
    return sorted(p for p in _entries(folder)
                  if p.suffix.lower() in AUDIO_EXTENSIONS and p.suffix.lower() not in VIDEO_EXTENSIONS)


def _entries(folder: Path) -> list[Path]:
    """What ``folder`` holds; nothing when it is not there or cannot be listed (the song's folder was moved or
    deleted while it was open, or before its autosave was restored)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []

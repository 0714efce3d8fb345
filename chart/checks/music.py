"""Music: the song's audio file is not in its folder, or is in a format the game does not play.

The file is found as the editor and StepMania find it (:meth:`chart.song.Song.audio_path`): ``#MUSIC`` relative to
the chart's folder, case-insensitively, else the folder's only audio file. Not found, it is a WARNING (the chart
saves, and the file may be copied in later), with the song's findings (``CheckContext.song_level``): the song's,
not a chart's. A format that carries the audio itself (an archive: the ``.osz``) cannot be written without it; its
own PROBLEM comes from the ``representable`` check, so this one stays quiet there rather than say it twice. Where an
osu! set's files lie (outside the set's folder) is the ``set-folder`` check's (:mod:`chart.checks.set_folder`).
A song never saved has no folder yet and is not checked.

``audio-format``: the editor decodes more than the games play (:data:`chart.song.AUDIO_EXTENSIONS`: FLAC, Opus and
M4A too). Music StepMania does not play is a WARNING for a StepMania target (the file saves; the game plays the
chart silent, or not at all); music osu! does not play is a PROBLEM for an osu! set or ``.osz`` (osu! does not
load the map). What each game plays, by extension (:data:`PLAYED`):

* StepMania 5: ``ogg``, ``oga``, ``mp3`` and ``wav``, the only types ``RageSoundReader_FileReader::OpenFile``
  tries (src/RageSoundReader_FileReader.cpp: ``FileTypes`` holds "oga", "ogg", "mp3", "wav"; Vorbis, MAD, WAV
  readers). An ``.opus`` is no Vorbis stream, so the Ogg reader refuses it too.
* osu!: ``mp3`` and ``ogg``, the only formats the osu! wiki's Ranking criteria (general rules, audio) allow for
  a map's audio. osu! plays it through the BASS library, whose core decodes MP3, MP2, Ogg Vorbis, WAV and AIFF;
  FLAC, Opus and AAC/M4A need BASS add-ons (bassflac, bassopus, bass_aac) that osu! is not documented to load. So
  a ``.wav`` is an INFO (it plays, but no map with it is rankable), FLAC, Opus and M4A a PROBLEM.
* The game of the JSON export: not known here, not checked.

File > Convert Music to Ogg in the editor writes an Ogg Vorbis copy and points ``#MUSIC`` at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.song import Song, audio_files

PLAYERS = {"osu": "osu!", "osz": "osu!", "json": "the game"}  # by target format; StepMania otherwise


class CheckMusic:
    meta = CheckMeta("music", "Audio", "The song's music file is not in its folder")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        song = ctx.song
        if not ctx.song_level or song.source_path is None or _carries_audio(ctx.target_format):
            return
        try:
            found = song.audio_path()
            if found is not None and found.is_file():
                return
        except OSError:
            pass
        player = PLAYERS.get(ctx.target_format or song.source_path.suffix.lower().lstrip("."), "StepMania")
        others = audio_files(song.source_path.parent)
        if song.music:
            what = f"the music file {song.music} is not in the song folder"
        else:
            what = "the song names no music file (#MUSIC)"
        if len(others) > 1:  # which one would be a guess: the editor takes none
            names = ", ".join(p.name for p in others[:3]) + (", ..." if len(others) > 3 else "")
            other = " other" if song.music else ""
            yield Issue(Severity.WARNING, f"{what} and the folder holds {len(others)}{other} audio files ({names}): "
                        "name the one to play")
            return
        if not song.music:
            what += " and the folder holds none"
        yield Issue(Severity.WARNING, f"{what}: {player} cannot play this chart")


#: The music file types each game plays, by extension (the module docstring says where each list comes from); a
#: type in ``MAYBE`` may play but is not what the game documents.
PLAYED = {"StepMania": {"ogg", "oga", "mp3", "wav"}, "osu!": {"ogg", "mp3"}}
MAYBE = {"osu!": {"wav"}}
SAID = {"StepMania": "Ogg, MP3 and WAV", "osu!": "MP3 and Ogg"}
GAMES = {"sm": "StepMania", "ssc": "StepMania", "osu": "osu!", "osz": "osu!"}  # by target format; "json": unknown


def unplayable_music(song: Song, target_format: str | None) -> tuple[Severity, str] | None:
    """(severity, one line) when the game of ``target_format`` (else of the song's own file) does not play the
    song's music file type, else None: a WARNING for StepMania, a PROBLEM for osu! (an INFO for a ``.wav``).
    Read from the file found (:meth:`Song.audio_path`), else the name ``#MUSIC`` gives; nothing for no music."""
    own = song.source_path.suffix.lower().lstrip(".") if song.source_path is not None else None
    game = GAMES.get(target_format or own or "")
    try:
        found = song.audio_path()
    except OSError:
        found = None
    name = found.name if found is not None else Path((song.music or "").replace("\\", "/")).name
    kind = Path(name).suffix.lower().lstrip(".")
    if game is None or not kind or kind in PLAYED[game]:
        return None
    plays = SAID[game]
    if kind in MAYBE.get(game, ()):
        return Severity.INFO, (f"the music {name} is {kind.upper()}: {game} documents {plays} music only (a map "
                               f"with other audio is not rankable); convert the music to Ogg (File > Convert "
                               f"Music to Ogg)")
    severity = Severity.PROBLEM if game == "osu!" else Severity.WARNING
    return severity, (f"the music {name} is {kind.upper()}, which {game} does not play (it plays {plays}): the "
                      f"editor plays it, the game will not; convert the music to Ogg (File > Convert Music to Ogg)")


class CheckAudioFormat:
    meta = CheckMeta("audio-format", "Audio", "Music in a format the target game does not play (FLAC, Opus, M4A)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if not ctx.song_level:
            return
        found = unplayable_music(ctx.song, ctx.target_format)
        if found is not None:
            yield Issue(*found)


def _carries_audio(format_name: str | None) -> bool:
    if format_name is None:
        return False
    from chart.formats.registry import format_for

    try:
        return format_for(name=format_name).archive
    except (KeyError, ValueError):
        return False

"""The Song panel (PropertiesPanel): title, artist, credit, offset and preview range.

Fields commit when editing finishes; every change is a SetSongMeta or SetTiming command (one undo step, merged
with the next change of the same field). The Offset box steps by 1 ms and the preview start by 0.1 s (arrow keys,
or the wheel once the box has the focus: the dock's boxes let a wheel that scrolls the panel pass,
``editor.panels.focus``). The offset is StepMania's ``#OFFSET`` (chart data, exported) — device
latency and visual offset are settings in the Playback menu and never touch it.

"Title (romanised)" and "Artist (romanised)" edit StepMania's ``#TITLETRANSLIT``/``#ARTISTTRANSLIT`` (osu!'s
``Title``/``Artist``, which osu! shows by default; the title itself is its ``TitleUnicode``): empty, the games show
the title. "Subtitle (romanised)" edits ``#SUBTITLETRANSLIT`` (StepMania only: osu! has no subtitle). Renaming the
title (subtitle, artist) carries along a romanised name that was the old title itself; one that differs is kept (a
real romanisation), shown beside the title, and the status bar says so.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from chart.commands import Command, SetSongMeta
from chart.formats.errors import MAX_ABS_VALUE
from chart.formats.msd import escape, unescape
from chart.notes import as_fraction
from chart.song import Song
from editor.session import EditorSession

if TYPE_CHECKING:  # imported when first used: the controller imports editor.panels.timing
    from editor.controllers.timing_nudge import TimingNudges

OFFSET_STEP_S = 0.001  # one arrow key or wheel notch on the Offset box
OFFSET_DECIMALS = 6  # what StepMania writes: an offset read from a file is shown, and nudged, as it is
PREVIEW_STEP_S = 0.1
# the song.extra tags (chart.formats.osu_mania); osu! has no subtitle
TRANSLIT = {"title": "TITLETRANSLIT", "subtitle": "SUBTITLETRANSLIT", "artist": "ARTISTTRANSLIT"}


class SetTranslit(SetSongMeta):
    """A romanised name's change (of ``song.extra``): merges with the next change of the same name only, so the
    title's, the subtitle's and the artist's are an undo step each."""

    def __init__(self, tag: str, extra: list[tuple[str, str]]):
        name = next(field for field, translit_tag in TRANSLIT.items() if translit_tag == tag)
        super().__init__(f"Change {name} (romanised)", extra=extra)
        self.tag = tag

    def merge_with(self, other: Command) -> bool:
        return isinstance(other, SetTranslit) and other.tag == self.tag and super().merge_with(other)


def translit(song: Song, name: str) -> str:
    """The romanised ``name`` ("title", "subtitle", "artist") of ``song`` as text ("": none)."""
    return unescape(dict(song.extra).get(TRANSLIT[name], ""))


def with_translit(extra: list[tuple[str, str]], tag: str, text: str) -> list[tuple[str, str]]:
    """``extra`` with ``tag`` set to ``text`` (escaped, in its place) or, for an empty ``text``, removed."""
    if not text:
        return [item for item in extra if item[0] != tag]
    if tag not in dict(extra):
        return [*extra, (tag, escape(text))]
    return [(k, escape(text) if k == tag else v) for k, v in extra]


def _spin(lo: float, hi: float, decimals: int, suffix: str, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return spin


class PropertiesPanel(QWidget):
    """Song metadata and the preview range."""

    TEXT_FIELDS = ("title", "subtitle", "artist", "credit")

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._updating = False
        self._offsets: TimingNudges | None = None  # made at the first change
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.translit: dict[str, QLineEdit] = {}  # "title", "subtitle", "artist": their romanised names
        for name in self.TEXT_FIELDS:
            edit = QLineEdit()
            edit.editingFinished.connect(lambda n=name: self._set_text(n))
            form.addRow(name.capitalize(), edit)
            self.edits[name] = edit
            if name in TRANSLIT:
                latin = QLineEdit()
                latin.setPlaceholderText(f"same as the {name}")
                shown_by = ("StepMania's translit option" if name == "subtitle" else
                            "osu! (and StepMania's translit option)")
                latin.setToolTip(f"#{TRANSLIT[name]}: the {name} in Latin letters, which {shown_by} shows; empty: "
                                 f"the {name} itself")
                latin.editingFinished.connect(lambda n=name: self._set_translit(n))
                form.addRow(f"{name.capitalize()} (romanised)", latin)
                self.translit[name] = latin
        # sync is tuned by the millisecond (a whole second per arrow key was no nudge); StepMania writes 6 places
        # the readers' whole range: a box narrower than the files (it was +-60 s) showed a 75-s intro's offset
        # clamped, and the next arrow press wrote the clamped value back (a 15-s jump)
        self.offset = _spin(-float(MAX_ABS_VALUE), float(MAX_ABS_VALUE), OFFSET_DECIMALS, " s", OFFSET_STEP_S)
        self.offset.setToolTip("#OFFSET: beat 0 sounds at -offset seconds (chart data, exported); the arrow keys "
                               "and the wheel (once clicked) move it by 1 ms; with the Timing panel's 'Keep notes in "
                               "time' on, the notes stay where they sound")
        self.offset.valueChanged.connect(self._set_offset)
        self.sample_start = _spin(0.0, 36000.0, 3, " s", PREVIEW_STEP_S)
        self.sample_start.valueChanged.connect(lambda v: self._set_meta(sample_start=as_fraction(f"{v:.3f}")))
        self.sample_length = _spin(0.0, 600.0, 3, " s", 1.0)
        self.sample_length.valueChanged.connect(lambda v: self._set_meta(sample_length=as_fraction(f"{v:.3f}")))
        self.offset_label = QLabel("Offset")
        self.offset_label.setBuddy(self.offset)  # addRow with a QLabel (not a string) makes no buddy
        form.addRow(self.offset_label, self.offset)
        form.addRow("Preview start", self.sample_start)
        form.addRow("Preview length", self.sample_length)
        session.document_replaced.connect(self._attach)
        session.chart_switched.connect(self.refresh)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.meta_changed.connect(self.refresh)
        self.session.bridge.timing_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self._updating = True
        song = self.session.doc.song
        for name, edit in self.edits.items():
            if edit.text() != getattr(song, name):
                edit.setText(getattr(song, name))
        for name, edit in self.translit.items():
            if edit.text() != translit(song, name):
                edit.setText(translit(song, name))
        timing, own = self.session.timing_target()
        self.offset.setValue(float(timing.offset))
        self.offset_label.setText("Offset (this chart's)" if own is not None else "Offset")
        self.offset.setAccessibleName(self.offset_label.text())
        self.offset_label.setToolTip("The current chart has a timing of its own (split timing): this is its "
                                     "#OFFSET, as the Timing panel shows its BPMs" if own is not None else "")
        self.sample_start.setValue(float(song.sample_start))
        self.sample_length.setValue(float(song.sample_length))
        self._updating = False

    def _set_text(self, name: str) -> None:
        text, song = self.edits[name].text(), self.session.doc.song
        if name not in TRANSLIT or self._updating or text == getattr(song, name):
            self._set_meta(**{name: text})
            return
        latin = translit(song, name)
        if latin and latin == getattr(song, name):  # a copy of the old name, not a romanisation: it follows
            self._set_meta(**{name: text, "extra": with_translit(song.extra, TRANSLIT[name], text)})
            return
        self._set_meta(**{name: text})
        if latin and latin != text:
            shown_by = "StepMania's translit option" if name == "subtitle" else "osu!, and by StepMania's translit option"
            self.session.status.emit(f"{name.capitalize()} changed; its romanised form (shown by {shown_by}) is "
                                     f"still \"{latin}\"")

    def _set_translit(self, name: str) -> None:
        song = self.session.doc.song
        text = self.translit[name].text().strip()
        if self._updating or text == translit(song, name).strip():
            return
        self.session.push(SetTranslit(TRANSLIT[name], with_translit(song.extra, TRANSLIT[name], text)))

    def _set_meta(self, **fields) -> None:
        if self._updating:
            return
        song = self.session.doc.song
        changed = {k: v for k, v in fields.items() if getattr(song, k) != v}
        if changed:
            self.session.push(SetSongMeta(**changed))

    def _set_offset(self, value: float) -> None:
        if self._updating:
            return
        if self._offsets is None:  # its own run of merged changes; the F11/F12 keys have theirs
            from editor.controllers.timing_nudge import TimingNudges

            self._offsets = TimingNudges(self.session, lambda: Fraction(0))
        if not self._offsets.set_offset(as_fraction(f"{value:.{OFFSET_DECIMALS}f}")):
            self.refresh()

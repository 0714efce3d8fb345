"""User settings (QSettings): recent files, audio offsets and volumes, view options, AI backend, window layout.

Device latency and visual offset live here and never in the chart: only ``#OFFSET`` (chart data) reaches an
export (ARCHITECTURE §4). Tests point QSettings at a temporary INI file through :func:`use_ini_file`.

Secrets (the remote server's token) never go to QSettings, whose file is world-readable on most desktops and
often synced or backed up: each lives in its own file under :func:`app_data_dir`, created with mode 0600 and
written atomically. A token an older version left in QSettings moves there on first read.

Several editor processes share one settings file: Open Recent re-reads it before it changes the list, so one
process never writes back a list that lacks the files another one opened meanwhile.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from chart.snap import DIVISORS

ORG, APP = "GeneLive", "GeneLive Studio"
MAX_RECENT = 10
#: Setting keys kept out of QSettings, each in its own owner-only file under app_data_dir().
SECRET_FILES = {"ai/remote_token": "remote_token"}
_ini_path: Path | None = None


def use_ini_file(path: str | Path | None) -> None:
    """Store settings in ``path`` (an INI file) instead of the platform location; None restores the default."""
    global _ini_path
    _ini_path = Path(path) if path is not None else None


def app_data_dir() -> Path:
    """AppDataLocation for this app (recovery files live below it); under the INI file's folder in tests."""
    if _ini_path is not None:
        return _ini_path.parent / "appdata"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) if base else Path.home() / ".genelive-studio"


class EditorSettings:
    """Typed access to the editor's QSettings keys."""

    DEFAULTS: dict[str, Any] = {
        "audio/latency_ms": 0.0,
        "audio/visual_offset_ms": 0.0,
        "audio/music_volume": 0.8,
        "audio/tick_volume": 0.6,
        "audio/rate": 1.0,
        "audio/keep_pitch": False,
        "audio/beat_ticks": False,
        "audio/note_ticks": False,
        "audio/hitsounds": True,  # Playback > Hitsounds (osu! Maps): editor.controllers.hitsound_playback
        "view/zoom_pps": 240.0,
        "view/spectrogram": False,
        "view/curve": False,
        "view/feet": False,
        "view/beat_spaced": False,
        "view/reverse": False,
        "record/replace": False,
        "timing/sync_keep_later": True,  # Timing > Sync Keeps Later Beats in Time (editor.controllers.beat_sync)
        "edit/step_entry": False,
        "ai/refine_keep_arrows": True,
        "edit/divisor": 16,
        "edit/custom_snap": 0,  # rows per beat of the Snap list's custom snap (Custom...), 0 for none
        "ai/backend": "local",
        "ai/remote_url": "",
        "ai/remote_token": "",
        "ai/variants": 3,
        "ai/refine_density_from_lower": True,
    }

    #: What a hand-edited or damaged INI may hold for the numbers (the widgets' ranges): a value outside, or not
    #: finite, is read as the default (a NaN zoom stopped the editor from starting; a 5 s latency or a 5x
    #: volume reached the player while the panel showed its limit).
    RANGES: dict[str, tuple[float, float]] = {
        "audio/latency_ms": (-500.0, 500.0), "audio/visual_offset_ms": (-500.0, 500.0),
        "audio/music_volume": (0.0, 1.0), "audio/tick_volume": (0.0, 1.0), "audio/rate": (0.25, 1.0),
        "view/zoom_pps": (15.0, 4000.0), "ai/variants": (1, 8), "edit/custom_snap": (0, 192),
    }

    def __init__(self) -> None:
        if _ini_path is not None:
            self.qs = QSettings(str(_ini_path), QSettings.Format.IniFormat)
        else:
            self.qs = QSettings(ORG, APP)
        self._unkept: dict[str, str] = {}  # secrets that could not be written: used from memory this session
        self._report: Callable[[str], None] | None = None  # watch(): told once when the settings cannot be kept
        self._reported = False

    # ------------------------------------------------------------------ a settings file that cannot be written
    def watch(self, report: Callable[[str], None]) -> None:
        """Call ``report`` (once for this object) with a line when the settings file cannot be written: read-only,
        no permission, a full disk. Checked now and after each write of Open Recent (QSettings says nothing: the
        recent files, the layout and the latency calibration were lost at the next start without a word)."""
        self._report = report
        self._check_kept()

    def _check_kept(self) -> None:
        if self._report is None or self._reported:
            return
        if self.qs.isWritable() and self.qs.status() != QSettings.Status.AccessError:
            return
        self._reported = True
        self._report(f"Settings cannot be saved to {self.qs.fileName()} (read-only, no permission or a full "
                     f"disk): recent files, window layout and latency are not kept after this session")

    def get(self, key: str) -> Any:
        default = self.DEFAULTS[key]
        if key in SECRET_FILES:
            return self._get_secret(key)
        value = self.qs.value(key, default)
        try:
            if isinstance(default, bool):
                return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
            value = type(default)(value)
        except (TypeError, ValueError, OverflowError):
            return default
        if isinstance(value, float) and not math.isfinite(value):
            return default
        lo, hi = self.RANGES.get(key, (None, None))
        if lo is not None and not lo <= value <= hi:
            return default
        if key == "edit/divisor" and value not in DIVISORS and not 0 < value == 4 * self.get("edit/custom_snap"):
            return default  # the snap menu's, or its custom snap
        return value

    def set(self, key: str, value: Any) -> None:
        if key not in self.DEFAULTS:
            raise KeyError(key)
        if key in SECRET_FILES:
            self._set_secret(key, str(value or ""))
            return
        self.qs.setValue(key, value)

    # ------------------------------------------------------------------ secrets
    @staticmethod
    def secret_path(key: str) -> Path:
        """File holding the secret setting ``key`` (mode 0600)."""
        return app_data_dir() / SECRET_FILES[key]

    def keep_secret(self, key: str, value: str) -> str | None:
        """:meth:`set` of a secret; a line to show when its file cannot be written (read-only, full disk), else
        None. Not written, it is still the one :meth:`get` answers until the editor closes, as the field shows."""
        try:
            self.set(key, value)
        except OSError as exc:
            return (f"{key.split('/')[-1].replace('_', ' ').capitalize()} not kept: cannot write "
                    f"{self.secret_path(key)}: {exc.strerror or exc}; it is used until the editor closes")
        return None

    def _get_secret(self, key: str) -> str:
        if key in self._unkept:
            return self._unkept[key]
        legacy = self.qs.value(key, "")
        if legacy:  # written by an older version: move it out of QSettings
            try:
                self._set_secret(key, str(legacy))
            except OSError:  # cannot be moved now: it stays where it is, and is used
                return str(legacy).strip()
        try:
            return self.secret_path(key).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, OSError, UnicodeDecodeError):
            return ""

    def _set_secret(self, key: str, value: str) -> None:
        from chart.fileio import atomic_write_text

        path = self.secret_path(key)
        value = value.strip()
        self._unkept.pop(key, None)
        try:
            if not value:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():  # the atomic write keeps an existing file's mode: make that owner-only
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                os.chmod(path, 0o600)
                atomic_write_text(path, value + "\n")
        except OSError:
            self._unkept[key] = value  # what the user typed is what is used, for this session
            raise
        self.qs.remove(key)

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        value = self.qs.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        # a QVariant (``object`` in the stubs): a list of paths, one path or None as QSettings stores them
        return [str(v) for v in cast(Iterable[object], value or [])]

    def add_recent(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        self.qs.sync()  # read what another editor process wrote since: writing a stale list back lost its files
        items = [p for p in self.recent_files() if p != path]
        items.insert(0, path)
        items = items[:MAX_RECENT]
        self.qs.setValue("files/recent", items)
        self.qs.sync()  # now, so that a file that cannot be written is said (watch), not found at the next start
        self._check_kept()
        return items

    def remove_recent(self, path: str | Path) -> list[str]:
        """Forget a recent file that is gone (moved or deleted)."""
        gone = {str(path), str(Path(path).resolve())}
        self.qs.sync()  # as add_recent: keep what another editor process added
        items = [p for p in self.recent_files() if p not in gone]
        self.qs.setValue("files/recent", items)
        return items

    # ------------------------------------------------------------------ window layout (editor.window_frame)
    def window_blob(self, key: str) -> QByteArray | None:
        """A saved layout (``window/geometry``, ``window/state``, ``window/panels``: Qt's own bytes); None when
        there is none or it is not bytes (a hand-edited or damaged INI)."""
        value = self.qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_screen(self) -> str | None:
        """The name of the screen the window was on when its layout was saved."""
        value = self.qs.value("window/screen")
        return value if isinstance(value, str) else None

    def set_window_layout(self, geometry: QByteArray, state: QByteArray, panels: QByteArray,
                          screen: str | None) -> None:
        self.qs.setValue("window/geometry", geometry)
        self.qs.setValue("window/state", state)
        self.qs.setValue("window/panels", panels)
        self.qs.setValue("window/screen", screen or "")

    def sync(self) -> None:
        self.qs.sync()
        self._check_kept()

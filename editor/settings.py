"""User settings (QSettings): recent files, audio offsets and volumes, view options, AI backend.

Device latency and visual offset live here and never in the chart: only ``#OFFSET`` (chart data) reaches an
export (ARCHITECTURE §4). Tests point QSettings at a temporary INI file through :func:`use_ini_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths

ORG, APP = "GeneLive", "GeneLive Studio"
MAX_RECENT = 10
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
        "view/zoom_pps": 240.0,
        "view/spectrogram": False,
        "view/curve": False,
        "edit/divisor": 16,
        "ai/backend": "local",
        "ai/remote_url": "",
        "ai/remote_token": "",
        "ai/variants": 3,
    }

    def __init__(self):
        if _ini_path is not None:
            self.qs = QSettings(str(_ini_path), QSettings.Format.IniFormat)
        else:
            self.qs = QSettings(ORG, APP)

    def get(self, key: str) -> Any:
        default = self.DEFAULTS[key]
        value = self.qs.value(key, default)
        try:
            if isinstance(default, bool):
                return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
            return type(default)(value)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value: Any) -> None:
        if key not in self.DEFAULTS:
            raise KeyError(key)
        self.qs.setValue(key, value)

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        value = self.qs.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in value or []]

    def add_recent(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        items = [p for p in self.recent_files() if p != path]
        items.insert(0, path)
        items = items[:MAX_RECENT]
        self.qs.setValue("files/recent", items)
        return items

    def sync(self) -> None:
        self.qs.sync()

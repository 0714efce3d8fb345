"""Playback rate keys (ArrowVortex's and SMEditor's Shift+Left / Shift+Right, and a reset): slower, faster, 100 %.

They step through the rates the Playback panel offers (25 to 100 %, 5 % apart) and set the rate as the panel does,
through :meth:`PlaybackController.set_rate` (which keeps it in the settings and ends a test play or a take first).
The status bar says the new rate, and the panel's Rate box follows it (``rate_changed``).
"""

from __future__ import annotations

from editor.settings import EditorSettings

STEP_PERCENT = 5
LOWEST_PERCENT, HIGHEST_PERCENT = (round(r * 100) for r in EditorSettings.RANGES["audio/rate"])
RATES_PERCENT = tuple(range(LOWEST_PERCENT, HIGHEST_PERCENT + 1, STEP_PERCENT))


def next_rate(percent: float, step: int) -> int | None:
    """The panel's next rate above (``step`` 1) or below (-1) ``percent``; None at the end of the range."""
    ahead = [r for r in RATES_PERCENT if (r - percent) * step > 1e-9]
    if not ahead:
        return None
    return ahead[0] if step > 0 else ahead[-1]


def step_rate(win, step: int) -> bool:
    """Shift+Right / Shift+Left: one rate faster / slower; False (and a status line) at 100 % / 25 %."""
    now = win.playback.settings.get("audio/rate") * 100
    rate = next_rate(now, step)
    if rate is None:
        win.session.status.emit(f"Playback rate {round(now)} % is already the {'fastest' if step > 0 else 'slowest'}")
        return False
    set_rate(win, rate)
    return True


def reset_rate(win) -> None:
    """Back to 100 %."""
    set_rate(win, HIGHEST_PERCENT)


def set_rate(win, percent: int) -> None:
    win.playback.set_rate(percent / 100.0)  # the panel's Rate box follows PlaybackController.rate_changed
    win.session.status.emit(f"Playback rate {percent} %")

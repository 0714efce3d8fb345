"""Dialogs of the editor (tempo confirmation, latency calibration, keyboard help)."""

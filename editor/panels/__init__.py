"""Dock panels: difficulties, song properties and timing, stats, history, Verify, AI assist."""

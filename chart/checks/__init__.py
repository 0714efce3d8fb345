"""chart/checks package."""

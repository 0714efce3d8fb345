"""chart/formats package."""

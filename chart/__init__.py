"""chart package."""

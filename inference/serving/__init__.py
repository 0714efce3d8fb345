"""inference/serving package."""

"""Verify checks (one module per check). Use :func:`chart.checks.registry.run_checks`."""

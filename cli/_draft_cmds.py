"""``draft`` and ``refine`` (registered by :mod:`cli.infer_cmds`)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Placeholder until the drafter lands; adds nothing yet."""

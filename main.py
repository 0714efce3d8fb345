"""GenéLive Studio entry point.

``python main.py`` opens the editor (on the bundled demo song when no path is given); subcommands do headless
work. Every module in ``cli/`` that defines ``register(subparsers)`` contributes subcommands, so features add
their commands without editing this file. Bad input raises :class:`cli.common.UserError` and ends as one line on
stderr with exit code 2 — never a traceback.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from cli.common import run_cli

    return run_cli(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())

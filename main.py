"""GenéLive Studio entry point.

``python main.py`` opens the editor (on the bundled demo song when no path is given); subcommands do headless
work. Every module in ``cli/`` that defines ``register(subparsers)`` contributes subcommands, so features add
their commands without editing this file. Bad input raises :class:`cli.common.UserError` and ends as one line on
stderr with exit code 2 — never a traceback.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run the command line ``argv`` (default: the process's); ``exiting``: the process ends next, so Ctrl+C stays
    ignored once the command is done (:func:`cli.common.run_cli`) and cannot turn its exit into a kill."""
    try:
        from cli.common import run_cli
    except KeyboardInterrupt:  # Ctrl+C before run_cli's handling is in place: the same line and exit code
        print("error: interrupted", file=sys.stderr)
        return 130
    return run_cli(sys.argv[1:] if argv is None else argv, exiting=exiting)


if __name__ == "__main__":
    sys.exit(main(exiting=True))

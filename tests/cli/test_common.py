"""cli.common: the project's own warnings reach the user as one line."""

from __future__ import annotations

import warnings

import pytest

from cli.common import one_line_warnings


def _warn_both() -> None:
    from audio.decode import AudioWarning

    warnings.simplefilter("always")
    with one_line_warnings():
        warnings.warn("audio x.mp3 is damaged after 87.77 s; using the part before it", AudioWarning, stacklevel=1)
        warnings.warn("some library's note", RuntimeWarning, stacklevel=1)


def test_own_warnings_are_one_line_and_others_go_to_the_default_handler(capsys):
    from audio.decode import AudioWarning

    before = warnings.showwarning
    with pytest.warns(RuntimeWarning, match="some library's note") as recorded:  # the default handler records
        _warn_both()
    assert capsys.readouterr().err == "warning: audio x.mp3 is damaged after 87.77 s; using the part before it\n"
    assert not [w for w in recorded if issubclass(w.category, AudioWarning)]
    assert warnings.showwarning is before  # restored after the block

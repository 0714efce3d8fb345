"""Ogg specifics of the decoder: does the file end where its stream says it ends?

An Ogg file cut short (an interrupted download or copy) decodes without any error, and libsndfile takes the
length from the last page that survived, so the decoded length agrees with the "header" and nothing looks wrong.
What does give it away: the last page of a complete logical stream carries the end-of-stream flag (bit 0x04 of
the page's ``header_type``), and a cut usually leaves the last page incomplete as well.
"""

from __future__ import annotations

from pathlib import Path

CAPTURE = b"OggS"
EOS_FLAG = 0x04
#: Largest Ogg page: 27-byte header + 255 lacing values + 255 segments of 255 bytes.
MAX_PAGE_BYTES = 27 + 255 + 255 * 255


def ends_cleanly(path: str | Path) -> bool | None:
    """Whether the file's last Ogg page is complete and flagged end-of-stream.

    Returns
    -------
    bool or None
        True for a complete stream; False when the last page lacks the flag or runs past the end of the file
        (truncated); None when no Ogg page is found near the end (not an Ogg file, or unreadable: no verdict).
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            start = max(0, size - 2 * MAX_PAGE_BYTES)
            fh.seek(start)
            tail = fh.read()
    except OSError:
        return None
    at = tail.rfind(CAPTURE)
    while at >= 0:
        header = tail[at:at + 27]
        if len(header) < 27:  # the cut fell inside the last page's header
            return False
        if header[4] == 0:  # stream structure version 0: a real page, not "OggS" inside compressed data
            n_segments = header[26]
            lacing = tail[at + 27:at + 27 + n_segments]
            if len(lacing) < n_segments or at + 27 + n_segments + sum(lacing) > len(tail):
                return False  # the last page is incomplete
            return bool(header[5] & EOS_FLAG)
        at = tail.rfind(CAPTURE, 0, at)
    return None


__all__ = ["ends_cleanly"]

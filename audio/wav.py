"""WAV specifics of the decoder: does the file hold as much audio as its data chunk says?

A WAV file cut short (an interrupted copy or download) decodes without any error: libsndfile shrinks the frame
count to the bytes that are there, so the decoded length agrees with the "header" and nothing looks wrong. The
RIFF ``data`` chunk still states the full size, so comparing it with the bytes present gives the cut away.
Writers that stream to a pipe put a placeholder in that size (0, ``0xFFFFFFFF``, arecord's ``0x7FFFF000``):
those, and anything at least as large, say nothing.
"""

from __future__ import annotations

import struct
from pathlib import Path

#: ``data`` sizes from this up are placeholders of writers that did not know the length (arecord, sox, pipes)
UNKNOWN_SIZE_FROM = 0x7FFFF000


def declared_frames(path: str | Path, frames_present: int) -> int | None:
    """Frames the ``data`` chunk of a RIFF/WAVE file declares, given the ``frames_present`` that the decoder
    found in the bytes there; None when the chunk holds at least what it declares, declares nothing usable, or
    the file is not a RIFF WAVE (no verdict)."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            head = fh.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            pos = 12
            while pos + 8 <= size:
                fh.seek(pos)
                chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
                if chunk_id == b"data":
                    present = size - pos - 8
                    if chunk_size in (0, 0xFFFFFFFF) or chunk_size >= UNKNOWN_SIZE_FROM or present <= 0 or \
                            chunk_size <= present or frames_present <= 0:
                        return None
                    return int(frames_present * chunk_size / present)
                pos += 8 + chunk_size + (chunk_size & 1)
    except (OSError, struct.error):
        return None
    return None

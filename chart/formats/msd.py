"""MSD, the tag syntax of .sm and .ssc files: ``#NAME:param:param...;``.

Read rules (lenient, as StepMania 5's ``MsdFile`` is): a UTF-8 BOM is dropped, CRLF/CR become LF, text that is
not UTF-8 is read as Windows-1252 (as StepMania falls back to a code page); ``//`` starts a comment to the end of
the line anywhere; a backslash escapes the next character; a ``#`` that begins a line inside a value ends a tag
whose ``;`` is missing; a tag running to the end of the file ends there.

Why our own tokenizer rather than the ``simfile``/``msdparser`` packages: we need the raw text of every tag
(unknown tags are written back byte for byte), its line number for one-line errors, a hard input-size limit,
and a linear-time scan (regex jumps over note data) that never raises anything but ``ParseError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chart.formats.errors import ParseError, check_size

# Inside a value only these matter: escapes, comments, separators, and a '#' opening a line (missing ';').
_VALUE_TOKEN = re.compile(r"\\(.)|//[^\n]*|[:;]|\n[ \t]*(?=#)", re.S)
_OUTSIDE_TOKEN = re.compile(r"//[^\n]*|#")


@dataclass(frozen=True)
class Tag:
    """One ``#NAME:...;`` tag.

    ``params`` are the unescaped ``:``-separated values; ``raw`` is the text between the first ``:`` and the
    closing ``;`` with comments removed and escapes kept (what we write back for tags we do not interpret).
    """

    name: str
    params: tuple[str, ...]
    raw: str
    line: int
    spelling: str = ""  # the name as written (tags we do not know are written back with it)

    @property
    def value(self) -> str:
        """The first parameter, stripped (the whole value of a single-valued tag)."""
        return self.params[0].strip() if self.params else ""

    @property
    def text(self) -> str:
        """All parameters joined back with ':' (unescaped), stripped."""
        return ":".join(self.params).strip()


_UTF16_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
               (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> str:
    """Bytes to text: UTF-16/32 after their BOM (Notepad's "Unicode" save; a damaged unit becomes U+FFFD), else
    UTF-8 (BOM dropped), else Windows-1252, else Latin-1; newlines normalised to LF."""
    check_size(data)
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            return normalise(data[len(bom):].decode(codec, errors="replace"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return normalise(text)


def normalise(text: str) -> str:
    """Drop a BOM and turn CRLF/CR into LF."""
    check_size(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_tags(text: str) -> list[Tag]:
    """Split MSD text into tags (names upper-cased), in file order."""
    text = normalise(text)
    tags: list[Tag] = []
    pos = 0
    line = 1
    while True:
        start = _find_tag_start(text, pos)
        if start < 0:
            return tags
        line += text.count("\n", pos, start)
        tag, pos = _read_tag(text, start, line)
        line += text.count("\n", start, pos)
        tags.append(tag)


_TAG_NAME = re.compile(r"[A-Z0-9_]+")


def require_tags(tags: list[Tag]) -> None:
    """ParseError for text with no ``#NAME:`` tag at all (a binary file, another format, an empty file): read on,
    it would be an empty song, and saving over it would replace the file with one."""
    if not any(_TAG_NAME.fullmatch(t.name) and t.params for t in tags):
        raise ParseError("no StepMania tags found — not a .sm/.ssc file?")


def _find_tag_start(text: str, pos: int) -> int:
    while True:
        m = _OUTSIDE_TOKEN.search(text, pos)
        if m is None:
            return -1
        if m.group() == "#":
            return m.start()
        pos = m.end()


def _read_tag(text: str, start: int, line: int) -> tuple[Tag, int]:
    """Read the tag whose '#' is at ``start``; return it and the position after it."""
    params: list[str] = []
    raw: list[str] = []
    piece: list[str] = []
    pos = start + 1
    name_done = False
    name = ""
    while True:
        m = _VALUE_TOKEN.search(text, pos)
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        piece.append(chunk)
        if name_done:
            raw.append(chunk)
        if m is None:
            pos = len(text)
            break
        token = m.group()
        pos = m.end()
        if m.group(1) is not None:  # escaped character: keep it literally, remember the escape in raw
            piece.append(m.group(1))
            if name_done:
                raw.append(token)
            continue
        if token.startswith("//"):
            continue
        if token == ":":
            if not name_done:
                name, name_done = "".join(piece), True
            else:
                params.append("".join(piece))
                raw.append(":")
            piece = []
            continue
        break  # ';' or a new tag at the start of a line (missing ';')
    if not name_done:
        name = "".join(piece)
    else:
        params.append("".join(piece))
    spelling = name.strip()
    if not spelling:
        raise ParseError("tag without a name ('#' followed by ':')", line)
    return Tag(spelling.upper(), tuple(params), "".join(raw), line, spelling), pos


def escape(text: str) -> str:
    """Escape a text value for writing: backslash, ':', ';', '#' and the second '/' of '//'."""
    out = text.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;").replace("#", "\\#")
    while "//" in out:
        out = out.replace("//", "/\\/")
    return out


def unescape(raw: str) -> str:
    """The text of a raw value (:attr:`Tag.raw`): each escaped character as itself, as the reader takes it."""
    return re.sub(r"\\(.)", r"\1", raw, flags=re.S)


def escape_raw(raw: str, field: bool = False) -> str:
    """Make a raw value safe to write: existing escapes kept, bare ';', '//' and a '#' opening a line escaped.

    Raw values read from .sm/.ssc contain none of these unescaped, so this changes only values that came from
    elsewhere (an osu! ``[Events]`` block kept as a tag, say). ``field``: the value is one ``:``-separated
    field that begins a line (a .sm ``#NOTES`` field), so ``:`` and a leading ``#`` are escaped too.
    """
    if not any(c in raw for c in (";/#:" if field else ";/#")):
        return raw
    out: list[str] = []
    i = 0
    line_start = field  # right after ':' a '#' is plain text; one opening a line starts a tag
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append(raw[i:i + 2])
            i += 2
            line_start = False
            continue
        if c == ";" or (c == "#" and line_start) or (c == "/" and out and out[-1] == "/") or (field and c == ":"):
            out.append("\\")
        out.append(c)
        line_start = c == "\n" or (line_start and c in " \t")
        i += 1
    return "".join(out)


def tag_line(name: str, value: str) -> str:
    """One written tag, ``#NAME:value;`` (value written as given: escape text first)."""
    return f"#{name}:{value};\n"

"""MSD, the tag syntax of .sm and .ssc files: ``#NAME:param:param...;``.

Read rules (lenient, as StepMania 5's ``MsdFile`` is): a UTF-8 BOM is dropped, CRLF/CR become LF, each line that is
not UTF-8 is read piece by piece with a code page (:func:`decode_noted`: StepMania converts each string on its own,
so one stray byte spoils no other value); ``//`` starts a comment to the end of
the line anywhere; a backslash escapes the next character; a ``#`` that begins a line inside a value ends a tag
whose ``;`` is missing; a tag running to the end of the file ends there.

Why our own tokenizer rather than the ``simfile``/``msdparser`` packages: we need the raw text of every tag
(unknown tags are written back byte for byte), its line number for one-line errors, a hard input-size limit,
and a linear-time scan (regex jumps over note data) that never raises anything but ``ParseError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from chart.formats.errors import ParseError, Unrepresentable, check_size

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


def decode(data: bytes, report: list[Unrepresentable] | None = None) -> str:
    """Bytes to text (:func:`decode_noted`); its notes, the lines read with a code page, appended to ``report``
    (song-level read notes: the CLI prints them on stderr, the editor lists them with what it read leniently)."""
    text, notes = decode_noted(data)
    if report is not None:
        report += [Unrepresentable("", Fraction(0), note, fatal=False) for note in notes]
    return text


#: The code pages a line that is not UTF-8 is tried in, StepMania's (and ``simfile``'s) order; Latin-1 last.
CODE_PAGES = (("cp1252", "Windows-1252"), ("cp932", "Shift-JIS (cp932)"), ("cp949", "Korean (cp949)"))
_NEWLINE = re.compile(rb"\r\n|\r|\n")
_C1 = re.compile(r"[\x80-\x9f]")
_LABEL = re.compile(r"(#?\w{1,20})\s*:")  # the tag or .osu key a line starts with


def decode_noted(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text, and one read-report line per code page used.

    UTF-16/32 after their BOM (Notepad's "Unicode" save; a damaged unit becomes U+FFFD). Otherwise by string, as
    StepMania converts each value on its own: a line that is valid UTF-8 (BOM dropped) is read as UTF-8; a line
    that is not is split at ``; : # //`` (bytes that are never part of a multi-byte character in UTF-8, cp932 or
    cp949) and each piece that is valid UTF-8 is read so. The other pieces are read all with the first of
    :data:`CODE_PAGES` that reads every one of them without a C1 control character (one tool saved them, in one
    code page), else each with the first that reads it, else Latin-1. Newlines normalised to LF, so line numbers
    stay the parser's.
    """
    check_size(data)
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            return normalise(data[len(bom):].decode(codec, errors="replace")), []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return normalise(data.decode("utf-8")), []  # the usual case, at once
    except UnicodeDecodeError:
        pass
    texts: list[str] = []
    split: dict[int, list[str | bytes]] = {}  # row -> pieces of a line that is not UTF-8
    for i, raw in enumerate(_NEWLINE.split(data)):
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append("")
            split[i] = [_utf8_or_bytes(piece) for piece in _PIECE.split(raw) if piece]
    bad = [(i, k) for i, parts in split.items() for k, part in enumerate(parts) if isinstance(part, bytes)]
    shared = next((c for c, _ in CODE_PAGES if all(_reads(split[i][k], c) is not None for i, k in bad)), None)
    used: dict[str, dict[int, int]] = {}  # codec -> {row: its first piece read with it}
    for i, k in bad:
        raw = split[i][k]
        assert isinstance(raw, bytes)
        codec = shared or next((c for c, _ in CODE_PAGES if _reads(raw, c) is not None), "latin-1")
        split[i][k] = raw.decode(codec)
        used.setdefault(codec, {}).setdefault(i, k)
    pieces = {i: [str(part) for part in parts] for i, parts in split.items()}
    for i, parts in pieces.items():
        texts[i] = "".join(parts)
    names = dict(CODE_PAGES, **{"latin-1": "Latin-1"})
    return "\n".join(texts), [f"{_line_list(pieces, list(at.items()))} not UTF-8: read as {names[codec]}"
                              for codec, at in used.items()]


# Split points of a line that is not UTF-8: ASCII below 0x40, so never a trail byte of cp932 (0x40-0x7E, 0x80-0xFC)
# or cp949 (0x41-0x5A, 0x61-0x7A, 0x81-0xFE), nor a byte inside a UTF-8 sequence (0x80-0xBF).
_PIECE = re.compile(rb"(//|[;:#])")
_NAME = re.compile(r"\s*\w{1,20}\s*")


def _utf8_or_bytes(raw: bytes) -> str | bytes:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _reads(raw: str | bytes, codec: str) -> str | None:
    """``raw`` in ``codec``, None when it is not valid there or reads as C1 control characters."""
    if isinstance(raw, str):  # a piece already read (as UTF-8)
        return raw
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if _C1.search(text) else text


def _line_list(pieces: dict[int, list[str]], at: list[tuple[int, int]], shown: int = 5) -> str:
    """``line 2 (#TITLE), line 9 (a comment)``: the lines (0-based row, index of the piece read with a code page)
    named by what that piece belongs to (a tag, a comment, an .osu line's key), the first few."""
    out = [f"line {i + 1}{_where(pieces[i], k)}" for i, k in at[:shown]]
    more = f" and {len(at) - shown} more line(s)" if len(at) > shown else ""
    return ", ".join(out) + more


def _where(parts: list[str], k: int) -> str:
    """`` (#TITLE)``, `` (a comment)``, `` (Title)`` or "": what piece ``k`` of a split line belongs to."""
    tag = ""
    for j in range(k):
        if parts[j] == "//":
            return " (a comment)"
        if parts[j] == "#" and j + 2 < len(parts) and parts[j + 2] == ":" and _NAME.fullmatch(parts[j + 1]):
            tag = "#" + parts[j + 1].strip()
    if tag:
        return f" ({tag})"
    text = "".join(parts).strip()
    label = _LABEL.match(text)
    return f" ({label.group(1)})" if label else " (a comment)" if "//" in text else ""


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

"""AI disclosure: the marker a chart carries once notes an AI drafted are in it.

Chart communities expect AI use to be disclosed (osu! AI mappers tell their users "Always disclose the use of AI in
your beatmaps"; StepMania shows a chart's ``#CREDIT`` in song select), so the editor's Accept and the CLI's
``draft``/``refine``/``simplify``/``arrows`` write the same marker through :func:`with_disclosure`: ``"AI-assisted
by GenéLive onset-v1"`` as the chart's credit when it has none, else after the designer's own text in parentheses
(``"Alice (AI-assisted by GenéLive onset-v1)"``): it never replaces what a designer wrote, and a credit that
already discloses is left as it is (once per chart). No colon or semicolon: in .sm/.ssc they separate fields, and
StepMania 3.9/ITG read no escapes.

The credit is the one place the disclosure lives, so it reads the same everywhere, the Charts panel shows it, and a
designer removes it deliberately by editing the credit. The formats carry it from there:

* .ssc: the chart's ``#CREDIT`` as it is; JSON: its ``credit`` plus a derived ``"ai"`` object
  (:func:`ai_record`, docs/game-format.md);
* .sm has no chart credit: the marker goes after the chart's description (StepMania 5 reads a .sm description as
  the chart's credit too) and is read back from there into the credit (:func:`sm_description`,
  :func:`from_sm_description`);
* .osu: ``Creator`` stays the human's (:func:`human_credit`; the song's credit when the chart has none of its own)
  and ``Tags`` get ``ai-assisted genelive <model>``, read back into the credit (:func:`osu_tags`,
  :func:`from_osu_tags`).
"""

from __future__ import annotations

import re
from typing import Any

TOOL = "GenéLive"
OSU_WORDS = ("ai-assisted", "genelive")  # osu! Tags: what a community searches for
_PREFIX = "AI-assisted by " + TOOL
# "(AI-assisted by GenéLive model)" after other text, or the bare marker; "GeneLive" too (a file that lost its é)
_MARKER = re.compile(r"\s*\(AI-assisted by Gen[ée]Live(?: ([^\s()]+))?\)|AI-assisted by Gen[ée]Live(?: ([^\s()]+))?",
                     re.IGNORECASE)


def marker(model_id: str) -> str:
    """``"AI-assisted by GenéLive <model id>"``, the id as one word without the characters that end a .sm/.ssc
    field (a folder of other models may name it freely)."""
    word = _word(model_id)
    return f"{_PREFIX} {word}" if word else _PREFIX


def _word(model_id: str) -> str:
    return "-".join(re.sub(r"[():;#\\]", " ", model_id).split())


def disclosed_model(text: str) -> str | None:
    """The model id the marker in ``text`` names ("" for a marker naming none), or None without a marker."""
    m = _MARKER.search(text)
    return None if m is None else (m.group(1) or m.group(2) or "")


def with_disclosure(credit: str, model_id: str) -> str:
    """``credit`` carrying the AI marker: the marker for an empty credit, ``"credit (marker)"`` otherwise, and
    ``credit`` unchanged when it discloses already (the first model named stays; one marker per chart)."""
    if disclosed_model(credit) is not None:
        return credit
    credit = credit.strip()
    return f"{credit} ({marker(model_id)})" if credit else marker(model_id)


def human_credit(credit: str) -> str:
    """``credit`` without the AI marker: who charted it (osu!'s ``Creator``)."""
    return " ".join(_MARKER.sub(" ", credit).split()) if disclosed_model(credit) is not None else credit


# ---------------------------------------------------------------------------------------------- .sm
def sm_description(description: str, credit: str) -> str:
    """The description field to write to .sm (which has no chart credit): ``description`` with the credit's
    marker after it, when the credit has one and the description does not."""
    model = disclosed_model(credit)
    if model is None or disclosed_model(description) is not None:
        return description
    return with_disclosure(description, model)


def from_sm_description(description: str, credit: str = "") -> tuple[str, str]:
    """(description, credit) of a chart read from .sm: a marker in the description field moves to the credit."""
    model = disclosed_model(description)
    if model is None:
        return description, credit
    return human_credit(description), with_disclosure(credit, model)


# ---------------------------------------------------------------------------------------------- .osu
def osu_tags(tags: str, credit: str) -> str:
    """``Tags`` to write: ``tags`` plus ``ai-assisted genelive <model>`` when ``credit`` discloses (once)."""
    rest, _ = from_osu_tags(tags)
    model = disclosed_model(credit)
    if model is None:
        return tags
    return " ".join([*rest.split(), *OSU_WORDS, *([model] if model else [])])


def from_osu_tags(tags: str) -> tuple[str, str | None]:
    """(``tags`` without the disclosure words, the model they name: "" for none, None without them). The words
    are ``ai-assisted genelive`` in a row, the model the word after them (:func:`osu_tags` writes them last)."""
    words = tags.split()
    lower = [w.lower() for w in words]
    for i in range(len(words) - 1):
        if (lower[i], lower[i + 1]) == OSU_WORDS:
            model = words[i + 2] if i + 2 < len(words) else ""
            return " ".join(words[:i] + words[i + 3:]), model
    return tags, None


# ---------------------------------------------------------------------------------------------- JSON
def ai_record(credit: str) -> dict[str, Any] | None:
    """The JSON export's ``"ai"`` object of a chart whose credit discloses, else None."""
    model = disclosed_model(credit)
    return None if model is None else {"tool": TOOL, "model": model}


def credit_from_record(credit: str, record: dict[str, Any] | None) -> str:
    """The credit of a chart read with an ``"ai"`` object: its marker added when a hand-written file left it out."""
    if record is None:
        return credit
    model = record.get("model", "")
    return with_disclosure(credit, model if isinstance(model, str) else "")

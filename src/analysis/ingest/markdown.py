"""Plain text from Markdown (including pandoc's), and YAML front matter."""

from __future__ import annotations

import html
import itertools
import logging
import re

from analysis.ingest.fields import scalar_text

log = logging.getLogger(__name__)

MAX_FRONT_MATTER_CHARS = 65536

_COMMENT = re.compile(r"<!--.*?-->|<figcaption\b.*?</figcaption>|<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)(?:\{[^}]*\})?")
_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)(?:\{[^}\n]*\})?"
)
_LINK_UNBALANCED = re.compile(r"\[(?P<text>[^\[\]]*)\]\((?:https?|mailto|ftp):[^\s)]*(?:\)(?=\S)[^\s)]*)*\)?")
"""A link whose target has unbalanced parentheses: the target runs to the next space."""
_REF_LINK = re.compile(r"\[(?P<text>[^\[\]]+)\]\[[^\[\]]*\]")
_REF_DEF = re.compile(r"(?m)^ {0,3}\[[^\]]+\]:\s+\S+.*$")
_SPAN = re.compile(r"\[(?P<text>[^\[\]]+)\]\{[^}\n]*\}")
_ATTR = re.compile(r"\{[#.][^}\n]*\}")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST = re.compile(r"^(?:[-*+]|\d{1,3}[.)]|#\d+[.)]?)\s+")
_HEADING = re.compile(r"^#{1,6}\s+|\s+#+\s*$")
_RULE = re.compile(r"^(?:[-=_*]\s*){3,}$|^[+|:=\- ]{3,}$")
_FENCE = re.compile(r"^(?:`{3,}|~{3,}|:{3,}).*$")
_STRONG = re.compile(r"\*\*|__")
# An emphasis mark opens (no word character before it) or closes (no word character after it).
_EMPH_STAR = re.compile(r"\*(?:(?<![\w*]\*)(?=\S)|(?<=\S\*)(?![\w*]))")
_EMPH_UNDER = re.compile(r"_(?:(?<![\w_]_)(?=\S)|(?<=\S_)(?![\w_]))")
_STRIKE = re.compile(r"~~")
_MD_EVIDENCE = re.compile(
    r"\]\((?:https?://|mailto:|/|#)|^#{1,6}\s+\S|\*\*\S|^ {0,3}[-*+] {1,4}\S.*\n {2,}\S|\\[#$*_\[\]]|<!--|</?(?:figure|img|span|div|a|p|br|em|strong|table|sup)\b",
    re.MULTILINE,
)
_ALNUM = re.compile(r"[^\W_]")
_SPACES = re.compile(r"[ \t]{2,}|\t")
_EDGE_SPACES = re.compile(r"\n +| +\n")
_SENTENCE_END = frozenset(".!?。！？…:;\"'”’)]")
WRAP_WIDTH = 100
"""Lines no longer than this inside one block are taken as hard-wrapped and joined."""


def looks_like_markdown(text: str) -> bool:
    """Whether a text cell is Markdown (links, headings, strong emphasis, escapes) or hard-wrapped."""
    return bool(_MD_EVIDENCE.search(text[:200000])) or looks_hard_wrapped(text)


def looks_hard_wrapped(text: str, *, width: int = WRAP_WIDTH) -> bool:
    """Whether paragraphs are broken into short lines mid-sentence (as pandoc and e-mail do).

    True when no line is longer than ``width`` and at least half of the lines that are
    followed by another non-blank line stop without sentence punctuation.
    """
    lines = text[:200000].split("\n")
    if max((len(ln) for ln in lines), default=0) > width:
        return False
    pairs = [a.rstrip() for a, b in itertools.pairwise(lines) if a.strip() and b.strip()]
    if len(pairs) < 3:
        return False
    open_ended = sum(1 for a in pairs if a[-1:] not in _SENTENCE_END)
    return open_ended >= 0.5 * len(pairs)


def split_front_matter(text: str) -> tuple[str, dict[str, str], list[str]]:
    """Split YAML front matter (between ``---`` lines at the very start) from a Markdown body.

    Returns:
        The body, the front matter as flat text values, and warnings (bad YAML, nested values).
    """
    if not re.match(r"---[ \t]*\n", text):
        return text, {}, []
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE).search(text, 4)
    if not m:
        return text, {}, ["front matter has no closing '---'; read as body text"]
    block = text[text.index("\n") + 1:m.start()]
    body = text[m.end():].lstrip("\n")
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return body, {}, [f"front matter over {MAX_FRONT_MATTER_CHARS:,} characters; ignored"]
    import yaml

    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or "invalid YAML")
        return body, {}, [f"front matter is not valid YAML ({problem}); ignored"]
    except RecursionError:
        return body, {}, ["front matter nests too deeply; ignored"]
    if meta is None:
        return body, {}, []
    if not isinstance(meta, dict):
        return body, {}, ["front matter is not a mapping of keys to values; ignored"]
    out: dict[str, str] = {}
    nested: list[str] = []
    for key, value in meta.items():
        if isinstance(value, dict):
            nested.append(str(key))
            continue
        text_value = scalar_text(value)
        if text_value:
            out[str(key)] = text_value
    warnings = [f"front matter keys with nested values ignored: {', '.join(nested)}"] if nested else []
    return body, out, warnings


def _inline(text: str) -> str:
    if "<" in text:
        text = _COMMENT.sub("", text)
        text = _BR.sub("\n", text)
    if "](" in text or "]{" in text:
        text = _IMAGE.sub("", text)
        for _ in range(2):  # links inside spans or emphasis inside links
            text = _LINK.sub(r"\g<text>", text)
            text = _SPAN.sub(r"\g<text>", text)
        text = _LINK_UNBALANCED.sub(r"\g<text>", text)
    if "][" in text or "]:" in text:
        text = _REF_LINK.sub(r"\g<text>", text)
        text = _REF_DEF.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _TAG.sub("", text)
    if "{" in text:
        text = _ATTR.sub("", text)
    if "[^" in text:
        text = _FOOTNOTE.sub("", text)
    return text


def _emphasis(text: str) -> str:
    if "*" in text or "_" in text or "~" in text:
        text = _STRONG.sub("", text)
        text = _STRIKE.sub("", text)
        text = _EMPH_STAR.sub("", text)
        text = _EMPH_UNDER.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text) if "&" in text else text


def markdown_to_text(md: str) -> str:
    """Turn Markdown into plain paragraphs, one per line, separated by blank lines.

    Links keep their anchor text and lose their target; images, HTML comments and
    tags, attributes, footnote markers, emphasis marks and backslash escapes are
    removed; list items, headings and block quotes become paragraphs of their own;
    hard-wrapped lines of one paragraph are joined. Paragraphs with no letters or
    digits (``###``, rules) are dropped.

    Args:
        md: Markdown text.

    Returns:
        The plain text.
    """
    md = md.replace("\r\n", "\n").replace("\r", "\n")
    md = _inline(md)
    blocks: list[list[str]] = []
    current: list[str] = []

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(current)
        current = []

    in_fence = False
    for raw in md.split("\n"):
        hard_break = raw.endswith(("  ", "\\"))
        line = raw.strip()
        if _FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        if not line:
            flush()
            continue
        if _RULE.match(line) and not in_fence:
            flush()
            continue
        while line.startswith(">"):
            line = line[1:].lstrip()
        if line.startswith("|") and line.endswith("|"):
            flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            current = [" · ".join(c for c in cells if c)]
            flush()
            continue
        if _HEADING.search(line) and line.startswith("#"):
            flush()
            current = [_HEADING.sub("", line)]
            flush()
            continue
        if _LIST.match(line):
            flush()
            line = _LIST.sub("", line)
        line = line.rstrip("\\").strip()
        if line:
            current.append(line)
        if hard_break:
            flush()
    flush()
    paragraphs: list[str] = []
    for block in blocks:
        # Long lines are paragraphs of their own, short ones a hard-wrapped paragraph.
        parts = block if len(block) > 1 and max(len(b) for b in block) > WRAP_WIDTH else [" ".join(block)]
        paragraphs.extend(p for p in parts if _ALNUM.search(p))
    text = _emphasis("\n\n".join(paragraphs))
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _EDGE_SPACES.sub("\n", text)
    return text.strip()

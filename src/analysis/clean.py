"""Remove page furniture from scraped article text with general rules.

Raw files are never modified; this module turns raw text into a cleaned body plus
whatever metadata the furniture reveals (a dateline, a byline, an original URL).
Every removed line is reported with the rule that removed it, so nothing is
dropped silently.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_SENT_END_CHARS = frozenset(".!?。！？…:;\"'”’)]")


def _ends_sentence(line: str) -> bool:
    """Whether a line ends with sentence punctuation (or a closing quote or bracket)."""
    return line.rstrip()[-1:] in _SENT_END_CHARS and bool(line.strip())


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)

# A date (optionally with a time) glued to the end of a short line, e.g.
# "TradingKeyMay 12, 2025 10:22 AM" or "Reuters 12 May 2025".
_DATELINE = re.compile(
    rf"^(?P<outlet>.*?)\s*(?:(?P<md>(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    rf"|(?P<dm>\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))"
    r"(?:\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s*[A-Z]{2,4})?)?\s*$"
)
_CONNECTIVES = frozenset({"to", "from", "of", "on", "until", "through", "since", "and", "by", "updated", "before",
                          "after", "in", "at"})
"""A "dateline outlet" ending in one of these is a phrase around a date ("Changes from May 27, 2025")."""
_IMAGE_FILE = re.compile(
    r"\S+\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?|avif)(?=\s|$|[A-Z])|\S+\.logo\b", re.IGNORECASE
)
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_IMAGE_HINT = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?|avif|logo)", re.IGNORECASE)
_CREDIT = re.compile(
    r"^(?:illustration|photo(?:graph)?s?|image|picture|graphic|credit|file photo|video|caption)"
    r"(?:\s+(?:by|credit))?\s*[:：]",
    re.IGNORECASE,
)
_CREDIT_TRAILING = re.compile(r"^\(?(?:photo|image|illustration)s?\s+(?:by|courtesy of)\b", re.IGNORECASE)
_BYLINE_SOURCE = re.compile(
    r"^(?P<author>[^\n:]{2,60}?)\s*(?:\s{2,}|\t|\|)\s*source\s*[:：]\s*(?P<outlet>.{2,60})$", re.IGNORECASE
)
_SOURCE_ONLY = re.compile(r"^source\s*[:：]\s*(?P<outlet>[^.]{2,60})$", re.IGNORECASE)
_BYLINE = re.compile(r"^[Bb]y\s+(?P<author>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,4})\s*$")
_ORIGINAL_SOURCE = re.compile(
    r"^(?:original(?:ly)?\s+(?:source|published(?:\s+(?:at|on|in|by))?|article|link|url)"
    r"|source\s+(?:link|url)|read (?:the )?original(?: article)?)\s*[:：]?\s*(?P<url>https?://\S+)?",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^(?:disclaimer|disclosure|editor'?s note|copyright|©|all rights reserved|this article (?:solely )?"
    r"represents the author|the views expressed|the opinions expressed)",
    re.IGNORECASE,
)
_DISCLAIMER_STRICT = re.compile(
    r"^(?:(?:disclaimer|disclosure|editor'?s note)\s*[:：]|copyright\b|©|all rights reserved"
    r"|this article (?:solely )?represents the author|the (?:views|opinions) expressed)",
    re.IGNORECASE,
)
"""In body mode (text that is already an article body) a disclaimer needs its label and colon."""
_NAV_WORDS = {
    "login", "log", "sign", "signin", "subscribe", "subscription", "register", "menu", "search", "home",
    "email", "e-mail", "share", "print", "newsletter", "newsletters", "follow", "logout", "account",
    "cn", "en", "edition", "skip", "content", "navigation", "facebook", "twitter", "x", "linkedin",
    "whatsapp", "copy", "link", "comments", "comment", "advertisement", "ad", "sponsored", "in", "up",
    "to", "main", "more", "top", "back", "next", "previous", "close", "open", "app", "download",
    "browse", "breadcrumb", "document",
}
_ARROW_NAV = re.compile(r"^(?:[←<«‹]|&lt;)\s*[\w ]{2,40}$|^(?:jump|skip) to (?:the )?(?:main )?(?:text|content)\b.{0,30}$",
                        re.IGNORECASE)
"""Short back/jump links: "← Browse", "< Back to Current Version", "Jump to Main Text of Report"."""
_MARKER_LINES = re.compile(
    r"^(?:related(?:\s+(?:articles?|stories|news|posts?|coverage|reading|content))?|read more|more from .{0,40}"
    r"|more on this(?: story)?|recommended(?: for you)?|you may also like|you might also like|leave a (?:reply|comment)"
    r"|comments?|\d+\s+comments?|post a comment|share this(?: article| story)?|advertisement|sponsored(?: content)?"
    r"|trending(?: now)?|most (?:read|popular)|see also|also read|tags?|topics?|keywords?|follow us(?: on .{0,30})?"
    r"|sign up(?: for .{0,40})?|subscribe(?: to .{0,40})?|back to top|newsletter)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_TAIL_MARKERS = re.compile(
    r"^(?:related(?:\s+\w+)?|read more|more from .*|recommended.*|you may also like|you might also like"
    r"|leave a (?:reply|comment)|comments?|most (?:read|popular)|trending.*)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_SECTION_LABELS = {
    "commentary", "opinion", "analysis", "news", "world", "business", "politics", "economy", "markets",
    "china", "asia", "asia-pacific", "us", "u.s.", "editorial", "op-ed", "features", "feature", "in-depth",
    "world news", "breaking news", "breaking", "exclusive", "live", "explainer", "international",
}


@dataclass(frozen=True)
class RemovedLine:
    """A line the cleaner removed, with the rule that removed it."""

    line: int
    text: str
    rule: str


@dataclass
class CleanResult:
    """The cleaned body of one article plus metadata found in its furniture."""

    text: str
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    uncertain: str | None = None
    """Why the furniture rules were overruled (they would have removed most of the text), else None."""


def normalize_text(raw: str) -> str:
    """Normalise Unicode (NFC), line endings and odd spaces; keep every character of content."""
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\x00", "")
    text = re.sub(r"[\u00a0\u2007\u202f\u3000]", " ", text)
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return text


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def is_prose(line: str, *, min_words: int = 8) -> bool:
    """Whether a line reads as a body sentence: enough words and sentence punctuation."""
    if not _ends_sentence(line):
        return False
    # CJK text has no spaces: count two characters as a word.
    return len(_words(line)) + len(_CJK_CHAR.findall(line)) // 2 >= min_words


def is_title_case(line: str) -> bool:
    """Whether a line is headline-styled: nearly every longer word capitalised, no final period."""
    long_words = [w for w in _words(line) if len(w) > 3]
    if len(long_words) < 3 or line.rstrip().endswith("."):
        return False
    caps = sum(1 for w in long_words if w[0].isupper())
    return caps / len(long_words) >= 0.8


def _is_all_caps_headline(line: str) -> bool:
    if line.rstrip().endswith((".", "?", "!", '"', "”")) or len(line) > 300:
        return False
    letters = "".join(filter(str.isalpha, line))
    if len(letters) < 10 or len(_words(line)) < 3:
        return False
    upper = sum(map(str.isupper, letters))
    return upper / len(letters) >= 0.9


def _is_nav(line: str) -> bool:
    if len(line) > 80:
        return False
    if _ARROW_NAV.match(line):
        return True
    items = [x.strip() for x in re.split(r"\s+[|·•»›/]\s+", line)]
    if len(items) >= 3 and all(0 < len(x.split()) <= 3 for x in items) and not _ends_sentence(line):
        return True  # a breadcrumb or menu: "Home | World | Business"
    tokens = [t.lower() for t in re.findall(r"[\w'-]+", line)]
    if not tokens or len(tokens) > 6:
        return False
    hits = sum(1 for t in tokens if t in _NAV_WORDS)
    return hits >= max(1, (len(tokens) + 1) // 2) and not _ends_sentence(line)


def parse_date_text(text: str) -> date | None:
    """Parse a date written as 'May 12, 2025', '12 May 2025' or '2025-05-12'."""
    text = re.sub(r"(\d)(st|nd|rd|th)", r"\1", text.strip().replace(",", " "))
    text = re.sub(r"\s+", " ", text).replace(".", "")
    text = text.replace("Sept ", "Sep ")
    for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_HAS_DATE = re.compile(rf"\b(?:{_MONTHS})\.? \d{{1,2}},? \d{{4}}\b|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b")
"""A header line stating a full date ("Updated March 13, 2025 (IF12666)") is kept: the date is content."""


def _match_dateline(line: str) -> tuple[str | None, date | None]:
    if len(line) > 80:
        return None, None
    m = _DATELINE.match(line)
    if not m:
        return None, None
    raw = m.group("md") or m.group("dm") or m.group("iso")
    when = parse_date_text(raw)
    if when is None:
        return None, None
    outlet = m.group("outlet").strip(" -–—|·•,") or None
    if outlet and (len(outlet) > 40 or is_prose(outlet, min_words=4) or any(c.isdigit() for c in outlet)
                   or len(outlet.split()) > 4 or outlet.split()[-1].lower() in _CONNECTIVES):
        return None, None
    return outlet, when


_WIRE_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z.'’ -]{{1,30}}?)(?:,\s*(?:[A-Z][a-z]+,?\s+)?(?:(?:{_MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+"
    rf"(?:{_MONTHS})\.?))?(?:,?\s*\d{{4}})?\s*(?:\((?P<agency>[^)]{{2,30}})\))?\s*[–—-]{{1,2}}\s+(?=[A-Z\"“‘])"
)
"""A wire dateline before the first words: "BEIJING, Oct 9 (Reuters) - ", "SEOUL, July 31 (Yonhap) -- "."""


def _strip_lead_in(line: str, names: list[str]) -> str:
    """Drop a wire-style lead-in such as 'TradingKey – ', 'WASHINGTON (Reuters) — ' or 'BEIJING, Oct 9 (AP) - '."""
    m = _WIRE_DATELINE.match(line)
    if m and len(m.group("place").strip()) >= 3:
        return line[m.end():]
    m = re.match(r"^(?P<lead>[^\n–—-]{2,40}?)\s*(?:\([^)]{2,30}\))?\s+[–—-]{1,2}\s+(?=[A-Z\"“])", line)
    if not m:
        return line
    lead = m.group("lead").strip()
    known = any(lead.lower() == n.lower() for n in names if n)
    if known or (lead.isupper() and len(lead) > 2):
        return line[m.end():]
    return line


def _clean_lines(raw: str, *, mode: Literal["scraped", "body"] = "scraped") -> CleanResult:
    """Apply the line rules to text whose layout has been read (see :func:`clean_text`).

    Header furniture (lines before the first prose paragraph), navigation lines, image
    file names, illustration credits, disclaimers, "Related Articles"-style markers,
    "Original source:" lines, all-caps related-story links and glued datelines are
    removed. Body sentences, including non-English segments, are kept verbatim.

    Args:
        raw: The article text as decoded from its file.
        mode: ``"scraped"`` for text copied from a whole page (all rules); ``"body"`` for
            text that is already an article body (Markdown, HTML main text, a table's
            text column): the header rules and the all-caps-line rule are skipped, so
            headings and short opening lines of the body are kept, and datelines are
            only taken from before the first prose paragraph.

    Returns:
        The cleaned body with its title, dateline date, outlet, author and URL when found.
    """
    result = CleanResult(text="")
    lines = [ln.strip() for ln in normalize_text(raw).split("\n")]
    first_prose = next(
        (i for i, ln in enumerate(lines) if _opens_body(ln)), len(lines)
    )
    body_mode = mode == "body"
    header_end = first_prose
    if body_mode:
        first_prose = 0
    kept: list[str] = []
    names: list[str] = []
    in_tail = False

    def drop(i: int, text: str, rule: str) -> None:
        result.removed.append(RemovedLine(line=i + 1, text=text, rule=rule))

    for i, line in enumerate(lines):
        if not line:
            continue
        original = line
        # Image file names glued to the next words ("abc.pngIllustration: ...").
        if _IMAGE_HINT.search(line) and _IMAGE_FILE.search(line) and len(_words(_IMAGE_FILE.sub(" ", line))) <= 12:
            stripped = _IMAGE_FILE.sub(" ", line).strip()
            if not stripped or not is_prose(stripped):
                drop(i, original, "image file name")
                if stripped and not _CREDIT.match(stripped) and not _CREDIT_TRAILING.match(stripped):
                    if i < first_prose:
                        continue
                    kept.append(stripped)
                continue
        if _CREDIT.match(line) and len(_words(line)) <= 15:
            drop(i, line, "illustration credit")
            continue
        if _CREDIT_TRAILING.match(line) and len(_words(line)) <= 15:
            drop(i, line, "illustration credit")
            continue
        m = _ORIGINAL_SOURCE.match(line)
        if m and len(_words(line)) <= 12:
            if m.group("url") and not result.url:
                result.url = m.group("url").rstrip(").,;")
            drop(i, line, "original-source line")
            continue
        if _DISCLAIMER.match(line) and (not body_mode or _DISCLAIMER_STRICT.match(line)):
            drop(i, line, "disclaimer")
            continue
        if _MARKER_LINES.match(line) and not (body_mode and ((_ends_sentence(line) and not line.endswith(":"))
                                                             or len(_words(line)) > 6)):
            if _TAIL_MARKERS.match(line) and i > first_prose:
                in_tail = True
            drop(i, line, "related/reply marker")
            continue
        if in_tail and not is_prose(line, min_words=12):
            drop(i, line, "link list after a related-articles marker")
            continue
        outlet, when = _match_dateline(line) if not body_mode or i < header_end else (None, None)
        if when is not None:
            result.published = result.published or when
            if outlet:
                result.outlet = result.outlet or outlet
                names.append(outlet)
                drop(i, line, "dateline")
                continue
            # A bare date line stays: the date is content (a header or signature date).
        if i < first_prose:
            m = _BYLINE_SOURCE.match(line)
            if m:
                result.author = result.author or m.group("author").strip()
                result.outlet = result.outlet or m.group("outlet").strip()
                names.append(m.group("outlet").strip())
                drop(i, line, "byline")
                continue
            m = _SOURCE_ONLY.match(line) or None
            if m:
                result.outlet = result.outlet or m.group("outlet").strip()
                drop(i, line, "byline")
                continue
            m = _BYLINE.match(line)
            if m:
                result.author = result.author or m.group("author").strip()
                drop(i, line, "byline")
                continue
            if _is_nav(line):
                drop(i, line, "navigation")
                continue
            if line.lower().strip(" :|") in _SECTION_LABELS:
                drop(i, line, "section label")
                continue
            if _is_all_caps_headline(line) or (len(_words(line)) <= 2 and not _ends_sentence(line)):
                drop(i, line, "header furniture")
                continue
            if not is_prose(line, min_words=4) or is_title_case(line):
                if result.title is None and len(_words(line)) >= 3:
                    result.title = line
                    drop(i, line, "title")
                    continue
                if not _HAS_DATE.search(line):
                    drop(i, line, "header furniture")
                    continue
        else:
            if not body_mode and _is_all_caps_headline(line) and not _is_signature(line):
                drop(i, line, "all-caps related-story link")
                continue
            if _is_nav(line) and len(_words(line)) <= 3:
                drop(i, line, "navigation")
                continue
        kept.append(_strip_lead_in(line, names + ([result.outlet] if result.outlet else [])))

    result.text = "\n\n".join(kept)
    return result


# ------------------------------------------------------------------ layouts read before the line rules

_SIGNATURE = re.compile(
    r"^(?:THE WHITE HOUSE|[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]*){1,3})\s*,?\s*$"
)


def _is_signature(line: str) -> bool:
    """A signature-block line: an all-caps name of two to four words ("DONALD J. TRUMP") or "THE WHITE HOUSE,"."""
    return bool(_SIGNATURE.match(line.strip())) and len(line) <= 40


def _opens_body(line: str) -> bool:
    """Whether a line is the first paragraph of the body (prose, or a long run of words cut off mid-sentence)."""
    if is_prose(line) and not is_title_case(line):
        return True
    # An excerpt can stop mid-sentence: a long line with inner sentence breaks is still prose.
    return len(_words(line)) >= 40 and bool(re.search(r"[a-z0-9,)][.;:] [A-Z\"“]", line))


_FR_MARKERS = re.compile(
    r"\[\[Page \d+\]\]|^\s*\[Federal Register Volume \d+|^\s*Federal Register\s*/\s*Vol\. \d+", re.MULTILINE
)
_FR_HEADER = re.compile(r"^\[Federal Register Volume (?P<vol>\d+), Number (?P<num>\d+) \((?P<date>[^)]+)\)\]$")
_FR_DROP = [
    (re.compile(r"^\[(?:Presidential Documents|Notices|Rules and Regulations|Proposed Rules|Rules|"
                r"Pages? [\d\-– ]+|FR Doc(?:\.| No:?)[^\]]*|Docket No[^\]]*|Billing [Cc]ode[^\]]*)\]$"), "Federal Register header"),
    (re.compile(r"^From the Federal Register Online via the Government Publishing Office.*$"), "Federal Register header"),
    (re.compile(r"^Federal Register\s*/\s*Vol\.\s*\d+.*$"), "Federal Register running head"),
    (re.compile(r"^\[\[Page \d+\]\]$"), "page marker"),
    (re.compile(r"^(?:[_=\-]\s*){10,}$"), "rule line"),
    (re.compile(r"^(?:BILLING CODE|Billing Code|Billing code)\s+[\w-]+$"), "billing code"),
    (re.compile(r"^\(Presidential Sig\.\)$"), "signature placeholder"),
    (re.compile(r"^\[(?:www\.)?[\w.-]+\.gov\]$"), "Federal Register header"),
    (re.compile(r"^\[FR Doc\. [^\]]+\]$"), "Federal Register filing line"),
]


def read_federal_register(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Read the text edition of the Federal Register into plain paragraphs.

    Bracketed header lines, ``[[Page …]]`` markers, running heads, rule lines, billing
    codes and the filing line are removed; the volume line keeps its issue date
    (``Federal Register Volume 90, Number 70 (Monday, April 14, 2025)``) because that is
    the publication date of the notice. A copy collapsed onto one line is first split at
    its bracketed markers. Deep indentation is removed and wrapped lines are joined.

    Returns:
        The text and the removed pieces with the rule that removed each.
    """
    removed: list[tuple[str, str]] = []
    if text.count("\n") < 3 and len(text) > 400:
        # One collapsed line: restore line breaks around the markers.
        text = re.sub(r"\s*(\[\[Page \d+\]\]|\[[^\[\]\n]{2,80}\]|(?:={10,}|-{10,}))\s*", r"\n\n\1\n\n", text)
        text = re.sub(r"\s+(?=(?:AGENCY|ACTION|SUMMARY|DATES|ADDRESSES|FOR FURTHER INFORMATION CONTACT|"
                      r"SUPPLEMENTARY INFORMATION):)", "\n\n", text)
    text = re.sub(r"[ \t]*\[\[Page \d+\]\][ \t]*", lambda m: (removed.append((m.group(0).strip(), "page marker"))
                                                            or " "), text)
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        m = _FR_HEADER.match(stripped)
        if m:
            out.append(f"Federal Register Volume {m['vol']}, Number {m['num']} ({m['date']})")
            continue
        rule = next((r for rx, r in _FR_DROP if rx.match(stripped)), None)
        if rule:
            removed.append((stripped, rule))
            out.append("")
            continue
        out.append(stripped)
    return reflow("\n".join(out), force=True), removed


_LIST_START = re.compile(r"^(?:[-*+•▪●]\s|\(?[a-z0-9]{1,4}[.)]\s|\((?:[ivxlc]+|[a-z]|\d+)\)\s|Sec(?:tion)?\.?\s+\d)")


def reflow(text: str, *, force: bool = False, width: int = 100) -> str:
    """Join the lines of hard-wrapped paragraphs, one paragraph per line.

    A block of consecutive non-blank lines is a hard-wrapped paragraph when its lines
    are no longer than ``width`` and most of them stop without sentence punctuation
    (or ``force`` is set, for layouts known to be wrapped). A line starting a list item
    ("(a)", "-", "Sec. 2") starts a new paragraph; a line that ends a sentence and is
    much shorter than the block's wrap width ends one.
    """
    blocks = re.split(r"\n[ \t]*\n", text)
    out: list[str] = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if len(lines) < 2:
            out.append("\n".join(lines))
            continue
        longest = max(len(ln) for ln in lines)
        open_ended = sum(1 for ln in lines[:-1] if not _ends_sentence(ln))
        # A wrapped line is filled: lines that stop mid-sentence run close to the wrap width.
        open_lines = [ln for ln in lines[:-1] if not _ends_sentence(ln)]
        filled = sum(1 for ln in open_lines if len(ln) >= max(30, 0.6 * longest))
        wrapped = force or (len(lines) >= 3 and longest <= width and open_ended >= 0.5 * (len(lines) - 1)
                            and filled >= 0.8 * len(open_lines))
        if not wrapped:
            out.append("\n".join(lines))
            continue
        paras: list[list[str]] = [[lines[0]]]
        for prev, ln in itertools.pairwise(lines):
            short_end = _ends_sentence(prev) and len(prev) < 0.6 * longest
            if _LIST_START.match(ln) or short_end:
                paras.append([ln])
            else:
                paras[-1].append(ln)
        out.append("\n".join(_join_wrapped(p) for p in paras))
    return "\n\n".join(b for b in out if b)


def _join_wrapped(lines: list[str]) -> str:
    text = lines[0]
    for ln in lines[1:]:
        # A word broken at a hyphen by the wrap ("U.S.-\nROK") is joined without a space.
        glued = text.endswith("-") and (text[-2:-1].isalpha() or text[-2:-1] == ".") and ln[:1].isupper()
        text = text + ln if glued else f"{text} {ln}"
    return text


_GLUED_CHANGE = re.compile(r"(\b(?:" + _MONTHS + r") \d{1,2})(?=[A-Z][a-z]{2,})")
"""Change-tracking pages run deleted and added text together: "through May 21Summary"."""


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s")


def _protect_wrapped_numbers(md: str) -> str:
    """Escape a number that a hard wrap put at the start of a line ("on August\n25. Notably").

    Markdown would read "25." there as an ordered-list marker and drop it; a line that
    continues an unfinished sentence (not itself a list item) is not a list item.
    """
    lines = md.split("\n")
    in_list = False
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        if not prev.strip():
            in_list = False
        elif _LIST_MARK.match(prev):
            in_list = True
        m = re.match(r"^(\s*)(\d{1,3})([.)])(\s)", lines[i])
        if m and prev.strip() and not in_list and not _ends_sentence(prev):
            lines[i] = f"{m.group(1)}{m.group(2)}\\{m.group(3)}{lines[i][m.end(3):]}"
    return "\n".join(lines)


def read_layout(raw: str) -> tuple[str, CleanResult, bool]:
    """Read the layout of a stored page before the line rules run.

    YAML front matter becomes metadata (title, date, URL); Markdown (links, emphasis,
    ``<figure>`` blocks, HTML comments, lists) becomes plain paragraphs; the Federal
    Register text edition is read by :func:`read_federal_register`; hard-wrapped
    paragraphs are re-flowed so that sentence splitting sees whole sentences.

    Returns:
        The plain text, a result holding the metadata and the removed pieces so far, and
        whether the layout was a document body (Markdown, Federal Register) whose opening
        lines are content, not page furniture.
    """
    from analysis.ingest.markdown import _MD_EVIDENCE, markdown_to_text, split_front_matter

    meta = CleanResult(text="")
    text = normalize_text(raw)
    body_layout = False
    if re.match(r"---[ \t]*\n", text):
        body, front, _warnings = split_front_matter(text)
        if front:
            meta.title = front.get("title") or None
            meta.url = front.get("source_url") or front.get("url") or None
            for key in ("date", "published", "published_time"):
                if front.get(key):
                    meta.published = parse_date_text(front[key][:10])
                    if meta.published:
                        break
            meta.removed.append(RemovedLine(line=1, text="(front matter)", rule="front matter"))
            text = body
            body_layout = True
    if _FR_MARKERS.search(text[:5000]):
        text, removed = read_federal_register(text)
        meta.removed.extend(RemovedLine(line=0, text=t, rule=r) for t, r in removed)
        body_layout = True
    elif body_layout or _MD_EVIDENCE.search(text[:200000]):
        text = re.sub(r"<figure\b.*?</figure>", "\n\n", text, flags=re.DOTALL | re.IGNORECASE)
        text = markdown_to_text(_protect_wrapped_numbers(text))
        body_layout = True
    else:
        text = reflow(text)
    text = _GLUED_CHANGE.sub(r"\1 ", text)
    return text, meta, body_layout


def clean_text(raw: str, *, mode: Literal["scraped", "body"] = "scraped") -> CleanResult:
    """Split a raw article into cleaned body text and metadata.

    First the page layout is read (:func:`read_layout`: front matter, Markdown, the
    Federal Register text edition, hard-wrapped paragraphs). Then header furniture
    (lines before the first prose paragraph), navigation lines, image file names,
    illustration credits, disclaimers, "Related Articles"-style markers, "Original
    source:" lines, all-caps related-story links and glued datelines are removed. Body
    sentences, including non-English segments, are kept verbatim.

    The furniture rules never empty a document: when they would remove more than half
    of its words, every line is kept and ``uncertain`` says why.

    Args:
        raw: The article text as decoded from its file.
        mode: ``"scraped"`` for text copied from a whole page (all rules); ``"body"`` for
            text that is already an article body (Markdown, HTML main text, a table's
            text column): the header rules and the all-caps-line rule are skipped, so
            headings and short opening lines of the body are kept, and datelines are
            only taken from before the first prose paragraph.

    Returns:
        The cleaned body with its title, dateline date, outlet, author and URL when found.
    """
    if mode == "scraped":
        text, meta, body_layout = read_layout(raw)
    else:
        text, meta, body_layout = normalize_text(raw), CleanResult(text=""), True
    result = _clean_lines(text, mode="body" if body_layout else "scraped")
    result.title = result.title or meta.title
    result.published = meta.published or result.published
    result.url = meta.url or result.url
    result.removed = [*meta.removed, *result.removed]
    before = len(_words(text))
    after = len(_words(result.text))
    if before >= 20 and after < 0.5 * before:
        share = 1 - after / before
        result.uncertain = (f"cleaning uncertain: the furniture rules would remove {share:.0%} of the words; "
                            "all lines kept")
        result.text = "\n\n".join(ln.strip() for ln in text.split("\n") if ln.strip())
        result.removed = list(meta.removed)
    return result

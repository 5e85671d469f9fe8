"""The exports of news tools, recognised by their fields and mapped field by field.

Each :class:`ExportFormat` follows the tool's documented output:

- Media Cloud Search (``search.mediacloud.org`` CSV download): ``id, indexed_date,
  language, media_name, media_url, publish_date, title, url`` and, in expanded
  downloads, ``text``. ``media_name`` is the outlet's canonical domain.
- Media Cloud legacy (Explorer and API v2 story lists): ``stories_id, publish_date,
  title, url, language, media_id, media_name, media_url``, rarely ``story_text``.
- news-please (``NewsArticle.get_serializable_dict``): ``authors, date_publish,
  description, language, maintext, source_domain, title, url`` and more.
- trafilatura ``--json``: ``title, author, hostname, date, text, raw_text, language,
  source`` (the article URL), ``source-hostname`` (the site's name), ``excerpt``.
- NewsAPI (``/v2/everything``, ``/v2/top-headlines``): ``{"articles": [...]}`` with
  ``source.name, author, title, description, url, publishedAt, content``; ``content``
  is cut at 200 characters and ends in a marker such as ``… [+548 chars]``.
- GDELT DOC 2.0 API ``mode=artlist&format=json``: ``{"articles": [...]}`` with ``url,
  url_mobile, title, seendate, socialimage, domain, language, sourcecountry``: no text.

Anything else is read with the project's own column vocabulary
(:data:`analysis.ingest.fields.CORE_ALIASES`).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analysis.ingest.fields import (
    CORE_ALIASES,
    METADATA_COLUMNS,
    SILENT_COLUMNS,
    FieldMap,
    map_columns,
    normalise_key,
)

FETCH_COMMAND = "trafilatura --input-file urls.txt --output-dir texts/ --json --with-metadata"
"""Fetches the article behind each URL of ``urls.txt`` into one JSON file per article."""
GET_TEXT_HINT = (
    f"to analyse these articles, save their URLs one per line in urls.txt, fetch the texts with "
    f"`{FETCH_COMMAND}` (or with news-please), then run again with --corpus texts/"
)
"""How to turn a list of links into a corpus, for metadata-only exports."""


@dataclass(frozen=True)
class ExportFormat:
    """How one tool's export maps onto the corpus fields.

    Attributes:
        key: Short name (``mediacloud``, ``newsplease``...).
        label: Name used in messages, with its article ("a Media Cloud Search").
        signatures: Sets of field names (normalised) of which one must all be present.
        fields: For each corpus field, the export's fields that carry it, most specific first.
            Nested JSON fields are written with dots (``source.name``).
        documented: Further documented fields, read by nobody and ignored without a warning.
        text_note: What to tell the user about the text this tool gives, if anything.
        metadata_only: The tool never gives article text.
    """

    key: str
    label: str
    signatures: tuple[frozenset[str], ...]
    fields: Mapping[str, tuple[str, ...]]
    documented: frozenset[str] = frozenset()
    text_note: str | None = None
    metadata_only: bool = False

    def matches(self, keys: set[str]) -> bool:
        """Whether normalised ``keys`` hold one of this format's signatures."""
        return any(sig <= keys for sig in self.signatures)


def _f(*names: str) -> frozenset[str]:
    return frozenset(normalise_key(n) for n in names)


MEDIACLOUD_SEARCH = ExportFormat(
    key="mediacloud",
    label="a Media Cloud Search",
    signatures=(_f("media_name", "publish_date", "indexed_date"), _f("media_url", "publish_date", "indexed_date")),
    fields={"outlet": ("media_name", "media_url"), "published": ("publish_date",), "title": ("title",),
            "url": ("url",), "language": ("language",), "text": ("text",), "id": ("id",)},
    documented=_f("indexed_date"),
)
MEDIACLOUD_LEGACY = ExportFormat(
    key="mediacloud-legacy",
    label="a Media Cloud (legacy Explorer)",
    signatures=(_f("stories_id", "media_name"), _f("stories_id", "media_id")),
    fields={"outlet": ("media_name", "media_url"), "published": ("publish_date",), "title": ("title",),
            "url": ("url",), "language": ("language",), "text": ("text", "story_text"), "id": ("stories_id",)},
    documented=_f("media_id", "ap_syndicated", "themes", "collect_date", "processed_stories_id",
                  "guid", "word_count", "feeds", "metadata", "media_pub_country", "media_pub_state",
                  "media_language", "media_about_country", "media_media_type"),
)
NEWSPLEASE = ExportFormat(
    key="newsplease",
    label="a news-please",
    signatures=(_f("source_domain", "date_publish"), _f("source_domain", "maintext")),
    fields={"outlet": ("source_domain",), "published": ("date_publish",),
            "title": ("title", "title_page", "title_rss"), "url": ("url",), "author": ("authors",),
            "language": ("language",), "text": ("maintext", "text")},
    documented=_f("date_download", "date_modify", "description", "filename", "image_url", "localpath"),
)
TRAFILATURA = ExportFormat(
    key="trafilatura",
    label="a trafilatura",
    signatures=(_f("source-hostname"), _f("fingerprint", "hostname", "raw_text")),
    fields={"outlet": ("source-hostname", "hostname", "source"), "published": ("date",), "title": ("title",),
            "url": ("source",), "author": ("author",), "language": ("language",), "text": ("text", "raw_text"),
            "id": ("id",), "categories": ("categories",), "tags": ("tags",)},
    documented=_f("fingerprint", "license", "comments", "image", "pagetype", "filedate", "excerpt"),
)
NEWSAPI = ExportFormat(
    key="newsapi",
    label="a NewsAPI",
    signatures=(_f("source.name", "publishedAt"), _f("publishedAt", "urlToImage")),
    fields={"outlet": ("source.name", "source.id"), "published": ("publishedAt",), "title": ("title",),
            "url": ("url",), "author": ("author",), "text": ("content", "description")},
    documented=_f("urlToImage", "source.id"),
    text_note=("NewsAPI gives only the first 200 characters of each article; for the full texts, save the "
               f"URLs one per line in urls.txt, run `{FETCH_COMMAND}` and use --corpus texts/"),
)
GDELT_ARTLIST = ExportFormat(
    key="gdelt",
    label="a GDELT DOC API artlist",
    signatures=(_f("seendate", "sourcecountry"), _f("seendate", "url_mobile"), _f("seendate", "domain")),
    fields={"outlet": ("domain",), "published": ("seendate",), "title": ("title",), "url": ("url",),
            "language": ("language",), "country": ("sourcecountry",)},
    documented=_f("url_mobile", "socialimage"),
    metadata_only=True,
)
FORMATS: tuple[ExportFormat, ...] = (
    MEDIACLOUD_SEARCH, MEDIACLOUD_LEGACY, NEWSPLEASE, TRAFILATURA, NEWSAPI, GDELT_ARTLIST,
)
"""The recognised exports, most specific first."""

PROJECT = ExportFormat(key="project", label="the project's own", signatures=(), fields={})
"""The project's own columns (``text, title, outlet, published, url, ...``); the fallback."""


def detect_format(keys: Iterable[object]) -> ExportFormat:
    """The export whose fields ``keys`` are, or :data:`PROJECT` when none matches."""
    found = {normalise_key(k) for k in keys if k is not None}
    return next((f for f in FORMATS if f.matches(found)), PROJECT)


def format_fieldmap(fmt: ExportFormat, columns: Iterable[object], *, keep: Iterable[str] = ()) -> FieldMap:
    """The column mapping of one input in format ``fmt``.

    The format's own fields come first, in its order of preference; columns the
    tool documents but the corpus does not use are ignored silently; any other
    column is kept when it is a metadata column (or in ``keep``), else reported.
    """
    cols = [str(c) for c in columns if c is not None]
    if fmt is PROJECT:
        return map_columns(cols, keep=keep)
    by_key: dict[str, str] = {}
    for c in cols:
        by_key.setdefault(normalise_key(c), c)
    core: dict[str, list[str]] = {}
    extra: list[str] = []
    names: dict[str, str] = {}
    used: set[str] = set()
    for name, wanted in fmt.fields.items():
        present = [by_key[normalise_key(w)] for w in wanted if normalise_key(w) in by_key]
        if not present:
            continue
        used.update(present)
        if name in CORE_ALIASES:
            core[name] = present
        else:
            extra.append(present[0])
            names[present[0]] = name
    keep_set = {normalise_key(k) for k in keep} | set(METADATA_COLUMNS)
    ignored: list[str] = []
    silent: list[str] = []
    for c in cols:
        if c in used:
            continue
        key = normalise_key(c)
        if key in keep_set and key not in names.values():
            extra.append(c)
        elif key in fmt.documented or key in SILENT_COLUMNS or _documented_parent(key, fmt):
            silent.append(c)
        else:
            ignored.append(c)
    return FieldMap(core=core, extra=extra, ignored=ignored, silent=silent, names=names)


def _documented_parent(key: str, fmt: ExportFormat) -> bool:
    """Nested fields under a field the format reads (``source.id`` of NewsAPI's ``source``)."""
    head = key.split(".", 1)[0]
    return "." in key and any(w.split(".", 1)[0] == head for ws in fmt.fields.values() for w in ws)


def flatten(obj: Mapping[str, object], *, prefix: str = "", depth: int = 3) -> dict[str, object]:
    """A JSON object with nested objects spelt as dotted keys (``{"source": {"name": x}}`` → ``source.name``).

    Lists are kept as they are; objects nested deeper than ``depth`` are dropped.
    """
    out: dict[str, object] = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            if depth > 0:
                out.update(flatten(v, prefix=f"{key}.", depth=depth - 1))
        else:
            out[key] = v
    return out


# ------------------------------------------------------------------------------------- text clean-up

_TRUNCATION = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d[\d,]*\s*(?:chars?|characters)\]\s*$", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = "p|div|br|li|ul|ol|h[1-6]|blockquote|figure|figcaption|table|tr|section|article|header|footer"
_INLINE_TAGS = "a|b|i|em|strong|span|u|s|small|sub|sup|font|img|abbr|cite|code|mark|time|q|tbody|thead"
_CELL = re.compile(r"</?(?:td|th)\b[^<>]*/?>", re.IGNORECASE)
_DROP_ELEMENTS = re.compile(r"<(script|style|iframe|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^<>]*/?>", re.IGNORECASE)
_INLINE = re.compile(rf"</?(?:{_INLINE_TAGS})\b[^<>]*/?>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class CleanedField:
    """A text field after clean-up, with what was changed."""

    text: str
    changes: list[str] = field(default_factory=list)


def clean_field_text(raw: str) -> CleanedField:
    """Remove what APIs and scrapers leave in text fields.

    - the truncation marker at the end of NewsAPI's ``content`` (``… [+548 chars]``);
    - HTML tags (paragraph and line breaks become new lines; scripts and styles go
      with their content);
    - HTML entities (``&amp;``, ``&#8217;``), decoded once.

    Text without any of these is returned unchanged.
    """
    text = raw
    changes: list[str] = []
    tail = text[-60:]
    if "[+" in tail:
        m = _TRUNCATION.search(tail)
        if m:
            text = text[:len(text) - len(tail) + m.start()]
            changes.append("truncation marker removed")
    if "<" in text:
        lowered = text.lower()
        stripped = text
        if any(f"<{t}" in lowered for t in ("script", "style", "iframe", "noscript")):
            stripped = _DROP_ELEMENTS.sub("", stripped)
        if "<!--" in stripped:
            stripped = _COMMENT.sub("", stripped)
        stripped = _BLOCK.sub("\n", stripped)
        stripped = _INLINE.sub("", _CELL.sub(" ", stripped))
        if stripped != text:
            stripped = re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", stripped)
            text = re.sub(r"[ \t]*\n[ \t]*(?:\n[ \t]*)+", "\n\n", stripped).strip()
            changes.append("HTML tags removed")
    if _ENTITY.search(text):
        decoded = html.unescape(text)
        if decoded != text:
            text = decoded
            changes.append("HTML entities decoded")
    return CleanedField(text=text, changes=changes)


# ----------------------------------------------------------------------------------------- outlets


@functools.lru_cache(maxsize=1)
def _extractor():
    """A public-suffix splitter that uses only the list bundled with ``tldextract``.

    No suffix list is fetched (``suffix_list_urls=()``) and no cache is read or written.
    """
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]+@)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)"
                   r"(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)


def registered_domain(value: str | None) -> str | None:
    """The registered domain of a URL or host name (``https://edition.cnn.com/x`` → ``cnn.com``).

    Uses the Public Suffix List snapshot bundled with ``tldextract``
    (``english.news.cn`` → ``news.cn``, ``www.bbc.co.uk`` → ``bbc.co.uk``). Returns
    None for a value that is not a URL or host name (an outlet's name, say).
    """
    if not value:
        return None
    m = _HOST.match(value.strip())
    if not m:
        return None
    host = m.group(1).lower().rstrip(".")
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host if "." in host and not host.replace(".", "").isdigit() else None


def normalise_outlet(value: str) -> str:
    """An outlet as given, or its registered domain when it is written as a URL or host name."""
    return registered_domain(value) or value.strip()

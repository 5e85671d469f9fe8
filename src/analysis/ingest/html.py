"""Main text and metadata of a saved HTML page, with trafilatura and no network access."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The character set a page declares in a ``<meta>`` tag within its first 4 KB, if any."""
    m = _CHARSET.search(data[:4096])
    if not m:
        return None
    import codecs

    name = m.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def extract_html(page: str) -> tuple[str, dict[str, str]]:
    """Extract the main article text and its metadata from an HTML page.

    The page is parsed from the string given; trafilatura is given no URL and nothing
    is downloaded. Navigation, comments and boilerplate are left out by trafilatura.

    Args:
        page: The HTML source.

    Returns:
        The main text (paragraphs separated by blank lines; empty when nothing was
        found) and metadata with keys among title, author, published, url, outlet.
    """
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    try:
        doc = trafilatura.bare_extraction(
            page, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, favor_recall=True,
        )
    except Exception as exc:
        log.debug("trafilatura failed: %s", exc)
        return "", {}
    if doc is None:
        return "", {}
    meta: dict[str, str] = {}
    for key, attr in (("title", "title"), ("author", "author"), ("published", "date"), ("url", "url"),
                      ("outlet", "sitename")):
        value = getattr(doc, attr, None)
        if value and str(value).strip():
            meta[key] = str(value).strip()
    lines = [ln.strip() for ln in (getattr(doc, "text", "") or "").split("\n")]
    if lines and meta.get("title") and lines[0] == meta["title"]:
        lines = lines[1:]
    return "\n\n".join(ln for ln in lines if ln), meta

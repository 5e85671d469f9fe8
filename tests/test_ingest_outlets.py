"""Outlets from URLs: the registered domain, from the Public Suffix List bundled offline."""

from __future__ import annotations

import socket

import pytest

from analysis.ingest import formats
from analysis.ingest.formats import normalise_outlet, registered_domain


@pytest.mark.parametrize("value, expected", [
    ("edition.cnn.com", "cnn.com"),
    ("https://edition.cnn.com/2025/05/12/business/x.html", "cnn.com"),
    ("english.news.cn", "news.cn"),
    ("www.bbc.co.uk", "bbc.co.uk"),
    ("http://user@www.abc.net.au:8080/news?x=1", "abc.net.au"),
    ("WWW.RT.COM", "rt.com"),
    ("asia.nikkei.com", "nikkei.com"),
    ("www.chinadaily.com.cn", "chinadaily.com.cn"),
    ("CNN", None),
    ("Nikkei Asia", None),
    ("", None),
    (None, None),
])
def test_registered_domain(value, expected) -> None:
    assert registered_domain(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("edition.cnn.com", "cnn.com"), ("The New York Times", "The New York Times"), (" Reuters ", "Reuters"),
])
def test_normalise_outlet(value: str, expected: str) -> None:
    assert normalise_outlet(value) == expected


def test_no_network_and_no_cache_are_used(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The suffix list comes from tldextract's bundled snapshot: no connection, no cache file."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("TLDEXTRACT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    formats._extractor.cache_clear()
    try:
        assert registered_domain("https://edition.cnn.com/x") == "cnn.com"
        assert registered_domain("english.news.cn") == "news.cn"
        extractor = formats._extractor()
    finally:
        formats._extractor.cache_clear()
    assert attempts == []
    assert not (tmp_path / "cache").exists() and not (tmp_path / "xdg").exists()
    assert tuple(extractor.suffix_list_urls) == ()

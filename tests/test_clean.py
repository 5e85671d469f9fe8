"""The cleaner removes page furniture by general rules and keeps every body sentence."""

import re

import pytest

from analysis import config
from analysis.clean import clean_text, is_title_case, normalize_text, parse_date_text


def _raw(prefix: str) -> str:
    path = next(config.RAW_DIR.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


# (seed, furniture line that must be gone, rule that removes it)
FURNITURE = [
    ("000", "Original source: https://www.toutiao.com/article/7496405460667007514/", "original-source line"),
    ("000", "Disclaimer: This article solely represents the author's views", "disclaimer"),
    ("001", "TRUMP ANNOUNCES NEW 25% TARIFFS ON AUTO IMPORTS", "all-caps related-story link"),
    ("001", "Leave a Reply", "related/reply marker"),
    ("002", "tradingkey.logo", "image file name"),
    ("002", "TradingKeyMay 12, 2025 10:22 AM", "dateline"),
    ("002", "Disclaimer: The information provided on this website", "disclaimer"),
    ("002", "Related Articles", "related/reply marker"),
    ("003", "Email login CN", "navigation"),
    ("003", "8a874877-a99a-45ab-82a4-437a7dbff841.png", "image file name"),
    ("003", "Illustration: Chen Xia/GT", "image file name"),
    ("003", "Cai Liang    source:Global Times", "byline"),
]


@pytest.mark.parametrize("seed,line,rule", FURNITURE)
def test_furniture_is_removed(seed, line, rule):
    result = clean_text(_raw(seed))
    assert line not in result.text
    assert any(line in r.text and r.rule == rule for r in result.removed), [(r.rule, r.text) for r in result.removed]


# Real body sentences, including the first and last of each article and the Chinese sentence.
BODY = [
    ("000", "On local time April 22nd, a landmark event occurred in the Sino-US tariff war"),
    ("000", "可以说, 石破茂这一阴一阳的做法, 给特朗普好好上了一课。"),
    ("000", "For more details, let us keep following."),
    ("001", "China, Japan, and South Korea made a rare show of public cooperation"),
    ("001", "which are some of the biggest suppliers of automobile products to the United States."),
    ("002", "The first round of U.S.-China economic and trade talks concluded"),
    ("002", "“They didn’t go for the one that we’re highly vulnerable in, just the one we’re completely vulnerable in.”"),
    ("003", "US Secretary of State Marco Rubio had called off his first visit to Japan and South Korea"),
    ("003", "begin openly discussing the prospect of \"de-Americanization.\""),
    ("004", "The fragile truce in the US-China trade war has crumbled"),
    ("004", "have been crucial in sustaining China’s economy."),
]


@pytest.mark.parametrize("seed,sentence", BODY)
def test_body_sentences_are_kept(seed, sentence):
    assert sentence in clean_text(_raw(seed)).text


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_every_prose_line_survives(seed):
    """Every line of eight or more words that ends like a sentence is in the cleaned body."""
    cleaned = clean_text(_raw(seed)).text
    for line in normalize_text(_raw(seed)).splitlines():
        line = line.strip()
        if len(line.split()) >= 8 and re.search(r"[.!?\"”]$", line) and not line.startswith("Disclaimer"):
            body = line.removeprefix("TradingKey – ")
            assert body in cleaned or is_title_case(line), line


def test_metadata_from_furniture():
    r = clean_text(_raw("002"))
    assert (r.outlet, r.published.isoformat()) == ("TradingKey", "2025-05-12")
    assert r.title.startswith("China’s Ace, America’s Achilles’ Heel")
    assert clean_text(_raw("003")).author == "Cai Liang"
    assert clean_text(_raw("000")).url == "https://www.toutiao.com/article/7496405460667007514/"


def test_wire_lead_in_is_stripped_but_sentence_kept():
    r = clean_text(_raw("002"))
    assert "TradingKey – The first round" not in r.text
    assert r.text.startswith("The first round of U.S.-China economic and trade talks")


# Invented inputs of the same kinds: the rules are general, not keyed to the seeds.
@pytest.mark.parametrize("raw,gone,kept", [
    ("Sign in | Subscribe\n\nTariffs rose again on Monday as talks between the two sides stalled in Geneva.",
     "Sign in | Subscribe", "Tariffs rose again on Monday"),
    ("ReutersJune 3, 2025 8:15 PM\n\nOfficials in Seoul said the new levies would hurt exporters badly this year.",
     "ReutersJune 3, 2025", "Officials in Seoul said"),
    ("Photo: Jane Doe/AP\nThe minister said the country would respond to any new measures in kind.",
     "Jane Doe/AP", "The minister said"),
    ("Exporters braced for a long dispute over the duties on steel and aluminum.\nCHINA VOWS TO FIGHT TARIFFS TO THE END\n"
     "Analysts expect the measures to remain in force well into next year, they said.",
     "CHINA VOWS", "Analysts expect the measures"),
    ("Markets fell sharply after the announcement of the new tariffs on Friday.\nRead more\nSome link\nAnother link",
     "Another link", "Markets fell sharply"),
])
def test_general_rules(raw, gone, kept):
    r = clean_text(raw)
    assert gone not in r.text
    assert kept in r.text


@pytest.mark.parametrize("text,expected", [
    ("May 12, 2025", "2025-05-12"), ("12 May 2025", "2025-05-12"), ("Sept. 3, 2024", "2024-09-03"),
    ("2025-04-23", "2025-04-23"), ("April 31, 2025", None), ("yesterday", None),
])
def test_parse_date_text(text, expected):
    got = parse_date_text(text)
    assert (got.isoformat() if got else None) == expected


def test_empty_and_furniture_only_inputs():
    assert clean_text("").text == ""
    assert clean_text("Leave a Reply\nRelated Articles\n").text == ""

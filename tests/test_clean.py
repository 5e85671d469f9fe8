"""The cleaner removes page furniture by general rules and keeps every body sentence."""

import re
from pathlib import Path

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


# --------------------------------------------------------------------------- page layouts
# Invented texts in the layouts of real stored pages.

FEDERAL_REGISTER = """[Federal Register Volume 91, Number 12 (Tuesday, January 20, 2026)]
[Notices]
[Pages 1201-1203]
From the Federal Register Online via the Government Publishing Office [www.gpo.gov]
[FR Doc No: 2026-00123]

-----------------------------------------------------------------------

DEPARTMENT OF EXAMPLE

Widget Import Duties

AGENCY: Office of Widget Trade, Department of Example.

SUMMARY: This notice sets an additional ad valorem rate of duty of 12
    percent on widgets that are products of Ruritania, effective
    February 1, 2026.

[[Page 1202]]

    The Office received 40 comments on the proposal and has considered
    each of them before taking this action.

[FR Doc. 2026-00123 Filed 1-19-26; 8:45 am]
BILLING CODE 9999-01-P
"""


def test_federal_register_text_edition_is_read():
    r = clean_text(FEDERAL_REGISTER)
    assert "Federal Register Volume 91, Number 12 (Tuesday, January 20, 2026)" in r.text  # the issue date
    assert "additional ad valorem rate of duty of 12 percent on widgets that are products of Ruritania" in r.text
    assert "has considered each of them before taking this action." in r.text
    for furniture in ("[[Page 1202]]", "[Notices]", "BILLING CODE", "FR Doc. 2026", "www.gpo.gov", "------"):
        assert furniture not in r.text, furniture
    assert "Widget Import Duties" in r.text and r.uncertain is None


def test_collapsed_federal_register_copy_is_split():
    one_line = " ".join(FEDERAL_REGISTER.split())
    r = clean_text(one_line)
    assert "additional ad valorem rate of duty of 12 percent" in r.text
    assert "[[Page 1202]]" not in r.text and "[Notices]" not in r.text


MARKDOWN_PAGE = """---
date: '2026-03-02'
source_url: https://example.gov/briefings/2026/03/widgets/
title: Fact Sheet on Widgets
---

<figure><img src="seal.png"/><figcaption>Official seal</figcaption></figure>

<!-- -->

**[Secretary of Widgets Ana
Pereira](https://example.com/video):** “We have reached an understanding
on widgets that will help our workers, and we will publish the details
tomorrow morning.”

-   The agreement lowers the duty on *Ruritanian* widgets to 5% and
    takes effect on March
    9\\. Officials will review it in a year.
"""


def test_markdown_page_with_front_matter():
    r = clean_text(MARKDOWN_PAGE)
    assert r.title == "Fact Sheet on Widgets" and r.published.isoformat() == "2026-03-02"
    assert r.url == "https://example.gov/briefings/2026/03/widgets/"
    assert ("Secretary of Widgets Ana Pereira: “We have reached an understanding on widgets that will help our "
            "workers, and we will publish the details tomorrow morning.”") in r.text
    assert "lowers the duty on Ruritanian widgets to 5%" in r.text
    for furniture in ("<figure", "seal.png", "Official seal", "<!--", "](", "**"):
        assert furniture not in r.text, furniture


def test_wrapped_number_is_not_a_list_marker():
    md = "---\ntitle: T\n---\nThe leaders first met in Lisbon on May\n14. They agreed to talk again.\n"
    assert "in Lisbon on May 14. They agreed" in clean_text(md).text


def test_hard_wrapped_plain_text_is_reflowed():
    raw = ("Exporters in the port city said on Monday that the new duties had already\n"
           "cut their orders by half, and that several smaller firms were now weighing\n"
           "whether to move production abroad before the end of the year.\n\n"
           "Officials declined to comment.")
    text = clean_text(raw).text
    assert ("had already cut their orders by half, and that several smaller firms were now weighing whether "
            "to move production") in text
    assert text.endswith("Officials declined to comment.")


def test_report_page_furniture_and_glued_change_tracking():
    raw = ("← Browse\n\nWidget Tariffs: Background and Issues\n\nUpdated March 3, 2026 (IF99999)\n\n"
           "Jump to Main Text of Report\n\nSince the beginning of 2026, the Administration has raised widget "
           "duties on imports from several partners through January 20Summary and other notices.")
    r = clean_text(raw)
    assert "← Browse" not in r.text and "Jump to Main Text" not in r.text
    assert "Updated March 3, 2026 (IF99999)" in r.text        # a header date is content
    assert "through January 20 Summary" in r.text               # deleted and added text separated
    assert r.title == "Widget Tariffs: Background and Issues"


def test_wire_dateline_on_one_long_line():
    raw = ("Widget duties spread\n\nGENEVA — Negotiators from the two economies resumed talks on Tuesday as "
           "exporters warned that a 30% duty on widgets would cost jobs. Industry groups said that the "
           "measures were already hurting smaller firms and that more talks were needed before the deadline")
    r = clean_text(raw)
    assert r.text.startswith("Negotiators from the two economies resumed talks on Tuesday")
    assert r.uncertain is None


def test_furniture_rules_never_empty_a_document():
    raw = "\n".join(["SHORT LINE"] * 3 + ["Menu", "Home", "word " * 5] * 10)
    r = clean_text(raw)
    assert r.uncertain and r.uncertain.startswith("cleaning uncertain")
    assert r.text.strip()


def test_signature_block_is_kept():
    raw = ("By the authority vested in me, I hereby order that the widget duty is reduced to 5 percent.\n\n"
           "DONALD J. TRUMP\n\nTHE WHITE HOUSE,\n\nNovember 4, 2025.")
    text = clean_text(raw).text
    assert "DONALD J. TRUMP" in text and "November 4, 2025." in text


# --------------------------------------------------------------------------- the development set
DEVSET = config.PROJECT_ROOT.parent / "shared" / "devset"


def _norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", re.sub(r"(?<!\w)[*_]|[*_](?!\w)", "", s)).strip().lower()


@pytest.mark.skipif(not (DEVSET / "gold.json").is_file(), reason="../shared/devset is not beside this clone")
def test_cleaner_keeps_every_gold_passage_of_the_devset():
    """Every gold fingerprint, quote and claim-bearing passage survives cleaning (title counts as kept)."""
    import json

    gold = json.loads((DEVSET / "gold.json").read_text(encoding="utf-8"))
    lost = []
    for doc in gold["docs"]:
        raw = (DEVSET / "corpus" / doc["file"]).read_text(encoding="utf-8")
        r = clean_text(raw)
        kept = _norm(f"{r.title or ''} {r.text}")
        assert r.text.strip(), doc["file"]
        for passage in [doc["fingerprint"], *(q["text"] for q in doc["quotes"] + doc.get("short_quotes", []))]:
            if _norm(passage) not in kept:
                lost.append((doc["file"], passage))
        for c in doc["claims"]:
            rate = f"{c['rate_pct']:g}"
            if not re.search(rf"\b{rate}(?:%| percent)", kept):
                lost.append((doc["file"], f"rate {rate}"))
    assert not lost, lost


@pytest.mark.skipif(not config.RAW_DIR.is_dir(), reason="no seed corpus")
def test_cleaner_keeps_every_seed_gold_quote_and_claim_sentence():
    import pandas as pd

    fixtures = Path(__file__).parent / "fixtures"
    texts = {p.stem: _norm(clean_text(p.read_text(encoding="utf-8")).text) for p in config.RAW_DIR.glob("*.txt")}
    quotes = pd.read_csv(fixtures / "quotes_gold.csv", dtype=str)
    claims = pd.read_csv(fixtures / "claims_gold.csv", dtype=str)
    lost = [q.quote for q in quotes.itertuples() if _norm(q.quote) not in texts[q.doc_id]]
    lost += [c.sentence for c in claims.itertuples() if _norm(c.sentence) not in texts[c.doc_id]]
    assert not lost, lost


@pytest.mark.parametrize(("raw", "starts"), [
    ("BEIJING, Oct 9 (Reuters) - China on Thursday expanded its export controls on rare earth elements.",
     "China on Thursday expanded"),
    ("SEOUL, July 31 (Yonhap) -- South Korea and the United States reached a trade deal on Thursday.",
     "South Korea and the United States"),
    ("WASHINGTON (AP) — President Trump said Friday he would raise tariffs on Chinese goods again.",
     "President Trump said Friday"),
    ("U.S. officials said on Monday - a day after the talks - that no deal was near, people said.",
     "U.S. officials said on Monday - a day"),
    ("A - B testing is not a dateline, the analysts said in a note to clients on Friday morning.", "A - B testing"),
])
def test_wire_datelines_are_stripped(raw, starts):
    assert clean_text(raw).text.startswith(starts)


def test_breadcrumb_and_byline_in_the_header():
    raw = ("Home | World | Business\nTariffs: what changes on Friday\nBy Jane Doe\n"
           "Exporters said on Thursday that the new duties would take effect on Friday, as planned by the ministry.")
    r = clean_text(raw)
    assert r.title == "Tariffs: what changes on Friday" and r.author == "Jane Doe"
    assert r.text.startswith("Exporters said on Thursday")


def test_hyphen_at_a_wrap_joins_a_compound():
    from analysis.clean import reflow

    assert reflow("the strength of the U.S.-\nROK Alliance and of the long-\nstanding ties", force=True) == \
        "the strength of the U.S.-ROK Alliance and of the long- standing ties"

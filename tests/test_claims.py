"""Tariff claims: seed sentences, invented sentences, non-tariff figures, gold precision/recall."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.claims import (
    CLAIM_COLUMNS,
    FIGURE_COLUMNS,
    claims_and_figures,
    claims_from_text,
    classify_figure,
    evaluate_claims,
    extract_claims,
    find_figures,
    load_claim_lexicon,
    other_figures,
)
from analysis.gazetteer import load_gazetteer

GOLD = Path(__file__).parent / "fixtures" / "claims_gold.csv"


def rows(text: str, published: str = "2025-06-01", **kw) -> list[tuple]:
    df = claims_from_text(text, published=published, **kw)
    return [(r.imposer, r.target, r.rate_pct, None if math.isnan(r.from_rate_pct) else r.from_rate_pct)
            for r in df.itertuples()]


# Real sentences of the seeds: (sentence, publication date, expected (imposer, target, rate, from)).
SEED_SENTENCES = [
    ("China lowered its tariff on U.S. goods from 125% to 10%, while the U.S. cut its tariff on Chinese imports "
     "from 145% to 30%.", "2025-05-12", [("CN", "US", 10, 125), ("US", "CN", 30, 145)]),
    ("The trilateral summit responded to Trump’s announcement last Wednesday of new 25% tariffs “on all cars that "
     "are not made in the United States.”", "2025-03-31", [("US", "ALL", 25, None)]),
    ("For instance, Washington proposed 25 percent tariffs on imported automobiles and auto parts as well as steel "
     "and aluminum products, a devastating blow to auto industry powerhouses like Japan and South Korea.",
     "2025-07-09", [("US", "ALL", 25, None)]),
    ("What's more, as a 90-day freeze on country-specific US tariffs on dozens of nations, including Japan and "
     "South Korea, is scheduled to expire on July 9, the US on Monday set a 25 percent tax on goods imported from "
     "Japan and South Korea, as well as new tariff rates on a dozen other nations that would go into effect on "
     "August 1.", "2025-07-09", [("US", "JP", 25, None), ("US", "KR", 25, None)]),
    ("The blame game continued when China awoke to President Trump’s declaration of new, sweeping 100 percent "
     "tariffs on Chinese imports, set to take effect November 1st.", "2025-10-11", [("US", "CN", 100, None)]),
    ("The Trump administration had previously eased tariffs in April, reducing an initial 145 percent additional "
     "tariff to 30 percent, while China maintained a 10 percent additional tariff on American goods.",
     "2025-10-11", [("US", "CN", 30, 145), ("CN", "US", 10, None)]),
    ("Indeed, if Mr. Trump’s additional 100 percent tariffs on Chinese goods are implemented, they could "
     "severely damage the economy.", "2025-10-11", [("US", "CN", 100, None)]),
]


@pytest.mark.parametrize(("text", "published", "expected"), SEED_SENTENCES)
def test_seed_sentences(text, published, expected):
    assert rows(text, published) == expected


# Invented sentences: other countries, rates, products, phrasings.
INVENTED = [
    ("The EU imposed countervailing duties of up to 35.3% on Chinese electric vehicles.", [("EU", "CN", 35.3, None)]),
    ("Canada will slap a 25 per cent levy on U.S. steel.", [("CA", "US", 25, None)]),
    ("Beijing retaliated with 84% tariffs on American goods.", [("CN", "US", 84, None)]),
    ("The United States raised tariffs on Chinese imports to 145%.", [("US", "CN", 145, None)]),
    ("Washington raised its tariff on Chinese goods from 54 percent to 104 percent on Wednesday.",
     [("US", "CN", 104, 54)]),
    ("India lowered its duty on American whiskey to 100% from 150%.", [("IN", "US", 100, 150)]),
    ("Mexico said it would impose a 30% tariff on imports from China and South Korea.",
     [("MX", "CN", 30, None), ("MX", "KR", 30, None)]),
    ("Tokyo cut its tariff on U.S. beef to 20 percent.", [("JP", "US", 20, None)]),
    ("Trump announced a 50% tariff on Brazilian goods, set to take effect on August 1.", [("US", "BR", 50, None)]),
    ("The White House said a 10% baseline tariff would apply to all countries.", [("US", "ALL", 10, None)]),
    ("China's 34% retaliatory tariffs on U.S. products take effect April 10.", [("CN", "US", 34, None)]),
    ("Trump threatened Canada with a 35% tariff.", [("US", "CA", 35, None)]),
    ("U.S. tariffs on Vietnamese goods were set at 20 per cent.", [("US", "VN", 20, None)]),
    ("The U.S. will charge a 25 percent tax on goods imported from Japan.", [("US", "JP", 25, None)]),
    ("The European Union will impose tariffs of 25% on steel and 10% on aluminium from the United States.",
     [("EU", "US", 25, None), ("EU", "US", 10, None)]),
    ("Ottawa imposed 25% counter-tariffs on C$30 billion of American products.", [("CA", "US", 25, None)]),
    ("Beijing raised tariffs on US goods by 50 percentage points to 84%.", [("CN", "US", 84, 34)]),
    ("The administration doubled tariffs on steel and aluminum to 50 percent.", [("US", "ALL", 50, None)]),
    ("Britain agreed to a 10 percent tariff on its cars, down from 27.5 percent.", [("", "GB", 10, 27.5)]),
    ("Seoul lowered its tariff on Japanese cars from 8% to 4%, while Tokyo kept a 0% duty on Korean vehicles.",
     [("KR", "JP", 4, 8), ("JP", "KR", 0, None)]),
    ("Australia slapped a 15 pct anti-dumping duty on Chinese steel.", [("AU", "CN", 15, None)]),
    ("Germany's exporters face a 27.5% tariff on cars shipped to the United States, Berlin said.",
     [("US", "DE", 27.5, None)]),  # imposer: the country the cars are shipped to
]


@pytest.mark.parametrize(("text", "expected"), INVENTED)
def test_invented_sentences(text, expected):
    assert rows(text) == expected


@pytest.mark.parametrize(("text", "scope"), [
    ("Washington proposed 25 percent tariffs on imported automobiles and auto parts as well as steel and "
     "aluminum products.", "autos;auto parts;steel;aluminium"),
    ("The EU imposed countervailing duties of up to 35.3% on Chinese electric vehicles.", "electric vehicles"),
    ("Canada will slap a 25 per cent levy on U.S. steel.", "steel"),
    ("The US set a 100% tariff on semiconductors imported from Taiwan.", "semiconductors"),
    ("Beijing retaliated with 84% tariffs on American goods.", ""),
])
def test_scope(text, scope):
    df = claims_from_text(text)
    assert df["scope"].tolist() == [scope]


@pytest.mark.parametrize(("text", "published", "effective"), [
    ("new 100 percent tariffs on Chinese imports, set to take effect November 1st.", "2025-10-11", "2025-11-01"),
    ("The Trump administration had previously eased tariffs in April, reducing an initial 145 percent additional "
     "tariff to 30 percent.", "2025-10-11", "2025-04"),
    ("Trump announced new 25% tariffs on all cars not made in the United States. The tariffs will go into effect "
     "on April 2.", "2025-03-31", "2025-04-02"),
    ("Canada will slap a 25 per cent levy on U.S. steel.", "2025-03-31", ""),
])
def test_effective(text, published, effective):
    df = claims_from_text(text, published=published)
    assert df["effective"].tolist()[:1] == [effective]


@pytest.mark.parametrize("text", [
    "Stocks fell 3% after the tariff announcement.",
    "It asks Japan to raise its defense spending from less than 2 percent of GDP to 3.5 percent of GDP.",
    "The tariff cut amounted to 50 basis points.",
    "Inflation rose 2.4% in May while the unemployment rate held at 4.2 percent.",
    "China controls 90% of the world's rare earth processing, which it restricted amid the tariff war.",
    "The yuan weakened 0.5% against the dollar as tariffs loomed.",
    "Trump said he would significantly reduce tariffs on China.",   # no figure
])
def test_not_tariff_claims(text):
    assert claims_from_text(text).empty


@pytest.mark.parametrize(("text", "unit", "kind"), [
    ("a temporary reduction in tariffs by up to 115 basis points", "basis_points", "tariff_change"),
    ("raise its defense spending from less than 2 percent of GDP", "percent", "defence_spending"),
    ("public debt reached 250 percent of GDP", "percent", "gdp_share"),
    ("The Nikkei index fell 2.1% on Monday", "percent", "market"),
    ("inflation eased to 2.3 per cent", "percent", "economy"),
    ("tariffs were raised by 10 percentage points", "percentage_points", "tariff_change"),
])
def test_classify_figure(text, unit, kind):
    figs = find_figures(text)
    assert len(figs) == 1 and figs[0].unit == unit
    assert classify_figure(text, figs[0]) == kind


def test_seed_claims_against_gold(seed):
    docs, ann = seed
    pred = extract_claims(docs, ann)
    assert list(pred.columns) == CLAIM_COLUMNS
    gold = pd.read_csv(GOLD, dtype={"doc_id": str, "imposer": str, "target": str}, keep_default_na=False)
    scores = evaluate_claims(pred, gold)
    assert scores["f1"] >= 0.9, scores
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.9, scores


def test_seed_other_figures(seed):
    docs, ann = seed
    figs = other_figures(docs, ann)
    assert list(figs.columns) == FIGURE_COLUMNS
    bp = figs[figs["unit"] == "basis_points"]
    assert bp[["value", "kind"]].values.tolist() == [[115.0, "tariff_change"]]
    assert set(figs[figs["unit"] == "percent"]["kind"]) == {"defence_spending"}
    # Tariff rates never show up as other figures.
    assert not set(figs["value"]) & {10.0, 25.0, 30.0, 100.0, 125.0, 145.0}


def test_gazetteer_extension_is_used(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("countries:\n  - name: Freedonia\n    code: FD\n    aliases: [Freedonia]\n"
                     "    adjectives: [Freedonian]\n    metonyms: [Fredville]\n", encoding="utf-8")
    gaz = load_gazetteer(extra)
    got = rows("Fredville imposed a 12% tariff on Canadian lumber.", gazetteer=gaz)
    assert got == [("FD", "CA", 12, None)]
    assert rows("Canada imposed a 12% tariff on Freedonian lumber.", gazetteer=gaz) == [("CA", "FD", 12, None)]


def test_evaluate_claims_counts():
    gold = pd.DataFrame({"doc_id": ["a", "a", "b"], "imposer": ["US", "CN", "US"], "target": ["CN", "US", "ALL"],
                         "rate_pct": [30, 10, 25], "from_rate_pct": [145, None, None]})
    pred = pd.DataFrame({"doc_id": ["a", "a", "b"], "imposer": ["US", "CN", "US"], "target": ["CN", "US", "JP"],
                         "rate_pct": [30.0, 10.0, 25.0], "from_rate_pct": [145.0, 125.0, None]})
    s = evaluate_claims(pred, gold)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 2, 2)
    assert s["f1"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="lacks columns"):
        evaluate_claims(pred.drop(columns=["target"]), gold)


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="lacks columns"):
        extract_claims(pd.DataFrame({"doc_id": ["a"]}), None)
    with pytest.raises(TypeError):
        extract_claims(pd.DataFrame({"doc_id": ["a"], "language": ["en"], "published": [""], "text": [""]}),
                       object())
    bad = tmp_path / "bad.yaml"
    bad.write_text("products: {steel: [steel]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tariff_cues"):
        load_claim_lexicon(bad)


# Written before the rules were tuned on them; three still fail (see the report), so this asserts a
# floor on the whole set rather than each sentence.
HELD_OUT = [
    ("Trump said on Truth Social that he would impose a 35% tariff on Canadian imports starting Aug. 1.",
     [("US", "CA", 35, None)]),
    ("China announced it would raise tariffs on all US goods to 125% from 84%.", [("CN", "US", 125, 84)]),
    ("The US and Japan agreed on a 15% tariff on Japanese goods, down from the 25% Trump had threatened.",
     [("US", "JP", 15, 25)]),
    ("Under the deal, the EU will face a 15 percent tariff on most of its exports to the United States.",
     [("US", "EU", 15, None)]),
    ("India faces a 50% US tariff after Washington doubled the levy over Russian oil purchases.",
     [("US", "IN", 50, None)]),
    ("Switzerland was hit with a 39% tariff, one of the highest rates.", [("US", "CH", 39, None)]),
    ("Beijing imposed an additional 15% tariff on US coal and liquefied natural gas and 10% on crude oil.",
     [("CN", "US", 15, None), ("CN", "US", 10, None)]),
    ("Vietnam will pay a 20% tariff on its shipments to the US, while goods transshipped through the country "
     "face 40%.", [("US", "VN", 20, None), ("US", "VN", 40, None)]),
    ("The administration also set a 50% tariff on copper imports.", [("US", "ALL", 50, None)]),
    ("South Korea's auto exports will face a 15 percent tariff instead of 25 percent.", [("US", "KR", 15, 25)]),
    ("Ottawa dropped its 25% retaliatory tariffs on US goods covered by the USMCA.", [("CA", "US", 25, None)]),
    ("Mexico plans to raise tariffs to as much as 50% on cars from China.", [("MX", "CN", 50, None)]),
    ("The Chinese yuan fell 0.3% as US tariffs of 145% took hold.", [("US", "CN", 145, None)]),
    ("Brazil's exports to the US now face a 50% duty, Lula said.", [("US", "BR", 50, None)]),
    ("Tariffs on Chinese semiconductors will rise to 50% in 2025, the USTR said.", [("US", "CN", 50, None)]),
]


def test_held_out_sentences_floor():
    pred, gold = [], []
    for i, (text, expected) in enumerate(HELD_OUT):
        df = claims_from_text(text, published="2025-08-01", doc_id=str(i))
        pred.append(df)
        gold.append(pd.DataFrame([(str(i), *e) for e in expected],
                                 columns=["doc_id", "imposer", "target", "rate_pct", "from_rate_pct"]))
    scores = evaluate_claims(pd.concat(pred), pd.concat(gold))
    assert scores["f1"] >= 0.8, scores


def test_claims_and_figures_in_one_pass(seed):
    docs, ann = seed
    claims, figs = claims_and_figures(docs, ann)
    pd.testing.assert_frame_equal(claims, extract_claims(docs, ann))
    pd.testing.assert_frame_equal(figs, other_figures(docs, ann))


def test_non_english_documents_are_skipped(seed):
    docs, ann = seed
    zh = docs.assign(language="zh")
    assert extract_claims(zh, ann).empty


# Invented news-style sentences for the claim errors seen on real news (empty targets for "tariffs on
# Chinese goods", venues taken for imposers, baseline rates "for all countries", previous rates, rates
# in words, legal phrasing) and for the traps that are not tariff rates.
NEWS_CLAIMS = [
    # target from the goods' origin
    ("The tariffs on Chinese goods rose to 145% in April, the White House said.", [("US", "CN", 145, None)]),
    ("Washington said imports from China would face a 54% levy from next week.", [("US", "CN", 54, None)]),
    # a venue is never the imposer
    ("After talks in Stockholm, Washington kept its 30% tariff on Chinese goods.", [("US", "CN", 30, None)]),
    ("At a meeting held in Geneva, China agreed to cut its tariff on US goods to 10%.", [("CN", "US", 10, None)]),
    # baseline and reciprocal rates for every country
    ("Trump announced a 10% baseline tariff for all countries on Wednesday.", [("US", "ALL", 10, None)]),
    ("The United States set a reciprocal tariff of 10 percent on imports from every trading partner.",
     [("US", "ALL", 10, None)]),
    # previous rates
    ("Washington cut its tariff on Chinese goods by 115 points to 30%.", [("US", "CN", 30, 145)]),
    ("Beijing lowered its duties on American goods from 125% to 10%.", [("CN", "US", 10, 125)]),
    ("Goods from Vietnam that faced a 46% tariff will instead pay 20%, the US said.", [("US", "VN", 20, 46)]),
    # rates in words and legal phrasing
    ("The White House imposed a tariff of ten percent on Canadian lumber.", [("US", "CA", 10, None)]),
    ("Ottawa said it would levy twenty-five per cent on U.S. steel.", [("CA", "US", 25, None)]),
    ("The United States shall impose on products of the PRC an additional ad valorem rate of duty of 10 percent.",
     [("US", "CN", 10, None)]),
    ("The United States will cut its tariffs on cars and auto parts of Japan to 15 percent.", [("US", "JP", 15, None)]),
    # the subject that accepts or faces a rate is its target
    ("Under the deal, the European Union accepted a 15% US tariff on most of its exports.", [("US", "EU", 15, None)]),
    ("Tokyo agreed to invest $550 billion in the United States while accepting a 15% tariff on its cars.",
     [("US", "JP", 15, None)]),
    ("Trump promised to charge Mexico and Canada a 25% tariff.", [("US", "MX", 25, None), ("US", "CA", 25, None)]),
    # traps: not tariff rates
    ("Shares in Nvidia fell 3% after the tariff announcement.", []),
    ("Washington suspended 24 percentage points of the tariff on Chinese goods for 90 days.", []),
    ("Any firm at least 50 percent owned by a listed entity faces the export tariff rules.", []),
    ("Exports make up 18% of China's GDP, so tariffs threaten growth.", []),
    ("China's soybean purchases rose 40% after the tariff truce.", []),
]


@pytest.mark.parametrize(("text", "expected"), NEWS_CLAIMS)
def test_news_style_claims(text, expected):
    df = claims_from_text(text, published="2025-06-01", doc_id="x")
    got = sorted((r.imposer, r.target, float(r.rate_pct),
                  None if pd.isna(r.from_rate_pct) else float(r.from_rate_pct)) for r in df.itertuples())
    assert got == sorted((a, b, float(c), None if d is None else float(d)) for a, b, c, d in expected)


@pytest.mark.parametrize(("text", "value"), [
    ("ten percent", 10), ("twenty-five per cent", 25), ("a hundred percent", 100), ("fifteen percent", 15),
    ("ninety nine percent", 99),
])
def test_rates_in_words(text, value):
    figs = find_figures(f"a tariff of {text} on steel")
    assert [(f.value, f.unit) for f in figs] == [(float(value), "percent")]


def test_venues_do_not_count_as_the_documents_countries():
    from analysis.claims import _doc_countries
    from analysis.gazetteer import load_gazetteer

    counts = _doc_countries("Officials met in Stockholm and talks in Sweden went on. Japan said no.", load_gazetteer())
    assert counts.get("SE", 0) == 0 and counts["JP"] == 1


def test_coordinated_rates_keep_their_own_imposer_and_target():
    text = ("Ottawa and Mexico City reached a deal on Friday, with Ottawa trimming its duties on Mexican steel "
            "to 12% from 40% and Mexico City cutting its levies on Canadian pork to 5% from 20%.")
    got = {(c.imposer, c.target, c.rate_pct, c.from_rate_pct) for c in claims_from_text(text).itertuples()}
    assert got == {("CA", "MX", 12.0, 40.0), ("MX", "CA", 5.0, 20.0)}


def test_possessive_levies_joined_by_and():
    text = "The pact keeps the Canadian levy on Mexican cars at 8% and Mexico's levy on Canadian cars at 6%."
    got = {(c.imposer, c.target, c.rate_pct) for c in claims_from_text(text).itertuples()}
    assert got == {("CA", "MX", 8.0), ("MX", "CA", 6.0)}


def test_baseline_for_all_countries_after_and():
    text = ("Canada still charges a 20% tariff on Mexican steel, and a 5% baseline tariff applies to imports "
            "from all countries.")
    got = {(c.imposer, c.target, c.rate_pct) for c in claims_from_text(text).itertuples()}
    assert got == {("CA", "MX", 20.0), ("CA", "ALL", 5.0)}


def test_two_rates_on_goods_stay_one_clause():
    text = "Canada imposed tariffs of 15% on Mexican steel and 10% on Mexican pork."
    got = {(c.imposer, c.target, c.rate_pct) for c in claims_from_text(text).itertuples()}
    assert got == {("CA", "MX", 15.0), ("CA", "MX", 10.0)}


@pytest.mark.parametrize("text", ["Will the U.S. keep the 25% tariff on Canadian steel?",
                                  "Q: Would the E.U. match the 20% levy on U.S. goods?"])
def test_questions_state_no_claim(text):
    assert claims_from_text(text).empty

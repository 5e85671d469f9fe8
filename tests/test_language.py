"""Language identification of documents and mixed-language segments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.language import (
    detect_language,
    detect_language_scored,
    language_profile,
    language_segments,
)

GOLD = Path(__file__).parent / "fixtures" / "language_segments_gold.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China lowered its tariff on U.S. goods from 125% to 10%, while the U.S. cut its tariff on Chinese "
         "imports from 145% to 30%.", "en"),
        ("Le gouvernement a annoncé de nouvelles mesures contre les droits de douane américains.", "fr"),
        ("中国商务部宣布对稀土出口实施新的管制措施。", "zh"),
        ("日本政府は米国の関税措置について深い懸念を表明した。", "ja"),
        ("한국 정부는 미국의 새로운 관세 조치에 대해 우려를 표명했다.", "ko"),
        ("12 345 — !!", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_long_text_is_sampled_but_still_detected() -> None:
    text = ("The administration has identified five to six critical industries and supply chain weaknesses. " * 400)
    lang, confidence = detect_language_scored(text)
    assert (lang, confidence > 0.9) == ("en", True)


def test_mixed_segment_is_split_at_script_switch() -> None:
    text = ("Ono Masahiro not only dragged his feet in the U.S.-Japan negotiations but also sent the leader of "
            "the Komeito Party to China to discuss cooperation.可以说, 石破茂这一阴一阳的做法, 给特朗普好好上了一课。")
    labels = [lang for lang, _ in language_segments(text)]
    assert labels == ["en", "zh"]


def test_short_latin_segment_takes_document_language() -> None:
    # "Merci." is too short to classify on its own: it inherits the document's language.
    text = "The minister thanked his counterpart for the constructive talks in Geneva on Sunday. Merci."
    assert [lang for lang, _ in language_segments(text)] == ["en", "en"]


@pytest.mark.parametrize(
    ("text", "main", "non_english", "languages"),
    [
        ("China controls the majority of several critical rare earth elements. They are vital for manufacturing "
         "high-tech products such as electric vehicles and fighter jets.", None, 0, "en"),
        ("Beijing imposed export controls on seven rare earth elements in early April. Le gouvernement chinois a "
         "annoncé de nouvelles restrictions sur les exportations de terres rares.", None, 1, "en,fr"),
        ("中国商务部宣布对稀土出口实施新的管制措施。美国政府表示将作出回应。", None, 2, "zh"),
        ("The tariffs take effect on Monday, officials in Washington said on Friday morning.", "en", 0, "en"),
    ],
)
def test_language_profile(text: str, main: str | None, non_english: int, languages: str) -> None:
    profile = language_profile(text, main=main)
    assert (profile.segments_non_english, profile.languages) == (non_english, languages)


def test_declared_language_is_trusted_as_main() -> None:
    profile = language_profile("Tariffs rose again this week across the region, traders said.", main="en")
    assert (profile.language, profile.confidence) == ("en", 1.0)


def test_segment_labels_against_gold() -> None:
    """Precision and recall of 'not English' segment labels on seed and invented sentences."""
    gold = pd.read_csv(GOLD)
    predicted = []
    for seg in gold["segment"]:
        labels = [lang for lang, _ in language_segments(seg, main="en")]
        predicted.append(labels[0] if labels else "und")
    gold["predicted"] = predicted
    truth = gold["language"] != "en"
    pred = gold["predicted"] != "en"
    tp = int((truth & pred).sum())
    precision = tp / max(1, int(pred.sum()))
    recall = tp / max(1, int(truth.sum()))
    exact = float((gold["predicted"] == gold["language"]).mean())
    assert precision >= 0.95, gold[pred & ~truth]
    assert recall >= 0.9, gold[truth & ~pred]
    assert exact >= 0.9, gold[gold["predicted"] != gold["language"]]

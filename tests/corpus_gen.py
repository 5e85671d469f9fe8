"""A seeded generator of small, awkward corpora for the end-to-end tests.

Every corpus is random but reproducible from its seed: 1 to 8 groups of 1 to 6
documents, in English, French, German, Chinese, Japanese and Korean; groups with no
English text; documents without quotes, figures or dates; one-line documents; exact
duplicates; group names with HTML, spreadsheet-formula prefixes, CJK, emoji or 200
characters; and a group whose every file is rejected. It is written as a JSON Lines
file, a CSV file or a folder of Markdown files with front matter.

All sentences are invented for these tests.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("en", "fr", "de", "zh", "ja", "ko")

LONG_NAME = ("The Extremely Long and Thoroughly Descriptive Name of a Regional Trade Gazette "
             "Covering Ports, Tariffs, Shipping Lanes, Commodity Prices and Everything in Between, "
             "Published Weekly Since 1887, Now Read in Forty Countries by Traders and Customs Brokers")[:200]

NAMES = (
    "Harbour Ledger", "<b>Daily</b> & <i>Co</i>", "=SUM(A1)", "+Plus Wire", "-Minus Report", "@tradewatch",
    '=HYPERLINK("http://example.com","click")', "环球观察", "朝日経済", "조선무역", "Tariff Watch 📉",
    "Ünïcödé Zeitung", LONG_NAME, "<script>alert(1)</script>", "O'Brien \"Quotes\" Times", "Le Courrier",
)
"""Group names; the awkward ones are the point."""

SPEAKERS = ("Commerce Secretary Ada Brenner", "Professor Lin Hao", "a spokesperson for the ministry",
            "Trade Minister Omar Castell")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")

EN = {
    "base": ["Exporters at the port worried about rising costs.", "Analysts said the dispute could last for months.",
             "Factory orders slowed across the coastal provinces.", "Retailers warned shoppers of higher prices.",
             "Farmers in the Midwest waited for news from the talks.", "Shipping firms rerouted several vessels."],
    "figure": ["Washington raised tariffs on Chinese goods to {r}% from {r0}%.",
               "China imposed a {r}% tariff on American soybeans.", "The European Union set a {r}% levy on steel."],
    "date": ["The measure takes effect on {month} {day}, 2025.", "Negotiators met again on {month} {day}, 2025."],
    "quote": ['"We will not back down," said {speaker}.', '"This is a fair deal for workers," {speaker} told reporters.'],
}
OTHER = {
    "fr": {"base": ["Les exportateurs s'inquiètent de la hausse des coûts.", "Les marchés ont reculé jeudi matin."],
           "figure": ["Washington a relevé ses droits de douane à {r} % sur les produits chinois."],
           "date": ["La mesure entre en vigueur le {day} avril 2025."],
           "quote": ["« Nous ne céderons pas », a déclaré le ministre."]},
    "de": {"base": ["Die Exporteure fürchten steigende Kosten.", "Die Börsen gaben am Donnerstag nach."],
           "figure": ["Washington erhöhte die Zölle auf chinesische Waren auf {r} Prozent."],
           "date": ["Die Maßnahme gilt ab dem {day}. April 2025."],
           "quote": ["„Wir geben nicht nach“, sagte der Minister."]},
    "zh": {"base": ["出口商担心成本上升。", "周四股市下跌。"],
           "figure": ["华盛顿将对中国商品的关税提高到{r}%。"],
           "date": ["该措施于2025年4月{day}日生效。"],
           "quote": ["部长说：“我们不会让步。”"]},
    "ja": {"base": ["輸出企業はコストの上昇を懸念している。", "木曜日に株価が下落した。"],
           "figure": ["米国は中国製品への関税を{r}%に引き上げた。"],
           "date": ["措置は2025年4月{day}日に発効する。"],
           "quote": ["大臣は「譲歩しない」と述べた。"]},
    "ko": {"base": ["수출업체들은 비용 상승을 우려하고 있다.", "목요일에 주가가 하락했다."],
           "figure": ["미국은 중국산 제품에 대한 관세를 {r}%로 인상했다."],
           "date": ["이 조치는 2025년 4월 {day}일에 발효된다."],
           "quote": ["장관은 \"양보하지 않겠다\"고 말했다."]},
}


@dataclass
class Doc:
    doc_id: str
    group: str
    language: str
    text: str
    published: str = ""
    rejected: bool = False
    duplicate_of: str | None = None


@dataclass
class Spec:
    """What a generated corpus holds, for the test to check the reports against."""

    seed: int
    path: Path
    form: str
    docs: list[Doc] = field(default_factory=list)

    def accepted(self) -> list[Doc]:
        """Documents the loader should keep (not rejected, not exact duplicates)."""
        return [d for d in self.docs if not d.rejected and d.duplicate_of is None]

    def groups(self) -> list[str]:
        """Groups with at least one kept document."""
        return sorted({d.group for d in self.accepted()})

    def english_groups(self) -> list[str]:
        """Groups with at least one kept English document."""
        return sorted({d.group for d in self.accepted() if d.language == "en"})

    def documents_per_group(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.accepted():
            out[d.group] = out.get(d.group, 0) + 1
        return out


def _text(rng: random.Random, lang: str, *, one_line: bool) -> str:
    pool = EN if lang == "en" else OTHER[lang]
    fill = {"r": rng.choice([10, 25, 34, 50, 125, 145]), "r0": rng.choice([10, 20, 54]), "month": rng.choice(MONTHS),
            "day": rng.randint(1, 28), "speaker": rng.choice(SPEAKERS)}
    if one_line:
        return rng.choice(pool["base"] + pool["figure"]).format(**fill)
    parts = rng.sample(pool["base"], k=min(len(pool["base"]), rng.randint(1, 3)))
    for kind in ("figure", "date", "quote"):
        if rng.random() < 0.6:  # documents without quotes, figures or dates are common
            parts.insert(rng.randint(0, len(parts)), rng.choice(pool[kind]).format(**fill))
    sep = "" if lang in ("zh", "ja") else " "
    return sep.join(parts)


def _tagged(text: str, doc_id: str, lang: str) -> str:
    """The text with the document's id, so that no two generated documents are equal by chance."""
    return f"{text}（{doc_id}）" if lang in ("zh", "ja") else f"{text} (ref {doc_id})"


def generate(seed: int, root: Path, *, max_groups: int = 8, max_docs: int = 6, write_files: bool = True) -> Spec:
    """Write one random corpus under ``root`` (unless ``write_files`` is False) and return what it holds."""
    rng = random.Random(seed)
    form = rng.choice(["jsonl", "csv", "md"])
    names = rng.sample(NAMES, k=rng.randint(1, max_groups))
    spec = Spec(seed=seed, path=root / {"jsonl": "corpus.jsonl", "csv": "corpus.csv", "md": "corpus"}[form],
                form=form)
    rejected_group = len(names) > 1 and rng.random() < 0.5
    for gi, name in enumerate(names):
        mode = rng.choice(["en", "en", "mixed", "foreign"])
        foreign = rng.choice(LANGUAGES[1:])
        for di in range(rng.randint(1, max_docs)):
            lang = {"en": "en", "foreign": foreign}.get(mode) or rng.choice(LANGUAGES)
            published = "" if rng.random() < 0.2 else f"2025-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
            doc_id = f"s{seed}g{gi}d{di}"
            doc = Doc(doc_id, name, lang, _tagged(_text(rng, lang, one_line=rng.random() < 0.15), doc_id, lang),
                      published)
            if rejected_group and gi == len(names) - 1:
                doc.rejected, doc.text = True, ""
            spec.docs.append(doc)
        if rng.random() < 0.3 and not (rejected_group and gi == len(names) - 1):
            first = next(d for d in spec.docs if d.group == name)
            spec.docs.append(Doc(f"{first.doc_id}dup", name, first.language, first.text, first.published,
                                 duplicate_of=first.doc_id))
    if not spec.accepted():  # keep at least one usable document: the all-rejected case is its own test
        first = spec.docs[0]
        first.rejected, first.text = False, _tagged(_text(rng, first.language, one_line=False), first.doc_id,
                                                    first.language)
    if write_files:
        write(spec)
    return spec


def write(spec: Spec) -> Path:
    """Write a spec's documents in its form (JSON Lines, CSV, or Markdown files)."""
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"id": d.doc_id, "outlet": d.group, "date": d.published, "language": d.language, "text": d.text}
            for d in spec.docs]
    if spec.form == "jsonl":
        spec.path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif spec.form == "csv":
        with spec.path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["id", "outlet", "date", "language", "text"])
            w.writeheader()
            w.writerows(rows)
    else:
        spec.path.mkdir(parents=True, exist_ok=True)
        for d in spec.docs:
            if d.rejected:  # a binary file: rejected by the loader whatever its name says
                (spec.path / f"{d.doc_id}.txt").write_bytes(b"\x00\x01\x02\x03 not text \x00" * 8)
                continue
            front = {"outlet": d.group, "language": d.language, **({"date": d.published} if d.published else {})}
            lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()]
            (spec.path / f"{d.doc_id}.md").write_text("---\n" + "\n".join(lines) + "\n---\n" + d.text + "\n",
                                                     encoding="utf-8")
    return spec.path


def many_groups(root: Path, *, groups: int = 300, seed: int = 0) -> Path:
    """A JSON Lines corpus of ``groups`` outlets (one or two English documents each), as from Media Cloud."""
    rng = random.Random(seed)
    lines = []
    for g in range(groups):
        for d in range(1 + (g % 7 == 0)):
            text = _text(rng, "en", one_line=False)
            lines.append(json.dumps({"id": f"g{g}d{d}", "outlet": f"Outlet {g:03d}", "date": f"2025-04-{1 + g % 28:02d}",
                                     "language": "en", "text": f"{text} Report {g} {d}."}, ensure_ascii=False))
    path = root / "many.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

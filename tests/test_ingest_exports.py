"""Exports of news tools, in their documented shapes, load with the right fields.

The fixtures in ``tests/fixtures/exports/`` follow each tool's own output:
Media Cloud Search CSV downloads (sorted columns, ``media_name`` is the canonical
domain), the legacy Media Cloud Explorer story list, news-please's
``get_serializable_dict`` files (named by the quoted URL), trafilatura's
``--json --with-metadata`` output (``source`` is the URL, ``source-hostname`` the
site's name), NewsAPI ``/v2/everything`` responses, GDELT DOC 2.0 ``artlist`` JSON,
and a CSV saved by Excel in a European locale. The article texts are invented.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import CorpusError, MetadataOnlyExport, check_corpus, load_corpus, read_outlet_map
from analysis.ingest.formats import (
    GDELT_ARTLIST,
    MEDIACLOUD_LEGACY,
    MEDIACLOUD_SEARCH,
    NEWSAPI,
    NEWSPLEASE,
    PROJECT,
    TRAFILATURA,
    clean_field_text,
    detect_format,
    flatten,
)

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
TODAY = date(2025, 12, 31)

GENEVA = "Washington will lower the duty on Chinese imports from 145% to 30% under the Geneva deal"
BEIJING = "Beijing said on Monday it would cut its tariff on American goods to 10% for ninety days"
CARMAKERS = "Shares in Asian carmakers rose after the truce."
RETAIL = "Retailers in the United States welcomed the pause"


def load(name: str, **kw):
    return load_corpus(FIXTURES / name, today=TODAY, near_duplicate_threshold=None, **kw)


def fields(doc) -> tuple:
    return (doc.source, doc.published.isoformat() if doc.published else None, doc.title, doc.language, doc.url)


# name, expected (source, published, title, language, url) per document in order, text starts, summary line
CASES = [
    ("mediacloud_search.csv", [
        ("cnn.com", "2025-05-12", "US slashes tariffs on Chinese goods to 30% in Geneva deal", "en",
         "https://edition.cnn.com/2025/05/12/business/us-china-tariffs-geneva"),
        ("news.cn", "2025-05-12", "China to cut tariffs on US goods to 10 pct", "en",
         "https://english.news.cn/20250512/abc123/c.html"),
        ("cnn.com", "2025-05-13", "Asian carmakers rally on US-China truce", "en",
         "https://www.cnn.com/2025/05/13/business/asia-carmakers-truce"),
    ], [GENEVA, BEIJING, CARMAKERS],
     "read 3 rows from mediacloud_search.csv as a Media Cloud Search CSV (CRLF line ends): outlet ← media_name, "
     "published ← publish_date, title ← title, url ← url, language ← language, text ← text"),
    ("mediacloud_legacy_text.csv", [
        ("Global Times", "2025-05-12", "China to cut tariffs on US goods", "en",
         "https://www.globaltimes.cn/page/202505/1334001.shtml"),
        ("New York Times", "2025-05-12", "Geneva deal lowers US tariffs", "en",
         "https://www.nytimes.com/2025/05/12/business/tariffs-china-geneva.html"),
    ], [BEIJING, GENEVA],
     "read 2 rows from mediacloud_legacy_text.csv as a Media Cloud (legacy Explorer) CSV (CRLF line ends): "
     "outlet ← media_name, published ← publish_date, title ← title, url ← url, language ← language, "
     "text ← story_text"),
    ("newsplease", [
        ("news.cn", "2025-05-12", "China to cut tariffs on US goods to 10 pct", "en",
         "https://english.news.cn/20250512/abc/c.html"),
        ("reuters.com", "2025-05-12", "US retailers welcome tariff pause", "en",
         "https://www.reuters.com/business/retail-tariff-pause-2025-05-12/"),
    ], [BEIJING, RETAIL],
     "read 2 files from newsplease/*.json as news-please JSON files: outlet ← source_domain (registered domain), "
     "published ← date_publish, title ← title, url ← url, language ← language, author ← authors, text ← maintext"),
    ("newsplease_array.json", "newsplease", ["newsplease"],
     "read 2 rows from newsplease_array.json as a news-please JSON array: outlet ← source_domain (registered "
     "domain), published ← date_publish, title ← title, url ← url, language ← language, author ← authors, "
     "text ← maintext"),
    ("newsplease.jsonl", "newsplease", ["newsplease"],
     "read 2 rows from newsplease.jsonl as a news-please JSON Lines file: outlet ← source_domain (registered "
     "domain), published ← date_publish, title ← title, url ← url, language ← language, author ← authors, "
     "text ← maintext"),
    ("trafilatura.json", [
        ("CNN", "2025-05-12", "US slashes tariffs on Chinese goods", "en",
         "https://edition.cnn.com/2025/05/12/business/us-china-tariffs-geneva"),
    ], [GENEVA],
     "read 1 file from trafilatura.json as a trafilatura JSON file: outlet ← source-hostname, published ← date, "
     "title ← title, url ← source, language ← language, author ← author, text ← text"),
    ("trafilatura.jsonl", [
        ("CNN", "2025-05-12", "US slashes tariffs on Chinese goods", "en",
         "https://edition.cnn.com/2025/05/12/business/us-china-tariffs-geneva"),
        ("nikkei.com", "2025-05-13", "Asian carmakers rally", "en",
         "https://asia.nikkei.com/Business/Automobiles/Asian-carmakers-rally"),
    ], [GENEVA, CARMAKERS],
     "read 2 rows from trafilatura.jsonl as a trafilatura JSON Lines file: outlet ← source-hostname; hostname "
     "(registered domain) for 1, published ← date, title ← title, url ← source, language ← language, "
     "author ← author, text ← text"),
    ("newsapi.json", [
        ("CNN", "2025-05-12", "US slashes tariffs on Chinese goods to 30%", "en",
         "https://edition.cnn.com/2025/05/12/business/us-china-tariffs-geneva"),
        ("Nikkei Asia", "2025-05-13", "Asian carmakers rally on truce", "en",
         "https://asia.nikkei.com/Business/Automobiles/Asian-carmakers-rally"),
    ], [GENEVA, CARMAKERS],
     "read 2 rows from newsapi.json as a NewsAPI response (JSON) (HTML entities decoded in 2 texts, HTML tags "
     "removed in 1 text, truncation marker removed in 2 texts): outlet ← source.name, published ← publishedAt, "
     "title ← title, url ← url, language ← detected from the text, author ← author, text ← content"),
    ("newsapi.jsonl", "newsapi.json", ["newsapi.json"],
     "read 2 rows from newsapi.jsonl as a NewsAPI JSON Lines file (HTML entities decoded in 2 texts, HTML tags "
     "removed in 1 text, truncation marker removed in 2 texts): outlet ← source.name, published ← publishedAt, "
     "title ← title, url ← url, language ← detected from the text, author ← author, text ← content"),
    ("excel_european.csv", [
        ("Le Monde", "2025-05-12", "Accord de Genève", "en",
         "https://www.lemonde.fr/economie/article/2025/05/12/geneve.html"),
        ("Der Spiegel", "2025-05-03", "Zollpause", "en", "https://www.spiegel.de/wirtschaft/zollpause-a-1.html"),
        ("Le Monde", "2025-04-25", "Terres rares", "en",
         "https://www.lemonde.fr/economie/article/2025/04/25/terres-rares.html"),
    ], [GENEVA, CARMAKERS, RETAIL],
     "read 3 rows from excel_european.csv as the project's own CSV (';'-separated, UTF-8 with BOM, CRLF line "
     "ends, dates day-first, as '25/04/2025' shows): outlet ← outlet, published ← date, title ← title, "
     "url ← url, language ← language, text ← text"),
    ("project.csv", [
        ("Xinhua", "2025-05-12", "China to cut tariffs", "en", "https://english.news.cn/20250512/a.html"),
        ("CNN", "2025-05-12", "US cuts tariffs", "en", "https://edition.cnn.com/2025/05/12/a.html"),
    ], [BEIJING, GENEVA],
     "read 2 rows from project.csv as the project's own CSV (CRLF line ends): outlet ← outlet, "
     "published ← published, title ← title, url ← url, language ← language, text ← text"),
    ("project.jsonl", [
        ("Nikkei Asia", "2025-05-13", "Carmakers rally", "en", "https://asia.nikkei.com/a"),
        ("Reuters", "2025-05-12", "Retailers welcome pause", "en", "https://www.reuters.com/a"),
    ], [CARMAKERS, RETAIL],
     "read 2 rows from project.jsonl as the project's own JSON Lines file: outlet ← outlet, "
     "published ← published, title ← title, url ← url, language ← language, text ← text"),
]
_BY_NAME = {c[0]: c for c in CASES if isinstance(c[1], list)}


@pytest.mark.parametrize("name, expected, starts, line", CASES, ids=[c[0] for c in CASES])
def test_export_loads_with_its_fields(name: str, expected, starts, line: str) -> None:
    if isinstance(expected, str):  # same articles as another fixture, in another container
        expected, starts = _BY_NAME[expected][1], _BY_NAME[expected][2]
    corpus = load(name)
    assert [fields(d) for d in corpus.documents] == expected
    for doc, start in zip(corpus.documents, starts, strict=True):
        assert doc.text.startswith(start)
    assert corpus.summary_lines()[0] == line
    assert [s.line for s in corpus.inputs] == [line]


def test_authors_and_country_are_read() -> None:
    docs = load("newsplease").documents
    assert [d.author for d in docs] == ["Li Wei", "Jane Smith, Tom Lee"]
    assert [d.author for d in load("trafilatura.jsonl").documents] == ["Anna Cooper", None]
    assert [d.country for d in load("project.csv").documents] == ["CN", "US"]


def test_newsapi_text_is_cleaned_and_truncation_is_explained() -> None:
    corpus = load("newsapi.json")
    first, second = (d.text for d in corpus.documents)
    assert first.endswith("a mechanism for further talks") and "[+" not in first and "&nbsp;" not in first
    assert second.endswith("remain in force & could still slow deliveries")
    assert "<li>" not in second and "&amp;" not in second
    warnings = corpus.inputs[0].warnings
    assert len(warnings) == 1 and "first 200 characters" in warnings[0] and "trafilatura" in warnings[0]
    assert corpus.summary_lines()[1] == f"  warning: {warnings[0]}"


def test_newsapi_prefers_source_name_over_the_domain() -> None:
    docs = load("newsapi.json").documents
    assert docs[0].source == "CNN" and docs[0].metadata_origin["outlet"] == "column source.name"


def test_trafilatura_source_is_the_url_not_the_outlet() -> None:
    docs = load("trafilatura.jsonl").documents
    assert docs[0].url.startswith("https://edition.cnn.com/") and docs[0].source == "CNN"
    assert docs[1].source == "nikkei.com"  # source-hostname is null: the host name's registered domain


@pytest.mark.parametrize("name, tool", [
    ("mediacloud_search_notext.csv", "a Media Cloud Search CSV"),
    ("mediacloud_legacy.csv", "a Media Cloud (legacy Explorer) CSV"),
    ("gdelt_artlist.json", "a GDELT DOC API artlist JSON file"),
])
def test_metadata_only_exports_explain_how_to_get_the_text(name: str, tool: str) -> None:
    with pytest.raises(MetadataOnlyExport) as exc:
        load(name)
    message = str(exc.value)
    assert message.startswith(f"{name}: {tool} holds article metadata (")
    assert "no article text" in message and "trafilatura --input-file urls.txt" in message
    assert "news-please" in message
    with pytest.raises(MetadataOnlyExport, match="no article text"):
        check_corpus(FIXTURES / name)


def test_metadata_only_export_beside_articles_is_listed_not_fatal(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "gdelt_artlist.json", tmp_path)
    shutil.copy(FIXTURES / "project.csv", tmp_path)
    check_corpus(tmp_path)  # there are texts to analyse
    corpus = load_corpus(tmp_path, today=TODAY)
    assert len(corpus.documents) == 2
    reasons = {r.path: r.reason for r in corpus.rejected}
    assert "no article text" in reasons["gdelt_artlist.json"]
    assert corpus.summary_lines()[0].startswith("not read gdelt_artlist.json: a GDELT DOC API artlist")


def test_project_csv_of_links_is_metadata_only(tmp_path: Path) -> None:
    (tmp_path / "links.csv").write_text("title,url,date\nA,https://example.com/a,2025-05-12\n", encoding="utf-8")
    with pytest.raises(MetadataOnlyExport, match="a CSV of links holds article metadata"):
        load_corpus(tmp_path / "links.csv")


def test_cli_exits_2_on_metadata_only_export(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    from analysis import cli

    status = cli.main(["report", "--corpus", str(FIXTURES / "gdelt_artlist.json"), "--out", str(tmp_path / "out"),
                       "--formats", "html", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and "no article text" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("keys, expected", [
    (["id", "indexed_date", "language", "media_name", "media_url", "publish_date", "title", "url"], MEDIACLOUD_SEARCH),
    (["stories_id", "publish_date", "title", "url", "media_id", "media_name"], MEDIACLOUD_LEGACY),
    (["authors", "date_publish", "maintext", "source_domain", "title", "url"], NEWSPLEASE),
    (["title", "hostname", "date", "text", "source", "source-hostname"], TRAFILATURA),
    (["title", "hostname", "fingerprint", "raw_text", "text", "source"], TRAFILATURA),
    (["source.id", "source.name", "author", "title", "url", "publishedAt", "content"], NEWSAPI),
    (["url", "url_mobile", "title", "seendate", "domain", "language", "sourcecountry"], GDELT_ARTLIST),
    (["text", "outlet", "published", "source", "url"], PROJECT),
    (["Text", "Source", "Date"], PROJECT),
])
def test_formats_are_recognised_by_their_fields(keys: list[str], expected) -> None:
    assert detect_format(keys) is expected


def test_flatten_spells_nested_fields_with_dots() -> None:
    assert flatten({"source": {"id": None, "name": "CNN"}, "tags": ["a"], "x": 1}) == {
        "source.id": None, "source.name": "CNN", "tags": ["a"], "x": 1}


@pytest.mark.parametrize("raw, text, changes", [
    ("Tariffs rose sharply this week\u2026 [+548 chars]", "Tariffs rose sharply this week", ["truncation marker removed"]),
    ("Tariffs rose... [+1,203 chars]", "Tariffs rose", ["truncation marker removed"]),
    ("Tariffs rose [+12 characters]", "Tariffs rose", ["truncation marker removed"]),
    ("Trade &amp; tariffs &#8211; a timeline", "Trade & tariffs \u2013 a timeline", ["HTML entities decoded"]),
    ("<p>First paragraph.</p><p>Second <b>bold</b> one.</p>", "First paragraph.\n\nSecond bold one.",
     ["HTML tags removed"]),
    ("Before<script>var x = 1;</script> after", "Before after", ["HTML tags removed"]),
    ("Line one<br/>line two", "Line one\nline two", ["HTML tags removed"]),
    ("<tr><td>Steel</td><td>25%</td></tr><tr><td>Autos</td><td>25%</td></tr>", "Steel 25%\n\nAutos 25%",
     ["HTML tags removed"]),
    ('<span style="text-decoration: underline">Section</span> 1<!-- -->.', "Section 1.", ["HTML tags removed"]),
    ("If a < b and c > d, the rate is 10% [see note]", "If a < b and c > d, the rate is 10% [see note]", []),
    ("Plain text stays as it is.", "Plain text stays as it is.", []),
])
def test_clean_field_text(raw: str, text: str, changes: list[str]) -> None:
    cleaned = clean_field_text(raw)
    assert (cleaned.text, cleaned.changes) == (text, changes)


# ---------------------------------------------------------------------------------------- outlet map


def test_outlet_map_merges_hosts_and_renames(tmp_path: Path) -> None:
    omap = tmp_path / "outlets.csv"
    omap.write_text("from,to\ncnn.com,CNN\nenglish.news.cn,Xinhua\n", encoding="utf-8")
    corpus = load("mediacloud_search.csv", outlet_map=omap)
    assert [d.source for d in corpus.documents] == ["CNN", "Xinhua", "CNN"]
    assert corpus.documents[0].metadata_origin["outlet"] == "column media_name + outlet map"
    assert corpus.summary_lines()[0].startswith(
        "read 3 rows from mediacloud_search.csv as a Media Cloud Search CSV (CRLF line ends, outlet renamed by the "
        "outlet map in 3 articles): outlet ← media_name, ")


def test_outlet_map_applies_to_names_without_regard_to_case(tmp_path: Path) -> None:
    corpus = load("project.csv", outlet_map={"xinhua": "Xinhua News Agency"})
    assert [d.source for d in corpus.documents] == ["Xinhua News Agency", "CNN"]


@pytest.mark.parametrize("content, message", [
    ("outlet,name\ncnn.com,CNN\n", "expected a CSV with columns 'from,to'"),
    ("from,to\ncnn.com,\n", "line 2 has no 'to' name for 'cnn.com'"),
])
def test_bad_outlet_map_is_refused_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    omap = tmp_path / "map.csv"
    omap.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match="--outlet-map .*map.csv: " + message):
        read_outlet_map(omap)


def test_missing_outlet_map_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from analysis import cli

    status = cli.main(["report", "--corpus", str(FIXTURES / "project.csv"), "--out", str(tmp_path / "out"),
                       "--outlet-map", str(tmp_path / "nope.csv"), "--quiet", "--formats", "html"])
    assert status == 2 and "--outlet-map" in capsys.readouterr().err


def test_inputs_table_and_json_form() -> None:
    corpus = load("excel_european.csv")
    frame = corpus.inputs_frame()
    assert list(frame.columns) == ["path", "format", "rows", "documents", "read", "warnings"]
    assert frame.iloc[0][["path", "rows", "documents"]].tolist() == ["excel_european.csv", 3, 3]
    as_json = json.loads(json.dumps([s.as_dict() for s in corpus.inputs]))
    assert as_json[0]["line"] == corpus.summary_lines()[0]
    assert as_json[0]["fields"]["published"] == "date"


@pytest.mark.parametrize("content, reason", [
    ('{"status": "error", "code": "apiKeyInvalid", "message": "Your API key is invalid."}',
     "an API error response, not articles: Your API key is invalid."),
    ('{"status": "ok", "totalResults": 0, "articles": []}', "JSON file holds no article object"),
    ("[1, 2, 3]", "JSON file holds no article object"),
    ('{"title": "x", ', "not valid JSON"),
    ('"just a string"', "holds neither an article object nor an array"),
])
def test_unusable_json_files_are_rejected_with_the_reason(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "a.json").write_text(content, encoding="utf-8")
    (tmp_path / "b.txt").write_text(BEIJING + ". " + RETAIL + " on Tuesday.", encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [d.doc_id for d in corpus.documents] == ["b"]
    assert reason in {r.path: r.reason for r in corpus.rejected}["a.json"]


def test_large_json_file_suggests_json_lines(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "newsapi.json", tmp_path)
    corpus = load_corpus(tmp_path, max_bytes=200)
    assert "save large exports as JSON Lines" in {r.path: r.reason for r in corpus.rejected}["newsapi.json"]


def test_undocumented_fields_are_reported_documented_ones_are_not(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "newsapi.json").read_text(encoding="utf-8"))
    for a in data["articles"]:
        a["clicks"] = 3
    (tmp_path / "n.json").write_text(json.dumps(data), encoding="utf-8")
    corpus = load_corpus(tmp_path / "n.json", today=TODAY)
    notes = [r.reason for r in corpus.rejected if r.path == "n.json"]
    assert notes == ["unknown columns ignored: clicks"]


@given(st.text(alphabet=st.sampled_from(list("<>/&#;[]+…. abpdivscript-!amp0123")), max_size=300) | st.text(max_size=100))
@settings(max_examples=300, deadline=None)
def test_clean_field_text_reports_every_change(raw: str) -> None:
    cleaned = clean_field_text(raw)
    assert (cleaned.text == raw) == (cleaned.changes == [])


SEED_LINE = "read 5 files from raw/*.txt as plain-text articles: outlet ← manifest, published ← manifest"


def test_seed_tables_hold_the_input_summary(seed_tables) -> None:
    import pandas as pd

    inputs = pd.read_csv(seed_tables / "inputs.csv", keep_default_na=False)
    assert list(inputs.columns) == ["path", "format", "rows", "documents", "read", "warnings"]
    assert inputs["read"].tolist()[0].startswith(SEED_LINE)


@pytest.mark.slow
def test_report_prints_and_records_the_input_summary(report_run) -> None:
    assert report_run["proc"].returncode == 0, report_run["proc"].stderr[-2000:]
    assert SEED_LINE in report_run["proc"].stderr
    run = json.loads((report_run["dir"] / "run.json").read_text(encoding="utf-8"))
    assert run["inputs"][0]["line"].startswith(SEED_LINE)
    html_text = (report_run["dir"] / "coverage.html").read_text(encoding="utf-8")
    assert "How each input was read" in html_text and "read 5 files from raw/*.txt" in html_text

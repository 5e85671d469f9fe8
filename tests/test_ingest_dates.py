"""Publication dates in the forms exports write them, and the day/month order per file."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import load_corpus
from analysis.ingest.dates import DateProblem, detect_order, parse_date

TODAY = date(2025, 12, 31)
BODY = ("Officials in Beijing and Washington said on Monday that talks on tariffs would resume next week, "
        "and exporters said they were waiting for the details before changing their plans for the summer.")


@pytest.mark.parametrize("value, order, expected", [
    ("2025-05-12", None, date(2025, 5, 12)),
    ("2025-05-12T10:15:00Z", None, date(2025, 5, 12)),
    ("2025-05-12T23:30:00-05:00", None, date(2025, 5, 12)),  # the date as the outlet wrote it
    ("2025-05-13T01:30:00+08:00", None, date(2025, 5, 13)),
    ("2025-05-12 08:15:00", None, date(2025, 5, 12)),  # news-please, legacy Media Cloud
    ("2025-05-12 14:03:21.512345", None, date(2025, 5, 12)),
    ("20250512T101500Z", None, date(2025, 5, 12)),  # GDELT DOC API seendate
    ("20250512101500", None, date(2025, 5, 12)),
    ("20250512", None, date(2025, 5, 12)),
    ("Mon, 12 May 2025 10:15:00 +0000", None, date(2025, 5, 12)),  # RFC 2822
    ("Mon, 12 May 2025 10:15:00 GMT", None, date(2025, 5, 12)),
    ("May 12, 2025", None, date(2025, 5, 12)),
    ("12 May 2025", None, date(2025, 5, 12)),
    ("12/05/2025", "dayfirst", date(2025, 5, 12)),
    ("12/05/2025", "monthfirst", date(2025, 12, 5)),
    ("12.05.2025", "dayfirst", date(2025, 5, 12)),
    ("12-05-2025 10:15", "dayfirst", date(2025, 5, 12)),
    ("12/05/25", "dayfirst", date(2025, 5, 12)),
    ("5/12/2025 3:04 PM", "monthfirst", date(2025, 5, 12)),
    ("25/04/2025", None, date(2025, 4, 25)),  # only one reading
    ("04/25/2025", None, date(2025, 4, 25)),
    ("05/05/2025", None, date(2025, 5, 5)),
    ("tomorrow-ish", None, None),
])
def test_parse_date(value: str, order, expected) -> None:
    assert parse_date(value, order=order) == expected


@pytest.mark.parametrize("value, order, problem", [
    ("03/04/2025", None, "can be read day-first or month-first; use --dayfirst or --monthfirst"),
    ("2025-02-30", None, "is not a real date"),
    ("20250230T101500Z", None, "is not a real date"),
    ("25/04/2025", "monthfirst", "is not a month-first date"),
    ("31/02/2025", "dayfirst", "is not a real date"),
])
def test_parse_date_problems(value: str, order, problem: str) -> None:
    with pytest.raises(DateProblem, match=problem):
        parse_date(value, order=order)


@pytest.mark.parametrize("values, order, refusal", [
    (["12/05/2025", "25/04/2025"], "dayfirst", None),
    (["05/12/2025", "04/25/2025", None, ""], "monthfirst", None),
    (["2025-05-12", "12 May 2025"], None, None),
    (["05/05/2025", "01/01/2025"], None, None),
    (["03/04/2025", "05/06/2025"], None, "dates such as '03/04/2025' can be read day-first or month-first"),
    (["25/04/2025", "04/25/2025"], None, "dates are written both day-first ('25/04/2025') and month-first"),
])
def test_detect_order(values: list, order, refusal) -> None:
    finding = detect_order(values)
    assert finding.order == order
    if refusal is None:
        assert finding.refusal() is None
    else:
        assert refusal in finding.refusal() and "--dayfirst or --monthfirst" in finding.refusal()


def _csv(tmp_path: Path, dates: list[str], *, sep: str = ";") -> Path:
    """A CSV as a spreadsheet saves it: BOM, CRLF, ``sep``-separated, one invented article per date."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["outlet", "date", "text"])
    writer.writerows([f"Outlet {i}", d, f"{BODY} Story {tmp_path.name} {i}."] for i, d in enumerate(dates))
    path = tmp_path / "export.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def test_ambiguous_file_is_refused_naming_the_options(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["03/04/2025", "05/06/2025"])
    corpus = load_corpus(tmp_path, today=TODAY)
    assert corpus.documents == []
    reason = {r.path: r.reason for r in corpus.rejected}["export.csv"]
    assert reason.startswith("not read: dates such as '03/04/2025'") and "--dayfirst or --monthfirst" in reason
    assert corpus.summary_lines() == [f"not read export.csv: {reason.removeprefix('not read: ')}"]
    day = load_corpus(path, today=TODAY, date_order="dayfirst")
    assert [d.published for d in day.documents] == [date(2025, 4, 3), date(2025, 6, 5)]
    assert "dates day-first (--dayfirst)" in day.summary_lines()[0]
    month = load_corpus(path, today=TODAY, date_order="monthfirst")
    assert [d.published for d in month.documents] == [date(2025, 3, 4), date(2025, 5, 6)]


def test_order_is_detected_per_file(tmp_path: Path) -> None:
    (tmp_path / "eu").mkdir()
    (tmp_path / "us").mkdir()
    _csv(tmp_path / "eu", ["03/04/2025", "25/04/2025"])
    _csv(tmp_path / "us", ["03/04/2025", "04/25/2025"], sep=",")
    corpus = load_corpus(tmp_path, today=TODAY, near_duplicate_threshold=None)
    got = {d.path: d.published for d in corpus.documents}
    assert got == {"eu/export.csv#1": date(2025, 4, 3), "eu/export.csv#2": date(2025, 4, 25),
                   "us/export.csv#1": date(2025, 3, 4), "us/export.csv#2": date(2025, 4, 25)}


def test_option_contradicted_by_a_value_drops_that_date(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["03/04/2025", "25/04/2025"])
    corpus = load_corpus(path, today=TODAY, date_order="monthfirst")
    assert [d.published for d in corpus.documents] == [date(2025, 3, 4), None]
    assert any("'25/04/2025' is not a month-first date" in r.reason for r in corpus.rejected)


def test_file_whose_dates_all_fail_is_a_warning(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["2025-31-12", "2025-13-01", "2025-14-02"])
    corpus = load_corpus(path, today=TODAY, near_duplicate_threshold=None)
    assert len(corpus.documents) == 3 and all(d.published is None for d in corpus.documents)
    lines = corpus.summary_lines()
    assert lines[1] == ("  warning: none of the 3 publication dates could be read "
                        "(e.g. '2025-31-12' is not a real date); the articles are kept without a date")
    assert any(r.path == "export.csv" and r.reason.startswith("none of the 3") for r in corpus.rejected)


def test_some_dates_failing_is_not_a_file_warning(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["2025-05-12", "2025-13-01"])
    corpus = load_corpus(path, today=TODAY, near_duplicate_threshold=None)
    assert corpus.inputs[0].warnings == []


@given(st.text(max_size=40), st.sampled_from([None, "dayfirst", "monthfirst"]))
@settings(max_examples=300, deadline=None)
def test_parse_date_gives_a_date_none_or_a_problem(value: str, order) -> None:
    try:
        got = parse_date(value, order=order)
    except DateProblem:
        return
    assert got is None or isinstance(got, date)


def test_manifest_dates_settle_the_order_for_single_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"{BODY} File {name}.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,outlet,published\na.txt,X,03/04/2025\nb.txt,Y,25/04/2025\n",
                                           encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY, near_duplicate_threshold=None)
    assert [d.published for d in corpus.documents] == [date(2025, 4, 3), date(2025, 4, 25)]
    assert "dates day-first" in corpus.summary_lines()[0]


def test_ambiguous_single_file_date_is_dropped_naming_the_options(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(f"---\ndate: 03/04/2025\n---\n{BODY}\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY)
    assert corpus.documents[0].published is None
    assert any("can be read day-first or month-first; use --dayfirst or --monthfirst" in r.reason
               for r in corpus.rejected)

"""The table stage: required columns, deterministic CSVs, grouping, safe exports."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from analysis import tables

REQUIRED = {
    "documents": ["doc_id", "source", "published", "language", "words", "path", "text"],
    "actors": ["doc_id", "actor", "actor_type", "mentions"],
    "quotes": ["doc_id", "speaker", "speaker_type", "quote", "is_fragment", "sentence_index"],
    "tone": ["doc_id", "target", "sentences", "mean", "ci_low", "ci_high"],
    "topics": ["doc_id", "kind", "label", "share", "sentences"],
    "terms": ["source", "term", "count", "zscore"],
    "claims": ["doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "effective", "sentence_index",
               "sentence"],
    "events": ["doc_id", "date", "precision", "sentence_index", "sentence"],
    "conflicts": ["kind", "description", "doc_ids", "values"],
    "rejected": ["path", "reason"],
}


@pytest.mark.parametrize("name,columns", sorted(REQUIRED.items()))
def test_tables_have_their_columns(seed_tables, name, columns):
    df = pd.read_csv(seed_tables / f"{name}.csv", nrows=5)
    assert list(df.columns[:len(columns)]) == columns


def test_seed_tables_carry_the_expected_findings(seed_tables):
    t = tables.load_tables(seed_tables)
    assert len(t.documents) == 5
    assert (t.actors.groupby("doc_id").size() >= 5).all()
    assert "Zhu Feng" in set(t.quotes["speaker"])
    kinds = set(t.conflicts["kind"])
    assert {"date", "unit"} <= kinds
    assert ((t.claims["rate_pct"] == 30) & (t.claims["from_rate_pct"] == 145)).sum() == 2
    assert set(t.similarity["source_a"]) == set(t.documents["source"])


def test_csvs_are_byte_identical_across_runs(seed_corpus, seed_tables, tmp_path):
    again = tmp_path / "again"
    tables.build_tables(seed_corpus, again, cache_dir=tmp_path / "cache")
    names = sorted(p.name for p in seed_tables.glob("*.csv"))
    assert names == sorted(p.name for p in again.glob("*.csv"))
    _match, mismatch, errors = filecmp.cmpfiles(seed_tables, again, names, shallow=False)
    assert mismatch == [] and errors == []


def test_group_by_another_column(seed_corpus, tmp_path):
    built = tables.build_tables(seed_corpus, tmp_path, group_by="country", cache_dir=tmp_path / "cache")
    groups = set(built.tables["documents"]["group"])
    assert groups == {"CN", "US", "(none)"}
    assert set(built.tables["sources"]["source"]) == groups
    assert set(built.tables["source_tone"]["source"]) <= groups


def test_unknown_group_column_is_a_clear_error(seed_corpus, tmp_path):
    with pytest.raises(KeyError, match="no_such_column"):
        tables.build_tables(seed_corpus, tmp_path, group_by="no_such_column")


def test_formula_cells_are_neutralised(tmp_path):
    df = pd.DataFrame({"a": ["=HYPERLINK(\"http://x\")", "+1", "plain", "@SUM(A1)"], "n": [-1, 2, 3, 4]})
    tables.write_csv(df, tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv")
    assert list(back["a"]) == ["'=HYPERLINK(\"http://x\")", "'+1", "plain", "'@SUM(A1)"]
    assert list(back["n"]) == [-1, 2, 3, 4]


def test_load_tables_names_a_missing_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"store/documents\.parquet"):
        tables.load_tables(tmp_path)


def test_load_tables_reads_the_typed_store_not_the_csvs(tmp_path):
    """Values come back exactly as written (a formula-like name stays itself), whatever the CSV says."""
    names = ['=HYPERLINK("http://x")', "+1 News", "<b>Daily</b>", "-", "@home", "環球時報 🌏"]
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(names))], "group": names,
                         "words": range(len(names)), "published": ["2025-01-01", "", None, "x", "", ""]})
    tables.write_store({"documents": docs}, tmp_path)
    tables.export_csvs({"documents": docs}, tmp_path)
    (tmp_path / "documents.csv").write_text("garbage that must not be read\n", encoding="utf-8")
    t = tables.load_tables(tmp_path)
    assert list(t.documents["group"]) == names
    assert list(t.documents["words"]) == list(range(len(names)))
    assert t.documents["published"].iloc[1] == "" and pd.isna(t.documents["published"].iloc[2])
    assert t.names() == ["documents"]


@pytest.mark.parametrize("df", [
    pd.DataFrame(),
    pd.DataFrame(columns=["source", "term", "count", "zscore"]),
    pd.DataFrame({"mixed": [1, "a", None, 2.5], "n": [1, 2, 3, 4]}),
    pd.DataFrame({"flag": [True, False], "when": ["2025-01-01", None]}),
], ids=["no-columns", "empty-with-columns", "mixed-object", "bool-and-null"])
def test_store_accepts_empty_and_mixed_tables(df, tmp_path):
    tables.write_store({"x": df}, tmp_path)
    back = tables.RunTables(tmp_path).x
    assert list(back.columns) == list(df.columns) and len(back) == len(df)
    if "mixed" in df.columns:
        assert list(back["mixed"].iloc[:2]) == ["1", "a"] and pd.isna(back["mixed"].iloc[2])


def test_missing_table_is_named(tmp_path):
    tables.write_store({"documents": pd.DataFrame({"doc_id": ["a"]})}, tmp_path)
    with pytest.raises(FileNotFoundError, match="'claims'"):
        tables.load_tables(tmp_path).get("claims")


def test_sentence_table_for_exploration(seed_tables):
    s = pd.read_parquet(seed_tables / "sentences.parquet")
    assert list(s.columns) == ["doc_id", "source", "sentence_index", "text", "compound", "actors", "topics"]
    assert s.groupby("doc_id").size().min() >= 10
    assert s["actors"].str.contains("China").sum() > 10


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_csvs(seed_corpus, seed_tables, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    tables.build_tables(seed_corpus, out, cache_dir=tmp_path / "cache", jobs=2, dask="local")
    names = sorted(p.name for p in seed_tables.glob("*.csv"))
    _match, mismatch, errors = filecmp.cmpfiles(seed_tables, out, names, shallow=False)
    assert mismatch == [] and errors == []


def test_no_notebook_reads_a_csv():
    """Notebooks read the typed store (tables.load_tables); CSVs are exports for people."""
    import nbformat

    from analysis import config

    for path in config.REPORT_NOTEBOOKS.values():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert "read_csv" not in cell.source and ".csv" not in cell.source, path.name


def test_build_writes_the_store_and_the_exports(seed_tables):
    stored = sorted(p.stem for p in (seed_tables / tables.STORE_DIR).glob("*.parquet"))
    exported = sorted(p.stem for p in seed_tables.glob("*.csv"))
    assert stored == exported and "documents" in stored
    t = tables.load_tables(seed_tables)
    assert pd.api.types.is_integer_dtype(t.documents["words"])
    assert "text" not in t.documents.columns and "text" in t.get("documents", with_text=True).columns

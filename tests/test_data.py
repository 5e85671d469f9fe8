"""The default corpus is the seed articles, byte for byte, with a complete manifest."""

import csv
import hashlib

import pytest

from analysis import config

SEED_SHA256 = {
    "000_fc701a56f619515d.txt": "1ebaf8a8870b3c1fe349e062c367943fce19941f2677854f7e908286c429f978",
    "001_0ace5de719f6b055.txt": "007307c5d2ab99c507e8b59972ee28ec71559affac9e7821f1c661998b75d983",
    "002_d4348d7a07cf95d5.txt": "b506d6fce077bd578790d27920305b853423044a5455d54e76cdfa1686c4986d",
    "003_728add4e47ce624f.txt": "a4b8ee9121378ff753d0edaaea3c4b650c245110ae358404f548873d4c2c7c0e",
    "004_0d6ecf79f942dfcc.txt": "75b96403b76fdc334221afd252d1b682d04ce96cda9b96495a23be7730a453be",
}


@pytest.mark.parametrize("name,digest", sorted(SEED_SHA256.items()))
def test_seed_is_byte_for_byte(name, digest):
    assert hashlib.sha256((config.RAW_DIR / name).read_bytes()).hexdigest() == digest


def test_seed_matches_shared_copy_when_present():
    shared = config.PROJECT_ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds is not beside the checkout")
    for name in SEED_SHA256:
        assert (shared / name).read_bytes() == (config.RAW_DIR / name).read_bytes()


def test_manifest_columns_and_rows():
    with open(config.RAW_DIR / "manifest.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    required = {"file", "outlet", "published", "url", "author", "language", "country", "outlet_type"}
    assert required <= set(rows[0])
    assert {r["file"] for r in rows} == set(SEED_SHA256)
    dates = {r["file"][:3]: r["published"] for r in rows}
    assert dates == {"000": "2025-04-23", "001": "2025-03-31", "002": "2025-05-12", "003": "2025-07-09",
                     "004": "2025-10-11"}


def test_toutiao_date_follows_from_article_id():
    from datetime import datetime, timezone

    assert datetime.fromtimestamp(7496405460667007514 >> 32, tz=timezone.utc).date().isoformat() == "2025-04-23"

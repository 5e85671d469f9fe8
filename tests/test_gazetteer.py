"""The actor gazetteer: aliases, metonyms, demonyms, compounds and user extensions."""

from __future__ import annotations

import pytest

from analysis.gazetteer import Actor, Gazetteer, Mention, load_gazetteer


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(("text", "expected"), [
    ("Beijing will secure chip products", [("Beijing", "China", "metonym")]),
    ("a trip to Tokyo", [("Tokyo", "Japan", "metonym")]),
    ("Seoul's Foreign Ministry said", [("Seoul's Foreign Ministry", "South Korea Ministry of Foreign Affairs",
                                        "alias")]),
    ("the White House said", [("the White House", "White House", "alias")]),
    ("tariffs on Chinese imports", [("Chinese", "China", "adjective")]),
    ("Prime Minister Albanese criticized", [("Prime Minister Albanese", "Anthony Albanese", "alias")]),
    ("help us with this", []),  # lower-case "us" is not the United States
    ("Ottawa and Canberra", [("Ottawa", "Canada", "metonym"), ("Canberra", "Australia", "metonym")]),
])
def test_find(gaz, text, expected):
    got = [(m.text, m.actor.name, m.kind) for m in gaz.find(text)]
    assert got == expected


@pytest.mark.parametrize(("text", "split", "expected"), [
    ("the US-China trade war", False, ["China"]),
    ("the US-China trade war", True, ["United States", "China"]),
    ("a South Korea-Japan-China free trade agreement", True, ["South Korea", "Japan", "China"]),
    ("the Sino-US tariff war", True, ["China", "United States"]),
    ("a US-based company", True, []),
])
def test_find_compounds(gaz, text, split, expected):
    assert [m.actor.name for m in gaz.find(text, split_compounds=split)] == expected


def test_find_cjk_names_without_word_boundaries(gaz):
    hits = gaz.find("可以说, 石破茂这一阴一阳的做法")
    assert [m.actor.name for m in hits] == ["Shigeru Ishiba"]


@pytest.mark.parametrize(("name", "expected"), [
    ("Trump", "Donald Trump"), ("mr. xi", "Xi Jinping"), ("the Pentagon", "US Department of Defense"),
    ("The Global Times", "Global Times"), ("Nobody In Particular", None), ("", None),
])
def test_lookup(gaz, name, expected):
    hit = gaz.lookup(name)
    assert (hit.name if hit else None) == expected


def test_actors_carry_code_role_and_type(gaz):
    hu = gaz.lookup("Hu Xijin")
    assert (hu.code, hu.role, hu.actor_type) == ("CN", "state_media", "person")
    assert gaz.lookup("China").role == "government"
    assert isinstance(gaz.find("China")[0], Mention) and isinstance(hu, Actor)


def test_extension_file_adds_and_overrides(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "persons:\n  - name: Ana Ruiz\n    country: ES\n    role: academic\n    aliases: [Ana Ruiz, Dr. Ruiz]\n"
        "countries:\n  - name: Atlantis\n    code: AT\n    aliases: [Atlantis]\n    metonyms: [Poseidonia]\n"
        "    resolves_to: Atlantis\n",
        encoding="utf-8")
    gaz = load_gazetteer(extra)
    assert gaz.lookup("Dr. Ruiz").name == "Ana Ruiz"
    assert [m.actor.name for m in gaz.find("Poseidonia said")] == ["Atlantis"]
    assert gaz.lookup("Atlantis").resolves_to == "Atlantis"
    assert load_gazetteer().lookup("Ana Ruiz") is None


@pytest.mark.parametrize("body", [
    "villains:\n  - name: X\n",            # unknown section
    "persons:\n  - aliases: [X]\n",        # entry without a name
    "- just a list\n",                     # not a mapping
])
def test_bad_yaml_is_rejected(tmp_path, body):
    bad = tmp_path / "bad.yaml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError):
        load_gazetteer(bad)


def test_every_default_entry_is_well_formed(gaz):
    types = {"country", "person", "government_body", "media", "organisation", "bloc"}
    roles = {None, "government", "state_media", "academic", "industry", "media", "other"}
    for a in gaz.actors:
        assert a.actor_type in types, a
        assert a.role in roles, a
        assert a.code is None or len(a.code) == 2, a


def test_no_name_belongs_to_two_actors():
    """One mention must never count as two actors: every alias and every translated name is unique."""
    for g in (load_gazetteer(), load_gazetteer(i18n=True)):
        owner: dict[str, str] = {}
        clashes = []
        for a in g.actors:
            for name in {a.name, *a.aliases}:
                key = name.casefold()
                if owner.setdefault(key, a.name) != a.name:
                    clashes.append((name, owner[key], a.name))
        assert clashes == []


# Institutions, international bodies, companies and news agencies that real news names (invented lines).
@pytest.mark.parametrize(("text", "actor"), [
    ("the White House said on Monday", "White House"),
    ("the Commerce Department added firms to its list", "US Department of Commerce"),
    ("officers of CBP seized the shipment", "U.S. Customs and Border Protection"),
    ("the Bureau of Industry and Security issued a rule", "Bureau of Industry and Security"),
    ("BIS officials declined to comment", "Bureau of Industry and Security"),
    ("MOFCOM announced countermeasures", "China Ministry of Commerce"),
    ("data from the General Administration of Customs showed", "China General Administration of Customs"),
    ("leaders gathered at APEC in Gyeongju", "APEC"),
    ("a complaint at the WTO", "World Trade Organization"),
    ("finance ministers of the G20 met", "G20"),
    ("Nvidia said it would comply", "Nvidia"),
    ("the Dutch government took control of Nexperia", "Nexperia"),
    ("ByteDance would keep a minority stake", "ByteDance"),
    ("the Office of the United States Trade Representative said", "USTR"),
    ("the Department of Homeland Security published", "Department of Homeland Security"),
    ("the Supreme Court heard arguments", "Supreme Court"),
    ("Reuters reported", "Reuters"), ("Kyodo News reported", "Kyodo News"), ("VOA reported", "Voice of America"),
    ("a report by Agence France-Presse", "Agence France-Presse"),
    ("exports to Colombia and Panama", "Colombia"),
])
def test_institutions_bodies_companies_agencies(gaz, text, actor):
    assert actor in [m.actor.name for m in gaz.find(text)]


def test_curly_and_straight_apostrophes_match(gaz):
    assert gaz.lookup("People’s Republic of China").name == "China"
    assert [m.actor.name for m in gaz.find("the People’s Daily said")] == ["People's Daily"]

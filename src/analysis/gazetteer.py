"""The actor gazetteer: a user-extensible YAML list of actors with their aliases.

The default list lives in ``lexicons/actors.yaml``. Users extend it by passing more
YAML files (same shape) to :func:`load_gazetteer`, or by setting the environment
variable ``ANALYSIS_GAZETTEER`` to a path (several separated by ``os.pathsep``).

Names in other languages live in ``lexicons/actors_i18n.yaml``, keyed by canonical name;
``load_gazetteer(i18n=True)`` adds them to the entries as aliases, metonyms and adjectives.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import config

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

SECTION_TYPES = {
    "countries": "country",
    "government_bodies": "government_body",
    "persons": "person",
    "media": "media",
    "organisations": "organisation",
    "organizations": "organisation",
}


@dataclass(frozen=True)
class Actor:
    """An entry of the gazetteer."""

    name: str
    actor_type: str
    code: str | None = None
    """ISO 3166 alpha-2 code (countries) or the country an actor belongs to."""
    role: str | None = None
    """Speaker type when quoted: government, state_media, academic, industry, media, other."""
    aliases: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    resolves_to: str | None = None
    """Canonical name of another actor this entry's metonyms stand for (optional)."""
    gender: str | None = None
    """For persons, optional: "f" or "m", so that "she" and "he" resolve to a compatible person."""


@dataclass(frozen=True)
class Mention:
    """A span of text that names an actor."""

    start: int
    end: int
    text: str
    actor: Actor
    kind: str
    """How it names the actor: alias, metonym or adjective."""


@dataclass
class Gazetteer:
    """Actors with a compiled matcher over their aliases."""

    actors: list[Actor]
    _forms: dict[str, tuple[Actor, str]] = field(default_factory=dict, repr=False)
    _folded: dict[str, tuple[Actor, str]] = field(default_factory=dict, repr=False)
    _pattern: re.Pattern | None = field(default=None, repr=False)
    _left: re.Pattern | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for actor in self.actors:
            for kind, forms in (("alias", (actor.name, *actor.aliases)), ("metonym", actor.metonyms),
                                ("adjective", actor.adjectives)):
                for form in forms:
                    # Straight and curly apostrophes name the same actor ("People's" / "People’s").
                    for variant in dict.fromkeys((form, form.replace("'", "’"), form.replace("’", "'"))):
                        self._forms.setdefault(variant, (actor, kind))
                        self._folded.setdefault(variant.casefold(), (actor, kind))
        forms = sorted(self._forms, key=len, reverse=True)
        if forms:
            alts = "|".join(re.escape(f) for f in forms)
            # Names written in CJK characters have no word boundaries around them.
            cjk = "|".join(re.escape(f) for f in forms if _CJK.search(f))
            cjk_alt = f"|(?:{cjk})" if cjk else ""
            self._pattern = re.compile(rf"(?<![\w.])(?:{alts})(?![\w])(?!-\w){cjk_alt}")
            # The left part of a compound of names: "US" in "US-China", "South Korea" in "South Korea-Japan".
            self._left = re.compile(rf"(?<![\w.])(?:{alts})(?=-(?:{alts})(?![\w]))")

    def lookup(self, name: str) -> Actor | None:
        """The actor a name refers to (exact form first, then case-insensitive)."""
        name = name.strip()
        hit = self._forms.get(name) or self._folded.get(name.casefold())
        if hit is None and name.lower().startswith("the "):
            hit = self._forms.get(name[4:]) or self._folded.get(name[4:].casefold())
        return hit[0] if hit else None

    def by_name(self, name: str) -> Actor | None:
        """The actor with this canonical name."""
        return next((a for a in self.actors if a.name == name), None)

    def find(self, text: str, *, split_compounds: bool = False) -> list[Mention]:
        """Every non-overlapping mention of a gazetteer actor in a text, longest match first.

        Args:
            text: Any text.
            split_compounds: Also return the left parts of hyphenated compounds of names
                ("US" in "US-China", "Sino" in "Sino-US"); by default only the right part matches.
        """
        if self._pattern is None:
            return []
        out = []
        for m in self._pattern.finditer(text):
            actor, kind = self._forms[m.group()]
            out.append(Mention(m.start(), m.end(), m.group(), actor, kind))
        if split_compounds and self._left is not None:
            taken = [(m.start, m.end) for m in out]
            for m in self._left.finditer(text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                actor, kind = self._forms[m.group()]
                out.append(Mention(m.start(), m.end(), m.group(), actor, kind))
            out.sort(key=lambda x: x.start)
        return out


def _load_yaml(path: Path) -> list[Actor]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the gazetteer must be a mapping of sections to lists of actors")
    actors = []
    for section, entries in data.items():
        if section not in SECTION_TYPES:
            raise ValueError(f"{path}: unknown section {section!r}; expected one of {sorted(SECTION_TYPES)}")
        for entry in entries or []:
            if not isinstance(entry, dict) or not entry.get("name"):
                raise ValueError(f"{path}: every entry of {section!r} needs a name; got {entry!r}")
            actor_type = entry.get("type") or SECTION_TYPES[section]
            actors.append(Actor(
                name=str(entry["name"]),
                actor_type=str(actor_type),
                code=entry.get("code") or entry.get("country"),
                role=entry.get("role") or ("government" if actor_type == "country" else None),
                aliases=tuple(str(a) for a in entry.get("aliases") or ()),
                metonyms=tuple(str(a) for a in entry.get("metonyms") or ()),
                adjectives=tuple(str(a) for a in entry.get("adjectives") or ()),
                resolves_to=entry.get("resolves_to") or None,
                gender=str(entry["gender"]).lower()[:1] if entry.get("gender") else None,
            ))
    return actors


I18N_FILE = "actors_i18n.yaml"
I18N_KINDS = ("metonyms", "adjectives")


@lru_cache(maxsize=2)
def load_i18n_names(path: str | None = None) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """Names in other languages: canonical name -> kind (aliases, metonyms, adjectives) -> language -> names.

    The ``compounds`` section (abbreviations naming two actors, 中美) is returned under the key
    ``"compounds"`` as language -> form -> canonical names.

    Raises:
        ValueError: if the file is not a mapping of canonical names to mappings.
    """
    p = Path(path) if path else config.LEXICON_DIR / I18N_FILE
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a mapping of canonical actor names to names by language")
    out: dict = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{p}: entry {name!r} must map language codes to lists of names")
        if name == "compounds":
            out["compounds"] = {lang: {str(f): tuple(map(str, a)) for f, a in (forms or {}).items()}
                                for lang, forms in entry.items()}
            continue
        kinds: dict[str, dict[str, tuple[str, ...]]] = {"aliases": {}, "metonyms": {}, "adjectives": {}}
        for key, value in entry.items():
            if key in I18N_KINDS:
                kinds[key] = {lang: tuple(map(str, v or ())) for lang, v in (value or {}).items()}
            else:
                kinds["aliases"][str(key)] = tuple(map(str, value or ()))
        out[str(name)] = kinds
    return out


def _with_i18n(actors: list[Actor]) -> list[Actor]:
    import dataclasses

    names = load_i18n_names()
    out = []
    for a in actors:
        extra = names.get(a.name)
        if extra:
            more = {k: tuple(n for v in extra[k].values() for n in v) for k in ("aliases", "metonyms", "adjectives")}
            a = dataclasses.replace(a, aliases=a.aliases + more["aliases"], metonyms=a.metonyms + more["metonyms"],
                                    adjectives=a.adjectives + more["adjectives"])
        out.append(a)
    return out


@lru_cache(maxsize=8)
def _cached(paths: tuple[str, ...], i18n: bool = False) -> Gazetteer:
    actors: list[Actor] = []
    for p in paths:
        actors.extend(_load_yaml(Path(p)))
    # Later files override earlier entries of the same name.
    merged: dict[str, Actor] = {}
    for a in actors:
        merged[a.name] = a
    found = list(merged.values())
    return Gazetteer(_with_i18n(found) if i18n else found)


def load_gazetteer(*extra: Path | str, i18n: bool = False) -> Gazetteer:
    """The default gazetteer, extended by any extra YAML files (and ``ANALYSIS_GAZETTEER``).

    Args:
        extra: More gazetteer files (same shape as ``actors.yaml``).
        i18n: Also add the names in other languages of ``actors_i18n.yaml``.
    """
    paths = [config.LEXICON_DIR / "actors.yaml", *extra]
    env = os.environ.get("ANALYSIS_GAZETTEER")
    if env:
        paths.extend(p for p in env.split(os.pathsep) if p)
    return _cached(tuple(str(Path(p).resolve()) for p in paths), i18n)

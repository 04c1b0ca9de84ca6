"""Which alert/metric scopes a tweet counts in: `global`, airlines, topic tags, aspects.

Scope names are bounded (they become Prometheus label values and table keys) and depend on
the name only, so every worker and every restart names a tweet's scopes alike: configured
airlines and tags get their own scope; unknown ones fold into `max_other` buckets per kind,
`airline:other-07` (CRC-32 of the name), or `airline:other` when `max_other` is 0. Aspects
come from a keyword map matched on stemmed tokens of the cleaned text.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.preprocessing import clean_tweet

GLOBAL = "global"
DEFAULT_ASPECT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "baggage": ("baggage", "luggage", "bag", "suitcase", "carousel"),
    "delay": ("delay", "delayed", "late", "waiting", "stuck", "tarmac", "hours"),
    "cancellation": ("cancel", "cancelled", "canceled", "cancellation", "rebook", "rebooked"),
    "service": ("service", "staff", "crew", "attendant", "agent", "rude", "helpful", "support"),
    "price": ("price", "fare", "fee", "expensive", "cheap", "cost", "refund", "overcharged"),
    "comfort": ("seat", "legroom", "food", "meal", "wifi", "entertainment", "cramped"),
}

_MENTION = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,50})")
_WORD = re.compile(r"[a-z]+")
_NAME = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from nltk.stem.snowball import SnowballStemmer  # lazy: NLTK is slow to import

    return SnowballStemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball stem, so `cancelled`, `canceled` and `cancel` match one keyword."""
    stemmed: str = _stemmer().stem(word)
    return stemmed


def normalise_name(name: str) -> str:
    """`@Air_Paradis` / `#AirParadis` / `airparadis` -> `airparadis`."""
    return _NAME.sub("", name.lower())


class ScopeSettings(BaseModel):
    """`Settings.scopes`, read from `AIRPARADIS_SCOPE_<FIELD>`; `ScopeConfig.of` indexes it."""

    model_config = ConfigDict(frozen=True)

    known_airlines: tuple[str, ...] = ("airparadis",)
    known_tags: tuple[str, ...] = ()
    max_other: int = Field(20, ge=0)  # hash buckets for unknown airlines (and tags)
    aspect_keywords: dict[str, tuple[str, ...]] | None = None  # None: DEFAULT_ASPECT_KEYWORDS


@dataclass(frozen=True)
class ScopeConfig:
    known_airlines: frozenset[str]
    known_tags: frozenset[str]
    max_other: int
    aspect_by_stem: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: ScopeSettings) -> ScopeConfig:
        keywords = settings.aspect_keywords
        return cls(
            known_airlines=frozenset(normalise_name(a) for a in settings.known_airlines),
            known_tags=frozenset(normalise_name(t) for t in settings.known_tags),
            max_other=settings.max_other,
            aspect_by_stem=_aspect_index(DEFAULT_ASPECT_KEYWORDS if keywords is None else keywords),
        )


def _aspect_index(keywords: Mapping[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for aspect, words in keywords.items():
        if not re.fullmatch(r"[a-z_]+", aspect):
            raise ValueError(f"aspect keywords: aspect name {aspect!r} must be [a-z_]+")
        for word in words:
            index.setdefault(stem(word.lower()), aspect)
    return index


@dataclass(frozen=True)
class FoundScopes:
    """What one tweet names (airlines, tags) and talks about (aspects), before bounding."""

    entities: tuple[tuple[str, str], ...]  # (kind, normalised name)
    aspects: tuple[str, ...]


def find_scopes(text: str, tags: Sequence[str], config: ScopeConfig) -> FoundScopes:
    """The costly, stateless half of `scopes_for` (regexes, cleaning, stemming)."""
    if not isinstance(text, str):
        raise ValueError(f"text: must be a string, got {type(text).__name__}")
    if isinstance(tags, str) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"tags: must be a list of strings, got {tags!r}")
    return FoundScopes(tuple(_named_entities(text, tags, config)), tuple(aspects_of(text, config)))


def bound_scopes(found: FoundScopes, config: ScopeConfig) -> list[str]:
    """Scope names, `global` first; unknown names fold into their hash bucket."""
    scopes = [GLOBAL]
    for kind, name in found.entities:
        scope = _bounded(kind, name, config)
        if scope not in scopes:
            scopes.append(scope)
    scopes += [f"aspect:{aspect}" for aspect in found.aspects]
    return scopes


def scopes_for(text: str, tags: Sequence[str], config: ScopeConfig) -> list[str]:
    """Scopes of one tweet (`find_scopes` then `bound_scopes`)."""
    return bound_scopes(find_scopes(text, tags, config), config)


def _named_entities(text: str, tags: Sequence[str], config: ScopeConfig) -> list[tuple[str, str]]:
    """(kind, name) from record tags (`airline:x`, `tag:x`, `topic:x` or bare `x`),
    @mentions (airlines) and #hashtags (airlines when known, else topic tags)."""
    entities: list[tuple[str, str]] = []
    for tag in tags:
        kind, _, name = tag.rpartition(":")
        entities.append(_classify(kind or "tag", normalise_name(name), config))
    entities += [("airline", normalise_name(m)) for m in _MENTION.findall(text)]
    entities += [_classify("tag", normalise_name(h), config) for h in _HASHTAG.findall(text)]
    return [(kind, name) for kind, name in entities if name]


def _classify(kind: str, name: str, config: ScopeConfig) -> tuple[str, str]:
    if kind == "airline" or name in config.known_airlines:
        return "airline", name
    return "tag", name


def _bounded(kind: str, name: str, config: ScopeConfig) -> str:
    known = config.known_airlines if kind == "airline" else config.known_tags
    if name in known:
        return f"{kind}:{name}"
    if config.max_other == 0:
        return f"{kind}:other"
    return f"{kind}:other-{zlib.crc32(name.encode()) % config.max_other:02d}"


def aspects_of(text: str, config: ScopeConfig) -> list[str]:
    """Aspects whose keywords appear (stemmed) in the cleaned text, in order of appearance."""
    found: list[str] = []
    for word in _WORD.findall(clean_tweet(text)):
        aspect = config.aspect_by_stem.get(stem(word))
        if aspect and aspect not in found:
            found.append(aspect)
    return found

"""Which alert/metric scopes a tweet counts in: `global`, airlines, topic tags, aspects.

Scope names are bounded (they become Prometheus label values and table keys) and depend on
the name only, so every worker and every restart names a tweet's scopes alike: configured
airlines and tags get their own scope; unknown ones fold into `max_other` buckets per kind,
`airline:other-07` (CRC-32 of the name), or `airline:other` when `max_other` is 0. Aspects
come from a keyword map matched on stemmed words. Mentions, hashtags and words are read by
`models.preprocessing.tweet_terms`, with the patterns the model's cleaning uses.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.preprocessing import tweet_terms

GLOBAL = "global"
DEFAULT_ASPECT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "baggage": ("baggage", "luggage", "bag", "suitcase", "carousel"),
    "delay": ("delay", "delayed", "late", "waiting", "stuck", "tarmac", "hours"),
    "cancellation": ("cancel", "cancelled", "canceled", "cancellation", "rebook", "rebooked"),
    "service": ("service", "staff", "crew", "attendant", "agent", "rude", "helpful", "support"),
    "price": ("price", "fare", "fee", "expensive", "cheap", "cost", "refund", "overcharged"),
    "comfort": ("seat", "legroom", "food", "meal", "wifi", "entertainment", "cramped"),
}

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
    """The costly, stateless half of `scopes_for` (one pass over the text, stemming)."""
    if not isinstance(text, str):
        raise ValueError(f"text: must be a string, got {type(text).__name__}")
    if isinstance(tags, str) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"tags: must be a list of strings, got {tags!r}")
    terms = tweet_terms(text)
    entities = _named_entities(terms.entities, tags, config)
    return FoundScopes(tuple(entities), tuple(_aspects(terms.words, config)))


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


def _named_entities(
    found: Sequence[str], tags: Sequence[str], config: ScopeConfig
) -> list[tuple[str, str]]:
    """(kind, name) from record tags (`airline:x`, `tag:x`, `topic:x`, `@x`, `#x` or bare
    `x`), then the text's @mentions and #hashtags (`found`, as `tweet_terms` gives them).
    A mention names an airline; a hashtag, an airline when known, else a topic tag."""
    entities: list[tuple[str, str]] = []
    for tag in tags:
        kind, _, name = tag.rpartition(":")
        entities.append(_classify(kind or _kind_of(name), normalise_name(name), config))
    mentions = [name for name in found if name.startswith("@")]
    hashtags = [name for name in found if not name.startswith("@")]
    entities += [("airline", normalise_name(m)) for m in mentions]
    entities += [_classify("tag", normalise_name(h), config) for h in hashtags]
    return [(kind, name) for kind, name in entities if name]


def _kind_of(tag: str) -> str:
    """A bare record tag: `@x` (a mention, as `tags_of` writes it) is an airline."""
    return "airline" if tag.startswith("@") else "tag"


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
    """Aspects whose keywords appear (stemmed) in the text, in order of appearance."""
    return _aspects(tweet_terms(text).words, config)


def _aspects(words: Sequence[str], config: ScopeConfig) -> list[str]:
    found: list[str] = []
    for word in words:
        aspect = config.aspect_by_stem.get(stem(word))
        if aspect and aspect not in found:
            found.append(aspect)
    return found

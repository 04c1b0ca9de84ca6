"""Tweet cleaning and tokenization, written once and used by training and by the stream.

`clean_tweet` is pure and needs no data. `Preprocessor` adds NLTK's TweetTokenizer and the
optional WordNet lemmatization / stopword removal; its config travels with every model.
`tweet_terms` reads a tweet's @mentions, #hashtags and plain words with the same patterns,
for the stream's scopes (the model cleans each tweet once; scopes do not clean it again).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

URL_TOKEN = "<url>"
USER_TOKEN = "<user>"
NUMBER_TOKEN = "<num>"
# NLTK runs each tokenizer regex under a wall-clock timeout (a backstop against patterns
# that backtrack super-linearly on long inputs), a large share of its cost. Texts up to
# this length use the same compiled patterns without it: same tokens (docs/stream.md).
UNTIMED_MAX_CHARS = 1_000
# NLTK's URL and domain patterns scan a run of non-space characters once per start
# position: quadratic in the run's length. Longer runs are cut with a space before
# tokenizing (docs/stream.md, the tokenizer).
MAX_RUN_CHARS = 32
NEGATIONS = frozenset(
    {"not", "no", "nor", "never", "none", "nobody", "nothing", "neither", "cannot"}
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A mention or hashtag starts after neither a word character nor another @ or # (so
# `a@b.com`, `@#x` and `#@x` are none); a mention's name is cut at 30 characters.
_ENTITY_START = r"(?<![\w@#])"
MENTION = re.compile(rf"{_ENTITY_START}@(\w{{1,30}})")
HASHTAG = re.compile(rf"{_ENTITY_START}#(\w+)")
_ENTITY = re.compile(rf"{MENTION.pattern}|{HASHTAG.pattern}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ELONGATION = re.compile(r"(\w)\1{2,}")
_NUMBER = re.compile(r"(?<![\w<])\d+(?:[.,:]\d+)*(?![\w>])")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_LETTERS = re.compile(r"[a-z]+")
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS}}}(?=\S)")

# Emoticons and emojis become words the model has seen: Sentiment140 had its emoticons
# stripped, so a bare "😡" would be out of vocabulary while "angry" is not.
_EMOTICONS = {
    ":)": "smile",
    ":-)": "smile",
    ":d": "laugh",
    ":-d": "laugh",
    ";)": "wink",
    ";-)": "wink",
    ":p": "playful",
    "<3": "love",
    ":(": "sad",
    ":-(": "sad",
    ":'(": "cry",
    ":/": "annoyed",
    ":-/": "annoyed",
    ":@": "angry",
    "d:": "sad",
    "xd": "laugh",
}
_EMOJIS = {
    "😀": "smile",
    "😃": "smile",
    "😄": "smile",
    "😁": "smile",
    "😊": "smile",
    "🙂": "smile",
    "😂": "laugh",
    "🤣": "laugh",
    "😍": "love",
    "🥰": "love",
    "😘": "love",
    "❤": "love",
    "❤️": "love",
    "💕": "love",
    "👍": "good",
    "👏": "great",
    "🙏": "thanks",
    "🎉": "celebrate",
    "✈️": "plane",
    "✈": "plane",
    "😢": "sad",
    "😭": "cry",
    "😞": "sad",
    "😔": "sad",
    "☹": "sad",
    "🙁": "sad",
    "😡": "angry",
    "😠": "angry",
    "🤬": "angry",
    "👎": "bad",
    "😤": "annoyed",
    "😒": "annoyed",
    "🙄": "annoyed",
    "😩": "tired",
    "😫": "tired",
    "💔": "heartbroken",
    "🤮": "disgusting",
    "🤢": "sick",
    "😱": "shocked",
    "😴": "sleepy",
}
# Every other emoji becomes the words of its Unicode name, less the words that only say it
# is a picture: "🥳" -> "partying", "💙" -> "blue heart". Flags, skin tones and joiners say
# nothing of sentiment and become nothing.
_PICTOGRAPHS = "\u200d\ufe0e\ufe0f\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_SILENT = re.compile("[\u200d\ufe0e\ufe0f\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff]")
_NAME_FILLERS = frozenset(
    {"a", "and", "black", "face", "heavy", "large", "medium", "of", "sign", "small"}
    | {"squared", "symbol", "the", "white", "with"}
)
MAX_EMOJI_NAME_WORDS = 4
# Emojis named per tweet; later ones become spaces, so that a tweet of emojis cannot grow
# tens of times longer on its way to the tokenizer.
MAX_NAMED_EMOJIS = 50
_EMOJI_RE = re.compile(
    "|".join(re.escape(e) for e in sorted(_EMOJIS, key=len, reverse=True)) + f"|[{_PICTOGRAPHS}]"
)


@lru_cache(maxsize=4096)
def emoji_words(emoji: str) -> str:
    """The word(s) one emoji (or joiner, flag letter, skin tone) stands for; "" for none."""
    if emoji in _EMOJIS:
        return _EMOJIS[emoji]
    if _SILENT.fullmatch(emoji):
        return ""
    name = unicodedata.name(emoji, "").lower()
    words = [w for w in re.split(r"[\s-]+", name) if w and w not in _NAME_FILLERS]
    return " ".join(words[:MAX_EMOJI_NAME_WORDS])


def _name_emojis(text: str) -> str:
    named = 0

    def words(match: re.Match[str]) -> str:
        nonlocal named
        named += 1
        return f" {emoji_words(match.group(0))} " if named <= MAX_NAMED_EMOJIS else " "

    return _EMOJI_RE.sub(words, text)


def _replace_urls(text: str, replacement: str) -> str:
    lower = text.lower()  # _URL ignores case; no other letter folds to h, t, p or w
    return _URL.sub(replacement, text) if "http" in lower or "www." in lower else text


def _split_hashtag(match: re.Match[str]) -> str:
    return _CAMEL.sub(" ", match.group(1))


def clean_tweet(text: str) -> str:
    """Normalise one tweet: entities, URLs, mentions, hashtags, emojis, elongations, case.
    A pattern runs only on a text holding what it needs to match (most tweets have no URL,
    emoji or number): the same output, in half the time."""
    text = _replace_urls(html.unescape(text), f" {URL_TOKEN} ")
    if "@" in text:
        text = MENTION.sub(f" {USER_TOKEN} ", text)
    if "#" in text:
        text = HASHTAG.sub(_split_hashtag, text)
    if not text.isascii():
        text = _name_emojis(text)
    text = _ELONGATION.sub(r"\1\1", text.lower())
    if _DIGIT.search(text):
        text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class TweetTerms:
    """What a tweet names and says, read as `clean_tweet` reads it (URLs skipped)."""

    entities: tuple[str, ...]  # "@Name" / "#Name" in order of appearance, case kept
    words: tuple[str, ...]  # lower-case letter runs, hashtags split, no mention or URL


def tweet_terms(text: str) -> TweetTerms:
    """@mentions, #hashtags and plain words: the words are `clean_tweet`'s letter runs less
    its placeholders (`<user>`, `<url>`, `<num>`) and emoji names."""
    entities: list[str] = []

    def plain(match: re.Match[str]) -> str:
        mention, hashtag = match.groups()
        if mention is not None:
            entities.append(f"@{mention}")
            return " "
        entities.append(f"#{hashtag}")
        return _CAMEL.sub(" ", hashtag)

    rest = _replace_urls(html.unescape(text), " ")
    if "@" in rest or "#" in rest:
        rest = _ENTITY.sub(plain, rest)
    words = _LETTERS.findall(_ELONGATION.sub(r"\1\1", rest.lower()))
    return TweetTerms(tuple(entities), tuple(words))


class MissingNltkData(RuntimeError):
    """An NLTK package is not installed where NLTK looks for it."""


def _nltk_resource(path: str, package: str) -> None:
    import nltk

    for candidate in (path, f"{path}.zip"):  # NLTK reads packages zipped or unzipped
        try:
            nltk.data.find(candidate)
            return
        except LookupError:
            pass
    raise MissingNltkData(
        f"NLTK package '{package}' not found (looked in {nltk.data.path}). "
        f"Set NLTK_DATA to a folder holding it, or run: python -m nltk.downloader {package}"
    )


@dataclass(frozen=True)
class PreprocessConfig:
    lemmatize: bool = False
    remove_stopwords: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreprocessConfig:
        return cls(**data)


class Preprocessor:
    """clean_tweet + TweetTokenizer (+ optional lemmas / stopwords), configured per model."""

    def __init__(self, config: PreprocessConfig | None = None) -> None:
        from nltk.tokenize import TweetTokenizer

        self.config = config or PreprocessConfig()
        self._tokenizer = TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)
        self._untimed = _untimed_tokenize(self._tokenizer)
        self._stopwords: frozenset[str] = frozenset()
        self._lemma = _identity
        self._last_batch: tuple[list[str], list[list[str]]] = ([], [])
        if self.config.remove_stopwords:
            self._stopwords = _load_stopwords()
        if self.config.lemmatize:
            self._lemma = _load_lemmatizer()

    def tokenize(self, text: str) -> list[str]:
        text = clean_tweet(text)
        if len(text) > MAX_RUN_CHARS:
            text = _LONG_RUN.sub(r"\g<0> ", text)
        if self._untimed is not None and len(text) <= UNTIMED_MAX_CHARS:
            tokens = self._untimed(text)
        else:
            tokens = self._tokenizer.tokenize(text)
        tokens = [_EMOTICONS.get(tok, tok) for tok in tokens]
        if self._stopwords:
            tokens = [tok for tok in tokens if tok not in self._stopwords]
        return [self._lemma(tok) for tok in tokens]

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokenize(text) for text in texts]

    def tokenize_batch(self, texts: Iterable[str]) -> list[list[str]]:
        """`tokenize_many` remembering the last batch: the models that share this
        preprocessor (`shared_preprocessor`: an ensemble's members) tokenize a served batch
        once, and its OOV rate after its scores costs nothing. Read the tokens, never
        change them."""
        batch = list(texts)
        last_texts, last_tokens = self._last_batch  # one read: another thread may replace it
        if batch == last_texts:
            return last_tokens
        tokens = self.tokenize_many(batch)
        self._last_batch = (batch, tokens)
        return tokens


@lru_cache(maxsize=8)
def shared_preprocessor(config: PreprocessConfig) -> Preprocessor:
    """One preprocessor per config in a process, so models with the same config share
    `tokenize_batch`'s last batch."""
    return Preprocessor(config)


def _untimed_tokenize(tokenizer: Any) -> Callable[[str], list[str]] | None:
    """`tokenizer.tokenize` (preserve_case, no reduce_len, no strip_handles) on NLTK's own
    compiled patterns, without their timeout; None if this NLTK lays them out otherwise."""
    from nltk.tokenize import casual

    try:
        timed = tokenizer.PHONE_WORD_RE if tokenizer.match_phone_numbers else tokenizer.WORD_RE
        words, hang = timed._rx, casual.HANG_RE._rx
        unescape = casual._replace_html_entities
    except AttributeError:
        return None

    def tokenize(text: str) -> list[str]:
        found: list[str] = words.findall(hang.sub(r"\1\1\1", unescape(text)))
        return found

    return tokenize


def _identity(token: str) -> str:
    return token


def _load_stopwords() -> frozenset[str]:
    _nltk_resource("corpora/stopwords", "stopwords")
    from nltk.corpus import stopwords

    words = set(stopwords.words("english"))
    negative = {w for w in words if w.endswith("n't") or (w.endswith("n") and w + "'t" in words)}
    return frozenset(words - NEGATIONS - negative - {"but", "very", "too"})


def _load_lemmatizer() -> Any:
    _nltk_resource("corpora/wordnet", "wordnet")
    from nltk.stem import WordNetLemmatizer

    lemmatizer = WordNetLemmatizer()
    lemmatizer.lemmatize("warmup")  # loads WordNet now, not on the first tweet

    @lru_cache(maxsize=200_000)
    def lemma(token: str) -> str:
        return lemmatizer.lemmatize(token) if token.isalpha() else token

    return lemma

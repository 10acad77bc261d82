"""Word segmentation with jieba, so lexicon terms match whole words and never raw substrings
(大麻 must not hit 大麻烦). Each lexicon set gets its own private `jieba.Tokenizer` with every
term loaded as a user word; jieba's global tokenizer is never touched."""

from __future__ import annotations

import logging
import threading
import warnings

from .lexicon import LexiconSet

_CACHE: dict[str, "Segmenter"] = {}
_LOCK = threading.Lock()


class Segmenter:
    def __init__(self, words: list[str]):
        with warnings.catch_warnings():  # jieba 0.42 imports the deprecated pkg_resources
            warnings.simplefilter("ignore")
            import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" chatter
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for word in words:
            self._tokenizer.add_word(word)

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) for every token; the tokens tile `text` exactly."""
        return list(self._tokenizer.tokenize(text, HMM=True))

    def boundaries(self, text: str) -> frozenset[int]:
        """Offsets in `text` where a token starts or ends."""
        return frozenset(b for _, start, end in self._tokenizer.tokenize(text, HMM=True) for b in (start, end))


def segmenter_for(lexicons: LexiconSet) -> Segmenter:
    """One tokenizer per lexicon content (keyed by its SHA-256), built on first use."""
    key = lexicons.info.sha256
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Segmenter(lexicons.words())
        return _CACHE[key]

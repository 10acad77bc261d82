"""The private jieba tokenizer: lexicon words as user words, exact offsets, no global state."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.lexicon import default_lexicons
from analyzer.segment import segmenter_for


def test_one_tokenizer_per_lexicon_set():
    assert segmenter_for(default_lexicons()) is segmenter_for(default_lexicons())


def test_lexicon_words_are_single_tokens():
    seg = segmenter_for(default_lexicons())
    words = [w for w, _, _ in seg.tokenize("你这个费物还不还钱")]
    assert "费物" in words  # an ASR slip loaded as a user word


def test_tokens_carry_offsets_into_the_text():
    seg = segmenter_for(default_lexicons())
    text = "我们会给你的家人打电话，垃圾短信"
    tokens = seg.tokenize(text)
    assert all(text[start:end] == word for word, start, end in tokens)
    assert "".join(w for w, _, _ in tokens) == text
    assert seg.boundaries(text) == {b for _, s, e in tokens for b in (s, e)}


def test_global_jieba_tokenizer_untouched():
    import jieba

    segmenter_for(default_lexicons())
    assert "费物" not in jieba.dt.FREQ or not jieba.dt.FREQ["费物"]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_tokens_tile_any_text(text):
    tokens = segmenter_for(default_lexicons()).tokenize(text)
    assert "".join(w for w, _, _ in tokens) == text

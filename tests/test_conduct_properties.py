"""Property tests: any text, however odd, gives spans that are in range and quote the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.detect.conduct import detect_conduct
from analyzer.lexicon import default_lexicons
from analyzer.normalize import normalize

LEX = default_lexicons()
# Fragments that reach every context rule, so random mixes exercise more than the no-match path.
FRAGMENTS = sorted(LEX.words())[::3] + [
    "你", "您", "我", "他说", "不会", "请不要", "是不是", "？", "。", "，", "“", "”", "依法", "打断你的腿",
    "去你家", "给你的家人打电话", "我们是法院的", "坐牢", "廢物", "Ｘ", "\u3000", "\n", "😀", "\u0301",
]


def check(text: str) -> None:
    findings, suppressed = detect_conduct(normalize(text), LEX)
    for item in (*findings, *suppressed):
        assert 0 <= item.start < item.end <= len(text)
        assert item.quote == text[item.start : item.end]
    for f in findings:
        assert 0 < f.confidence <= 1 and f.severity in ("high", "medium", "low")
        assert f.category in LEX.categories


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_unicode_text(text):
    check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=25).map("".join))
def test_lexicon_heavy_text(text):
    check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=25).map("".join))
def test_first_character_prefilter_loses_no_pattern_match(text):
    """Patterns run only on texts holding a character their matches can start with; running
    every pattern must find nothing more."""
    from analyzer.detect.conduct import _matcher_for

    matcher = _matcher_for(LEX)
    fast = {(c.start, c.end, c.matched) for c in matcher.candidates(text) if c.kind == "pattern"}
    every = {(m.start(), m.end(), p.pattern) for p, *_ in matcher.patterns for m in p.finditer(text) if m.end() > m.start()}
    assert fast == every


def test_patterns_have_no_catastrophic_backtracking():
    """Repeated lexicon words (爸爸爸爸..., 名字和名字和...) must not make any pattern hang: run
    every pattern on such texts in a child process with a time limit."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    code = textwrap.dedent(
        """
        import re
        from analyzer.detect.conduct import _matcher_for
        from analyzer.lexicon import default_lexicons
        for pattern, *_ in _matcher_for(default_lexicons()).patterns:
            for word in re.findall("[\\u4e00-\\u9fff]+", pattern.pattern)[:40]:
                for text in [p + word * 30 + "X" for p in ("你的", "给你的", "把你的")] + ["给你的" + (word + "和") * 20]:
                    pattern.search(text)
        """
    )
    repo = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=repo, timeout=60, check=True)

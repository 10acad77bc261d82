"""Segments cut along their words: at speaker changes and at long pauses, raw text cut alike."""

from __future__ import annotations

from analyzer.resegment import split_at_pauses, split_by
from analyzer.types import ModelInfo, Segment, Transcript, Word


def segment(words: list[tuple[float, str]], raw: str | None = None) -> Segment:
    text = "".join(t for _, t in words)
    ws = tuple(Word(start=t, end=t + 0.4, text=s, probability=0.9) for t, s in words)
    return Segment(id=7, start=ws[0].start, end=ws[-1].end, text=text, raw_text=raw or text, words=ws, avg_logprob=-0.3)


def test_split_cuts_a_segment_where_the_speaker_changes():
    seg = segment(
        [(0.0, "你欠"), (0.5, "钱,"), (1.0, "对不起,"), (1.5, "我"), (2.0, "还。")], raw="你欠錢,對不起,我還。"
    )
    pieces = split_by(seg, lambda w: 0 if w.start < 0.9 else 1)
    assert [(p.text, p.raw_text, p.speaker, p.start, p.end) for p in pieces] == [
        ("你欠钱,", "你欠錢,", "0", 0.0, 0.9), ("对不起,我还。", "對不起,我還。", "1", 1.0, 2.4)]  # fmt: skip
    assert all(p.avg_logprob == -0.3 for p in pieces) and [len(p.words) for p in pieces] == [2, 3]


def test_segment_of_one_speaker_is_kept_whole():
    seg = segment([(0.0, "好,"), (0.5, "谢谢。")])
    assert split_by(seg, lambda w: 1) == [Segment(**{**seg.__dict__, "speaker": "1"})]


def test_long_pauses_start_new_segments_renumbered_in_order():
    first = segment([(0.0, "你欠"), (0.5, "钱,"), (3.0, "什么时候"), (3.5, "还?")])
    second = segment([(5.0, "明天")])
    out = split_at_pauses(Transcript((first, second), "zh", ModelInfo("m", None), {}))
    assert [(s.id, s.text, s.start, s.end) for s in out.segments] == [
        (0, "你欠钱,", 0.0, 0.9), (1, "什么时候还?", 3.0, 3.9), (2, "明天", 5.0, 5.4)]  # fmt: skip

"""Hand-built CallRecords for the report tests (the pipeline is exercised by the browser test).

Imported explicitly by tests/test_report_*.py; not a pytest conftest, so it stays out of the
shared fixtures."""

from __future__ import annotations

from decimal import Decimal

from analyzer.types import (
    Amount,
    AudioInfo,
    CallInfo,
    CallRecord,
    DateMention,
    Finding,
    LexiconInfo,
    ModelInfo,
    Segment,
    Transcript,
    Word,
)

HOSTILE_NAME = "<img src=x onerror=alert(1)>.wav"
HOSTILE_TEXT = "<script>alert(1)</script> --> =HYPERLINK(\"http://evil\") & \u2028 | *x* [a](b)"


def finding(category, seg, start, end, text, *, severity="high", role="collector", t=None, **extra) -> Finding:
    return Finding(
        category=category,
        severity=severity,
        start=start,
        end=end,
        quote=text[start:end],
        matched=text[start:end],
        rule_id=f"{category}/test",
        basis=(f"basis line for {category}",),
        explanation=extra.pop("explanation", "matched lexicon entry"),
        confidence=extra.pop("confidence", 0.9),
        segment_id=seg.id if seg is not None else None,
        t_start=t if t is not None else (seg.start if seg is not None else None),
        t_end=(seg.end if seg is not None else None),
        speaker=seg.speaker if seg is not None else "unknown",
        role=role,
        **extra,
    )


def make_record(path="sub/call2.wav", texts=None, *, hostile=False) -> CallRecord:
    """A small call: threat, insult (overlapping), borrower-side flag, a metadata flag,
    an amount, a deadline, one low-confidence and one suspect segment."""
    texts = texts or [
        "你好，我是催收公司的，你欠的五千块今天必须还。",
        "再不还钱我就弄死你，你这个废物。",
        "你们再骂我，我就报警。",
        "嗯嗯嗯嗯嗯嗯嗯嗯嗯嗯",
    ]
    segments = tuple(
        Segment(
            id=i,
            start=i * 5.0 + 0.5,
            end=i * 5.0 + 4.5,
            text=text,
            raw_text=text,
            words=(Word(i * 5.0 + 0.5, i * 5.0 + 1.0, text[:2], 0.3 if i == 2 else 0.9),),
            avg_logprob=-1.4 if i == 1 else -0.2,
            suspect="repetition loop" if i == 3 else None,
            channel=i % 2,
            speaker=f"S{i % 2}",
            role="borrower" if i == 2 else "collector",
        )
        for i, text in enumerate(texts)
    )
    s0, s1, s2 = segments[0], segments[1], segments[2]
    findings = (
        finding("violent_threat", s1, 5, 10, s1.text, t=s1.start + 1.0),
        finding("insult", s1, 9, 15, s1.text, severity="medium", t=s1.start + 2.0),
        finding("intimidation", s2, 6, 8, s2.text, severity="medium", role="borrower"),
        Finding(
            category="prohibited_hours", severity="medium", start=0, end=0, quote="", matched="23:10",
            rule_id="callinfo/prohibited_hours", basis=("industry guideline 08:00-21:00",),
            explanation="call at 23:10",
        ),
    )
    five = s0.text.index("五千块")
    record = CallRecord(
        source=AudioInfo(path=path, size=12345, sha256="ab" * 32, duration_s=20.0, sample_rate=8000, channels=1, format="WAV"),
        call=CallInfo(start_time="2024-05-08T23:10:00+08:00", start_time_source="filename", number="13800138000", number_source="filename"),
        transcript=Transcript(
            segments=segments,
            language="zh",
            model=ModelInfo(name="whisper-base (embedded)", sha256="cd" * 32),
            settings={"beam_size": 5, "language": "zh"},
        ),
        lexicon=LexiconInfo(version="2024.1", sha256="ef" * 32),
        findings=findings,
        amounts=(Amount(start=five, end=five + 3, quote="五千块", value=Decimal(5000), segment_id=0, t_start=1.0, t_end=2.0),),
        dates=(DateMention(start=five + 3, end=five + 5, quote="今天", kind="deadline", value="2024-05-08", resolved=True, segment_id=0, t_start=2.0, t_end=2.5),),
        tool_version="0.1.0",
        analysed_at="2024-05-09T10:00:00+00:00",
        timings={"transcribe_s": 2.0, "detect_s": 0.1},
    )
    if not hostile:
        return record
    from dataclasses import replace

    bad = tuple(replace(s, text=HOSTILE_TEXT + s.text, speaker=HOSTILE_TEXT) for s in segments)
    shift = len(HOSTILE_TEXT)
    return replace(
        record,
        source=replace(record.source, path=HOSTILE_NAME, format=HOSTILE_TEXT),
        call=replace(record.call, number="=HYPERLINK(\"http://evil\")", number_source=HOSTILE_TEXT),
        transcript=replace(record.transcript, segments=bad),
        findings=tuple(
            replace(f, quote=HOSTILE_TEXT, explanation=HOSTILE_TEXT, basis=(HOSTILE_TEXT,),
                    start=f.start + shift if f.segment_id is not None else 0, end=f.end + shift if f.segment_id is not None else 0)
            for f in record.findings
        ),
        amounts=tuple(replace(a, quote=HOSTILE_TEXT) for a in record.amounts),
        dates=tuple(replace(d, quote="-->" + HOSTILE_TEXT) for d in record.dates),
    )

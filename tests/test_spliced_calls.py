"""Acceptance on the shared spliced calls (real human voices, real Whisper, the whole pipeline).

The expectations below name, per call, which manifest sentences (by index) hold a violation and of
which kind; the sentence texts and timings themselves are read from ../shared at run time.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analyzer.pipeline import AnalyzeOptions, analyze_file

# sentence index -> the violations in it; each violation is satisfied by a flag of any listed category
VIOLATIONS = {
    "call2_threats_insults.wav": {
        1: [{"insult"}],
        3: [{"intimidation", "third_party_contact"}],
        4: [{"intimidation"}],
        5: [{"violent_threat"}],
        6: [{"insult"}, {"violent_threat", "intimidation"}],
        7: [{"insult"}],
    },
    "call3_court_police_contacts.wav": {
        0: [{"impersonation"}],
        3: [{"false_legal_claim", "impersonation"}],
        4: [{"third_party_contact"}],
        5: [{"third_party_contact", "privacy_disclosure"}],
        6: [{"privacy_disclosure"}],
        7: [{"false_legal_claim"}],
    },
    "call5_dialogue_stereo.wav": {
        4: [{"insult"}],
        5: [{"intimidation", "third_party_contact"}],
    },
    "call6_voicemail_short.wav": {
        2: [{"third_party_contact"}],
    },
}
CLEAN_CALLS = ("call1_polite_reminder.wav", "call4_borrower_instalments.wav")

# Amounts and dates in the manifest texts, resolved against the call time 2024-05-08 10:00 (a Wednesday).
AMOUNTS = {
    "call1_polite_reminder.wav": ["3500"],
    "call2_threats_insults.wav": ["20000"],
    "call3_court_police_contacts.wav": ["36000"],
    "call4_borrower_instalments.wav": ["2000", "3000"],
    "call5_dialogue_stereo.wav": ["8000", "4000", "5000", "2000", "2000", "6000"],
    "call6_voicemail_short.wav": ["12000"],
}
DATES = {  # (value prefix, allowed kinds)
    "call1_polite_reminder.wav": [("2024-05-08", {"point"}), ("2024-05-20", {"deadline"})],
    "call2_threats_insults.wav": [("2024-05-09T15:00", {"deadline"})],
    "call3_court_police_contacts.wav": [("2024-05-08T17:00", {"deadline"}), ("2024-05-09", {"point"})],
    "call4_borrower_instalments.wav": [("2024-06-10", {"point", "deadline"}), ("2024-06", {"point", "range"}), ("2024-07", {"point", "range"})],
    "call5_dialogue_stereo.wav": [
        ("2024-05-17", {"point", "deadline"}),
        ("2024-05-09", {"point", "deadline"}),
        ("2024-05-09T14:00", {"point", "deadline"}),
        ("2024-05-30", {"deadline"}),
    ],
    "call6_voicemail_short.wav": [("2024-05-15", {"deadline"})],
}


def sentence_of(manifest_row: dict, t: float) -> int | None:
    for index, sentence in enumerate(manifest_row["segments"]):
        if sentence["start"] <= t <= sentence["end"]:
            return index
    return None


def _located(name, analyzed_spliced, spliced_manifest):
    """The call's conduct flags, each with the index of the manifest sentence its timecode is in."""
    record, row = analyzed_spliced[name], spliced_manifest[name]
    return [(f, sentence_of(row, f.t_start)) for f in record.findings if f.category != "prohibited_hours"]


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_every_violation_is_flagged_inside_its_sentence(name, analyzed_spliced, spliced_manifest):
    located = _located(name, analyzed_spliced, spliced_manifest)
    for index, violations in VIOLATIONS[name].items():
        in_sentence = {f.category for f, s in located if s == index}
        for categories in violations:
            assert in_sentence & categories, (
                f"{name} sentence {index} ({spliced_manifest[name]['segments'][index]['text']}): "
                f"expected one of {categories}, flags there: {in_sentence}"
            )
    for finding, _ in located:
        assert finding.role != "borrower", f"{name}: collector's words attributed to the borrower: {finding}"


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_nothing_is_flagged_outside_the_violating_sentences(name, analyzed_spliced, spliced_manifest):
    for finding, index in _located(name, analyzed_spliced, spliced_manifest):
        assert index in VIOLATIONS[name], f"{name}: unexpected flag {finding.category} '{finding.quote}' at {finding.t_start}"


@pytest.mark.parametrize("name", CLEAN_CALLS)
def test_no_collector_violation_in_lawful_and_borrower_calls(name, analyzed_spliced):
    collector_flags = [f for f in analyzed_spliced[name].findings if f.role != "borrower"]
    assert collector_flags == []


@pytest.mark.parametrize("name", sorted(AMOUNTS))
def test_every_amount_is_found(name, analyzed_spliced):
    found = sorted(a.value for a in analyzed_spliced[name].amounts)
    expected = sorted(Decimal(v) for v in AMOUNTS[name])
    missing = list(expected)
    for value in found:
        if value in missing:
            missing.remove(value)
    assert not missing, f"{name}: amounts {missing} not found (found {found})"


@pytest.mark.parametrize("name", sorted(DATES))
def test_every_date_is_found_and_resolved(name, analyzed_spliced):
    dates = analyzed_spliced[name].dates
    for prefix, kinds in DATES[name]:
        assert any(d.resolved and (d.value or "").startswith(prefix) and d.kind in kinds for d in dates), (
            f"{name}: no {kinds} date {prefix}; found {[(d.quote, d.kind, d.value) for d in dates]}"
        )


def test_stereo_dialogue_is_split_by_channel_with_roles(analyzed_spliced, spliced_manifest):
    name = "call5_dialogue_stereo.wav"
    record, row = analyzed_spliced[name], spliced_manifest[name]
    assert {s.channel for s in record.transcript.segments} == {0, 1}
    for segment in record.transcript.segments:
        expected_role = "collector" if segment.channel == 0 else "borrower"
        assert segment.role == expected_role and segment.speaker == ("left", "right")[segment.channel]
        # the words of a segment are spoken in sentences of its own channel
        own = [s for s in row["segments"] if s["channel"] == segment.channel]
        inside = [w for w in segment.words if any(s["start"] - 0.3 <= (w.start + w.end) / 2 <= s["end"] + 0.3 for s in own)]
        assert len(inside) >= 0.9 * len(segment.words), segment
    assert record.speakers["left"]["role"] == "collector" and record.speakers["right"]["role"] == "borrower"
    insult = [f for f in record.findings if f.category == "insult"]
    assert insult and all(f.role == "collector" and f.speaker == "left" for f in insult)


def test_identical_channels_transcribe_like_mono(spliced_dir, tmp_path):
    mono, rate = soundfile.read(spliced_dir / "call6_voicemail_short.wav", dtype="float32")
    soundfile.write(tmp_path / "mono.wav", mono, rate)
    soundfile.write(tmp_path / "stereo.wav", np.stack([mono, mono], axis=1), rate)
    options = AnalyzeOptions(call_time="2024-05-08T10:00:00+08:00")
    a, b = analyze_file(Path(tmp_path / "mono.wav"), options), analyze_file(Path(tmp_path / "stereo.wav"), options)
    assert b.source.channels == 2
    assert [(s.start, s.end, s.text, s.channel) for s in a.transcript.segments] == [
        (s.start, s.end, s.text, s.channel) for s in b.transcript.segments
    ]


def test_long_recordings_are_read_window_by_window(spliced_dir, monkeypatch):
    """A recording longer than the window is decoded and transcribed piece by piece (bounded memory)
    and still reads as one call: times run on across windows, ids are consecutive, flags are found."""
    import analyzer.audio

    path = spliced_dir / "call6_voicemail_short.wav"
    options = AnalyzeOptions(call_time="2024-05-08T10:00:00+08:00", diarize=False)
    monkeypatch.setattr(analyzer.audio, "WINDOW_S", 8.0)
    record = analyze_file(path, options)
    segments = record.transcript.segments
    assert [s.id for s in segments] == list(range(len(segments)))
    assert segments[-1].end > 16.0 and all(a.start <= b.start for a, b in zip(segments, segments[1:]))
    assert record.source.duration_s == pytest.approx(21.65, abs=0.05)
    assert any(f.category == "third_party_contact" and f.t_start > 16.0 for f in record.findings)

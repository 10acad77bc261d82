"""Collector/borrower roles from what each speaker says, overrides, and findings re-attributed after splits."""

from __future__ import annotations

import pytest

from analyzer.errors import InputError
from analyzer.roles import assign_roles, attribute_findings, parse_role_overrides
from analyzer.types import Finding, ModelInfo, Segment, Transcript

from .conftest import read_manifest

COLLECTOR_LINES = ("您好，我是信达金融的催收专员，工号3021。", "你欠我们的一万二已经逾期三个月了。",
                   "今天下午五点之前必须还清，否则后果自负。")  # fmt: skip
BORROWER_LINES = ("对不起，我现在真的没钱。", "能不能宽限几天？我下个月发工资一定还。", "请不要打电话给我的家人。")


def transcript(*turns: tuple[str, str], suspect: set[int] = frozenset()) -> Transcript:
    """Segments one second apart; each turn is (speaker, text)."""
    suspect_text = {i: "repetition loop" for i in suspect}
    segments = tuple(
        Segment(i, float(i), i + 0.9, text, text, speaker=speaker, suspect=suspect_text.get(i))
        for i, (speaker, text) in enumerate(turns)
    )
    return Transcript(segments=segments, language="zh", model=ModelInfo(name="test", sha256=None), settings={})


def dialogue(collector: str, borrower: str) -> Transcript:
    turns = []
    for mine, theirs in zip(COLLECTOR_LINES, BORROWER_LINES):
        turns += [(collector, mine), (borrower, theirs)]
    return transcript(*turns)


@pytest.mark.parametrize("collector,borrower", [("left", "right"), ("right", "left"), ("speaker2", "speaker1")])
def test_two_speakers_get_roles_from_what_they_say(collector, borrower):
    labelled, roles = assign_roles(dialogue(collector, borrower))
    assert roles[collector][0] == "collector" and roles[borrower][0] == "borrower"
    assert 0.8 <= roles[collector][1] < 1.0  # clear cues, but text alone is never certain
    for s in labelled.segments:
        assert s.role == ("collector" if s.speaker == collector else "borrower")


def test_speakers_saying_nothing_telling_get_unknown():
    _, roles = assign_roles(transcript(("left", "喂？"), ("right", "喂，你好。"), ("left", "嗯，好的。")))
    assert roles == {"left": ("unknown", 0.0), "right": ("unknown", 0.0)}


def test_single_voice_is_judged_on_its_own_with_less_confidence():
    _, roles = assign_roles(transcript(*(("speaker1", line) for line in COLLECTOR_LINES)))
    assert roles["speaker1"][0] == "collector" and 0.5 < roles["speaker1"][1] <= 0.7
    _, roles = assign_roles(transcript(*(("unknown", line) for line in BORROWER_LINES)))
    assert roles["unknown"][0] == "borrower"


def test_single_label_holding_both_sides_stays_unknown():
    """An undiarized mono call says both sides' lines under one label: no role can be given to it."""
    labelled, roles = assign_roles(dialogue("unknown", "unknown"))
    assert roles["unknown"] == ("unknown", 0.0)
    assert {s.role for s in labelled.segments} == {"unknown"}


def test_unlabelled_segments_among_speakers_get_no_role():
    turns = dialogue("left", "right").segments
    extra = Segment(id=len(turns), start=99.0, end=100.0, text="你欠钱", raw_text="你欠钱")
    labelled, roles = assign_roles(Transcript((*turns, extra), "zh", ModelInfo("test", None), {}))
    assert "unknown" not in roles and labelled.segments[-1].role == "unknown"


def test_hallucinated_segments_do_not_count():
    """A suspect segment's text is not evidence; here it is the only collector-sounding line."""
    _, roles = assign_roles(transcript(("speaker1", "你欠我们的钱必须还清，工号1234。"), suspect={0}))
    assert roles["speaker1"] == ("unknown", 0.0)


def test_overrides_win_and_name_the_other_side():
    labelled, roles = assign_roles(dialogue("left", "right"), overrides=parse_role_overrides("left=borrower"))
    assert roles == {"left": ("borrower", 1.0), "right": ("collector", 1.0)}
    assert all(s.role == ("borrower" if s.speaker == "left" else "collector") for s in labelled.segments)


def test_override_for_a_speaker_not_in_the_call_is_an_input_error():
    with pytest.raises(InputError, match="speaker3.*left, right"):
        assign_roles(dialogue("left", "right"), overrides={"speaker3": "collector"})


def test_parse_role_overrides():
    assert parse_role_overrides("left=borrower, right=collector") == {"left": "borrower", "right": "collector"}
    assert parse_role_overrides("Speaker1=Collector") == {"speaker1": "collector"}


@pytest.mark.parametrize("spec", ["left", "left=boss", "middle=collector", "left=collector,left=borrower", " , "])
def test_bad_role_overrides_say_what_to_write(spec):
    with pytest.raises(InputError, match="--roles"):
        parse_role_overrides(spec)


def finding(segment_id: int, t_start: float, t_end: float, quote: str) -> Finding:
    return Finding(category="insult", severity="medium", start=0, end=len(quote), quote=quote, matched=quote,
                   rule_id="insult/test", basis=(), segment_id=segment_id, t_start=t_start, t_end=t_end)  # fmt: skip


def test_findings_follow_their_words_after_segments_are_split():
    """Old segment 0 (0-2 s) was split into 0 (collector) and 1 (borrower); old segment 1 became 2."""
    split = transcript(("speaker1", "你真无耻"), ("speaker2", "我没钱"), ("speaker1", "再不还钱就去你公司"))
    split, _ = assign_roles(split)
    old = [finding(0, 0.1, 0.5, "无耻"), finding(0, 1.1, 1.5, "没钱"), finding(1, 2.2, 2.8, "去你公司")]
    new = attribute_findings(old, split)
    assert [(f.segment_id, f.speaker, f.role) for f in new] == [
        (0, "speaker1", "collector"), (1, "speaker2", "borrower"), (2, "speaker1", "collector")]  # fmt: skip
    assert split.segments[2].text[new[2].start : new[2].end] == "去你公司"


def test_call5_sentences_per_channel_get_the_right_roles(spliced_dir):
    """The stereo call's own sentences, grouped by channel (0 = collector, 1 = borrower)."""
    entry = next(row for row in read_manifest(spliced_dir) if row["file"] == "call5_dialogue_stereo.wav")
    turns = [(("left", "right")[s["channel"]], s["text"]) for s in entry["segments"]]
    _, roles = assign_roles(transcript(*turns))
    assert roles["left"][0] == "collector" and roles["right"][0] == "borrower"


def test_call5_channels_from_the_pipeline_get_the_right_roles(analyzed_spliced):
    record = analyzed_spliced["call5_dialogue_stereo.wav"]
    if all(s.channel is None for s in record.transcript.segments):
        pytest.skip("the pipeline does not split stereo channels yet")
    labelled, _ = assign_roles(record.transcript)
    for s in labelled.segments:
        assert s.role == ("collector", "borrower")[s.channel], (s.channel, s.text)


@pytest.mark.parametrize(
    "name,role",
    [("call1_polite_reminder.wav", "collector"), ("call2_threats_insults.wav", "collector"),
     ("call3_court_police_contacts.wav", "collector"), ("call4_borrower_instalments.wav", "borrower"),
     ("call6_voicemail_short.wav", "collector")],
)  # fmt: skip
def test_one_voice_calls_get_the_role_their_words_show(spliced_dir, name, role):
    entry = next(row for row in read_manifest(spliced_dir) if row["file"] == name)
    _, roles = assign_roles(transcript(*(("speaker1", s["text"]) for s in entry["segments"])))
    assert roles["speaker1"][0] == role


def test_two_speakers_both_talking_like_collectors_are_both_collectors():
    """A monologue split in two by diarization (or two agents): neither half is made the borrower."""
    labelled, roles = assign_roles(transcript(*zip(["speaker1", "speaker2", "speaker1"], COLLECTOR_LINES)))
    assert roles["speaker1"][0] == roles["speaker2"][0] == "collector"
    assert {s.role for s in labelled.segments} == {"collector"}

"""`call-analyzer scan` and the text-transcript readers behind it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.errors import InputError
from analyzer.textinput import read_text_units

SRT = """1
00:00:01,000 --> 00:00:03,500
您好，我是银行的工作人员

2
00:01:02,250 --> 00:01:04,000
你这个废物
再不还钱打断你的腿
"""

VTT = """WEBVTT

NOTE made by hand

intro
00:00.500 --> 00:02.000
<v Collector>我们是法院的

00:00:03.000 --> 00:00:05.000
我一定还钱
"""

TRANSCRIPT = {"segments": [
    {"id": 0, "start": 0.0, "end": 2.0, "text": "您好"},
    {"id": 7, "start": 12.5, "end": 15.0, "text": "不还钱我们就去找你的家人"},
]}


def scan(*args, input=None):
    return CliRunner().invoke(main, ["scan", *args], input=input)


def test_readers_give_labels_times_and_text(tmp_path):
    (tmp_path / "a.srt").write_text(SRT, encoding="utf-8")
    (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(TRANSCRIPT, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "a.txt").write_bytes("第一行\n\n你这个废物\n".encode("gb18030"))
    assert read_text_units(str(tmp_path / "a.srt"))[1] == ("cue 2", 62.25, "你这个废物 再不还钱打断你的腿")
    assert read_text_units(str(tmp_path / "a.vtt")) == [("cue intro", 0.5, "我们是法院的"), ("cue 2", 3.0, "我一定还钱")]
    assert read_text_units(str(tmp_path / "a.json"))[1] == ("segment 7", 12.5, "不还钱我们就去找你的家人")
    assert read_text_units(str(tmp_path / "a.txt")) == [("line 1", None, "第一行"), ("line 3", None, "你这个废物")]


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("x.json", "{not json", "invalid JSON at line 1"),
        ("x.json", '{"text": "no segments"}', "expected an object with a 'segments' list"),
        ("x.json", '{"segments": [{"start": 1}]}', "segment 0 has no 'text'"),
        ("x.srt", "1\nno time here\nhello\n", "block 1 has no 'start --> end'"),
    ],
)
def test_bad_inputs_raise_input_error(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        read_text_units(str(path))


def test_table_shows_category_severity_quote_and_time(tmp_path):
    (tmp_path / "call.srt").write_text(SRT, encoding="utf-8")
    result = scan(str(tmp_path / "call.srt"))
    assert result.exit_code == 0, result.output
    assert "辱骂/侮辱 insult" in result.output and "62.2s" in result.output
    assert "打断你的腿" in result.output and "high" in result.output
    assert "2 finding(s)" in result.output and "lexicons " in result.output


def test_stdin_and_json_output():
    result = scan("-", "--format", "json", input="我们不会上门\n你这个垃圾\n")
    data = json.loads(result.output)
    assert [f["quote"] for f in data["findings"]] == ["垃圾"]
    assert data["findings"][0]["unit"] == "line 2"
    assert "negation" in data["suppressed"][0]["reason"]
    assert len(data["lexicon"]["sha256"]) == 64


def test_jsonl_one_finding_per_line(tmp_path):
    (tmp_path / "t.json").write_text(json.dumps(TRANSCRIPT, ensure_ascii=False), encoding="utf-8")
    result = scan(str(tmp_path / "t.json"), "--format", "jsonl")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["category"], r["time"], r["rule_id"]) for r in rows] == [
        ("third_party_contact", 12.5, "third_party_contact/tell_people")
    ]
    assert rows[0]["basis"] and rows[0]["lexicon"]["version"]


def test_missing_file_is_reported_and_the_rest_scanned(tmp_path):
    (tmp_path / "ok.txt").write_text("笨蛋！", encoding="utf-8")
    result = scan(str(tmp_path / "missing.txt"), str(tmp_path / "ok.txt"))
    assert result.exit_code == 1
    assert "missing.txt: no such file" in result.output and "1 finding(s)" in result.output


def test_bad_lexicon_folder_is_one_clear_line(tmp_path):
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "x.toml").write_text('id = "x"\nname_zh = "x"\nname_en = "x"\nseverity = "low"\nbasis = ["b"]\n[[entries]]\nid = "a"\npatterns = ["(("]\n', encoding="utf-8")
    (tmp_path / "t.txt").write_text("你好", encoding="utf-8")
    result = scan(str(tmp_path / "t.txt"), "--lexicons", str(tmp_path / "lex"))
    assert result.exit_code == 2
    assert "x.toml, line 8: bad regular expression" in result.output
    assert "Traceback" not in result.output


def test_custom_lexicon_adds_flags(tmp_path):
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "extra.toml").write_text('id = "rude"\nname_zh = "粗鲁"\nname_en = "Rude"\nseverity = "low"\nbasis = ["b"]\n[[entries]]\nid = "a"\nterms = ["臭虫"]\n', encoding="utf-8")
    (tmp_path / "t.txt").write_text("你这个臭虫", encoding="utf-8")
    result = scan(str(tmp_path / "t.txt"), "--lexicons", str(tmp_path / "lex"), "--format", "jsonl")
    assert json.loads(result.output)["category"] == "rude"


def test_bad_call_time_is_a_usage_error(tmp_path):
    (tmp_path / "t.txt").write_text("你好", encoding="utf-8")
    result = scan(str(tmp_path / "t.txt"), "--call-time", "yesterday")
    assert result.exit_code == 2 and "ISO 8601" in result.output

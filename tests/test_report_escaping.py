"""Hostile file names and transcript text come out as inert text in every format."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.record import dumps
from analyzer.report import write_batch_outputs, write_call_outputs
from analyzer.report.csvout import cell
from analyzer.report.markdown import md
from analyzer.report.subtitles import srt_text, vtt_text
from tests.conftest_reports import HOSTILE_NAME, make_record


class Elements(HTMLParser):
    """Every start tag and attribute the browser would see."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    inputs = tmp_path_factory.mktemp("in")
    record = make_record(path=HOSTILE_NAME, hostile=True)
    audio = inputs / HOSTILE_NAME
    audio.write_bytes(b"not really audio")
    json_path = out / (HOSTILE_NAME + ".json")
    json_path.write_text(dumps(record), encoding="utf-8")
    write_call_outputs(out, json_path, record, audio_path=audio)
    (out / "errors.json").write_text(
        '[{"path": "<b>x</b>.mp3", "error": "<script>alert(2)</script>"}]', encoding="utf-8"
    )
    write_batch_outputs(out, inputs={HOSTILE_NAME: str(audio)})
    return out


@pytest.mark.parametrize("name", [HOSTILE_NAME + ".html", "index.html"])
def test_html_shows_hostile_text_as_text(hostile_out, name):
    page = (hostile_out / name).read_text(encoding="utf-8")
    parser = Elements()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "img" not in tags and "b" not in tags
    assert sum(tag == "script" for tag, _ in parser.tags) == 1  # only our own inline script
    for _, attrs in parser.tags:
        assert not any(key.startswith("on") for key in attrs), attrs
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    expected = "alert(2)" if name == "index.html" else "alert(1)"  # the index shows the failed file's error
    assert f"&lt;script&gt;{expected}&lt;/script&gt;" in page
    script = page.split("<script>")[1].split("</script>")[0]
    assert "alert" not in script


def test_audio_link_of_hostile_name_is_percent_encoded(hostile_out):
    page = (hostile_out / (HOSTILE_NAME + ".html")).read_text(encoding="utf-8")
    src = re.search(r'<audio id="player"[^>]* src="([^"]*)"', page).group(1)
    assert "<" not in src and ">" not in src and " " not in src and "%3Cimg%20src%3Dx" in src


def test_markdown_escapes(hostile_out):
    text = (hostile_out / (HOSTILE_NAME + ".md")).read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines()[1:] if not line.startswith("> "))  # our own quote block
    assert not re.search(r"(?<!\\)[<>\[\]`]", body), "unescaped markup"
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert md("a|b*c_[x](y)\n<b>&amp;`") == "a\\|b\\*c\\_\\[x\\](y) \\<b\\>\\&amp;\\`"


def test_subtitles_have_no_tags_or_extra_arrows(hostile_out):
    for suffix in (".srt", ".vtt"):
        text = (hostile_out / (HOSTILE_NAME + suffix)).read_text(encoding="utf-8")
        assert "<script>" not in text and "</" not in text
        for line in text.splitlines():
            assert line.count("-->") == (1 if re.match(r"^\d\d:\d\d:\d\d[,.]\d{3} --> ", line) else 0), line
    assert srt_text("a\n\nb <i>x</i> --> {\\an8}") == "a b ‹i›x‹/i› --› ｛\\an8｝"
    assert vtt_text("<c>x</c> --> & \u2028y") == "&lt;c&gt;x&lt;/c&gt; --&gt; &amp; y"


def test_csv_cells_cannot_run_formulas(hostile_out):
    for name in ("findings.csv", "calls.csv"):
        rows = list(csv.reader(io.StringIO((hostile_out / name).read_text(encoding="utf-8-sig"))))
        for row in rows:
            for value in row:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)
    calls = (hostile_out / "calls.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in calls
    assert [cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", 3,
    ]  # fmt: skip

"""The statistical second opinion: what it adds, where it defers to the lexicons, how it is packaged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import analyze_text
from analyzer.errors import LexiconError
from analyzer.detect.conduct_model import WINDOW, model_flags
from analyzer.lexicon import BUILTIN_DIR, MODEL_FILE, default_lexicons, load_lexicons, parse_model

REPO = Path(__file__).resolve().parents[1]


def model_findings(text):
    return [f for f in analyze_text(text).findings if f.rule_id.endswith("/model")]


@pytest.mark.parametrize(
    "text, category",
    [
        ("晚上回家走夜路的时候最好回头看看", "violent_threat"),  # a threat without a single threatening word
        ("你就是个滚刀肉", "insult"),  # 滚 alone is not the insult; the model reads the whole phrase
    ],
)
def test_model_flags_what_no_entry_names_and_says_so(text, category):
    found = model_findings(text)
    assert [f.category for f in found] == [category]
    f = found[0]
    model = default_lexicons().model
    assert text[f.start : f.end] == f.quote and f.quote
    assert f.confidence >= model.thresholds[category]
    assert "statistical model" in f.explanation and "no lexicon entry matched" in f.explanation
    assert f.matched == f"conduct model {model.version}"
    assert f.basis == default_lexicons().categories[category].basis


@pytest.mark.parametrize(
    "text",
    [
        "我们不会联系你的家人",  # negation: the lexicons suppressed it, the model must not re-flag it
        "他说要弄死我",  # reported speech
        "打死我也没钱",  # the speaker's own idiom
        "打断你",  # too short for the weights to mean anything
        "我是银行的工作人员，今天提醒您还款",  # a lawful self-introduction
    ],
)
def test_model_defers_to_context_rules_and_lawful_talk(text):
    assert analyze_text(text).findings == ()


def test_model_flag_spans_map_to_the_original_text():
    text = "喂，你好。  你們的錢到底什麼時候還，晚上回家走夜路的時候最好回頭看看！"  # Traditional, extra spaces
    found = model_findings(text)
    assert found and all(text[f.start : f.end] == f.quote for f in found)
    # the quote is the clause the model rates likeliest, not the whole run-on sentence
    assert [f.quote for f in found] == ["晚上回家走夜路的時候最好回頭看看"]


def test_a_long_run_on_needs_one_window_that_holds_the_category():
    """Two words that each weigh half of a category, one at each end of a run-on: the whole adds
    up to the threshold, but no stretch the length of a training sentence holds both."""
    model = parse_model("toy", json.dumps({
        "version": "toy", "orders": [1], "categories": ["intimidation"], "thresholds": {"intimidation": 0.5},
        "bias": {"intimidation": -3.0}, "weights": {"甲": [2.0], "乙": [2.0]},
    }).encode())
    filler = "我们今天打电话是为了提醒"
    short = f"甲{filler}，乙{filler}"
    assert len(short) <= WINDOW
    assert [f.category for f in model_flags(model, short, set())] == ["intimidation"]
    run_on = f"甲{filler}，{filler}，{filler}，乙{filler}"
    assert len(run_on) > WINDOW
    assert model_flags(model, run_on, set()) == []


def test_lawful_demand_glued_to_a_threat_is_not_read_as_third_party_contact():
    """Whisper's one 40-character sentence for three of the spliced call2's: as a whole the model
    gives it third-party contact 0.60 (threshold 0.6), but no window of it comes near."""
    found = analyze_text("你这个废物已经三个月了,明天下午三点之前,你必须还两万块钱,不然我们就去你家找你。").findings
    assert ("intimidation", "去你家") in [(f.category, f.quote) for f in found]
    assert "third_party_contact" not in {f.category for f in found}


def test_model_file_is_part_of_the_lexicon_hash(tmp_path):
    shutil.copy(BUILTIN_DIR / "insult.toml", tmp_path / "insult.toml")
    base = load_lexicons(tmp_path)
    raw = json.loads((BUILTIN_DIR / MODEL_FILE).read_text(encoding="utf-8"))
    raw["thresholds"]["insult"] = 0.99
    (tmp_path / MODEL_FILE).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    custom = load_lexicons(tmp_path)
    assert custom.info.sha256 != base.info.sha256
    assert custom.model.thresholds["insult"] == 0.99


@pytest.mark.parametrize("content, problem", [("{not json", "not valid UTF-8 JSON"), ('{"version": "1"}', "missing")])
def test_malformed_model_file_names_the_file(tmp_path, content, problem):
    shutil.copy(BUILTIN_DIR / "insult.toml", tmp_path / "insult.toml")
    (tmp_path / MODEL_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"{MODEL_FILE}.*{problem}"):
        load_lexicons(tmp_path)


def test_committed_model_was_trained_on_the_current_dev_sets():
    """Changing a dev file without retraining (python scripts/train_conduct_model.py) fails here."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "train_conduct_model.py"), "--check"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_weak_entry_flags_only_with_the_models_support():
    """上门 (entry intimidation/visit) was too often a lawful or everyday visit in the dev sets."""
    kept = analyze_text("今天不还我们就上门")
    assert [(f.category, f.quote) for f in kept.findings] == [("intimidation", "上门")]
    assert "supported by the conduct model" in kept.findings[0].explanation
    turned_down = analyze_text("小区今天通知说要上门检查燃气")
    assert not turned_down.findings
    assert [s.category for s in turned_down.suppressed] == ["intimidation"]
    assert turned_down.suppressed[0].reason.startswith("weak entry: the conduct model gives the sentence 0.0")


def test_weak_entries_flag_as_any_other_without_a_model():
    import dataclasses

    from analyzer.detect.conduct import detect_conduct
    from analyzer.normalize import normalize

    lexicons = dataclasses.replace(default_lexicons(), model=None)
    findings, _ = detect_conduct(normalize("小区今天通知说要上门检查燃气"), lexicons)
    assert [f.rule_id for f in findings] == ["intimidation/visit"]


def test_weak_marks_match_the_dev_measurements():
    """An entry below 0.8 precision on the dev sets must be weak, and only such an entry
    (python scripts/entry_precision.py prints the figures)."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "entry_precision.py"), "--check"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "text, category",
    [("不还钱照样判刑", "false_legal_claim"), ("赖皮狗一条，我见多了", "insult")],
)
def test_model_reads_a_clause_without_a_listener_word(text, category):
    """No 你/您 in the clause: the addressee rule turns the entry down, the model still reads the
    sentence as said to the listener, and the turned-down word is not listed as suppressed."""
    result = analyze_text(text)
    assert [(f.category, f.rule_id) for f in result.findings] == [(category, f"{category}/model")]
    assert not [s for s in result.suppressed if s.category == category]

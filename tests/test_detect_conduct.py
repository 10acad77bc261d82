"""Conduct detection: what must flag, what must not, why a candidate is suppressed, and spans."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from analyzer.detect.conduct import detect_conduct
from analyzer.errors import LexiconError
from analyzer.lexicon import default_lexicons, load_lexicons
from analyzer.normalize import normalize

REPO = Path(__file__).resolve().parents[1]


def run(text, lexicons=None):
    return detect_conduct(normalize(text), lexicons or default_lexicons())


def categories(text) -> set[str]:
    return {f.category for f in run(text)[0]}


@pytest.mark.parametrize(
    "text, category",
    [
        ("你这废物，钱到底什么时候还", "insult"),
        ("你这个费物", "insult"),  # ASR slip
        ("蠢货！", "insult"),
        ("你个不要脸的东西", "insult"),
        ("信不信我找人弄死你", "violent_threat"),
        ("打折你的胳膊", "violent_threat"),
        ("你是不是活腻了", "violent_threat"),
        ("不还钱我们就到你单位去", "intimidation"),
        ("我们知道你家在哪个小区", "intimidation"),
        ("打电话给你的父母", "third_party_contact"),
        ("我们给你老婆和你领导都打电话", "third_party_contact"),
        ("你的照片我们会发到网上", "privacy_disclosure"),
        ("我们这边是公安局的", "impersonation"),
        ("你这样会被判刑", "false_legal_claim"),
        ("警察会上门抓你", "false_legal_claim"),
        ("你全家的征信都会受影响", "credit_misstatement"),
        ("还要交两百外访费", "unauthorised_fee"),
        ("直接转到我的支付宝", "unauthorised_fee"),
        ("你這個廢物", "insult"),  # Traditional characters
        # A negated condition leaves its consequence standing; words with 不/别 that negate nothing.
        ("你要是不能按时还款我们就去你家", "intimidation"),
        ("传票今天下，你不来就直接拘留", "false_legal_claim"),
        ("到时候别怪我们上门闹", "intimidation"),
        ("你不是还有信用卡吗，刷出来还我们", "unauthorised_fee"),
        ("我们将不得不联系您的紧急联系人", "third_party_contact"),
    ],
)
def test_flags(text, category):
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "您好，您本月应还三千元，如有困难可以申请分期",
        "请你们不要给我的家人和老板打电话",
        "别打我家人电话",
        "我一定还钱",
        "今天下午五点之前不还钱，我们就起诉你",
        "协商不成我司将依法起诉",
        "逾期信息将按规定报送征信系统",
        "是否立案以法院通知为准",
        "您可拨打12368核实",
        "垃圾短信太多了",
        "打死我也没钱",
        "祝您出行平安",
        "联系您的保证人",
        "请通过对公账户还款",
        "",
        "。。。！！",
    ],
)
def test_does_not_flag(text):
    assert categories(text) == set()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("我们不会上门", "negation"),
        ("我们不会联系您的家人", "negation"),
        ("我们不会收取外访费、加急费这类费用", "negation"),  # a list joined by 、
        ("我们不会因为您逾期就去您单位", "negation"),  # 不会因为…就 is one negated phrase
        ("您不用去别的平台借钱还我们", "negation"),  # 别的 is "other", not a second negator
        ("请不要给你家人打电话", "plea"),
        ("他说要弄死我", "direction"),
        ("他骂你是废物", "reported speech"),
        ("你是不是要上门？", "the listener asking"),
        ("我们会安排持证人员上门拜访", "lawful framing"),
        ("上门需要征得您本人同意，您不同意我们就不去", "lawful framing"),
        ("你要上门就上门，我又不怕", "complaint"),
        ("砍价砍了一半", "idiom"),
        ("垃圾短信", "look-alike"),
        ("这个月还差二百五没还", "look-alike"),  # the amount 250, not the fool
        ("这家店的菜真垃圾", "not addressed"),
    ],
)
def test_suppressions_keep_their_reason(text, reason):
    findings, suppressed = run(text)
    assert not findings
    assert any(reason in s.reason for s in suppressed), [s.reason for s in suppressed]
    for s in suppressed:
        assert text[s.start : s.end] == s.quote


@pytest.mark.parametrize(
    "text, expected",
    [
        ("你就是个二百五", {"insult"}),
        ("你这个二百五，钱什么时候还", {"insult"}),
        ("你欠的二百五什么时候还", set()),  # in a call about money, 二百五 is often 250 yuan
        ("还剩二百五，下周一还清", set()),
        ("二百五块明天转过来", set()),
    ],
)
def test_two_fifty_is_the_fool_or_the_amount(text, expected):
    assert categories(text) == expected


def test_terms_match_whole_words_only(tmp_path):
    folder = tmp_path / "lex"
    folder.mkdir()
    (folder / "drugs.toml").write_text(
        'id = "drugs"\nname_zh = "毒品"\nname_en = "Drugs"\nseverity = "low"\nbasis = ["x"]\n'
        '[[entries]]\nid = "cannabis"\nterms = ["大麻"]\n',
        encoding="utf-8",
    )
    lexicons = load_lexicons(folder)
    assert [f.quote for f in run("他在种大麻", lexicons)[0]] == ["大麻"]
    findings, suppressed = run("这下大麻烦了", lexicons)
    assert not findings and "word boundary" in suppressed[0].reason


def _write_lexicon(folder: Path, body: str) -> Path:
    folder.mkdir()
    (folder / "harm.toml").write_text(
        'id = "harm"\nname_zh = "伤害"\nname_en = "Harm"\nseverity = "high"\nbasis = ["x"]\n' + body,
        encoding="utf-8",
    )
    return folder


def test_synonym_classes_compose_patterns(tmp_path):
    """{name} stands for every word of the class: one pattern covers each verb with each body part."""
    folder = _write_lexicon(
        tmp_path / "lex",
        '[classes]\nbreak = ["打断", "敲碎"]\nbody = ["腿", "门牙"]\n'
        "[[entries]]\nid = \"limbs\"\npatterns = ['{break}(你|您)的?{body}']\n",
    )
    lexicons = load_lexicons(folder)
    for text in ("打断你的腿", "敲碎你门牙", "打断您的门牙"):
        assert "harm" in {f.category for f in run(text, lexicons)[0]}, text
    assert "harm" not in {f.category for f in run("打断你的话", lexicons)[0]}


def test_unknown_class_is_an_error_naming_the_line(tmp_path):
    folder = _write_lexicon(tmp_path / "lex", "[[entries]]\nid = \"limbs\"\npatterns = ['{verb}你']\n")
    with pytest.raises(LexiconError, match=r"harm.toml, line 8: .*unknown class \{verb\}"):
        load_lexicons(folder)


@pytest.mark.parametrize(
    "text, category",
    [  # general shapes the lexicons must cover, each in words no other test uses
        ("我叫几个人过去把你胳膊卸了", "violent_threat"),
        ("你等着进医院吧", "violent_threat"),
        ("你表姐的电话我已经拨过去了", "third_party_contact"),
        ("我们会致电你的工作单位", "third_party_contact"),
        ("征信花了以后连火车票都买不了", "credit_misstatement"),
        ("你会被银联拉黑", "credit_misstatement"),
        ("把钱转到我个人微信", "unauthorised_fee"),
        ("加我微信转账", "unauthorised_fee"),
        ("你先交八百的材料费", "unauthorised_fee"),
        ("打到我私人帐户", "unauthorised_fee"),  # variant spelling 帐 of 账
        ("我们会打给你通信录里的所有人", "third_party_contact"),  # 通信录 for 通讯录
        ("去死吧", "insult"),  # jieba glues the particle: 去|死吧
        ("你真是个人渣", "insult"),  # jieba glues 个: 个人|渣
        ("我们的人会去收拾你的", "violent_threat"),
    ],
)
def test_compositional_phrasings(text, category):
    findings = run(text)[0]
    assert category in {f.category for f in findings}
    assert all(text[f.start : f.end] == f.quote for f in findings)


@pytest.mark.parametrize(
    "text",
    [  # the speaker's own doings and warnings against fraud are not the collector's conduct
        "我把钱转给我老婆了",
        "我征信已经花了，借不到钱",
        "我没钱，要不我去借网贷？",
        "他让我转到他个人微信，这是诈骗吧",
        "任何要求您转到个人账户的都是诈骗",
        "我以后连房贷都批不下来了，怎么办",
    ],
)
def test_speaker_and_fraud_warnings_are_not_flagged(text):
    assert categories(text) == set()


def test_finding_fields_point_into_the_original_text():
    text = "喂！你這個廢物，再不還錢打斷你的腿"
    findings, _ = run(text)
    assert {f.category for f in findings} == {"insult", "violent_threat"}
    for f in findings:
        assert text[f.start : f.end] == f.quote
        assert f.rule_id.startswith(f.category + "/")
        assert f.basis == default_lexicons().categories[f.category].basis
        assert f.explanation and 0 < f.confidence <= 1
    assert [f.quote for f in findings] == ["廢物", "打斷你的腿"]


def test_weaker_evidence_has_lower_confidence():
    strong = run("你这个废物")[0][0].confidence
    slip = run("你这个费物")[0][0].confidence
    vocative = run("废物！")[0][0].confidence
    assert slip < strong and vocative < strong


def test_lawful_framing_can_downgrade_instead_of_suppress():
    findings, _ = run("依照规定，您的行为可能涉嫌恶意透支")
    assert [(f.category, f.severity) for f in findings] == [("false_legal_claim", "low")]
    assert "needs review" in findings[0].explanation


def test_one_finding_per_overlapping_span_and_category():
    findings, _ = run("你个臭不要脸的")
    assert len([f for f in findings if f.category == "insult"]) == 1


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_conduct", REPO / "scripts" / "eval_conduct.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labelled_sets_are_big_and_hard_enough():
    ev = _eval_module()
    items = [i for paths in ev.SETS.values() for i in ev.load(paths)]
    unseen = ev.unseen("held-out")[0] + ev.unseen("independent")[0]
    # Counts only, so that a failure never prints held-out sentences. The parts never tuned on
    # (held-out and independent) are at least a third of all labelled utterances.
    n_items, n_unseen = len(items), len(unseen)
    n_negative = sum(1 for i in items if not i["labels"])
    assert n_items >= 250 and n_unseen * 3 >= n_items
    assert n_negative / n_items >= 0.4
    assert {c for i in unseen for c in i["labels"]} == set(ev.CATEGORIES)
    assert all(set(i["labels"]) <= set(ev.CATEGORIES) for i in items)


def test_heldout_lines_also_in_dev_are_not_scored(tmp_path, monkeypatch):
    """A held-out line whose text (punctuation aside) is in a dev file was learnt from: left out."""
    ev = _eval_module()
    dev, held = tmp_path / "conduct_dev_x.jsonl", tmp_path / "conduct_heldout_x.jsonl"
    dev.write_text('{"text": "我们知道你住哪。", "labels": ["intimidation"]}\n', encoding="utf-8")
    held.write_text('{"text": "我们 知道你住哪", "labels": ["intimidation"]}\n'
                    '{"text": "明天见", "labels": []}\n', encoding="utf-8")
    monkeypatch.setitem(ev.SETS, "dev", [dev])
    monkeypatch.setitem(ev.SETS, "held-out", [held])
    kept, left_out = ev.unseen("held-out")
    assert [i["text"] for i in kept] == ["明天见"] and left_out == 1


def test_second_readings_name_labelled_utterances():
    """Each blind second reading (scripts/eval_agreement.py) points at an utterance of the labelled
    sets by file and line, with the same text, and uses only known categories."""
    spec = importlib.util.spec_from_file_location("eval_agreement", REPO / "scripts" / "eval_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    by_set = module.load_relabels()  # exits naming the line when a text differs
    assert set(by_set) == {"dev", "held-out"}
    known = set(_eval_module().CATEGORIES)
    assert all(set(labels) <= known for rows in by_set.values() for row in rows for labels in row["readers"].values())


def _heldout_scores():
    ev = _eval_module()
    return ev.score(ev.unseen("held-out")[0])["scores"]


def test_heldout_precision_and_recall_floors():
    """Regression guard at what the detector reaches on the held-out sets (written by authors who
    never saw the lexicons or the model, never tuned on): overall P 0.911 / R 0.845 when measured
    (23 725 utterances), intimidation the weakest (P 0.86, R 0.64); a change must not make it worse."""
    scores = _heldout_scores()
    precision, recall, _ = scores.pop("overall")
    assert precision >= 0.9 and recall >= 0.83
    for category, (p, r, _) in scores.items():
        assert p >= 0.8 and r >= 0.62, category


@pytest.mark.xfail(strict=True, reason="issue 3 target not reached: held-out P 0.911, R 0.845 (target 0.92 both)")
def test_heldout_target():
    scores = _heldout_scores()
    precision, recall, _ = scores.pop("overall")
    assert precision >= 0.92 and recall >= 0.92
    assert all(p >= 0.8 and r >= 0.8 for p, r, _ in scores.values())


# Acceptance on the shared spliced calls (texts only here; the audio path is checked below).
EXPECTED = {
    "call2_threats_insults.wav": {"insult", "violent_threat", "intimidation"},
    "call3_court_police_contacts.wav": {"impersonation", "false_legal_claim", "third_party_contact", "privacy_disclosure"},
    "call5_dialogue_stereo.wav": {"insult", "intimidation"},
    "call6_voicemail_short.wav": {"third_party_contact"},
    "call1_polite_reminder.wav": set(),
    "call4_borrower_instalments.wav": set(),
}


@pytest.mark.shared
@pytest.mark.parametrize("field", ["text", "whisper_base_hyp"])
def test_spliced_call_texts(spliced_manifest, field):
    for name, expected in EXPECTED.items():
        assert categories(spliced_manifest[name][field]) == expected, name


@pytest.mark.slow
@pytest.mark.shared
def test_spliced_audio_flags_inside_sentence_bounds(analyzed_spliced, spliced_manifest):
    """Through real audio: the expected categories are flagged, each at a time inside a sentence
    of the manifest; nothing the collector could be blamed for in the lawful calls."""
    for name, expected in EXPECTED.items():
        speech = [f for f in analyzed_spliced[name].findings if f.segment_id is not None]
        if expected:
            assert expected <= {f.category for f in speech}, name
        else:
            assert [f.quote for f in speech if f.role != "borrower"] == [], name
        bounds = [(s["start"], s["end"]) for s in spliced_manifest[name]["segments"]]
        for f in speech:
            assert any(a - 0.5 <= f.t_start and f.t_end <= b + 0.5 for a, b in bounds), (name, f.quote)


def test_long_text_without_punctuation_takes_linear_time():
    """Raw ASR can be one long run-on; context is read near each match, so 60 000 characters take
    well under a second (reading the whole sentence for each match took several seconds)."""
    import time

    unit = "你这个废物再不还钱我们就打断你的腿我们不会上门请您按时还款谢谢您的配合"
    text = unit * (60_000 // len(unit))
    run(unit)  # build the tokenizer first
    began = time.process_time()
    findings, _ = run(text)
    assert time.process_time() - began < 3
    assert len(findings) >= 2 * (len(text) // len(unit))


def test_one_act_two_wrongs_through_also():
    """Telling a parent about the debt discloses it and is contact with a third party: one entry
    (in privacy_disclosure.toml) flags both, and both findings name that entry."""
    findings, _ = run("阿姨，你儿子在我们平台借了三万，拖了半年了")
    assert {f.category for f in findings} == {"privacy_disclosure", "third_party_contact"}
    assert {f.rule_id for f in findings} == {"privacy_disclosure/tell_relative"}
    assert len({(f.start, f.end) for f in findings}) == 1


def test_soft_threat_yields_to_the_graver_act_in_the_same_sentence():
    findings, suppressed = run("你再不还，过两天警察就找上门把你铐走")
    assert {f.category for f in findings} == {"false_legal_claim"}
    assert any(s.category == "intimidation" and s.reason.startswith("part of a graver act") for s in suppressed)
    # in a sentence of its own the visit threat still stands
    assert "intimidation" in categories("警察会来找你。明天我们的人就到你家门口等你。")
    # police said to come to the door: a false legal claim, the visit inside it reported under it
    findings, suppressed = run("我们已经报警了，民警这两天就去你家里调查你")
    assert "false_legal_claim" in {f.category for f in findings}
    assert "intimidation" not in {f.category for f in findings}


def test_records_sent_to_a_workplace_are_not_a_visit():
    assert "intimidation" not in categories("你这个逾期记录会同步到你单位的人事档案里")
    assert "intimidation" in categories("明天我们就到你单位找你")

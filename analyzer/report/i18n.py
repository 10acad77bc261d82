"""Report wording in Simplified Chinese (default) and English; one table so both stay in step."""

from __future__ import annotations

from ..errors import InputError

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "report_title": ("催收通话分析报告", "Debt-collection call analysis report"),
    "index_title": ("通话分析汇总", "Call analysis summary"),
    "generated_at": ("报告生成时间", "Report generated at"),
    "source": ("原始录音与分析信息", "Original recording and analysis"),
    "file": ("文件", "File"),
    "size": ("大小", "Size"),
    "bytes": ("字节", "bytes"),
    "sha256": ("SHA-256", "SHA-256"),
    "duration": ("时长", "Duration"),
    "format": ("格式", "Format"),
    "call_time": ("通话时间", "Call time"),
    "number": ("对方号码", "Other party's number"),
    "from_source": ("来源", "source"),
    "unknown": ("未知", "unknown"),
    "analysed_at": ("分析时间", "Analysed at"),
    "tool": ("工具版本", "Tool version"),
    "model": ("语音识别模型", "Speech recognition model"),
    "lexicon": ("词库", "Lexicon"),
    "speaker_roles": ("说话人角色", "Speaker roles"),
    "settings": ("解码设置", "Decoding settings"),
    "timings": ("耗时", "Processing time"),
    "summary": ("摘要", "Summary"),
    "category": ("类别", "Category"),
    "severity": ("严重程度", "Severity"),
    "collector_flags": ("催收方标记", "Collector-side flags"),
    "borrower_flags": ("借款人方（不计为催收违规）", "Borrower side (not counted as collector violations)"),
    "no_flags": ("未发现标记。", "No flags found."),
    "amounts": ("提及的金额", "Amounts mentioned"),
    "no_amounts": ("未提及金额。", "No amounts mentioned."),
    "dates": ("提及的日期与期限", "Dates and deadlines mentioned"),
    "no_dates": ("未提及日期。", "No dates mentioned."),
    "kind_point": ("日期", "date"),
    "kind_deadline": ("期限", "deadline"),
    "kind_range": ("时间段", "range"),
    "kind_duration": ("时长", "duration"),
    "unresolved": ("无法确定", "unresolved"),
    "flags": ("标记", "Flags"),
    "time": ("时间", "Time"),
    "quote": ("原话", "Quote"),
    "basis": ("依据", "Basis"),
    "confidence": ("置信度", "Confidence"),
    "speaker": ("说话人", "Speaker"),
    "explanation": ("说明", "Explanation"),
    "rule": ("规则", "Rule"),
    "play": ("播放", "Play"),
    "value": ("数值", "Value"),
    "kind": ("类型", "Kind"),
    "transcript": ("转写全文", "Full transcript"),
    "machine_transcript": ("机器转写，请以录音为准", "Machine transcript – check against the recording"),
    "no_segments": ("录音中未识别出语音。", "No speech was recognised in the recording."),
    "doubt": ("低置信度", "Low confidence"),
    "suspect": ("疑似识别错误", "Suspected recognition error"),
    "avg_logprob": ("平均对数概率 {value:.2f} < -1.0", "average log-probability {value:.2f} < -1.0"),
    "low_words": ("{count} 个词概率 < 0.4：{words}", "{count} word(s) with probability < 0.4: {words}"),
    "hours_note": (
        "禁止催收时段来自行业自律规范与监管指引，并非法律条文。",
        "The prohibited hours come from industry guidelines and regulatory guidance, not from statute.",
    ),
    "player": ("原始录音", "Original recording"),
    "player_note": (
        "点击时间码即可从该处播放原始录音（报告需与录音保持相对位置）。",
        "Click a timecode to play the original recording from that point (keep the report and recording in place).",
    ),
    "embedded_note": (
        "内嵌的是压缩副本，仅供试听；证据以原始录音文件为准。",
        "The embedded audio is a compressed copy for listening only; the original file is the evidence.",
    ),
    "no_audio": ("未链接录音文件。", "No recording linked."),
    "disclaimer_title": ("重要说明", "Important"),
    "disclaimer": (
        "本报告由软件自动生成。标记仅为供人工复核的线索，不构成法律结论；请对照原始录音核实每一处标记。",
        (
            "This report was produced by software. Flags are leads for a human reviewer, not legal conclusions; "
            "check every flag against the original recording."
        ),
    ),
    "complain_title": ("投诉渠道", "Where to complain"),
    "complain": (
        "先向贷款机构投诉；银行和消费金融公司：12378（国家金融监督管理总局消费者投诉热线）；暴力威胁：110；骚扰电话和短信：12321。",
        (
            "First the lender; for banks and consumer-finance companies 12378 (NFRA consumer hotline); "
            "110 for threats of violence; 12321 for harassing calls and messages."
        ),
    ),
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "none": ("无", "none"),
    "calls": ("通话", "Calls"),
    "report": ("报告", "Report"),
    "highest": ("最高严重程度", "Highest severity"),
    "filter": ("按类别筛选", "Filter by category"),
    "all": ("全部", "All"),
    "failed": ("处理失败的文件", "Files that failed"),
    "error": ("错误", "Error"),
    "per_number": ("按号码统计", "Per number"),
    "days": ("天数", "Days"),
    "max_per_day": ("单日最多通话", "Most calls in a day"),
    "hours_calls": ("禁止时段通话", "Calls at prohibited hours"),
    "amounts_changed": ("金额在不同通话中有变化", "amounts differ between calls"),
    "no_calls": ("没有分析结果。", "No analysed calls."),
    "sort_hint": ("点击表头排序。", "Click a column header to sort."),
    "collector": ("催收方", "collector"),
    "borrower": ("借款人", "borrower"),
    "integrity": (
        "完整性：MANIFEST.sha256 列出每个输出文件的 SHA-256，可用 sha256sum -c MANIFEST.sha256 或 call-analyzer verify 校验。",
        (
            "Integrity: MANIFEST.sha256 lists every output file's SHA-256; check with sha256sum -c MANIFEST.sha256 "
            "or call-analyzer verify."
        ),
    ),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"unknown report language '{lang}' (use one of: {', '.join(LANGS)})")
    return lang


def t(lang: str, key: str, **values) -> str:
    text = STRINGS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def _categories() -> dict[str, tuple[str, str]]:
    """Category names (zh, en) of the built-in lexicons; {} while they are unreadable."""
    try:
        from ..lexicon import builtin_category_names

        return builtin_category_names()
    except (ImportError, OSError, ValueError, KeyError):  # a report must still render from the JSON alone: ids then
        return {}


def category_name(category: str, lang: str) -> str:
    """The category's name in `lang` (Chinese name in both, so a zh reader of an en report still sees it)."""
    names = _categories().get(category)
    if names is None:
        return category
    name_zh, name_en = names
    return name_zh if lang == "zh" else f"{name_en} / {name_zh}"


def category_label(category: str, lang: str) -> str:
    """Name plus id, as the evidence convention asks: '辱骂 insult'."""
    name = category_name(category, lang)
    return category if name == category else f"{name} {category}"


def severity_name(severity: str | None, lang: str) -> str:
    """'高' / 'high' for the known levels; an unknown level is shown as written."""
    level = severity or "none"
    return t(lang, level) if level in ("high", "medium", "low", "none") else level


def date_kind(kind: str, lang: str) -> str:
    """'期限' / 'deadline' for the known DateMention kinds; others as written."""
    key = f"kind_{kind}"
    return t(lang, key) if key in STRINGS else kind

"""The lexicon loader: the built-in set, overrides, and errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import LexiconError
from analyzer.lexicon import BUILTIN_DIR, default_lexicons, load_lexicons

SPEECH = {
    "violent_threat", "intimidation", "insult", "third_party_contact", "privacy_disclosure",
    "impersonation", "false_legal_claim", "credit_misstatement", "unauthorised_fee",
}

GOOD = '''id = "test_cat"
name_zh = "测试"
name_en = "Test"
severity = "low"
basis = ["a basis line"]

[[entries]]
id = "one"
terms = ["大麻"]
'''


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_builtin_set_has_every_category_with_names_and_basis():
    lex = default_lexicons()
    assert SPEECH | {"prohibited_hours", "call_frequency"} == set(lex.categories)
    for category in lex.categories.values():
        assert category.name_zh and category.name_en and category.basis
        assert category.severity in ("high", "medium", "low")
        assert bool(category.entries) == (category.id in SPEECH)
    for metadata in ("prohibited_hours", "call_frequency"):
        assert any("guideline" in line for line in lex.categories[metadata].basis)


def test_info_is_version_and_content_hash():
    lex = default_lexicons()
    assert lex.info.version == (BUILTIN_DIR / "VERSION").read_text().strip()
    assert len(lex.info.sha256) == 64
    assert load_lexicons().info == lex.info  # deterministic


def test_extra_dir_adds_a_category_and_changes_the_hash(tmp_path):
    lex = load_lexicons(write(tmp_path / "x", "extra.toml", GOOD))
    assert "test_cat" in lex.categories and SPEECH <= set(lex.categories)
    assert lex.info.sha256 != default_lexicons().info.sha256
    assert lex.info.version.endswith("+custom")
    assert "大麻" in lex.words()


def test_extra_file_replaces_builtin_by_category_id(tmp_path):
    text = GOOD.replace('id = "test_cat"', 'id = "insult"')
    lex = load_lexicons(write(tmp_path / "x", "my_insults.toml", text))
    assert lex.categories["insult"].source == "my_insults.toml"
    assert [e.id for e in lex.categories["insult"].entries] == ["one"]


def test_extra_file_replaces_builtin_by_file_name(tmp_path):
    text = GOOD.replace('id = "test_cat"', 'id = "insult"')
    lex = load_lexicons(write(tmp_path / "x", "insult.toml", text))
    assert [e.id for e in lex.categories["insult"].entries] == ["one"]


@pytest.mark.parametrize(
    "text, line, words",
    [
        (GOOD.replace('severity = "low"', "severity = low"), 4, "invalid TOML"),
        (GOOD + 'colour = "red"\n', 10, "unknown key 'colour'"),
        (GOOD.replace('terms = ["大麻"]', 'terms = ["大麻"]\npatterns = [\'打断(你\']'), 10, "bad regular expression"),
        (GOOD.replace('severity = "low"', 'severity = "extreme"'), 4, "bad severity"),
        (GOOD.replace('basis = ["a basis line"]\n', ""), 1, "missing required field 'basis'"),
        (GOOD.replace('terms = ["大麻"]', 'note = "nothing to match"'), 8, "has no terms"),
        (GOOD.replace('id = "one"', 'id = "one"\nobject = "anyone"'), 9, "bad object"),
        (GOOD + '\n[[entries]]\nid = "one"\nterms = ["x"]\n', 12, "duplicate entry id"),
        (GOOD.replace('terms = ["大麻"]', "patterns = ['(你|您)(的)?(爸|爸爸)*打']"), 9, "without a limit"),
        (GOOD.replace('id = "one"', 'id = "one"\nweak = "yes"'), 9, "'weak' must be true or false"),
    ],
)
def test_malformed_lexicon_names_file_line_and_problem(tmp_path, text, line, words):
    folder = write(tmp_path / "bad", "broken.toml", text)
    with pytest.raises(LexiconError) as err:
        load_lexicons(folder)
    message = err.value.message
    assert "broken.toml" in message and words in message
    assert f"line {line}" in message


def test_missing_or_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(LexiconError, match="does not exist"):
        load_lexicons(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LexiconError, match="no .toml files"):
        load_lexicons(tmp_path / "empty")


def test_also_names_known_categories(tmp_path):
    folder = write(tmp_path / "x", "broken.toml", GOOD.replace('id = "one"', 'id = "one"\nalso = ["no_such_category"]'))
    with pytest.raises(LexiconError, match="broken.toml.*entry 'one' names unknown category 'no_such_category' in 'also'"):
        load_lexicons(folder)


def test_yields_to_names_known_categories(tmp_path):
    folder = write(tmp_path / "x", "broken.toml", 'yields_to = ["nothing_here"]\n' + GOOD)
    with pytest.raises(LexiconError, match="broken.toml.*'yields_to' names unknown category 'nothing_here'"):
        load_lexicons(folder)

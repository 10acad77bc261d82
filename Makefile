# The two commands of the README: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test eval eval-asr bench samples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/call-analyzer analyze samples/ --out out/

test: $(STAMP)
	$(BIN)/python -m pytest -q -ra

eval: $(STAMP)
	$(BIN)/python scripts/eval_conduct.py
	$(BIN)/python scripts/eval_extract.py

eval-asr: $(STAMP)
	$(BIN)/python scripts/eval_asr.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf out/ .pytest_cache .hypothesis

# The two commands of the README: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test eval eval-asr model bench samples clean

# The test install takes the optional extras too (mono diarization on CPU PyTorch, Dask), so that
# their real code is tested; `make demo` needs only the core.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(VENV)/.installed-test: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,diarize,cluster]'
	touch $@

$(VENV)/.installed-samples: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[samples]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/call-analyzer analyze samples/ --out out/

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -ra

eval: $(VENV)/.installed-test
	$(BIN)/python scripts/eval_conduct.py
	$(BIN)/python scripts/entry_precision.py --check
	$(BIN)/python scripts/eval_agreement.py
	$(BIN)/python scripts/eval_extract.py
	$(BIN)/python scripts/eval_diarization.py

# Retrain lexicons/conduct_model.json after changing tests/data/conduct_dev*.jsonl.
model: $(STAMP)
	$(BIN)/python scripts/train_conduct_model.py

eval-asr: $(VENV)/.installed-test
	$(BIN)/python scripts/eval_asr.py

bench: $(VENV)/.installed-test
	$(BIN)/python scripts/bench.py

samples: $(VENV)/.installed-samples
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf out/ .pytest_cache .hypothesis

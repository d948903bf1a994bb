# Each target sets itself up: a .venv from python3, then the package with its dev extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo serve-demo screenshots test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gridbot demo
	@echo
	@echo "指挥中心控制台（网页）：$(BIN)/gridbot demo --serve，然后打开 http://127.0.0.1:8080/console/"
	@echo "登录：用户名 centre（或 admin、fengcheng、lianjiang、xincheng），密码 demo-pass-2026"

serve-demo: $(STAMP)
	$(BIN)/gridbot demo --serve

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/writes.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache

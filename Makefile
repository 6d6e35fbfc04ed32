# The course's two commands: `make lab` opens it, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# How many processes run the tests (pytest-xdist); notebooks go one file per process.
JOBS   ?= 2

.PHONY: lab lab-ko test lint notebooks check-notebooks fork clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing the course's packages into $(VENV) (PyTorch is large: this takes a few minutes)"
	$(BIN)/python -m pip install --progress-bar on -e ".[test,lab]"
	touch $@

# Options for JupyterLab, e.g. make lab LAB_ARGS="--port 8890 --no-browser". As root (a container,
# a cloud VM, WSL) --allow-root is added: JupyterLab refuses to start as root without it.
LAB_ARGS ?=
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)

## lab: create .venv, install everything, open your working copy of the course (work/) in JupyterLab
lab: $(VENV)/.installed
	$(BIN)/python tools/course.py workcopy
	JUPYTER_CONFIG_PATH="$(CURDIR)/tools/student-jupyter-config" $(BIN)/jupyter lab work/ $(ROOT_ARGS) $(LAB_ARGS)

## lab-ko: the same in Korean (한국어판): your working copy of the Korean edition (work/ko/) in JupyterLab
lab-ko: $(VENV)/.installed
	$(BIN)/python tools/course.py workcopy --language ko
	JUPYTER_CONFIG_PATH="$(CURDIR)/tools/student-jupyter-config" $(BIN)/jupyter lab work/ko/ $(ROOT_ARGS) $(LAB_ARGS)

## test: create .venv, install everything, lint, check the notebooks are fresh, run all tests
test: $(VENV)/.installed lint check-notebooks
	DQN_QUICK=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --durations=15 \
		--nbval --nbval-current-env tests notebooks

lint: $(VENV)/.installed
	$(BIN)/ruff check .

## check-notebooks: fail if a generated notebook no longer matches its lesson source
check-notebooks: $(VENV)/.installed
	$(BIN)/python tools/course.py check

## notebooks: regenerate student + solution notebooks from lessons/ and execute them (full budget)
notebooks: $(VENV)/.installed
	$(BIN)/python tools/course.py build $(LESSONS)

## fork: point the Colab badges and setup cells at your fork, e.g. make fork REPO=you/dqn-from-pixels
fork: $(VENV)/.installed
	$(BIN)/python tools/course.py fork $(REPO)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

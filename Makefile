# Conseils citoyens — commandes du projet. `make help` les liste.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres demo lint bench clean i18n migration

help: ## Liste les commandes
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP)

run: $(STAMP) ## Installe, migre la base SQLite (var/) et démarre le service sur http://$(HOST):$(PORT)
	$(BIN)/conseil serve --host $(HOST) --port $(PORT)

demo: $(STAMP) ## Crée un territoire, un quartier et un conseil de démonstration
	$(BIN)/conseil demo

test: $(DEV_STAMP) ## Tous les tests sur SQLite, puis sur PostgreSQL si TEST_POSTGRES_URL est défini
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_POSTGRES_URL non défini : passe PostgreSQL ignorée."; fi

test-sqlite: $(DEV_STAMP)
	@echo "== Passe SQLite =="
	CONSEIL_TEST_DB=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP)
	@echo "== Passe PostgreSQL =="
	CONSEIL_TEST_DB=postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP) ## ruff et mypy
	$(BIN)/ruff check domain service tests bench
	$(BIN)/mypy

bench: $(DEV_STAMP) ## Benchmarks (BENCH=<préfixe> pour en choisir) ; résultats dans bench/results.json
	$(BIN)/python -m bench $(if $(BENCH),--only $(BENCH),)

migration: $(DEV_STAMP) ## Écrit la migration des tables changées : make migration NAME="ce qui change"
	@if [ -z "$(NAME)" ]; then echo 'Usage : make migration NAME="ce qui change"' >&2; exit 2; fi
	$(BIN)/piccolo migrations new conseil --auto --desc="$(NAME)"

i18n: $(DEV_STAMP) ## Extrait les messages dans locales/messages.pot
	$(BIN)/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --sort-output .

clean: ## Supprime l'environnement virtuel et les caches (garde var/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Waypoint: the two set-up commands. See README.md.
.PHONY: run test lint format bench-clean

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/ruff format --check src tests bench scripts
	.venv/bin/lint-imports --no-cache --no-logo
	.venv/bin/mypy

format:
	.venv/bin/ruff format src tests bench scripts
	.venv/bin/ruff check --fix src tests bench scripts

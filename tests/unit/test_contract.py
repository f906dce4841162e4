"""The published command contract in commands/ matches the models, and examples are valid."""

from __future__ import annotations

import json

import pytest

from logbog_es.commands import COMMANDS
from logbog_es.commands.schema import CONTRACT_DIR, stale_files


class TestCommandContract:
    """Web frontend and migration tooling read commands/*.json; they must never be stale."""

    def test_schemas_are_up_to_date(self) -> None:
        """Regenerate with `make schemas` when this fails."""
        assert stale_files() == []

    @pytest.mark.parametrize("name", sorted(COMMANDS))
    def test_example_is_valid(self, name: str) -> None:
        """Each published example payload validates against its command model."""
        example = json.loads((CONTRACT_DIR / f"{name}.example.json").read_text(encoding="utf-8"))
        COMMANDS[name].model_validate(example)

    @pytest.mark.parametrize("name", sorted(COMMANDS))
    def test_schema_forbids_unknown_fields(self, name: str) -> None:
        """A typo in a field name is an error, not silently ignored."""
        schema = json.loads((CONTRACT_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert schema["additionalProperties"] is False

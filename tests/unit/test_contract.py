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


class TestProjectionTopics:
    """A read model's topic filter names only real event topics (a typo would skip events)."""

    def test_topics_exist(self) -> None:
        """Every topic a projection follows is the TOPIC of some event class."""
        from logbog_es.bootstrap import all_projections
        from logbog_es.domain.registry import event_classes

        known = set(event_classes())
        for projection in all_projections():
            assert projection.topics is not None, projection.name
            assert projection.topics <= known, (projection.name, projection.topics - known)


class TestLegacyFormatSchema:
    """docs/legacy-format.schema.json is generated from the format's models."""

    def test_schema_is_up_to_date(self) -> None:
        """Regenerate with `.venv/bin/logbog import schema` when this fails."""
        from pathlib import Path

        from logbog_es.migration.legacy import schemas

        path = Path(__file__).resolve().parents[2] / "docs" / "legacy-format.schema.json"
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(
            json.dumps(schemas(), sort_keys=True)
        )

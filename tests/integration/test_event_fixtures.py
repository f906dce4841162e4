"""Events are forever: every event class's stored form is kept as a fixture and still loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from logbog_es.application import Logbog
from logbog_es.application.handlers import HANDLERS
from logbog_es.domain.registry import event_classes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))


@pytest.fixture(scope="module")
def app() -> Logbog:
    return Logbog(
        handlers=HANDLERS,
        env={"PERSISTENCE_MODULE": "logbog_es.application.chain:ChainedPOPOFactory"},
    )


def _stored(fixture: dict[str, object]) -> StoredEvent:
    from uuid import UUID

    return StoredEvent(
        originator_id=UUID(str(fixture["originator_id"])),
        originator_version=int(str(fixture["originator_version"])),
        topic=str(fixture["topic"]),
        state=json.dumps(fixture["state"], separators=(",", ":"), ensure_ascii=False).encode(),
    )


class TestEventFixtures:
    """Stored forms of every event class, old and current, load into today's classes."""

    def test_every_event_class_has_a_fixture_of_its_current_version(self) -> None:
        """A new event class or class version without its fixture fails here.

        Write the missing ones with: .venv/bin/python scripts/capture_event_fixtures.py
        """
        missing = [
            topic
            for topic, cls in event_classes().items()
            if not (
                FIXTURES / f"{topic.replace(':', '__')}.v{getattr(cls, 'class_version', 1)}.json"
            ).exists()
        ]
        assert not missing, f"no stored fixture for {missing}"

    @pytest.mark.parametrize("path", ALL_FIXTURES, ids=[p.stem for p in ALL_FIXTURES])
    def test_fixture_loads_into_its_class(self, app: Logbog, path: Path) -> None:
        """The stored JSON decodes into an instance of the class its topic names."""
        fixture = json.loads(path.read_text(encoding="utf-8"))
        event = app.mapper.to_domain_event(_stored(fixture))
        assert isinstance(event, event_classes()[fixture["topic"]])
        assert event.originator_version == fixture["originator_version"]
        for field in ("actor_id", "actor_capacity", "command_id"):
            assert getattr(event, field) == fixture["state"][field]

    @pytest.mark.parametrize("path", ALL_FIXTURES, ids=[p.stem for p in ALL_FIXTURES])
    def test_current_version_encodes_to_the_same_stored_form(self, app: Logbog, path: Path) -> None:
        """Decoding and re-encoding a current-version fixture gives its stored form back exactly.

        This catches a renamed, retyped or reordered field: a change needs a new class_version.
        """
        fixture = json.loads(path.read_text(encoding="utf-8"))
        cls = event_classes()[fixture["topic"]]
        if fixture["class_version"] != getattr(cls, "class_version", 1):
            pytest.skip("an older class version: upcast on load, not re-encoded")
        event = app.mapper.to_domain_event(_stored(fixture))
        stored = app.mapper.to_stored_event(event)
        assert json.loads(stored.state) == fixture["state"]
        assert stored.topic == fixture["topic"]


def test_a_request_stored_before_notes_reads_with_none(app: Logbog) -> None:
    """The v1 form of AssessmentRequested (no note) loads through its upcaster: note None."""
    v1 = json.loads((FIXTURES / "logbog__Programme.AssessmentRequested.v1.json").read_text("utf-8"))
    assert "note" not in v1["state"]
    event = app.mapper.to_domain_event(_stored(v1))
    assert event.note is None  # type: ignore[attr-defined]
    assert type(event).class_version == 2  # type: ignore[attr-defined]

"""Group commit on PostgreSQL: several commands' appends in one statement and one commit, a
taken version failing only its own append, the chain intact across it (issue 16)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from logbog_es.application.chain import verify
from logbog_es.bootstrap import Container
from logbog_es.commands import RegisterDepartment
from logbog_es.domain.errors import ConcurrencyConflict
from logbog_es.domain.programme import Programme
from tests.conftest import Clock, PgSchemas, make_container
from tests.helpers import Ward, World, assert_read_models_equal_rebuild

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(tmp_path: Path, clock: Clock, pg_schemas: PgSchemas) -> Iterator[Container]:
    built = make_container("postgres", tmp_path, clock, pg_schemas)
    yield built
    built.close()


def _stored(stream: Any, version: int) -> StoredEvent:
    return StoredEvent(stream, version, "test.Topic", b'{"n": %d}' % version)


def test_a_taken_version_fails_only_its_append_and_the_chain_continues(pg: Container) -> None:
    recorder: Any = pg.app.recorder
    taken = uuid4()
    recorder.insert_events([_stored(taken, 1)])
    first, third = uuid4(), uuid4()
    answer = recorder._append_groups(
        [
            [_stored(first, 1), _stored(first, 2)],
            [_stored(taken, 2), _stored(taken, 1)],  # version 1 is taken: all of it fails
            [_stored(third, 1)],
        ]
    )
    assert answer[1] is None
    assert answer[0] is not None and answer[2] is not None
    assert len(answer[0]) == 2 and len(answer[2]) == 1
    assert answer[0] == sorted(answer[0]) and answer[0][-1] < answer[2][0]
    stored = recorder.select_events(taken)
    assert [e.originator_version for e in stored] == [1]  # nothing of the failed append
    result = verify(recorder)
    assert result.intact, result.findings
    assert result.checked == 4
    with pytest.raises(IntegrityError):
        recorder.insert_events([_stored(third, 1)])


def test_concurrent_commands_are_grouped_and_all_recorded(pg: Container) -> None:
    world = World(pg.app)
    errors: list[BaseException] = []

    def register(n: int) -> None:
        try:
            for k in range(10):
                world.run(
                    RegisterDepartment.model_validate(
                        {"code": f"G{n}{k}", "name": "Afd", "kind": "hospital", "region": "nord"}
                    ),
                    world.sek["nord"],
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    group: Any = pg.app.recorder._group  # type: ignore[attr-defined]
    assert group.appends >= 80
    result = verify(pg.app.recorder)
    assert result.intact, result.findings
    assert result.checked == pg.app.position()  # no version was taken: no gap


def test_concurrent_approvals_of_one_programme_conflict_and_retry(
    pg: Container, clock: Clock
) -> None:
    """Four supervisors approve different competencies of one programme at once: versions
    collide inside the groups; each command is decided again and all are recorded (or, after
    its attempts are used up, refused as a conflict with nothing written)."""
    ward = Ward(World(pg.app))
    outcomes: dict[str, object] = {}

    def approve(code: str) -> None:
        try:
            outcomes[code] = ward.approve(code)
        except ConcurrencyConflict as error:
            outcomes[code] = error

    threads = [threading.Thread(target=approve, args=(c,)) for c in ("K1", "K2", "K3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    accepted = {c for c, o in outcomes.items() if not isinstance(o, ConcurrencyConflict)}
    programme = pg.app.find(Programme, ward.programme)
    assert programme is not None
    assert {a.competency_code for a in programme.approvals} == accepted
    assert accepted  # at least the first writer wins
    assert verify(pg.app.recorder).intact
    pg.runner.catch_up()
    assert_read_models_equal_rebuild(pg)

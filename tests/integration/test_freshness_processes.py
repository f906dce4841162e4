"""Two service processes on one store: each command sees what the other committed before it
began, although each process keeps its aggregates cached and reads only the log's tail to know
which changed (issue 16, `application.freshness`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logbog_es.bootstrap import Container, bootstrap
from logbog_es.commands import ApproveCompetency, RevokeSupervisorAccess
from logbog_es.domain.doctor import Doctor, doctor_id
from logbog_es.domain.errors import NotAllowed
from logbog_es.domain.programme import Programme
from logbog_es.domain.readlog import ReadLog, read_log_id
from logbog_es.domain.values import Capacity
from logbog_es.settings import Storage
from tests.conftest import Clock, PgSchemas, make_settings, require_postgres
from tests.helpers import Ward, World


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock, pg_schemas: PgSchemas
) -> Iterator[tuple[Container, Container]]:
    """Two containers (as two processes would have) on the same event store."""
    if request.param == "sqlite":
        storage = Storage.parse(f"sqlite:///{tmp_path}/events.sqlite", tmp_path)
    else:
        require_postgres()
        storage = pg_schemas.storage()
    first = bootstrap(make_settings(tmp_path / "a"), storage=storage, today=clock)
    second = bootstrap(make_settings(tmp_path / "b"), storage=storage, today=clock)
    yield first, second
    second.close()
    first.close()


def _approve(container: Container, ward: Ward, who: Any, code: str, on: str = "2026-02-02") -> Any:
    app = container.app
    return app.execute(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": code,
                "method": "mini_cex",
                "assessed_on": on,
            }
        ),
        app.resolve_actor(str(who)),
    )


def test_a_revocation_in_one_process_refuses_the_next_command_in_the_other(
    two: tuple[Container, Container],
) -> None:
    a, b = two
    ward = Ward(World(a.app))
    _approve(b, ward, ward.delegated, "K1")  # b has the programme and the access cached now
    a.app.execute(
        RevokeSupervisorAccess(
            department_id=ward.department,
            grant_id=ward.delegated_grant,
            revoked_from=a.app.today(),
        ),
        a.app.resolve_actor(str(ward.uao)),
    )
    today = b.app.today().isoformat()
    with pytest.raises(NotAllowed):  # assessed on a day without access
        _approve(b, ward, ward.delegated, "K2", today)
    _approve(b, ward, ward.uao, "K2", today)  # the UAO still may; and a sees b's approvals
    programme = a.app.find(Programme, ward.programme)
    assert programme is not None
    assert {"K1", "K2"} <= {a.competency_code for a in programme.approvals}


def test_an_unchanged_aggregate_is_not_read_again_and_a_changed_one_is(
    two: tuple[Container, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    """b's second load of an aggregate nobody changed reads nothing but the tail; after a
    change in a, b's load reads the store and returns the new version."""
    a, b = two
    ward = Ward(World(a.app))
    loads: list[Any] = []
    repository: Any = b.app.repository
    real_get = repository.get

    def counted(aggregate_id: Any, **kwargs: Any) -> Any:
        loads.append(aggregate_id)
        return real_get(aggregate_id, **kwargs)

    monkeypatch.setattr(repository, "get", counted)
    first = b.app.find(Programme, ward.programme)
    again = b.app.find(Programme, ward.programme)
    assert first is not None and again is not None
    assert loads == [ward.programme]  # the second find came from the cache
    _approve(a, ward, ward.uao, "K1")
    changed = b.app.find(Programme, ward.programme)
    assert changed is not None
    assert changed.version == first.version + 1
    assert loads == [ward.programme, ward.programme]


def test_an_aggregate_known_not_to_exist_is_found_once_the_other_process_creates_it(
    two: tuple[Container, Container],
) -> None:
    a, b = two
    world = World(a.app)
    missing = doctor_id("NEW01")
    assert b.app.find(Doctor, missing) is None
    assert b.app.find(Doctor, missing) is None  # known empty now
    world.doctor("NEW01", "Ny Læge")
    found = b.app.find(Doctor, missing)
    assert found is not None
    assert found.name == "Ny Læge"


def test_within_one_request_what_a_save_created_is_found(
    two: tuple[Container, Container],
) -> None:
    """A request's loads share the tail read at its start (`consistent`); a stream it found
    empty and then created itself is found afterwards in the same request."""
    a, _ = two
    world = World(a.app)
    created = doctor_id("NEW02")
    with a.app.consistent():
        assert a.app.find(Doctor, created) is None
        world.doctor("NEW02", "Ny Læge")
        found = a.app.find(Doctor, created)
    assert found is not None
    assert found.name == "Ny Læge"


def test_a_collision_makes_the_process_read_the_stream_again(
    two: tuple[Container, Container],
) -> None:
    """Within one request a process knows a stream as of the request's start; when its save
    then finds the version taken by another process, it forgets what it knew, and its retry
    reads the stream again instead of colliding until it gives up (here: recording a read)."""
    a, b = two
    ward = Ward(World(a.app))
    reader = b.app.resolve_actor(str(ward.uao))
    stream = read_log_id(ward.trainee)
    b.app.record_read(ward.trainee, reader, Capacity.UAO, "history")
    cached = b.app.find(ReadLog, stream)  # b has it cached, and knows its version
    assert cached is not None and cached.version == 2
    with b.app.consistent():
        assert b.app.find(ReadLog, stream) is not None  # the request's tail read
        a.app.record_read(ward.trainee, reader, Capacity.UAO, "history")
        b.app.record_read(ward.trainee, reader, Capacity.UAO, "history")
    log = a.app.find(ReadLog, stream)
    assert log is not None
    assert log.version == 4  # opened, then three reads recorded

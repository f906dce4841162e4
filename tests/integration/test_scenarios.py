"""One scenario suite, run against the in-memory store, SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from logbog_es.application.app import CommandResult
from logbog_es.application.handling import Context, Decided
from logbog_es.bootstrap import Container
from logbog_es.commands import (
    AddEmployment,
    ChangeCurriculumVersion,
    Command,
    PublishCurriculum,
    RegisterDepartment,
    RegisterSpecialty,
    RetireSpecialty,
    StartProgramme,
)
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    NotAllowed,
    NotFound,
    StaleVersion,
)
from logbog_es.domain.programme import Programme
from tests.helpers import World, assert_read_models_equal_rebuild, competency


@pytest.fixture
def world(container: Container) -> World:
    w = World(container.app)
    w.specialty("kbu", ("kbu",))
    return w


class TestPinningAndProgrammes:
    """R1: a programme follows the version in effect when hired, until a secretariat moves it."""

    def test_programmes_pin_by_hiring_date(self, container: Container, world: World) -> None:
        """Hired before the newer version: the older one; hired after: the newer one."""
        v2019 = world.curriculum("2019", date(2019, 2, 1))
        v2024 = world.curriculum("2024", date(2024, 9, 1))
        early = world.programme(world.doctor("AA111"), date(2024, 2, 1))
        late = world.programme(world.doctor("BB222"), date(2025, 8, 1))
        app = container.app
        assert app.repository.get(early).curriculum_id == v2019
        assert app.repository.get(late).curriculum_id == v2024

    def test_later_publication_never_moves_a_pinned_programme(
        self, container: Container, world: World
    ) -> None:
        """Publishing a version effective before the hiring date leaves existing pins alone."""
        v2019 = world.curriculum("2019", date(2019, 2, 1))
        programme = world.programme(world.doctor(), date(2024, 2, 1))
        world.curriculum("2020-rettet", date(2020, 1, 1))
        assert container.app.repository.get(programme).curriculum_id == v2019

    def test_secretariat_moves_programme_with_reason(
        self, container: Container, world: World
    ) -> None:
        """change-curriculum-version records the move; other regions may not do it."""
        world.curriculum("2019", date(2019, 2, 1))
        v2024 = world.curriculum("2024", date(2024, 9, 1))
        programme = world.programme(world.doctor(), date(2024, 2, 1))
        command = ChangeCurriculumVersion(
            programme_id=programme, curriculum_id=v2024, reason="Aftalt med lægen"
        )
        with pytest.raises(NotAllowed, match="region nord"):
            world.run(command, world.sek["syd"])
        world.run(command, world.sek["nord"])
        moved = container.app.repository.get(programme)
        assert moved.curriculum_id == v2024
        with pytest.raises(Conflict, match="already follows"):
            world.run(command, world.sek["nord"])

    def test_version_of_another_specialty_is_refused(
        self, container: Container, world: World
    ) -> None:
        """A programme may only move to a version of its own specialty and stage."""
        world.curriculum("2019", date(2019, 2, 1))
        world.specialty("akutmedicin", ("main",))
        other = world.curriculum("2018", date(2018, 1, 1), code="akutmedicin", stage="main")
        programme = world.programme(world.doctor(), date(2024, 2, 1))
        with pytest.raises(InvalidInput, match="akutmedicin"):
            world.run(
                ChangeCurriculumVersion(programme_id=programme, curriculum_id=other, reason="x"),
                world.sek["nord"],
            )

    def test_no_version_in_effect(self, container: Container, world: World) -> None:
        """Hired before any version takes effect: refused, naming the earliest date."""
        world.curriculum("2019", date(2019, 2, 1))
        with pytest.raises(Conflict, match="2019-02-01"):
            world.programme(world.doctor(), date(2018, 2, 1))

    def test_new_stage_is_a_new_programme_and_the_old_keeps_history(
        self, container: Container, world: World
    ) -> None:
        """A second programme of the same specialty and stage is refused; a new stage is not."""
        world.specialty("akutmedicin", ("introduction", "main"))
        world.curriculum("I1", date(2015, 1, 1), code="akutmedicin", stage="introduction")
        world.curriculum("M1", date(2015, 1, 1), code="akutmedicin", stage="main")
        doctor = world.doctor()
        intro = world.programme(doctor, date(2020, 1, 1), code="akutmedicin", stage="introduction")
        with pytest.raises(Conflict, match="already has"):
            world.programme(doctor, date(2021, 1, 1), code="akutmedicin", stage="introduction")
        main = world.programme(doctor, date(2021, 1, 1), code="akutmedicin", stage="main")
        profile = container.app.repository.get(doctor)
        assert isinstance(profile, Doctor)
        assert [p.programme_id for p in profile.programmes] == [intro, main]

    def test_retired_specialty_takes_no_new_programmes(
        self, container: Container, world: World
    ) -> None:
        """From its retirement date nothing new starts in a specialty."""
        world.curriculum("2019", date(2019, 2, 1))
        world.run(RetireSpecialty(code="kbu", retired_on=date(2024, 1, 1)), world.admin)
        with pytest.raises(Conflict, match="retired"):
            world.programme(world.doctor(), date(2024, 2, 1))


class TestEmploymentsAcrossProgrammes:
    """A doctor's employments never overlap, in one programme or across programmes."""

    def test_overlap_across_programmes_refused(self, container: Container, world: World) -> None:
        """An employment in a second programme may not overlap one in the first."""
        world.specialty("akutmedicin", ("main",))
        world.curriculum("2019", date(2019, 2, 1))
        world.curriculum("M1", date(2015, 1, 1), code="akutmedicin", stage="main")
        dep = world.department()
        doctor = world.doctor()
        kbu = world.programme(doctor, date(2024, 2, 1))
        main = world.programme(doctor, date(2024, 2, 1), code="akutmedicin", stage="main")
        world.employ(kbu, dep, date(2024, 2, 1), date(2024, 7, 31))
        with pytest.raises(Conflict, match="overlaps"):
            world.employ(main, dep, date(2024, 7, 1), date(2025, 6, 30))
        world.employ(main, dep, date(2024, 8, 1), date(2025, 6, 30))
        programme = container.app.repository.get(main)
        assert isinstance(programme, Programme)
        assert [e.start for e in programme.employments] == [date(2024, 8, 1)]

    def test_unknown_department_names_the_field(self, container: Container, world: World) -> None:
        """An unknown department id is refused as input, naming department_id."""
        world.curriculum("2019", date(2019, 2, 1))
        programme = world.programme(world.doctor(), date(2024, 2, 1))
        from uuid import UUID

        with pytest.raises(InvalidInput) as raised:
            world.employ(programme, UUID(int=5), date(2024, 2, 1), date(2024, 7, 31))
        assert raised.value.field == "department_id"

    def test_unknown_programme_is_not_found(self, container: Container, world: World) -> None:
        """The command's own target missing is a 404."""
        from uuid import UUID

        with pytest.raises(NotFound):
            world.employ(UUID(int=7), world.department(), date(2024, 2, 1), date(2024, 7, 31))


class TestIdempotencyAndRefusals:
    """Retried commands record once; refused commands write nothing."""

    def test_retry_records_once_and_returns_the_first_result(
        self, container: Container, world: World
    ) -> None:
        """The same command id twice: one set of events, the same answer, marked replayed."""
        world.curriculum("2019", date(2019, 2, 1))
        doctor = world.doctor()
        first_id = world.programme(doctor, date(2024, 2, 1), command_id="retry-me")
        before = container.app.position()
        command = StartProgramme.model_validate(
            {
                "doctor_id": doctor,
                "specialty_code": "kbu",
                "stage": "kbu",
                "region": "nord",
                "hiring_date": "2024-02-01",
            }
        )
        again = world.run(command, world.sek["nord"], command_id="retry-me")
        assert again.replayed
        assert container.app.position() == before
        assert next(e.stream_id for e in again.events if e.type.endswith("Started")) == first_id
        assert again.position == before  # the receipt was the last event written
        assert [e.position for e in again.events] == sorted(e.position for e in again.events)

    def test_twin_saved_meanwhile_returns_the_first_result(
        self, container: Container, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A double click: both runs decide on the same state, and the first saves while the
        second decides. The second's save collides with the first's receipt (nothing of it is
        written) and it gets the first result, not a conflict."""
        command = RegisterDepartment.model_validate(
            {"code": "D8", "name": "Afd", "kind": "hospital", "region": "nord"}
        )
        app = container.app
        handlers = dict(app._handlers)
        decide = handlers[RegisterDepartment]
        first: list[CommandResult] = []
        receipts: list[str] = []
        looked_up = app._receipt

        def twin_saves_meanwhile(cmd: Command, ctx: Context) -> Decided:
            decided = decide(cmd, ctx)
            if not receipts and not first:
                receipts.append("twin running")
                first.append(world.run(command, world.sek["nord"], command_id="twin"))
            return decided

        def counted(key: str, *args: object) -> object:
            receipts.append(key)
            return looked_up(key, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(
            app, "_handlers", {**handlers, RegisterDepartment: twin_saves_meanwhile}
        )
        monkeypatch.setattr(app, "_receipt", counted)
        again = world.run(command, world.sek["nord"], command_id="twin")
        assert not first[0].replayed
        assert again.replayed
        assert [e.stream_id for e in again.events] == [e.stream_id for e in first[0].events]
        assert again.position == first[0].position == container.app.position()
        assert receipts == ["twin running", "sek-nord/twin"]  # looked up once, on the collision

    def test_retry_refused_by_its_first_run_returns_the_first_result(
        self, container: Container, world: World
    ) -> None:
        """A retry that the state its first run left refuses (the department exists now) gets
        the first result, not the refusal, and writes nothing."""
        command = RegisterDepartment.model_validate(
            {"code": "D9", "name": "Afd", "kind": "hospital", "region": "nord"}
        )
        first = world.run(command, world.sek["nord"], command_id="retry")
        before = container.app.position()
        with pytest.raises(Conflict):  # the same command under a new key is refused ...
            world.run(command, world.sek["nord"], command_id="another")
        again = world.run(command, world.sek["nord"], command_id="retry")  # ... a retry is not
        assert again.replayed
        assert [e.stream_id for e in again.events] == [e.stream_id for e in first.events]
        assert container.app.position() == before

    def test_keys_are_per_subject(self, container: Container, world: World) -> None:
        """Two users who happen to send the same key each get their own command recorded, and
        neither learns anything of the other's (issue 15, item 5)."""
        first = world.run(
            RegisterDepartment.model_validate(
                {"code": "N1", "name": "Nord", "kind": "hospital", "region": "nord"}
            ),
            world.sek["nord"],
            command_id="same-key",
        )
        second = world.run(
            RegisterDepartment.model_validate(
                {"code": "S1", "name": "Syd", "kind": "hospital", "region": "syd"}
            ),
            world.sek["syd"],
            command_id="same-key",
        )
        assert not first.replayed
        assert not second.replayed
        assert first.command_id == second.command_id == "same-key"
        assert {e.stream_id for e in first.events}.isdisjoint(e.stream_id for e in second.events)
        again = world.run(
            RegisterDepartment.model_validate(
                {"code": "S1", "name": "Syd", "kind": "hospital", "region": "syd"}
            ),
            world.sek["syd"],
            command_id="same-key",
        )
        assert again.replayed

    def test_same_key_other_payload_is_refused(self, container: Container, world: World) -> None:
        """Reusing a key for a different command writes nothing and says so."""
        world.run(
            RegisterDepartment.model_validate(
                {"code": "D9", "name": "Afd", "kind": "hospital", "region": "nord"}
            ),
            world.sek["nord"],
            command_id="key-1",
        )
        before = container.app.position()
        with pytest.raises(IdempotencyKeyReused):
            world.run(
                RegisterDepartment.model_validate(
                    {"code": "D10", "name": "Afd", "kind": "hospital", "region": "nord"}
                ),
                world.sek["nord"],
                command_id="key-1",
            )
        assert container.app.position() == before

    @pytest.mark.parametrize(
        "case",
        ["forbidden", "duplicate", "bad-content", "unknown-specialty", "stage-missing"],
    )
    def test_refused_commands_leave_the_position(
        self, container: Container, world: World, case: str
    ) -> None:
        """Whatever the reason for a refusal, the global position does not move."""
        before = container.app.position()
        publish = {
            "specialty_code": "kbu",
            "stage": "kbu",
            "label": "x",
            "effective_from": "2020-01-01",
            "nominal_duration_months": 12,
            "competencies": [competency("A")],
        }
        commands = {
            "forbidden": (
                RegisterSpecialty.model_validate(
                    {"code": "x", "name": "X", "stages": ["main"], "on_logbook_from": "2020-01-01"}
                ),
                world.sek["nord"],
                NotAllowed,
            ),
            "duplicate": (
                RegisterSpecialty.model_validate(
                    {"code": "kbu", "name": "X", "stages": ["kbu"], "on_logbook_from": "2020-01-01"}
                ),
                world.admin,
                Conflict,
            ),
            "bad-content": (
                PublishCurriculum.model_validate(
                    {**publish, "competencies": [competency("A"), competency("A")]}
                ),
                world.admin,
                InvalidInput,
            ),
            "unknown-specialty": (
                PublishCurriculum.model_validate({**publish, "specialty_code": "nope"}),
                world.admin,
                InvalidInput,
            ),
            "stage-missing": (
                PublishCurriculum.model_validate({**publish, "stage": "main"}),
                world.admin,
                InvalidInput,
            ),
        }
        command, actor, error = commands[case]
        with pytest.raises(error):
            world.run(command, actor)
        assert container.app.position() == before


class TestConcurrency:
    """Version conflicts between writers: retried on the server, If-Match for clients."""

    def test_stale_if_match_is_refused(self, container: Container, world: World) -> None:
        """If-Match with an old version of the target: 412, nothing written."""
        world.curriculum("2019", date(2019, 2, 1))
        dep = world.department()
        programme = world.programme(world.doctor(), date(2024, 2, 1))
        seen = container.app.repository.get(programme).version
        world.employ(programme, dep, date(2024, 2, 1), date(2024, 7, 31))
        before = container.app.position()
        command = AddEmployment(
            programme_id=programme, department_id=dep, start=date(2024, 8, 1), end=date(2025, 1, 31)
        )
        with pytest.raises(StaleVersion):
            world.run(command, world.sek["nord"], expected_version=seen)
        assert container.app.position() == before
        current = container.app.repository.get(programme).version
        world.run(command, world.sek["nord"], expected_version=current)

    def test_concurrent_writers_all_land_or_conflict_cleanly(
        self, container: Container, world: World
    ) -> None:
        """Threads adding disjoint employments to one programme: each lands or is refused with
        a clear conflict after the server's retries; none is lost silently or written twice."""
        world.curriculum("2019", date(2019, 2, 1))
        dep = world.department()
        programme = world.programme(world.doctor(), date(2020, 1, 1))
        errors: list[Exception] = []

        def add(month: int) -> None:
            try:
                world.employ(
                    programme,
                    dep,
                    date(2020 + month // 12, month % 12 + 1, 1),
                    date(2020 + month // 12, month % 12 + 1, 20),
                )
            except ConcurrencyConflict as error:
                errors.append(error)

        threads = [threading.Thread(target=add, args=(m,)) for m in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        landed = container.app.repository.get(programme).employments
        assert landed
        assert len(landed) + len(errors) == 8
        assert len({e.start for e in landed}) == len(landed)
        assert all("changed by others" in str(e) for e in errors)


class TestCatalogueReadModel:
    """The catalogue read model follows the log and equals a rebuild."""

    def test_catalogue_lists_and_equals_rebuild(self, container: Container, world: World) -> None:
        """After commands, the projected rows equal those of a fresh projection from event 1."""
        world.curriculum("2019", date(2019, 2, 1))
        world.curriculum("2024", date(2024, 9, 1))
        world.department("D1", "nord")
        world.department("D2", "syd", kind="general_practice")
        world.run(RetireSpecialty(code="kbu", retired_on=date(2030, 1, 1)), world.admin)
        container.runner.catch_up()
        rows = _catalogue_rows(container)
        assert [r["code"] for r in rows["catalogue_specialties"]] == ["kbu"]
        assert rows["catalogue_specialties"][0]["curriculum_versions"] == 2
        assert str(rows["catalogue_specialties"][0]["retired_on"]) == "2030-01-01"
        assert [r["label"] for r in rows["catalogue_curricula"]] == ["2019", "2024"]
        assert [r["code"] for r in rows["catalogue_departments"]] == ["D1", "D2"]
        # A fresh rebuild from the first event gives the same rows.
        assert_read_models_equal_rebuild(container)


def _catalogue_rows(container: Container) -> dict[str, list[dict[str, object]]]:
    tables = {
        "catalogue_specialties": "code",
        "catalogue_curricula": "curriculum_id",
        "catalogue_departments": "code",
    }
    return {
        table: container.read_store.fetchall(f"SELECT * FROM {table} ORDER BY {key}")
        for table, key in tables.items()
    }

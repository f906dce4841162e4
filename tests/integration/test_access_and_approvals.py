"""The access chain (R2), trainee access (R3), approvals (R4) and prior attestations (R10)."""

from __future__ import annotations

import threading
from datetime import date
from uuid import UUID

import pytest

from logbog_es.bootstrap import Container
from logbog_es.commands import (
    ApproveCompetency,
    DeclineAssessment,
    EndUaoAppointment,
    GrantSupervisorAccess,
    RecordCourseCompletion,
    RegisterPriorAttestation,
    RequestAssessment,
    RevokeSupervisorAccess,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import Conflict, InvalidInput, NotAllowed
from logbog_es.domain.programme import Programme
from logbog_es.domain.values import Capacity
from logbog_es.projections.supervisor_requests import pending_for
from tests.conftest import Clock
from tests.helpers import Ward, World


@pytest.fixture
def ward(container: Container) -> Ward:
    return Ward(World(container.app))


def approve(
    ward: Ward,
    approver: UUID,
    code: str = "K1",
    on: str = "2026-03-02",
    method: str = "mini_cex",
    command_id: str | None = None,
) -> object:
    return ward.world.run(
        ApproveCompetency.model_validate(
            {
                "programme_id": ward.programme,
                "competency_code": code,
                "method": method,
                "assessed_on": on,
            }
        ),
        ward.world.actor(approver),
        command_id=command_id,
    )


def programme(container: Container, ward: Ward) -> Programme:
    found = container.app.repository.get(ward.programme)
    assert isinstance(found, Programme)
    return found


class TestTraineeAccess:
    """R3: access from the first working day of the first employment, for good."""

    def test_access_starts_on_first_working_day(self, container: Container, ward: Ward) -> None:
        """Employment from New Year's Day 2026: access from Friday 2 January."""
        doctor = container.app.repository.get(ward.trainee)
        assert isinstance(doctor, Doctor)
        assert doctor.access_from == date(2026, 1, 2)

    def test_no_access_before_that_day(
        self, container: Container, clock: Clock, ward: Ward
    ) -> None:
        """On New Year's Day the trainee may not yet request an assessment."""
        clock.today = date(2026, 1, 1)
        with pytest.raises(NotAllowed, match="2026-01-02"):
            ward.world.run(
                RequestAssessment(
                    programme_id=ward.programme, competency_code="K1", supervisor_id=ward.main
                ),
                ward.world.actor(ward.trainee),
            )

    def test_access_lasts_through_later_programmes(self, container: Container, ward: Ward) -> None:
        """A later programme's employment does not move the access date."""
        w = ward.world
        w.specialty("akutmedicin", ("main",))
        w.curriculum("M1", date(2015, 1, 1), code="akutmedicin", stage="main")
        later = w.programme(ward.trainee, date(2027, 1, 1), code="akutmedicin", stage="main")
        w.employ(later, ward.department, date(2027, 2, 1), date(2028, 1, 31))
        doctor = container.app.repository.get(ward.trainee)
        assert doctor.access_from == date(2026, 1, 2)


class TestAccessChain:
    """R2: secretariat -> UAO/tutor -> supervisors; anyone else gets 403 with the reason."""

    def test_only_the_departments_uao_grants(self, container: Container, ward: Ward) -> None:
        """Another department's UAO, a supervisor and the secretariat may not grant here."""
        command = GrantSupervisorAccess(department_id=ward.department, supervisor_id=ward.plain)
        for actor in (
            ward.world.actor(ward.other_uao),
            ward.world.actor(ward.main),
            ward.world.sek["nord"],
        ):
            with pytest.raises(NotAllowed, match="UAO/tutor"):
                ward.world.run(command, actor)

    def test_only_the_regions_secretariat_appoints(self, container: Container, ward: Ward) -> None:
        """The syd secretariat cannot appoint at a nord department."""
        with pytest.raises(NotAllowed, match="region nord"):
            ward.world.appoint(ward.department, ward.plain, date(2026, 1, 1), region="syd")

    def test_ended_appointment_ends_the_right_to_grant(
        self, container: Container, clock: Clock, ward: Ward
    ) -> None:
        """After the last day of the appointment the former UAO may grant nothing."""
        access = container.app.repository.get(
            next(
                e.stream_id
                for e in ward.world.appoint(ward.department, ward.plain, date(2026, 2, 1)).events
            )
        )
        appointment = next(a for a in access.appointments if a.doctor_id == ward.plain)
        ward.world.run(
            EndUaoAppointment(
                department_id=ward.department,
                appointment_id=appointment.appointment_id,
                last_day=date(2026, 5, 31),
            ),
            ward.world.sek["nord"],
        )
        command = GrantSupervisorAccess(department_id=ward.department, supervisor_id=ward.trainee)
        with pytest.raises(NotAllowed):
            ward.world.run(command, ward.world.actor(ward.plain))
        clock.today = date(2026, 5, 31)
        with pytest.raises(InvalidInput, match="own supervisor"):  # allowed as UAO; bad input
            ward.world.run(
                GrantSupervisorAccess(
                    department_id=ward.department,
                    supervisor_id=ward.trainee,
                    trainee_ids=[ward.trainee],
                ),
                ward.world.actor(ward.plain),
            )


class TestApprovals:
    """R4: who may approve, on which day, by which method; every approval records who and how."""

    def test_delegated_main_and_uao_may_approve_plain_may_not(
        self, container: Container, ward: Ward
    ) -> None:
        """Delegated supervisor, main supervisor and UAO approve; a plain supervisor is refused."""
        with pytest.raises(NotAllowed, match="delegated"):
            approve(ward, ward.plain, "K1")
        approve(ward, ward.delegated, "K1")
        approve(ward, ward.main, "K2")
        approve(ward, ward.uao, "K3")
        recorded = {a.competency_code: a for a in programme(container, ward).approvals}
        assert recorded["K1"].capacity is Capacity.SUPERVISOR
        assert recorded["K1"].delegated_by == ward.uao
        assert recorded["K2"].capacity is Capacity.MAIN_SUPERVISOR
        assert recorded["K2"].delegated_by is None
        assert recorded["K3"].capacity is Capacity.UAO
        assert recorded["K1"].assessed_on == date(2026, 3, 2)

    def test_refusals_say_why(self, container: Container, ward: Ward) -> None:
        """Future date, unknown code, wrong method, outside employment, another department's UAO."""
        with pytest.raises(InvalidInput, match="future"):
            approve(ward, ward.uao, on="2026-07-01")
        with pytest.raises(InvalidInput, match="'K9'"):
            approve(ward, ward.uao, code="K9")
        with pytest.raises(InvalidInput, match="osats"):
            approve(ward, ward.uao, method="osats")
        with pytest.raises(NotAllowed, match="not employed"):
            approve(ward, ward.uao, on="2025-12-15")
        with pytest.raises(NotAllowed, match="did not hold"):
            approve(ward, ward.other_uao)

    def test_already_approved_names_when_and_by_whom(
        self, container: Container, ward: Ward
    ) -> None:
        """A second approval is a 409 naming the date and the approver."""
        approve(ward, ward.main)
        with pytest.raises(Conflict, match=r"2026-03-02 by Mette Main \(main-supervisor\)"):
            approve(ward, ward.uao, on="2026-04-01")

    def test_revoked_supervisor(self, container: Container, clock: Clock, ward: Ward) -> None:
        """Revoked from 1 May: approvals dated from then are refused, earlier ones accepted."""
        ward.world.run(
            RevokeSupervisorAccess(
                department_id=ward.department,
                grant_id=ward.delegated_grant,
                revoked_from=date(2026, 5, 1),
            ),
            ward.world.actor(ward.uao),
        )
        with pytest.raises(NotAllowed, match="did not hold"):
            approve(ward, ward.delegated, on="2026-05-01")
        approve(ward, ward.delegated, on="2026-04-30")

    def test_withdrawal_keeps_history_and_allows_reapproval(
        self, container: Container, ward: Ward
    ) -> None:
        """Only the UAO withdraws, with a reason; the approval stays, marked withdrawn."""
        approve(ward, ward.main)
        first = programme(container, ward).approvals[0]
        command = WithdrawApproval(
            programme_id=ward.programme,
            approval_id=first.approval_id,
            reason="Forkert patientforløb",
        )
        with pytest.raises(NotAllowed):
            ward.world.run(command, ward.world.actor(ward.main))
        ward.world.run(command, ward.world.actor(ward.uao))
        approve(ward, ward.delegated, on="2026-04-01")
        approvals = programme(container, ward).approvals
        assert [(a.approver_id, a.withdrawn) for a in approvals] == [
            (ward.main, True),
            (ward.delegated, False),
        ]

    def test_twenty_concurrent_approvals_give_exactly_one(
        self, container: Container, ward: Ward
    ) -> None:
        """Twenty threads approve the same competency: one approval, nineteen clear conflicts."""
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(n: int) -> None:
            try:
                approve(ward, ward.uao, on=f"2026-03-{n % 28 + 1:02d}")
                result = "approved"
            except Conflict as error:
                result = error.code
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("approved") == 1
        assert set(outcomes) - {"approved"} <= {"logbook.already_approved", "command.concurrency"}
        assert (
            len([a for a in programme(container, ward).approvals if a.competency_code == "K1"]) == 1
        )


class TestRequests:
    """request-assessment shows in the supervisor's list until approved or declined."""

    def test_request_listed_then_closed(self, container: Container, ward: Ward) -> None:
        """The request appears for the supervisor asked; approving it removes it."""
        trainee = ward.world.actor(ward.trainee)
        ward.world.run(
            RequestAssessment(
                programme_id=ward.programme, competency_code="K1", supervisor_id=ward.main
            ),
            trainee,
        )
        ward.world.run(
            RequestAssessment(
                programme_id=ward.programme, competency_code="K2", supervisor_id=ward.plain
            ),
            trainee,
        )
        container.runner.catch_up()
        listed = pending_for(container.read_store, str(ward.main))
        assert [(r["competency_code"], r["trainee_name"]) for r in listed] == [
            ("K1", "Trine Trainee")
        ]
        approve(ward, ward.main, "K1")
        plain_request = next(
            r for r in programme(container, ward).requests.values() if r.competency_code == "K2"
        )
        with pytest.raises(NotAllowed):
            ward.world.run(
                DeclineAssessment(
                    programme_id=ward.programme, request_id=plain_request.request_id, reason="x"
                ),
                ward.world.actor(ward.main),
            )
        ward.world.run(
            DeclineAssessment(
                programme_id=ward.programme,
                request_id=plain_request.request_id,
                reason="Ikke nok erfaring endnu",
            ),
            ward.world.actor(ward.plain),
        )
        container.runner.catch_up()
        assert pending_for(container.read_store, str(ward.main)) == []
        assert pending_for(container.read_store, str(ward.plain)) == []

    def test_supervisor_without_access_cannot_be_asked(
        self, container: Container, ward: Ward
    ) -> None:
        """Asking a doctor with no access to the trainee names the field."""
        with pytest.raises(InvalidInput) as raised:
            ward.world.run(
                RequestAssessment(
                    programme_id=ward.programme, competency_code="K1", supervisor_id=ward.other_uao
                ),
                ward.world.actor(ward.trainee),
            )
        assert raised.value.field == "supervisor_id"


class TestCoursesAndPriorAttestations:
    """Courses by the UAO or the secretariat; paper attestations count once verified (R10)."""

    def test_course_completion(self, container: Container, ward: Ward) -> None:
        """The UAO records a course; a second record of it is a conflict; a trainee may not."""
        command = RecordCourseCompletion.model_validate(
            {
                "programme_id": ward.programme,
                "course_code": "C1",
                "completed_on": "2026-02-02",
                "days": 2,
                "evidence_ref": "Bevis 1",
            }
        )
        with pytest.raises(NotAllowed):
            ward.world.run(command, ward.world.actor(ward.trainee))
        ward.world.run(command, ward.world.actor(ward.uao))
        with pytest.raises(Conflict):
            ward.world.run(command, ward.world.sek["nord"])
        assert programme(container, ward).courses["C1"].days == 2

    def test_prior_attestation_counts_once_verified(self, container: Container, ward: Ward) -> None:
        """Registered by the trainee; only the current UAO verifies; then it counts."""
        ward.world.run(
            RegisterPriorAttestation.model_validate(
                {
                    "programme_id": ward.programme,
                    "kind": "competency",
                    "code": "K2",
                    "attested_on": "2020-05-04",
                    "attested_by": "Overlæge",
                    "document_ref": "p. 4",
                }
            ),
            ward.world.actor(ward.trainee),
        )
        attestation = next(iter(programme(container, ward).prior_attestations.values()))
        assert not attestation.counts
        verify = VerifyPriorAttestation(
            programme_id=ward.programme, attestation_id=attestation.attestation_id
        )
        with pytest.raises(NotAllowed):
            ward.world.run(verify, ward.world.actor(ward.other_uao))
        ward.world.run(verify, ward.world.actor(ward.uao))
        verified = programme(container, ward).prior_attestations[attestation.attestation_id]
        assert verified.counts
        assert verified.verified_by == ward.uao

    def test_attestation_after_coming_onto_the_logbook_is_refused(
        self, container: Container, ward: Ward
    ) -> None:
        """An attestation dated after the doctor came onto the logbook is not a prior one."""
        with pytest.raises(InvalidInput, match="R10"):
            ward.world.run(
                RegisterPriorAttestation.model_validate(
                    {
                        "programme_id": ward.programme,
                        "kind": "course",
                        "code": "C1",
                        "attested_on": "2026-02-01",
                        "attested_by": "X",
                        "document_ref": "y",
                    }
                ),
                ward.world.actor(ward.trainee),
            )

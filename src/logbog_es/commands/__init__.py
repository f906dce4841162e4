"""The command contract: one pydantic model per command (input only).

`COMMANDS` maps each kebab-case name to its model; the API, the CLI and the JSON Schemas in
the top-level `commands/` folder are all generated from it.
"""

from __future__ import annotations

from logbog_es.commands.access import (
    AppointUao,
    EndUaoAppointment,
    GrantSupervisorAccess,
    RevokeSupervisorAccess,
)
from logbog_es.commands.base import Command
from logbog_es.commands.dossier import SubmitDocumentation, SubmitSupplementaryDocumentation
from logbog_es.commands.evaluation import RespondToEvaluations, SubmitEvaluation
from logbog_es.commands.logbook import (
    ApproveCompetency,
    DeclineAssessment,
    RecordCourseCompletion,
    RegisterPriorAttestation,
    RequestAssessment,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.commands.people import (
    AddEmployment,
    ChangeCurriculumVersion,
    GrantStaff,
    RegisterDoctor,
    RevokeIdentityLink,
    RevokeStaff,
    StartProgramme,
)
from logbog_es.commands.reference import (
    PublishCurriculum,
    RegisterDepartment,
    RegisterSpecialty,
    RetireSpecialty,
)
from logbog_es.commands.reminders import ChooseReminderMail
from logbog_es.commands.time import (
    AttestEmploymentTime,
    ChangeEmploymentFraction,
    ExtendEmployment,
    RecordAbsence,
)

COMMANDS: dict[str, type[Command]] = {
    model.NAME: model
    for model in (
        RegisterSpecialty,
        RetireSpecialty,
        PublishCurriculum,
        RegisterDepartment,
        RegisterDoctor,
        StartProgramme,
        AddEmployment,
        ChangeCurriculumVersion,
        GrantStaff,
        RevokeStaff,
        AppointUao,
        EndUaoAppointment,
        GrantSupervisorAccess,
        RevokeSupervisorAccess,
        RequestAssessment,
        ApproveCompetency,
        DeclineAssessment,
        WithdrawApproval,
        RecordCourseCompletion,
        RegisterPriorAttestation,
        VerifyPriorAttestation,
        RecordAbsence,
        ChangeEmploymentFraction,
        ExtendEmployment,
        AttestEmploymentTime,
        SubmitDocumentation,
        SubmitSupplementaryDocumentation,
        SubmitEvaluation,
        RespondToEvaluations,
        ChooseReminderMail,
        RevokeIdentityLink,
    )
}

__all__ = [
    "COMMANDS",
    "AddEmployment",
    "AppointUao",
    "ApproveCompetency",
    "AttestEmploymentTime",
    "ChangeCurriculumVersion",
    "ChangeEmploymentFraction",
    "ChooseReminderMail",
    "Command",
    "DeclineAssessment",
    "EndUaoAppointment",
    "ExtendEmployment",
    "GrantStaff",
    "GrantSupervisorAccess",
    "PublishCurriculum",
    "RecordAbsence",
    "RecordCourseCompletion",
    "RegisterDepartment",
    "RegisterDoctor",
    "RegisterPriorAttestation",
    "RegisterSpecialty",
    "RequestAssessment",
    "RespondToEvaluations",
    "RetireSpecialty",
    "RevokeIdentityLink",
    "RevokeStaff",
    "RevokeSupervisorAccess",
    "StartProgramme",
    "SubmitDocumentation",
    "SubmitEvaluation",
    "SubmitSupplementaryDocumentation",
    "VerifyPriorAttestation",
    "WithdrawApproval",
]

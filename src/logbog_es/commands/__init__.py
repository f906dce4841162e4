"""The command contract: one pydantic model per command (input only).

`COMMANDS` maps each kebab-case name to its model; the API, the CLI and the JSON Schemas in
the top-level `commands/` folder are all generated from it.
"""

from __future__ import annotations

from logbog_es.commands.base import Command
from logbog_es.commands.people import (
    AddEmployment,
    ChangeCurriculumVersion,
    GrantStaff,
    RegisterDoctor,
    RevokeStaff,
    StartProgramme,
)
from logbog_es.commands.reference import (
    PublishCurriculum,
    RegisterDepartment,
    RegisterSpecialty,
    RetireSpecialty,
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
    )
}

__all__ = [
    "COMMANDS",
    "AddEmployment",
    "ChangeCurriculumVersion",
    "Command",
    "GrantStaff",
    "PublishCurriculum",
    "RegisterDepartment",
    "RegisterDoctor",
    "RegisterSpecialty",
    "RetireSpecialty",
    "RevokeStaff",
    "StartProgramme",
]

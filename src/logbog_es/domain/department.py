"""Departments (afdelinger) and general practices (praksis), each in one training region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import CopiedOneLevel, Created, LogbogAggregate, Meta, stable_id
from logbog_es.domain.values import DepartmentKind, Region, check_code, check_text


def department_id(code: str) -> UUID:
    return stable_id("department", code)


class Department(CopiedOneLevel, LogbogAggregate):
    """A department or general practice that employs trainees."""

    TOPIC = "logbog:Department"

    if TYPE_CHECKING:
        code: str
        name: str
        kind: DepartmentKind
        region: Region

    class Registered(Created):
        TOPIC = "logbog:Department.Registered"
        code: str
        name: str
        kind: str
        region: str

        def apply(self, aggregate: Any) -> None:
            aggregate.code = self.code
            aggregate.name = self.name
            aggregate.kind = DepartmentKind(self.kind)
            aggregate.region = Region(self.region)

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: DepartmentKind, region: Region, meta: Meta
    ) -> Department:
        check_code(code, "code")
        name = check_text(name, "name")
        return cls._start(
            cls.Registered,
            department_id(code),
            meta,
            code=code,
            name=name,
            kind=kind.value,
            region=region.value,
        )

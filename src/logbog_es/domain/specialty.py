"""Specialties as reference data, and the index of their curriculum versions (R1, R12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.errors import Conflict, InvalidInput, NotFound
from logbog_es.domain.values import Competency, Course, Stage, check_code, check_text


def specialty_id(code: str) -> UUID:
    return stable_id("specialty", code)


@dataclass(frozen=True, slots=True)
class CurriculumRef:
    """A published curriculum version as the specialty indexes it (for R1 pinning)."""

    curriculum_id: UUID
    stage: Stage
    label: str
    effective_from: date
    sequence: int  # publication order within the specialty, 1-based


def pinned_version(
    versions: tuple[CurriculumRef, ...], stage: Stage, hiring_date: date
) -> CurriculumRef | None:
    """R1 version pinning: the newest version of `stage` in effect on `hiring_date`.

    Newest means the latest `effective_from` on or before the hiring date; of versions taking
    effect on the same day the one published last wins. None when no version was in effect.
    """
    candidates = [v for v in versions if v.stage == stage and v.effective_from <= hiring_date]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.effective_from, v.sequence))


class Specialty(LogbogAggregate):
    """A specialty (or KBU) with its stages, its date on the logbook and its curricula."""

    TOPIC = "logbog:Specialty"

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        name: str
        stages: tuple[Stage, ...]
        on_logbook_from: date
        retired_on: date | None
        curricula: tuple[CurriculumRef, ...]

    class Registered(Created):
        TOPIC = "logbog:Specialty.Registered"
        code: str
        name: str
        stages: list[str]
        on_logbook_from: date

        def apply(self, aggregate: Any) -> None:
            aggregate.code = self.code
            aggregate.name = self.name
            aggregate.stages = tuple(Stage(s) for s in self.stages)
            aggregate.on_logbook_from = self.on_logbook_from
            aggregate.retired_on = None
            aggregate.curricula = ()

    class Retired(Event):
        TOPIC = "logbog:Specialty.Retired"
        retired_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.retired_on = self.retired_on

    class CurriculumVersionAdded(Event):
        TOPIC = "logbog:Specialty.CurriculumVersionAdded"
        curriculum_id: UUID
        stage: str
        label: str
        effective_from: date

        def apply(self, aggregate: Any) -> None:
            ref = CurriculumRef(
                curriculum_id=self.curriculum_id,
                stage=Stage(self.stage),
                label=self.label,
                effective_from=self.effective_from,
                sequence=len(aggregate.curricula) + 1,
            )
            aggregate.curricula = (*aggregate.curricula, ref)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        stages: tuple[Stage, ...],
        on_logbook_from: date,
        meta: Meta,
    ) -> Specialty:
        check_code(code, "code")
        name = check_text(name, "name")
        if not stages:
            raise InvalidInput("specialty.no_stages", field="stages")
        seen: set[Stage] = set()
        for index, stage in enumerate(stages):
            if stage in seen:
                raise InvalidInput(
                    "specialty.duplicate_stage", field=f"stages[{index}]", stage=stage.value
                )
            seen.add(stage)
        return cls._start(
            cls.Registered,
            specialty_id(code),
            meta,
            code=code,
            name=name,
            stages=[s.value for s in stages],
            on_logbook_from=on_logbook_from,
        )

    def retire(self, retired_on: date, meta: Meta) -> None:
        if self.retired_on is not None:
            raise Conflict("specialty.already_retired", code=self.code, retired_on=self.retired_on)
        if retired_on < self.on_logbook_from:
            raise InvalidInput(
                "specialty.retire_before_start",
                field="retired_on",
                retired_on=retired_on,
                on_logbook_from=self.on_logbook_from,
            )
        self._record(self.Retired, meta.effective(retired_on), retired_on=retired_on)

    def check_stage(self, stage: Stage, field: str = "stage") -> None:
        if stage not in self.stages:
            raise InvalidInput(
                "specialty.stage_missing",
                field=field,
                code=self.code,
                stage=stage.value,
                stages=", ".join(s.value for s in self.stages),
            )

    def check_open_on(self, day: date) -> None:
        """Nothing new starts in a retired specialty from its retirement date."""
        if self.retired_on is not None and day >= self.retired_on:
            raise Conflict("specialty.retired", code=self.code, retired_on=self.retired_on, on=day)

    def logbook_from(self, access_from: date | None) -> date:
        """R10: the first day a doctor of this specialty is on the electronic logbook, the later
        of the specialty's coming onto it and the doctor's own access; a paper attestation must
        be from before it."""
        return max(self.on_logbook_from, access_from) if access_from else self.on_logbook_from

    def publish_curriculum(
        self,
        *,
        stage: Stage,
        label: str,
        effective_from: date,
        nominal_duration_months: int,
        competencies: tuple[Competency, ...],
        courses: tuple[Course, ...],
        meta: Meta,
    ) -> CurriculumVersion:
        """A new målbeskrivelse version of this specialty, listed here: both aggregates change."""
        self.check_stage(stage)
        version = CurriculumVersion.publish(
            specialty_code=self.code,
            stage=stage,
            label=label,
            effective_from=effective_from,
            nominal_duration_months=nominal_duration_months,
            competencies=competencies,
            courses=courses,
            meta=meta,
        )
        self.add_curriculum_version(
            curriculum_id=version.id,
            stage=stage,
            label=version.label,
            effective_from=effective_from,
            meta=meta,
        )
        return version

    def add_curriculum_version(
        self, *, curriculum_id: UUID, stage: Stage, label: str, effective_from: date, meta: Meta
    ) -> None:
        self.check_stage(stage)
        if any(v.stage == stage and v.label == label for v in self.curricula):
            raise Conflict(
                "curriculum.label_exists", code=self.code, stage=stage.value, label=label
            )
        if effective_from < self.on_logbook_from:
            raise InvalidInput(
                "curriculum.before_specialty",
                field="effective_from",
                effective_from=effective_from,
                code=self.code,
                on_logbook_from=self.on_logbook_from,
            )
        self.check_open_on(effective_from)
        self._record(
            self.CurriculumVersionAdded,
            meta.effective(effective_from),
            curriculum_id=curriculum_id,
            stage=stage.value,
            label=label,
            effective_from=effective_from,
        )

    def pin(self, stage: Stage, hiring_date: date) -> CurriculumRef:
        """R1: the version a programme hired on `hiring_date` follows."""
        self.check_stage(stage)
        ref = pinned_version(self.curricula, stage, hiring_date)
        if ref is None:
            later = [v.effective_from for v in self.curricula if v.stage == stage]
            hint = (
                f"the earliest takes effect on {min(later)}"
                if later
                else "none is published yet; a curriculum administrator must publish one first"
            )
            raise Conflict(
                "curriculum.none_in_effect",
                stage=stage.value,
                code=self.code,
                hiring_date=hiring_date,
                hint=hint,
            )
        return ref

    def curriculum_ref(self, curriculum_id: UUID) -> CurriculumRef:
        for ref in self.curricula:
            if ref.curriculum_id == curriculum_id:
                return ref
        raise NotFound("curriculum.unknown", curriculum_id=curriculum_id)

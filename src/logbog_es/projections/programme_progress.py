"""The programme progress read model: how far each programme has come.

It processes a whole batch in memory: it loads the rows of the programmes the batch touches,
applies the events to them, and writes back only what changed, with `executemany`. The hot
path (approvals) costs a couple of row writes instead of several statements per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.projections.runner import Batch, Projection
from logbog_es.projections.store import ReadStore, Row, Tx

COMPETENCY = "competency"
COURSE = "course"

_PROGRAMME_EVENTS = (
    Programme.Started,
    Programme.CurriculumVersionPinned,
    Programme.CurriculumVersionChanged,
    Programme.EmploymentAdded,
    Programme.EmploymentExtended,
    Programme.CompetencyApproved,
    Programme.ApprovalWithdrawn,
    Programme.CourseCompleted,
    Programme.PriorAttestationRegistered,
    Programme.PriorAttestationVerified,
)


@dataclass
class _Prog:
    row: dict[str, Any]
    credits: dict[str, list[Any]]  # credit id -> [kind, code, active]
    roles: dict[str, tuple[int, int]]  # role -> (total, approved) as stored
    new: bool = False
    new_credits: set[str] = field(default_factory=set)
    dirty_credits: set[str] = field(default_factory=set)


class ProgrammeProgress(Projection):
    name = "programme_progress"
    topics = frozenset(
        [Doctor.Registered.TOPIC, CurriculumVersion.Published.TOPIC]
        + [e.TOPIC for e in _PROGRAMME_EVENTS]
    )

    def __init__(self) -> None:
        # Curriculum versions never change, so their items may be cached across batches.
        self._curricula: dict[str, list[tuple[str, str, str]]] = {}

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        self.apply_batch(tx, [(event, position)])

    def apply_batch(self, tx: Tx, batch: Batch) -> None:
        people: list[tuple[str, str]] = []
        curriculum_rows: list[tuple[str, str, str, str]] = []
        employments: list[tuple[Any, ...]] = []
        extensions: list[tuple[str, str]] = []
        names: dict[str, str] = {}
        touched = {str(e.originator_id) for e, _ in batch if isinstance(e, _PROGRAMME_EVENTS)}
        progs = self._load(tx, touched)
        for event, position in batch:
            if isinstance(event, Doctor.Registered):
                people.append((str(event.originator_id), event.name))
                names[str(event.originator_id)] = event.name
            elif isinstance(event, CurriculumVersion.Published):
                items = [(COMPETENCY, c["code"], ",".join(c["roles"])) for c in event.competencies]
                items += [(COURSE, c["code"], "") for c in event.courses]
                self._curricula[str(event.originator_id)] = items
                curriculum_rows += [(str(event.originator_id), *i) for i in items]
            elif isinstance(event, Programme.Started):
                pid = str(event.originator_id)
                trainee = str(event.doctor_id)
                progs[pid] = _Prog(
                    row={
                        "programme_id": pid,
                        "trainee_id": trainee,
                        "trainee_name": names.get(trainee) or self._name(tx, trainee),
                        "specialty_code": event.specialty_code,
                        "stage": event.stage,
                        "region": event.region,
                        "hiring_date": event.hiring_date.isoformat(),
                        "curriculum_id": "",
                        "curriculum_label": "",
                        "last_event_position": position,
                    },
                    credits={},
                    roles={},
                    new=True,
                )
            elif isinstance(event, _PROGRAMME_EVENTS):
                prog = progs[str(event.originator_id)]
                self._programme_event(prog, event, position, employments, extensions)
        if people:
            tx.executemany("INSERT INTO progress_people (doctor_id, name) VALUES (?, ?)", people)
        _many(
            tx,
            "INSERT INTO progress_curriculum_items (curriculum_id, kind, code, roles) "
            "VALUES (?, ?, ?, ?)",
            curriculum_rows,
        )
        _many(
            tx,
            "INSERT INTO progress_employments (employment_id, programme_id, department_id, "
            "start_date, end_date, percent) VALUES (?, ?, ?, ?, ?, ?)",
            employments,
        )
        _many(
            tx, "UPDATE progress_employments SET end_date = ? WHERE employment_id = ?", extensions
        )
        self._write(tx, progs)

    # -- applying ----------------------------------------------------------------------------

    @staticmethod
    def _programme_event(
        prog: _Prog,
        event: Any,
        position: int,
        employments: list[tuple[Any, ...]],
        extensions: list[tuple[str, str]],
    ) -> None:
        prog.row["last_event_position"] = position
        if isinstance(event, Programme.CurriculumVersionPinned):
            prog.row["curriculum_id"] = str(event.curriculum_id)
            prog.row["curriculum_label"] = event.label
        elif isinstance(event, Programme.CurriculumVersionChanged):
            prog.row["curriculum_id"] = str(event.to_curriculum_id)
            prog.row["curriculum_label"] = event.label
        elif isinstance(event, Programme.EmploymentAdded):
            employments.append(
                (
                    str(event.employment_id),
                    prog.row["programme_id"],
                    str(event.department_id),
                    event.start.isoformat(),
                    event.end.isoformat(),
                    event.percent,
                )
            )
        elif isinstance(event, Programme.EmploymentExtended):
            extensions.append((event.new_end.isoformat(), str(event.employment_id)))
        elif isinstance(event, Programme.CompetencyApproved):
            _add_credit(prog, str(event.approval_id), COMPETENCY, event.competency_code, 1)
        elif isinstance(event, Programme.CourseCompleted):
            credit = f"course:{prog.row['programme_id']}:{event.course_code}"
            _add_credit(prog, credit, COURSE, event.course_code, 1)
        elif isinstance(event, Programme.PriorAttestationRegistered):
            _add_credit(prog, str(event.attestation_id), event.kind, event.code, 0)
        elif isinstance(event, Programme.ApprovalWithdrawn):
            _set_credit(prog, str(event.approval_id), 0)
        elif isinstance(event, Programme.PriorAttestationVerified):
            _set_credit(prog, str(event.attestation_id), 1)

    # -- loading and writing -----------------------------------------------------------------

    def _curriculum(self, tx: Tx, curriculum_id: str) -> list[tuple[str, str, str]]:
        if curriculum_id not in self._curricula:
            rows = tx.fetchall(
                "SELECT kind, code, roles FROM progress_curriculum_items WHERE curriculum_id = ?",
                (curriculum_id,),
            )
            self._curricula[curriculum_id] = [(r["kind"], r["code"], r["roles"]) for r in rows]
        return self._curricula[curriculum_id]

    @staticmethod
    def _name(tx: Tx, doctor_id: str) -> str:
        rows = tx.fetchall("SELECT name FROM progress_people WHERE doctor_id = ?", (doctor_id,))
        return str(rows[0]["name"]) if rows else ""

    @staticmethod
    def _load(tx: Tx, ids: set[str]) -> dict[str, _Prog]:
        if not ids:
            return {}
        keys = sorted(ids)
        marks = ", ".join("?" for _ in keys)
        progs = {
            r["programme_id"]: _Prog(row=dict(r), credits={}, roles={})
            for r in tx.fetchall(
                "SELECT programme_id, trainee_id, trainee_name, specialty_code, stage, region, "  # noqa: S608
                "hiring_date, curriculum_id, curriculum_label, last_event_position "
                f"FROM progress_programmes WHERE programme_id IN ({marks})",
                keys,
            )
        }
        if not progs:
            return progs
        for r in tx.fetchall(
            "SELECT credit_id, programme_id, kind, code, active FROM progress_credits "  # noqa: S608
            f"WHERE programme_id IN ({marks})",
            keys,
        ):
            progs[r["programme_id"]].credits[r["credit_id"]] = [r["kind"], r["code"], r["active"]]
        for r in tx.fetchall(
            "SELECT programme_id, role, competencies_total, competencies_approved "  # noqa: S608
            f"FROM progress_roles WHERE programme_id IN ({marks})",
            keys,
        ):
            progs[r["programme_id"]].roles[r["role"]] = (
                int(r["competencies_total"]),
                int(r["competencies_approved"]),
            )
        return progs

    def _write(self, tx: Tx, progs: dict[str, _Prog]) -> None:
        inserts, updates = [], []
        role_inserts, role_updates, role_deletes = [], [], []
        credit_inserts, credit_updates = [], []
        for pid, prog in progs.items():
            items = (
                self._curriculum(tx, prog.row["curriculum_id"]) if prog.row["curriculum_id"] else []
            )
            done = {(c[0], c[1]) for c in prog.credits.values() if c[2]}
            counts = [0, 0, 0, 0]
            per_role: dict[str, tuple[int, int]] = {}
            for kind, code, roles in items:
                finished = (kind, code) in done
                offset = 0 if kind == COMPETENCY else 2
                counts[offset] += 1
                counts[offset + 1] += finished
                for role in roles.split(",") if roles else ():
                    total, approved = per_role.get(role, (0, 0))
                    per_role[role] = (total + 1, approved + finished)
            row = prog.row
            values = (
                row["trainee_name"],
                row["curriculum_id"],
                row["curriculum_label"],
                *counts,
                row["last_event_position"],
            )
            if prog.new:
                inserts.append(
                    (
                        pid,
                        row["trainee_id"],
                        row["specialty_code"],
                        row["stage"],
                        row["region"],
                        row["hiring_date"],
                        *values,
                    )
                )
            else:
                updates.append((*values, pid))
            for role, tally in per_role.items():
                if role not in prog.roles:
                    role_inserts.append((pid, role, *tally))
                elif prog.roles[role] != tally:
                    role_updates.append((*tally, pid, role))
            role_deletes += [(pid, role) for role in prog.roles if role not in per_role]
            credit_inserts += [(c, pid, *prog.credits[c]) for c in prog.new_credits]
            credit_updates += [
                (prog.credits[c][2], c) for c in prog.dirty_credits - prog.new_credits
            ]
        _many(
            tx,
            "INSERT INTO progress_programmes (programme_id, trainee_id, specialty_code, stage, "
            "region, hiring_date, trainee_name, curriculum_id, curriculum_label, "
            "competencies_total, competencies_approved, courses_total, courses_done, "
            "last_event_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        _many(
            tx,
            "UPDATE progress_programmes SET trainee_name = ?, curriculum_id = ?, "
            "curriculum_label = ?, competencies_total = ?, competencies_approved = ?, "
            "courses_total = ?, courses_done = ?, last_event_position = ? "
            "WHERE programme_id = ?",
            updates,
        )
        _many(
            tx,
            "INSERT INTO progress_roles (programme_id, role, competencies_total, "
            "competencies_approved) VALUES (?, ?, ?, ?)",
            role_inserts,
        )
        _many(
            tx,
            "UPDATE progress_roles SET competencies_total = ?, competencies_approved = ? "
            "WHERE programme_id = ? AND role = ?",
            role_updates,
        )
        _many(tx, "DELETE FROM progress_roles WHERE programme_id = ? AND role = ?", role_deletes)
        _many(
            tx,
            "INSERT INTO progress_credits (credit_id, programme_id, kind, code, active) "
            "VALUES (?, ?, ?, ?, ?)",
            credit_inserts,
        )
        _many(tx, "UPDATE progress_credits SET active = ? WHERE credit_id = ?", credit_updates)


def _add_credit(prog: _Prog, credit_id: str, kind: str, code: str, active: int) -> None:
    prog.credits[credit_id] = [kind, code, active]
    prog.new_credits.add(credit_id)


def _set_credit(prog: _Prog, credit_id: str, active: int) -> None:
    prog.credits[credit_id][2] = active
    prog.dirty_credits.add(credit_id)


def _many(tx: Tx, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if rows:
        tx.executemany(sql, rows)


# -- queries --------------------------------------------------------------------------------


def progress(store: ReadStore, programme_id: str) -> Row | None:
    rows = store.fetchall(
        "SELECT * FROM progress_programmes WHERE programme_id = ?", (programme_id,)
    )
    return rows[0] if rows else None


def roles(store: ReadStore, programme_id: str) -> list[Row]:
    return store.fetchall(
        "SELECT role, competencies_total, competencies_approved FROM progress_roles "
        "WHERE programme_id = ? ORDER BY role",
        (programme_id,),
    )


def employments(store: ReadStore, programme_id: str) -> list[Row]:
    return store.fetchall(
        "SELECT employment_id, department_id, start_date, end_date, percent "
        "FROM progress_employments WHERE programme_id = ? ORDER BY start_date",
        (programme_id,),
    )


def curricula_of(store: ReadStore, programme_ids: list[str]) -> dict[str, str]:
    """The curriculum version each programme follows (programme id -> curriculum id)."""
    if not programme_ids:
        return {}
    marks = ", ".join("?" for _ in programme_ids)
    rows = store.fetchall(
        f"SELECT programme_id, curriculum_id FROM progress_programmes "  # noqa: S608 - marks only
        f"WHERE programme_id IN ({marks})",
        programme_ids,
    )
    return {r["programme_id"]: r["curriculum_id"] for r in rows}

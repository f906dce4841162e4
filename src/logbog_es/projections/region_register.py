"""The region register read model: every trainee of a region, for the secretariat."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal, get_args

from eventsourcing.domain import DomainEventProtocol

from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.projections.paging import Page, Sort, keyset_page
from logbog_es.projections.runner import Projection
from logbog_es.projections.store import ReadStore, Tx


class RegionRegister(Projection):
    name = "region_register"
    topics = frozenset(
        {
            "logbog:Doctor.Registered",
            "logbog:Department.Registered",
            "logbog:Programme.Started",
            "logbog:Programme.CurriculumVersionPinned",
            "logbog:Programme.CurriculumVersionChanged",
            "logbog:Programme.EmploymentAdded",
            "logbog:Programme.EmploymentExtended",
        }
    )

    def apply(self, tx: Tx, event: DomainEventProtocol[Any], position: int) -> None:
        if isinstance(event, Doctor.Registered):
            tx.execute(
                "INSERT INTO register_people (doctor_id, name, authorisation_id) VALUES (?, ?, ?)",
                (str(event.originator_id), event.name, event.authorisation_id),
            )
        elif isinstance(event, Department.Registered):
            tx.execute(
                "INSERT INTO register_departments (department_id, name) VALUES (?, ?)",
                (str(event.originator_id), event.name),
            )
        elif isinstance(event, Programme.Started):
            tx.execute(
                "INSERT INTO register_programmes (programme_id, region, trainee_id, trainee_name, "
                "authorisation_id, specialty_code, stage, hiring_date, curriculum_label) "
                "SELECT ?, ?, doctor_id, name, authorisation_id, ?, ?, ?, '' FROM register_people "
                "WHERE doctor_id = ?",
                (
                    str(event.originator_id),
                    event.region,
                    event.specialty_code,
                    event.stage,
                    event.hiring_date.isoformat(),
                    str(event.doctor_id),
                ),
            )
        elif isinstance(
            event, Programme.CurriculumVersionPinned | Programme.CurriculumVersionChanged
        ):
            tx.execute(
                "UPDATE register_programmes SET curriculum_label = ? WHERE programme_id = ?",
                (event.label, str(event.originator_id)),
            )
        elif isinstance(event, Programme.EmploymentAdded):
            tx.execute(
                "INSERT INTO register_employments (employment_id, programme_id, department_id, "
                "department_name, start_date, end_date) "
                "SELECT ?, ?, department_id, name, ?, ? FROM register_departments "
                "WHERE department_id = ?",
                (
                    str(event.employment_id),
                    str(event.originator_id),
                    event.start.isoformat(),
                    event.end.isoformat(),
                    str(event.department_id),
                ),
            )
        elif isinstance(event, Programme.EmploymentExtended):
            tx.execute(
                "UPDATE register_employments SET end_date = ? WHERE employment_id = ?",
                (event.new_end.isoformat(), str(event.employment_id)),
            )


Status = Literal["not_started", "active", "ended"]
#: `ends_soon_unapproved`: an employment ending within this many days, competencies missing.
ENDS_SOON_DAYS = 60
Flag = Literal["ends_soon_unapproved", "all_approved", "extension_needed"]
BASE_SORTS = ("trainee_name", "hiring_date", "specialty_code")
SORTS = {
    "trainee_name": "trainee_name",
    "hiring_date": "hiring_date",
    "current_end": "current_end",
    "specialty": "specialty_code",
}


def register(
    store: ReadStore,
    region: str,
    *,
    today: date,
    specialty_code: str | None = None,
    stage: str | None = None,
    status: Status | None = None,
    department_id: str | None = None,
    flag: Flag | None = None,
    sort: Sort,
    cursor: str | None,
    limit: int,
) -> Page:
    """The region's programmes with status, current department, progress and flags.

    `ends_soon_unapproved`: the current employment ends within 60 days while competencies are
    still unapproved. `all_approved`: every competency and course of the pinned version is done
    (readiness for STPS also needs time attestations: see the readiness endpoint).
    `extension_needed`: part time or absence (R5, R6) requires an employment to last beyond its
    recorded end; `extension_to` is the earliest such required end (read model required_time).
    """
    now = today.isoformat()
    soon = (today + timedelta(days=ENDS_SOON_DAYS)).isoformat()
    only = ""
    only_params: list[Any] = []
    page_first = sort.column in BASE_SORTS and status is None and department_id is None and not flag
    if page_first:
        # The common view (the region's trainees by name): pick the page from the base table,
        # which its index orders, then compute status, department and flags for those rows.
        page = keyset_page(
            store,
            "SELECT programme_id, trainee_name, hiring_date, specialty_code, stage "
            "FROM register_programmes WHERE region = ?",
            [region],
            where=" AND ".join(
                ["1 = 1"]
                + [
                    f"{c} = ?"
                    for c, v in (("specialty_code", specialty_code), ("stage", stage))
                    if v
                ]
            ),
            where_params=[v for v in (specialty_code, stage) if v],
            sort=sort,
            tiebreak="programme_id",
            cursor=cursor,
            limit=limit,
            plain_key=True,
        )
        ids = [r["programme_id"] for r in page.rows]
        if not ids:
            return page
        # The page's rows by their key (the region is in how they were chosen): an index
        # on the region here made both databases scan the region's every row.
        only = "r.programme_id IN (" + ", ".join("?" for _ in ids) + ")"
        only_params = ids
    base = (
        "SELECT r.programme_id, r.trainee_id, r.trainee_name, r.authorisation_id, "  # noqa: S608 - placeholders only
        "r.specialty_code, r.stage, r.hiring_date, r.curriculum_label, "
        "(SELECT MIN(start_date) FROM register_employments e "
        " WHERE e.programme_id = r.programme_id) AS first_start, "
        "(SELECT MAX(end_date) FROM register_employments e "
        " WHERE e.programme_id = r.programme_id) AS last_end, "
        "c.department_id AS current_department_id, c.department_name AS current_department, "
        "c.end_date AS current_end, "
        "COALESCE(p.competencies_approved, 0) AS competencies_approved, "
        "COALESCE(p.competencies_total, 0) AS competencies_total, "
        "COALESCE(p.courses_done, 0) AS courses_done, "
        "COALESCE(p.courses_total, 0) AS courses_total "
        "FROM register_programmes r "
        "LEFT JOIN register_employments c ON c.programme_id = r.programme_id "
        "AND c.start_date <= ? AND c.end_date >= ? "
        "LEFT JOIN progress_programmes p ON p.programme_id = r.programme_id "
        "WHERE " + (only or "r.region = ?")
    )
    base_params: list[Any] = [now, now, *(only_params or [region])]
    flagged = (
        "SELECT *, CASE WHEN first_start IS NULL OR first_start > ? THEN 'not_started' "  # noqa: S608
        "WHEN last_end < ? THEN 'ended' ELSE 'active' END AS status, "
        "CASE WHEN current_end IS NOT NULL AND current_end <= ? "
        "AND competencies_approved < competencies_total THEN 1 ELSE 0 END "
        "AS ends_soon_unapproved, "
        "CASE WHEN competencies_total > 0 AND competencies_approved = competencies_total "
        "AND courses_done = courses_total THEN 1 ELSE 0 END AS all_approved, "
        # R5/R6: the earliest required end beyond an employment's recorded end, if any
        # (driven by required_time's programme index: a join from the employments once made
        # the planner scan required_time for every row, 25 ms a page at 3,000 trainees)
        "(SELECT MIN(t.required_end) FROM required_time t "
        " JOIN register_employments e ON e.employment_id = t.employment_id "
        " WHERE t.programme_id = b.programme_id AND t.required_end > e.end_date) "
        "AS extension_to "
        f"FROM ({base}) b"
    )
    params = [now, now, soon, *base_params]
    where = ["1 = 1"]
    where_params: list[Any] = []
    for column, value in (
        ("specialty_code", specialty_code),
        ("stage", stage),
        ("status", status),
        ("current_department_id", department_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            where_params.append(value)
    if flag is not None:
        if flag not in get_args(Flag):  # it names a column below
            raise ValueError(f"unknown flag {flag!r}")
        where.append("extension_to IS NOT NULL" if flag == "extension_needed" else f"{flag} = 1")
    if page_first:
        rows = {r["programme_id"]: r for r in store.fetchall(flagged, params)}
        return Page([rows[i] for i in ids if i in rows], page.next_cursor)
    return keyset_page(
        store,
        flagged,
        params,
        where=" AND ".join(where),
        where_params=where_params,
        sort=sort,
        tiebreak="programme_id",
        cursor=cursor,
        limit=limit,
    )


def find_people(store: ReadStore, text: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Registered doctors (with or without a programme) whose authorisation id is `text`
    (any case) or whose name contains it; with how many programmes each has."""
    text = text.strip()
    if not text:
        return []
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return store.fetchall(
        "SELECT p.doctor_id, p.name, p.authorisation_id, "
        "(SELECT COUNT(*) FROM register_programmes r WHERE r.trainee_id = p.doctor_id) "
        "AS programmes FROM register_people p "
        "WHERE UPPER(p.authorisation_id) = ? OR LOWER(p.name) LIKE ? ESCAPE '\\' "
        "ORDER BY p.name, p.doctor_id LIMIT ?",
        (text.upper(), pattern, limit),
    )

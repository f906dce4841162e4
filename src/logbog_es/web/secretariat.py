"""The secretariat's pages: the region register, a doctor, the region's departments, search.

A secretariat sees its own region only: every page asks the policy (the region register's
read, a doctor's profile, a programme) exactly as the API does. Commands are the staff forms
of `actions.py`, linked from here with the ids they concern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from logbog_es import exports
from logbog_es.application import queries
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import NotAllowed
from logbog_es.domain.policy import Action
from logbog_es.domain.values import Region, Stage
from logbog_es.projections import catalogue, region_register
from logbog_es.projections.paging import BadCursor, Sort
from logbog_es.web.core import Page, Web, WebUser, link
from logbog_es.web.reading import PROGRAMME_ACTIONS, parse_id

REGISTER_PAGE = 50
#: The register's filters by their Danish query names, and the register's own names.
FILTERS = {
    "speciale": "specialty_code",
    "trin": "stage",
    "status": "status",
    "afdeling": "department_id",
    "flag": "flag",
}
STATUSES = ("not_started", "active", "ended")
FLAGS = ("ends_soon_unapproved", "all_approved", "extension_needed")
SORTS = (
    "trainee_name",
    "-trainee_name",
    "hiring_date",
    "-hiring_date",
    "current_end",
    "-current_end",
    "specialty",
)


def regions_of(user: WebUser) -> list[Region]:
    """The regions whose secretariat the user is, in a stable order."""
    return sorted(user.actor.secretariat_regions())


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store

    def chosen_region(user: WebUser, given: str) -> Region:
        regions = regions_of(user)
        if not regions:
            raise NotAllowed(
                "auth.secretariat_only",
                action=Action.READ_REGION_REGISTER.value,
                actor=user.actor.describe(),
            )
        region = next((r for r in regions if r.value == given), regions[0])
        queries.authorise_region(app, user.actor, region)
        return region

    def register_query(request: Request) -> dict[str, str]:
        """The register's filters, sort and page as the address gives them (unknown values
        are dropped, so an address cannot name a column)."""
        params = request.query_params
        found: dict[str, str] = {}
        for name in FILTERS:
            value = params.get(name, "")
            if not value:
                continue
            if name == "trin" and value not in {s.value for s in Stage}:
                continue
            if name == "status" and value not in STATUSES:
                continue
            if name == "flag" and value not in FLAGS:
                continue
            if name == "afdeling":
                try:
                    value = str(UUID(value))
                except ValueError:
                    continue
            found[name] = value[:40]
        sort = params.get("sorter", "trainee_name")
        found["sorter"] = sort if sort in SORTS else "trainee_name"
        if params.get("efter"):
            found["efter"] = params["efter"][:400]
        if params.get("region"):
            found["region"] = params["region"][:10]
        return found

    def _email_of(doctor: str) -> str | None:
        """The doctor's e-mail address (reminders go there), for the register's flag."""
        found = app.find(Doctor, UUID(doctor), shared=True)
        return found.email if found else None

    def register_rows(region: Region, query: dict[str, str]) -> Any:
        sort = query["sorter"]
        column = sort.lstrip("-")
        return region_register.register(
            store,
            region.value,
            today=app.today(),
            specialty_code=query.get("speciale"),
            stage=query.get("trin"),
            status=query.get("status"),  # type: ignore[arg-type]
            department_id=query.get("afdeling"),
            flag=query.get("flag"),  # type: ignore[arg-type]
            sort=Sort.parse(("-" if sort.startswith("-") else "") + column, region_register.SORTS),
            cursor=query.get("efter"),
            limit=REGISTER_PAGE,
        )

    def register_view(
        request: Request, show: Callable[[Page, Region, dict[str, str], Any], Response]
    ) -> Response:
        """The register's rows for the address's region, filters, sort and page, shown by
        `show` (the page, or exactly its rows as CSV); a stale cursor is 422."""
        page, user = web.require(request)
        query = register_query(request)

        def build() -> Response:
            region = chosen_region(user, query.get("region", ""))
            try:
                found = register_rows(region, query)
            except BadCursor:
                return web.status_page(page, 422)
            return show(page, region, query, found)

        return web.guarded(page, build)

    @routes.get("/sekretariat")
    def register(request: Request) -> Response:
        def show(page: Page, region: Region, query: dict[str, str], found: Any) -> Response:
            user = page.user
            assert user is not None
            rows = [{**r, "no_email": not _email_of(str(r["trainee_id"]))} for r in found.rows]
            keep = {k: v for k, v in query.items() if k != "efter"}
            specialties = catalogue.list_specialties(store)
            return web.render(
                page,
                "register.html",
                region=region.value,
                regions=[r.value for r in regions_of(user)],
                rows=rows,
                query=query,
                specialties=specialties,
                specialty_names={s["code"]: s["name"] for s in specialties},
                departments=catalogue.list_departments(store, region=region.value),
                stages=[s.value for s in Stage],
                statuses=STATUSES,
                flags=FLAGS,
                sorts=SORTS,
                next_page=f"/sekretariat?{urlencode({**keep, 'efter': found.next_cursor})}"
                if found.next_cursor
                else None,
                first_page=f"/sekretariat?{urlencode(keep)}" if "efter" in query else None,
                csv=f"/sekretariat/register.csv?{urlencode(query)}",
                register_doctor=link("register-doctor"),
            )

        return register_view(request, show)

    @routes.get("/sekretariat/register.csv")
    def register_csv(request: Request) -> Response:
        """Exactly the rows of the page with the same address: filters, sort and page."""

        def show(_page: Page, region: Region, _query: dict[str, str], found: Any) -> Response:
            specialties = {r["code"]: r["name"] for r in catalogue.list_specialties(store)}
            return Response(
                exports.csv_text(found.rows, exports.REGION_REGISTER, specialties),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="register-{region.value}.csv"',
                    "Cache-Control": "no-store",
                },
            )

        return register_view(request, show)

    @routes.get("/sekretariat/soeg")
    def search(request: Request, q: str = "") -> Response:
        """Doctors by authorisation id or name, also those without a programme."""
        page, user = web.require(request)

        def build() -> Response:
            queries.authorise_doctor_search(app, user.actor)
            text = q.strip()[:100]
            return web.render(
                page,
                "search.html",
                q=text,
                rows=region_register.find_people(store, text) if text else [],
                register_doctor=link("register-doctor"),
            )

        return web.guarded(page, build)

    @routes.get("/sekretariat/laeger/{doctor_id}")
    def doctor(request: Request, doctor_id: str) -> Response:
        page, user = web.require(request)

        def build() -> Response:
            view = queries.read_doctor(
                app, user.actor, parse_id(doctor_id, "doctor.unknown", doctor_id=doctor_id)
            )
            programmes = []
            for programme in sorted(view.programmes, key=lambda p: p.hiring_date, reverse=True):
                try:
                    queries.read_programme(app, user.actor, programme.id)
                except NotAllowed:
                    continue  # another region's programme of the same doctor
                allowed = queries.programme_actions(app, user.actor, programme)
                curriculum = queries.read_curriculum(app, programme.curriculum_id)
                programmes.append(
                    {
                        "programme": programme,
                        "curriculum": curriculum.label,
                        "employments": [
                            {
                                "employment": e,
                                "department": queries.department_name(app, e.department_id),
                            }
                            for e in programme.employments
                        ],
                        "actions": [
                            (name, link(name, programme_id=programme.id))
                            for name in PROGRAMME_ACTIONS
                            if name in allowed
                        ],
                    }
                )
            may = set(queries.may(app, user.actor))
            may_start = "start-programme" in may
            links = [
                {
                    "issuer": issuer,
                    "revoke": link("revoke-identity-link", doctor_id=view.doctor.id, link_id=key)
                    if "revoke-identity-link" in may
                    else None,
                }
                for key, issuer in getattr(view.doctor, "identity_links", {}).items()
            ]
            return web.render(
                page,
                "doctor.html",
                doctor=view.doctor,
                programmes=programmes,
                start=link("start-programme", doctor_id=view.doctor.id) if may_start else None,
                history=f"/laeger/{view.doctor.id}/historik",
                links=links,
            )

        return web.guarded(page, build)

    @routes.get("/sekretariat/afdelinger")
    def departments(request: Request, region: str = "") -> Response:
        page, user = web.require(request)

        def build() -> Response:
            chosen = chosen_region(user, region)
            return web.render(
                page,
                "departments.html",
                region=chosen.value,
                regions=[r.value for r in regions_of(user)],
                rows=catalogue.list_departments(store, region=chosen.value),
                register=link("register-department"),
            )

        return web.guarded(page, build)

    return routes


def start_page(user: WebUser) -> str | None:
    return "/sekretariat" if regions_of(user) else None

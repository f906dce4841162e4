"""The curriculum administrator's pages: specialties and their versions (målbeskrivelser), and
publishing a new version from a file with a preview.

A file (CSV or JSON) holds the version's competencies and courses; the version's specialty,
stage, label, start and duration are chosen in the form. The preview checks every line on its
own (the command model's rules, then the domain's rules for one competency or course) and the
lines together (a code used twice), lists every error by line, and then asks the application
to decide the whole command without recording it (`Logbog.check`: the specialty, the stage,
the label, the date, the user's role). Only from a preview without errors can the version be
published, and publishing runs the same command again through the same path as any other.

CSV: one line per competency or course, semicolon- or comma-separated, with the heading
`type;code;title;description;roles;methods;kind;hours;days`. `type` is `competency` or
`course`; `roles` and `methods` are lists separated by `,` (or `|`) of their codes; a method
ending in `*` is mandatory. JSON: `{"competencies": [...], "courses": [...]}` shaped as in
`commands/publish-curriculum.example.json`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es.application import queries
from logbog_es.commands import PublishCurriculum
from logbog_es.commands.reference import CompetencyIn, CourseIn
from logbog_es.domain.curriculum import content_of, validate_content
from logbog_es.domain.errors import LogbogError
from logbog_es.domain.values import Stage
from logbog_es.projections import catalogue
from logbog_es.web import i18n
from logbog_es.web.core import Page, Web, WebUser, key_of, link, redirect

MAX_FILE_BYTES = 1024 * 1024
HEADING = ("type", "code", "title", "description", "roles", "methods", "kind", "hours", "days")
VERSION_FIELDS = ("specialty_code", "stage", "label", "effective_from", "nominal_duration_months")
_LIST = re.compile(r"[,|]")


@dataclass
class Line:
    number: int  # in the file, 1 = the first line
    kind: str  # competency | course
    data: dict[str, Any]


@dataclass
class Checked:
    """A file read and checked: the content as the command takes it, and every error with
    the line it is on (0: the file as a whole, or a field of the form)."""

    competencies: list[dict[str, Any]] = field(default_factory=list)
    courses: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, list[int]] = field(default_factory=lambda: {"competencies": [], "courses": []})
    errors: list[tuple[int, str]] = field(default_factory=list)
    form_errors: dict[str, str] = field(default_factory=dict)


def read_csv(text: str) -> tuple[list[Line], list[tuple[int, str]]]:
    """The lines of a CSV file, or why it cannot be read."""
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return [], [(0, i18n.gettext("upload.empty"))]
    heading = [h.strip().lower() for h in rows[0]]
    missing = [h for h in HEADING[:4] if h not in heading]
    if missing:
        return [], [(1, i18n.gettext("upload.heading", columns=", ".join(HEADING)))]
    lines, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(heading, (c.strip() for c in row), strict=False))
        kind = cells.get("type", "").lower()
        if kind not in ("competency", "course"):
            errors.append((number, i18n.gettext("upload.type", value=cells.get("type", ""))))
            continue
        data: dict[str, Any] = {"code": cells.get("code", ""), "title": cells.get("title", "")}
        if kind == "competency":
            data["description"] = cells.get("description", "")
            data["roles"] = [r.strip() for r in _LIST.split(cells.get("roles", "")) if r.strip()]
            methods = [m.strip() for m in _LIST.split(cells.get("methods", "")) if m.strip()]
            data["methods"] = [
                {"method": m.rstrip("*").strip(), "mandatory": m.endswith("*")} for m in methods
            ]
        else:
            data["kind"] = cells.get("kind", "")
            for extent in ("hours", "days"):
                if cells.get(extent):
                    data[extent] = cells[extent]
        lines.append(Line(number, kind, data))
    return lines, errors


def read_json(text: str) -> tuple[list[Line], list[tuple[int, str]]]:
    """The competencies and courses of a JSON file with the line each starts on."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [(error.lineno, i18n.gettext("upload.json", reason=error.msg))]
    if not isinstance(body, dict) or not isinstance(body.get("competencies", []), list):
        return [], [(1, i18n.gettext("upload.json_shape"))]
    lines: list[Line] = []
    for key, kind in (("competencies", "competency"), ("courses", "course")):
        items = body.get(key) or []
        if not isinstance(items, list):
            return [], [(1, i18n.gettext("upload.json_shape"))]
        start = text.find(f'"{key}"')
        for item in items:
            number = 0
            if isinstance(item, dict) and isinstance(item.get("code"), str) and start >= 0:
                found = re.compile(r'"code"\s*:\s*' + re.escape(json.dumps(item["code"]))).search(
                    text, start
                )
                if found:
                    number = text.count("\n", 0, found.start()) + 1
                    start = found.end()
            lines.append(Line(number, kind, item if isinstance(item, dict) else {}))
    return lines, []


def check_lines(lines: list[Line], months: int) -> Checked:
    """Every line on its own, then the codes across lines."""
    checked = Checked()
    seen: dict[tuple[str, str], int] = {}
    for line in lines:
        model = CompetencyIn if line.kind == "competency" else CourseIn
        try:
            item = model.model_validate(line.data)
        except ValidationError as invalid:
            checked.errors += [(line.number, _problem(p)) for p in invalid.errors()]
            continue
        try:
            if isinstance(item, CompetencyIn):
                validate_content(content_of([item], [])[0], (), months)
            else:
                course = content_of([], [item])[1]
                validate_content(content_of([_PLACEHOLDER], [])[0], course, months)
        except LogbogError as error:
            checked.errors.append((line.number, i18n.current().error(error)))
            continue
        key = (line.kind, item.code)
        if key in seen:
            checked.errors.append(
                (line.number, i18n.gettext("upload.duplicate", code=item.code, line=seen[key]))
            )
            continue
        seen[key] = line.number
        where = "competencies" if line.kind == "competency" else "courses"
        getattr(checked, where).append(item.model_dump(mode="json", exclude_none=True))
        checked.lines[where].append(line.number)
    checked.errors.sort(key=lambda e: e[0])
    if not checked.competencies and not checked.errors:
        checked.errors.append((0, i18n.gettext("upload.no_competencies")))
    return checked


def _problem(problem: Any) -> str:
    """A line's value the command model refuses, in the user's words: which column, what was
    given, and what it may be."""
    where = ".".join(str(p) for p in problem["loc"])
    given = problem.get("input")
    if problem["type"] == "missing":
        return i18n.gettext("upload.missing", field=where)
    if problem["type"] == "enum":
        return i18n.gettext(
            "upload.enum", field=where, value=given, allowed=problem["ctx"]["expected"]
        )
    if isinstance(given, (str, int)):
        return i18n.gettext("upload.field", field=where, value=given)
    return i18n.gettext("upload.field_shape", field=where)


#: The domain checks a course only inside a curriculum with a competency: this one stands in,
#: so a course line is judged by the domain's own rules and nothing is written twice here.
_PLACEHOLDER = CompetencyIn.model_validate(
    {
        "code": "x",
        "title": "x",
        "description": "x",
        "roles": ["medical_expert"],
        "methods": [{"method": "mini_cex"}],
    }
)


def line_of(checked: Checked, where: str | None) -> int:
    """The file line an error of the whole command names (`competencies[3].code`), else 0."""
    found = re.match(r"(competencies|courses)\[(\d+)\]", where or "")
    if not found:
        return 0
    numbers = checked.lines[found.group(1)]
    index = int(found.group(2))
    return numbers[index] if index < len(numbers) else 0


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    app = web.container.app
    store = web.container.read_store

    @routes.get("/maalbeskrivelser")
    def specialties(request: Request) -> Response:
        page, user = web.require(request)
        rows = catalogue.list_specialties(store)
        versions = catalogue.list_curricula(store)
        return web.render(
            page,
            "curricula.html",
            specialties=[
                {
                    **s,
                    "versions": [v for v in versions if v["specialty_code"] == s["code"]],
                    "retire": link("retire-specialty", code=s["code"])
                    if not s["retired_on"]
                    else None,
                }
                for s in rows
            ],
            admin="publish-curriculum" in _may(web, user),
            register=link("register-specialty"),
        )

    def upload_page(
        page: Page, values: dict[str, str], checked: Checked | None = None, status: int = 200
    ) -> Response:
        return web.render(
            page,
            "curriculum_upload.html",
            status,
            address="/maalbeskrivelser/ny" if status != 200 else None,
            values=values,
            specialties=[s for s in catalogue.list_specialties(store) if not s["retired_on"]],
            stages=[s.value for s in Stage],
            checked=checked,
            errors=checked.form_errors if checked else {},
            heading=";".join(HEADING),
            content=json.dumps(
                {"competencies": checked.competencies, "courses": checked.courses},
                ensure_ascii=False,
            )
            if checked
            else "",
        )

    @routes.get("/maalbeskrivelser/ny")
    def new_version(request: Request, speciale: str = "") -> Response:
        page, user = web.require(request)
        if "publish-curriculum" not in _may(web, user):
            return web.render(page, "error.html", 403, message=i18n.gettext("upload.not_allowed"))
        return upload_page(page, {"specialty_code": speciale[:40]})

    async def read_form(request: Request) -> tuple[dict[str, str], bytes | None]:
        async with request.form(
            max_files=1, max_fields=20, max_part_size=MAX_FILE_BYTES * 2
        ) as parsed:
            values = {k: v for k, v in parsed.items() if isinstance(v, str)}
            upload = parsed.get("file")
            data = None
            if upload is not None and not isinstance(upload, str):
                data = await upload.read(MAX_FILE_BYTES + 1)
        return values, data

    def command_of(values: dict[str, str], content: dict[str, Any]) -> PublishCurriculum:
        return PublishCurriculum.model_validate(
            {**{k: values.get(k, "") for k in VERSION_FIELDS}, **content}
        )

    def preview(request: Request, values: dict[str, str], data: bytes | None) -> Response:
        page, user = web.require(request)
        if not web.check_csrf(request, values):
            return web.csrf_refused(page)
        checked = Checked()
        if not data:
            checked.form_errors["file"] = i18n.gettext("upload.no_file")
            return upload_page(page, values, checked, 422)
        if len(data) > MAX_FILE_BYTES:
            checked.form_errors["file"] = i18n.gettext(
                "upload.too_large", kib=MAX_FILE_BYTES // 1024
            )
            return upload_page(page, values, checked, 413)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            checked.form_errors["file"] = i18n.gettext("upload.encoding")
            return upload_page(page, values, checked, 422)
        is_json = text.lstrip().startswith("{")
        lines, errors = read_json(text) if is_json else read_csv(text)
        try:
            months = int(values.get("nominal_duration_months") or 0)
        except ValueError:
            months = 0
        checked = check_lines(lines, months if 1 <= months <= 120 else 12)
        checked.errors = sorted(errors + checked.errors, key=lambda e: e[0])
        if checked.errors:
            return upload_page(page, values, checked, 422)
        content = {"competencies": checked.competencies, "courses": checked.courses}
        try:
            command = command_of(values, content)
        except ValidationError as invalid:
            for problem in invalid.errors():
                name = str(problem["loc"][0]) if problem["loc"] else ""
                checked.form_errors.setdefault(name, i18n.gettext("error.field_invalid"))
            return upload_page(page, values, checked, 422)
        try:
            app.check(command, user.actor)
        except LogbogError as error:
            line = line_of(checked, error.field)
            if line or not error.field or error.field not in VERSION_FIELDS:
                checked.errors.append((line, i18n.current().error(error)))
            else:
                checked.form_errors[error.field] = i18n.current().error(error)
            return upload_page(page, values, checked, error.status)
        return upload_page(page, values, checked)

    @routes.post("/maalbeskrivelser/ny", include_in_schema=False)
    async def upload(request: Request) -> Response:
        """Read and check a file; nothing is recorded."""
        values, data = await read_form(request)
        return await run_in_threadpool(preview, request, values, data)

    def publish(request: Request, values: dict[str, str]) -> Response:
        page, user = web.require(request)
        if not web.check_csrf(request, values):
            return web.csrf_refused(page)
        try:
            content = json.loads(values.get("content", ""))
            command = command_of(values, content)
        except (ValueError, ValidationError):
            return web.render(page, "error.html", 422, message=i18n.gettext("upload.stale"))
        try:
            _, caught_up = web.run(command, user, key_of(values), ["catalogue"])
        except LogbogError as error:
            checked = Checked(command.model_dump(mode="json")["competencies"])
            checked.errors.append((0, i18n.current().error(error)))
            return upload_page(page, values, checked, error.status)
        return redirect("/maalbeskrivelser", "done" if caught_up else "saved_not_shown")

    @routes.post("/maalbeskrivelser/udgiv", include_in_schema=False)
    async def publish_endpoint(request: Request) -> Response:
        """Publish what a preview showed (the checked content is carried in the form)."""
        values, _ = await read_form(request)
        return await run_in_threadpool(publish, request, values)

    return routes


def _may(web: Web, user: WebUser) -> set[str]:
    return set(queries.may(web.container.app, user.actor))

"""Staff forms: one page per command, built from a short description of its fields.

The secretariat, the UAO/tutor and the curriculum administrator issue many commands that each
need a handful of fields. Each is described here once (`ACTIONS`): which ids it takes from the
page that links to it (the *context*), its fields, the read models the next page reads and
where the user goes back to. `GET /handling/{name}` shows the form for what the context names
(read through the policy, so a stranger's programme is refused before a form is shown, and a
form is only shown to whom the policy lets issue the command); `POST` builds the same command
model the API takes and runs it through `Web.run`. A refusal shows the form again with the
error in words beside its field and the input kept; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from logbog_es.application import queries
from logbog_es.application.app import CommandResult
from logbog_es.commands import (
    COMMANDS,
    AddEmployment,
    AppointUao,
    AttestEmploymentTime,
    ChangeCurriculumVersion,
    ChangeEmploymentFraction,
    Command,
    EndUaoAppointment,
    ExtendEmployment,
    GrantSupervisorAccess,
    RecordAbsence,
    RecordCourseCompletion,
    RegisterDepartment,
    RegisterDoctor,
    RegisterPriorAttestation,
    RegisterSpecialty,
    RespondToEvaluations,
    RetireSpecialty,
    RevokeIdentityLink,
    RevokeSupervisorAccess,
    StartProgramme,
    SubmitSupplementaryDocumentation,
    VerifyPriorAttestation,
    WithdrawApproval,
)
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import InvalidInput, LogbogError, NotAllowed, NotFound
from logbog_es.domain.logbook import AttestationKind
from logbog_es.domain.programme import Programme
from logbog_es.domain.training_time import AbsenceKind
from logbog_es.domain.values import DepartmentKind, Region, Stage
from logbog_es.projections import catalogue, department_overview
from logbog_es.projections.paging import Sort
from logbog_es.web import i18n
from logbog_es.web.core import (
    Form,
    FormErrors,
    Page,
    Web,
    WebUser,
    key_of,
    link,
    post,
    redirect,
)
from logbog_es.web.reading import parse_id

Options = list[tuple[str, str]]


@dataclass
class Subject:
    """What a form concerns, read for the user through the policy: the ids of the context and
    the programme, department or doctor they name."""

    web: Web
    user: WebUser
    context: dict[str, str]
    programme: Programme | None = None
    department: Department | None = None
    doctor: Doctor | None = None
    lines: list[str] = field(default_factory=list)  # what the form concerns, in words

    @property
    def app(self) -> Any:
        return self.web.container.app

    @property
    def store(self) -> Any:
        return self.web.container.read_store


@dataclass(frozen=True)
class Field:
    """One input. `kind`: text, email, date, number, textarea, select, checkbox, checks (a
    list of boxes, sent as `name.value`), doctor (an authorisation id, sent as the doctor's
    id). `options` for select and checks; `default` a value shown first."""

    name: str
    kind: str = "text"
    required: bool = True
    options: Callable[[Subject], Options] | None = None
    default: Callable[[Subject], str] | None = None
    maxlength: int | None = None
    hint: bool = False  # a help text `hint.<name>` under the label


@dataclass(frozen=True)
class Action:
    command: type[Command]
    context: tuple[str, ...]
    fields: tuple[Field, ...]
    read_models: tuple[str, ...]
    back: Callable[[Subject, CommandResult | None], str]

    @property
    def name(self) -> str:
        return self.command.NAME


# -- options ---------------------------------------------------------------------------------


def _absences(_s: Subject) -> Options:
    return [(v.value, i18n.gettext(f"absence.{v.value}")) for v in AbsenceKind]


def _department_kinds(_s: Subject) -> Options:
    return [(v.value, i18n.gettext(f"department_kind.{v.value}")) for v in DepartmentKind]


def _stages(_s: Subject) -> Options:
    return [(v.value, i18n.gettext(f"stage.{v.value}")) for v in Stage]


def _regions(_s: Subject) -> Options:
    return [(v.value, i18n.gettext(f"region.{v.value}")) for v in Region]


def _my_region(s: Subject) -> str:
    regions = sorted(s.user.actor.secretariat_regions())
    return regions[0].value if regions else ""


def _departments(s: Subject) -> Options:
    found = []
    for r in sorted(catalogue.list_departments(s.store), key=lambda r: (r["name"], r["code"])):
        region = r["region"]
        found.append(
            (
                str(r["department_id"]),
                f"{r['name']} ({r['code']}, {i18n.gettext(f'region.{region}')})",
            )
        )
    return found


def _specialties(s: Subject) -> Options:
    return [
        (r["code"], r["name"]) for r in catalogue.list_specialties(s.store) if not r["retired_on"]
    ]


def _employments(s: Subject) -> Options:
    assert s.programme is not None
    translator = i18n.current()
    return [
        (
            str(e.employment_id),
            i18n.gettext(
                "action.employment_option",
                department=queries.department_name(s.app, e.department_id),
                start=translator.date(e.start),
                end=translator.date(e.end),
            ),
        )
        for e in s.programme.employments
    ]


def _chosen_employment(s: Subject) -> str:
    return s.context.get("employment_id", "")


def _curricula(s: Subject) -> Options:
    assert s.programme is not None
    rows = catalogue.list_curricula(
        s.store, specialty_code=s.programme.specialty_code, stage=s.programme.stage.value
    )
    translator = i18n.current()
    return [
        (
            str(r["curriculum_id"]),
            i18n.gettext(
                "action.curriculum_option",
                label=r["label"],
                date=translator.date(r["effective_from"]),
            ),
        )
        for r in rows
        if str(r["curriculum_id"]) != str(s.programme.curriculum_id)
    ]


def _courses(s: Subject) -> Options:
    assert s.programme is not None
    curriculum = queries.read_curriculum(s.app, s.programme.curriculum_id)
    return [(c.code, f"{c.code} {c.title}") for c in curriculum.courses]


def _trainees(s: Subject) -> Options:
    assert s.department is not None
    rows = department_overview.overview(
        s.store,
        str(s.department.id),
        today=s.app.today(),
        scope="now_and_soon",
        sort=Sort.parse("trainee_name", department_overview.SORTS),
        cursor=None,
        limit=500,
    ).rows
    return list(dict.fromkeys((str(r["trainee_id"]), r["trainee_name"]) for r in rows))


def _attestation_kinds(_s: Subject) -> Options:
    return [(v.value, i18n.gettext(f"prior.kind_{v.value}")) for v in AttestationKind]


def _codes(s: Subject) -> Options:
    """The curriculum's competencies and courses, a paper attestation names one of them."""
    assert s.programme is not None
    curriculum = queries.read_curriculum(s.app, s.programme.curriculum_id)
    competencies = [(c.code, f"{c.code} {c.title}") for c in curriculum.competencies]
    return competencies + [(c.code, f"{c.code} {c.title}") for c in curriculum.courses]


def _today(s: Subject) -> str:
    return str(s.app.today().isoformat())


# -- where to go back --------------------------------------------------------------------------


def _created(result: CommandResult | None, topic_end: str) -> str:
    assert result is not None
    return str(next(e.stream_id for e in result.events if e.type.endswith(topic_end)))


def _to_doctor(s: Subject, result: CommandResult | None) -> str:
    if "doctor_id" in s.context:
        return f"/sekretariat/laeger/{s.context['doctor_id']}"
    if result is None:
        return "/sekretariat"
    return f"/sekretariat/laeger/{_created(result, 'Doctor.Registered')}"


def _to(path: str) -> Callable[[Subject, CommandResult | None], str]:
    return lambda s, _r: path.format(**s.context)


PROGRAMME = ("programme_id",)
DEPARTMENT = ("department_id",)
_employment = Field("employment_id", "select", options=_employments, default=_chosen_employment)

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            RegisterDoctor,
            (),
            (
                Field("authorisation_id", maxlength=20, hint=True),
                Field("name", maxlength=200),
                Field("email", "email", maxlength=254),
                Field("cpr", required=False, maxlength=20, hint=True),
            ),
            ("region_register",),
            _to_doctor,
        ),
        Action(
            StartProgramme,
            ("doctor_id",),
            (
                Field("specialty_code", "select", options=_specialties),
                Field("stage", "select", options=_stages),
                Field("region", "select", options=_regions, default=_my_region),
                Field("hiring_date", "date", hint=True),
                Field("transfer_reason", "textarea", required=False, maxlength=2000, hint=True),
            ),
            ("region_register",),
            _to_doctor,
        ),
        Action(
            AddEmployment,
            PROGRAMME,
            (
                Field("department_id", "select", options=_departments),
                Field("start", "date"),
                Field("end", "date"),
                Field("percent", "number", default=lambda _s: "100", hint=True),
            ),
            ("region_register", "programme_progress", "department_overview"),
            _to("/logbog/{programme_id}/tid"),
        ),
        Action(
            ChangeCurriculumVersion,
            PROGRAMME,
            (
                Field("curriculum_id", "select", options=_curricula),
                Field("reason", "textarea", maxlength=2000),
            ),
            ("region_register", "programme_progress"),
            _to("/logbog/{programme_id}"),
        ),
        Action(
            RecordAbsence,
            PROGRAMME,
            (
                _employment,
                Field("kind", "select", options=_absences),
                Field("first_day", "date"),
                Field("last_day", "date"),
            ),
            ("programme_progress",),
            _to("/logbog/{programme_id}/tid"),
        ),
        Action(
            ChangeEmploymentFraction,
            PROGRAMME,
            (
                _employment,
                Field("from_date", "date", hint=True),
                Field("percent", "number", required=False, hint=True),
                Field("hours_per_week", "number", required=False),
                Field("full_time_hours_per_week", "number", default=lambda _s: "37"),
            ),
            ("programme_progress", "department_overview"),
            _to("/logbog/{programme_id}/tid"),
        ),
        Action(
            ExtendEmployment,
            PROGRAMME,
            (
                _employment,
                Field("new_end", "date"),
                Field("reason", "textarea", maxlength=2000),
            ),
            ("region_register", "programme_progress", "department_overview"),
            _to("/logbog/{programme_id}/tid"),
        ),
        Action(
            AttestEmploymentTime,
            ("programme_id", "employment_id"),
            (),
            ("programme_progress",),
            _to("/logbog/{programme_id}/tid"),
        ),
        Action(
            RecordCourseCompletion,
            PROGRAMME,
            (
                Field("course_code", "select", options=_courses),
                Field("completed_on", "date"),
                Field("hours", "number", required=False),
                Field("days", "number", required=False),
                Field("evidence_ref", maxlength=500, hint=True),
            ),
            ("programme_progress",),
            _to("/logbog/{programme_id}/kurser"),
        ),
        Action(
            RegisterPriorAttestation,
            PROGRAMME,
            (
                Field("kind", "select", options=_attestation_kinds),
                Field("code", "select", options=_codes),
                Field("attested_on", "date"),
                Field("attested_by", maxlength=200, hint=True),
                Field("document_ref", maxlength=500, hint=True),
            ),
            ("programme_progress",),
            _to("/logbog/{programme_id}/kurser"),
        ),
        Action(
            SubmitSupplementaryDocumentation,
            ("submission_id",),
            (),
            ("submissions",),
            _to("/dokumentation/{submission_id}"),
        ),
        Action(
            VerifyPriorAttestation,
            ("programme_id", "attestation_id"),
            (),
            ("programme_progress",),
            _to("/logbog/{programme_id}"),
        ),
        Action(
            WithdrawApproval,
            ("programme_id", "approval_id"),
            (Field("reason", "textarea", maxlength=2000),),
            ("programme_progress", "supervisor_requests"),
            _to("/logbog/{programme_id}"),
        ),
        Action(
            AppointUao,
            DEPARTMENT,
            (Field("doctor_id", "doctor"), Field("start", "date", default=_today)),
            ("access_directory",),
            _to("/afdeling/{department_id}"),
        ),
        Action(
            EndUaoAppointment,
            ("department_id", "appointment_id"),
            (Field("last_day", "date", default=_today),),
            ("access_directory",),
            _to("/afdeling/{department_id}"),
        ),
        Action(
            GrantSupervisorAccess,
            DEPARTMENT,
            (
                Field("supervisor_id", "doctor"),
                Field("trainee_ids", "checks", required=False, options=_trainees, hint=True),
                Field("main_supervisor_for", "select", required=False, options=_trainees),
                Field("delegated_approval", "checkbox", required=False, hint=True),
                Field("start", "date", required=False, default=_today),
            ),
            ("access_directory",),
            _to("/afdeling/{department_id}"),
        ),
        Action(
            RevokeSupervisorAccess,
            ("department_id", "grant_id"),
            (Field("revoked_from", "date", required=False, default=_today, hint=True),),
            ("access_directory",),
            _to("/afdeling/{department_id}"),
        ),
        Action(
            RespondToEvaluations,
            ("department_id", "period"),
            (Field("text", "textarea", maxlength=4000),),
            ("evaluation_results",),
            _to("/afdeling/{department_id}/evalueringer?periode={period}"),
        ),
        Action(
            RevokeIdentityLink,
            ("doctor_id", "link_id"),
            (Field("reason", "textarea", maxlength=2000),),
            ("region_register",),
            _to_doctor,
        ),
        Action(
            RegisterDepartment,
            (),
            (
                Field("code", maxlength=40),
                Field("name", maxlength=200),
                Field("kind", "select", options=_department_kinds),
                Field("region", "select", options=_regions, default=_my_region),
            ),
            ("catalogue",),
            _to("/sekretariat/afdelinger"),
        ),
        Action(
            RegisterSpecialty,
            (),
            (
                Field("code", maxlength=40, hint=True),
                Field("name", maxlength=200),
                Field("stages", "checks", options=_stages),
                Field("on_logbook_from", "date", hint=True),
            ),
            ("catalogue",),
            _to("/maalbeskrivelser"),
        ),
        Action(
            RetireSpecialty,
            ("code",),
            (Field("retired_on", "date", default=_today),),
            ("catalogue",),
            _to("/maalbeskrivelser"),
        ),
    )
}
assert all(name in COMMANDS for name in ACTIONS)
#: Every field name of every form (their labels are `field.<name>`).
FIELD_NAMES = sorted({f.name for a in ACTIONS.values() for f in a.fields})
HINT_NAMES = sorted({f.name for a in ACTIONS.values() for f in a.fields if f.hint})


# -- the pages --------------------------------------------------------------------------------


class ActionPages:
    def __init__(self, web: Web) -> None:
        self.web = web
        self.app = web.container.app

    def subject(self, user: WebUser, action: Action, given: dict[str, str]) -> Subject:
        """The context of the form, read through the policy; a form the policy would refuse
        is not shown (NotAllowed), one whose ids name nothing is 404."""
        context = {}
        for name in action.context:
            value = given.get(name, "")
            if not value or len(value) > 100:
                raise NotFound("web.action_context", name=name)
            context[name] = value
        subject = Subject(self.web, user, context)
        actor = user.actor
        translator = i18n.current()
        if "submission_id" in context:
            submission = queries.read_submission(
                self.app,
                actor,
                parse_id(
                    context["submission_id"],
                    "dossier.unknown",
                    submission_id=context["submission_id"],
                ),
            ).submission
            context["programme_id"] = str(submission.programme_id)
            subject.lines.append(
                i18n.gettext(
                    "action.about_submission",
                    kind=i18n.gettext(f"kind.{submission.kind.value}"),
                    date=translator.date(submission.submitted_on),
                )
            )
        if "programme_id" in context:
            programme = queries.read_programme(
                self.app,
                actor,
                parse_id(
                    context["programme_id"],
                    "programme.unknown",
                    programme_id=context["programme_id"],
                ),
            )
            subject.programme = programme
            subject.doctor = self.app.find(Doctor, programme.doctor_id, shared=True)
            subject.lines.append(
                i18n.gettext(
                    "action.about_programme",
                    name=subject.doctor.name if subject.doctor else "",
                    authorisation_id=subject.doctor.authorisation_id if subject.doctor else "",
                    stage=i18n.gettext(f"stage.{programme.stage.value}"),
                    specialty=programme.specialty_code,
                    date=translator.date(programme.hiring_date),
                )
            )
            allowed = queries.programme_actions(self.app, actor, programme)
            if action.name == "withdraw-approval":
                approval = parse_id(
                    context["approval_id"],
                    "logbook.no_approval",
                    approval_id=context["approval_id"],
                )
                if approval in queries.withdrawable(self.app, actor, programme):
                    allowed = allowed | {action.name}
            if action.name == "attest-employment-time":
                employment = parse_id(
                    context["employment_id"],
                    "employment.unknown",
                    employment_id=context["employment_id"],
                )
                allowed = (
                    allowed | {action.name}
                    if employment in queries.attestable(self.app, actor, programme)
                    else allowed
                )
            self._require(action, allowed)
        elif "department_id" in context:
            department = queries.read_department(
                self.app,
                parse_id(
                    context["department_id"],
                    "department.unknown",
                    department_id=context["department_id"],
                ),
            )
            subject.department = department
            subject.lines.append(
                i18n.gettext("action.about_department", department=department.name)
            )
            self._require(action, queries.department_actions(self.app, actor, department))
        elif "doctor_id" in context:
            view = queries.read_doctor(
                self.app,
                actor,
                parse_id(context["doctor_id"], "doctor.unknown", doctor_id=context["doctor_id"]),
            )
            subject.doctor = view.doctor
            subject.lines.append(
                i18n.gettext(
                    "action.about_doctor",
                    name=view.doctor.name,
                    authorisation_id=view.doctor.authorisation_id,
                )
            )
            self._require(action, set(queries.may(self.app, actor)))
        else:
            self._require(action, set(queries.may(self.app, actor)))
        if "period" in context:
            subject.lines.append(i18n.gettext("action.about_period", period=context["period"]))
        return subject

    @staticmethod
    def _require(action: Action, allowed: set[str] | frozenset[str]) -> None:
        if action.name not in allowed:
            raise NotAllowed(
                "web.action_not_offered", action=queries.COMMAND_ACTIONS[action.name].value
            )

    def show(
        self,
        page: Page,
        subject: Subject,
        action: Action,
        status: int = 200,
        errors: FormErrors | None = None,
        values: Form | None = None,
    ) -> Response:
        errors = errors or FormErrors()
        fields = []
        for f in action.fields:
            options = f.options(subject) if f.options else []
            if values is not None:
                value = values.get(f.name, "")
                chosen = {k.split(".", 1)[1] for k in values if k.startswith(f.name + ".")}
            else:
                value = f.default(subject) if f.default else ""
                chosen = set()
                if f.kind == "select" and f.required and not value and len(options) == 1:
                    value = options[0][0]  # the only choice, chosen
            fields.append(
                {
                    "spec": f,
                    "options": options,
                    "value": value,
                    "chosen": chosen,
                    "error": errors.get(f.name)
                    or next((m for k, m in errors.items() if k.startswith(f.name + ".")), None),
                }
            )
        known = {f.name for f in action.fields}
        general = [m for k, m in errors.items() if k.split(".")[0] not in known]
        address = link(action.name, **subject.context)
        return self.web.render(
            page,
            "action.html",
            status,
            address=address if status != 200 else None,
            action=action,
            subject=subject,
            fields=fields,
            general=general,
            summary=list(dict.fromkeys(errors.values())),
            post_to=address,
            back=action.back(subject, None),
        )

    def payload(self, subject: Subject, action: Action, form: Form) -> dict[str, Any]:
        """The command's input from the form: the context's ids, then each field as the model
        takes it (empty optional fields left out, boxes as booleans or lists, an
        authorisation id as the registered doctor's id)."""
        data: dict[str, Any] = {
            k: v for k, v in subject.context.items() if k in action.command.model_fields
        }
        for f in action.fields:
            value = form.get(f.name, "").strip() if f.kind != "textarea" else form.get(f.name, "")
            if f.kind == "checkbox":
                data[f.name] = value == "on"
            elif f.kind == "checks":
                chosen = [k.split(".", 1)[1] for k in form if k.startswith(f.name + ".")]
                if chosen or f.required:
                    data[f.name] = chosen
            elif f.kind == "doctor":
                if value or f.required:
                    data[f.name] = self.registered_doctor(value, f.name)
            elif value or f.required:
                data[f.name] = value
        return data

    def registered_doctor(self, text: str, name: str) -> str:
        """The id of the doctor registered with authorisation id `text` (beside the field
        when it is no authorisation id, or nobody has it)."""
        authorisation_id = check_authorisation_id(text, field=name)
        found = doctor_id(authorisation_id)
        if self.app.find(Doctor, found, shared=True) is None:
            raise InvalidInput(
                "web.no_doctor_with_authorisation_id",
                field=name,
                authorisation_id=authorisation_id,
            )
        return str(found)

    def run(self, request: Request, form: Form, action: Action) -> Response:
        page, user = self.web.require(request)
        if not self.web.check_csrf(request, form):
            return self.web.csrf_refused(page)

        def build() -> Response:
            given = {k: form.get(k, "") for k in action.context}
            subject = self.subject(user, action, given)

            def again(status: int, errors: FormErrors) -> Response:
                return self.show(page, subject, action, status, errors, form)

            try:
                command = action.command.model_validate(self.payload(subject, action, form))
            except ValidationError as invalid:
                return again(422, FormErrors.of_validation(invalid))
            except LogbogError as error:
                return again(error.status, FormErrors.of(error))
            try:
                result, caught_up = self.web.run(
                    command, user, key_of(form), list(action.read_models)
                )
            except LogbogError as error:
                return again(error.status, FormErrors.of(error))
            return redirect(
                action.back(subject, result), "done" if caught_up else "saved_not_shown"
            )

        return self.web.guarded(page, build)


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages = ActionPages(web)

    @routes.get("/handling/{name}")
    def form(request: Request, name: str) -> Response:
        page, user = web.require(request)
        action = ACTIONS.get(name)
        if action is None:
            return web.status_page(page, 404)
        given = dict(request.query_params)
        return web.guarded(
            page, lambda: pages.show(page, pages.subject(user, action, given), action)
        )

    for action in ACTIONS.values():

        def register(action: Action = action) -> None:
            @post(routes, f"/handling/{action.name}")
            def run(request: Request, form: Form) -> Response:
                return pages.run(request, form, action)

        register()
    return routes

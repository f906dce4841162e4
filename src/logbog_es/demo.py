"""Demo data, written in our own words (never copied from a real målbeskrivelse).

Everything goes through the real commands, issued by the demo users in their real roles, so the
demo store looks exactly like a real one. Loaded by `logbog serve` into an empty store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from logbog_es.application import Logbog
from logbog_es.commands import (
    AddEmployment,
    AppointUao,
    ApproveCompetency,
    AttestEmploymentTime,
    GrantStaff,
    GrantSupervisorAccess,
    PublishCurriculum,
    RecordCourseCompletion,
    RegisterDepartment,
    RegisterDoctor,
    RegisterSpecialty,
    RequestAssessment,
    RetireSpecialty,
    StartProgramme,
)
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.department import department_id
from logbog_es.domain.doctor import doctor_id
from logbog_es.domain.policy import Actor
from logbog_es.domain.programme import Programme
from logbog_es.domain.training_time import add_months
from logbog_es.domain.values import Region, StaffRole, Stage

CURRICULUM_ADMIN = "demo-maalbeskrivelser"
SECRETARIATS = {
    "nord": "demo-sekretariat-nord",
    "syd": "demo-sekretariat-syd",
    "oest": "demo-sekretariat-oest",
}
AUDITOR = "demo-stps-sagsbehandler"


@dataclass(frozen=True)
class DemoUser:
    label: str
    subject: str
    key: str  # names the user's role in the web app's catalogue (demo.<key>)


def _comp(
    code: str, title: str, description: str, roles: list[str], methods: list[tuple[str, bool]]
) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "description": description,
        "roles": roles,
        "methods": [{"method": m, "mandatory": mandatory} for m, mandatory in methods],
    }


KBU_2019 = [
    _comp(
        "KBU-1",
        "Den akut syge patient",
        "Vurderer og prioriterer den akut syge patient efter ABCDE og iværksætter første behandling.",
        ["medical_expert"],
        [("mini_cex", True), ("structured_conversation", False)],
    ),
    _comp(
        "KBU-2",
        "Den kronisk syge patient",
        "Lægger en plan for udredning og behandling af en patient med flere kroniske sygdomme.",
        ["medical_expert", "health_advocate"],
        [("case_based_discussion", True)],
    ),
    _comp(
        "KBU-3",
        "Samtale med patient og pårørende",
        "Informerer om diagnose og plan i et sprog, patient og pårørende forstår.",
        ["communicator"],
        [("structured_conversation", True)],
    ),
    _comp(
        "KBU-4",
        "Samarbejde i teamet",
        "Giver og modtager en struktureret overlevering til kolleger.",
        ["collaborator"],
        [("feedback_360", False), ("structured_conversation", True)],
    ),
    _comp(
        "KBU-5",
        "Egen læring",
        "Formulerer egne læringsmål og følger op på dem med vejlederen.",
        ["scholar", "professional"],
        [("structured_conversation", True)],
    ),
]
KBU_2024 = [
    *KBU_2019[:3],
    _comp(
        "KBU-4",
        "Samarbejde og overlevering",
        "Leder en struktureret overlevering og inddrager andre faggrupper.",
        ["collaborator", "leader"],
        [("feedback_360", True)],
    ),
    _comp(
        "KBU-5",
        "Egen læring og refleksion",
        "Reflekterer over egne beslutninger og bruger feedback til at udvikle sig.",
        ["scholar", "professional"],
        [("structured_conversation", True)],
    ),
    _comp(
        "KBU-6",
        "Sundhedsfremme",
        "Identificerer risikofaktorer og rådgiver om livsstil i det daglige arbejde.",
        ["health_advocate"],
        [("mini_cex", False), ("case_based_discussion", False)],
    ),
]
KBU_COURSES = [
    {"code": "KBU-K1", "title": "Kursus i kommunikation", "kind": "general", "days": 2},
    {"code": "KBU-K2", "title": "Kursus i akutte tilstande", "kind": "general", "days": 3},
    {"code": "KBU-K3", "title": "Kursus i patientsikkerhed", "kind": "general", "days": 1},
]
AKUT_2018 = [
    _comp(
        "AKM-1",
        "Modtagelse af den kritisk syge",
        "Modtager, stabiliserer og visiterer den kritisk syge voksne patient.",
        ["medical_expert", "leader"],
        [("mini_cex", True), ("osats", False)],
    ),
    _comp(
        "AKM-2",
        "Traumemodtagelse",
        "Deltager i og leder efterhånden traumeteamets primære vurdering.",
        ["medical_expert", "collaborator"],
        [("osats", True)],
    ),
    _comp(
        "AKM-3",
        "Prioritering i akutmodtagelsen",
        "Prioriterer mange samtidige patienter og forklarer prioriteringen.",
        ["leader", "communicator"],
        [("structured_conversation", True)],
    ),
    _comp(
        "AKM-4",
        "Undervisning",
        "Planlægger og gennemfører undervisning af yngre kolleger.",
        ["scholar"],
        [("feedback_360", False)],
    ),
]
AKUT_2025 = [
    *AKUT_2018,
    _comp(
        "AKM-5",
        "Ultralyd ved lejet",
        "Bruger fokuseret ultralyd til at besvare konkrete kliniske spørgsmål.",
        ["medical_expert"],
        [("osats", True)],
    ),
]
MAIN_COURSES = [
    {
        "code": "SOL1",
        "title": "Sundhedsvæsenets organisation og ledelse 1",
        "kind": "general",
        "days": 3,
    },
    {
        "code": "SOL2",
        "title": "Sundhedsvæsenets organisation og ledelse 2",
        "kind": "general",
        "days": 3,
    },
    {
        "code": "SOL3",
        "title": "Sundhedsvæsenets organisation og ledelse 3",
        "kind": "general",
        "days": 3,
    },
    {
        "code": "AKM-SPEC",
        "title": "Specialespecifikke kurser i akutmedicin",
        "kind": "specialty",
        "hours": 210,
    },
    {"code": "FORSK", "title": "Forskningstræning", "kind": "research", "days": 20},
]
DEPARTMENTS = [
    ("AUH-AKM", "Akutafdelingen, Aarhus Universitetshospital", "hospital", "nord"),
    ("RHV-MED", "Medicinsk afdeling, Regionshospitalet Viborg", "hospital", "nord"),
    ("PRAKSIS-SKIVE-1", "Lægehuset ved Torvet, Skive", "general_practice", "nord"),
    ("OUH-FAM", "Fælles Akutmodtagelse, Odense Universitetshospital", "hospital", "syd"),
    ("PRAKSIS-ODENSE-1", "Lægerne i Vestergade, Odense", "general_practice", "syd"),
    ("BBH-AKM", "Akutmodtagelsen, Bispebjerg Hospital", "hospital", "oest"),
    ("PRAKSIS-KBH-1", "Lægehuset på Nørrebro", "general_practice", "oest"),
]
DOCTORS = [
    (
        "DM001",
        "Sofie Lund",
        "sofie.lund@example.dk",
    ),  # KBU trainee hired 5 months before today: KBU 2024
    ("DM002", "Mads Holm", "mads.holm@example.dk"),  # KBU trainee hired early 2024: KBU 2019
    ("DM003", "Peter Krogh", "peter.krogh@example.dk"),  # supervisor
    ("DM004", "Hanne Bach", "hanne.bach@example.dk"),  # UAO
    ("DM005", "Jonas Friis", "jonas.friis@example.dk"),  # akutmedicin main training
    ("DM006", "Lise Kjær", "lise.kjaer@example.dk"),  # tutor in general practice
    ("DM007", "Klara Klar", "klara.klar@example.dk"),  # KBU trainee ready to apply to STPS
]


def load_demo(app: Logbog) -> list[DemoUser]:
    """Load the demo data set into `app` and return the demo users to print tokens for."""
    operator = Actor(subject="operator:demo", operator=True)
    app.execute(GrantStaff(subject=CURRICULUM_ADMIN, role=StaffRole.CURRICULUM_ADMIN), operator)
    for region, subject in SECRETARIATS.items():
        app.execute(
            GrantStaff(subject=subject, role=StaffRole.SECRETARIAT, region=Region(region)), operator
        )
    app.execute(GrantStaff(subject=AUDITOR, role=StaffRole.AUDITOR), operator)
    admin = app.resolve_actor(CURRICULUM_ADMIN)
    nord = app.resolve_actor(SECRETARIATS["nord"])

    app.execute(
        RegisterSpecialty(
            code="kbu",
            name="Klinisk basisuddannelse",
            stages=[Stage.KBU],
            on_logbook_from=date(2012, 9, 1),
        ),
        admin,
    )
    app.execute(
        RegisterSpecialty(
            code="akutmedicin",
            name="Akutmedicin",
            stages=[Stage.INTRODUCTION, Stage.MAIN],
            on_logbook_from=date(2018, 9, 1),
        ),
        admin,
    )
    app.execute(
        RegisterSpecialty(
            code="intern-medicin",
            name="Intern medicin",
            stages=[Stage.INTRODUCTION, Stage.MAIN],
            on_logbook_from=date(2012, 9, 1),
        ),
        admin,
    )
    app.execute(RetireSpecialty(code="intern-medicin", retired_on=date(2016, 12, 31)), admin)
    for label, start, comps in (
        ("2019", date(2019, 2, 1), KBU_2019),
        ("2024", date(2024, 9, 1), KBU_2024),
    ):
        app.execute(
            PublishCurriculum.model_validate(
                {
                    "specialty_code": "kbu",
                    "stage": "kbu",
                    "label": label,
                    "effective_from": start,
                    "nominal_duration_months": 12,
                    "competencies": comps,
                    "courses": KBU_COURSES,
                }
            ),
            admin,
        )
    for label, start, comps in (
        ("2018", date(2018, 9, 1), AKUT_2018),
        ("2025", date(2025, 3, 1), AKUT_2025),
    ):
        app.execute(
            PublishCurriculum.model_validate(
                {
                    "specialty_code": "akutmedicin",
                    "stage": "main",
                    "label": label,
                    "effective_from": start,
                    "nominal_duration_months": 60,
                    "competencies": comps,
                    "courses": MAIN_COURSES,
                }
            ),
            admin,
        )

    for code, name, kind, region in DEPARTMENTS:
        app.execute(
            RegisterDepartment.model_validate(
                {"code": code, "name": name, "kind": kind, "region": region}
            ),
            app.resolve_actor(SECRETARIATS[region]),
        )
    for auth, name, email in DOCTORS:
        app.execute(RegisterDoctor(authorisation_id=auth, name=name, email=email), nord)

    def programme(auth: str, specialty: str, stage: str, hired: date) -> UUID:
        result = app.execute(
            StartProgramme.model_validate(
                {
                    "doctor_id": doctor_id(auth),
                    "specialty_code": specialty,
                    "stage": stage,
                    "region": "nord",
                    "hiring_date": hired,
                }
            ),
            nord,
        )
        return next(e.stream_id for e in result.events if e.type == "logbog:Programme.Started")

    def employ(
        programme_id: UUID, department: str, start: date, end: date, percent: int = 100
    ) -> None:
        app.execute(
            AddEmployment(
                programme_id=programme_id,
                department_id=department_id(department),
                start=start,
                end=end,
                percent=percent,
            ),
            nord,
        )

    # Sofie is in the last month of her first KBU employment today, so the demo is always live.
    today = app.today()
    hired = add_months(today.replace(day=1), -5)
    sofie = programme("DM001", "kbu", "kbu", hired)
    employ(sofie, "AUH-AKM", hired, add_months(hired, 6) - timedelta(days=1))
    employ(
        sofie, "PRAKSIS-SKIVE-1", add_months(hired, 6), add_months(hired, 12) - timedelta(days=1)
    )
    mads = programme("DM002", "kbu", "kbu", date(2024, 2, 1))
    employ(mads, "RHV-MED", date(2024, 2, 1), date(2024, 7, 31))
    employ(mads, "PRAKSIS-SKIVE-1", date(2024, 8, 1), date(2025, 1, 31))
    jonas = programme("DM005", "akutmedicin", "main", date(2025, 9, 1))
    employ(jonas, "AUH-AKM", date(2025, 9, 1), date(2027, 8, 31), percent=80)

    # The access chain (R2): the secretariat appoints the UAO and the tutor; the UAO grants.
    app.execute(
        AppointUao(
            department_id=department_id("AUH-AKM"),
            doctor_id=doctor_id("DM004"),
            start=date(2024, 1, 1),
        ),
        nord,
    )
    app.execute(
        AppointUao(
            department_id=department_id("PRAKSIS-SKIVE-1"),
            doctor_id=doctor_id("DM006"),
            start=date(2024, 1, 1),
        ),
        nord,
    )
    uao = app.resolve_actor(str(doctor_id("DM004")))
    app.execute(
        GrantSupervisorAccess(
            department_id=department_id("AUH-AKM"),
            supervisor_id=doctor_id("DM003"),
            main_supervisor_for=doctor_id("DM001"),
            trainee_ids=[doctor_id("DM001"), doctor_id("DM005")],
            delegated_approval=True,
            start=hired,
        ),
        uao,
    )

    # The work flow: an approval, a course, and a request waiting for the supervisor.
    supervisor = app.resolve_actor(str(doctor_id("DM003")))
    trainee = app.resolve_actor(str(doctor_id("DM001")))
    app.execute(
        ApproveCompetency.model_validate(
            {
                "programme_id": sofie,
                "competency_code": "KBU-1",
                "method": "mini_cex",
                "assessed_on": max(hired, today - timedelta(days=20)),
                "note": "Sikker og struktureret ABCDE-vurdering.",
            }
        ),
        supervisor,
    )
    app.execute(
        RecordCourseCompletion.model_validate(
            {
                "programme_id": sofie,
                "course_code": "KBU-K1",
                "completed_on": max(hired, today - timedelta(days=30)),
                "days": 2,
                "evidence_ref": "Kursusbevis (demo)",
            }
        ),
        uao,
    )
    app.execute(
        RequestAssessment(
            programme_id=sofie, competency_code="KBU-3", supervisor_id=doctor_id("DM003")
        ),
        trainee,
    )

    _ready_to_apply(app, programme, employ, uao)
    return demo_users()


def _ready_to_apply(app: Logbog, programme: Any, employ: Any, uao: Actor) -> None:
    """Klara is in the last month of KBU with every competency, course and time attestation
    in place (R8): she can send her documentation to STPS."""
    today = app.today()
    hired = add_months(today.replace(day=1), -11)
    klara = programme("DM007", "kbu", "kbu", hired)
    middle = add_months(hired, 6)
    employ(klara, "AUH-AKM", hired, middle - timedelta(days=1))
    employ(klara, "PRAKSIS-SKIVE-1", middle, add_months(hired, 12) - timedelta(days=1))
    tutor = app.resolve_actor(str(doctor_id("DM006")))
    pinned = app.load(Programme, klara, message="programme.unknown")
    curriculum = app.load(CurriculumVersion, pinned.curriculum_id, message="curriculum.unknown")
    for i, competency in enumerate(curriculum.competencies):
        app.execute(
            ApproveCompetency(
                programme_id=klara,
                competency_code=competency.code,
                method=competency.methods[0].method,
                assessed_on=hired + timedelta(days=40 + 10 * i),
            ),
            uao,
        )
    for i, course in enumerate(curriculum.courses):
        app.execute(
            RecordCourseCompletion(
                programme_id=klara,
                course_code=course.code,
                completed_on=hired + timedelta(days=30 + 20 * i),
                hours=course.hours,
                days=course.days,
                evidence_ref=f"Kursusbevis (demo) {course.code}",
            ),
            uao,
        )
    first, second = app.load(Programme, klara, message="programme.unknown").employments
    app.execute(AttestEmploymentTime(programme_id=klara, employment_id=first.employment_id), uao)
    app.execute(AttestEmploymentTime(programme_id=klara, employment_id=second.employment_id), tutor)


def demo_users() -> list[DemoUser]:
    """The demo users of an already loaded demo store."""
    return [
        DemoUser(
            "KBU trainee, hired 5 months ago (curriculum KBU 2024)",
            str(doctor_id("DM001")),
            "trainee_kbu_2024",
        ),
        DemoUser(
            "KBU trainee, hired 2024-02-01 (curriculum KBU 2019)",
            str(doctor_id("DM002")),
            "trainee_kbu_2019",
        ),
        DemoUser("main supervisor of the first KBU trainee", str(doctor_id("DM003")), "supervisor"),
        DemoUser(
            "UAO of the first KBU trainee's emergency department", str(doctor_id("DM004")), "uao"
        ),
        DemoUser(
            "trainee in main training (akutmedicin, 80 % part time)",
            str(doctor_id("DM005")),
            "trainee_main",
        ),
        DemoUser(
            "KBU trainee in the last month, ready to apply to STPS",
            str(doctor_id("DM007")),
            "trainee_ready",
        ),
        DemoUser("secretariat (nord)", SECRETARIATS["nord"], "secretariat"),
        DemoUser("curriculum administrator", CURRICULUM_ADMIN, "curriculum_admin"),
        DemoUser("auditor (STPS)", AUDITOR, "auditor"),
    ]

"""A KBU programme end to end over HTTP: time, approvals, courses, attestations, submission, PDF."""

from __future__ import annotations

import copy
import re
import zlib
from datetime import date
from typing import Any

from logbog_es import dossier_pdf
from tests.conftest import Clock
from tests.e2e.conftest import Api


def _post(api: Api, name: str, subject: object, body: dict[str, Any]) -> Any:
    response: Any = api.command(
        name,
        str(subject),
        {
            k: str(v) if not isinstance(v, int | list | dict | type(None)) else v
            for k, v in body.items()
        },
    )
    return response


class TestKbuToIndependentPractice:
    """R8: from hiring to an accepted, reproducible submission for independent practice."""

    def test_walkthrough(self, api: Api, clock: Clock) -> None:
        """Refused while incomplete, accepted when complete, reproducible after later events."""
        w = api.world
        w.specialty("kbu", ("kbu",))
        w.curriculum("2024", date(2024, 9, 1))
        hospital = w.department("AUH", "nord")
        practice = w.department("GP1", "nord", kind="general_practice")
        trainee = w.doctor("KB001", "Kirsten Basis")
        uao = w.doctor("UA001", "Ulrik Overlæge")
        tutor = w.doctor("TU001", "Tove Tutor")
        programme = w.programme(trainee, date(2025, 8, 1))
        first = w.employ(programme, hospital, date(2025, 8, 1), date(2026, 1, 31)).events[0]
        second = w.employ(programme, practice, date(2026, 2, 1), date(2026, 7, 31)).events[0]
        first_id = api.container.app.repository.get(programme).employments[0].employment_id
        second_id = api.container.app.repository.get(programme).employments[1].employment_id
        del first, second
        w.appoint(hospital, uao, date(2024, 1, 1))
        w.appoint(practice, tutor, date(2024, 1, 1))
        clock.today = date(2026, 7, 10)

        def ok(response: Any) -> dict[str, Any]:
            assert response.status_code == 200, response.text
            return dict(response.json())

        ok(
            _post(
                api,
                "record-absence",
                uao,
                {
                    "programme_id": programme,
                    "employment_id": first_id,
                    "kind": "sickness",
                    "first_day": "2025-10-06",
                    "last_day": "2025-10-10",
                },
            )
        )
        ok(
            _post(
                api,
                "approve-competency",
                uao,
                {
                    "programme_id": programme,
                    "competency_code": "K1",
                    "method": "mini_cex",
                    "assessed_on": "2025-09-15",
                },
            )
        )
        ok(
            _post(
                api,
                "record-course-completion",
                "sek-nord",
                {
                    "programme_id": programme,
                    "course_code": "C1",
                    "completed_on": "2025-11-03",
                    "days": 2,
                    "evidence_ref": "Kursusbevis 17",
                },
            )
        )
        refused = _post(
            api,
            "submit-documentation",
            trainee,
            {"programme_id": programme, "kind": "independent-practice"},
        )
        assert refused.status_code == 409
        missing = {(m["what"], m["item"]) for m in refused.json()["missing"]}
        assert ("competency", "K2") in missing
        assert ("time_attestation", str(first_id)) in missing
        readiness = api.get(
            f"/programmes/{programme}/readiness?kind=independent-practice", str(trainee)
        ).json()  # type: ignore[attr-defined]
        assert {(m["what"], m["item"]) for m in readiness["missing"]} == missing
        assert readiness["earliest"] == "2026-07-01"

        ok(
            _post(
                api,
                "approve-competency",
                tutor,
                {
                    "programme_id": programme,
                    "competency_code": "K2",
                    "method": "mini_cex",
                    "assessed_on": "2026-03-10",
                },
            )
        )
        ok(
            _post(
                api,
                "attest-employment-time",
                uao,
                {"programme_id": programme, "employment_id": first_id},
            )
        )
        ok(
            _post(
                api,
                "attest-employment-time",
                tutor,
                {"programme_id": programme, "employment_id": second_id},
            )
        )
        accepted = ok(
            _post(
                api,
                "submit-documentation",
                trainee,
                {"programme_id": programme, "kind": "independent-practice"},
            )
        )
        submission_id = accepted["events"][0]["stream_id"]

        body = ok(api.get(f"/submissions/{submission_id}", str(trainee)))  # type: ignore[arg-type]
        assert body["reproducible"] is True
        # Signed at submission, outside the database: the chain head it recorded.
        checkpoint = body["checkpoint"]
        assert (checkpoint["position"], checkpoint["sha256"]) == (
            body["chain_head"]["position"],
            body["chain_head"]["sha256"],
        )
        assert api.container.checkpoints.check(api.container.app.recorder) == []
        package = body["package"]
        assert package["general_practices"] == ["Afdeling GP1"]
        assert [c["approval"]["approved_by"]["name"] for c in package["competencies"]] == [
            "Ulrik Overlæge",
            "Tove Tutor",
        ]
        assert package["competencies"][1]["approval"]["capacity"] == "tutor"
        assert package["employments"][0]["absences"][0]["days"] == 5
        assert package["curriculum"]["label"] == "2024"

        # Later events change the logbook, not the submitted package.
        clock.today = date(2026, 7, 20)
        approval = api.container.app.repository.get(programme).approvals[0].approval_id
        ok(
            _post(
                api,
                "withdraw-approval",
                uao,
                {"programme_id": programme, "approval_id": approval, "reason": "Senere rettelse"},
            )
        )
        again = ok(api.get(f"/submissions/{submission_id}", str(trainee)))  # type: ignore[arg-type]
        assert again["sha256"] == body["sha256"]
        assert again["package"] == package
        assert again["reproducible"] is True

        # Caseworkers read it; a supervisor does not.
        assert api.get(f"/submissions/{submission_id}", "auditor").status_code == 403  # type: ignore[attr-defined]
        from logbog_es.commands import GrantStaff
        from tests.helpers import OPERATOR

        api.container.app.execute(
            GrantStaff.model_validate({"subject": "stps-1", "role": "auditor"}), OPERATOR
        )
        assert api.get(f"/submissions/{submission_id}", "stps-1").status_code == 200  # type: ignore[attr-defined]
        assert api.get(f"/programmes/{programme}", "stps-1").status_code == 403  # type: ignore[attr-defined]
        listed = api.get(
            f"/submissions?authorisation_id=KB001&after={api.container.app.position()}", "stps-1"
        ).json()  # type: ignore[attr-defined]
        assert [s["submission_id"] for s in listed] == [submission_id]

        # The PDF: a document with the package hash on every page.
        pdf: Any = api.get(f"/submissions/{submission_id}", "stps-1", Accept="application/pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["X-Package-SHA256"] == body["sha256"]
        served = _page_texts(pdf.content)
        assert checkpoint["signature"][:40] in " ".join(str(page) for page in served).replace(
            "\n", ""
        )
        assert served == _page_texts(dossier_pdf.render(again, compress=False))
        longer = copy.deepcopy(again)  # the same package, its competencies listed 60 times
        longer["package"]["competencies"] *= 60
        pages = [*served, *_page_texts(dossier_pdf.render(longer))]
        assert len(pages) > 2
        for number, text in enumerate(pages, start=1):
            assert body["sha256"].encode() in text, f"page {number} lacks the package hash"


def _page_texts(pdf: bytes) -> list[bytes]:
    """The content stream of each page of a PDF, in page order, inflated where compressed."""
    objects = {
        int(number): body
        for number, body in re.findall(rb"(\d+) 0 obj\s(.*?)endobj", pdf, flags=re.DOTALL)
    }
    tree = [body for body in objects.values() if re.search(rb"/Type /Pages\b", body)]
    assert len(tree) == 1, "one page tree"
    kids = re.search(rb"/Kids \[(.*?)\]", tree[0], re.DOTALL)
    assert kids is not None, "a page tree without pages"
    texts = []
    for page in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(page)])
        assert contents is not None, f"page object {int(page)} has no contents"
        stream = objects[int(contents.group(1))]
        # The stream's bytes by its /Length: compressed data may itself end in a CR, which a
        # pattern up to "endstream" would take for the line end (a flaky 1 in 256 before).
        length = re.search(rb"/Length (\d+)", stream)
        start = re.search(rb"stream\r?\n", stream)
        assert length is not None and start is not None
        raw = stream[start.end() : start.end() + int(length.group(1))]
        texts.append(zlib.decompress(raw) if b"/FlateDecode" in stream else raw)
    return texts


class TestTimeAttestation:
    """R7: not before the last month; not while a required extension is missing."""

    def test_refusals_say_which(self, api: Api, clock: Clock) -> None:
        """Too early names the earliest day; too much absence names the required end."""
        w = api.world
        w.specialty("kbu", ("kbu",))
        w.curriculum("2024", date(2024, 9, 1))
        hospital = w.department("AUH", "nord")
        trainee = w.doctor("KB001", "Kirsten Basis")
        uao = w.doctor("UA001", "Ulrik Overlæge")
        programme = w.programme(trainee, date(2025, 8, 1))
        w.employ(programme, hospital, date(2025, 8, 1), date(2026, 1, 31))
        employment = api.container.app.repository.get(programme).employments[0].employment_id
        w.appoint(hospital, uao, date(2024, 1, 1))
        clock.today = date(2025, 12, 31)
        attest = {"programme_id": programme, "employment_id": employment}
        early = _post(api, "attest-employment-time", uao, attest)
        assert early.status_code == 409
        assert "2026-01-01" in early.json()["detail"]
        absent = _post(
            api,
            "record-absence",
            uao,
            {
                "programme_id": programme,
                "employment_id": employment,
                "kind": "sickness",
                "first_day": "2025-09-01",
                "last_day": "2025-09-20",
            },
        )
        assert absent.status_code == 200
        clock.today = date(2026, 1, 15)
        short = _post(api, "attest-employment-time", uao, attest)
        assert short.status_code == 409
        assert "20 days exceeds 10 % (18 days" in short.json()["detail"]
        assert "2026-02-20" in short.json()["detail"]
        extended = _post(
            api,
            "extend-employment",
            "sek-nord",
            {
                "programme_id": programme,
                "employment_id": employment,
                "new_end": "2026-02-20",
                "reason": "Sygefravær over 10 %",
            },
        )
        assert extended.status_code == 200, extended.text
        clock.today = date(2026, 2, 2)
        assert _post(api, "attest-employment-time", uao, attest).status_code == 200

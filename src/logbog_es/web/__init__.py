"""The web app: server-rendered pages (Jinja2, htmx) for the people who use Logbog.

Served by the same FastAPI service as the API, at `/` and at Danish paths that never collide
with the API's English ones (`/logbog`, `/indbakke`, ...). A client of the application layer
exactly like the API: see `core.py`. Pages:

    /                       the start page of whoever is logged in
    /log-ind, /log-ud       login (OpenID Connect; in development a demo user picker), logout
    /sprog/{da|en}          the language switch
    /logbog[/{programme}]   a logbook: competencies by doctor role, status, approvals
      .../kompetencer/{code}  one competency: ask for an assessment, approve, decline
      .../kurser, /tid, /parathed   courses, training time, readiness and submission
    /dokumentation/{id}[/pdf]       a submission to STPS and its PDF
    /evalueringer[/{employment}]    evaluations due, and the questionnaire
    /historik               the trainee's own history
    /indbakke               a supervisor's assessment requests
    /uddannelseslaeger      the trainees a supervisor or UAO/tutor has access to
"""

from __future__ import annotations

from logbog_es.web.app import install

__all__ = ["install"]

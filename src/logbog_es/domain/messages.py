"""Every message a user can be shown, in one place so that it can be translated.

Keys are stable codes (they also appear in problem+json responses as `code`); values are
`str.format` templates. English for now; Danish domain words where a user expects them.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # Generic input checks.
    "code.malformed": (
        "{value!r} is not a valid code; use 1-40 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit"
    ),
    "text.blank": "must not be blank",
    "text.control_character": (
        "holds a character that cannot be stored ({char} at position {position}{where}); remove "
        "it (tabs and line breaks only in notes, reasons, comments and descriptions)"
    ),
    "text.too_long": "must be at most {max_length} characters",
    "date.in_future": "{value} is in the future; give a date on or before today ({today})",
    # Specialties (reference data, R12).
    "specialty.exists": "specialty {code!r} is already registered; choose another code",
    "specialty.unknown": (
        "no specialty with code {code!r} is registered; see GET /specialties for the codes"
    ),
    "specialty.stage_missing": (
        "specialty {code!r} has no stage {stage!r}; its stages are {stages}"
    ),
    "specialty.no_stages": "give at least one stage",
    "specialty.duplicate_stage": "stage {stage!r} is listed twice",
    "specialty.already_retired": "specialty {code!r} was already retired on {retired_on}",
    "specialty.retire_before_start": (
        "retirement date {retired_on} is before the specialty came onto the logbook "
        "({on_logbook_from})"
    ),
    "specialty.retired": (
        "specialty {code!r} was retired on {retired_on}; nothing new can start in it on {on}"
    ),
    # Curricula (målbeskrivelser, R1).
    "curriculum.no_competencies": "a curriculum version needs at least one competency",
    "curriculum.duplicate_competency": (
        "competency code {code!r} is used more than once; give each competency its own code"
    ),
    "curriculum.duplicate_course": (
        "course code {code!r} is used more than once; give each course its own code"
    ),
    "curriculum.no_roles": "name at least one doctor role the competency trains",
    "curriculum.duplicate_role": "doctor role {role!r} is listed twice",
    "curriculum.no_methods": "name at least one assessment method for the competency",
    "curriculum.duplicate_method": "assessment method {method!r} is listed twice",
    "curriculum.course_extent": "give the course's extent as either hours or days (exactly one)",
    "curriculum.extent_positive": "must be a positive whole number",
    "curriculum.duration": "the nominal duration must be between 1 and 120 months, not {months}",
    "curriculum.label_exists": (
        "specialty {code!r} already has a {stage} curriculum version labelled {label!r}; "
        "published versions never change, so publish the new one under a new label"
    ),
    "curriculum.unknown": "no curriculum version with id {curriculum_id} exists",
    "curriculum.before_specialty": (
        "effective_from {effective_from} is before specialty {code!r} came onto the logbook "
        "({on_logbook_from})"
    ),
    "curriculum.none_in_effect": (
        "no {stage} curriculum version of specialty {code!r} is in effect on the hiring date "
        "{hiring_date}; {hint}"
    ),
    "curriculum.wrong_programme_kind": (
        "curriculum version {label!r} is for {code!r}/{stage}, but the programme is "
        "{programme_code!r}/{programme_stage}; choose a version of the programme's own "
        "specialty and stage"
    ),
    "curriculum.already_pinned": (
        "the programme already follows curriculum version {label!r}; nothing to change"
    ),
    # Departments.
    "department.exists": "a department with code {code!r} is already registered",
    "department.unknown": "no department with id {department_id} is registered",
    # Doctors.
    "doctor.cpr_taken": (
        "this CPR number is already registered for another doctor; find that doctor in the "
        "register instead of registering them again (or check the number)"
    ),
    "programme.transfer_needed": (
        "the doctor is in training in region {regions} on the hiring date; a programme in "
        "region {region} makes it a transfer, which lets region {region}'s secretariat read the "
        "doctor's whole history: give transfer_reason to record it (the doctor sees it)"
    ),
    "doctor.exists": (
        "a doctor with authorisation id {authorisation_id!r} is already registered "
        "(doctor id {doctor_id})"
    ),
    "doctor.unknown": "no doctor with id {doctor_id} is registered",
    "doctor.authorisation_id": (
        "{value!r} is not an STPS authorisation id; it is 5 letters or digits, e.g. 'A1B2C'"
    ),
    "doctor.cpr": "is not a CPR number; write it as DDMMYY-NNNN with a real date",
    "doctor.email": "{value!r} is not an e-mail address",
    "doctor.programme_exists": (
        "the doctor already has a {stage} programme in {code!r} (programme {programme_id}); "
        "a new programme is only for a new specialty or stage"
    ),
    # Programmes and employments (R5, R9).
    "programme.unknown": "no programme with id {programme_id} exists",
    "employment.start_not_first": (
        "an employment starts on the 1st of a month (R9); {start} is not, use {suggestion}"
    ),
    "employment.end_before_start": "the end date {end} is not after the start date {start}",
    "employment.before_hiring": (
        "the employment starts {start}, before the programme's hiring date {hiring_date}"
    ),
    "employment.percent": (
        "part time is allowed down to 50 % of full time (R5); give 50-100, not {percent}"
    ),
    "employment.overlap": (
        "the employment {start} to {end} overlaps the doctor's employment {other_start} to "
        "{other_end} (employment {other_id}); employments must not overlap"
    ),
    # Staff and access.
    "staff.region_required": "a secretariat role needs a region (nord, syd or oest)",
    "staff.region_not_allowed": "the {role} role is national; give no region",
    "staff.already_granted": "{subject!r} already holds {grant}",
    "staff.not_granted": "{subject!r} does not hold {grant}",
    # Authorisation (policy).
    "auth.operator_only": (
        "only an operator may {action}; use `logbog admin {command}` on the server"
    ),
    "auth.curriculum_admin_only": (
        "only a curriculum administrator may {action}; you act as {actor}"
    ),
    "auth.secretariat_region": (
        "only the secretariat of region {region} may {action}; you act as {actor}"
    ),
    "auth.secretariat_only": "only a secretariat may {action}; you act as {actor}",
    "auth.person_only": (
        "only a registered doctor or staff member may {action}; you act as {actor}"
    ),
    "auth.read_doctor": (
        "you may read only your own profile or, as a secretariat, doctors in your region"
    ),
    "auth.read_programme": (
        "you may read only your own programmes or, as a secretariat, programmes of your region"
    ),
    "auth.read_department": (
        "only the department's UAO/tutor, its supervisors or the secretariat of its region may "
        "{action}; you act as {actor}"
    ),
    "auth.read_history": (
        "only the doctor, the secretariat of the doctor's region, and STPS caseworkers (once "
        "the doctor has submitted documentation) may {action}; you act as {actor}"
    ),
    "auth.readers_own_only": "only the doctor may see who has read their logbook",
    "auth.read_submission": (
        "only the trainee who submitted, STPS caseworkers and the region's secretariat may "
        "{action}; you act as {actor}"
    ),
    "auth.uao_only": (
        "only the UAO/tutor of the department, holding the appointment on the day, may {action}; "
        "you act as {actor}"
    ),
    "auth.own_logbook_only": "only the trainee may {action} in their own logbook",
    "auth.trainee_access_not_yet": (
        "your logbook access starts on the first working day of your first employment (R3): "
        "{starts}"
    ),
    "auth.approver_no_access": (
        "you did not hold UAO/tutor or supervisor access to this trainee at the trainee's "
        "department on {day} (R4); ask the department's UAO/tutor for access"
    ),
    "auth.not_delegated": (
        "on {day} you were a supervisor without the delegated right to approve competencies "
        "(R4); the main supervisor or the UAO/tutor may approve, or the UAO/tutor may delegate "
        "the right to you"
    ),
    "auth.not_employed": (
        "the trainee was not employed at any department on {day}; an approval is dated within "
        "one of the programme's employments"
    ),
    # Access chain (R2).
    "access.already_appointed": (
        "the doctor already holds a {capacity} appointment here from {start}; end it first"
    ),
    "access.appointment_ended": "the appointment already ended (last day {last_day})",
    "access.end_before_start": (
        "the last day {last_day} is before the appointment started ({start})"
    ),
    "access.empty_trainees": (
        "name at least one trainee, or leave trainee_ids out to grant access to all trainees"
    ),
    "access.self_supervision": "a doctor cannot be their own supervisor",
    "access.main_supervisor_exists": (
        "the trainee already has a main supervisor here from {start}; revoke that grant first"
    ),
    "access.grant_revoked": "the access was already revoked from {revoked_from}",
    "access.revoke_before_start": (
        "revoked_from {revoked_from} is before the access started ({start})"
    ),
    "access.no_appointment": "no appointment {appointment_id} at this department",
    "access.no_grant": "no supervisor access {grant_id} at this department",
    "access.no_roster": "department {department_id} has no UAO/tutor or supervisors yet",
    "access.supervisor_no_access": (
        "the doctor you asked has no supervisor or UAO/tutor access to you at {department} "
        "today; ask one who has, or ask the UAO/tutor to grant access"
    ),
    "access.not_employed_today": (
        "you are not employed at any department today, so there is no supervisor to ask"
    ),
    "access.no_current_department": (
        "the trainee is not employed at any department today, so no UAO/tutor is current (R10)"
    ),
    # The logbook (R4, R10).
    "logbook.unknown_competency": (
        "{code!r} is not a competency of curriculum version {label!r}, which the programme follows"
    ),
    "logbook.unknown_course": (
        "{code!r} is not a course of curriculum version {label!r}, which the programme follows"
    ),
    "logbook.unknown_code": (
        "{code!r} is not a {kind} of curriculum version {label!r}, which the programme follows"
    ),
    "logbook.method_not_allowed": (
        "{method!r} is not an assessment method of competency {code!r}; use one of: {allowed}"
    ),
    "logbook.already_approved": (
        "competency {code!r} was already approved on {on} by {by} ({capacity}); a UAO/tutor "
        "may withdraw that approval first"
    ),
    "logbook.already_approved_short": "competency {code!r} is already approved (on {on})",
    "logbook.request_open": (
        "you already asked this supervisor to assess {code!r} (request {request_id})"
    ),
    "logbook.no_request": "no assessment request {request_id} in this programme",
    "logbook.request_closed": "the request is already {status}",
    "logbook.no_approval": "no approval {approval_id} in this programme",
    "logbook.already_withdrawn": "the approval of {code!r} is already withdrawn",
    "logbook.course_done": "course {code!r} is already recorded as completed on {on}",
    "logbook.not_prior": (
        "a prior attestation is from before the doctor or the specialty came onto the logbook "
        "({logbook_from}); {attested_on} is not (R10)"
    ),
    "logbook.no_attestation": "no prior attestation {attestation_id} in this programme",
    "logbook.attestation_verified": "the attestation was already verified on {on}",
    # Training time (R5, R6, R7, R9).
    "time.no_employment": "no employment {employment_id} in this programme",
    "time.absence_order": "the last day {last} is before the first day {first}",
    "time.absence_outside": (
        "the absence must lie within the employment ({start} to {end}); record it on the "
        "employment it belongs to"
    ),
    "time.absence_overlap": "it overlaps absence already recorded from {first} to {last}",
    "time.already_attested": (
        "the employment's time was already attested on {on}; nothing about its time can change"
    ),
    "time.fraction_not_first": (
        "part time changes on the 1st of a month; {value} is not, use {suggestion}"
    ),
    "time.fraction_range": (
        "part time is allowed down to 50 % of full time (R5); give 50-100, not {value:g}"
    ),
    "time.fraction_outside": "the date must lie within the employment ({start} to {end})",
    "time.fraction_input": (
        "give either percent, or hours_per_week with full_time_hours_per_week; not both"
    ),
    "time.extension_not_later": "the new end {new_end} is not after the current end {end}",
    "time.extension_overlap": (
        "extending to {new_end} would overlap the employment from {other_start} "
        "(employment {other_id}); later employments must move first"
    ),
    "time.attest_too_early": (
        "a time attestation is issued at the earliest on the first day of the employment's last "
        "month (R7): {earliest}"
    ),
    "time.extension_missing": (
        "the {why}, so the employment must run until at least {required_end}, but it ends "
        "{end}; the secretariat records the extension first (extend-employment)"
    ),
    # Documentation for STPS (R8, R11).
    "dossier.not_ready": (
        "the documentation for {kind} is not complete: {summary}; see `missing` for each item "
        "(GET /programmes/{{id}}/readiness shows the same list)"
    ),
    "dossier.nothing_new": (
        "no time attestation has been issued since the submission; nothing to supplement"
    ),
    "dossier.unknown": "no submission with id {submission_id}",
    "dossier.imported_no_pdf": (
        "submission {submission_id} was imported from the old logbook (its id there: "
        "{legacy_id}; the old package's SHA-256: {legacy_sha256}); its document is kept in the "
        "old system's archive, so there is no PDF to print here; ask for JSON instead"
    ),
    # The audit trail: one line per event, in words (English for now).
    "history.logbog:Doctor.Registered": "{subject} was registered as a doctor",
    "history.logbog:Doctor.TransferRecorded": (
        "transferred from region {from_regions} to region {to_region}: {reason}"
    ),
    "history.logbog:Doctor.ContactDetailsRecorded": (
        "contact details of {subject} completed from their own logbook in the old system"
    ),
    "history.logbog:Doctor.ProgrammeEnrolled": (
        "{subject} was enrolled in a {stage} programme in {specialty} (hired {hiring_date})"
    ),
    "history.logbog:Doctor.EmploymentBooked": "employment {start} to {end} booked",
    "history.logbog:Doctor.EmploymentExtended": "employment extended to {new_end}",
    "history.logbog:Doctor.TraineeAccessGranted": (
        "logbook access from the first working day of the first employment: {access_from} (R3)"
    ),
    "history.logbog:Programme.Started": (
        "programme started: {specialty}, {stage}, region {region}, hired {hiring_date}"
    ),
    "history.logbog:Programme.CurriculumVersionPinned": (
        "follows curriculum version {label}, in effect on the hiring date (R1)"
    ),
    "history.logbog:Programme.CurriculumVersionChanged": (
        "moved to curriculum version {label}; reason: {reason}"
    ),
    "history.logbog:Programme.EmploymentAdded": (
        "employment at {department} from {start} to {end} at {percent} %"
    ),
    "history.logbog:Programme.AssessmentRequested": (
        "asked {supervisor} to assess competency {code}"
    ),
    "history.logbog:Programme.AssessmentDeclined": "assessment request declined: {reason}",
    "history.logbog:Programme.CompetencyApproved": (
        "competency {code} approved by {approver} as {capacity}{delegation}, by {method}, "
        "assessed {assessed_on}"
    ),
    "history.logbog:Programme.ApprovalWithdrawn": (
        "approval of competency {code} withdrawn; reason: {reason}"
    ),
    "history.logbog:Programme.CourseCompleted": "course {code} completed {completed_on}",
    "history.logbog:Programme.PriorAttestationRegistered": (
        "paper attestation of {kind} {code} from {attested_on} registered"
    ),
    "history.logbog:Programme.PriorAttestationVerified": "paper attestation verified (R10)",
    "history.logbog:Programme.AbsenceRecorded": "{kind} from {first_day} to {last_day}",
    "history.logbog:Programme.EmploymentFractionChanged": "part time {percent} % from {from_date}",
    "history.logbog:Programme.EmploymentExtended": (
        "employment extended to {new_end}; reason: {reason}"
    ),
    "history.logbog:Programme.EmploymentTimeAttested": (
        "time attested for the employment ({absence_days} days of absence) (R7)"
    ),
    "history.logbog:Programme.DocumentationSubmitted": "documentation sent to STPS: {kind}",
    "history.logbog:Submission.Submitted": (
        "documentation package ({kind}) submitted, SHA-256 {sha256}"
    ),
    "history.imported_submission": (
        "documentation package ({kind}) submitted through the old logbook (its id there: "
        "{legacy_id}; the old package's SHA-256: {legacy_sha256})"
    ),
    "history.logbog:Submission.SupplementSubmitted": (
        "supplementary documentation submitted, SHA-256 {sha256}"
    ),
    "history.logbog:DepartmentAccess.UaoAppointed": (
        "{doctor} appointed {capacity} at {department} from {start}"
    ),
    "history.logbog:DepartmentAccess.UaoAppointmentEnded": (
        "an appointment at {department} ended; last day {last_day}"
    ),
    "history.logbog:DepartmentAccess.SupervisorAccessGranted": (
        "{supervisor} given supervisor access at {department} from {start}{main}{delegated}"
    ),
    "history.logbog:DepartmentAccess.SupervisorAccessRevoked": (
        "supervisor access at {department} revoked from {revoked_from}"
    ),
    "history.logbog:Doctor.IdentityLinked": (
        "a login at {issuer} linked to {subject} (rule: {rule})"
    ),
    "history.logbog:Doctor.IdentityLinkRevoked": (
        "the link of a login at {issuer} to {subject} revoked: {reason}"
    ),
    "history.unknown": "{type}",
    "history.delegation": " (delegated by {name})",
    "history.as_main_supervisor": ", as main supervisor",
    "history.with_approval_right": ", with the right to approve",
    "history.the_doctor": "the doctor",
    "history.not_known": "not known",
    "history.period_reversed": (
        "the period starts {start} but ends {end}, before it starts; give from on or before to"
    ),
    "history.programme_not_doctors": (
        "programme {programme_id} is not one of this doctor's programmes; leave programme_id "
        "out, or use an id from the doctor's logbook"
    ),
    "history.one_view": (
        "give one of as_of, position or effective_on: as_of/position look back in recorded "
        "time, effective_on in effective time"
    ),
    # Evaluations of training sites (R13).
    "evaluation.period": "{value!r} is not a period; write YYYY-H1 or YYYY-H2",
    "evaluation.too_early": (
        "an employment is evaluated at the earliest in its last month, from {earliest}"
    ),
    "evaluation.too_late": "the time to evaluate this employment ended on {latest}",
    "evaluation.version": "no questionnaire version {version!r}; known: {known}",
    "evaluation.unknown_question": "{code!r} is not a question of this questionnaire",
    "evaluation.unanswered": "answer every question: 1-6, or null for not relevant",
    "evaluation.scale": "answers are 1 to 6 (or null for not relevant), not {value}",
    "evaluation.done": "you already evaluated this employment",
    "evaluation.unknown": "no evaluation {evaluation_id}",
    "auth.own_evaluation_only": ("an evaluation is visible to no one but the trainee who gave it"),
    # Queries.
    "query.sort": "{detail}",
    "query.cursor": "the cursor is not one this API returned; start again without it",
    # Commands and concurrency.
    "read.after_beyond_head": (
        "position {after} has not been recorded (the log ends at {head}); pass the position a "
        "command returned"
    ),
    "request.json_invalid": (
        "the body is not valid JSON ({reason}); send a JSON object with "
        "Content-Type: application/json, as in commands/<name>.example.json"
    ),
    "command.unknown": "there is no command {name!r}; known commands: {known}",
    "command.concurrency": (
        "the records this command changes were changed by others {attempts} times while it ran; "
        "send it again"
    ),
    "command.stale_version": (
        "{stream} is at version {actual}, not {expected} as If-Match says; reload it and decide "
        "again"
    ),
    "command.idempotency_reuse": (
        "idempotency key {command_id!r} was already used for a different command or payload "
        "({first}); use a new key for a new command"
    ),
    "command.if_match": '{value!r} is not a version; send If-Match: "<version number>"',
    "command.id_malformed": (
        "the command id / Idempotency-Key must be 1-200 visible ASCII characters"
    ),
    # The web pages' staff forms (web/actions.py).
    "web.action_context": (
        "this form needs the {name} it concerns; open it from the page that links to it"
    ),
    "web.action_not_offered": (
        "you may not {action} here today; the page that links to it shows what you may do"
    ),
    "web.no_doctor_with_authorisation_id": (
        "no doctor is registered with authorisation id {authorisation_id}; check the id, or ask "
        "the secretariat to register the doctor first"
    ),
    "employment.unknown": "no employment with id {employment_id} in this programme",
    "identity.already_revoked": "this login's link was already revoked on {on}",
    "identity.revoked": (
        "this login's link to a doctor was revoked by the secretariat; contact the secretariat "
        "for medical training in your region"
    ),
    "identity.unknown": "no login link with id {link_id} for this doctor",
    "reminders.address_needed": (
        "give the address the digest should go to (no address is recorded for you)"
    ),
}


def render(code: str, /, **params: Any) -> str:
    """The user-facing text for a message code."""
    return MESSAGES[code].format(**params)

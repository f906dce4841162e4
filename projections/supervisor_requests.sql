-- Read model "supervisor_requests": assessment requests waiting for each supervisor.
-- A row disappears when the request is approved or declined. Valid on SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS supervisor_requests (
    request_id TEXT PRIMARY KEY,       -- id of the assessment request (UUID)
    supervisor_id TEXT NOT NULL,       -- the supervisor asked (UUID of the doctor)
    programme_id TEXT NOT NULL,        -- the trainee's programme (UUID)
    trainee_id TEXT NOT NULL,          -- the trainee (UUID of the doctor)
    competency_code TEXT NOT NULL,     -- the competency to assess, a code of the programme's curriculum version
    department_id TEXT NOT NULL,       -- where the trainee was employed when asking (UUID)
    requested_at TEXT NOT NULL,        -- when it was asked (UTC, ISO 8601)
    requested_position BIGINT NOT NULL -- position of the request in the event log
);

CREATE INDEX IF NOT EXISTS supervisor_requests_by_supervisor
    ON supervisor_requests (supervisor_id, requested_position);

CREATE TABLE IF NOT EXISTS supervisor_requests_people (
    doctor_id TEXT PRIMARY KEY,        -- a doctor (UUID)
    name TEXT NOT NULL                 -- the doctor's name, to show who asked
);

CREATE TABLE IF NOT EXISTS supervisor_requests_programmes (
    programme_id TEXT PRIMARY KEY,     -- a programme (UUID)
    trainee_id TEXT NOT NULL           -- its trainee (UUID of the doctor)
);

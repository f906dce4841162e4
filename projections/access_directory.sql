-- Read model "access_directory": who is UAO/tutor and supervisor where, from when to when (R2).
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS access_appointments (
    appointment_id TEXT PRIMARY KEY,   -- id of the appointment (UUID)
    department_id TEXT NOT NULL,       -- the department or general practice (UUID)
    doctor_id TEXT NOT NULL,           -- the doctor appointed (UUID)
    capacity TEXT NOT NULL,            -- 'uao' (hospital department) or 'tutor' (general practice)
    start_date DATE NOT NULL,          -- first day of the appointment
    last_day DATE                      -- last day of the appointment; NULL while it lasts
);

CREATE INDEX IF NOT EXISTS access_appointments_by_doctor ON access_appointments (doctor_id);
CREATE INDEX IF NOT EXISTS access_appointments_by_department ON access_appointments (department_id);

CREATE TABLE IF NOT EXISTS access_grants (
    grant_id TEXT PRIMARY KEY,         -- id of the supervisor access (UUID)
    department_id TEXT NOT NULL,       -- the department or general practice (UUID)
    supervisor_id TEXT NOT NULL,       -- the supervisor (UUID of the doctor)
    trainee_ids TEXT,                  -- comma-separated trainee ids; NULL means all the department's trainees
    main_supervisor_for TEXT,          -- the trainee whose main supervisor (hovedvejleder) this is, if any
    delegated INTEGER NOT NULL,        -- 1 when the UAO/tutor delegated the right to approve competencies (R4)
    granted_by TEXT NOT NULL,          -- the UAO/tutor who granted it (UUID of the doctor)
    start_date DATE NOT NULL,          -- first day of access
    revoked_from DATE                  -- first day without access; NULL while it lasts
);

CREATE INDEX IF NOT EXISTS access_grants_by_supervisor ON access_grants (supervisor_id);
CREATE INDEX IF NOT EXISTS access_grants_by_department ON access_grants (department_id);

CREATE TABLE IF NOT EXISTS access_streams (
    stream_id TEXT PRIMARY KEY,        -- id of a department's access-chain event stream (UUID)
    department_id TEXT NOT NULL        -- the department that stream belongs to (UUID)
);

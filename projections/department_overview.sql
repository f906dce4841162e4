-- Read model "department_overview": the trainees employed at each department or general
-- practice, past, now and coming; their progress is joined from programme_progress when queried.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS overview_employments (
    employment_id TEXT PRIMARY KEY,    -- id of the employment (UUID)
    department_id TEXT NOT NULL,       -- the department or general practice (UUID)
    programme_id TEXT NOT NULL,        -- the trainee's programme (UUID)
    trainee_id TEXT NOT NULL,          -- the trainee (UUID of the doctor)
    trainee_name TEXT NOT NULL,        -- the trainee's name
    specialty_code TEXT NOT NULL,      -- the programme's specialty ('kbu' for KBU)
    stage TEXT NOT NULL,               -- kbu, introduction or main
    start_date DATE NOT NULL,          -- first day of the employment
    end_date DATE NOT NULL,            -- last day of the employment, as extended
    percent INTEGER NOT NULL           -- percentage of full time when added (R5)
);

CREATE INDEX IF NOT EXISTS overview_employments_by_department
    ON overview_employments (department_id, end_date);

CREATE TABLE IF NOT EXISTS overview_programmes (
    programme_id TEXT PRIMARY KEY,     -- a programme (UUID)
    trainee_id TEXT NOT NULL,          -- its trainee (UUID of the doctor)
    specialty_code TEXT NOT NULL,      -- its specialty
    stage TEXT NOT NULL                -- its stage
);

CREATE TABLE IF NOT EXISTS overview_people (
    doctor_id TEXT PRIMARY KEY,        -- a doctor (UUID)
    name TEXT NOT NULL                 -- the doctor's name
);

-- Read model "region_register": every programme (trainee) of a training region with specialty,
-- stage and employments; status, current department and flags are computed from these rows and
-- programme_progress when queried, because they depend on today's date.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS register_programmes (
    programme_id TEXT PRIMARY KEY,     -- id of the programme (UUID)
    region TEXT NOT NULL,              -- training region: nord, syd or oest
    trainee_id TEXT NOT NULL,          -- the trainee (UUID of the doctor)
    trainee_name TEXT NOT NULL,        -- the trainee's name
    authorisation_id TEXT NOT NULL,    -- the trainee's STPS authorisation id
    specialty_code TEXT NOT NULL,      -- specialty code ('kbu' for KBU)
    stage TEXT NOT NULL,               -- kbu, introduction or main
    hiring_date DATE NOT NULL,         -- hiring date (pins the curriculum version, R1)
    curriculum_label TEXT NOT NULL     -- label of the curriculum version it follows
);

CREATE INDEX IF NOT EXISTS register_programmes_by_region ON register_programmes (region, trainee_name);

CREATE TABLE IF NOT EXISTS register_employments (
    employment_id TEXT PRIMARY KEY,    -- id of the employment (UUID)
    programme_id TEXT NOT NULL,        -- the programme (UUID)
    department_id TEXT NOT NULL,       -- department or general practice (UUID)
    department_name TEXT NOT NULL,     -- its name
    start_date DATE NOT NULL,          -- first day
    end_date DATE NOT NULL             -- last day, as extended (extend-employment)
);

CREATE INDEX IF NOT EXISTS register_employments_by_programme ON register_employments (programme_id);

CREATE TABLE IF NOT EXISTS register_people (
    doctor_id TEXT PRIMARY KEY,        -- a doctor (UUID)
    name TEXT NOT NULL,                -- the doctor's name
    authorisation_id TEXT NOT NULL     -- the doctor's STPS authorisation id
);

CREATE TABLE IF NOT EXISTS register_departments (
    department_id TEXT PRIMARY KEY,    -- a department or general practice (UUID)
    name TEXT NOT NULL                 -- its name
);

-- Read model "programme_progress": per programme (uddannelsesforløb) its pinned curriculum
-- version, competencies approved of the total (also per doctor role), courses done of those
-- required, and its employments. Time served (and its part-time equivalent, R5) is computed
-- from the programme's events when queried, not stored here.
-- Which competency or course is done: join progress_credits (active = 1) with
-- progress_curriculum_items on the programme's curriculum_id.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS progress_programmes (
    programme_id TEXT PRIMARY KEY,       -- id of the programme (UUID)
    trainee_id TEXT NOT NULL,            -- the trainee (UUID of the doctor)
    trainee_name TEXT NOT NULL,          -- the trainee's name
    specialty_code TEXT NOT NULL,        -- specialty code ('kbu' for KBU)
    stage TEXT NOT NULL,                 -- kbu, introduction or main
    region TEXT NOT NULL,                -- training region whose secretariat runs the programme
    hiring_date DATE NOT NULL,           -- the hiring date that pinned the curriculum version (R1)
    curriculum_id TEXT NOT NULL,         -- the curriculum version the programme follows (UUID)
    curriculum_label TEXT NOT NULL,      -- that version's label
    competencies_total INTEGER NOT NULL, -- competencies in the pinned version
    competencies_approved INTEGER NOT NULL, -- of those, approved (or a verified prior attestation, R10)
    courses_total INTEGER NOT NULL,      -- courses the pinned version requires
    courses_done INTEGER NOT NULL,       -- of those, completed (or a verified prior attestation)
    last_event_position BIGINT NOT NULL  -- position of the last event that changed this row
);

CREATE INDEX IF NOT EXISTS progress_programmes_by_trainee ON progress_programmes (trainee_id);

CREATE TABLE IF NOT EXISTS progress_roles (
    programme_id TEXT NOT NULL,          -- the programme (UUID)
    role TEXT NOT NULL,                  -- a doctor role (CanMEDS) trained by some competency
    competencies_total INTEGER NOT NULL, -- competencies of the pinned version training this role
    competencies_approved INTEGER NOT NULL, -- of those, approved
    PRIMARY KEY (programme_id, role)
);

CREATE TABLE IF NOT EXISTS progress_employments (
    employment_id TEXT PRIMARY KEY,      -- id of the employment (UUID)
    programme_id TEXT NOT NULL,          -- the programme it belongs to (UUID)
    department_id TEXT NOT NULL,         -- department or general practice (UUID)
    start_date DATE NOT NULL,            -- first day (always the 1st of a month, R9)
    end_date DATE NOT NULL,              -- last day, as extended (extend-employment)
    percent INTEGER NOT NULL             -- percentage of full time when added, 50-100 (R5); later
                                         -- part-time changes are in the time report, not here
);

CREATE INDEX IF NOT EXISTS progress_employments_by_programme ON progress_employments (programme_id);

CREATE TABLE IF NOT EXISTS progress_curriculum_items (
    curriculum_id TEXT NOT NULL,         -- a curriculum version (UUID)
    kind TEXT NOT NULL,                  -- 'competency' or 'course'
    code TEXT NOT NULL,                  -- the competency's or course's code
    roles TEXT NOT NULL,                 -- comma-separated doctor roles (competencies; '' for courses)
    PRIMARY KEY (curriculum_id, kind, code)
);

CREATE TABLE IF NOT EXISTS progress_credits (
    credit_id TEXT PRIMARY KEY,          -- approval, course record or prior attestation id
    programme_id TEXT NOT NULL,          -- the programme (UUID)
    kind TEXT NOT NULL,                  -- 'competency' or 'course'
    code TEXT NOT NULL,                  -- what it credits
    active INTEGER NOT NULL              -- 1 while it counts (not withdrawn; attestation verified)
);

CREATE INDEX IF NOT EXISTS progress_credits_by_code ON progress_credits (programme_id, kind, code);

CREATE TABLE IF NOT EXISTS progress_people (
    doctor_id TEXT PRIMARY KEY,          -- a doctor (UUID)
    name TEXT NOT NULL                   -- the doctor's name
);

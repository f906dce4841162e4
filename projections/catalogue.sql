-- Read model "catalogue": the reference data everyone looks up (specialties, curriculum
-- versions, departments). Rebuilt from the event log at any time; never written by hand.
-- Valid on SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS catalogue_specialties (
    code TEXT PRIMARY KEY,             -- stable specialty code, e.g. 'akutmedicin' ('kbu' for KBU)
    specialty_id TEXT NOT NULL UNIQUE, -- id of the specialty's event stream (UUID)
    name TEXT NOT NULL,                -- Danish name
    stages TEXT NOT NULL,              -- comma-separated stages it has: kbu, introduction, main
    on_logbook_from DATE NOT NULL,     -- the date it came onto the electronic logbook (R12)
    retired_on DATE,                   -- from this date nothing new starts in it; NULL if active
    curriculum_versions INTEGER NOT NULL DEFAULT 0  -- number of published curriculum versions
);

CREATE TABLE IF NOT EXISTS catalogue_curricula (
    curriculum_id TEXT PRIMARY KEY,    -- id of the curriculum version (UUID)
    specialty_code TEXT NOT NULL,      -- the specialty it belongs to
    stage TEXT NOT NULL,               -- kbu, introduction or main
    label TEXT NOT NULL,               -- the version's label, e.g. '2024'
    effective_from DATE NOT NULL,      -- programmes hired on or after this date follow it (R1)
    nominal_duration_months INTEGER NOT NULL, -- the stage's nominal duration in months
    competencies INTEGER NOT NULL,     -- number of competencies (kompetencemål)
    courses INTEGER NOT NULL,          -- number of required courses
    published_at TEXT NOT NULL,        -- when it was published (UTC, ISO 8601)
    published_position BIGINT NOT NULL -- position of the publishing event in the event log
);

CREATE INDEX IF NOT EXISTS catalogue_curricula_by_specialty
    ON catalogue_curricula (specialty_code, stage, effective_from);

CREATE TABLE IF NOT EXISTS catalogue_departments (
    department_id TEXT PRIMARY KEY,    -- id of the department or general practice (UUID)
    code TEXT NOT NULL UNIQUE,         -- its code
    name TEXT NOT NULL,                -- its name
    kind TEXT NOT NULL,                -- hospital or general_practice
    region TEXT NOT NULL               -- training region: nord, syd or oest
);

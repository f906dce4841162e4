-- Read model "submissions": documentation sent to STPS, for caseworkers to find by doctor.
-- The packages themselves are read from the event store (they are reproduced exactly).
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,    -- id of the submission (UUID)
    programme_id TEXT NOT NULL,        -- the programme it documents (UUID)
    doctor_id TEXT NOT NULL,           -- the doctor who submitted (UUID)
    trainee_name TEXT NOT NULL,        -- the doctor's name
    authorisation_id TEXT NOT NULL,    -- the doctor's STPS authorisation id
    region TEXT NOT NULL,              -- the programme's training region
    kind TEXT NOT NULL,                -- independent-practice or specialist-recognition
    submitted_on DATE NOT NULL,        -- the day it was submitted
    sha256 TEXT NOT NULL,              -- SHA-256 of the package's canonical JSON
    supplements INTEGER NOT NULL       -- number of supplementary submissions sent after it
);

CREATE INDEX IF NOT EXISTS submissions_by_authorisation ON submissions (authorisation_id);

CREATE TABLE IF NOT EXISTS submissions_people (
    doctor_id TEXT PRIMARY KEY,        -- a doctor (UUID)
    name TEXT NOT NULL,                -- the doctor's name
    authorisation_id TEXT NOT NULL     -- the doctor's STPS authorisation id
);

CREATE TABLE IF NOT EXISTS submissions_programmes (
    programme_id TEXT PRIMARY KEY,     -- a programme (UUID)
    region TEXT NOT NULL               -- its training region
);

-- Read model "evaluation_results": evaluations of training sites, aggregated per cell
-- (department, half-year, specialty, region, stage). No row identifies a trainee or an
-- employment. Published results sum only cells of at least 3 evaluations (R13); cells below that
-- are kept here but never published alone or inside a sum. Do not grant BI tools access to
-- evaluation_comments: comments are for the department's management and UAO/tutor only.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS evaluation_cells (
    department_id TEXT NOT NULL,     -- the evaluated department or general practice (UUID)
    period TEXT NOT NULL,            -- half-year the employment ended in, 'YYYY-H1' or 'YYYY-H2'
    specialty_code TEXT NOT NULL,    -- the trainees' specialty ('kbu' for KBU)
    region TEXT NOT NULL,            -- the department's training region
    stage TEXT NOT NULL,             -- kind of post: kbu, introduction or main
    evaluations INTEGER NOT NULL,    -- number of evaluations in this cell
    PRIMARY KEY (department_id, period, specialty_code, region, stage)
);

CREATE TABLE IF NOT EXISTS evaluation_answers (
    department_id TEXT NOT NULL,     -- as in evaluation_cells
    period TEXT NOT NULL,            -- as in evaluation_cells
    specialty_code TEXT NOT NULL,    -- as in evaluation_cells
    region TEXT NOT NULL,            -- as in evaluation_cells
    stage TEXT NOT NULL,             -- as in evaluation_cells
    question TEXT NOT NULL,          -- question code of the questionnaire
    answers INTEGER NOT NULL,        -- answers 1-6 given in the cell ('not relevant' excluded)
    total INTEGER NOT NULL,          -- sum of those answers (average = total / answers)
    PRIMARY KEY (department_id, period, specialty_code, region, stage, question)
);

CREATE TABLE IF NOT EXISTS evaluation_comments (
    comment_id TEXT PRIMARY KEY,     -- an opaque id (not the evaluation's)
    department_id TEXT NOT NULL,     -- the evaluated department (UUID)
    period TEXT NOT NULL,            -- half-year, 'YYYY-H1' or 'YYYY-H2'
    comment TEXT NOT NULL            -- the trainee's comment, without name
);

CREATE INDEX IF NOT EXISTS evaluation_comments_by_department
    ON evaluation_comments (department_id, period);

CREATE TABLE IF NOT EXISTS evaluation_responses (
    response_id TEXT PRIMARY KEY,    -- id of the response's event stream (UUID)
    department_id TEXT NOT NULL,     -- the department (UUID)
    period TEXT NOT NULL,            -- the half-year responded to
    response TEXT NOT NULL,          -- the department's public response
    responded_at TEXT NOT NULL       -- when it was last given (UTC, ISO 8601)
);

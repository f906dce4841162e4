-- Read model "evaluation_people": how many different trainees answered in each cell of the
-- evaluation results, and each question of it (R13: a cell is published only from 3 different
-- trainees, so one trainee with two employments at a department cannot subtract their own
-- answers). A person is a hash of the cell and the trainee's login, so cells cannot be linked.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS evaluation_cell_people (
    department_id TEXT NOT NULL,     -- as in evaluation_cells
    period TEXT NOT NULL,            -- as in evaluation_cells
    specialty_code TEXT NOT NULL,    -- as in evaluation_cells
    region TEXT NOT NULL,            -- as in evaluation_cells
    stage TEXT NOT NULL,             -- as in evaluation_cells
    person TEXT NOT NULL,            -- a hash of the cell and the trainee (not reversible)
    PRIMARY KEY (department_id, period, specialty_code, region, stage, person)
);

CREATE TABLE IF NOT EXISTS evaluation_answer_people (
    department_id TEXT NOT NULL,     -- as in evaluation_cells
    period TEXT NOT NULL,            -- as in evaluation_cells
    specialty_code TEXT NOT NULL,    -- as in evaluation_cells
    region TEXT NOT NULL,            -- as in evaluation_cells
    stage TEXT NOT NULL,             -- as in evaluation_cells
    question TEXT NOT NULL,          -- a question answered 1-6 (not 'not relevant')
    person TEXT NOT NULL,            -- as in evaluation_cell_people
    PRIMARY KEY (department_id, period, specialty_code, region, stage, question, person)
);

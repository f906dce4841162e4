-- Read model "required_time": each employment's required end (R5 part time, R6 absence), so the
-- region register can flag an employment that must be extended before its last month, and to
-- when. The end recorded is in register_employments; the rules are domain/training_time.py.
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS required_time (
    employment_id TEXT PRIMARY KEY,    -- id of the employment (UUID)
    programme_id TEXT NOT NULL,        -- its programme (UUID)
    start_date DATE NOT NULL,          -- first day
    nominal_end DATE NOT NULL,         -- last day as first added (the nominal duration)
    percent INTEGER NOT NULL,          -- percentage of full time when added
    changes TEXT NOT NULL,             -- JSON: part-time changes [[from, numerator, denominator]]
    absences TEXT NOT NULL,            -- JSON: absences [[first day, last day]]
    required_end DATE NOT NULL         -- the last day the rules require (R5, R6)
);

CREATE INDEX IF NOT EXISTS required_time_by_programme ON required_time (programme_id);

-- Read model "reminders": the reminders decided for each person (open until resolved), and the
-- daily digests composed from them with their delivery. The in-app list and the mail delivery
-- read it; the decisions themselves are events (Reminder, Digest, MailChoice).
-- Valid on SQLite and PostgreSQL. Rebuilt from the event log at any time.

CREATE TABLE IF NOT EXISTS reminders (
    reminder_id TEXT PRIMARY KEY,      -- id of the reminder (UUID, a hash of its key)
    reminder_key TEXT NOT NULL,        -- the occasion, e.g. assessment:<request id>
    kind TEXT NOT NULL,                -- a reminder kind (domain/reminders.py)
    recipient TEXT NOT NULL,           -- a doctor's id, or secretariat:<region>
    about TEXT NOT NULL,               -- JSON: what the reminder names (no CPR, no free text)
    link TEXT NOT NULL,                -- the page where it is done
    decided_on DATE NOT NULL,          -- the day it was decided
    resolved_on DATE,                  -- the day it stopped holding; NULL while open
    position BIGINT NOT NULL           -- position of the Decided event
);

CREATE INDEX IF NOT EXISTS reminders_by_recipient ON reminders (recipient, resolved_on);

CREATE TABLE IF NOT EXISTS reminder_digests (
    digest_id TEXT PRIMARY KEY,        -- id of the digest (UUID, a hash of recipient and day)
    recipient TEXT NOT NULL,           -- as in reminders
    day DATE NOT NULL,                 -- the day it was composed for
    message_id TEXT NOT NULL,          -- the mail's Message-ID, the same for every attempt
    reminders INTEGER NOT NULL,        -- how many reminders it lists
    delivered_at TEXT,                 -- when delivery was recorded; NULL while not delivered
    via TEXT,                          -- smtp or maildir
    attempts INTEGER NOT NULL,         -- failed attempts so far
    next_attempt_at TEXT,              -- after a failure: not before this time (UTC, ISO)
    position BIGINT NOT NULL           -- position of the Composed event
);

CREATE INDEX IF NOT EXISTS reminder_digests_undelivered ON reminder_digests (delivered_at, position);
CREATE INDEX IF NOT EXISTS reminder_digests_by_recipient ON reminder_digests (recipient, day);

CREATE TABLE IF NOT EXISTS reminder_choices (
    choice_id TEXT PRIMARY KEY,        -- id of the choice (UUID, a hash of the subject)
    subject TEXT NOT NULL,             -- a doctor's id or a staff login's subject
    digest INTEGER NOT NULL,           -- 1: a daily digest; 0: no mail
    has_address INTEGER NOT NULL,      -- 1 when an address was given (the address stays in events)
    language TEXT NOT NULL             -- da or en
);

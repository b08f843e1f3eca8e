-- Messages to a woman over the channels she chose (Telegram, SMS, email), in her order of
-- preference and her language; what was sent, over which channel; group messages of a lab.
-- Keep in step with the other backend's 0019_messages.sql (a test compares the migrated schemas).

-- Her channels: one row per channel she has set. `consent_at` is when she agreed to it, `stopped_at`
-- when she stopped it (a stopped channel is never used until she agrees again). `telegram_chat` is
-- the chat the bot writes to: never shown to staff.
CREATE TABLE message_channels (
    person_id TEXT NOT NULL REFERENCES people(id),
    channel TEXT NOT NULL,
    position INTEGER NOT NULL,
    consent_at TEXT,
    stopped_at TEXT,
    telegram_chat TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, channel)
);

-- The language she is written to in.
CREATE TABLE message_prefs (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    language TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One-time codes of Telegram deep links (`https://t.me/<bot>?start=<code>`), kept as their hash.
CREATE TABLE telegram_codes (
    code_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);

-- Group messages of a lab: who they went to, in which channels, at what SMS cost.
CREATE TABLE group_messages (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    audience TEXT NOT NULL,
    audience_ref TEXT NOT NULL DEFAULT '',
    template TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    sms_segments INTEGER NOT NULL,
    sms_cost INTEGER NOT NULL,
    sent_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX group_messages_lab ON group_messages (lab_id, created_at);

-- Every attempt to deliver a message over one channel: `sent`, `failed` (with the error), or
-- `unreached` when she had no channel to try.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    lab_id TEXT REFERENCES labs(id),
    group_id TEXT REFERENCES group_messages(id),
    template TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    segments INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX messages_person ON messages (person_id, created_at);
CREATE INDEX messages_job ON messages (job_id);

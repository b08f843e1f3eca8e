-- Surveys: instruments (built in or imported from XLSForm), their questions and scales, responses
-- at waves of a residency, answers, and each response's scale scores (computed on submit).
-- Keep in step with the other backend's tree (a test compares the two migrated schemas).

-- lab_id NULL: the network's instrument, offered to every lab.
CREATE TABLE survey_instruments (
    id TEXT PRIMARY KEY,
    lab_id TEXT REFERENCES labs(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    -- Comma-separated wave kinds it is due at: baseline, endline, follow_up_6, follow_up_12.
    waves TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    -- The importer's row-level warnings (JSON list), shown on the instrument's page.
    warnings TEXT NOT NULL DEFAULT '[]',
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX survey_instruments_code ON survey_instruments (COALESCE(lab_id, ''), code);

CREATE TABLE survey_scales (
    instrument_id TEXT NOT NULL REFERENCES survey_instruments(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (instrument_id, code)
);

-- Labels, hints and group labels are JSON {"ky","ru","en"}; choices a JSON list; relevant the
-- parsed condition as JSON (NULL: always shown).
CREATE TABLE survey_questions (
    id TEXT PRIMARY KEY,
    instrument_id TEXT NOT NULL REFERENCES survey_instruments(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '{}',
    required BIGINT NOT NULL DEFAULT 0,
    relevant TEXT,
    group_label TEXT NOT NULL DEFAULT '{}',
    choices TEXT NOT NULL DEFAULT '[]',
    scale_code TEXT,
    reversed BIGINT NOT NULL DEFAULT 0,
    UNIQUE (instrument_id, name)
);
CREATE INDEX survey_questions_instrument ON survey_questions (instrument_id, position);

-- entered_by: the coordinator who typed a paper form in; NULL when she answered herself.
CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    instrument_id TEXT NOT NULL REFERENCES survey_instruments(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    residency_id TEXT REFERENCES residencies(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    wave TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    entered_by TEXT REFERENCES users(id),
    submitted_at TEXT NOT NULL
);
CREATE INDEX survey_responses_lab ON survey_responses (lab_id, wave);
CREATE INDEX survey_responses_person ON survey_responses (person_id);
-- One response per woman, instrument, wave and residency.
CREATE UNIQUE INDEX survey_responses_once ON survey_responses (instrument_id, person_id, wave, COALESCE(residency_id, ''));

CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    question_id TEXT NOT NULL REFERENCES survey_questions(id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);

CREATE TABLE survey_scores (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    scale_code TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    items_answered BIGINT NOT NULL,
    PRIMARY KEY (response_id, scale_code)
);

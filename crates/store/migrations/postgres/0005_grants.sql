-- Seed funding: calls with weighted criteria, applications (single or joint) with budget lines,
-- team members and attachments, reviewers with conflicts and scores, awards within the budget,
-- tranches, an append-only payment ledger, progress reports, and the ventures grants fund.
-- Money is integer tyiyn. Keep in step with the other backend's tree (a test compares them).

-- A call for applications. lab_id NULL: open to residents of every lab (network-wide).
CREATE TABLE grant_calls (
    id TEXT PRIMARY KEY,
    lab_id TEXT REFERENCES labs(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    budget BIGINT NOT NULL CHECK (budget > 0),
    min_award BIGINT NOT NULL CHECK (min_award > 0),
    max_award BIGINT NOT NULL CHECK (max_award >= min_award),
    currency TEXT NOT NULL DEFAULT 'KGS',
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    cohort_id TEXT REFERENCES cohorts(id),
    status TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX grant_calls_lab ON grant_calls (lab_id, status);

CREATE TABLE grant_criteria (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES grant_calls(id),
    position BIGINT NOT NULL,
    name_ky TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    guidance_ky TEXT NOT NULL DEFAULT '',
    guidance_ru TEXT NOT NULL DEFAULT '',
    guidance_en TEXT NOT NULL DEFAULT '',
    weight BIGINT NOT NULL CHECK (weight > 0),
    max_points BIGINT NOT NULL CHECK (max_points > 0)
);
CREATE UNIQUE INDEX grant_criteria_position ON grant_criteria (call_id, position);

-- One application per woman per call; filled_by is the coordinator who typed it with her.
CREATE TABLE grant_applications (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES grant_calls(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    title TEXT NOT NULL DEFAULT '',
    idea TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other',
    requested BIGINT NOT NULL DEFAULT 0,
    own_contribution BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    submitted_at TEXT,
    filled_by TEXT REFERENCES users(id),
    decision_message TEXT NOT NULL DEFAULT '',
    decided_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX grant_applications_one ON grant_applications (call_id, person_id);
CREATE INDEX grant_applications_person ON grant_applications (person_id);

CREATE TABLE grant_budget_lines (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    position BIGINT NOT NULL,
    item TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0)
);
CREATE INDEX grant_budget_lines_app ON grant_budget_lines (application_id, position);

-- Other residents in a joint initiative; each confirms on her own page.
CREATE TABLE grant_team_members (
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    added_at TEXT NOT NULL,
    confirmed_at TEXT,
    PRIMARY KEY (application_id, person_id)
);
CREATE INDEX grant_team_members_person ON grant_team_members (person_id);

-- Photos and quotes, kept in the database (one file to back up); images without metadata.
CREATE TABLE grant_attachments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    uploaded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX grant_attachments_app ON grant_attachments (application_id);

CREATE TABLE grant_reviewers (
    call_id TEXT NOT NULL REFERENCES grant_calls(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    assigned_by TEXT REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX grant_reviewers_user ON grant_reviewers (user_id);

-- A declared conflict of interest removes the reviewer from that application.
CREATE TABLE grant_conflicts (
    reviewer_id TEXT NOT NULL REFERENCES users(id),
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    reason TEXT NOT NULL DEFAULT '',
    declared_at TEXT NOT NULL,
    PRIMARY KEY (reviewer_id, application_id)
);

CREATE TABLE grant_reviews (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    reviewer_id TEXT NOT NULL REFERENCES users(id),
    comment TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX grant_reviews_one ON grant_reviews (application_id, reviewer_id);

CREATE TABLE grant_scores (
    review_id TEXT NOT NULL REFERENCES grant_reviews(id),
    criterion_id TEXT NOT NULL REFERENCES grant_criteria(id),
    points BIGINT NOT NULL CHECK (points >= 0),
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, criterion_id)
);

CREATE TABLE grant_awards (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES grant_applications(id),
    call_id TEXT NOT NULL REFERENCES grant_calls(id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    proposed_amount BIGINT NOT NULL DEFAULT 0,
    adjusted_reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    notified BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX grant_awards_one ON grant_awards (application_id);
CREATE INDEX grant_awards_call ON grant_awards (call_id);

-- An award is paid in tranches; their amounts add up to the award (checked by the store).
CREATE TABLE grant_tranches (
    id TEXT PRIMARY KEY,
    award_id TEXT NOT NULL REFERENCES grant_awards(id),
    position BIGINT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    condition TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    released_at TEXT,
    released_by TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX grant_tranches_position ON grant_tranches (award_id, position);

-- The ledger: rows are only ever added. A correction is a negative row that names the row it
-- reverses. The idempotency key (a token in the form) refuses the same submission twice.
CREATE TABLE grant_payments (
    id TEXT PRIMARY KEY,
    tranche_id TEXT NOT NULL REFERENCES grant_tranches(id),
    amount BIGINT NOT NULL CHECK (amount <> 0),
    paid_on TEXT NOT NULL,
    channel TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    reverses_id TEXT REFERENCES grant_payments(id),
    idempotency_key TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX grant_payments_idempotency ON grant_payments (idempotency_key);
CREATE UNIQUE INDEX grant_payments_one_reversal ON grant_payments (reverses_id);
CREATE INDEX grant_payments_tranche ON grant_payments (tranche_id);

CREATE FUNCTION grant_payments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'grant_payments is append-only';
END;
$$;

CREATE TRIGGER grant_payments_no_change BEFORE UPDATE OR DELETE ON grant_payments
    FOR EACH ROW EXECUTE FUNCTION grant_payments_append_only();

CREATE TRIGGER grant_payments_no_truncate BEFORE TRUNCATE ON grant_payments
    FOR EACH STATEMENT EXECUTE FUNCTION grant_payments_append_only();

CREATE TABLE grant_reports (
    id TEXT PRIMARY KEY,
    award_id TEXT NOT NULL REFERENCES grant_awards(id),
    body TEXT NOT NULL,
    purchases TEXT NOT NULL DEFAULT '',
    first_sales BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    response TEXT NOT NULL DEFAULT '',
    submitted_by TEXT REFERENCES users(id),
    submitted_at TEXT NOT NULL,
    responded_by TEXT REFERENCES users(id),
    responded_at TEXT
);
CREATE INDEX grant_reports_award ON grant_reports (award_id);

-- A business or joint initiative of residents; impact work follows it (launched, still running).
CREATE TABLE ventures (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    award_id TEXT REFERENCES grant_awards(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    launched_on TEXT,
    closed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ventures_award ON ventures (award_id);
CREATE INDEX ventures_lab ON ventures (lab_id, status);

CREATE TABLE venture_members (
    venture_id TEXT NOT NULL REFERENCES ventures(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (venture_id, person_id)
);
CREATE INDEX venture_members_person ON venture_members (person_id);

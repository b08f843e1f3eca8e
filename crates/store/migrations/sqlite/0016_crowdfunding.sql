-- Crowdfunding: campaigns with their story (three languages), photos, budget lines tied to what
-- wcl knows (events, a grant call, space costs as a category), reward tiers with a quantity,
-- updates, pledges without an account, and the public ledger (append-only: a correction is a
-- row that reverses another). Money is integer tyiyn.
-- Keep in step with the other backend's 0016_crowdfunding.sql (a test compares the schemas).

-- lab_id NULL: the network's campaign (the admin's).
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    lab_id TEXT REFERENCES labs(id),
    title_ky TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    title_en TEXT NOT NULL,
    story_ky TEXT NOT NULL DEFAULT '',
    story_ru TEXT NOT NULL DEFAULT '',
    story_en TEXT NOT NULL DEFAULT '',
    goal INTEGER NOT NULL CHECK (goal > 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    payment_details TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_lab ON campaigns (lab_id, status);

-- Story photos and spending receipts, metadata stripped, kept in the database.
CREATE TABLE campaign_files (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX campaign_files_campaign ON campaign_files (campaign_id, kind);

CREATE TABLE campaign_budget_lines (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    category TEXT NOT NULL,
    label TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    event_id TEXT REFERENCES events(id),
    call_id TEXT REFERENCES grant_calls(id),
    created_at TEXT NOT NULL
);
CREATE INDEX campaign_budget_lines_campaign ON campaign_budget_lines (campaign_id);

-- quantity NULL: unlimited. reserved counts pledges holding the reward (refunds give it back);
-- the store never lets it pass quantity.
CREATE TABLE campaign_tiers (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    min_amount INTEGER NOT NULL CHECK (min_amount > 0),
    quantity INTEGER CHECK (quantity IS NULL OR quantity >= 0),
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    product TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (quantity IS NULL OR reserved <= quantity)
);
CREATE INDEX campaign_tiers_campaign ON campaign_tiers (campaign_id);

CREATE TABLE campaign_updates (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    posted_by TEXT REFERENCES users(id),
    posted_at TEXT NOT NULL
);
CREATE INDEX campaign_updates_campaign ON campaign_updates (campaign_id, posted_at);

-- A pledge without an account. Contact details are for the campaign's lab staff only; the name
-- is shown publicly only with show_name = 1. The idempotency key (a token in the form) makes a
-- double submission one pledge.
CREATE TABLE pledges (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    tier_id TEXT REFERENCES campaign_tiers(id),
    reference TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL CHECK (amount > 0),
    message TEXT NOT NULL DEFAULT '',
    show_name INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fulfilled_at TEXT,
    created_at TEXT NOT NULL,
    paid_at TEXT,
    refunded_at TEXT
);
CREATE UNIQUE INDEX pledges_reference ON pledges (reference);
CREATE UNIQUE INDEX pledges_idempotency ON pledges (idempotency_key);
CREATE INDEX pledges_campaign ON pledges (campaign_id, status);

-- The public ledger: money in (pledges paid) and out (spending), rows only ever added. A
-- correction is a row of the same direction with the opposite amount naming the row it
-- reverses. The balance is the sum of `in` minus the sum of `out`. A payment matched from a bank
-- statement keeps the line's fingerprint, so importing the statement again records nothing twice.
CREATE TABLE campaign_ledger (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    direction TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount <> 0),
    occurred_on TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    pledge_id TEXT REFERENCES pledges(id),
    event_id TEXT REFERENCES events(id),
    award_id TEXT REFERENCES grant_awards(id),
    receipt_id TEXT REFERENCES campaign_files(id),
    reverses_id TEXT REFERENCES campaign_ledger(id),
    fingerprint TEXT,
    idempotency_key TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_ledger_idempotency ON campaign_ledger (idempotency_key);
CREATE UNIQUE INDEX campaign_ledger_one_reversal ON campaign_ledger (reverses_id);
CREATE UNIQUE INDEX campaign_ledger_fingerprint ON campaign_ledger (fingerprint);
CREATE INDEX campaign_ledger_campaign ON campaign_ledger (campaign_id, occurred_on);

CREATE TRIGGER campaign_ledger_no_update BEFORE UPDATE ON campaign_ledger
BEGIN
    SELECT RAISE(ABORT, 'campaign_ledger is append-only');
END;

CREATE TRIGGER campaign_ledger_no_delete BEFORE DELETE ON campaign_ledger
BEGIN
    SELECT RAISE(ABORT, 'campaign_ledger is append-only');
END;

-- The makers' showcase: a resident or alumna who opts in has a public profile (her display
-- name or a pseudonym; a contact only if she writes one), her products and services, and her
-- venture. search_key holds the forgiving skeleton of her name, skills and products.
CREATE TABLE maker_profiles (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    display_name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    skills TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    venture_id TEXT REFERENCES ventures(id),
    search_key TEXT NOT NULL DEFAULT '',
    published INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX maker_profiles_lab ON maker_profiles (lab_id, published);

CREATE TABLE maker_products (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES maker_profiles(person_id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    price_from INTEGER NOT NULL CHECK (price_from >= 0),
    price_to INTEGER NOT NULL CHECK (price_to >= price_from),
    availability TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX maker_products_person ON maker_products (person_id);

-- Sales of a venture (a joint initiative's are split among its members equally).
CREATE TABLE venture_sales (
    id TEXT PRIMARY KEY,
    venture_id TEXT NOT NULL REFERENCES ventures(id),
    sold_on TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    channel TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX venture_sales_venture ON venture_sales (venture_id, sold_on);

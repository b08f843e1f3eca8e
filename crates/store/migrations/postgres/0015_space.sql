-- The lab's space and its own money: resources with booking rules and prices, bookings and the
-- slots they hold, plans, invoices numbered per lab and year, payments, costs and income.
-- Keep in step with the other backend's tree (a test compares the two migrated schemas).

-- A room, desk or piece of equipment. `hours`: Monday..Sunday as `09:00-18:00` or empty
-- (closed), comma-separated, in Bishkek time.
CREATE TABLE space_resources (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    kind TEXT NOT NULL,
    name_ky TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    capacity BIGINT NOT NULL DEFAULT 1,
    hours TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL DEFAULT 60,
    horizon_days BIGINT NOT NULL DEFAULT 14,
    max_minutes BIGINT NOT NULL DEFAULT 240,
    cancel_hours BIGINT NOT NULL DEFAULT 2,
    training_id TEXT REFERENCES programmes(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX space_resources_lab ON space_resources (lab_id);

-- Days a resource (or, with no resource, the whole lab) is closed: holidays, maintenance.
CREATE TABLE space_closures (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    resource_id TEXT REFERENCES space_resources(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX space_closures_lab ON space_closures (lab_id, starts_on);

-- What a kind of user pays for a resource, per hour, day or slot, in tyiyn.
CREATE TABLE space_prices (
    resource_id TEXT NOT NULL REFERENCES space_resources(id),
    audience TEXT NOT NULL,
    unit TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (resource_id, audience)
);

-- A booking of a person (or a walk-in named in `walk_in`), or a block for maintenance.
CREATE TABLE space_bookings (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    resource_id TEXT NOT NULL REFERENCES space_resources(id),
    person_id TEXT REFERENCES people(id),
    walk_in TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL,
    series_id TEXT,
    price BIGINT NOT NULL DEFAULT 0,
    person_plan_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX space_bookings_resource ON space_bookings (resource_id, starts_at);
CREATE INDEX space_bookings_person ON space_bookings (person_id, starts_at);
CREATE INDEX space_bookings_lab ON space_bookings (lab_id, starts_at);

-- Every slot a live booking holds: two bookings can never hold the same slot of a resource,
-- whatever the timing (the primary key refuses the second insert in its transaction).
CREATE TABLE space_slots (
    resource_id TEXT NOT NULL REFERENCES space_resources(id),
    slot_start TEXT NOT NULL,
    booking_id TEXT NOT NULL REFERENCES space_bookings(id),
    PRIMARY KEY (resource_id, slot_start)
);
CREATE INDEX space_slots_booking ON space_slots (booking_id);

-- Plans a lab offers: a monthly membership with hours included, a day pass, a pack of hours.
CREATE TABLE space_plans (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    kind TEXT NOT NULL,
    name_ky TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    hours_included BIGINT NOT NULL DEFAULT 0,
    valid_days BIGINT NOT NULL DEFAULT 30,
    price BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX space_plans_lab ON space_plans (lab_id);

-- A person's plan: from, to, whether it renews, the minutes of equipment used so far.
CREATE TABLE space_person_plans (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    plan_id TEXT NOT NULL REFERENCES space_plans(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    renews BIGINT NOT NULL DEFAULT 0,
    minutes_included BIGINT NOT NULL DEFAULT 0,
    minutes_used BIGINT NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX space_person_plans_person ON space_person_plans (person_id, ends_on);

-- The lab's legal details (its host partner organisation) and its self-financing target.
CREATE TABLE space_settings (
    lab_id TEXT PRIMARY KEY REFERENCES labs(id),
    legal_name TEXT NOT NULL DEFAULT '',
    legal_details TEXT NOT NULL DEFAULT '',
    target_pct BIGINT NOT NULL DEFAULT 30,
    updated_at TEXT NOT NULL
);

-- The last invoice number of a lab in a year, raised in each invoice's transaction: numbers
-- are gapless and never reused.
CREATE TABLE space_invoice_counters (
    lab_id TEXT NOT NULL REFERENCES labs(id),
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (lab_id, year)
);

-- An issued invoice (or a credit note correcting one); never edited once issued.
CREATE TABLE space_invoices (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    credits_id TEXT REFERENCES space_invoices(id),
    person_id TEXT REFERENCES people(id),
    org_id TEXT REFERENCES organisations(id),
    payer_name TEXT NOT NULL,
    seller_name TEXT NOT NULL DEFAULT '',
    seller_details TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    total BIGINT NOT NULL,
    language TEXT NOT NULL DEFAULT 'ky',
    created_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (lab_id, year, seq)
);
CREATE INDEX space_invoices_person ON space_invoices (person_id);
CREATE INDEX space_invoices_lab ON space_invoices (lab_id, issued_on);

CREATE TABLE space_invoice_lines (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES space_invoices(id),
    position BIGINT NOT NULL,
    item TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    resource_id TEXT REFERENCES space_resources(id),
    booking_id TEXT REFERENCES space_bookings(id),
    person_plan_id TEXT REFERENCES space_person_plans(id)
);
CREATE INDEX space_invoice_lines_invoice ON space_invoice_lines (invoice_id, position);

-- A payment on an invoice. `fingerprint`: the bank statement line it came from, so that a
-- statement imported twice records nothing twice.
CREATE TABLE space_payments (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    invoice_id TEXT NOT NULL REFERENCES space_invoices(id),
    paid_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    fingerprint TEXT UNIQUE,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX space_payments_invoice ON space_payments (invoice_id);
CREATE INDEX space_payments_lab ON space_payments (lab_id, paid_on);

-- What the lab spent in a month, by category and by who paid.
CREATE TABLE space_costs (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    paid_by TEXT NOT NULL,
    amount BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX space_costs_lab ON space_costs (lab_id, month);

-- Own income not invoiced through wcl (event fees at the door, other), by month and source.
CREATE TABLE space_income (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    month TEXT NOT NULL,
    source TEXT NOT NULL,
    amount BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX space_income_lab ON space_income (lab_id, month);

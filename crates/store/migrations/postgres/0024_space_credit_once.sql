-- An invoice is corrected by at most one credit note, whatever the timing of two requests.
-- Keep in step with the other backend's 0024_space_credit_once.sql.
CREATE UNIQUE INDEX space_invoices_credits_once ON space_invoices (credits_id);

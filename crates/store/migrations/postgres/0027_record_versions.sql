-- Versions of the records the public figures are computed from (issue 14): `impact` for the
-- indicators' facts, `money` for the space's finances and crowdfunding. Every statement that
-- changes one of the tables below adds one to its version, in its own transaction; a server keeps
-- computed figures with the version they were computed at and computes again once it has moved,
-- so the figures are always those of the records as they are, without reading the whole history
-- on each request. Not copied by `wcl db copy` (each database counts its own changes).
-- Keep in step with the other backend's 0027_record_versions.sql (a test compares the schemas).
-- Each version moves once per statement (not per row), at the end of the statement.
CREATE TABLE record_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO record_versions (name, version) VALUES ('impact', 0), ('money', 0);

-- The names of the versions to move are the trigger's arguments.
CREATE FUNCTION record_versions_bump() RETURNS trigger AS $$
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = ANY (TG_ARGV);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER versions_labs AFTER INSERT OR UPDATE OR DELETE ON labs
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_cohorts AFTER INSERT OR UPDATE OR DELETE ON cohorts
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_people AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_residencies AFTER INSERT OR UPDATE OR DELETE ON residencies
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_residency_transitions AFTER INSERT OR UPDATE OR DELETE ON residency_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_assertions AFTER INSERT OR UPDATE OR DELETE ON assertions
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_events AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_registrations AFTER INSERT OR UPDATE OR DELETE ON registrations
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_network_members AFTER INSERT OR UPDATE OR DELETE ON network_members
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_mentoring_matches AFTER INSERT OR UPDATE OR DELETE ON mentoring_matches
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_mentoring_sessions AFTER INSERT OR UPDATE OR DELETE ON mentoring_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_outcomes AFTER INSERT OR UPDATE OR DELETE ON outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_indicator_targets AFTER INSERT OR UPDATE OR DELETE ON indicator_targets
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_grant_applications AFTER INSERT OR UPDATE OR DELETE ON grant_applications
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_grant_awards AFTER INSERT OR UPDATE OR DELETE ON grant_awards
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_ventures AFTER INSERT OR UPDATE OR DELETE ON ventures
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact', 'money');
CREATE TRIGGER versions_venture_members AFTER INSERT OR UPDATE OR DELETE ON venture_members
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_venture_sales AFTER INSERT OR UPDATE OR DELETE ON venture_sales
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact', 'money');
CREATE TRIGGER versions_survey_responses AFTER INSERT OR UPDATE OR DELETE ON survey_responses
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_survey_scores AFTER INSERT OR UPDATE OR DELETE ON survey_scores
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('impact');
CREATE TRIGGER versions_space_resources AFTER INSERT OR UPDATE OR DELETE ON space_resources
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_closures AFTER INSERT OR UPDATE OR DELETE ON space_closures
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_prices AFTER INSERT OR UPDATE OR DELETE ON space_prices
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_plans AFTER INSERT OR UPDATE OR DELETE ON space_plans
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_person_plans AFTER INSERT OR UPDATE OR DELETE ON space_person_plans
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_bookings AFTER INSERT OR UPDATE OR DELETE ON space_bookings
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_slots AFTER INSERT OR UPDATE OR DELETE ON space_slots
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_settings AFTER INSERT OR UPDATE OR DELETE ON space_settings
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_invoices AFTER INSERT OR UPDATE OR DELETE ON space_invoices
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_invoice_lines AFTER INSERT OR UPDATE OR DELETE ON space_invoice_lines
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_payments AFTER INSERT OR UPDATE OR DELETE ON space_payments
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_costs AFTER INSERT OR UPDATE OR DELETE ON space_costs
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_space_income AFTER INSERT OR UPDATE OR DELETE ON space_income
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_campaigns AFTER INSERT OR UPDATE OR DELETE ON campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_campaign_budget_lines AFTER INSERT OR UPDATE OR DELETE ON campaign_budget_lines
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_pledges AFTER INSERT OR UPDATE OR DELETE ON pledges
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');
CREATE TRIGGER versions_campaign_ledger AFTER INSERT OR UPDATE OR DELETE ON campaign_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_bump('money');

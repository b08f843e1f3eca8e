-- Versions of the records the public figures are computed from (issue 14): `impact` for the
-- indicators' facts, `money` for the space's finances and crowdfunding. Every statement that
-- changes one of the tables below adds one to its version, in its own transaction; a server keeps
-- computed figures with the version they were computed at and computes again once it has moved,
-- so the figures are always those of the records as they are, without reading the whole history
-- on each request. Not copied by `wcl db copy` (each database counts its own changes).
-- Keep in step with the other backend's 0027_record_versions.sql (a test compares the schemas).
CREATE TABLE record_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO record_versions (name, version) VALUES ('impact', 0), ('money', 0);
CREATE TRIGGER versions_labs_insert AFTER INSERT ON labs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_labs_update AFTER UPDATE ON labs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_labs_delete AFTER DELETE ON labs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_cohorts_insert AFTER INSERT ON cohorts
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_cohorts_update AFTER UPDATE ON cohorts
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_cohorts_delete AFTER DELETE ON cohorts
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_people_insert AFTER INSERT ON people
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_people_update AFTER UPDATE ON people
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_people_delete AFTER DELETE ON people
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residencies_insert AFTER INSERT ON residencies
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residencies_update AFTER UPDATE ON residencies
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residencies_delete AFTER DELETE ON residencies
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residency_transitions_insert AFTER INSERT ON residency_transitions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residency_transitions_update AFTER UPDATE ON residency_transitions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_residency_transitions_delete AFTER DELETE ON residency_transitions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_programmes_insert AFTER INSERT ON programmes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_programmes_update AFTER UPDATE ON programmes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_programmes_delete AFTER DELETE ON programmes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_assertions_insert AFTER INSERT ON assertions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_assertions_update AFTER UPDATE ON assertions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_assertions_delete AFTER DELETE ON assertions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_events_insert AFTER INSERT ON events
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_events_update AFTER UPDATE ON events
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_events_delete AFTER DELETE ON events
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_registrations_insert AFTER INSERT ON registrations
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_registrations_update AFTER UPDATE ON registrations
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_registrations_delete AFTER DELETE ON registrations
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_network_members_insert AFTER INSERT ON network_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_network_members_update AFTER UPDATE ON network_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_network_members_delete AFTER DELETE ON network_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_matches_insert AFTER INSERT ON mentoring_matches
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_matches_update AFTER UPDATE ON mentoring_matches
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_matches_delete AFTER DELETE ON mentoring_matches
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_sessions_insert AFTER INSERT ON mentoring_sessions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_sessions_update AFTER UPDATE ON mentoring_sessions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_mentoring_sessions_delete AFTER DELETE ON mentoring_sessions
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_outcomes_insert AFTER INSERT ON outcomes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_outcomes_update AFTER UPDATE ON outcomes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_outcomes_delete AFTER DELETE ON outcomes
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_indicator_targets_insert AFTER INSERT ON indicator_targets
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_indicator_targets_update AFTER UPDATE ON indicator_targets
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_indicator_targets_delete AFTER DELETE ON indicator_targets
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_applications_insert AFTER INSERT ON grant_applications
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_applications_update AFTER UPDATE ON grant_applications
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_applications_delete AFTER DELETE ON grant_applications
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_awards_insert AFTER INSERT ON grant_awards
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_awards_update AFTER UPDATE ON grant_awards
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_grant_awards_delete AFTER DELETE ON grant_awards
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_ventures_insert AFTER INSERT ON ventures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_ventures_update AFTER UPDATE ON ventures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_ventures_delete AFTER DELETE ON ventures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_venture_members_insert AFTER INSERT ON venture_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_venture_members_update AFTER UPDATE ON venture_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_venture_members_delete AFTER DELETE ON venture_members
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_venture_sales_insert AFTER INSERT ON venture_sales
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_venture_sales_update AFTER UPDATE ON venture_sales
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_venture_sales_delete AFTER DELETE ON venture_sales
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name IN ('impact', 'money');
END;
CREATE TRIGGER versions_survey_responses_insert AFTER INSERT ON survey_responses
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_survey_responses_update AFTER UPDATE ON survey_responses
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_survey_responses_delete AFTER DELETE ON survey_responses
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_survey_scores_insert AFTER INSERT ON survey_scores
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_survey_scores_update AFTER UPDATE ON survey_scores
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_survey_scores_delete AFTER DELETE ON survey_scores
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'impact';
END;
CREATE TRIGGER versions_space_resources_insert AFTER INSERT ON space_resources
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_resources_update AFTER UPDATE ON space_resources
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_resources_delete AFTER DELETE ON space_resources
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_closures_insert AFTER INSERT ON space_closures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_closures_update AFTER UPDATE ON space_closures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_closures_delete AFTER DELETE ON space_closures
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_prices_insert AFTER INSERT ON space_prices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_prices_update AFTER UPDATE ON space_prices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_prices_delete AFTER DELETE ON space_prices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_plans_insert AFTER INSERT ON space_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_plans_update AFTER UPDATE ON space_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_plans_delete AFTER DELETE ON space_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_person_plans_insert AFTER INSERT ON space_person_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_person_plans_update AFTER UPDATE ON space_person_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_person_plans_delete AFTER DELETE ON space_person_plans
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_bookings_insert AFTER INSERT ON space_bookings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_bookings_update AFTER UPDATE ON space_bookings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_bookings_delete AFTER DELETE ON space_bookings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_slots_insert AFTER INSERT ON space_slots
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_slots_update AFTER UPDATE ON space_slots
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_slots_delete AFTER DELETE ON space_slots
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_settings_insert AFTER INSERT ON space_settings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_settings_update AFTER UPDATE ON space_settings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_settings_delete AFTER DELETE ON space_settings
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoices_insert AFTER INSERT ON space_invoices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoices_update AFTER UPDATE ON space_invoices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoices_delete AFTER DELETE ON space_invoices
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoice_lines_insert AFTER INSERT ON space_invoice_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoice_lines_update AFTER UPDATE ON space_invoice_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_invoice_lines_delete AFTER DELETE ON space_invoice_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_payments_insert AFTER INSERT ON space_payments
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_payments_update AFTER UPDATE ON space_payments
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_payments_delete AFTER DELETE ON space_payments
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_costs_insert AFTER INSERT ON space_costs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_costs_update AFTER UPDATE ON space_costs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_costs_delete AFTER DELETE ON space_costs
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_income_insert AFTER INSERT ON space_income
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_income_update AFTER UPDATE ON space_income
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_space_income_delete AFTER DELETE ON space_income
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaigns_insert AFTER INSERT ON campaigns
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaigns_update AFTER UPDATE ON campaigns
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaigns_delete AFTER DELETE ON campaigns
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_budget_lines_insert AFTER INSERT ON campaign_budget_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_budget_lines_update AFTER UPDATE ON campaign_budget_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_budget_lines_delete AFTER DELETE ON campaign_budget_lines
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_pledges_insert AFTER INSERT ON pledges
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_pledges_update AFTER UPDATE ON pledges
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_pledges_delete AFTER DELETE ON pledges
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_ledger_insert AFTER INSERT ON campaign_ledger
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_ledger_update AFTER UPDATE ON campaign_ledger
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;
CREATE TRIGGER versions_campaign_ledger_delete AFTER DELETE ON campaign_ledger
BEGIN
    UPDATE record_versions SET version = version + 1 WHERE name = 'money';
END;

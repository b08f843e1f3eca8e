-- The version of the records the impact figures are computed from (issue 14). Every statement
-- that changes one of the tables below adds one, in its own transaction; a server keeps computed
-- figures with the version they were computed at and computes again once it has moved, so the
-- figures are always those of the records as they are, without reading the whole history on each
-- request. Not copied by `wcl db copy` (each database counts its own changes).
-- Keep in step with the other backend's 0027_facts_version.sql (a test compares the schemas).
CREATE TABLE facts_version (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO facts_version (id, version) VALUES (1, 0);
CREATE TRIGGER facts_labs_insert AFTER INSERT ON labs
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_labs_update AFTER UPDATE ON labs
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_labs_delete AFTER DELETE ON labs
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_cohorts_insert AFTER INSERT ON cohorts
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_cohorts_update AFTER UPDATE ON cohorts
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_cohorts_delete AFTER DELETE ON cohorts
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_people_insert AFTER INSERT ON people
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_people_update AFTER UPDATE ON people
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_people_delete AFTER DELETE ON people
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residencies_insert AFTER INSERT ON residencies
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residencies_update AFTER UPDATE ON residencies
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residencies_delete AFTER DELETE ON residencies
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residency_transitions_insert AFTER INSERT ON residency_transitions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residency_transitions_update AFTER UPDATE ON residency_transitions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_residency_transitions_delete AFTER DELETE ON residency_transitions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_programmes_insert AFTER INSERT ON programmes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_programmes_update AFTER UPDATE ON programmes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_programmes_delete AFTER DELETE ON programmes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_assertions_insert AFTER INSERT ON assertions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_assertions_update AFTER UPDATE ON assertions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_assertions_delete AFTER DELETE ON assertions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_events_insert AFTER INSERT ON events
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_events_update AFTER UPDATE ON events
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_events_delete AFTER DELETE ON events
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_registrations_insert AFTER INSERT ON registrations
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_registrations_update AFTER UPDATE ON registrations
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_registrations_delete AFTER DELETE ON registrations
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_network_members_insert AFTER INSERT ON network_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_network_members_update AFTER UPDATE ON network_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_network_members_delete AFTER DELETE ON network_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_matches_insert AFTER INSERT ON mentoring_matches
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_matches_update AFTER UPDATE ON mentoring_matches
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_matches_delete AFTER DELETE ON mentoring_matches
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_sessions_insert AFTER INSERT ON mentoring_sessions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_sessions_update AFTER UPDATE ON mentoring_sessions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_mentoring_sessions_delete AFTER DELETE ON mentoring_sessions
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_outcomes_insert AFTER INSERT ON outcomes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_outcomes_update AFTER UPDATE ON outcomes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_outcomes_delete AFTER DELETE ON outcomes
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_indicator_targets_insert AFTER INSERT ON indicator_targets
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_indicator_targets_update AFTER UPDATE ON indicator_targets
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_indicator_targets_delete AFTER DELETE ON indicator_targets
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_applications_insert AFTER INSERT ON grant_applications
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_applications_update AFTER UPDATE ON grant_applications
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_applications_delete AFTER DELETE ON grant_applications
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_awards_insert AFTER INSERT ON grant_awards
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_awards_update AFTER UPDATE ON grant_awards
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_grant_awards_delete AFTER DELETE ON grant_awards
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_ventures_insert AFTER INSERT ON ventures
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_ventures_update AFTER UPDATE ON ventures
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_ventures_delete AFTER DELETE ON ventures
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_members_insert AFTER INSERT ON venture_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_members_update AFTER UPDATE ON venture_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_members_delete AFTER DELETE ON venture_members
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_sales_insert AFTER INSERT ON venture_sales
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_sales_update AFTER UPDATE ON venture_sales
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_venture_sales_delete AFTER DELETE ON venture_sales
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_responses_insert AFTER INSERT ON survey_responses
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_responses_update AFTER UPDATE ON survey_responses
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_responses_delete AFTER DELETE ON survey_responses
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_scores_insert AFTER INSERT ON survey_scores
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_scores_update AFTER UPDATE ON survey_scores
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER facts_survey_scores_delete AFTER DELETE ON survey_scores
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
END;

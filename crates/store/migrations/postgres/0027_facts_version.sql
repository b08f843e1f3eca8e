-- The version of the records the impact figures are computed from (issue 14). Every statement
-- that changes one of the tables below adds one, in its own transaction; a server keeps computed
-- figures with the version they were computed at and computes again once it has moved, so the
-- figures are always those of the records as they are, without reading the whole history on each
-- request. Not copied by `wcl db copy` (each database counts its own changes).
-- Keep in step with the other backend's 0027_facts_version.sql (a test compares the schemas).
-- One row, changed once per statement (not per row), at the end of the statement.
CREATE TABLE facts_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO facts_version (id, version) VALUES (1, 0);

CREATE FUNCTION facts_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE facts_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER facts_labs AFTER INSERT OR UPDATE OR DELETE ON labs
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_cohorts AFTER INSERT OR UPDATE OR DELETE ON cohorts
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_people AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_residencies AFTER INSERT OR UPDATE OR DELETE ON residencies
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_residency_transitions AFTER INSERT OR UPDATE OR DELETE ON residency_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_assertions AFTER INSERT OR UPDATE OR DELETE ON assertions
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_events AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_registrations AFTER INSERT OR UPDATE OR DELETE ON registrations
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_network_members AFTER INSERT OR UPDATE OR DELETE ON network_members
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_mentoring_matches AFTER INSERT OR UPDATE OR DELETE ON mentoring_matches
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_mentoring_sessions AFTER INSERT OR UPDATE OR DELETE ON mentoring_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_outcomes AFTER INSERT OR UPDATE OR DELETE ON outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_indicator_targets AFTER INSERT OR UPDATE OR DELETE ON indicator_targets
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_grant_applications AFTER INSERT OR UPDATE OR DELETE ON grant_applications
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_grant_awards AFTER INSERT OR UPDATE OR DELETE ON grant_awards
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_ventures AFTER INSERT OR UPDATE OR DELETE ON ventures
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_venture_members AFTER INSERT OR UPDATE OR DELETE ON venture_members
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_venture_sales AFTER INSERT OR UPDATE OR DELETE ON venture_sales
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_survey_responses AFTER INSERT OR UPDATE OR DELETE ON survey_responses
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();
CREATE TRIGGER facts_survey_scores AFTER INSERT OR UPDATE OR DELETE ON survey_scores
    FOR EACH STATEMENT EXECUTE FUNCTION facts_version_bump();

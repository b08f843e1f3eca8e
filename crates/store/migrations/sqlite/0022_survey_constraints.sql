-- What an answer must meet and how a question is shown, from XLSForm's constraint,
-- constraint_message and appearance columns.
-- Keep in step with the other backend's 0022_survey_constraints.sql (a test compares the schemas).

-- The constraint as its expression text (`. >= 0 and . <= 90`, `regex(., '^[0-9]{6}$')`), read
-- back through the same parser; NULL: none.
ALTER TABLE survey_questions ADD COLUMN constraint_rule TEXT;
-- JSON {"ky","ru","en"}; empty texts: the generic message.
ALTER TABLE survey_questions ADD COLUMN constraint_message TEXT NOT NULL DEFAULT '{}';
-- multiline or minimal; '' for none.
ALTER TABLE survey_questions ADD COLUMN appearance TEXT NOT NULL DEFAULT '';

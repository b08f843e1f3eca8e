-- Indexes for a network of national size (issue 14): the impact facts find each woman's latest
-- residency in her lab without scanning every residency, and her record finds her registrations,
-- mentors and network memberships by her id rather than by scanning the network's.
-- Keep in step with the other backend's 0026_scale_indexes.sql (a test compares the schemas).
CREATE INDEX residencies_person ON residencies (person_id, lab_id, created_at);
CREATE INDEX registrations_person ON registrations (person_id);
CREATE INDEX mentoring_matches_person ON mentoring_matches (person_id);
CREATE INDEX network_members_person ON network_members (person_id);
-- The people list, newest first, of the network or of one lab.
CREATE INDEX people_created ON people (created_at);
CREATE INDEX people_lab_created ON people (lab_id, created_at);

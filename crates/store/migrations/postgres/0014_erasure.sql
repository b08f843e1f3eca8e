-- Her data, her rights: what has been erased, so that restoring an older backup erases it again
-- (`store::rights::reapply_erasures`, run by `wcl restore` and at every start). Ids and a reason
-- code only: never a name. `entity` is `person` (a woman's record and everything about her) or
-- `registration` (an event registration that was never linked to a person).
-- Keep in step with the other backend's 0014_erasure.sql (a test compares the migrated schemas).

CREATE TABLE erasures (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    erased_at TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

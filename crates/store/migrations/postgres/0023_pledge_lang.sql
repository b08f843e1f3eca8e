-- The language a backer pledged in: her receipt is written in it.
-- Keep in step with the other backend's 0023_pledge_lang.sql.
ALTER TABLE pledges ADD COLUMN lang TEXT NOT NULL DEFAULT 'ky';

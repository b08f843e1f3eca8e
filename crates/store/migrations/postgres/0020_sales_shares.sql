-- Joint initiatives split their sales by members' shares: a member's part of a sale is her share
-- over the sum of the members' shares (all 1 by default: equal parts).
-- Keep in step with the other backend's 0020_sales_shares.sql (a test compares the schemas).
ALTER TABLE venture_members ADD COLUMN share BIGINT NOT NULL DEFAULT 1 CHECK (share > 0);

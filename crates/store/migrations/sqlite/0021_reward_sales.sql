-- A reward tier may be a maker's showcase product; when a pledge with it is paid, her venture's
-- sale is recorded (channel campaign-reward) once: the sale names the pledge, and a pledge has at
-- most one sale.
-- Keep in step with the other backend's 0021_reward_sales.sql (a test compares the schemas).
ALTER TABLE campaign_tiers ADD COLUMN product_id TEXT REFERENCES maker_products(id);
ALTER TABLE venture_sales ADD COLUMN pledge_id TEXT REFERENCES pledges(id);
CREATE UNIQUE INDEX venture_sales_pledge ON venture_sales (pledge_id);

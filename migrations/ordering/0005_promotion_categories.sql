-- Promotions limited to categories (space-separated category ids; a category includes its subtree).
ALTER TABLE ordering.promotions ADD COLUMN category_ids TEXT NOT NULL DEFAULT '';

-- newest-first post order
CREATE INDEX IF NOT EXISTS carat_ix_posts_created_desc ON posts (created_at DESC NULLS LAST, id DESC);

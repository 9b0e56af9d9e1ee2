-- The category filter's hashtag match by index (issue 14 item 9). `carat_hashtags(body)` is the
-- set of hashtags of a post body: for each '#' followed by letters, digits or '_', that maximal
-- run (at most 50 characters, the width of the category column: a longer value is refused).
-- For a category value made only of such characters, "the body holds the token #value" (api.md
-- §5.1) is exactly "value is in carat_hashtags(body)", so a GIN index on the expression finds the
-- posts without reading any body; the filter scanned every visible body before (a million '#'
-- per post made that seconds per request). Other values keep the scan (see posts_repository.cpp).
--
-- Additive: a new function and a new index; no trigger. PostgreSQL maintains the index on every
-- write, the legacy service's included, so a rollback and a second cut-over keep it exact. The
-- character class is the same `[[:alnum:]_]` as the scan's, under the database's own locale.
-- Cost on a write: about 1.3 µs per hashtag of the body (a 1 MiB body of nothing but '#a' is
-- 0.7 s of one database core, ordinary bodies microseconds).
CREATE OR REPLACE FUNCTION carat_hashtags(body text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(body, '#([[:alnum:]_]+)', 'g') AS m WHERE length(m[1]) <= 50) $$;

CREATE INDEX IF NOT EXISTS carat_ix_posts_hashtags ON posts USING gin (carat_hashtags(body));

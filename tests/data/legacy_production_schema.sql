-- A database in the shape of the legacy production RDS (schema.md §6.1): the hand-written SQL
-- schema with CITEXT, JSONB, ON DELETE CASCADE and updated_at triggers, the Asia/Tokyo default
-- time zone, some drift (a BIGINT id, extra objects), then the Alembic head 7bb188854c12 columns.
-- Used by tests/api/legacy_adoption_test.cpp. Rows are anonymized fixtures.

CREATE EXTENSION IF NOT EXISTS citext;

CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email CITEXT NOT NULL,
  password_hash VARCHAR,
  display_name VARCHAR(100) NOT NULL,
  membership_type VARCHAR(20),
  is_active BOOLEAN DEFAULT true,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now(),
  phone_number VARCHAR(30)
);
CREATE UNIQUE INDEX ix_users_email ON users (email);
CREATE INDEX ix_users_id ON users (id);
CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE orientations (id SERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE, created_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE genders (id SERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE, created_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE pronouns (id SERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE, created_at TIMESTAMPTZ DEFAULT now());
INSERT INTO orientations (id, name) VALUES (1, 'unspecified'), (2, 'heterosexual'), (3, 'gay');
INSERT INTO genders (id, name) VALUES (1, 'unspecified'), (2, 'male');
INSERT INTO pronouns (id, name) VALUES (1, 'unspecified');
SELECT setval(pg_get_serial_sequence('orientations', 'id'), 3);
SELECT setval(pg_get_serial_sequence('genders', 'id'), 2);
SELECT setval(pg_get_serial_sequence('pronouns', 'id'), 1);

CREATE TABLE profiles (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  handle CITEXT NOT NULL UNIQUE,
  bio TEXT,
  orientation_id INTEGER REFERENCES orientations (id),
  gender_id INTEGER REFERENCES genders (id),
  pronoun_id INTEGER REFERENCES pronouns (id),
  birthday DATE,
  location VARCHAR(100),
  website VARCHAR(255),
  avatar_url VARCHAR(500),
  banner_url VARCHAR(500),
  is_profile_public BOOLEAN DEFAULT false,
  show_orientation BOOLEAN DEFAULT false,
  show_gender BOOLEAN DEFAULT false,
  show_pronoun BOOLEAN DEFAULT false,
  show_birthday BOOLEAN DEFAULT false,
  show_location BOOLEAN DEFAULT false,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now()
);
CREATE TRIGGER update_profiles_updated_at BEFORE UPDATE ON profiles
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE media_assets (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  url VARCHAR(500) NOT NULL,
  mime_type VARCHAR(100) NOT NULL,
  size_bytes BIGINT,
  width INTEGER,
  height INTEGER,
  created_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE posts (
  id BIGSERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  title VARCHAR(200),
  body TEXT NOT NULL,
  visibility VARCHAR(20),
  youtube_url VARCHAR(500),
  media_id INTEGER REFERENCES media_assets (id),
  category VARCHAR(50),
  subcategory VARCHAR(100),
  post_type VARCHAR(20) NOT NULL DEFAULT 'post',
  slug VARCHAR(200),
  status VARCHAR(20) NOT NULL DEFAULT 'published',
  og_image_url VARCHAR(500),
  excerpt TEXT,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now(),
  CONSTRAINT check_post_visibility CHECK (visibility IN ('public', 'members', 'followers', 'private')),
  CONSTRAINT check_post_type CHECK (post_type IN ('post', 'blog', 'tourism')),
  CONSTRAINT check_post_status CHECK (status IN ('draft', 'published'))
);
CREATE UNIQUE INDEX ix_posts_slug ON posts (slug);
CREATE TRIGGER update_posts_updated_at BEFORE UPDATE ON posts
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE comments (
  id SERIAL PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id),
  user_id INTEGER NOT NULL REFERENCES users (id),
  parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE tags (id SERIAL PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, created_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE post_tags (post_id INTEGER NOT NULL REFERENCES posts (id), tag_id INTEGER NOT NULL REFERENCES tags (id), PRIMARY KEY (post_id, tag_id));
CREATE TABLE post_media (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  media_asset_id INTEGER NOT NULL REFERENCES media_assets (id),
  order_index INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (post_id, media_asset_id)
);
CREATE INDEX ix_post_media_post_id ON post_media (post_id);
CREATE TABLE posts_tourism (
  post_id INTEGER PRIMARY KEY REFERENCES posts (id),
  prefecture VARCHAR(50), event_datetime TIMESTAMPTZ, meet_place VARCHAR(200),
  meet_address VARCHAR(500), tour_content TEXT, fee INTEGER, contact_phone VARCHAR(20),
  contact_email VARCHAR(200), deadline TIMESTAMPTZ, attachment_pdf_url VARCHAR(500)
);
CREATE TABLE follows (
  follower_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status VARCHAR(20) DEFAULT 'pending',
  created_at TIMESTAMPTZ DEFAULT now(),
  PRIMARY KEY (follower_user_id, followee_user_id),
  CONSTRAINT check_no_self_follow CHECK (follower_user_id != followee_user_id)
);
CREATE TABLE reactions (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  target_type VARCHAR(20) NOT NULL,
  target_id INTEGER NOT NULL,
  reaction_type VARCHAR(20) NOT NULL,
  created_at TIMESTAMPTZ DEFAULT now(),
  CONSTRAINT unique_user_reaction UNIQUE (user_id, target_type, target_id, reaction_type)
);
CREATE TABLE notifications (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type VARCHAR(50) NOT NULL,
  payload JSONB,
  is_read BOOLEAN DEFAULT false,
  created_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE reports (
  id SERIAL PRIMARY KEY, reporter_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  target_type VARCHAR(20) NOT NULL, target_id INTEGER NOT NULL, reason TEXT NOT NULL,
  status VARCHAR(20) DEFAULT 'open', created_at TIMESTAMPTZ DEFAULT now(), updated_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE blocks (
  blocker_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ DEFAULT now(), PRIMARY KEY (blocker_user_id, blocked_user_id)
);
CREATE TABLE content_items (
  id SERIAL PRIMARY KEY, item_type VARCHAR(20) NOT NULL, title VARCHAR(200) NOT NULL,
  creator VARCHAR(200), release_year INTEGER, isbn VARCHAR(20), url VARCHAR(500),
  created_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE reviews (
  id SERIAL PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, rating INTEGER NOT NULL,
  title VARCHAR(200), body TEXT, created_at TIMESTAMPTZ DEFAULT now(), updated_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE point_events (
  id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), event_type VARCHAR(50) NOT NULL,
  points INTEGER NOT NULL, ref_type VARCHAR(20), ref_id INTEGER, created_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE awards (
  id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, description TEXT,
  threshold_points INTEGER NOT NULL, prize_amount_yen INTEGER DEFAULT 0, created_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE user_awards (
  id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  award_id INTEGER NOT NULL REFERENCES awards (id) ON DELETE CASCADE, awarded_at TIMESTAMPTZ DEFAULT now()
);
-- Drift objects the service must leave alone.
CREATE TABLE healthcheck (id SERIAL PRIMARY KEY, created_at TIMESTAMPTZ DEFAULT now());
INSERT INTO healthcheck DEFAULT VALUES;
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('7bb188854c12');

-- Fixture rows. The hash is passlib's bcrypt of "secret" (FastAPI documentation).
INSERT INTO users (id, email, password_hash, display_name, membership_type, is_active, created_at, phone_number) VALUES
  (1, 'Legacy.User@Example.com', '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW', 'レガシー', 'premium', true, '2025-10-01 09:00:00+09', '090-0000-0000'),
  (2, 'second@example.com', '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW', 'Second', NULL, NULL, '2025-10-02 12:30:00.5+09', NULL),
  (3, 'noprofile@example.com', '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW', 'No Profile', 'free', true, now(), NULL),
  (4, 'broken-hash@example.com', 'not-a-bcrypt-hash', 'Broken', 'premium', true, now(), NULL);
SELECT setval(pg_get_serial_sequence('users', 'id'), 4);
INSERT INTO profiles (user_id, handle, bio, orientation_id, gender_id, pronoun_id, is_profile_public) VALUES
  (1, 'Legacy', '旧サービスから', 1, 1, 1, true),
  (2, 'second', NULL, NULL, NULL, NULL, NULL);
INSERT INTO posts (id, user_id, title, body, visibility, category, created_at, updated_at) VALUES
  (1, 1, '最初の投稿', 'こんにちは #board', 'public', NULL, '2025-10-03 10:00:00+09', '2025-10-03 10:00:00+09'),
  (2, 2, NULL, 'members only', 'members', 'art', '2025-10-04 10:00:00+09', '2025-10-04 10:00:00+09'),
  (3, 1, NULL, 'legacy row with NULL visibility', NULL, NULL, NULL, NULL);
SELECT setval(pg_get_serial_sequence('posts', 'id'), 3);
INSERT INTO comments (id, post_id, user_id, body) VALUES (1, 1, 2, '&lt;b&gt;escaped by the legacy service&lt;/b&gt;');
SELECT setval(pg_get_serial_sequence('comments', 'id'), 1);
INSERT INTO reactions (user_id, target_type, target_id, reaction_type) VALUES (2, 'post', 1, 'like');
INSERT INTO notifications (user_id, type, payload, is_read) VALUES (1, 'reaction', '{"actor_id": 2, "post_id": 1}', NULL);
INSERT INTO follows (follower_user_id, followee_user_id, status) VALUES (2, 1, 'accepted');

-- The database of upstream 7750a50 ("HEAD", spec head.md): its twelve tables, created when
-- missing in the shape of HEAD's models, and its columns on the tables of 6d9d815, added when
-- missing. A table or column that exists is left exactly as it is: HEAD's own databases drifted
-- from its code (create_all, start-up ALTERs, one-off scripts), and adoption is additive only
-- (schema.md §6.3). No foreign key, check or unique constraint is added to an existing table.

ALTER TABLE users ADD COLUMN phone_number VARCHAR(20);
ALTER TABLE users ADD COLUMN real_name VARCHAR(100);
ALTER TABLE users ADD COLUMN is_verified BOOLEAN DEFAULT false;
ALTER TABLE users ADD COLUMN two_factor_enabled BOOLEAN DEFAULT false;
ALTER TABLE users ADD COLUMN two_factor_secret VARCHAR(255);
-- The one NOT NULL column HEAD added; its default keeps the 6d9d815 service able to register.
ALTER TABLE users ADD COLUMN carats INTEGER NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS categories (
  id SERIAL NOT NULL,
  name VARCHAR(100) NOT NULL,
  slug VARCHAR(100) NOT NULL,
  description TEXT,
  icon VARCHAR(100),
  order_index INTEGER DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT categories_pkey PRIMARY KEY (id),
  CONSTRAINT categories_name_key UNIQUE (name),
  CONSTRAINT categories_slug_key UNIQUE (slug)
);
CREATE INDEX IF NOT EXISTS ix_categories_id ON categories (id);

CREATE TABLE IF NOT EXISTS subcategories (
  id SERIAL NOT NULL,
  category_id INTEGER NOT NULL,
  name VARCHAR(100) NOT NULL,
  slug VARCHAR(100) NOT NULL,
  order_index INTEGER DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT subcategories_pkey PRIMARY KEY (id),
  CONSTRAINT subcategories_category_id_fkey FOREIGN KEY (category_id) REFERENCES categories (id),
  CONSTRAINT uq_category_subcategory_slug UNIQUE (category_id, slug)
);
CREATE INDEX IF NOT EXISTS ix_subcategories_id ON subcategories (id);

ALTER TABLE posts ADD COLUMN category_id INTEGER;
ALTER TABLE posts ADD COLUMN subcategory_id INTEGER;

CREATE TABLE IF NOT EXISTS matching_profiles (
  user_id INTEGER NOT NULL,
  nickname VARCHAR(100),
  display_flag BOOLEAN NOT NULL DEFAULT true,
  prefecture VARCHAR(100) NOT NULL DEFAULT '',
  residence_detail VARCHAR(100),
  hometown VARCHAR(100),
  age_band VARCHAR(50),
  occupation VARCHAR(100),
  income_range VARCHAR(100),
  blood_type VARCHAR(20),
  zodiac VARCHAR(20),
  meet_pref VARCHAR(50),
  meeting_style VARCHAR(50),
  bio TEXT,
  identity VARCHAR(50),
  romance_targets JSON,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT matching_profiles_pkey PRIMARY KEY (user_id),
  CONSTRAINT matching_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
ALTER TABLE matching_profiles ADD COLUMN nickname VARCHAR(100);
ALTER TABLE matching_profiles ADD COLUMN residence_detail VARCHAR(100);
ALTER TABLE matching_profiles ADD COLUMN hometown VARCHAR(100);
ALTER TABLE matching_profiles ADD COLUMN age_band VARCHAR(50);
ALTER TABLE matching_profiles ADD COLUMN occupation VARCHAR(100);
ALTER TABLE matching_profiles ADD COLUMN income_range VARCHAR(100);
ALTER TABLE matching_profiles ADD COLUMN blood_type VARCHAR(20);
ALTER TABLE matching_profiles ADD COLUMN zodiac VARCHAR(20);
ALTER TABLE matching_profiles ADD COLUMN meet_pref VARCHAR(50);
ALTER TABLE matching_profiles ADD COLUMN meeting_style VARCHAR(50);
ALTER TABLE matching_profiles ADD COLUMN bio TEXT;
ALTER TABLE matching_profiles ADD COLUMN identity VARCHAR(50);
ALTER TABLE matching_profiles ADD COLUMN romance_targets JSON;

CREATE TABLE IF NOT EXISTS hobbies (
  id SERIAL NOT NULL,
  name VARCHAR(100) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT hobbies_pkey PRIMARY KEY (id),
  CONSTRAINT hobbies_name_key UNIQUE (name)
);
CREATE INDEX IF NOT EXISTS ix_hobbies_id ON hobbies (id);

CREATE TABLE IF NOT EXISTS matching_profile_hobbies (
  profile_id INTEGER NOT NULL,
  hobby_id INTEGER NOT NULL,
  CONSTRAINT matching_profile_hobbies_pkey PRIMARY KEY (profile_id, hobby_id),
  CONSTRAINT matching_profile_hobbies_profile_id_fkey FOREIGN KEY (profile_id)
    REFERENCES matching_profiles (user_id),
  CONSTRAINT matching_profile_hobbies_hobby_id_fkey FOREIGN KEY (hobby_id) REFERENCES hobbies (id)
);

CREATE TABLE IF NOT EXISTS matching_profile_images (
  id SERIAL NOT NULL,
  profile_id INTEGER NOT NULL,
  image_url VARCHAR(500) NOT NULL,
  display_order INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT matching_profile_images_pkey PRIMARY KEY (id),
  CONSTRAINT matching_profile_images_profile_id_fkey FOREIGN KEY (profile_id)
    REFERENCES matching_profiles (user_id),
  CONSTRAINT unique_profile_order UNIQUE (profile_id, display_order),
  CONSTRAINT check_order_range CHECK (display_order >= 0 AND display_order < 5)
);
CREATE INDEX IF NOT EXISTS ix_matching_profile_images_id ON matching_profile_images (id);

CREATE TABLE IF NOT EXISTS likes (
  id SERIAL NOT NULL,
  from_user_id INTEGER NOT NULL,
  to_user_id INTEGER NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'active',
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT likes_pkey PRIMARY KEY (id),
  CONSTRAINT likes_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES users (id),
  CONSTRAINT likes_to_user_id_fkey FOREIGN KEY (to_user_id) REFERENCES users (id),
  CONSTRAINT uniq_like_from_to UNIQUE (from_user_id, to_user_id),
  CONSTRAINT check_like_status CHECK (status IN ('active', 'withdrawn'))
);
CREATE INDEX IF NOT EXISTS ix_likes_id ON likes (id);

CREATE TABLE IF NOT EXISTS matches (
  id SERIAL NOT NULL,
  user_a_id INTEGER NOT NULL,
  user_b_id INTEGER NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  active_flag BOOLEAN NOT NULL DEFAULT true,
  CONSTRAINT matches_pkey PRIMARY KEY (id),
  CONSTRAINT matches_user_a_id_fkey FOREIGN KEY (user_a_id) REFERENCES users (id),
  CONSTRAINT matches_user_b_id_fkey FOREIGN KEY (user_b_id) REFERENCES users (id),
  CONSTRAINT uniq_match_pair UNIQUE (user_a_id, user_b_id),
  CONSTRAINT check_match_distinct_users CHECK (user_a_id != user_b_id)
);
CREATE INDEX IF NOT EXISTS ix_matches_id ON matches (id);

CREATE TABLE IF NOT EXISTS chats (
  id SERIAL NOT NULL,
  match_id INTEGER NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  CONSTRAINT chats_pkey PRIMARY KEY (id),
  CONSTRAINT chats_match_id_fkey FOREIGN KEY (match_id) REFERENCES matches (id)
);
CREATE INDEX IF NOT EXISTS ix_chats_id ON chats (id);

CREATE TABLE IF NOT EXISTS messages (
  id SERIAL NOT NULL,
  chat_id INTEGER NOT NULL,
  sender_id INTEGER NOT NULL,
  body TEXT,
  image_url VARCHAR(500),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  read_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT messages_pkey PRIMARY KEY (id),
  CONSTRAINT messages_chat_id_fkey FOREIGN KEY (chat_id) REFERENCES chats (id),
  CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES users (id)
);
CREATE INDEX IF NOT EXISTS ix_messages_id ON messages (id);
ALTER TABLE messages ADD COLUMN image_url VARCHAR(500);
ALTER TABLE messages ADD COLUMN read_at TIMESTAMP WITH TIME ZONE;

CREATE TABLE IF NOT EXISTS chat_requests (
  id SERIAL NOT NULL,
  from_user_id INTEGER NOT NULL,
  to_user_id INTEGER NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  initial_message TEXT,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  responded_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT chat_requests_pkey PRIMARY KEY (id),
  CONSTRAINT chat_requests_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES users (id),
  CONSTRAINT chat_requests_to_user_id_fkey FOREIGN KEY (to_user_id) REFERENCES users (id),
  CONSTRAINT uniq_chat_request_pending UNIQUE (from_user_id, to_user_id, status),
  CONSTRAINT check_chat_request_status CHECK (status IN ('pending', 'accepted', 'declined')),
  CONSTRAINT check_chat_request_distinct_users CHECK (from_user_id != to_user_id)
);
CREATE INDEX IF NOT EXISTS ix_chat_requests_id ON chat_requests (id);

CREATE TABLE IF NOT EXISTS chat_request_messages (
  id SERIAL NOT NULL,
  chat_request_id INTEGER NOT NULL,
  from_user_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  migrated_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT chat_request_messages_pkey PRIMARY KEY (id),
  CONSTRAINT chat_request_messages_chat_request_id_fkey FOREIGN KEY (chat_request_id)
    REFERENCES chat_requests (id),
  CONSTRAINT chat_request_messages_from_user_id_fkey FOREIGN KEY (from_user_id)
    REFERENCES users (id)
);
CREATE INDEX IF NOT EXISTS ix_chat_request_messages_id ON chat_request_messages (id);

-- Portable SQL (both databases): indexes for the lookups of matching and chat, which upstream
-- 7750a50's tables lack (they only index their primary keys).

-- A chat's messages in time order, its last message, live delivery after a known id, and the
-- unread messages of a chat (partial: only unread rows).
CREATE INDEX IF NOT EXISTS carat_ix_messages_chat_created ON messages (chat_id, created_at);
CREATE INDEX IF NOT EXISTS carat_ix_messages_chat_id ON messages (chat_id, id);
CREATE INDEX IF NOT EXISTS carat_ix_messages_unread ON messages (chat_id, sender_id)
  WHERE read_at IS NULL;

-- A member's matches on either side (the pair key covers user_a_id), a match's chat.
CREATE INDEX IF NOT EXISTS carat_ix_matches_user_b ON matches (user_b_id);
CREATE INDEX IF NOT EXISTS carat_ix_chats_match ON chats (match_id);

-- Requests addressed to a member by status (the key covers the sender's side), and the
-- messages of a pending request.
CREATE INDEX IF NOT EXISTS carat_ix_chat_requests_to ON chat_requests (to_user_id, status);
CREATE INDEX IF NOT EXISTS carat_ix_chat_request_messages_request
  ON chat_request_messages (chat_request_id, created_at);

-- A profile's images in order (databases that lack HEAD's (profile_id, display_order) key).
CREATE INDEX IF NOT EXISTS carat_ix_profile_images_profile
  ON matching_profile_images (profile_id, display_order);

-- Portable SQL (both databases): the data and the objects of Carat's own that come with
-- upstream 7750a50's routes.

-- The categories and subcategories HEAD's pages show (upstream's seed_phase1_categories.py),
-- inserted when missing by slug; a row a site owner renamed or added stays as it is.
WITH wanted (name, slug, description, icon, order_index) AS (VALUES
  ('サブカルチャー', 'subculture', 'コミック、映画、ドラマ、アニメ、ゲームなどのサブカルチャーコンテンツ', 'Sparkles', 1),
  ('Queer アート', 'queer-art', 'LGBTQ+コミュニティのアート作品と表現', 'Palette', 2),
  ('ライフスタイル', 'lifestyle', '日常生活、ファッション、美容、健康など', 'Heart', 3),
  ('観光・トラベル', 'travel', '旅行、観光スポット、イベント情報', 'MapPin', 4),
  ('ショップ・ビジネス', 'shops', 'LGBTQ+フレンドリーなお店やビジネス情報', 'Store', 5),
  ('掲示板', 'board', 'コミュニティの交流・相談・情報交換', 'MessageSquare', 6))
INSERT INTO categories (name, slug, description, icon, order_index, created_at)
SELECT w.name, w.slug, w.description, w.icon, w.order_index, now() FROM wanted w
WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE c.slug = w.slug OR c.name = w.name)
ORDER BY w.order_index;

WITH wanted (category, name, slug, order_index) AS (VALUES
  ('subculture', 'コミック', 'comics', 1), ('subculture', '映画', 'movies', 2),
  ('subculture', 'ドラマ', 'drama', 3), ('subculture', 'アニメ', 'anime', 4),
  ('subculture', 'ゲーム', 'games', 5),
  ('queer-art', '絵画', 'painting', 1), ('queer-art', '写真', 'photography', 2),
  ('queer-art', 'デジタルアート', 'digital-art', 3), ('queer-art', 'パフォーマンス', 'performance', 4),
  ('queer-art', 'インスタレーション', 'installation', 5),
  ('lifestyle', 'ファッション', 'fashion', 1), ('lifestyle', '美容', 'beauty', 2),
  ('lifestyle', '健康', 'health', 3), ('lifestyle', '料理', 'cooking', 4),
  ('travel', '国内旅行', 'domestic', 1), ('travel', '海外旅行', 'international', 2),
  ('travel', 'イベント', 'events', 3), ('travel', 'プライドパレード', 'pride', 4),
  ('shops', 'カフェ・レストラン', 'cafe-restaurant', 1), ('shops', 'バー・クラブ', 'bar-club', 2),
  ('shops', 'ショップ', 'shop', 3), ('shops', 'サービス', 'service', 4),
  ('board', '雑談', 'chat', 1), ('board', '相談', 'consultation', 2),
  ('board', '質問', 'questions', 3), ('board', '告知', 'announcements', 4))
INSERT INTO subcategories (category_id, name, slug, order_index, created_at)
SELECT c.id, w.name, w.slug, w.order_index, now() FROM wanted w
JOIN categories c ON c.slug = w.category
WHERE NOT EXISTS (SELECT 1 FROM subcategories s WHERE s.category_id = c.id AND s.slug = w.slug)
ORDER BY c.order_index, w.order_index;

-- Carat's own: the display order of a member's images (PUT /api/media/user/images/order), kept
-- in the database instead of HEAD's per-instance JSON file, so every replica sees it.
CREATE TABLE IF NOT EXISTS carat_media_order (
  user_id INTEGER NOT NULL,
  media_asset_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  CONSTRAINT carat_media_order_pkey PRIMARY KEY (user_id, media_asset_id),
  CONSTRAINT carat_media_order_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT carat_media_order_media_asset_id_fkey FOREIGN KEY (media_asset_id)
    REFERENCES media_assets (id) ON DELETE CASCADE
);

-- The filters of HEAD's blog and category pages.
CREATE INDEX IF NOT EXISTS carat_ix_posts_type_created ON posts (post_type, created_at);
CREATE INDEX IF NOT EXISTS carat_ix_posts_subcategory ON posts (subcategory);

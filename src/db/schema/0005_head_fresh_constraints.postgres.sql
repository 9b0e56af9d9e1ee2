-- carat: fresh databases only
-- The constraints of HEAD's schema on tables of 6d9d815, which an adopted database must never
-- get (schema.md §6.3: no new check or foreign key on an existing table); a database this
-- service creates gets them, so it has HEAD's full shape.
ALTER TABLE posts DROP CONSTRAINT check_post_type;
ALTER TABLE posts ADD CONSTRAINT check_post_type
  CHECK (post_type IN ('post', 'blog', 'tourism', 'news'));
ALTER TABLE posts ADD CONSTRAINT fk_posts_category_id
  FOREIGN KEY (category_id) REFERENCES categories (id);
ALTER TABLE posts ADD CONSTRAINT fk_posts_subcategory_id
  FOREIGN KEY (subcategory_id) REFERENCES subcategories (id);

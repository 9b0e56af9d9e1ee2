-- The database of upstream 7750a50 as its own backend leaves it: its models'
-- create_all, Alembic stamped add_carats_001, and rows its API wrote (members
-- hana@example.com / hana-password and ken@example.com / ken-password, a blog post
-- liked by Ken, a comment, a matching profile). Recorded by
-- tests/head/adoption.py --record from a pg_dump; used by
-- tests/api/head_adoption_test.cpp.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);
CREATE TABLE public.awards (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    description text,
    threshold_points integer NOT NULL,
    prize_amount_yen integer,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.awards_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.awards_id_seq OWNED BY public.awards.id;
CREATE TABLE public.blocks (
    blocker_user_id integer NOT NULL,
    blocked_user_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_no_self_block CHECK ((blocker_user_id <> blocked_user_id))
);
CREATE TABLE public.categories (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    slug character varying(100) NOT NULL,
    description text,
    icon character varying(100),
    order_index integer,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.categories_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.categories_id_seq OWNED BY public.categories.id;
CREATE TABLE public.chat_request_messages (
    id integer NOT NULL,
    chat_request_id integer NOT NULL,
    from_user_id integer NOT NULL,
    content text NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    migrated_at timestamp with time zone
);
CREATE SEQUENCE public.chat_request_messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.chat_request_messages_id_seq OWNED BY public.chat_request_messages.id;
CREATE TABLE public.chat_requests (
    id integer NOT NULL,
    from_user_id integer NOT NULL,
    to_user_id integer NOT NULL,
    status character varying(20) NOT NULL,
    initial_message text,
    created_at timestamp with time zone DEFAULT now(),
    responded_at timestamp with time zone,
    CONSTRAINT check_chat_request_distinct_users CHECK ((from_user_id <> to_user_id)),
    CONSTRAINT check_chat_request_status CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'accepted'::character varying, 'declined'::character varying])::text[])))
);
CREATE SEQUENCE public.chat_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.chat_requests_id_seq OWNED BY public.chat_requests.id;
CREATE TABLE public.chats (
    id integer NOT NULL,
    match_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.chats_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.chats_id_seq OWNED BY public.chats.id;
CREATE TABLE public.comments (
    id integer NOT NULL,
    post_id integer NOT NULL,
    user_id integer NOT NULL,
    parent_id integer,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.comments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.comments_id_seq OWNED BY public.comments.id;
CREATE TABLE public.content_items (
    id integer NOT NULL,
    item_type character varying(20) NOT NULL,
    title character varying(200) NOT NULL,
    creator character varying(200),
    release_year integer,
    isbn character varying(20),
    url character varying(500),
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_content_item_type CHECK (((item_type)::text = ANY ((ARRAY['book'::character varying, 'movie'::character varying, 'drama'::character varying, 'comic'::character varying])::text[])))
);
CREATE SEQUENCE public.content_items_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.content_items_id_seq OWNED BY public.content_items.id;
CREATE TABLE public.follows (
    follower_user_id integer NOT NULL,
    followee_user_id integer NOT NULL,
    status character varying(20),
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_follow_status CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'accepted'::character varying, 'blocked'::character varying])::text[]))),
    CONSTRAINT check_no_self_follow CHECK ((follower_user_id <> followee_user_id))
);
CREATE TABLE public.genders (
    id integer NOT NULL,
    name character varying(50) NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.genders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.genders_id_seq OWNED BY public.genders.id;
CREATE TABLE public.hobbies (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.hobbies_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.hobbies_id_seq OWNED BY public.hobbies.id;
CREATE TABLE public.likes (
    id integer NOT NULL,
    from_user_id integer NOT NULL,
    to_user_id integer NOT NULL,
    status character varying(20) NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_like_status CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'withdrawn'::character varying])::text[])))
);
CREATE SEQUENCE public.likes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.likes_id_seq OWNED BY public.likes.id;
CREATE TABLE public.matches (
    id integer NOT NULL,
    user_a_id integer NOT NULL,
    user_b_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    active_flag boolean NOT NULL,
    CONSTRAINT check_match_distinct_users CHECK ((user_a_id <> user_b_id))
);
CREATE SEQUENCE public.matches_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.matches_id_seq OWNED BY public.matches.id;
CREATE TABLE public.matching_profile_hobbies (
    profile_id integer NOT NULL,
    hobby_id integer NOT NULL
);
CREATE TABLE public.matching_profile_images (
    id integer NOT NULL,
    profile_id integer NOT NULL,
    image_url character varying(500) NOT NULL,
    display_order integer NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_order_range CHECK (((display_order >= 0) AND (display_order < 5)))
);
CREATE SEQUENCE public.matching_profile_images_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.matching_profile_images_id_seq OWNED BY public.matching_profile_images.id;
CREATE TABLE public.matching_profiles (
    user_id integer NOT NULL,
    nickname character varying(100),
    display_flag boolean NOT NULL,
    prefecture character varying(100) NOT NULL,
    residence_detail character varying(100),
    hometown character varying(100),
    age_band character varying(50),
    occupation character varying(100),
    income_range character varying(100),
    blood_type character varying(20),
    zodiac character varying(20),
    meet_pref character varying(50),
    meeting_style character varying(50),
    bio text,
    identity character varying(50),
    romance_targets json,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);
CREATE TABLE public.media_assets (
    id integer NOT NULL,
    user_id integer NOT NULL,
    url character varying(500) NOT NULL,
    mime_type character varying(100) NOT NULL,
    size_bytes bigint,
    width integer,
    height integer,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.media_assets_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.media_assets_id_seq OWNED BY public.media_assets.id;
CREATE TABLE public.messages (
    id integer NOT NULL,
    chat_id integer NOT NULL,
    sender_id integer NOT NULL,
    body text,
    created_at timestamp with time zone DEFAULT now(),
    read_at timestamp with time zone
);
CREATE SEQUENCE public.messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;
CREATE TABLE public.notifications (
    id integer NOT NULL,
    user_id integer NOT NULL,
    type character varying(50) NOT NULL,
    payload json,
    is_read boolean,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.notifications_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.notifications_id_seq OWNED BY public.notifications.id;
CREATE TABLE public.orientations (
    id integer NOT NULL,
    name character varying(50) NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.orientations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.orientations_id_seq OWNED BY public.orientations.id;
CREATE TABLE public.point_events (
    id integer NOT NULL,
    user_id integer NOT NULL,
    event_type character varying(50) NOT NULL,
    points integer NOT NULL,
    ref_type character varying(20),
    ref_id integer,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.point_events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.point_events_id_seq OWNED BY public.point_events.id;
CREATE TABLE public.post_media (
    post_id integer NOT NULL,
    media_asset_id integer NOT NULL,
    order_index integer DEFAULT 0 NOT NULL
);
CREATE TABLE public.post_tags (
    post_id integer NOT NULL,
    tag_id integer NOT NULL
);
CREATE TABLE public.posts (
    id integer NOT NULL,
    user_id integer NOT NULL,
    title character varying(200),
    body text NOT NULL,
    visibility character varying(20),
    youtube_url character varying(500),
    media_id integer,
    category character varying(50),
    subcategory character varying(100),
    post_type character varying(20) DEFAULT 'post'::character varying NOT NULL,
    slug character varying(200),
    status character varying(20) DEFAULT 'published'::character varying NOT NULL,
    og_image_url character varying(500),
    excerpt text,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_post_status CHECK (((status)::text = ANY ((ARRAY['draft'::character varying, 'published'::character varying])::text[]))),
    CONSTRAINT check_post_type CHECK (((post_type)::text = ANY ((ARRAY['post'::character varying, 'blog'::character varying, 'tourism'::character varying, 'news'::character varying])::text[]))),
    CONSTRAINT check_post_visibility CHECK (((visibility)::text = ANY ((ARRAY['public'::character varying, 'members'::character varying, 'followers'::character varying, 'private'::character varying])::text[])))
);
CREATE SEQUENCE public.posts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.posts_id_seq OWNED BY public.posts.id;
CREATE TABLE public.posts_tourism (
    post_id integer NOT NULL,
    prefecture character varying(50),
    event_datetime timestamp with time zone,
    meet_place character varying(200),
    meet_address character varying(500),
    tour_content text,
    fee integer,
    contact_phone character varying(20),
    contact_email character varying(200),
    deadline timestamp with time zone,
    attachment_pdf_url character varying(500)
);
CREATE TABLE public.profiles (
    user_id integer NOT NULL,
    handle character varying NOT NULL,
    bio text,
    orientation_id integer,
    gender_id integer,
    pronoun_id integer,
    birthday date,
    location character varying(100),
    website character varying(255),
    avatar_url character varying(500),
    banner_url character varying(500),
    is_profile_public boolean,
    show_orientation boolean,
    show_gender boolean,
    show_pronoun boolean,
    show_birthday boolean,
    show_location boolean,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);
CREATE TABLE public.pronouns (
    id integer NOT NULL,
    name character varying(50) NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.pronouns_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.pronouns_id_seq OWNED BY public.pronouns.id;
CREATE TABLE public.reactions (
    id integer NOT NULL,
    user_id integer NOT NULL,
    target_type character varying(20) NOT NULL,
    target_id integer NOT NULL,
    reaction_type character varying(20) NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_reaction_target_type CHECK (((target_type)::text = ANY ((ARRAY['post'::character varying, 'comment'::character varying, 'review'::character varying])::text[]))),
    CONSTRAINT check_reaction_type CHECK (((reaction_type)::text = ANY ((ARRAY['like'::character varying, 'love'::character varying, 'support'::character varying, 'respect'::character varying])::text[])))
);
CREATE SEQUENCE public.reactions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.reactions_id_seq OWNED BY public.reactions.id;
CREATE TABLE public.reports (
    id integer NOT NULL,
    reporter_user_id integer NOT NULL,
    target_type character varying(20) NOT NULL,
    target_id integer NOT NULL,
    reason text NOT NULL,
    status character varying(20),
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_report_status CHECK (((status)::text = ANY ((ARRAY['open'::character varying, 'under_review'::character varying, 'resolved'::character varying, 'dismissed'::character varying])::text[]))),
    CONSTRAINT check_report_target_type CHECK (((target_type)::text = ANY ((ARRAY['post'::character varying, 'comment'::character varying, 'review'::character varying, 'user'::character varying])::text[])))
);
CREATE SEQUENCE public.reports_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.reports_id_seq OWNED BY public.reports.id;
CREATE TABLE public.reviews (
    id integer NOT NULL,
    item_id integer NOT NULL,
    user_id integer NOT NULL,
    rating integer NOT NULL,
    title character varying(200),
    body text,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_rating_range CHECK (((rating >= 1) AND (rating <= 5)))
);
CREATE SEQUENCE public.reviews_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.reviews_id_seq OWNED BY public.reviews.id;
CREATE TABLE public.subcategories (
    id integer NOT NULL,
    category_id integer NOT NULL,
    name character varying(100) NOT NULL,
    slug character varying(100) NOT NULL,
    order_index integer,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.subcategories_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.subcategories_id_seq OWNED BY public.subcategories.id;
CREATE TABLE public.tags (
    id integer NOT NULL,
    name character varying NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.tags_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.tags_id_seq OWNED BY public.tags.id;
CREATE TABLE public.user_awards (
    id integer NOT NULL,
    user_id integer NOT NULL,
    award_id integer NOT NULL,
    awarded_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.user_awards_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.user_awards_id_seq OWNED BY public.user_awards.id;
CREATE TABLE public.users (
    id integer NOT NULL,
    email character varying NOT NULL,
    password_hash character varying NOT NULL,
    display_name character varying(100) NOT NULL,
    phone_number character varying(20),
    membership_type character varying(20),
    is_active boolean,
    real_name character varying(100),
    is_verified boolean,
    two_factor_enabled boolean,
    two_factor_secret character varying(255),
    carats integer NOT NULL,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT check_membership_type CHECK (((membership_type)::text = ANY ((ARRAY['free'::character varying, 'premium'::character varying, 'admin'::character varying])::text[])))
);
CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.awards ALTER COLUMN id SET DEFAULT nextval('public.awards_id_seq'::regclass);
ALTER TABLE ONLY public.categories ALTER COLUMN id SET DEFAULT nextval('public.categories_id_seq'::regclass);
ALTER TABLE ONLY public.chat_request_messages ALTER COLUMN id SET DEFAULT nextval('public.chat_request_messages_id_seq'::regclass);
ALTER TABLE ONLY public.chat_requests ALTER COLUMN id SET DEFAULT nextval('public.chat_requests_id_seq'::regclass);
ALTER TABLE ONLY public.chats ALTER COLUMN id SET DEFAULT nextval('public.chats_id_seq'::regclass);
ALTER TABLE ONLY public.comments ALTER COLUMN id SET DEFAULT nextval('public.comments_id_seq'::regclass);
ALTER TABLE ONLY public.content_items ALTER COLUMN id SET DEFAULT nextval('public.content_items_id_seq'::regclass);
ALTER TABLE ONLY public.genders ALTER COLUMN id SET DEFAULT nextval('public.genders_id_seq'::regclass);
ALTER TABLE ONLY public.hobbies ALTER COLUMN id SET DEFAULT nextval('public.hobbies_id_seq'::regclass);
ALTER TABLE ONLY public.likes ALTER COLUMN id SET DEFAULT nextval('public.likes_id_seq'::regclass);
ALTER TABLE ONLY public.matches ALTER COLUMN id SET DEFAULT nextval('public.matches_id_seq'::regclass);
ALTER TABLE ONLY public.matching_profile_images ALTER COLUMN id SET DEFAULT nextval('public.matching_profile_images_id_seq'::regclass);
ALTER TABLE ONLY public.media_assets ALTER COLUMN id SET DEFAULT nextval('public.media_assets_id_seq'::regclass);
ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);
ALTER TABLE ONLY public.notifications ALTER COLUMN id SET DEFAULT nextval('public.notifications_id_seq'::regclass);
ALTER TABLE ONLY public.orientations ALTER COLUMN id SET DEFAULT nextval('public.orientations_id_seq'::regclass);
ALTER TABLE ONLY public.point_events ALTER COLUMN id SET DEFAULT nextval('public.point_events_id_seq'::regclass);
ALTER TABLE ONLY public.posts ALTER COLUMN id SET DEFAULT nextval('public.posts_id_seq'::regclass);
ALTER TABLE ONLY public.pronouns ALTER COLUMN id SET DEFAULT nextval('public.pronouns_id_seq'::regclass);
ALTER TABLE ONLY public.reactions ALTER COLUMN id SET DEFAULT nextval('public.reactions_id_seq'::regclass);
ALTER TABLE ONLY public.reports ALTER COLUMN id SET DEFAULT nextval('public.reports_id_seq'::regclass);
ALTER TABLE ONLY public.reviews ALTER COLUMN id SET DEFAULT nextval('public.reviews_id_seq'::regclass);
ALTER TABLE ONLY public.subcategories ALTER COLUMN id SET DEFAULT nextval('public.subcategories_id_seq'::regclass);
ALTER TABLE ONLY public.tags ALTER COLUMN id SET DEFAULT nextval('public.tags_id_seq'::regclass);
ALTER TABLE ONLY public.user_awards ALTER COLUMN id SET DEFAULT nextval('public.user_awards_id_seq'::regclass);
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
INSERT INTO public.alembic_version VALUES ('add_carats_001');
INSERT INTO public.comments VALUES (1, 1, 2, NULL, 'いいね', '2026-12-03 13:10:18.798076+00', '2026-12-03 13:10:18.798076+00');
INSERT INTO public.genders VALUES (1, 'unspecified', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (2, 'male', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (3, 'female', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (4, 'non-binary', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (5, 'genderfluid', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (6, 'agender', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (7, 'transgender', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (8, 'genderqueer', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (9, 'two-spirit', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.genders VALUES (10, 'other', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.matching_profiles VALUES (2, NULL, true, '未設定', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]', '2026-12-03 13:10:18.485773+00', '2026-12-03 13:10:18.485773+00');
INSERT INTO public.matching_profiles VALUES (1, NULL, true, '東京都', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'hello', NULL, '[]', '2026-12-03 13:10:17.938787+00', '2026-12-03 13:10:18.812809+00');
INSERT INTO public.orientations VALUES (1, 'unspecified', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (2, 'heterosexual', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (3, 'gay', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (4, 'lesbian', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (5, 'bisexual', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (6, 'pansexual', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (7, 'asexual', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (8, 'demisexual', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (9, 'queer', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.orientations VALUES (10, 'questioning', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.point_events VALUES (1, 1, 'post_created', 10, 'post', 1, '2026-12-03 13:10:18.755049+00');
INSERT INTO public.posts VALUES (1, 1, 'ようこそ', 'HEAD post #board', 'public', NULL, NULL, 'board', NULL, 'blog', 'ようこそ', 'published', NULL, NULL, '2026-12-03 13:10:18.755049+00', '2026-12-03 13:10:18.755049+00');
INSERT INTO public.profiles VALUES (1, 'user_1', NULL, 1, 1, 1, NULL, NULL, NULL, NULL, NULL, false, false, false, false, false, false, '2026-12-03 13:10:17.938787+00', '2026-12-03 13:10:17.938787+00');
INSERT INTO public.profiles VALUES (2, 'user_2', NULL, 1, 1, 1, NULL, NULL, NULL, NULL, NULL, false, false, false, false, false, false, '2026-12-03 13:10:18.485773+00', '2026-12-03 13:10:18.485773+00');
INSERT INTO public.pronouns VALUES (1, 'unspecified', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (2, 'he/him', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (3, 'she/her', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (4, 'they/them', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (5, 'xe/xir', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (6, 'ze/zir', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (7, 'it/its', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (8, 'any pronouns', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (9, 'ask me', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.pronouns VALUES (10, 'no pronouns', '2026-12-03 13:10:16.243883+00');
INSERT INTO public.reactions VALUES (1, 2, 'post', 1, 'like', '2026-12-03 13:10:18.775808+00');
INSERT INTO public.users VALUES (2, 'ken@example.com', '$2b$12$OOnraC3D9N6y0YQ744lKTec8KJqRWDUc9FVd9yRziPjaCaLbVXpcC', 'Ken', '0900000000', 'premium', true, NULL, false, false, NULL, 0, '2026-12-03 13:10:18.222084+00', '2026-12-03 13:10:18.222084+00');
INSERT INTO public.users VALUES (1, 'hana@example.com', '$2b$12$LOK0BIAafXy9yp2zRYEYLuIiw71DXHwcGWBhemSGJAnzyqoIatVIm', 'はな', '0900000000', 'premium', true, NULL, false, false, NULL, 1, '2026-12-03 13:10:17.643129+00', '2026-12-03 13:10:18.812809+00');
SELECT pg_catalog.setval('public.awards_id_seq', 1, false);
SELECT pg_catalog.setval('public.categories_id_seq', 1, false);
SELECT pg_catalog.setval('public.chat_request_messages_id_seq', 1, false);
SELECT pg_catalog.setval('public.chat_requests_id_seq', 1, false);
SELECT pg_catalog.setval('public.chats_id_seq', 1, false);
SELECT pg_catalog.setval('public.comments_id_seq', 1, true);
SELECT pg_catalog.setval('public.content_items_id_seq', 1, false);
SELECT pg_catalog.setval('public.genders_id_seq', 10, true);
SELECT pg_catalog.setval('public.hobbies_id_seq', 1, false);
SELECT pg_catalog.setval('public.likes_id_seq', 1, false);
SELECT pg_catalog.setval('public.matches_id_seq', 1, false);
SELECT pg_catalog.setval('public.matching_profile_images_id_seq', 1, false);
SELECT pg_catalog.setval('public.media_assets_id_seq', 1, false);
SELECT pg_catalog.setval('public.messages_id_seq', 1, false);
SELECT pg_catalog.setval('public.notifications_id_seq', 1, false);
SELECT pg_catalog.setval('public.orientations_id_seq', 10, true);
SELECT pg_catalog.setval('public.point_events_id_seq', 1, true);
SELECT pg_catalog.setval('public.posts_id_seq', 1, true);
SELECT pg_catalog.setval('public.pronouns_id_seq', 10, true);
SELECT pg_catalog.setval('public.reactions_id_seq', 1, true);
SELECT pg_catalog.setval('public.reports_id_seq', 1, false);
SELECT pg_catalog.setval('public.reviews_id_seq', 1, false);
SELECT pg_catalog.setval('public.subcategories_id_seq', 1, false);
SELECT pg_catalog.setval('public.tags_id_seq', 1, false);
SELECT pg_catalog.setval('public.user_awards_id_seq', 1, false);
SELECT pg_catalog.setval('public.users_id_seq', 2, true);
ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY public.awards
    ADD CONSTRAINT awards_name_key UNIQUE (name);
ALTER TABLE ONLY public.awards
    ADD CONSTRAINT awards_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_pkey PRIMARY KEY (blocker_user_id, blocked_user_id);
ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_name_key UNIQUE (name);
ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_slug_key UNIQUE (slug);
ALTER TABLE ONLY public.chat_request_messages
    ADD CONSTRAINT chat_request_messages_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.chat_requests
    ADD CONSTRAINT chat_requests_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.chats
    ADD CONSTRAINT chats_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.content_items
    ADD CONSTRAINT content_items_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.follows
    ADD CONSTRAINT follows_pkey PRIMARY KEY (follower_user_id, followee_user_id);
ALTER TABLE ONLY public.genders
    ADD CONSTRAINT genders_name_key UNIQUE (name);
ALTER TABLE ONLY public.genders
    ADD CONSTRAINT genders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.hobbies
    ADD CONSTRAINT hobbies_name_key UNIQUE (name);
ALTER TABLE ONLY public.hobbies
    ADD CONSTRAINT hobbies_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.likes
    ADD CONSTRAINT likes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.matches
    ADD CONSTRAINT matches_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.matching_profile_hobbies
    ADD CONSTRAINT matching_profile_hobbies_pkey PRIMARY KEY (profile_id, hobby_id);
ALTER TABLE ONLY public.matching_profile_images
    ADD CONSTRAINT matching_profile_images_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.matching_profiles
    ADD CONSTRAINT matching_profiles_pkey PRIMARY KEY (user_id);
ALTER TABLE ONLY public.media_assets
    ADD CONSTRAINT media_assets_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orientations
    ADD CONSTRAINT orientations_name_key UNIQUE (name);
ALTER TABLE ONLY public.orientations
    ADD CONSTRAINT orientations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.point_events
    ADD CONSTRAINT point_events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.post_media
    ADD CONSTRAINT post_media_pkey PRIMARY KEY (post_id, media_asset_id);
ALTER TABLE ONLY public.post_tags
    ADD CONSTRAINT post_tags_pkey PRIMARY KEY (post_id, tag_id);
ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.posts_tourism
    ADD CONSTRAINT posts_tourism_pkey PRIMARY KEY (post_id);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_handle_key UNIQUE (handle);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_pkey PRIMARY KEY (user_id);
ALTER TABLE ONLY public.pronouns
    ADD CONSTRAINT pronouns_name_key UNIQUE (name);
ALTER TABLE ONLY public.pronouns
    ADD CONSTRAINT pronouns_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.reactions
    ADD CONSTRAINT reactions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.subcategories
    ADD CONSTRAINT subcategories_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.tags
    ADD CONSTRAINT tags_name_key UNIQUE (name);
ALTER TABLE ONLY public.tags
    ADD CONSTRAINT tags_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.chat_requests
    ADD CONSTRAINT uniq_chat_request_pending UNIQUE (from_user_id, to_user_id, status);
ALTER TABLE ONLY public.likes
    ADD CONSTRAINT uniq_like_from_to UNIQUE (from_user_id, to_user_id);
ALTER TABLE ONLY public.matches
    ADD CONSTRAINT uniq_match_pair UNIQUE (user_a_id, user_b_id);
ALTER TABLE ONLY public.matching_profile_images
    ADD CONSTRAINT unique_profile_order UNIQUE (profile_id, display_order);
ALTER TABLE ONLY public.user_awards
    ADD CONSTRAINT unique_user_award UNIQUE (user_id, award_id);
ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT unique_user_item_review UNIQUE (item_id, user_id);
ALTER TABLE ONLY public.reactions
    ADD CONSTRAINT unique_user_reaction UNIQUE (user_id, target_type, target_id, reaction_type);
ALTER TABLE ONLY public.subcategories
    ADD CONSTRAINT uq_category_subcategory_slug UNIQUE (category_id, slug);
ALTER TABLE ONLY public.user_awards
    ADD CONSTRAINT user_awards_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE INDEX ix_awards_id ON public.awards USING btree (id);
CREATE INDEX ix_categories_id ON public.categories USING btree (id);
CREATE INDEX ix_chat_request_messages_id ON public.chat_request_messages USING btree (id);
CREATE INDEX ix_chat_requests_id ON public.chat_requests USING btree (id);
CREATE INDEX ix_chats_id ON public.chats USING btree (id);
CREATE INDEX ix_comments_id ON public.comments USING btree (id);
CREATE INDEX ix_content_items_id ON public.content_items USING btree (id);
CREATE INDEX ix_genders_id ON public.genders USING btree (id);
CREATE INDEX ix_hobbies_id ON public.hobbies USING btree (id);
CREATE INDEX ix_likes_id ON public.likes USING btree (id);
CREATE INDEX ix_matches_id ON public.matches USING btree (id);
CREATE INDEX ix_matching_profile_images_id ON public.matching_profile_images USING btree (id);
CREATE INDEX ix_media_assets_id ON public.media_assets USING btree (id);
CREATE INDEX ix_messages_id ON public.messages USING btree (id);
CREATE INDEX ix_notifications_id ON public.notifications USING btree (id);
CREATE INDEX ix_orientations_id ON public.orientations USING btree (id);
CREATE INDEX ix_point_events_id ON public.point_events USING btree (id);
CREATE INDEX ix_posts_id ON public.posts USING btree (id);
CREATE UNIQUE INDEX ix_posts_slug ON public.posts USING btree (slug);
CREATE INDEX ix_pronouns_id ON public.pronouns USING btree (id);
CREATE INDEX ix_reactions_id ON public.reactions USING btree (id);
CREATE INDEX ix_reports_id ON public.reports USING btree (id);
CREATE INDEX ix_reviews_id ON public.reviews USING btree (id);
CREATE INDEX ix_subcategories_id ON public.subcategories USING btree (id);
CREATE INDEX ix_tags_id ON public.tags USING btree (id);
CREATE INDEX ix_user_awards_id ON public.user_awards USING btree (id);
CREATE UNIQUE INDEX ix_users_email ON public.users USING btree (email);
CREATE INDEX ix_users_id ON public.users USING btree (id);
ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_blocked_user_id_fkey FOREIGN KEY (blocked_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_blocker_user_id_fkey FOREIGN KEY (blocker_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.chat_request_messages
    ADD CONSTRAINT chat_request_messages_chat_request_id_fkey FOREIGN KEY (chat_request_id) REFERENCES public.chat_requests(id);
ALTER TABLE ONLY public.chat_request_messages
    ADD CONSTRAINT chat_request_messages_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.chat_requests
    ADD CONSTRAINT chat_requests_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.chat_requests
    ADD CONSTRAINT chat_requests_to_user_id_fkey FOREIGN KEY (to_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.chats
    ADD CONSTRAINT chats_match_id_fkey FOREIGN KEY (match_id) REFERENCES public.matches(id);
ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.comments(id);
ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id);
ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.follows
    ADD CONSTRAINT follows_followee_user_id_fkey FOREIGN KEY (followee_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.follows
    ADD CONSTRAINT follows_follower_user_id_fkey FOREIGN KEY (follower_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.likes
    ADD CONSTRAINT likes_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.likes
    ADD CONSTRAINT likes_to_user_id_fkey FOREIGN KEY (to_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.matches
    ADD CONSTRAINT matches_user_a_id_fkey FOREIGN KEY (user_a_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.matches
    ADD CONSTRAINT matches_user_b_id_fkey FOREIGN KEY (user_b_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.matching_profile_hobbies
    ADD CONSTRAINT matching_profile_hobbies_hobby_id_fkey FOREIGN KEY (hobby_id) REFERENCES public.hobbies(id);
ALTER TABLE ONLY public.matching_profile_hobbies
    ADD CONSTRAINT matching_profile_hobbies_profile_id_fkey FOREIGN KEY (profile_id) REFERENCES public.matching_profiles(user_id);
ALTER TABLE ONLY public.matching_profile_images
    ADD CONSTRAINT matching_profile_images_profile_id_fkey FOREIGN KEY (profile_id) REFERENCES public.matching_profiles(user_id);
ALTER TABLE ONLY public.matching_profiles
    ADD CONSTRAINT matching_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.media_assets
    ADD CONSTRAINT media_assets_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_chat_id_fkey FOREIGN KEY (chat_id) REFERENCES public.chats(id);
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.point_events
    ADD CONSTRAINT point_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.post_media
    ADD CONSTRAINT post_media_media_asset_id_fkey FOREIGN KEY (media_asset_id) REFERENCES public.media_assets(id);
ALTER TABLE ONLY public.post_media
    ADD CONSTRAINT post_media_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id);
ALTER TABLE ONLY public.post_tags
    ADD CONSTRAINT post_tags_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id);
ALTER TABLE ONLY public.post_tags
    ADD CONSTRAINT post_tags_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES public.tags(id);
ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_media_id_fkey FOREIGN KEY (media_id) REFERENCES public.media_assets(id);
ALTER TABLE ONLY public.posts_tourism
    ADD CONSTRAINT posts_tourism_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id);
ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_gender_id_fkey FOREIGN KEY (gender_id) REFERENCES public.genders(id);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_orientation_id_fkey FOREIGN KEY (orientation_id) REFERENCES public.orientations(id);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_pronoun_id_fkey FOREIGN KEY (pronoun_id) REFERENCES public.pronouns(id);
ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.reactions
    ADD CONSTRAINT reactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_reporter_user_id_fkey FOREIGN KEY (reporter_user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_item_id_fkey FOREIGN KEY (item_id) REFERENCES public.content_items(id);
ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.subcategories
    ADD CONSTRAINT subcategories_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.categories(id);
ALTER TABLE ONLY public.user_awards
    ADD CONSTRAINT user_awards_award_id_fkey FOREIGN KEY (award_id) REFERENCES public.awards(id);
ALTER TABLE ONLY public.user_awards
    ADD CONSTRAINT user_awards_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

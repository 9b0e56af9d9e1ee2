#include "domain/matching.hpp"

#include <algorithm>
#include <tuple>

#include "db/json_params.hpp"
#include "db/matching_repository.hpp"
#include "db/users_repository.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

const std::vector<std::string_view> kAgeBands = {
    "10s_late", "20s_early", "20s_late", "30s_early", "30s_late", "40s_early", "40s_late",
    "50s_early", "50s_late", "60s_early", "60s_late", "70plus", "10代", "20代前半", "20代後半",
    "30代前半", "30代後半", "40代前半", "40代後半", "50代前半", "50代後半", "60代以上"};
const std::vector<std::string_view> kIdentities = {
    "gay", "lesbian", "bisexual", "transgender", "questioning", "other", "ゲイ", "レズ",
    "トランスジェンダー", "バイセクシャル", "クィア", "男性", "女性", "非表示"};
const std::vector<std::string_view> kMeetingStyles = {
    "msg_first", "voice_after", "video_after", "cafe_meal", "via_hobby", "meet_if_conditions",
    "meet_first", "online_only"};

namespace {

// Takes every image of the member and puts back all but `drop` with orders 0..n-1: those named
// in `first` in that order, then the others in their current order. Rows are taken and put back
// because the table's (profile_id, display_order) key and its 0..4 range forbid moving them one
// by one.
void rewrite_images(db::MatchingRepository& repo, int64_t user_id,
                    const std::vector<int64_t>& first, std::optional<int64_t> drop = {}) {
  auto images = repo.take_images(user_id);
  std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) {
    return std::tie(a.display_order, a.id) < std::tie(b.display_order, b.id);
  });
  if (drop) {
    std::erase_if(images, [&](const auto& i) { return i.id == *drop; });
  }
  std::vector<db::StoredProfileImageRow> ordered;
  for (int64_t id : first) {
    auto it = std::find_if(images.begin(), images.end(), [&](const auto& i) { return i.id == id; });
    if (it == images.end()) continue;
    ordered.push_back(std::move(*it));
    images.erase(it);
  }
  for (auto& rest : images) ordered.push_back(std::move(rest));
  for (size_t i = 0; i < ordered.size(); ++i) {
    repo.restore_image(user_id, ordered[i], static_cast<int64_t>(i));
  }
}

// Orders are 0..n-1 (rows written by HEAD may have gaps).
bool compact(const std::vector<db::ProfileImageRow>& images) {
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].display_order != static_cast<int64_t>(i)) return false;
  }
  return true;
}

}  // namespace

bool bio_has_contact_info(std::string_view bio) {
  static constexpr std::string_view kPatterns[] = {"@",    "line:",  "LINE:",     "+81",
                                                   "tel:", "電話", "gmail.com", "icloud.com"};
  return std::any_of(std::begin(kPatterns), std::end(kPatterns),
                     [&](std::string_view p) { return bio.find(p) != std::string_view::npos; });
}

MatchingProfile my_profile(db::Connection& c, const User& user) {
  db::MatchingRepository repo(c);
  auto profile = repo.profile(user.id);
  if (!profile) {
    repo.insert_empty_profile(user.id);
    profile = repo.profile(user.id);
  }
  return MatchingProfile{user.display_name, std::move(*profile), repo.hobbies(user.id),
                         repo.images(user.id)};
}

MatchingProfile listed_profile(db::Connection& c, int64_t user_id) {
  db::MatchingRepository repo(c);
  auto profile = repo.listed_profile(user_id);
  if (!profile) throw errors::not_found("Profile not found");
  auto owner = db::UsersRepository(c).by_id(user_id);
  return MatchingProfile{owner ? owner->display_name : std::string(), std::move(*profile),
                         repo.hobbies(user_id), repo.images(user_id)};
}

void update_my_profile(db::Connection& c, const User& user, const ProfileUpdate& u) {
  db::Transaction tx(c, true);
  db::MatchingRepository repo(c);
  repo.insert_empty_profile(user.id);
  repo.lock_profile(user.id);
  db::MatchingProfileColumns p = repo.profile(user.id)->p;
  const auto apply = [](const Update<std::string>& update, std::optional<std::string>& column) {
    column = updated(update, column);
  };
  if (u.prefecture) p.prefecture = *u.prefecture;
  apply(u.residence_detail, p.residence_detail);
  apply(u.hometown, p.hometown);
  apply(u.age_band, p.age_band);
  apply(u.occupation, p.occupation);
  apply(u.income_range, p.income_range);
  apply(u.blood_type, p.blood_type);
  apply(u.zodiac, p.zodiac);
  apply(u.meet_pref, p.meet_pref);
  apply(u.meeting_style, p.meeting_style);
  apply(u.bio, p.bio);
  apply(u.identity, p.identity);
  if (u.romance_targets) {
    p.romance_targets = *u.romance_targets ? std::optional(db::json_array(**u.romance_targets))
                                           : std::nullopt;
  }
  repo.update_profile(user.id, p);
  if (u.hobbies) repo.replace_hobbies(user.id, *u.hobbies);

  const AccountUpdate& a = u.account;
  if (a.email || a.display_name || a.phone_number || a.real_name) {
    update_account_in_transaction(c, user, a);
  }
  if (u.password_hash) db::UsersRepository(c).update_password_hash(user.id, *u.password_hash);
  tx.commit();
}

bool set_profile_listed(db::Connection& c, const User& user, bool listed) {
  db::Transaction tx(c, true);
  db::MatchingRepository repo(c);
  repo.insert_empty_profile(user.id);
  repo.set_visibility(user.id, listed);
  tx.commit();
  return listed;
}

SearchPage search_profiles(db::Connection& c, const User& user, const SearchQuery& q) {
  db::SearchFilter f;
  f.caller = user.id;
  f.prefecture = q.prefecture;
  f.age_band = q.age_band;
  f.occupation = q.occupation;
  f.income_range = q.income_range;
  f.meet_pref = q.meet_pref;
  f.identity = q.identity;
  f.hobbies = q.hobbies;
  f.limit = q.size;
  f.offset = (q.page - 1) * q.size;
  db::MatchingRepository repo(c);
  SearchPage page;
  page.items = repo.search(f);
  if (!page.items.empty()) {
    page.total = page.items.front().total;
  } else if (f.offset > 0) {
    // Past the last page the window count has no row to ride on: count the whole search.
    f.limit = 1;
    f.offset = 0;
    auto first = repo.search(f);
    page.total = first.empty() ? 0 : first.front().total;
  }
  return page;
}

int64_t like_member(db::Connection& c, const User& user, int64_t to_user_id) {
  if (to_user_id == user.id) throw errors::bad_request("cannot like yourself");
  db::Transaction tx(c, true);
  if (!db::UsersRepository(c).by_id(to_user_id)) throw errors::not_found("User not found");
  const int64_t id = db::MatchingRepository(c).like(user.id, to_user_id);
  tx.commit();
  return id;
}

std::vector<db::LikeRow> my_likes(db::Connection& c, const User& user) {
  return db::MatchingRepository(c).likes(user.id);
}

std::vector<db::MatchRow> my_matches(db::Connection& c, const User& user) {
  return db::MatchingRepository(c).matches(user.id);
}

db::ProfileImageRow add_profile_image(db::Connection& c, const User& user, const std::string& url) {
  db::Transaction tx(c, true);
  db::MatchingRepository repo(c);
  if (!repo.owns_media(user.id, url)) {
    throw errors::bad_request("image_url must be an image you uploaded");
  }
  repo.insert_empty_profile(user.id);
  repo.lock_profile(user.id);
  const auto images = repo.images(user.id);
  if (images.size() >= kMaxProfileImages) throw errors::bad_request("Maximum 5 images allowed");
  // Orders are kept 0..n-1, so the next one is the count (HEAD's max + 1 runs past 4 after a
  // delete and breaks the table's 0..4 range).
  if (!compact(images)) rewrite_images(repo, user.id, {});
  auto row = repo.insert_image(user.id, url, static_cast<int64_t>(images.size()));
  tx.commit();
  return row;
}

void delete_profile_image(db::Connection& c, const User& user, int64_t image_id) {
  db::Transaction tx(c, true);
  db::MatchingRepository repo(c);
  repo.lock_profile(user.id);
  const auto images = repo.images(user.id);
  if (std::none_of(images.begin(), images.end(), [&](const auto& i) { return i.id == image_id; })) {
    throw errors::not_found("Image not found");
  }
  rewrite_images(repo, user.id, {}, image_id);
  tx.commit();
}

void reorder_profile_images(db::Connection& c, const User& user, const std::vector<int64_t>& ids) {
  db::Transaction tx(c, true);
  db::MatchingRepository repo(c);
  repo.lock_profile(user.id);
  rewrite_images(repo, user.id, ids);
  tx.commit();
}

}  // namespace carat::domain

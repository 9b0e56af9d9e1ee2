#include "dto/users.hpp"

namespace carat::dto {

void write_user_out(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  w.field("email", u.email);
  w.field("display_name", u.display_name);
  w.field("id", u.id);
  w.field("membership_type", u.membership_type);
  w.field("is_active", u.is_active);
  w.field("created_at", u.created_at);
  w.end_object();
}

void write_public_user_out(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  w.field("display_name", u.display_name);
  w.field("id", u.id);
  w.field("created_at", u.created_at);
  w.end_object();
}

void write_profile_out(JsonWriter& w, const domain::Profile& p, bool masked) {
  auto shown = [&](bool flag) { return !masked || flag; };
  w.begin_object();
  w.field("handle", p.handle);
  w.field("bio", p.bio);
  if (shown(p.show_orientation)) w.field("orientation_id", p.orientation_id); else w.field_null("orientation_id");
  if (shown(p.show_gender)) w.field("gender_id", p.gender_id); else w.field_null("gender_id");
  if (shown(p.show_pronoun)) w.field("pronoun_id", p.pronoun_id); else w.field_null("pronoun_id");
  if (shown(p.show_birthday)) w.field("birthday", p.birthday); else w.field_null("birthday");
  if (shown(p.show_location)) w.field("location", p.location); else w.field_null("location");
  w.field("website", p.website);
  w.field("avatar_url", p.avatar_url);
  w.field("banner_url", p.banner_url);
  w.field("is_profile_public", p.is_profile_public);
  w.field("show_orientation", p.show_orientation);
  w.field("show_gender", p.show_gender);
  w.field("show_pronoun", p.show_pronoun);
  w.field("show_birthday", p.show_birthday);
  w.field("show_location", p.show_location);
  w.field("user_id", p.user_id);
  w.field("created_at", p.created_at);
  w.field("updated_at", p.updated_at);
  w.end_object();
}

}  // namespace carat::dto

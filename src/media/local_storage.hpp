#pragma once

#include <memory>
#include <string>

#include "media/storage.hpp"

namespace carat::media {

// Files in MEDIA_DIR, written to a temporary name and renamed into place.
std::unique_ptr<Storage> make_local_storage(const std::string& dir);

}  // namespace carat::media

// Builds the backend for a DATABASE_URL.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "db/database.hpp"

namespace carat::db {

std::unique_ptr<Connector> make_connector(const config::DatabaseUrl& url,
                                          const config::Config& cfg);

}  // namespace carat::db

#pragma once

#include <memory>
#include <string>

#include "media/storage.hpp"

namespace carat::media {

struct S3Settings {
  std::string bucket;
  std::string region = "ap-northeast-1";
  std::string prefix = "media/";
  std::string endpoint;  // AWS_ENDPOINT_URL_S3; empty: https://<bucket>.s3.<region>.amazonaws.com
  int url_ttl_seconds = 300;
};

std::unique_ptr<Storage> make_s3_storage(const S3Settings& settings);

}  // namespace carat::media

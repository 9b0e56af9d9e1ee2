// A throwaway S3 emulator for black-box tests: moto (`moto_server`, or `python3 -m moto.server`)
// on a free loopback port, with one bucket and an IAM user whose access key the service uses.
//
// With require_signatures(true) moto verifies the SigV4 Authorization header of every S3 call
// against that user's secret (it recomputes the signature with botocore), so a passing upload
// proves the hand-written signer is accepted by an independent implementation.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <httplib.h>

#include "process.hpp"

namespace carat::testing {

class MotoServer {
 public:
  explicit MotoServer(std::string bucket = "carat-media", std::string region = "ap-northeast-1");
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& bucket() const { return bucket_; }
  const std::string& region() const { return region_; }
  const std::string& access_key_id() const { return access_key_id_; }
  const std::string& secret_access_key() const { return secret_access_key_; }

  // The environment of a `carat serve` that stores media in this bucket.
  std::map<std::string, std::string> carat_env(const std::string& prefix = "media/") const;

  // On: every S3 request must carry a valid signature of the IAM user (moto's reset-auth).
  void require_signatures(bool on);

  // Unsigned GET of `path` on the emulator (only while signatures are not required).
  httplib::Result get(const std::string& path_and_query);
  // True when an object exists under `key` (a signature-free HEAD; turns checks off briefly).
  bool object_exists(const std::string& key);

  void stop();
  bool running();
  std::string log() const;

 private:
  std::string iam(const std::string& form);
  void wait_until_ready();

  std::string dir_;
  std::string bucket_;
  std::string region_;
  std::string access_key_id_;
  std::string secret_access_key_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
  bool signatures_ = false;
};

}  // namespace carat::testing

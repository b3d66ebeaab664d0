// Certificate verification is on: a Graph base URL served with a certificate no system CA
// signed is refused before any request leaves, token included.

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "channels/graph_client.h"

namespace atalaya::channels {
namespace {

// Writes a fresh self-signed certificate for 127.0.0.1 and its key as PEM files.
bool WriteSelfSigned(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) return false;
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  FILE* key_file = std::fopen(key_path.c_str(), "w");
  ok = ok && cert_file != nullptr && key_file != nullptr && PEM_write_X509(cert_file, cert) == 1 &&
       PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (cert_file != nullptr) std::fclose(cert_file);
  if (key_file != nullptr) std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST(GraphClientTlsTest, SelfSignedCertificateIsRefused) {
  const std::string prefix = "graph_tls_" + std::to_string(getpid());
  const std::string cert = prefix + "_cert.pem";
  const std::string key = prefix + "_key.pem";
  ASSERT_TRUE(WriteSelfSigned(cert, key));
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  std::atomic<int> requests{0};
  server.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.set_content("{}", "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  GraphClientOptions options;
  options.base_url = "https://127.0.0.1:" + std::to_string(port);
  Result<std::unique_ptr<GraphClient>> client = MakeHttpGraphClient(options);
  ASSERT_TRUE(client.ok());
  Result<GraphResponse> response = (*client)->Call({"POST", "PAGE/messages", "{}"}, "secret");
  server.stop();
  thread.join();
  std::remove(cert.c_str());
  std::remove(key.c_str());

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(response.status().message(), "graph: server certificate verification failed");
  EXPECT_EQ(requests.load(), 0);
}

}  // namespace
}  // namespace atalaya::channels

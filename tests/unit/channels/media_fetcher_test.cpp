// The media fetcher against the fake Graph server on loopback: WhatsApp's two calls and
// Messenger's one, every cap and check with its exact reason, and which failures are worth
// a retry.

#include "channels/media_fetcher.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/crypto.h"
#include "tests/fakes/fake_graph_server.h"

namespace atalaya::channels {
namespace {

using fakes::FakeGraphServer;
using fakes::ScriptedResponse;

constexpr char kToken[] = "wa-token-5e1";

// Bytes that are not text, so a transfer that mangles them shows.
std::string Blob(size_t size, unsigned seed = 7) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 31 + seed) % 256);
  return out;
}

MediaSource WhatsAppImage(const std::string& media_id) {
  MediaSource source;
  source.channel = Channel::kWhatsApp;
  source.attachment.kind = "image";
  source.attachment.media_id = media_id;
  source.attachment.mime_type = "image/jpeg";
  return source;
}

MediaSource MessengerAttachment(const std::string& kind, const std::string& url) {
  MediaSource source;
  source.channel = Channel::kMessenger;
  source.attachment.kind = kind;
  source.attachment.url = url;
  return source;
}

class MediaFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(1024 * 1024); }

  void Make(int64_t max_bytes) {
    GraphClientOptions graph_options;
    graph_options.base_url = server_.base_url();
    graph_options.api_version = "v21.0";
    Result<std::unique_ptr<GraphClient>> graph = MakeHttpGraphClient(graph_options);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    graph_ = std::move(graph).value();
    MediaFetcherOptions options;
    options.max_bytes = max_bytes;
    Result<std::unique_ptr<MediaFetcher>> fetcher = MakeHttpMediaFetcher(*graph_, options);
    ASSERT_TRUE(fetcher.ok()) << fetcher.status().ToString();
    fetcher_ = std::move(fetcher).value();
  }

  MediaFetchResult Fetch(const MediaSource& source) {
    received_.clear();
    return fetcher_->Fetch(source, kToken, [this](std::string_view chunk) {
      received_.append(chunk);
      return Status::Ok();
    });
  }

  // The failure, or an empty one with a test failure when the fetch succeeded.
  MediaFailure FailureOf(const MediaFetchResult& result) {
    EXPECT_TRUE(result.failure.has_value()) << "the fetch succeeded";
    return result.failure.value_or(MediaFailure{});
  }

  FakeGraphServer server_;
  std::unique_ptr<GraphClient> graph_;
  std::unique_ptr<MediaFetcher> fetcher_;
  std::string received_;
};

TEST_F(MediaFetcherTest, WhatsAppMediaIdIsResolvedThenDownloadedWithTheToken) {
  const std::string jpeg = Blob(5000);
  server_.AddWhatsAppMedia("MEDIA_1", jpeg, "image/jpeg");

  const MediaFetchResult result = Fetch(WhatsAppImage("MEDIA_1"));
  ASSERT_FALSE(result.failure.has_value()) << result.failure->message;
  EXPECT_EQ(received_, jpeg);
  EXPECT_EQ(result.media.bytes, 5000);
  EXPECT_EQ(result.media.mime_type, "image/jpeg");
  EXPECT_EQ(result.media.sha256, HexEncode(Sha256(jpeg)));

  const std::vector<fakes::RecordedRequest> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/v21.0/MEDIA_1");
  EXPECT_EQ(requests[0].Header("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(requests[1].path, "/_media/MEDIA_1");
  EXPECT_EQ(requests[1].Header("authorization"), std::string("Bearer ") + kToken);
}

TEST_F(MediaFetcherTest, MessengerUrlIsDownloadedDirectlyWithoutTheToken) {
  const std::string png = Blob(3000, 3);
  server_.AddFile("_cdn/a.png", png, "image/png");

  const MediaFetchResult result =
      Fetch(MessengerAttachment("image", server_.FileUrl("_cdn/a.png")));
  ASSERT_FALSE(result.failure.has_value()) << result.failure->message;
  EXPECT_EQ(received_, png);
  EXPECT_EQ(result.media.mime_type, "image/png");
  ASSERT_EQ(server_.RequestCount(), 1u);
  EXPECT_EQ(server_.Requests()[0].Header("authorization"), "")
      << "the page token must not travel to a CDN";
}

TEST_F(MediaFetcherTest, DeclaredFileSizeOverTheCapStopsBeforeTheDownload) {
  Make(1000);
  server_.AddWhatsAppMedia("MEDIA_BIG", Blob(2000), "image/jpeg");

  const MediaFailure failure = FailureOf(Fetch(WhatsAppImage("MEDIA_BIG")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "too_large");
  EXPECT_EQ(failure.message, "WhatsApp declares 2000 bytes; the cap is 1000");
  EXPECT_EQ(server_.RequestCount(), 1u) << "the file itself is never requested";
  EXPECT_TRUE(received_.empty());
}

TEST_F(MediaFetcherTest, ContentLengthOverTheCapStopsBeforeReading) {
  Make(1000);
  server_.AddFile("_cdn/big.jpg", Blob(2000), "image/jpeg");

  const MediaFailure failure =
      FailureOf(Fetch(MessengerAttachment("image", server_.FileUrl("_cdn/big.jpg"))));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "too_large");
  EXPECT_EQ(failure.message, "Content-Length 2000 is over the cap of 1000 bytes");
  EXPECT_TRUE(received_.empty()) << "no byte is read once the header says too much";
}

TEST_F(MediaFetcherTest, StreamWithoutALengthIsCutAtTheCap) {
  Make(5000);
  // WhatsApp's metadata understates the size and the file comes chunked, with no length.
  server_.Enqueue("MEDIA_LIES", FakeGraphServer::MediaMetadata(server_.MediaUrl("MEDIA_LIES"),
                                                               "image/jpeg", "", 100));
  server_.Enqueue("_media/MEDIA_LIES",
                  FakeGraphServer::Bytes(200, Blob(20000), "image/jpeg", /*chunked=*/true));

  const MediaFailure failure = FailureOf(Fetch(WhatsAppImage("MEDIA_LIES")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "too_large");
  EXPECT_EQ(failure.message, "more than 5000 bytes arrived (the cap) although none was declared");
  EXPECT_LE(received_.size(), 5000u) << "the sink never holds more than the cap";
}

TEST_F(MediaFetcherTest, ChunkedFileWithinTheCapIsStored) {
  const std::string audio = Blob(9000, 11);
  server_.Enqueue("_cdn/voice.mp4", FakeGraphServer::Bytes(200, audio, "audio/mp4", true));

  const MediaFetchResult result =
      Fetch(MessengerAttachment("audio", server_.FileUrl("_cdn/voice.mp4")));
  ASSERT_FALSE(result.failure.has_value()) << result.failure->message;
  EXPECT_EQ(received_, audio);
  EXPECT_EQ(result.media.bytes, 9000);
}

TEST_F(MediaFetcherTest, ServedTypeDifferentFromTheDeclaredOneIsRefused) {
  const std::string bytes = Blob(500);
  server_.Enqueue("MEDIA_PNG", FakeGraphServer::MediaMetadata(server_.MediaUrl("MEDIA_PNG"),
                                                              "image/jpeg", "", 500));
  server_.Enqueue("_media/MEDIA_PNG", FakeGraphServer::Bytes(200, bytes, "image/png"));

  const MediaFailure failure = FailureOf(Fetch(WhatsAppImage("MEDIA_PNG")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "mime_mismatch");
  EXPECT_EQ(failure.message, "served as \"image/png\" but declared as \"image/jpeg\"");
  EXPECT_TRUE(received_.empty());
}

TEST_F(MediaFetcherTest, TypeNotAllowedForTheKindIsRefused) {
  server_.AddFile("_cdn/page.html", "<html>login</html>", "text/html; charset=utf-8");

  const MediaFailure failure =
      FailureOf(Fetch(MessengerAttachment("image", server_.FileUrl("_cdn/page.html"))));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "bad_mime");
  EXPECT_EQ(failure.message, "type \"text/html\" is not allowed for image attachments");
}

TEST_F(MediaFetcherTest, ChecksumMismatchIsRefused) {
  const std::string bytes = Blob(800);
  const std::string other = HexEncode(Sha256("something else"));
  server_.Enqueue("MEDIA_SHA", FakeGraphServer::MediaMetadata(server_.MediaUrl("MEDIA_SHA"),
                                                              "image/jpeg", other, 800));
  server_.Enqueue("_media/MEDIA_SHA", FakeGraphServer::Bytes(200, bytes, "image/jpeg"));

  const MediaFailure failure = FailureOf(Fetch(WhatsAppImage("MEDIA_SHA")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "sha256_mismatch");
  EXPECT_EQ(failure.message,
            "the file's sha256 is " + HexEncode(Sha256(bytes)) + "; WhatsApp declared " + other);
}

TEST_F(MediaFetcherTest, Base64ChecksumIsComparedToo) {
  const std::string bytes = Blob(800);
  server_.Enqueue("MEDIA_B64",
                  FakeGraphServer::MediaMetadata(server_.MediaUrl("MEDIA_B64"), "image/jpeg",
                                                 Base64Encode(Sha256(bytes)), 800));
  server_.Enqueue("_media/MEDIA_B64", FakeGraphServer::Bytes(200, bytes, "image/jpeg"));
  const MediaFetchResult ok = Fetch(WhatsAppImage("MEDIA_B64"));
  EXPECT_FALSE(ok.failure.has_value()) << ok.failure->message;

  server_.Enqueue("MEDIA_B64",
                  FakeGraphServer::MediaMetadata(server_.MediaUrl("MEDIA_B64"), "image/jpeg",
                                                 Base64Encode(Sha256("x")), 800));
  server_.Enqueue("_media/MEDIA_B64", FakeGraphServer::Bytes(200, bytes, "image/jpeg"));
  EXPECT_EQ(FailureOf(Fetch(WhatsAppImage("MEDIA_B64"))).reason, "sha256_mismatch");
}

TEST_F(MediaFetcherTest, ExpiredUrlIsPermanent) {
  server_.Enqueue("_cdn/old.jpg",
                  FakeGraphServer::Bytes(404, "URL signature expired", "text/plain"));

  const MediaFailure failure =
      FailureOf(Fetch(MessengerAttachment("image", server_.FileUrl("_cdn/old.jpg"))));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "expired");
  EXPECT_EQ(failure.message, "the media URL answered HTTP 404 (expired or removed)");
}

TEST_F(MediaFetcherTest, ServerErrorIsTransientAndTheNextAttemptSucceeds) {
  const std::string video = Blob(4000, 5);
  server_.AddWhatsAppMedia("MEDIA_V", video, "video/mp4");
  server_.Enqueue("_media/MEDIA_V", FakeGraphServer::Bytes(503, "busy", "text/plain"));
  MediaSource source = WhatsAppImage("MEDIA_V");
  source.attachment.kind = "video";
  source.attachment.mime_type = "video/mp4";

  const MediaFailure failure = FailureOf(Fetch(source));
  EXPECT_EQ(failure.kind, MediaFailureKind::kTransient);
  EXPECT_EQ(failure.reason, "unavailable");
  EXPECT_EQ(failure.message, "the media URL answered HTTP 503");

  const MediaFetchResult retry = Fetch(source);
  ASSERT_FALSE(retry.failure.has_value()) << retry.failure->message;
  EXPECT_EQ(received_, video) << "the retry's bytes only, nothing of the failed attempt";
}

TEST_F(MediaFetcherTest, GraphErrorsOnTheMetadataAreClassified) {
  server_.Enqueue("MEDIA_X", FakeGraphServer::ServerError());
  MediaFailure failure = FailureOf(Fetch(WhatsAppImage("MEDIA_X")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kTransient);
  EXPECT_EQ(failure.reason, "unavailable");

  server_.Enqueue("MEDIA_X", FakeGraphServer::GraphError(400, 100, 33, "Unsupported get request."));
  failure = FailureOf(Fetch(WhatsAppImage("MEDIA_X")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "not_found");
  EXPECT_EQ(failure.message, "media metadata: graph 100/33: Unsupported get request.");

  server_.Enqueue("MEDIA_X", FakeGraphServer::BadToken());
  failure = FailureOf(Fetch(WhatsAppImage("MEDIA_X")));
  EXPECT_EQ(failure.reason, "bad_token");
  EXPECT_EQ(failure.message.find(kToken), std::string::npos);

  server_.Enqueue("MEDIA_X", FakeGraphServer::MediaMetadata("", "image/jpeg", "", 10));
  failure = FailureOf(Fetch(WhatsAppImage("MEDIA_X")));
  EXPECT_EQ(failure.reason, "bad_metadata");
  EXPECT_EQ(failure.message, "media metadata has no \"url\"");
}

TEST_F(MediaFetcherTest, WhatCannotBeFetchedIsRefusedWithoutARequest) {
  MediaFailure failure = FailureOf(Fetch(MessengerAttachment("fallback", "https://shop.example/")));
  EXPECT_EQ(failure.reason, "unsupported_kind");
  EXPECT_EQ(failure.message, "attachments of kind \"fallback\" are not downloaded");

  failure = FailureOf(Fetch(MessengerAttachment("image", "")));
  EXPECT_EQ(failure.reason, "no_source");
  EXPECT_EQ(failure.message, "the attachment has no URL");

  failure = FailureOf(Fetch(WhatsAppImage("")));
  EXPECT_EQ(failure.reason, "no_source");
  EXPECT_EQ(failure.message, "the WhatsApp attachment has no media id");

  failure =
      FailureOf(Fetch(MessengerAttachment("image", "http://cdn.example.com/a.jpg?sig=SECRETSIG")));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "bad_url");
  EXPECT_EQ(failure.message,
            "media URL must be https (plain http only to loopback): http://cdn.example.com/a.jpg");
  EXPECT_EQ(server_.RequestCount(), 0u);
}

TEST_F(MediaFetcherTest, NoAnswerIsTransientAndNamesNoQuery) {
  std::string url;
  {
    FakeGraphServer gone;
    url = gone.FileUrl("_cdn/a.jpg");
  }
  const MediaFailure failure = FailureOf(Fetch(MessengerAttachment("image", url)));
  EXPECT_EQ(failure.kind, MediaFailureKind::kTransient);
  EXPECT_EQ(failure.reason, "network");
  EXPECT_EQ(failure.message.find("sig="), std::string::npos) << failure.message;
}

TEST_F(MediaFetcherTest, SinkFailureIsTransient) {
  server_.AddFile("_cdn/a.pdf", Blob(100), "application/pdf");
  const MediaFetchResult result =
      fetcher_->Fetch(MessengerAttachment("file", server_.FileUrl("_cdn/a.pdf")), kToken,
                      [](std::string_view) { return Internal("disk full"); });
  const MediaFailure failure = FailureOf(result);
  EXPECT_EQ(failure.kind, MediaFailureKind::kTransient);
  EXPECT_EQ(failure.reason, "write_failed");
  EXPECT_EQ(failure.message, "disk full");
}

TEST_F(MediaFetcherTest, RedirectIsFollowedAndTheTokenStaysWithTheFirstHost) {
  const std::string jpeg = Blob(1200, 8);
  server_.AddWhatsAppMedia("MEDIA_R", jpeg, "image/jpeg");
  // Another origin for the same server: the token must not follow the redirect there.
  const std::string elsewhere =
      "http://localhost:" + std::to_string(server_.port()) + "/_cdn/moved.jpg?sig=2";
  server_.Enqueue("_media/MEDIA_R", ScriptedResponse{302, "", {{"Location", elsewhere}}});
  server_.AddFile("_cdn/moved.jpg", jpeg, "image/jpeg");

  const MediaFetchResult result = Fetch(WhatsAppImage("MEDIA_R"));
  ASSERT_FALSE(result.failure.has_value()) << result.failure->message;
  EXPECT_EQ(received_, jpeg);
  const std::vector<fakes::RecordedRequest> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].Header("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(requests[2].path, "/_cdn/moved.jpg");
  EXPECT_EQ(requests[2].Header("authorization"), "");
}

TEST_F(MediaFetcherTest, RedirectToPlainHttpElsewhereIsRefused) {
  server_.Enqueue("_cdn/r.jpg",
                  ScriptedResponse{301, "", {{"Location", "http://evil.example/x.jpg?sig=S"}}});
  const MediaFailure failure =
      FailureOf(Fetch(MessengerAttachment("image", server_.FileUrl("_cdn/r.jpg"))));
  EXPECT_EQ(failure.kind, MediaFailureKind::kPermanent);
  EXPECT_EQ(failure.reason, "bad_url");
  EXPECT_EQ(failure.message,
            "media URL must be https (plain http only to loopback): http://evil.example/x.jpg");
}

TEST(MediaUrlTest, QueryAndFragmentAreNeverShown) {
  EXPECT_EQ(UrlWithoutQuery("https://cdn.example/a/b.jpg?oh=1&sig=2#x"),
            "https://cdn.example/a/b.jpg");
  EXPECT_EQ(UrlWithoutQuery("https://cdn.example/a"), "https://cdn.example/a");
}

}  // namespace
}  // namespace atalaya::channels

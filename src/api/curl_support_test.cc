#include "api/curl_support.h"

#include <gtest/gtest.h>

namespace cnake::api {
namespace {

using std::chrono::milliseconds;

TEST(MapCurlCodeTest, Table) {
  const TransferFacts none;
  EXPECT_EQ(MapCurlCode(CURLE_OK, none), TransportError::kNone);
  EXPECT_EQ(MapCurlCode(CURLE_COULDNT_CONNECT, none), TransportError::kConnectRefused);
  for (CURLcode c : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
                     CURLE_HTTP2, CURLE_HTTP2_STREAM}) {
    EXPECT_EQ(MapCurlCode(c, none), TransportError::kConnectionReset) << c;
  }
  EXPECT_EQ(MapCurlCode(CURLE_COULDNT_RESOLVE_HOST, none), TransportError::kDns);
  EXPECT_EQ(MapCurlCode(CURLE_COULDNT_RESOLVE_PROXY, none), TransportError::kDns);
  for (CURLcode c : {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
                     CURLE_SSL_CERTPROBLEM, CURLE_SSL_PINNEDPUBKEYNOTMATCH}) {
    EXPECT_EQ(MapCurlCode(c, none), TransportError::kTls) << c;
  }
  for (CURLcode c : {CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED}) {
    EXPECT_EQ(MapCurlCode(c, none), TransportError::kTlsHandshake) << c;
  }
  EXPECT_EQ(MapCurlCode(CURLE_FILESIZE_EXCEEDED, none), TransportError::kTooLarge);
  EXPECT_EQ(MapCurlCode(CURLE_TOO_MANY_REDIRECTS, none), TransportError::kRedirect);
  EXPECT_EQ(MapCurlCode(CURLE_URL_MALFORMAT, none), TransportError::kOther);
  EXPECT_EQ(MapCurlCode(CURLE_BAD_CONTENT_ENCODING, none), TransportError::kOther);
}

TEST(MapCurlCodeTest, WriteErrorIsTooLargeOnlyPastTheCap) {
  TransferFacts facts;
  EXPECT_EQ(MapCurlCode(CURLE_WRITE_ERROR, facts), TransportError::kOther);
  facts.body_over_cap = true;
  EXPECT_EQ(MapCurlCode(CURLE_WRITE_ERROR, facts), TransportError::kTooLarge);
}

TEST(MapCurlCodeTest, StallVersusTimeout) {
  TransferFacts facts;
  facts.total_timeout = milliseconds(30000);
  facts.connected = true;
  facts.elapsed = milliseconds(10000);  // aborted long before the total timeout
  EXPECT_EQ(MapCurlCode(CURLE_OPERATION_TIMEDOUT, facts), TransportError::kStalled);
  facts.elapsed = milliseconds(30001);
  EXPECT_EQ(MapCurlCode(CURLE_OPERATION_TIMEDOUT, facts), TransportError::kTimeout);
  facts.elapsed = milliseconds(29995);  // curl's rounding around the deadline
  EXPECT_EQ(MapCurlCode(CURLE_OPERATION_TIMEDOUT, facts), TransportError::kTimeout);
  facts.connected = false;  // the connect timeout
  facts.elapsed = milliseconds(10000);
  EXPECT_EQ(MapCurlCode(CURLE_OPERATION_TIMEDOUT, facts), TransportError::kTimeout);
}

TEST(RetryAfterHeaderTest, MatchesNameCaseInsensitively) {
  EXPECT_EQ(RetryAfterFromHeaderLine("Retry-After: 120\r\n"), "120");
  EXPECT_EQ(RetryAfterFromHeaderLine("retry-after:\t Wed, 21 Oct 2015 07:28:00 GMT \r\n"),
            "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(RetryAfterFromHeaderLine("RETRY-AFTER:5"), "5");
  EXPECT_EQ(RetryAfterFromHeaderLine("X-Retry-After: 5\r\n"), std::nullopt);
  EXPECT_EQ(RetryAfterFromHeaderLine("HTTP/1.1 429 Too Many Requests\r\n"), std::nullopt);
  EXPECT_EQ(RetryAfterFromHeaderLine("\r\n"), std::nullopt);
  EXPECT_EQ(RetryAfterFromHeaderLine("Retry-After: " + std::string(10000, '9'))->size(), 256u);
}

TEST(RedactForLogTest, HidesAuthorizationAndTheSecret) {
  const std::string block =
      "POST /api/generate HTTP/1.1\r\nHost: h\r\nauthorization: Bearer sk-123\r\nAccept: "
      "*/*\r\n\r\n";
  const std::string out = RedactForLog(block, "sk-123");
  EXPECT_EQ(
      out,
      "POST /api/generate HTTP/1.1\r\nHost: h\r\nauthorization: Bearer ***\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(RedactForLog("echo sk-123 and sk-123", "sk-123"), "echo *** and ***");
  EXPECT_EQ(RedactForLog("Authorization: Basic abc", ""), "Authorization: Bearer ***");
  EXPECT_EQ(RedactForLog("no secrets here\n", ""), "no secrets here\n");
}

TEST(SafeHeaderValueTest, Cases) {
  EXPECT_TRUE(IsSafeHeaderValue(""));
  EXPECT_TRUE(IsSafeHeaderValue("entry-1:attempt 2"));
  EXPECT_FALSE(IsSafeHeaderValue("a\r\nX-Evil: 1"));
  EXPECT_FALSE(IsSafeHeaderValue(std::string("a\0b", 3)));
  EXPECT_FALSE(IsSafeHeaderValue(std::string(257, 'a')));
}

}  // namespace
}  // namespace cnake::api

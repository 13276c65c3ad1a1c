// Tests of the engine's test double (src/testing/fake_transport.h), so engine
// tests can trust it.
#include "testing/fake_transport.h"

#include <gtest/gtest.h>

namespace cnake::testing {
namespace {

using api::Request;
using api::Response;
using api::TransportError;
using std::chrono::seconds;

Request Req(std::uint64_t tag, std::string path) {
  Request r;
  r.tag = tag;
  r.path = std::move(path);
  return r;
}

TEST(FakeTransportTest, ScriptThenHandlerThenError) {
  FakeTransport fake;
  Response scripted;
  scripted.http_status = 202;
  fake.Enqueue(scripted);
  fake.SetHandler([](const Request& r) {
    Response resp;
    resp.http_status = 200;
    resp.body = r.path;
    return resp;
  });
  fake.Start(Req(1, "/a"));
  fake.Start(Req(2, "/b"));
  auto done = fake.Poll(seconds(1));
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].tag, 1u);
  EXPECT_EQ(done[0].http_status, 202);
  EXPECT_EQ(done[1].body, "/b");
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(fake.CountRequests([](const Request& r) { return r.path == "/a"; }), 1u);

  FakeTransport bare;
  bare.Start(Req(3, "/c"));
  auto failed = bare.Poll(seconds(0));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].transport, TransportError::kOther);
}

TEST(FakeTransportTest, DelaysFollowTheFakeClock) {
  FakeClock clock;
  FakeTransport fake(&clock);
  fake.Enqueue(Response{}, seconds(5));
  fake.Enqueue(Response{}, seconds(1));
  const TimePoint t0 = clock.Now();
  fake.Start(Req(1, "/slow"));
  fake.Start(Req(2, "/fast"));
  EXPECT_EQ(fake.in_flight(), 2u);

  auto first = fake.Poll(seconds(10));  // waits (advances) only until the first is due
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].tag, 2u);
  EXPECT_EQ(clock.Now() - t0, seconds(1));

  auto none = fake.Poll(seconds(2));  // not due yet: waits the full max_wait
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(clock.Now() - t0, seconds(3));

  auto second = fake.Poll(seconds(10));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].tag, 1u);
  EXPECT_EQ(fake.in_flight(), 0u);
}

TEST(FakeTransportTest, NoAutoAdvanceLeavesTimeToTheTest) {
  FakeClock clock;
  FakeTransport fake(&clock);
  fake.set_auto_advance(false);
  fake.Enqueue(Response{}, seconds(1));
  fake.Start(Req(1, "/x"));
  EXPECT_TRUE(fake.Poll(seconds(5)).empty());
  clock.Advance(seconds(1));
  EXPECT_EQ(fake.Poll(seconds(0)).size(), 1u);
  fake.Wakeup();
  EXPECT_EQ(fake.wakeups(), 1);
}

}  // namespace
}  // namespace cnake::testing

#include "scheduler/retry_after.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "util/random.h"

namespace cnake::scheduler {
namespace {

using std::chrono::seconds;
using namespace std::chrono_literals;

// 2015-10-21T07:28:00Z, the RFC example date.
const SystemTimePoint kRfcExample{seconds(1445412480)};
constexpr Duration kMax = seconds(300);

std::optional<Duration> Parse(std::string_view v, SystemTimePoint now = kRfcExample,
                              Duration max = kMax) {
  return ParseRetryAfter(v, now, max);
}

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(Parse("7"), seconds(7));
  EXPECT_EQ(Parse("0"), seconds(0));
  EXPECT_EQ(Parse("007"), seconds(7));
  EXPECT_EQ(Parse("120"), seconds(120));
}

TEST(RetryAfterTest, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(Parse(" 7 "), seconds(7));
  EXPECT_EQ(Parse("\t7\t"), seconds(7));
  EXPECT_EQ(Parse("  Wed, 21 Oct 2015 07:28:10 GMT  "), seconds(10));
}

TEST(RetryAfterTest, InnerWhitespaceIsRejected) {
  EXPECT_EQ(Parse("1 0"), std::nullopt);
  EXPECT_EQ(Parse("7\n"), std::nullopt);
}

TEST(RetryAfterTest, FractionsAndExponentsAreAccepted) {
  EXPECT_EQ(Parse("1.5"), 1500ms);
  EXPECT_EQ(Parse("0.001"), 1ms);
  EXPECT_EQ(Parse("1e2"), seconds(100));
  EXPECT_EQ(Parse("1E2"), seconds(100));
  EXPECT_EQ(Parse("25e-1"), 2500ms);
  EXPECT_EQ(Parse("1e-30"), Duration::zero());
  EXPECT_EQ(Parse("0.0000"), Duration::zero());
}

TEST(RetryAfterTest, MalformedNumbersAreIgnored) {
  for (std::string_view v : {"-1", "+7", "-0", "1.", ".5", "1e", "1e+", "7s", "0x10", "1,5", "inf",
                             "nan", "1..2", "1e5e5", "١"}) {
    EXPECT_EQ(Parse(v), std::nullopt) << v;
  }
}

TEST(RetryAfterTest, EmptyAndGarbageAreIgnored) {
  for (std::string_view v : {"", " ", "\t", "soon", "GMT", "Wed,", "Wed", "Wed, ", "\xff\xfe"}) {
    EXPECT_EQ(Parse(v), std::nullopt) << v;
  }
  EXPECT_EQ(Parse(std::string_view("7\0", 2)), std::nullopt);
}

TEST(RetryAfterTest, HugeValuesAreClampedWithoutOverflow) {
  EXPECT_EQ(Parse("301"), kMax);
  EXPECT_EQ(Parse("1e12"), kMax);
  EXPECT_EQ(Parse("99999999999999999999"), kMax);
  EXPECT_EQ(Parse(std::string(5000, '9')), kMax);
  EXPECT_EQ(Parse("1e999999999999999999999"), kMax);
  EXPECT_EQ(Parse("0.000000000000000000000001e30"), kMax);  // 1e6 s
  EXPECT_EQ(Parse("9223372036.854775807"), kMax);
  // The clamp also holds for the largest possible max_wait.
  EXPECT_EQ(Parse("99999999999999999999", kRfcExample, Duration::max()), Duration::max());
  EXPECT_EQ(Parse("9223372036", kRfcExample, Duration::max()), seconds(9223372036));
}

TEST(RetryAfterTest, ZeroOrNegativeMaxWaitClampsToZero) {
  EXPECT_EQ(Parse("7", kRfcExample, Duration::zero()), Duration::zero());
  EXPECT_EQ(Parse("7", kRfcExample, -seconds(5)), Duration::zero());
}

TEST(RetryAfterTest, ImfFixdate) {
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:28:07 GMT"), seconds(7));
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:30:00 GMT"), seconds(120));
  // Across a day, a month and a year boundary.
  const SystemTimePoint new_years_eve{seconds(1451606399)};  // 2015-12-31T23:59:59Z
  EXPECT_EQ(Parse("Fri, 01 Jan 2016 00:00:09 GMT", new_years_eve), seconds(10));
}

TEST(RetryAfterTest, SubSecondNowIsAccountedFor) {
  const SystemTimePoint now = kRfcExample + 250ms;
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:28:07 GMT", now), 6750ms);
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:28:00 GMT", now), Duration::zero());
}

TEST(RetryAfterTest, Rfc850AndAsctime) {
  EXPECT_EQ(Parse("Wednesday, 21-Oct-15 07:28:07 GMT"), seconds(7));
  EXPECT_EQ(Parse("Wed Oct 21 07:28:07 2015"), seconds(7));
  const SystemTimePoint nov5{seconds(784111777 - 86400)};  // 1994-11-05T08:49:37Z
  EXPECT_EQ(Parse("Sun Nov  6 08:49:37 1994", nov5, Duration::max()), seconds(86400));
  EXPECT_EQ(Parse("Sunday, 06-Nov-94 08:49:37 GMT", nov5, Duration::max()), seconds(86400));
  EXPECT_EQ(Parse("Sun, 06 Nov 1994 08:49:37 GMT", nov5, Duration::max()), seconds(86400));
}

TEST(RetryAfterTest, Rfc850TwoDigitYearUsesFiftyYearWindow) {
  // Relative to 2015, "65" is 2065 (50 years ahead), "66" is 1966 (past).
  EXPECT_EQ(Parse("Monday, 01-Jan-65 00:00:00 GMT", kRfcExample, Duration::max()),
            std::chrono::sys_days(std::chrono::year(2065) / 1 / 1) - kRfcExample);
  EXPECT_EQ(Parse("Saturday, 01-Jan-66 00:00:00 GMT"), Duration::zero());
}

TEST(RetryAfterTest, NamesAreCaseInsensitive) {
  EXPECT_EQ(Parse("wed, 21 oct 2015 07:28:07 gmt"), seconds(7));
  EXPECT_EQ(Parse("WEDNESDAY, 21-OCT-15 07:28:07 GMT"), seconds(7));
}

TEST(RetryAfterTest, PastDateIsZero) {
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:27:59 GMT"), Duration::zero());
  EXPECT_EQ(Parse("Thu, 01 Jan 1970 00:00:00 GMT"), Duration::zero());
  EXPECT_EQ(Parse("Mon, 01 Jan 0001 00:00:00 GMT"), Duration::zero());
}

TEST(RetryAfterTest, FarFutureDateIsClamped) {
  EXPECT_EQ(Parse("Fri, 31 Dec 9999 23:59:59 GMT"), kMax);
  EXPECT_EQ(Parse("Fri, 31 Dec 9999 23:59:59 GMT", kRfcExample, Duration::max()), Duration::max());
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:33:01 GMT"), kMax);  // 301 s
}

TEST(RetryAfterTest, InvalidDatesAreIgnored) {
  for (std::string_view v : {
           "Wed, 21 Oct 2015 07:28:00 UTC",    // only GMT
           "Wed, 21 Oct 2015 07:28:00",        // zone missing
           "Wed, 21 Oct 2015 07:28:00 GMT x",  // trailing text
           "Wed, 21 Oct 15 07:28:00 GMT",      // IMF needs four digits
           "Wed, 1 Oct 2015 07:28:00 GMT",     // IMF needs two-digit day
           "Wed, 30 Feb 2015 07:28:00 GMT",    // no such day
           "Wed, 29 Feb 2015 07:28:00 GMT",    // not a leap year
           "Wed, 00 Oct 2015 07:28:00 GMT",
           "Wed, 21 Foo 2015 07:28:00 GMT",
           "Wed, 21 Oct 2015 24:00:00 GMT",
           "Wed, 21 Oct 2015 07:60:00 GMT",
           "Wed, 21 Oct 2015 07:28:61 GMT",
           "Wed, 21 Oct 2015 7:28:00 GMT",
           "Xyz, 21 Oct 2015 07:28:00 GMT",        // unknown day name
           "Wednesday, 21 Oct 2015 07:28:00 GMT",  // long name with IMF body
           "Wed, 21-Oct-15 07:28:00 GMT",          // short name with RFC 850 body
           "Wed Oct 21 07:28:00 15",
           "Wed Oct 2 07:28:00 2015",  // asctime day is 2 wide
           "Wednesday Oct 21 07:28:00 2015",
           "Wed,21 Oct 2015 07:28:00 GMT",
       }) {
    EXPECT_EQ(Parse(v), std::nullopt) << v;
  }
}

TEST(RetryAfterTest, LeapDayAndLeapSecondAreValid) {
  const SystemTimePoint feb28{std::chrono::sys_days(std::chrono::year(2016) / 2 / 28)};
  EXPECT_EQ(Parse("Mon, 29 Feb 2016 00:00:00 GMT", feb28, Duration::max()), seconds(86400));
  EXPECT_EQ(Parse("Wed, 21 Oct 2015 07:28:60 GMT"), seconds(60));
}

// Never crashes, and every accepted value is within [0, max].
TEST(RetryAfterTest, ArbitraryBytesAreSafe) {
  Random rng(42);
  const std::string seeds[] = {"Wed, 21 Oct 2015 07:28:07 GMT", "Wednesday, 21-Oct-15 07:28:07 GMT",
                               "Wed Oct 21 07:28:07 2015", "12.5e3", "7"};
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (i % 2 == 0) {
      const size_t len = rng.Next() % 40;
      for (size_t j = 0; j < len; ++j) s.push_back(static_cast<char>(rng.Next()));
    } else {  // mutate a valid value
      s = seeds[rng.Next() % std::size(seeds)];
      const int mutations = 1 + static_cast<int>(rng.Next() % 3);
      for (int m = 0; m < mutations && !s.empty(); ++m) {
        const size_t at = rng.Next() % s.size();
        switch (rng.Next() % 3) {
          case 0:
            s[at] = static_cast<char>(rng.Next());
            break;
          case 1:
            s.erase(at, 1);
            break;
          default:
            s.insert(at, 1, "0123456789 ,:-eE."[rng.Next() % 17]);
            break;
        }
      }
    }
    const auto r = Parse(s);
    if (r) {
      ASSERT_GE(*r, Duration::zero()) << s;
      ASSERT_LE(*r, kMax) << s;
    }
  }
}

}  // namespace
}  // namespace cnake::scheduler

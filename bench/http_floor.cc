// http_floor: the least client work the API's job costs over HTTP, to put a
// floor under the client's CPU per entry (docs/benchmarks.md).
//
//   http_floor BASE_URL ENTRIES CONCURRENCY CODE_FILE
//
// For each entry, with up to CONCURRENCY in flight on one curl multi handle
// driven by its sockets (connections reused; the event loop is our
// transport's, api/curl_socket_loop.h): POST BASE_URL/generate
// with the code and an Idempotency-Key, then GET BASE_URL/results/{id} until
// the job is done (at once again while it is pending: a zero-delay server's
// jobs are done within a millisecond, so this is a floor for those and for
// synchronous servers, whose POST answer is the result itself, but not for
// slow asynchronous jobs, where it would poll without pause). Bodies are parsed with
// nlohmann-json, as any C++ client would; nothing is stored. Prints entries/s,
// requests per entry and this process's CPU ms per entry (user + system).
// The key comes from CNAKE_API_KEY, never argv.
#include <curl/curl.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "api/curl_socket_loop.h"

namespace {

struct Exchange {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;      // request body (kept alive while in flight)
  std::string response;  // response body
  std::string request_id;
  int entry = 0;
  bool posting = true;
};

size_t Collect(char* data, size_t size, size_t n, void* user) {
  static_cast<Exchange*>(user)->response.append(data, size * n);
  return size * n;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

class Floor {
 public:
  Floor(std::string base, std::string code, std::string key)
      : base_(std::move(base)), code_(std::move(code)), auth_("Authorization: Bearer " + key) {
    multi_ = curl_multi_init();
    if (!loop_.Install(multi_).ok()) std::abort();
  }
  ~Floor() { curl_multi_cleanup(multi_); }

  // Runs `entries` jobs with up to `concurrency` in flight; false on an error.
  bool Run(int entries, int concurrency) {
    int next = 0;
    for (; next < entries && next < concurrency; ++next) Start(Post(next));
    int done = 0;
    while (done < entries) {
      loop_.Run(100);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Exchange* ex = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &ex);
        curl_multi_remove_handle(multi_, msg->easy_handle);
        long code = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        const Step step = msg->data.result != CURLE_OK || code >= 300 ? Step::kError : Advance(*ex);
        if (step == Step::kError) {
          std::fprintf(stderr, "http_floor: entry %d: curl %d, HTTP %ld: %s\n", ex->entry,
                       msg->data.result, code, ex->response.c_str());
          return false;
        }
        if (step == Step::kFetch) {
          Start(ex);
          continue;
        }
        Finish(ex);
        ++done;
        if (next < entries) Start(Post(next++));
      }
    }
    return true;
  }

  long requests() const { return requests_; }

 private:
  Exchange* Post(int entry) {
    auto* ex = new Exchange;
    ex->entry = entry;
    ex->easy = curl_easy_init();
    nlohmann::json body = {{"prompt", "Translate this Cython code to Python."},
                           {"target_languages", {"python"}},
                           {"source_language", "cython"},
                           {"source_code", code_},
                           {"metadata", {{"source_id", Id(entry)}, {"batch_id", "floor"}}}};
    ex->body = body.dump();
    ex->headers = curl_slist_append(ex->headers, "Content-Type: application/json");
    ex->headers = curl_slist_append(ex->headers, auth_.c_str());
    ex->headers = curl_slist_append(ex->headers, ("Idempotency-Key: floor:" + Id(entry)).c_str());
    curl_easy_setopt(ex->easy, CURLOPT_NOSIGNAL, 1L);  // as our transport: no sigaction per call
    curl_easy_setopt(ex->easy, CURLOPT_URL, (base_ + "/generate").c_str());
    curl_easy_setopt(ex->easy, CURLOPT_POSTFIELDS, ex->body.c_str());
    curl_easy_setopt(ex->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(ex->body.size()));
    return ex;
  }

  enum class Step { kFetch, kDone, kError };

  // Reads the answer: done, or fetch the result (again).
  Step Advance(Exchange& ex) {
    auto parsed = nlohmann::json::parse(ex.response, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return Step::kError;
    ex.response.clear();
    const auto status = parsed.find("status");
    if (status != parsed.end() && status->is_string()) {
      const std::string s = status->get<std::string>();
      if (s == "completed" || s == "failed") return Step::kDone;
    }
    if (ex.posting) {
      const auto id = parsed.find("request_id");
      if (id == parsed.end() || !id->is_string()) return Step::kError;
      ex.request_id = id->get<std::string>();
      ex.posting = false;
      curl_easy_setopt(ex.easy, CURLOPT_HTTPGET, 1L);
      curl_slist_free_all(ex.headers);
      ex.headers = curl_slist_append(nullptr, auth_.c_str());
      char* escaped = curl_easy_escape(ex.easy, ex.request_id.c_str(), 0);
      curl_easy_setopt(ex.easy, CURLOPT_URL, (base_ + "/results/" + escaped).c_str());
      curl_free(escaped);
    }
    return Step::kFetch;
  }

  void Start(Exchange* ex) {
    curl_easy_setopt(ex->easy, CURLOPT_HTTPHEADER, ex->headers);
    curl_easy_setopt(ex->easy, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(ex->easy, CURLOPT_WRITEDATA, ex);
    curl_easy_setopt(ex->easy, CURLOPT_PRIVATE, ex);
    curl_multi_add_handle(multi_, ex->easy);
    ++requests_;
  }

  static void Finish(Exchange* ex) {
    curl_slist_free_all(ex->headers);
    curl_easy_cleanup(ex->easy);
    delete ex;
  }

  static std::string Id(int entry) { return "e-" + std::to_string(entry); }

  cnake::api::CurlSocketLoop loop_;  // outlives multi_ (cleaned up in ~Floor)
  CURLM* multi_ = nullptr;
  std::string base_, code_, auth_;
  long requests_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: http_floor BASE_URL ENTRIES CONCURRENCY CODE_FILE\n");
    return 2;
  }
  std::ifstream in(argv[4]);
  std::stringstream code;
  code << in.rdbuf();
  const char* key = std::getenv("CNAKE_API_KEY");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int entries = std::atoi(argv[2]);
  const auto start = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  bool ok = false;
  long requests = 0;
  {
    Floor floor(argv[1], code.str(), key ? key : "");
    ok = floor.Run(entries, std::atoi(argv[3]));
    requests = floor.requests();
  }
  const double cpu = CpuSeconds() - cpu0;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_global_cleanup();
  if (!ok) return 1;
  std::printf("entries_per_s: %.0f\nrequests_per_entry: %.2f\ncpu_ms_per_entry: %.4f\n",
              entries / wall, static_cast<double>(requests) / entries, cpu * 1000 / entries);
  return 0;
}

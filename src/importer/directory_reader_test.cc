#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "importer/importer.h"
#include "importer/test_support.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using importer::testing::Collector;
using importer::testing::TempDir;
using importer::testing::WriteFile;
using ::testing::HasSubstr;

constexpr const char* kModule =
    "\"\"\"Adds numbers.\n\nKeywords: math, add\n\"\"\"\ncdef int add(int a, int b):\n    return a "
    "+ b\n";

class DirectoryReaderTest : public ::testing::Test {
 protected:
  Status Read(const ImportOptions& options = {}) {
    return ReadSourceDirectory(dir_.path(), options, sink_.OnRecord(), sink_.OnSkip());
  }
  // The single skip whose origin ends with `suffix`.
  const ImportSkip* SkipFor(std::string_view suffix) const {
    const ImportSkip* found = nullptr;
    for (const ImportSkip& s : sink_.skips) {
      if (s.origin.ends_with(suffix)) {
        EXPECT_EQ(found, nullptr) << "two skips for " << suffix;
        found = &s;
      }
    }
    return found;
  }
  fs::path P(std::string_view rel) const { return dir_.path() / rel; }

  TempDir dir_;
  Collector sink_;
};

TEST_F(DirectoryReaderTest, NestedDirectoriesInDeterministicOrder) {
  // Written in scrambled order; read order must not depend on it.
  for (const char* rel :
       {"z.pyx", "math/vector_ops.pyx", "b/c/deep.pyx", "a.pyx", "math/a.pxd", "math/matrix.pyx",
        "notes.txt", "b/readme.md", ".hidden/x.pyx", ".x.pyx", "a/inner.pyx", "a_b.pyx"}) {
    WriteFile(P(rel), kModule);
  }
  ASSERT_TRUE(Read().ok());
  // Depth-first, names in byte order: directory "a" sorts before "a.pyx".
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"a/inner", "a", "a_b", "b/c/deep", "math/a",
                                                   "math/matrix", "math/vector_ops", "z"}));
  EXPECT_TRUE(sink_.skips.empty()) << sink_.SkipText();
  const ImportRecord& r = sink_.records[6];
  EXPECT_EQ(r.code, kModule);
  EXPECT_EQ(r.description, "Adds numbers.");
  EXPECT_EQ(r.tags, (std::vector<std::string>{"math", "add"}));
  EXPECT_EQ(r.origin, (dir_.path() / "math/vector_ops.pyx").generic_string());
  EXPECT_FALSE(r.metadata.has_value());

  // Same tree, same order, every time.
  Collector again;
  ASSERT_TRUE(ReadSourceDirectory(dir_.path(), {}, again.OnRecord(), again.OnSkip()).ok());
  EXPECT_EQ(again.Ids(), sink_.Ids());
}

TEST_F(DirectoryReaderTest, NamesWithSpacesAndUnicode) {
  WriteFile(P("数学/ヘルパー.pyx"), kModule);
  WriteFile(P("with space.pyx"), kModule);
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"with space", "数学/ヘルパー"}));
  EXPECT_TRUE(sink_.skips.empty()) << sink_.SkipText();
}

TEST_F(DirectoryReaderTest, FileNamesThatAreNotValidIdsAreSkipped) {
  WriteFile(P("tab\there.pyx"), kModule);
  WriteFile(P("latin1_\xE9.pyx"), kModule);
  WriteFile(P("ok.pyx"), kModule);
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"ok"});
  ASSERT_EQ(sink_.skips.size(), 2u);
  for (const ImportSkip& s : sink_.skips) {
    EXPECT_THAT(s.reason, HasSubstr("cannot be used as an id"));
    EXPECT_TRUE(IsValidUtf8(s.origin)) << "origin must be printable";
    EXPECT_EQ(s.origin.find('\t'), std::string::npos);
  }
}

TEST_F(DirectoryReaderTest, PyxWinsOverPxdWithTheSameId) {
  WriteFile(P("geo/point.pxd"), "cdef struct Point:\n    double x\n");
  WriteFile(P("geo/point.pyx"), kModule);
  WriteFile(P("geo/shape.pxd"), "cdef class Shape:\n    pass\n");  // no .pyx: imported
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"geo/point", "geo/shape"}));
  EXPECT_EQ(sink_.records[0].code, kModule);
  ASSERT_EQ(sink_.skips.size(), 1u);
  EXPECT_TRUE(sink_.skips[0].origin.ends_with("geo/point.pxd"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("duplicate id \"geo/point\""));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("geo/point.pyx"));
}

TEST_F(DirectoryReaderTest, PyxWinsEvenWhenItIsItselfSkipped) {
  WriteFile(P("m.pyx"), "");
  WriteFile(P("m.pxd"), kModule);
  ASSERT_TRUE(Read().ok());
  EXPECT_TRUE(sink_.records.empty());
  ASSERT_NE(SkipFor("m.pxd"), nullptr);
  EXPECT_THAT(SkipFor("m.pxd")->reason, HasSubstr("duplicate id"));
  ASSERT_NE(SkipFor("m.pyx"), nullptr);
  EXPECT_THAT(SkipFor("m.pyx")->reason, HasSubstr("empty"));
}

TEST_F(DirectoryReaderTest, ExtensionOrderDecidesTheWinner) {
  WriteFile(P("m.pyx"), "x = 1\n");
  WriteFile(P("m.pxd"), "cdef int x\n");
  ImportOptions options;
  options.extensions = {".pxd", ".pyx"};
  ASSERT_TRUE(Read(options).ok());
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_EQ(sink_.records[0].code, "cdef int x\n");
  ASSERT_NE(SkipFor("m.pyx"), nullptr);
}

TEST_F(DirectoryReaderTest, BadContentIsSkippedWithReasonAndImportContinues) {
  WriteFile(P("bad_utf8.pyx"), "x = 1\n# caf\xE9\n");
  WriteFile(P("nul.pyx"), std::string("x = 1\n\0y", 9));
  WriteFile(P("empty.pyx"), "");
  WriteFile(P("blank.pyx"), " \n\t\r\n  ");
  WriteFile(P("utf16.pyx"), std::string("\xFF\xFEx\0", 4));
  WriteFile(P("good.pyx"), kModule);
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"good"});
  ASSERT_EQ(sink_.skips.size(), 5u) << sink_.SkipText();

  ASSERT_NE(SkipFor("bad_utf8.pyx"), nullptr);
  EXPECT_THAT(SkipFor("bad_utf8.pyx")->reason, HasSubstr("UTF-8"));
  EXPECT_THAT(SkipFor("bad_utf8.pyx")->reason, HasSubstr("byte offset 11"));
  ASSERT_NE(SkipFor("nul.pyx"), nullptr);
  EXPECT_THAT(SkipFor("nul.pyx")->reason, HasSubstr("NUL byte at byte offset 6"));
  ASSERT_NE(SkipFor("empty.pyx"), nullptr);
  EXPECT_THAT(SkipFor("empty.pyx")->reason, HasSubstr("empty"));
  ASSERT_NE(SkipFor("blank.pyx"), nullptr);
  EXPECT_THAT(SkipFor("blank.pyx")->reason, HasSubstr("only whitespace"));
  ASSERT_NE(SkipFor("utf16.pyx"), nullptr);
  EXPECT_THAT(SkipFor("utf16.pyx")->reason, HasSubstr("UTF-16"));
}

TEST_F(DirectoryReaderTest, BomIsStrippedAndOffsetsCountIt) {
  WriteFile(P("bom.pyx"), "\xEF\xBB\xBF\"\"\"With BOM.\"\"\"\r\nx = 1\r\n");
  WriteFile(P("bom_bad.pyx"), "\xEF\xBB\xBFx\xFF");
  WriteFile(P("bom_only.pyx"), "\xEF\xBB\xBF");
  ASSERT_TRUE(Read().ok());
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_EQ(sink_.records[0].code, "\"\"\"With BOM.\"\"\"\r\nx = 1\r\n");  // CRLF kept
  EXPECT_EQ(sink_.records[0].description, "With BOM.");
  ASSERT_NE(SkipFor("bom_bad.pyx"), nullptr);
  EXPECT_THAT(SkipFor("bom_bad.pyx")->reason, HasSubstr("byte offset 4"));
  ASSERT_NE(SkipFor("bom_only.pyx"), nullptr);
  EXPECT_THAT(SkipFor("bom_only.pyx")->reason, HasSubstr("empty"));
}

TEST_F(DirectoryReaderTest, SizeLimit) {
  std::string big = "\"\"\"Big.\"\"\"\n";
  while (big.size() < 5 * 1024 * 1024) big += "x = 1  # padding padding padding padding padding\n";
  WriteFile(P("big.pyx"), big);

  ASSERT_TRUE(Read().ok());  // default 2 MiB
  EXPECT_TRUE(sink_.records.empty());
  ASSERT_EQ(sink_.skips.size(), 1u);
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr(std::to_string(big.size()) + " bytes"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("2097152 bytes"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("--max-file-size"));

  Collector raised;
  ImportOptions options;
  options.max_file_bytes = 8 * 1024 * 1024;
  ASSERT_TRUE(ReadSourceDirectory(dir_.path(), options, raised.OnRecord(), raised.OnSkip()).ok());
  ASSERT_EQ(raised.records.size(), 1u);
  EXPECT_EQ(raised.records[0].code.size(), big.size());
  EXPECT_EQ(raised.records[0].description, "Big.");

  // "No limit" must not overflow.
  Collector unlimited;
  options.max_file_bytes = UINTMAX_MAX;
  ASSERT_TRUE(
      ReadSourceDirectory(dir_.path(), options, unlimited.OnRecord(), unlimited.OnSkip()).ok());
  ASSERT_EQ(unlimited.records.size(), 1u);
  EXPECT_EQ(unlimited.records[0].code, big);

  // Exactly at the limit is allowed.
  Collector exact;
  options.max_file_bytes = big.size();
  ASSERT_TRUE(ReadSourceDirectory(dir_.path(), options, exact.OnRecord(), exact.OnSkip()).ok());
  EXPECT_EQ(exact.records.size(), 1u);
}

TEST_F(DirectoryReaderTest, SymlinkLoopIsReportedOnceAndDoesNotHang) {
  WriteFile(P("pkg/mod.pyx"), kModule);
  fs::create_directory_symlink("..", P("pkg/parent"));  // pkg/parent -> root
  fs::create_directory_symlink(".", P("pkg/self"));     // pkg/self -> pkg
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"pkg/mod"});
  ASSERT_EQ(sink_.skips.size(), 2u) << sink_.SkipText();
  ASSERT_NE(SkipFor("pkg/parent"), nullptr);
  EXPECT_THAT(SkipFor("pkg/parent")->reason, HasSubstr("symlink loop"));
  ASSERT_NE(SkipFor("pkg/self"), nullptr);
  EXPECT_THAT(SkipFor("pkg/self")->reason, HasSubstr("symlink loop"));
}

TEST_F(DirectoryReaderTest, SymlinkedFilesAndDirectoriesAreFollowedOnce) {
  TempDir outside;
  WriteFile(outside.path() / "lib/ext.pyx", kModule);
  WriteFile(outside.path() / "single.pyx", "y = 2\n");
  fs::create_directory_symlink(outside.path() / "lib", P("a_lib"));
  fs::create_directory_symlink(outside.path() / "lib", P("b_lib_again"));
  fs::create_symlink(outside.path() / "single.pyx", P("linked.pyx"));
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"a_lib/ext", "linked"}));
  EXPECT_EQ(sink_.records[1].code, "y = 2\n");
  ASSERT_EQ(sink_.skips.size(), 1u) << sink_.SkipText();
  EXPECT_TRUE(sink_.skips[0].origin.ends_with("b_lib_again"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("already imported"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("a_lib"));
}

TEST_F(DirectoryReaderTest, BrokenAndLoopingFileSymlinks) {
  fs::create_symlink("missing.pyx", P("broken.pyx"));
  fs::create_symlink("loop_b.pyx", P("loop_a.pyx"));
  fs::create_symlink("loop_a.pyx", P("loop_b.pyx"));
  WriteFile(P("ok.pyx"), kModule);
  ASSERT_TRUE(Read().ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"ok"});
  ASSERT_NE(SkipFor("broken.pyx"), nullptr);
  EXPECT_THAT(SkipFor("broken.pyx")->reason, HasSubstr("broken symlink"));
  EXPECT_THAT(SkipFor("broken.pyx")->reason, HasSubstr("missing.pyx"));
  ASSERT_NE(SkipFor("loop_a.pyx"), nullptr);
  EXPECT_THAT(SkipFor("loop_a.pyx")->reason, HasSubstr("symlink loop"));
  EXPECT_THAT(SkipFor("loop_a.pyx")->reason, HasSubstr("Too many levels of symbolic links"));
}

TEST_F(DirectoryReaderTest, FifoIsSkippedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(P("pipe.pyx").c_str(), 0600), 0);
  ASSERT_TRUE(Read().ok());
  ASSERT_EQ(sink_.skips.size(), 1u);
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("not a regular file"));
}

// Runs the reader as an unprivileged user in a child process, because root
// reads files regardless of their mode. Returns the skip reasons, one per
// line, or nullopt when privileges cannot be dropped here.
std::optional<std::string> ReadAsNobody(const fs::path& root) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(3);
    }
    std::string out;
    Collector sink;
    const Status status = ReadSourceDirectory(root, {}, sink.OnRecord(), sink.OnSkip());
    out = "status=" + status.ToString() + "\nrecords=" + std::to_string(sink.records.size()) +
          "\n" + sink.SkipText();
    if (::write(fds[1], out.data(), out.size()) < 0) ::_exit(4);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) return std::nullopt;
  return out;
}

TEST_F(DirectoryReaderTest, UnreadableFileAndDirectoryAreSkippedWithErrnoText) {
  WriteFile(P("secret.pyx"), kModule);
  WriteFile(P("locked/inner.pyx"), kModule);
  WriteFile(P("open.pyx"), kModule);
  fs::permissions(P("secret.pyx"), fs::perms::none);
  fs::permissions(P("locked"), fs::perms::none);
  // The unprivileged child must be able to reach the root.
  fs::permissions(dir_.path(),
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(P("open.pyx"), fs::perms::owner_read | fs::perms::others_read);

  std::optional<std::string> out = ReadAsNobody(dir_.path());
  if (!out) GTEST_SKIP() << "cannot drop root privileges here, and root can read mode-000 files";
  EXPECT_THAT(*out, HasSubstr("status=ok\nrecords=1\n"));
  EXPECT_THAT(*out, HasSubstr("secret.pyx: cannot open the file: Permission denied"));
  EXPECT_THAT(*out, HasSubstr("locked: cannot read directory: Permission denied"));
}

TEST_F(DirectoryReaderTest, RootErrors) {
  Collector sink;
  Status missing = ReadSourceDirectory(P("nope"), {}, sink.OnRecord(), sink.OnSkip());
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("nope"));

  WriteFile(P("file.pyx"), kModule);
  Status not_dir = ReadSourceDirectory(P("file.pyx"), {}, sink.OnRecord(), sink.OnSkip());
  EXPECT_EQ(not_dir.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(not_dir.message(), HasSubstr("not a directory"));
}

TEST_F(DirectoryReaderTest, SinkErrorAbortsImmediately) {
  WriteFile(P("a.pyx"), kModule);
  WriteFile(P("b.pyx"), kModule);
  WriteFile(P("c.pyx"), "");
  int calls = 0;
  Status status = ReadSourceDirectory(
      dir_.path(), {},
      [&](ImportRecord&&) {
        ++calls;
        return Status(StatusCode::kCancelled, "stop");
      },
      [&](ImportSkip&&) {
        ++calls;
        return Status::Ok();
      });
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(), "stop");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace cnake

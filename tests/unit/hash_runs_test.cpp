// The bounded-memory duplicate finder behind a batch job's custom_id check: in memory, and spilled
// to sorted runs on disk and merged, with the duplicate in one run or across two.

#include "messages/batch_job_files.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace {

namespace fs = std::filesystem;
using anthropic::internal::HashRuns;

fs::path spill_path() {
  return fs::temp_directory_path() / ("hash-runs-" + std::to_string(::getpid()) + ".tmp");
}

TEST(HashRuns, FindsNothingAmongDistinctHashesInMemoryOrSpilled) {
  for (std::size_t run : {std::size_t{1} << 20, std::size_t{1000}}) {
    HashRuns runs(spill_path(), run);
    std::mt19937_64 random(7);
    for (int i = 0; i < 10000; ++i) runs.add(random());
    EXPECT_TRUE(runs.clashes().empty()) << "run " << run;
  }
}

TEST(HashRuns, FindsARepeatInOneRunAndAcrossRunsAndRemovesItsFile) {
  for (std::size_t run : {std::size_t{1} << 20, std::size_t{1000}, std::size_t{7}}) {
    SCOPED_TRACE(run);
    {
      HashRuns runs(spill_path(), run);
      std::mt19937_64 random(11);
      for (int i = 0; i < 5000; ++i) {
        runs.add(random());
        if (i == 10) runs.add(42);    // early: its own run when runs are small
        if (i == 4990) runs.add(42);  // late: another run
        if (i == 20) {
          runs.add(99);
          runs.add(99);  // neighbours in one run
        }
      }
      auto found = runs.clashes();
      EXPECT_EQ(found.size(), 2u);
      EXPECT_EQ(found.count(42), 1u);
      EXPECT_EQ(found.count(99), 1u);
      if (run < 5000) {
        EXPECT_TRUE(fs::exists(spill_path()));
      }
    }
    EXPECT_FALSE(fs::exists(spill_path()));
  }
}

}  // namespace

#include "cli/allocator.h"

#ifdef CNAKE_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

namespace cnake::cli {

void TuneAllocator() {
#ifdef CNAKE_HAVE_MIMALLOC
  mi_option_set(mi_option_eager_commit, 0);
  mi_option_enable(mi_option_page_reset);
  mi_option_set(mi_option_decommit_delay, 0);
  mi_option_set(mi_option_segment_decommit_delay, 0);
#endif
}

std::string AllocatorName() {
#ifdef CNAKE_HAVE_MIMALLOC
  const int v = mi_version();  // e.g. 209
  return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
         std::to_string(v % 10);
#else
  return "system malloc";
#endif
}

}  // namespace cnake::cli

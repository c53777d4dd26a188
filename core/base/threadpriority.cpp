#include "base/threadpriority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace Base {

bool lowerCurrentThreadPriority()
{
#if defined(__linux__)
    // On Linux the nice value is per thread (a task), addressed by its thread id.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int current = ::getpriority(PRIO_PROCESS, tid);
    return ::setpriority(PRIO_PROCESS, tid, current + 10) == 0;
#else
    return false;
#endif
}

} // namespace Base

#pragma once

namespace Base {

// Lowers the calling thread's scheduling priority (Linux: its own nice value, +10). Used by the
// threads that make load rather than serve it - the traffic generator, the demo backends, the
// observation hub - so that on a busy laptop the window's event loop and the proxy's workers
// win the CPU. QThread::setPriority() does nothing for normal threads on Linux. Best effort:
// returns false where it cannot (other systems, or a sandbox forbidding it).
bool lowerCurrentThreadPriority();

} // namespace Base

// Fuzz target: bytes from a client into a downstream connection of the proxy, with a fixed
// route table and a loopback backend (see proxyrig.h). One input = one client connection.
#include "proxyrig.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FuzzRig::initQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static auto *rig = new FuzzRig::ProxyRig; // for the life of the process
    rig->backend().setScript(QByteArray(), false);
    const QByteArray received =
        rig->run(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    FuzzRig::trace(received);
    return 0;
}

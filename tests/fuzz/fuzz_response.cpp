// Fuzz target: the response path from an upstream. A fixed, valid client request goes through
// the proxy (see proxyrig.h); the backend answers the primary and the mirror leg with the
// input's bytes and closes. The first input byte picks the request:
//   bit 0: HEAD instead of GET (no body may be read)   bit 1: POST to the api rule (body,
//   rewrite, response header operations)               bit 2: HTTP/1.0 (close-delimited)
//   bit 3: a second request pipelined behind the first
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
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    const QByteArray script(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    QByteArray request;
    const QByteArray version = (flags & 4) ? "HTTP/1.0" : "HTTP/1.1";
    if (flags & 2) {
        request = "POST /api/v1/orders " + version +
                  "\r\nHost: greeter-service\r\ncontent-type: application/json\r\n"
                  "content-length: 13\r\nx-secret: s\r\n\r\n{\"order\": 42}";
    } else {
        request = ((flags & 1) ? "HEAD" : "GET") + QByteArray(" /hello?name=fuzz ") + version +
                  "\r\nHost: greeter-service\r\naccept: */*\r\n\r\n";
    }
    if (flags & 8)
        request += "GET /again HTTP/1.1\r\nHost: greeter-service\r\n\r\n";

    rig->backend().setScript(script, true);
    FuzzRig::trace(rig->run(request));
    return 0;
}

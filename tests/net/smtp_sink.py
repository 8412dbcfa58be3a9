#!/usr/bin/env python3
# A local SMTP sink for tests (python3-aiosmtpd): listens on a free port of
# 127.0.0.1, prints "PORT PID" on its first line, and writes every message it
# accepts to DIR/N.eml (envelope lines, a blank line, the content as
# received, dots unstuffed). Refuses recipients nobody@... with a 550, as a
# relay refuses an unknown user.
import asyncio
import os
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print("MISSING python3-aiosmtpd", flush=True)
    sys.exit(3)


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.directory, "%d.eml" % self.count)
        with open(path + ".tmp", "wb") as out:
            out.write(("MAIL FROM: %s\nRCPT TO: %s\nHELO: %s\n\n" % (
                envelope.mail_from, ",".join(envelope.rcpt_tos), session.host_name)).encode())
            out.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 accepted"


async def main(directory):
    handler = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("%d %d" % (port, os.getpid()), flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

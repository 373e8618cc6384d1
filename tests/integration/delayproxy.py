#!/usr/bin/env python3
"""delayproxy.py — a TCP forwarder that adds a fixed delay to every chunk in
each direction, so a loopback registry behaves like one DELAY_MS away
(round trip + 2 × DELAY_MS). For scripts/bench (tc netem is not available
everywhere); python3 stdlib only.

  delayproxy.py --upstream 127.0.0.1:5000 --port-file F [--delay-ms 10] [--log L]

Each direction is a delay line, not a sleep per chunk: a chunk read at t
is written at t + delay, in order, so a stream's throughput is not cut by
the delay. The chosen port is written to --port-file once listening;
--log gets one line per connection.
"""
import argparse
import asyncio
import collections
import os
import sys


async def pipe(reader, writer, delay):
    """Copy reader to writer, each chunk held back `delay` seconds."""
    loop = asyncio.get_running_loop()
    line = collections.deque()
    ready = asyncio.Event()
    done = False

    async def feed():
        nonlocal done
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                line.append((loop.time() + delay, data))
                ready.set()
        except (ConnectionError, OSError):
            pass
        done = True
        ready.set()

    feeder = asyncio.ensure_future(feed())
    try:
        while True:
            while not line:
                if done:
                    return
                ready.clear()
                await ready.wait()
            due, data = line.popleft()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        feeder.cancel()
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            pass


async def handle(creader, cwriter, upstream, delay, log):
    host, port = upstream
    try:
        ureader, uwriter = await asyncio.open_connection(host, port)
    except OSError as e:
        print("upstream: %s" % e, file=log, flush=True)
        cwriter.close()
        return
    print("connection", file=log, flush=True)
    await asyncio.gather(pipe(creader, uwriter, delay), pipe(ureader, cwriter, delay))
    for w in (uwriter, cwriter):
        try:
            w.close()
        except (ConnectionError, OSError):
            pass


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True, help="HOST:PORT")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=10.0)
    ap.add_argument("--log")
    args = ap.parse_args()
    host, _, port = args.upstream.rpartition(":")
    log = open(args.log, "a") if args.log else sys.stderr
    delay = args.delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, (host, int(port)), delay, log), "127.0.0.1", args.port, backlog=1024
    )
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.sockets[0].getsockname()[1])
    os.replace(args.port_file + ".tmp", args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

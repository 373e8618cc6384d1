"""testserver.py — what faultproxy.py and tokenserver.py share: a threading
HTTP server on 127.0.0.1 that writes its port to --port-file only once it
listens (atomically, so lib.sh polls for the file instead of sleeping), and
creates --log before the first request so a test can count its lines at once.
"""
import http.server
import os


class DeepServer(http.server.ThreadingHTTPServer):
    # socketserver's default backlog is 5: sixteen workers connecting at
    # once on a busy machine would wait for retransmitted handshakes.
    request_queue_size = 128


def serve(handler, opts, deep_backlog=False, **state):
    """Bind 127.0.0.1:opts.port (0: any free port; deep_backlog: a listen
    queue of 128 instead of 5), give the server opts and
    each of state as attributes for the handler, announce the port, serve
    until interrupted. Returns the exit status."""
    cls = DeepServer if deep_backlog else http.server.ThreadingHTTPServer
    server = cls(("127.0.0.1", opts.port), handler)
    server.daemon_threads = True
    server.opts = opts
    for name, value in state.items():
        setattr(server, name, value)
    open(opts.log, "a").close()
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0

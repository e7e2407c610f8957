"""A TCP proxy the fault tests put between a worker and PostgreSQL, so they can cut the database off without
touching the shared server. Run as its own process: `python tests/tcp_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT`.

SIGUSR1 cuts: open connections are reset and new ones refused (nothing listens on the port), as when PostgreSQL
or the network to it goes away. SIGUSR2 restores: the port listens and forwards again.
"""

import signal
import socket
import struct
import sys
import threading

LISTEN_PORT, TARGET_HOST, TARGET_PORT = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
lock = threading.Lock()
open_sockets: set[socket.socket] = set()
server: socket.socket | None = None


def pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with lock:
                open_sockets.discard(sock)
            try:
                sock.close()
            except OSError:
                pass


def serve(listener: socket.socket) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return  # cut
        try:
            upstream = socket.create_connection((TARGET_HOST, TARGET_PORT), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        with lock:
            open_sockets.update((client, upstream))
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()


def listen(*_):
    global server
    if server is not None:
        return
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", LISTEN_PORT))
    server.listen(128)
    threading.Thread(target=serve, args=(server,), daemon=True).start()


def cut(*_):
    global server
    if server is not None:
        try:
            server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        server.close()
        server = None
    with lock:
        doomed = list(open_sockets)
        open_sockets.clear()
    for sock in doomed:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
            sock.shutdown(socket.SHUT_RD)
            sock.close()
        except OSError:
            pass


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, listen)
listen()
print("listening", flush=True)
while True:
    signal.pause()

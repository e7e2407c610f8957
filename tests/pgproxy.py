"""A TCP proxy between the app and PostgreSQL that a test can cut, as a real process on loopback.

    python tests/pgproxy.py TARGET_HOST TARGET_PORT      prints the port it listens on, then one line per change
    SIGUSR1: cut it: stop listening (new connections are refused) and reset every open connection (RST)
    SIGUSR2: listen again on the same port

The shared PostgreSQL is never touched: only the path to it is cut. Used through `tests.realstack.PgProxy`.
"""

import selectors
import signal
import socket
import struct
import sys


def main():
    target = (sys.argv[1], int(sys.argv[2]))
    sel = selectors.DefaultSelector()
    wanted = []
    signal.signal(signal.SIGUSR1, lambda *_: wanted.append("cut"))
    signal.signal(signal.SIGUSR2, lambda *_: wanted.append("restored"))
    peers: dict[socket.socket, socket.socket] = {}
    listener = None
    port = 0

    def listen():
        nonlocal listener, port
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        port = listener.getsockname()[1]
        sel.register(listener, selectors.EVENT_READ, "accept")

    def reset(sock):
        # Linger 0: close sends RST, as a crashed server or a cut cable shows itself to the client.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sel.unregister(sock)
        sock.close()

    def drop(sock):
        peer = peers.pop(sock, None)
        for s in (sock, peer):
            if s is not None:
                peers.pop(s, None)
                sel.unregister(s)
                s.close()

    listen()
    print(port, flush=True)
    while True:
        while wanted:
            change = wanted.pop(0)
            if change == "cut" and listener is not None:
                sel.unregister(listener)
                listener.close()
                listener = None
                for sock in list(peers):
                    reset(sock)
                peers.clear()
            elif change == "restored" and listener is None:
                listen()
            print(change, flush=True)
        for key, _ in sel.select(0.05):
            if key.data == "accept":
                client, _ = listener.accept()
                try:
                    upstream = socket.create_connection(target, timeout=5)
                except OSError:
                    client.close()
                    continue
                peers[client], peers[upstream] = upstream, client
                sel.register(client, selectors.EVENT_READ, "pipe")
                sel.register(upstream, selectors.EVENT_READ, "pipe")
            elif key.fileobj in peers:
                sock = key.fileobj
                try:
                    data = sock.recv(65536)
                    if data:
                        peers[sock].sendall(data)
                        continue
                except OSError:
                    pass
                drop(sock)


if __name__ == "__main__":
    main()

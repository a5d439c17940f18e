# relay.py ADDR PORT UNIXPATH: forwards each TCP connection on ADDR:PORT to
# the unix socket UNIXPATH, both ways, until either side closes (used by
# cases/60-pg-partition.sh: the socket file is reachable from a network
# namespace of its own, TCP to the host is not).
import socket, sys, threading
addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        try: b.shutdown(socket.SHUT_WR)
        except OSError: pass
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(16)
print("listening", flush=True)
while True:
    c, _ = srv.accept()
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(path)
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()

#!/usr/bin/env python3
"""A registry API root behind a Bearer token service, for RegistryClient's tests, on loopback.

Prints its port, then serves until stdin closes. GET /v2/ wants "Bearer T<n>" for a token it
issued and accepted fewer than twice (a cached token looks expired the third time). GET /token
issues T<n> to Basic "vic:pw" only, and 401 otherwise.
"""
import base64
import http.server
import sys
import threading

issued, uses = set(), {}
counter = [0]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"{}", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        authorization = self.headers.get("Authorization", "")
        if self.path.startswith("/token"):
            expected = "Basic " + base64.b64encode(b"vic:pw").decode()
            if authorization != expected:
                return self.reply(401)
            with lock:
                counter[0] += 1
                token = f"T{counter[0]}"
                issued.add(token)
            return self.reply(200, f'{{"token": "{token}"}}'.encode())
        if self.path == "/v2/":
            token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
            with lock:
                good = token in issued and uses.get(token, 0) < 2
                if good:
                    uses[token] = uses.get(token, 0) + 1
            if good:
                return self.reply(200)
            challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="fake"'
            return self.reply(401, headers=[("WWW-Authenticate", challenge)])
        self.reply(404)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()

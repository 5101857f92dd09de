# webhook-receiver.py DIR: a webhook receiver for the tests, on a free
# loopback port (written to DIR/port). Logs every POST as one JSON line
# {"path", "ctype", "auth", "body"} to DIR/log (body parsed as JSON when it
# is), answers 500 while DIR/fail exists, else 200; while DIR/delay exists,
# answers after that many seconds.
import http.server, json, os, sys, time
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(body)
        except ValueError:
            body = body.decode("utf-8", "replace")
        with open(os.path.join(d, "log"), "a") as f:
            f.write(json.dumps({"path": self.path, "ctype": self.headers.get("Content-Type"),
                                "auth": self.headers.get("Authorization"), "body": body},
                               sort_keys=True) + "\n")
        try:
            with open(os.path.join(d, "delay")) as f:
                time.sleep(float(f.read()))
        except (OSError, ValueError):
            pass
        code = 500 if os.path.exists(os.path.join(d, "fail")) else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok\n" if code == 200 else b"receiver failing on purpose\n")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write("%d\n" % s.server_address[1])
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
s.serve_forever()

#!/usr/bin/python3
"""A real SMTP server for the notification tests: Debian's aiosmtpd (python3-aiosmtpd), on loopback.

  smtp-receiver.py --port N --cert C --key K --user U --password-file F --out DIR

Requires STARTTLS before anything else and AUTH (PLAIN/LOGIN) with the given user and password
before MAIL. Each accepted message is written to DIR as N.eml (the raw message) and N.json (the
envelope, the login used and whether the session was encrypted), each renamed into place when
complete. DIR/ready appears once the server accepts connections. Stops on SIGTERM or when stdin
closes (the test's JVM is gone).
"""
import argparse
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    with open(a.password_file, encoding="utf-8") as f:
        password = f.read().strip()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == a.user and auth_data.password.decode() == password)
        return AuthResult(success=ok, auth_data=auth_data)

    counter = {"n": 0}
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                counter["n"] += 1
                n = counter["n"]
            base = os.path.join(a.out, str(n))
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
                "encrypted": session.ssl is not None,
            }
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".json.tmp", "w", encoding="utf-8") as f:
                json.dump(meta, f)
            os.rename(base + ".eml.tmp", base + ".eml")
            os.rename(base + ".json.tmp", base + ".json")
            return "250 Message accepted for delivery"

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=a.port, tls_context=context, require_starttls=True,
        auth_required=True, auth_require_tls=True, authenticator=authenticator)
    controller.start()
    with open(os.path.join(a.out, "ready"), "w") as f:
        f.write(str(os.getpid()))

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def watch_stdin():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A test double of the gateway's control plane over a real iSCSI target (tgt): just enough of
UpdateChapCredentials, DescribeChapCredentials and DeleteChapCredentials (awsJson1_1, no SigV4
verification) for the connection scenarios to run against tgtd. An accepted update rewrites the
initiator's tgt account (and the target's outgoing account, named as the target IQN, for mutual
CHAP), then drops every connection of the target before it answers, as the contract says.

usage: tgt_gateway.py --ctl N --target TID=IQN [--target ...] [--defect keep-connections]
Listens on 127.0.0.1, an ephemeral port; prints "listening PORT" once ready; serves until killed.
"""
import argparse
import json
import subprocess
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ctl", required=True)
    parser.add_argument("--target", action="append", default=[])
    parser.add_argument("--defect", action="append", default=[])
    args = parser.parse_args()
    tids = {}
    for t in args.target:
        tid, iqn = t.split("=", 1)
        tids[iqn] = tid
    state = {}  # target IQN -> {initiator: credentials as DescribeChapCredentials lists them}

    def adm(*words):
        return subprocess.run(["tgtadm", "-C", args.ctl, "--lld", "iscsi", *words],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def drop_connections(tid):
        shown = adm("--op", "show", "--mode", "conn", "--tid", tid).stdout
        sid = None
        for line in shown.splitlines():
            words = line.split()
            if line.startswith("Session:"):
                sid = words[1]
            elif words[:1] == ["Connection:"] and sid is not None:
                adm("--op", "delete", "--mode", "conn", "--tid", tid, "--sid", sid, "--cid", words[1])

    def secret_ok(value):
        return isinstance(value, str) and 12 <= len(value.encode("utf-8")) <= 16

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *unused):  # quiet: requests carry secrets
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def reject(self, code, message):
            self.answer(400, {"__type": "InvalidGatewayRequestException", "message": message,
                              "error": {"errorCode": code}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self.answer(400, {"__type": "SerializationException", "message": "not JSON"})
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            arn = body.get("TargetARN", "") if isinstance(body, dict) else ""
            iqn = arn.split("/target/", 1)[1] if "/target/" in arn else ""
            if iqn not in tids:
                return self.reject("TargetNotFound", "no such target")
            tid, creds = tids[iqn], state.setdefault(iqn, {})
            initiator = body.get("InitiatorName")
            if operation == "DescribeChapCredentials":
                return self.answer(200, {"ChapCredentials": list(creds.values())})
            if operation == "DeleteChapCredentials":
                creds.pop(initiator, None)
                adm("--op", "delete", "--mode", "account", "--user", str(initiator))
                return self.answer(200, {"TargetARN": arn, "InitiatorName": initiator})
            if operation != "UpdateChapCredentials":
                return self.answer(400, {"__type": "UnknownOperationException", "message": operation})
            secret, target_secret = body.get("SecretToAuthenticateInitiator"), body.get("SecretToAuthenticateTarget")
            if not isinstance(initiator, str) or not initiator or not secret_ok(secret) or \
                    (target_secret is not None and not secret_ok(target_secret)):
                return self.reject("InvalidParameters", "invalid parameters")
            adm("--op", "delete", "--mode", "account", "--user", initiator)
            adm("--op", "new", "--mode", "account", "--user", initiator, "--password", secret)
            adm("--op", "bind", "--mode", "account", "--tid", tid, "--user", initiator)
            adm("--op", "delete", "--mode", "account", "--user", iqn)
            if target_secret is not None:
                adm("--op", "new", "--mode", "account", "--user", iqn, "--password", target_secret)
                adm("--op", "bind", "--mode", "account", "--tid", tid, "--user", iqn, "--outgoing")
            entry = {"TargetARN": arn, "SecretToAuthenticateInitiator": secret, "InitiatorName": initiator}
            if target_secret is not None:
                entry["SecretToAuthenticateTarget"] = target_secret
            creds[initiator] = entry
            if "keep-connections" not in args.defect:
                drop_connections(tid)
            return self.answer(200, {"TargetARN": arn, "InitiatorName": initiator})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

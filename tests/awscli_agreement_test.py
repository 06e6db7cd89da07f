#!/usr/bin/python3
"""The AWS CLI and the suite agree about the mock.

Every generated case (chapcheck generate) that the AWS CLI can express is sent twice to one
separately started `chapcheck mock`: by `chapcheck run` (its answers read from the test properties
of --gtest_output=json) and by `aws storagegateway update-chap-credentials --endpoint-url`. For
each case both must agree on success or failure, and, when both got an error from the mock, on its
__type and error.errorCode.

What the CLI can express: a signed (or unsigned: --no-sign-request, or signed with an unknown key
or a wrong secret key) POST with the current X-Amz-Target prefix and content type, whose body is a
JSON object of the operation's members as strings without NUL (a command line cannot carry NUL),
each member at most once. The rest (wrong JSON types, null, unknown members, duplicate keys,
malformed bodies, other prefixes, content types, methods, malformed or expired signatures) is
counted and left out.

The CLI also refuses some cases itself, before sending anything: botocore validates `required`
and the model's `min` lengths (TargetARN 50, secrets 1, InitiatorName 1), never `max` or
`pattern`. Those count as agreeing only when the suite saw the mock reject the same case, and they
are listed as refused by the CLI, not as compared answers.

The CLI is Debian's awscli, run in this process through its own entry point
(awscli.clidriver, which is all /usr/bin/aws does) to save a second of start-up per case; the
answer's __type and errorCode are read from botocore's after-call event. Exit 0 when they agree,
1 when not, 77 (skip) without awscli. SUITE_DEFECT=NAME (e.g. secret-max-17) points the suite at
its built-in mock with that defect instead, to watch this test fail.

usage: awscli_agreement_test.py CHAPCHECK_BINARY
"""
import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MEMBERS = ("TargetARN", "SecretToAuthenticateInitiator", "InitiatorName", "SecretToAuthenticateTarget")
FLAGS = {"TargetARN": "--target-arn", "SecretToAuthenticateInitiator": "--secret-to-authenticate-initiator",
         "InitiatorName": "--initiator-name", "SecretToAuthenticateTarget": "--secret-to-authenticate-target"}
ARN = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume"
OTHER = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:othervolume"
OFFLINE = "arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-0FF11E00/target/iqn.1997-05.com.amazon:offlinevolume"
KEY = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
# What botocore checks before sending: required members (argparse) and the model's min lengths.
CLI_CHECKS = re.compile(r"the following arguments are required|Invalid length for parameter \w+, value")
# How the CLI authenticates each expressible AuthMode: extra arguments and environment.
AUTH = {"signed": ([], {}),
        "none": (["--no-sign-request"], {}),
        "unknown-key": ([], {"AWS_ACCESS_KEY_ID": "AKIACHAPCHECKUNKNOWN"}),
        "wrong-signature": ([], {"AWS_SECRET_ACCESS_KEY": "not-the-secret-key-of-AKIDEXAMPLE"})}


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def why_not_expressible(case):
    """None when the AWS CLI can send this case, else why not."""
    if case["auth"] not in AUTH:
        return "auth " + case["auth"]
    req = case["request"]
    headers = {k.lower(): v for k, v in req.get("headers", [])}
    if req.get("method") != "POST" or req.get("path") != "/" or "bodyBase64" in req:
        return "method, path or a body that is not UTF-8"
    if headers.get("x-amz-target") != "StorageGateway_20130630.UpdateChapCredentials":
        return "X-Amz-Target"
    if headers.get("content-type") != "application/x-amz-json-1.1":
        return "Content-Type"
    try:
        body = json.loads(req.get("body", ""), object_pairs_hook=no_duplicates)
    except ValueError:
        return "body not JSON, or duplicate keys"
    if not isinstance(body, dict):
        return "body not an object"
    if any(k not in MEMBERS for k in body):
        return "unknown member"
    if any(not isinstance(v, str) for v in body.values()):
        return "member not a string (null, number, ...)"
    if any("\0" in v for v in body.values()):
        return "NUL in a value"
    return None


def start_mock(chapcheck, tmp):
    log = open(os.path.join(tmp, "mock.out"), "w")
    mock = subprocess.Popen([chapcheck, "mock", "--listen", "127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        with open(os.path.join(tmp, "mock.out")) as f:
            for line in f:
                if line.startswith("chapcheck mock: listening on "):
                    return mock, line.split()[-1]
        time.sleep(0.05)
    mock.kill()
    sys.exit("FAIL: the mock did not say where it listens")


def suite_answers(chapcheck, url, tmp):
    """case id -> ("accept", "", "") or ("reject", __type, errorCode), as chapcheck run saw them."""
    out = os.path.join(tmp, "gtest.json")
    where = ["--endpoint", url, "--target-arn", ARN, "--other-target-arn", OTHER, "--offline-target-arn", OFFLINE, "--disruptive"]
    if os.environ.get("SUITE_DEFECT"):  # to watch this test fail: the suite against its own, broken mock
        where = ["--defect", os.environ["SUITE_DEFECT"]]
    run = subprocess.run([chapcheck, "run", *where, "--report-dir", os.path.join(tmp, "reports"),
                          "--gtest_output=json:" + out], capture_output=True, text=True, env={**os.environ, **KEY})
    if run.returncode > 1 or not os.path.exists(out):
        sys.exit("FAIL: chapcheck run exited %d\n%s%s" % (run.returncode, run.stdout[-2000:], run.stderr[-2000:]))
    answers = {}
    for suite in json.load(open(out))["testsuites"]:
        for test in suite["testsuite"]:
            if "case_id" not in test or "http_status" not in test:
                continue
            ok = 200 <= int(test["http_status"]) < 300
            answers[test["case_id"]] = ("accept", "", "") if ok else \
                ("reject", test.get("error_type", ""), test.get("error_code", ""))
    return answers


class Cli:
    """The AWS CLI's own entry point, once per case, with the answer caught on botocore's event."""

    def __init__(self, url):
        import awscli.clidriver  # Debian's awscli
        self.clidriver = awscli.clidriver
        self.url = url
        self.drivers = {}  # one per auth mode: a driver keeps the credentials it resolved first
        self.seen = {}

    def driver(self, auth):
        if auth not in self.drivers:
            def after_call(http_response, parsed, **_):
                self.seen["status"] = http_response.status_code
                self.seen["parsed"] = parsed
            d = self.clidriver.create_clidriver()
            d.session.register("after-call.storage-gateway.UpdateChapCredentials", after_call)
            self.drivers[auth] = d
        return self.drivers[auth]

    def send(self, body, auth):
        extra_args, extra_env = AUTH[auth]
        saved = dict(os.environ)
        os.environ.update(extra_env)
        self.seen.clear()
        seen = self.seen
        args = ["storagegateway", "update-chap-credentials", "--endpoint-url", self.url, "--output", "json"]
        args += ["%s=%s" % (FLAGS[m], body[m]) for m in MEMBERS if m in body] + extra_args
        out, err = io.StringIO(), io.StringIO()
        try:
            driver = self.driver(auth)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = driver.main(args)
                except SystemExit as e:  # argparse's way out
                    rc = e.code
        finally:
            os.environ.clear()
            os.environ.update(saved)
        if "status" not in seen:
            return ("refused", "", err.getvalue().strip().splitlines()[-1:] or ["exit %s" % rc]), rc
        if 200 <= seen["status"] < 300:
            return ("accept", "", ""), rc
        parsed = seen["parsed"]
        return ("reject", parsed.get("Error", {}).get("Code", ""), (parsed.get("error") or {}).get("errorCode", "")), rc


def main():
    chapcheck = sys.argv[1]
    try:
        import awscli.clidriver  # noqa: F401
    except ImportError:
        print("SKIP: Debian's awscli is not installed (scripts/bootstrap installs it)")
        return 77
    tmp = tempfile.mkdtemp(prefix="awscli-agreement-")
    os.environ.update({"HOME": tmp, "AWS_CONFIG_FILE": os.path.join(tmp, "none"),
                       "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none"), "AWS_PAGER": "",
                       "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_MAX_ATTEMPTS": "1", **KEY})
    mock, url = start_mock(chapcheck, tmp)
    try:
        gen = subprocess.run([chapcheck, "generate", "--out", os.path.join(tmp, "cases"), "--target-arn", ARN,
                              "--other-target-arn", OTHER, "--offline-target-arn", OFFLINE], capture_output=True, text=True)
        if gen.returncode != 0:
            sys.exit("FAIL: chapcheck generate: " + gen.stderr)
        cases = [json.loads(line) for line in open(os.path.join(tmp, "cases", "cases.jsonl"))]
        suite = suite_answers(chapcheck, url, tmp)
        cli = Cli(url)
        left_out, agreed, refused, disagreements = {}, [], [], []
        for case in cases:
            reason = why_not_expressible(case)
            if reason:
                left_out[reason] = left_out.get(reason, 0) + 1
                continue
            if case["id"] not in suite:
                disagreements.append("%s: the suite has no answer for it" % case["name"])
                continue
            theirs = suite[case["id"]]
            mine, rc = cli.send(json.loads(case["request"]["body"]), case["auth"])
            if mine[0] == "refused":
                # The CLI's own validation (required members, min lengths): agreement means the
                # mock rejected it too.
                why = CLI_CHECKS.search(mine[2][0])
                if theirs[0] == "reject" and why:
                    refused.append(why.group(0).replace(", value", ""))
                else:
                    disagreements.append("%s: the CLI refused it before sending (%s); the suite got %s" %
                                         (case["name"], mine[2][0], "/".join(theirs)))
            elif mine == theirs:
                agreed.append(case["name"])
            else:
                disagreements.append("%s: the CLI got %s (exit %s), the suite got %s" %
                                     (case["name"], "/".join(mine), rc, "/".join(theirs)))
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    accepted = sum(1 for n in agreed if n.endswith(".accepted"))
    print("%d cases: %d answered alike by the mock to the CLI and to the suite (%d of them accepted), "
          "%d refused by the CLI itself and rejected by the mock, %d left out" %
          (len(cases), len(agreed), accepted, len(refused), sum(left_out.values())))
    for why in sorted(set(refused)):
        print("  refused by the CLI (%s): %d" % (why, refused.count(why)))
    for reason, n in sorted(left_out.items()):
        print("  left out (%s): %d" % (reason, n))
    for d in disagreements:
        print("DISAGREE " + d)
    ok = not disagreements and len(agreed) >= 50 and accepted >= 10 and refused
    print("ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

# Sourced by the shell tests that point the AWS CLI at `chapcheck mock` (needs $chapcheck, $tmp).
# need_awscli: sets aws to Debian's AWS CLI, or exits 77 (ctest's skip) when it is not installed.
# start_mock [ARGS...]: starts the mock on an ephemeral port in the background and sets mock_pid
# and url (or prints why not and exits 1); the caller stops it by that PID.
# aws_env: the AWS CLI's environment for the mock: a throwaway HOME, no config or credentials
# files, us-east-1, the mock's example key; and the fixture's target ARN and initiator.
need_awscli() {
  aws=/usr/bin/aws
  if [[ ! -x $aws ]]; then
    echo "SKIP: Debian's awscli is not installed (scripts/bootstrap installs it)"
    exit 77
  fi
}

start_mock() {
  "$chapcheck" mock --listen 127.0.0.1:0 "$@" >"$tmp/mock.out" 2>&1 &
  mock_pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$tmp/mock.out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(sed -n 's/^chapcheck mock: listening on //p' "$tmp/mock.out" | head -1)
  [[ -n $url ]] || { echo "FAIL: the mock did not say where it listens"; cat "$tmp/mock.out"; exit 1; }
}

aws_env() {
  export HOME=$tmp AWS_CONFIG_FILE=$tmp/none AWS_SHARED_CREDENTIALS_FILE=$tmp/none AWS_PAGER="" \
    AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
  arn='arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume'
  iqn='iqn.1991-05.com.microsoft:computername.domain.example.com'
}

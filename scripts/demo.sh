#!/usr/bin/env bash
# `make demo`: the provider end to end on this machine, with no ConductorOne tenant and no Xero
# account. Builds the provider and the loopback emulator (tests/emulator), starts the emulator,
# and runs real Terraform 1.15.5 (from .tools/, installed by `make terraform`) on a copy of
# examples/demo/: apply, show the outputs, plan again (must say "No changes"), destroy.
# Every step says where it stands; the last line is `DEMO PASSED` or `DEMO FAILED: <step>`.
#
# Settings (environment): PROFILE=dev|release (cargo profile, default dev: quicker to build than it
# is slower to run), DEMO_KEEP=1 (keep the working directory), TERRAFORM=<path> (another Terraform).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
profile=${PROFILE:-dev}
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin_dir="$target_dir/$([[ $profile == dev ]] && echo debug || echo "$profile")"
work="$(mktemp -d "${TMPDIR:-/tmp}/c1-demo.XXXXXX")"
emulator_pid=""
current="start"
step_no=0
started=$SECONDS

cleanup() {
    if [[ -n $emulator_pid ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null
        wait "$emulator_pid" 2>/dev/null
    fi
    if [[ -n ${DEMO_KEEP:-} ]]; then
        echo "(kept $work)"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

step() {
    current=$1
    step_no=$((step_no + 1))
    printf '\n==> [%d] %s  (%ds)\n' "$step_no" "$current" $((SECONDS - started))
}

fail() {
    [[ $# -gt 0 ]] && echo "$*" >&2
    echo
    echo "DEMO FAILED: $current"
    exit 1
}

# Runs Terraform in the demo directory with only the settings this demo chose.
tf() {
    env -u TF_CLI_ARGS -u TF_DATA_DIR -u TF_WORKSPACE -u TF_LOG -u TF_LOG_PATH -u TF_REATTACH_PROVIDERS \
        TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0 \
        "$terraform" -chdir="$work/examples/demo" "$@"
}

step "build the provider and the emulator (cargo, profile $profile)"
cargo build --locked --profile "$profile" -p terraform-provider-conductorone -p c1-emulator || fail
provider_bin="$bin_dir/terraform-provider-conductorone"
emulator_bin="$bin_dir/c1-emulator"
[[ -x $provider_bin && -x $emulator_bin ]] || fail "missing $provider_bin or $emulator_bin"

step "install Terraform 1.15.5 into .tools/ (make terraform)"
if [[ -n ${TERRAFORM:-} ]]; then
    terraform=$TERRAFORM
else
    make --no-print-directory terraform || fail
    terraform="$root/.tools/terraform-1.15.5/terraform"
fi
tf_version=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$terraform" version) || fail "cannot run $terraform"
echo "${tf_version%%$'\n'*}"

step "start the emulator (ConductorOne API + Xero identity on 127.0.0.1)"
"$emulator_bin" --seed-xero >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 300); do
    [[ -s $work/emulator.out ]] && break
    kill -0 "$emulator_pid" 2>/dev/null || fail "the emulator exited: $(cat "$work/emulator.log")"
    sleep 0.1
done
[[ -s $work/emulator.out ]] || fail "the emulator printed nothing in 30 s"
# The emulator's first stdout line is one JSON object; turn the fields the demo needs into shell
# variables (quoted, so no value can run as code).
settings=$(head -n1 "$work/emulator.out" | python3 -c '
import json, shlex, sys
info = json.loads(sys.stdin.read())
def pick(name):
    node = info
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        sys.exit(f"emulator output lacks {name}; it has: " + ", ".join(sorted(info)))
    return node
users = pick("user_ids")
values = {
    "C1_URL": pick("conductorone_url"),
    "XERO_URL": pick("xero_identity_url"),
    "C1_CLIENT_ID": pick("client_id"),
    "C1_CLIENT_SECRET": pick("client_secret"),
    "APP_ID": pick("app_id"),
    # One owner is enough to show the attribute; the emulator seeds several users.
    "USER_IDS": json.dumps(users[:1]),
    "XERO_CLIENT_ID": pick("xero_custom_connection.client_id"),
    "XERO_CLIENT_SECRET": pick("xero_custom_connection.client_secret"),
}
for key, value in values.items():
    print(f"{key}={shlex.quote(str(value))}")
') || fail "cannot read the emulator's settings"
eval "$settings"
echo "ConductorOne at $C1_URL, Xero identity at $XERO_URL, app $APP_ID"

# Credentials reach Terraform as variables (the secrets never on a command line).
export TF_VAR_server_url="$C1_URL" TF_VAR_client_id="$C1_CLIENT_ID" TF_VAR_client_secret="$C1_CLIENT_SECRET"
export TF_VAR_xero_identity_url="$XERO_URL" TF_VAR_app_id="$APP_ID" TF_VAR_user_ids="$USER_IDS"
export TF_VAR_xero_client_id="$XERO_CLIENT_ID" TF_VAR_xero_client_secret="$XERO_CLIENT_SECRET"

step "prepare a working copy of examples/demo (dev_overrides → $bin_dir)"
mkdir -p "$work/examples"
cp -R examples/demo examples/modules "$work/examples/" || fail
python3 - "$work/cli.tfrc" "$bin_dir" <<'PY' || fail
import json, sys
path, bin_dir = sys.argv[1], sys.argv[2]
quote = lambda s: json.dumps(s).replace("${", "$${").replace("%{", "%%{")
with open(path, "w") as f:
    f.write("provider_installation {\n  dev_overrides {\n")
    f.write(f"    {quote('registry.terraform.io/conductorone/conductorone')} = {quote(bin_dir)}\n")
    f.write("  }\n  direct {}\n}\n")
PY
tf init -no-color >"$work/init.log" 2>&1 || fail "$(cat "$work/init.log")"
echo "initialised (the module examples/modules/xero_roles is installed)"

step "terraform apply: connect the app to a Xero Custom Connection and wait for the first sync"
tf apply -auto-approve -no-color -compact-warnings || fail

step "terraform output: what the sync brought in"
tf output -no-color || fail
roles=$(tf output -json role_names) || fail
python3 -c 'import json, sys; r = json.loads(sys.argv[1]); sys.exit(0 if r else "no roles were synced")' "$roles" || fail

step "terraform plan again: nothing may change"
tf plan -detailed-exitcode -no-color >"$work/plan.log" 2>&1
code=$?
grep -E 'No changes|Plan:' "$work/plan.log"
[[ $code -eq 0 ]] || fail "$(cat "$work/plan.log")"

step "terraform destroy: remove the integration"
tf destroy -auto-approve -no-color -compact-warnings || fail

current="done"
printf '\n(%ds in all)\nDEMO PASSED\n' $((SECONDS - started))

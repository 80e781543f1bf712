#!/usr/bin/env bash
# scripts/install.sh into a temporary prefix — a dry run, a real install twice, a kept
# configuration, secrets that stay private, uninstall and purge, bad flags — and the unit
# through `systemd-analyze verify`. Never touches anything outside its temporary directory.
#   tests/install/install_test.sh --binary PATH/TO/teleglas
set -euo pipefail

binary=""
while (($#)); do
  case "$1" in
    --binary)
      binary=$2
      shift
      ;;
    *)
      echo "usage: $0 --binary PATH" >&2
      exit 2
      ;;
  esac
  shift
done
[ -x "$binary" ] || {
  echo "install_test: --binary PATH to a built teleglas is required" >&2
  exit 2
}
binary=$(realpath "$binary")
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/teleglas-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/root
output=$work/output
fake_secret=fake-install-test-key-never-printed

fail() {
  echo "FAIL: $*" >&2
  echo "--- last install.sh output:" >&2
  cat "$output" >&2 || true
  exit 1
}
pass() { echo "ok: $*"; }

# install.sh ARGS..., into the temporary prefix; its stdout and stderr in $output.
install_sh() {
  local status=0
  timeout 60 "$repo/scripts/install.sh" --prefix "$prefix" "$@" >"$output" 2>&1 || status=$?
  return "$status"
}
output_has() { grep -qF -- "$1" "$output"; }
mode_of() { stat -c %a "$1"; }
# Every path under the prefix with its type, mode and content hash.
snapshot() {
  [ -e "$prefix" ] || return 0
  (cd "$prefix" && find . -printf '%p %y %m %l\n' | sort && find . -type f -print0 | sort -z |
    xargs -0 -r sha256sum)
}

etc=$prefix/etc/teleglas
secrets=$etc/teleglas.env
config=$etc/teleglas.yaml
unit=$prefix/etc/systemd/system/teleglas.service
installed_binary=$prefix/usr/local/bin/teleglas
state=$prefix/var/lib/teleglas
wants_link=$prefix/etc/systemd/system/multi-user.target.wants/teleglas.service

test_dry_run_changes_nothing() {
  install_sh --binary "$binary" --dry-run --enable || fail "dry run exits 0"
  [ ! -e "$prefix" ] || fail "dry run created $(find "$prefix" | head -3)"
  for path in "$installed_binary" "$config" "$secrets" "$unit" "$state/data" "$wants_link"; do
    output_has "$path" || fail "dry run names $path"
  done
  output_has "nothing was changed" || fail "dry run says nothing was changed"
  pass "dry run prints every action and creates nothing"
}

test_install_puts_everything_in_place() {
  install_sh --binary "$binary" || fail "install exits 0"
  cmp -s "$binary" "$installed_binary" || fail "binary installed"
  [ "$(mode_of "$installed_binary")" = 755 ] || fail "binary mode 755"
  cmp -s "$repo/systemd/teleglas.service" "$unit" || fail "unit installed as shipped"
  [ "$(mode_of "$config")" = 644 ] || fail "config mode 644"
  grep -qx "secrets_file: /etc/teleglas/teleglas.env" "$config" || fail "config names the secrets"
  [ "$(diff "$repo/config/teleglas.yaml" "$config" | grep -c '^[<>]')" = 2 ] ||
    fail "config is the shipped one but for secrets_file"
  cmp -s "$repo/systemd/teleglas.env.example" "$etc/teleglas.env.example" || fail "env example"
  cmp -s "$repo/systemd/teleglas.env.example" "$secrets" || fail "secrets file from the example"
  [ "$(mode_of "$secrets")" = 600 ] || fail "secrets file mode 600"
  [ -d "$state/data" ] || fail "state directory with data/"
  output_has "skipped    user teleglas" || fail "no user created under a prefix, and it says so"
  output_has "systemctl enable --now teleglas" || fail "next steps name the enable command"
  output_has "journalctl -u teleglas -f" || fail "next steps name the log command"
  pass "install puts binary, config, unit, example, secrets and state in place"
}

test_installed_config_passes_check_config_with_its_secrets() {
  local staged=$work/staged.yaml
  sed "s|^secrets_file: .*|secrets_file: $secrets|" "$config" >"$staged"
  "$binary" check-config --config "$staged" >"$output" 2>&1 || fail "installed config is valid"
  chmod 0644 "$secrets"
  if "$binary" check-config --config "$staged" >"$output" 2>&1; then
    fail "check-config fails on an open secrets file"
  fi
  output_has "secrets_file: $secrets is readable by group or others (mode 0644); chmod 600 it" ||
    fail "check-config says why"
  chmod 0600 "$secrets"
  pass "the installed config passes check-config, and fails it while its secrets are open"
}

test_second_run_changes_nothing_and_never_reads_the_secrets() {
  printf 'COINGLASS_API_KEY=%s\n' "$fake_secret" >"$secrets"
  local before
  before=$(snapshot)
  install_sh --binary "$binary" || fail "second install exits 0"
  output_has "Nothing changed" || fail "second run says nothing changed"
  if grep -qE '^  (installed|updated|created|chmod|chown|tightened) ' "$output"; then
    fail "second run changed an item"
  fi
  output_has "unchanged  $installed_binary" || fail "says so per item"
  [ "$before" = "$(snapshot)" ] || fail "files identical after a second run"
  grep -qxF "COINGLASS_API_KEY=$fake_secret" "$secrets" || fail "secrets untouched"
  [ "$(mode_of "$secrets")" = 600 ] || fail "secrets still mode 600"
  ! output_has "$fake_secret" || fail "the secret appeared in the output"
  pass "a second run changes nothing, says so per item, and leaves the secrets alone"
}

test_open_secrets_file_is_tightened_loudly() {
  chmod 0644 "$secrets"
  install_sh --binary "$binary" || fail "install exits 0"
  output_has "WARNING: $secrets is readable" || fail "warns loudly"
  [ "$(mode_of "$secrets")" = 600 ] || fail "tightened to 600"
  grep -qxF "COINGLASS_API_KEY=$fake_secret" "$secrets" || fail "content kept"
  ! output_has "$fake_secret" || fail "the secret appeared in the output"
  pass "an open secrets file is tightened to 600 with a warning, its content kept"
}

test_existing_config_is_kept_and_the_new_one_put_beside_it() {
  echo "# my own change" >>"$config"
  install_sh --binary "$binary" || fail "install exits 0"
  grep -qx "# my own change" "$config" || fail "existing config kept"
  output_has "kept       $config" || fail "says it kept the config"
  grep -qx "secrets_file: /etc/teleglas/teleglas.env" "$config.new" || fail "shipped one as .new"
  install_sh --binary "$binary" || fail "install exits 0"
  output_has "Nothing changed" || fail "a kept config is no change on the next run"
  pass "an existing config is kept; the shipped one goes beside it as teleglas.yaml.new"
}

test_enable_links_the_unit() {
  install_sh --binary "$binary" --enable || fail "install --enable exits 0"
  [ "$(readlink "$wants_link")" = /etc/systemd/system/teleglas.service ] ||
    fail "multi-user.target.wants link"
  pass "--enable links the unit into multi-user.target.wants"
}

test_uninstall_keeps_config_data_and_secrets() {
  local before
  before=$(snapshot)
  install_sh --uninstall --dry-run || fail "uninstall dry run exits 0"
  [ "$before" = "$(snapshot)" ] || fail "uninstall dry run changed nothing"
  install_sh --uninstall || fail "uninstall exits 0"
  for gone in "$installed_binary" "$unit" "$wants_link" "$etc/teleglas.env.example" \
    "$config.new"; do
    if [ -e "$gone" ] || [ -L "$gone" ]; then fail "uninstall removes $gone"; fi
  done
  [ -f "$config" ] || fail "config kept"
  grep -qxF "COINGLASS_API_KEY=$fake_secret" "$secrets" || fail "secrets kept"
  [ -d "$state/data" ] || fail "data kept"
  install_sh --uninstall || fail "second uninstall exits 0"
  output_has "Nothing changed" || fail "second uninstall changes nothing"
  pass "--uninstall removes binary, unit, link and examples, keeps config, data and secrets"
}

test_purge_removes_config_data_and_secrets() {
  install_sh --uninstall --purge || fail "purge exits 0"
  [ ! -e "$etc" ] || fail "purge removes $etc"
  [ ! -e "$state" ] || fail "purge removes $state"
  ! output_has "$fake_secret" || fail "the secret appeared in the output"
  pass "--uninstall --purge removes config, data and secrets"
}

# COMMAND... must exit non-zero and say MESSAGE.
expect_refusal() {  # MESSAGE COMMAND...
  local message=$1
  shift
  if "$@"; then fail "$* exits non-zero"; fi
  output_has "$message" || fail "$* says: $message"
}

test_bad_invocations_fail_clearly() {
  expect_refusal "unknown option '--frobnicate'" install_sh --binary "$binary" --frobnicate
  expect_refusal "no such file" install_sh --binary "$work/no-such-teleglas"
  expect_refusal "--purge goes with --uninstall" install_sh --purge
  [ ! -e "$prefix" ] || fail "a refused run changed nothing"
  timeout 10 "$repo/scripts/install.sh" --help >"$output" 2>&1 || fail "--help exits 0"
  output_has "--prefix DIR" || fail "--help names the options"
  pass "unknown flag, missing binary, --purge alone: non-zero with a message"
}

# The refusal to install into / without root, as an unprivileged user when we are root.
test_installing_into_root_needs_root() {
  local -a as_user=()
  if [ "$(id -u)" -eq 0 ]; then
    if ! command -v setpriv >/dev/null ||
      ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$repo/scripts/install.sh"; then
      echo "skip: installing into / without root (no unprivileged user can run the script here)"
      return
    fi
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
  run_as_user() { timeout 10 "${as_user[@]}" "$repo/scripts/install.sh" "$@" >"$output" 2>&1; }
  expect_refusal "needs root" run_as_user --binary "$binary"
  pass "installing into / without root is refused"
}

test_unit_passes_systemd_analyze_verify() {
  if ! command -v systemd-analyze >/dev/null; then
    echo "skip: systemd-analyze verify (systemd-analyze is not installed)"
    return
  fi
  # verify wants the ExecStart binaries to exist: a copy of the unit runs the built one.
  local copy=$work/verify/teleglas.service
  mkdir -p "$(dirname "$copy")"
  sed "s|/usr/local/bin/teleglas|$binary|g" "$repo/systemd/teleglas.service" >"$copy"
  local status=0
  timeout 60 systemd-analyze verify "$copy" >"$output" 2>&1 || status=$?
  [ "$status" -eq 0 ] || fail "systemd-analyze verify exits 0"
  # Unknown keys and bad values are only warnings, yet each is a mistake in the unit.
  ! grep -F "teleglas.service" "$output" || fail "systemd-analyze verify has no complaint"
  pass "systemd-analyze verify accepts the unit"
}

test_dry_run_changes_nothing
test_install_puts_everything_in_place
test_installed_config_passes_check_config_with_its_secrets
test_second_run_changes_nothing_and_never_reads_the_secrets
test_open_secrets_file_is_tightened_loudly
test_existing_config_is_kept_and_the_new_one_put_beside_it
test_enable_links_the_unit
test_uninstall_keeps_config_data_and_secrets
test_purge_removes_config_data_and_secrets
rm -rf "$prefix"
test_bad_invocations_fail_clearly
test_installing_into_root_needs_root
test_unit_passes_systemd_analyze_verify
echo "install_test: all passed"

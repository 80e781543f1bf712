#!/usr/bin/env bash
# Installs TELEGLAS as a systemd service, or removes it. Safe to run again: each item is
# compared with what is installed and only a difference is changed, line by line on stdout.
# The secrets file is created once from the example and never overwritten or read.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo scripts/install.sh [--prefix DIR] [--binary PATH] [--enable] [--dry-run]
       sudo scripts/install.sh --uninstall [--purge] [--prefix DIR] [--dry-run]

Installs:
  PREFIX/usr/local/bin/teleglas                 the daemon (0755)
  PREFIX/etc/teleglas/teleglas.yaml             configuration (0644); an existing one is kept
                                                and the shipped one put beside it as .yaml.new
  PREFIX/etc/teleglas/teleglas.env              secrets (0600), created from the example once,
                                                never overwritten; tightened to 0600 if open
  PREFIX/etc/teleglas/teleglas.env.example      the secrets template
  PREFIX/etc/systemd/system/teleglas.service    the unit
  PREFIX/var/lib/teleglas, .../data             state (owned by the teleglas user)
and the system user and group teleglas (only when PREFIX is /).

Options:
  --prefix DIR   install under DIR instead of / (a staging root: no user is created, no
                 owner changed, systemd not touched)
  --binary PATH  install this built teleglas instead of building a release binary
  --enable       also `systemctl enable teleglas` (with a PREFIX: the wants/ symlink)
  --dry-run      print every action, change nothing
  --uninstall    remove binary, unit, unit symlinks and the example files; keep the
                 configuration, the data and the secrets
  --purge        with --uninstall: remove the configuration, the data and the secrets too
  -h, --help     this text
EOF
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=/
binary=""
dry_run=0
uninstall=0
purge=0
enable=0
while (($#)); do
  case "$1" in
    --prefix)
      (($# >= 2)) || die "--prefix needs a directory"
      prefix=$2
      shift
      ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --binary)
      (($# >= 2)) || die "--binary needs a path"
      binary=$2
      shift
      ;;
    --binary=*) binary=${1#--binary=} ;;
    --dry-run) dry_run=1 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --enable) enable=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "install.sh: unknown option '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done
((purge == 0 || uninstall == 1)) || die "--purge goes with --uninstall"
((enable == 0 || uninstall == 0)) || die "--enable does not go with --uninstall"
[ -n "$prefix" ] || die "--prefix needs a directory"

prefix=$(realpath -m -- "$prefix")
live=0  # installing into the running system, not a staging root
if [ "$prefix" = / ]; then live=1; fi
root=${prefix%/}  # "" for /
if ((live && !dry_run)) && [ "$(id -u)" -ne 0 ]; then
  die "installing into / needs root: sudo scripts/install.sh (or --dry-run, or --prefix DIR)"
fi
systemd_running=0
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then systemd_running=1; fi

# Where things go, as the running system sees them, and under the prefix.
user=teleglas
bin_path=/usr/local/bin/teleglas
etc_dir=/etc/teleglas
config_path=$etc_dir/teleglas.yaml
secrets_path=$etc_dir/teleglas.env
example_path=$etc_dir/teleglas.env.example
unit_dir=/etc/systemd/system
unit_path=$unit_dir/teleglas.service
wants_link=$unit_dir/multi-user.target.wants/teleglas.service
state_dir=/var/lib/teleglas

changes=0
rendered=""  # the configuration as installed, a temporary file
report() {  # STATUS PATH [DETAIL]
  printf '  %-10s %s%s\n' "$1" "$2" "${3:+  ($3)}"
}

verb_of() {  # installed -> install, as a dry run says it
  case "$1" in
    created | removed | updated | enabled) echo "${1%d}" ;;
    stopped) echo stop ;;
    *ed) echo "${1%ed}" ;;
    *) echo "$1" ;;
  esac
}

# Runs a change and reports it, or in a dry run prints what it would run. Either way it
# counts as one.
change() {  # STATUS PATH DETAIL -- COMMAND...
  local status=$1 path=$2 detail=$3
  shift 4
  changes=$((changes + 1))
  if ((dry_run)); then
    local command="$*"
    if [ "$1" = replace_file ]; then
      local source=$2
      [ "$source" = "$rendered" ] && source="config/teleglas.yaml with secrets_file: $secrets_path"
      command="install -m $4 $source $3"
    fi
    report would "$(verb_of "$status") $path" "${detail:+$detail; }$command"
  else
    "$@"
    report "$status" "$path" "$detail"
  fi
}

# Writes SOURCE to TARGET with MODE by a rename, so a running binary is replaced, not truncated.
replace_file() {  # SOURCE TARGET MODE
  local staged
  staged="$(dirname "$2")/.teleglas-install.$$"
  install -D -m "$3" -T "$1" "$staged"
  mv -f -T "$staged" "$2"
}

mode_of() { stat -c %a "$1"; }

# TARGET gets SOURCE's content and MODE; left alone when it already has both.
put_file() {  # SOURCE TARGET MODE
  local source=$1 target=$root$2 mode=$3
  if [ -f "$target" ] && cmp -s "$source" "$target"; then
    if [ "$(mode_of "$target")" = "${mode#0}" ]; then
      report unchanged "$target"
    else
      change chmod "$target" "mode $mode" -- chmod "$mode" "$target"
    fi
  elif [ -e "$target" ]; then
    change updated "$target" "" -- replace_file "$source" "$target" "$mode"
  else
    change installed "$target" "" -- replace_file "$source" "$target" "$mode"
  fi
}

ensure_dir() {  # PATH MODE OWNED_BY_SERVICE(0|1)
  local target=$root$1 mode=$2 owned=$3
  if [ ! -d "$target" ]; then
    change created "$target" "mode $mode" -- install -d -m "$mode" "$target"
  elif [ "$(mode_of "$target")" != "${mode#0}" ]; then
    change chmod "$target" "mode $mode" -- chmod "$mode" "$target"
  else
    report unchanged "$target"
  fi
  if ((owned && live)) && { [ ! -d "$target" ] || [ "$(stat -c %U:%G "$target")" != "$user:$user" ]; }; then
    change chown "$target" "$user:$user" -- chown "$user:$user" "$target"
  fi
}

ensure_user() {
  if ((!live)); then
    report skipped "user $user" "PREFIX is not /: would run useradd --system --user-group\
 --home-dir $state_dir --no-create-home --shell /usr/sbin/nologin $user"
  elif getent passwd "$user" >/dev/null; then
    report unchanged "user $user"
  else
    local group_option=(--user-group)
    if getent group "$user" >/dev/null; then group_option=(--gid "$user"); fi
    change created "user $user" "system user, no login" -- useradd --system "${group_option[@]}" \
      --home-dir "$state_dir" --no-create-home --shell /usr/sbin/nologin "$user"
  fi
}

# Created once from the example; afterwards only its mode is ever touched.
ensure_secrets() {
  local target=$root$secrets_path
  if [ ! -e "$target" ]; then
    local owner=()
    if ((live)); then owner=(-o "$user" -g "$user"); fi
    change created "$target" "from the example, mode 600: put your keys in it" -- \
      install -m 0600 "${owner[@]}" -T "$repo/systemd/teleglas.env.example" "$target"
    return
  fi
  local mode
  mode=$(mode_of "$target")
  if (((8#$mode & 8#077) != 0)); then
    echo "install.sh: WARNING: $target is readable or writable by group or others" \
      "(mode $mode): anyone on this machine could take your API keys" >&2
    change tightened "$target" "mode $mode -> 600" -- chmod 0600 "$target"
  else
    report kept "$target" "mode $mode, content not read"
  fi
}

# The shipped configuration with secrets_file pointing at the installed secrets.
render_config() {
  sed "s|^secrets_file: \"\"$|secrets_file: $secrets_path|" "$repo/config/teleglas.yaml"
}

install_config() {
  local target=$root$config_path rendered=$1
  if [ ! -e "$target" ]; then
    put_file "$rendered" "$config_path" 0644
  elif cmp -s "$rendered" "$target"; then
    report unchanged "$target"
  else
    report kept "$target" "yours, not overwritten; the shipped one is beside it as .new"
    put_file "$rendered" "$config_path.new" 0644
  fi
}

unit_enabled_links() {
  [ -d "$root$unit_dir" ] || return 0
  find "$root$unit_dir" -mindepth 2 -maxdepth 2 -type l -name teleglas.service
}

ensure_enabled() {
  if ((live)) && command -v systemctl >/dev/null; then
    if systemctl is-enabled --quiet teleglas 2>/dev/null; then
      report unchanged "$wants_link" "enabled"
    else
      change enabled teleglas.service "" -- systemctl enable teleglas
    fi
  elif [ -L "$root$wants_link" ]; then
    report unchanged "$root$wants_link"
  else
    change enabled "$root$wants_link" "" -- ln -s "$unit_path" "$root$wants_link"
  fi
}

build_binary() {
  local build_dir=$repo/build-release
  if ((dry_run)); then
    report would "build $build_dir/teleglas" \
      "scripts/setup.sh; cmake Release -DTELEGLAS_TESTS=OFF -DTELEGLAS_BENCH=OFF"
    binary=$build_dir/teleglas
    return
  fi
  echo "install.sh: building the release binary in $build_dir"
  "$repo/scripts/setup.sh"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTELEGLAS_TESTS=OFF \
    -DTELEGLAS_BENCH=OFF >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target teleglas
  binary=$build_dir/teleglas
}

do_install() {
  if [ -n "$binary" ]; then
    [ -f "$binary" ] || die "--binary $binary: no such file"
    [ -x "$binary" ] || die "--binary $binary: not executable"
  else
    build_binary  # before anything changes, so a failed build leaves the system as it was
  fi
  rendered=$(mktemp)
  trap 'rm -f "$rendered"' EXIT
  render_config >"$rendered"

  echo "Installing TELEGLAS into $prefix$( ((dry_run)) && echo ' (dry run: nothing changes)')"
  ensure_user
  if ((dry_run)) && [ ! -f "$binary" ]; then
    change installed "$root$bin_path" "" -- replace_file "$binary" "$root$bin_path" 0755
  else
    put_file "$binary" "$bin_path" 0755
  fi
  ensure_dir "$etc_dir" 0755 0
  install_config "$rendered"
  put_file "$repo/systemd/teleglas.env.example" "$example_path" 0644
  ensure_secrets
  ensure_dir "$state_dir" 0750 1
  ensure_dir "$state_dir/data" 0750 1
  local changes_before_unit=$changes
  put_file "$repo/systemd/teleglas.service" "$unit_path" 0644
  if ((enable)); then
    ensure_dir "$(dirname "$wants_link")" 0755 0
    ensure_enabled
  fi
  if ((changes > changes_before_unit)); then
    if ((live && systemd_running)); then
      change reloaded systemd "" -- systemctl daemon-reload
    else
      report skipped "systemctl daemon-reload" \
        "$( ((live)) && echo "systemd is not running" || echo "PREFIX is not /")"
    fi
  fi

  echo
  if ((changes == 0)); then
    echo "Nothing changed: TELEGLAS is installed as above."
  elif ((dry_run)); then
    echo "Dry run: $changes change(s) above would be made; nothing was changed."
  else
    echo "Done: $changes change(s)."
  fi
  if ((live)) && ((!dry_run)) && ((systemd_running)) &&
    systemctl is-active --quiet teleglas 2>/dev/null && ((changes > 0)); then
    echo "teleglas is running: sudo systemctl restart teleglas to run what was installed."
  fi
  cat <<EOF

Next steps:
  1. Put your keys in the secrets file (it stays mode 600):  sudoedit $secrets_path
  2. Review the configuration:  sudoedit $config_path
     and check it:  sudo -u $user $bin_path check-config --config $config_path
  3. Start it now and at every boot:  sudo systemctl enable --now teleglas
  4. Follow its log:  journalctl -u teleglas -f
EOF
}

remove_path() {  # PATH (under the prefix)
  if [ -e "$1" ] || [ -L "$1" ]; then
    change removed "$1" "" -- rm -rf -- "$1"
  else
    report absent "$1"
  fi
}

do_uninstall() {
  echo "Removing TELEGLAS from $prefix$( ((dry_run)) && echo ' (dry run: nothing changes)')"
  if ((live && systemd_running)) && { systemctl is-enabled --quiet teleglas 2>/dev/null ||
    systemctl is-active --quiet teleglas 2>/dev/null; }; then
    change stopped teleglas.service "disabled" -- systemctl disable --now teleglas
  fi
  local link
  while IFS= read -r link; do
    remove_path "$link"
  done < <(unit_enabled_links)
  local unit_changes_before=$changes
  remove_path "$root$unit_path"
  if ((changes > unit_changes_before && live && systemd_running)); then
    change reloaded systemd "" -- systemctl daemon-reload
  fi
  remove_path "$root$bin_path"
  remove_path "$root$example_path"
  remove_path "$root$config_path.new"
  if ((purge)); then
    remove_path "$root$etc_dir"
    remove_path "$root$state_dir"
    if ((live)) && getent passwd "$user" >/dev/null; then
      report kept "user $user" "userdel $user removes it"
    fi
  else
    local kept
    for kept in "$root$config_path" "$root$secrets_path" "$root$state_dir"; do
      if [ -e "$kept" ]; then report kept "$kept" "--purge removes it"; fi
    done
  fi
  echo
  if ((changes == 0)); then
    echo "Nothing changed: TELEGLAS is not installed."
  elif ((dry_run)); then
    echo "Dry run: $changes change(s) above would be made; nothing was changed."
  else
    echo "Done: $changes change(s)."
  fi
}

if ((uninstall)); then
  do_uninstall
else
  do_install
fi

# shellcheck shell=bash
# Installing what the tests need without disturbing the machine they run on; sourced by bin/test
# and bin/test-daemon.
#   - package installs never start services: Debian's maintainer scripts ask /usr/sbin/policy-rc.d
#     first (invoke-rc.d and deb-systemd-invoke both do), so while installing there is one that
#     answers 101 ("not now"); we create it only when none exists and remove only the one we made
#   - an installed Docker engine is never replaced: docker.io is installed only when no dockerd exists
#   - promtool is taken out of Debian's prometheus package, which is not installed (it would add a
#     server, its user and its service); busybox-static is extracted the same way when the
#     dynamic busybox package is installed (installing busybox-static would remove it)
# The extracted tools live in $DC_TOOL_CACHE (default /var/cache/docker-cleaner-test).

DC_TOOL_CACHE=${DC_TOOL_CACHE:-/var/cache/docker-cleaner-test}
DC_POLICY_RC=${DC_POLICY_RC:-/usr/sbin/policy-rc.d}
DC_POLICY_MARK='# docker-cleaner test: no service starts while installing (removed afterwards)'

pkg_log() { printf '[%s] %s\n' "${PKG_LOG_TAG:-packages}" "$*" >&2; }
pkg_die() { printf '[%s] ERROR: %s\n' "${PKG_LOG_TAG:-packages}" "$*" >&2; exit 2; }

# Removes the policy-rc.d only if it is the one we wrote.
dc_release_service_guard() {
  if [ -f "$DC_POLICY_RC" ] && grep -qxF "$DC_POLICY_MARK" "$DC_POLICY_RC" 2>/dev/null; then
    rm -f "$DC_POLICY_RC"
  fi
}

# Makes sure package scripts cannot start services; refuses when an existing policy would allow it.
dc_guard_services() {
  if [ -e "$DC_POLICY_RC" ]; then
    local rc=0
    "$DC_POLICY_RC" docker-cleaner-probe start >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 101 ] || pkg_die "$DC_POLICY_RC exists and allows services to start (exit $rc for 'start');" \
      "installing $* could start services. Install them yourself and rerun."
    return 0
  fi
  printf '#!/bin/sh\n%s\nexit 101\n' "$DC_POLICY_MARK" >"$DC_POLICY_RC"
  chmod 755 "$DC_POLICY_RC"
}

# apt-get install without recommends and without starting any service.
dc_apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  (
    # a subshell: its traps remove our policy-rc.d whatever happens to the install
    trap dc_release_service_guard EXIT
    trap 'exit 130' INT TERM
    dc_guard_services "$@"
    if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    fi
  ) || pkg_die "apt-get install $* failed"
}

# Unpacks one Debian package into $DC_TOOL_CACHE/NAME without installing it; prints that folder.
dc_extract_package() {
  local pkg=$1 dest="$DC_TOOL_CACHE/$1" tmp deb
  if [ ! -f "$dest/.extracted" ]; then
    tmp=$(mktemp -d)
    # apt's download sandbox user must be able to write here
    chmod 755 "$tmp"
    if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
      apt-get update -qq >/dev/null 2>&1 || true
      (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null) || { rm -rf "$tmp"; pkg_die "apt-get download $pkg failed"; }
    fi
    deb=$(ls "$tmp"/*.deb)
    rm -rf "$dest" && mkdir -p "$dest"
    dpkg-deb -x "$deb" "$dest" || { rm -rf "$tmp"; pkg_die "dpkg-deb -x $deb failed"; }
    rm -rf "$tmp"
    touch "$dest/.extracted"
  fi
  echo "$dest"
}

# The dockerd to run: an installed engine wins (Debian's, Docker's own packages, or one on PATH).
dc_find_dockerd() {
  local c
  # DC_DOCKERD_PATHS: where to look first (a test hook; the default covers Debian's and Docker's packages)
  for c in ${DC_DOCKERD_PATHS:-/usr/sbin/dockerd /usr/bin/dockerd} "$(command -v dockerd 2>/dev/null || true)"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

# Installs docker.io only when no Docker engine exists; prints the dockerd to use.
dc_ensure_dockerd() {
  if ! dc_find_dockerd >/dev/null; then
    pkg_log "installing docker.io (no dockerd found)"
    dc_apt_install docker.io
  fi
  dc_find_dockerd || pkg_die "no dockerd after installing docker.io"
}

dc_is_static() { ! ldd "$1" >/dev/null 2>&1; }

# A statically linked busybox for the test image (it runs in an empty image); prints its path.
dc_ensure_static_busybox() {
  if [ -x /bin/busybox ] && dc_is_static /bin/busybox && /bin/busybox --list 2>/dev/null | grep -qx dd; then
    echo /bin/busybox
  elif dpkg -s busybox >/dev/null 2>&1; then
    # busybox-static conflicts with the installed busybox package: unpack it instead
    local dir
    dir=$(dc_extract_package busybox-static) || return 2
    echo "$dir/bin/busybox"
  else
    pkg_log "installing busybox-static"
    dc_apt_install busybox-static
    echo /bin/busybox
  fi
}

# promtool (for the metrics and alert-rule tests) without the Prometheus server; prints its folder.
dc_ensure_promtool() {
  local p
  p=$(command -v promtool 2>/dev/null || true)
  if [ -n "$p" ]; then
    dirname "$p"
  else
    pkg_log "unpacking promtool from Debian's prometheus package (the server is not installed)"
    local dir
    dir=$(dc_extract_package prometheus) || return 2
    echo "$dir/usr/bin"
  fi
}

# The browser test's npm packages (UI_E2E_PACKAGES), installed once into $DC_TOOL_CACHE/ui-e2e
# with the machine's own npm (never a browser download: Debian's chromium is the browser);
# prints the node_modules folder.
UI_E2E_PACKAGES=(playwright-core@1.65.1 axe-core@4.14.1)
dc_ensure_ui_e2e_modules() {
  local dir="$DC_TOOL_CACHE/ui-e2e"
  local stamp="$dir/.installed-${UI_E2E_PACKAGES[*]// /_}"
  if [ ! -f "$stamp" ]; then
    mkdir -p "$dir"
    # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core downloads nothing, but say it anyway
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$dir" --no-audit --no-fund --silent \
      "${UI_E2E_PACKAGES[@]}" >&2 || pkg_die "npm install ${UI_E2E_PACKAGES[*]} failed"
    rm -f "$dir"/.installed-*
    touch "$stamp"
  fi
  printf '%s\n' "$dir/node_modules"
}

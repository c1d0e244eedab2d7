#!/usr/bin/env bash
# docker-cleaner's container entrypoint: give the unprivileged user access to the Docker socket,
# prove that the daemon answers, then exec the program as that user.
#
#   1. DOCKER_SOCKET (default /var/run/docker.sock; the path of DOCKER_HOST=unix://...) must be a
#      socket, else exit 2 with the hint -v /var/run/docker.sock:/var/run/docker.sock
#   2. detect the socket's GID
#   3. reuse a group that already has that GID, or create `docker` with it
#   4. add CLEANUP_USER (default cleanup-user) to that group
#   5. verify the membership (in /etc/group, and in the groups the user really gets)
#   6. verify the daemon answers, as that user, with the program's own `check` command
#      (the image has no docker CLI)
#   7. exec the program as that user (gosu), passing all arguments
# Every failure prints one line `[2025-10-23T16:00:01Z] [ERROR] [INIT] what failed; what to do`
# on stderr and exits 2. Progress lines use the same format with [INFO] (hidden by QUIET=true or
# LOG_LEVEL=WARN/ERROR), [WARN] for the fallbacks below.
#
# Special cases:
#   - started as non-root (docker run --user UID[:GID]): the group steps are skipped (only root can
#     do them); when that user cannot use the socket the error says to add --group-add <socket gid>.
#   - read-only root filesystem (docker run --read-only): /etc/group cannot change, so the process
#     joins the socket's GID by number (setpriv --groups, or gosu USER:GID) without editing files.
#   - socket owned by GID 0: the user joins group 0 (root's group) with a warning; prefer a host
#     socket group such as `docker`.
#   - DOCKER_HOST=tcp://... (or ssh://...): there is no socket; steps 1-5 are skipped.
#   - `version`, `help`, `--help`, `-h`, `--version` run without the socket and daemon checks.
#
# Test hooks (for sandbox tests on a host; not for production):
#   ENTRYPOINT_ROOT     prefix for /etc/group and /etc/passwd (groupadd/usermod --prefix); the
#                       user is then switched by number with setpriv, since gosu reads /etc only.
#   DOCKER_CLEANER_CMD  the program command (default /usr/local/bin/docker-cleaner), split on spaces.
set -uo pipefail # no -e: every failing step is checked and reported with its own message

readonly DEFAULT_PROGRAM=/usr/local/bin/docker-cleaner
readonly MOUNT_HINT='-v /var/run/docker.sock:/var/run/docker.sock'

ROOT=${ENTRYPOINT_ROOT:-}
GROUP_FILE="$ROOT/etc/group"
PASSWD_FILE="$ROOT/etc/passwd"
CLEANUP_USER=${CLEANUP_USER:-cleanup-user}
read -r -a PROGRAM <<<"${DOCKER_CLEANER_CMD:-$DEFAULT_PROGRAM}"

# LOG_FORMAT=json: the program's JSON line shape (timestamp with milliseconds, level, operation,
# message, hostname), so every line of the container's log parses the same way
json_string() { # $1 → a JSON string literal
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  # other control characters do not occur in our messages; drop them rather than break the line
  s=$(printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037')
  printf '"%s"' "$s"
}
log() {
  local format=${LOG_FORMAT:-text}
  if [ "${format,,}" = json ]; then
    printf '{"timestamp":"%s","level":"%s","operation":"INIT","message":%s,"hostname":%s}\n' \
      "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$1" "$(json_string "$2")" \
      "$(json_string "${HOSTNAME:-$(cat /proc/sys/kernel/hostname 2>/dev/null || echo unknown)}")" >&2
  else
    printf '[%s] [%s] [INIT] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" >&2
  fi
}
info() {
  local level=${LOG_LEVEL:-INFO}
  [ "${QUIET:-false}" = true ] && return 0
  case "${level^^}" in WARN | WARNING | ERROR) return 0 ;; esac
  log INFO "$*"
}
warn() { log WARN "$*"; }
fail() {
  log ERROR "$*"
  exit 2
}

# ---- which daemon ------------------------------------------------------------------------------
SOCKET=""
case "${DOCKER_HOST:-}" in
  "")
    SOCKET=${DOCKER_SOCKET:-/var/run/docker.sock}
    # the program connects to DOCKER_HOST: make it the socket these steps prepared
    export DOCKER_HOST="unix://$SOCKET"
    ;;
  unix://*)
    SOCKET=${DOCKER_HOST#unix://}
    if [ -n "${DOCKER_SOCKET:-}" ] && [ "$DOCKER_SOCKET" != "$SOCKET" ]; then
      warn "DOCKER_SOCKET=$DOCKER_SOCKET differs from DOCKER_HOST=$DOCKER_HOST; using $SOCKET (the program connects to DOCKER_HOST)"
    fi
    ;;
  *)
    info "DOCKER_HOST=$DOCKER_HOST is not a unix socket: socket and group steps skipped"
    ;;
esac

[ ${#PROGRAM[@]} -gt 0 ] || fail "DOCKER_CLEANER_CMD is empty; unset it to run $DEFAULT_PROGRAM"

# ---- user database helpers (read the prefixed files, so sandbox tests see their own) ------------
passwd_field() { # $1 user, $2 field number
  awk -F: -v u="$1" -v f="$2" '$1 == u { print $f; exit }' "$PASSWD_FILE" 2>/dev/null
}
group_name_of_gid() {
  awk -F: -v g="$1" '$3 == g { print $1; exit }' "$GROUP_FILE" 2>/dev/null
}
gid_of_group_name() {
  awk -F: -v n="$1" '$1 == n { print $3; exit }' "$GROUP_FILE" 2>/dev/null
}
user_groups_from_files() { # $1 user, $2 primary gid → comma-separated gids (primary first)
  awk -F: -v u="$1" -v p="$2" '
    BEGIN { out = p }
    { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u && $3 != p) out = out "," $3 }
    END { print out }' "$GROUP_FILE" 2>/dev/null
}
is_member_in_files() { # $1 user, $2 gid, $3 primary gid of the user
  [ "$2" = "$3" ] && return 0
  awk -F: -v u="$1" -v g="$2" '
    $3 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 }
    END { exit found ? 0 : 1 }' "$GROUP_FILE" 2>/dev/null
}
contains_gid() { # $1 space- or comma-separated gids, $2 gid
  case " ${1//,/ } " in *" $2 "*) return 0 ;; esac
  return 1
}

# ---- step 1: the socket -------------------------------------------------------------------------
check_socket() {
  if [ -S "$SOCKET" ]; then return 0; fi
  if [ -d "$SOCKET" ]; then
    fail "Docker socket $SOCKET is a directory, not a socket: the host path did not exist when the container was created, so Docker made an empty directory. Mount the daemon's socket: $MOUNT_HINT"
  elif [ -e "$SOCKET" ]; then
    fail "Docker socket $SOCKET exists but is not a socket. Mount the daemon's socket: $MOUNT_HINT"
  fi
  fail "Docker socket $SOCKET not found. Mount it: $MOUNT_HINT (or set DOCKER_HOST=tcp://HOST:2376 for a remote daemon)"
}

last_message() { # $1 = output of `check` → its last line; of a JSON line (LOG_FORMAT=json) the message
  local line
  line=$(printf '%s\n' "$1" | grep -v '^[[:space:]]*$' | tail -1)
  case "$line" in
    '{'*'"message":"'*) printf '%s' "$line" | sed -n 's/.*"message":"\(\([^"\\]\|\\.\)*\)".*/\1/p' ;;
    *) printf '%s' "$line" ;;
  esac
}

# ---- step 6: the daemon answers, as the user that will run the program ----------------------------
verify_daemon() { # "$@" = command prefix that runs as the user (may be empty)
  local out rc
  out=$("$@" "${PROGRAM[@]}" check 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then
    local last
    last=$(last_message "$out")
    local hint="Check that the daemon is running and that DOCKER_HOST points to it"
    case "$out" in
      *ermission*denied*) hint="The socket refused the user: with SELinux add --security-opt label=disable, or check the socket's mode and group" ;;
    esac
    fail "the Docker daemon at $DOCKER_HOST did not answer to $RUN_AS_DESC (check exited $rc: ${last:-no output}). $hint"
  fi
  local said
  said=$(last_message "$out")
  info "daemon answers at $DOCKER_HOST${said:+ ($said)}"
}

# ---- the command prefix that switches to the user ------------------------------------------------
# Sets RUN_AS (array) and RUN_AS_DESC. $1 = "files" (user's groups come from /etc/group) or a gid
# to join by number without editing files.
make_run_as() {
  local how=$1 uid pgid home groups
  uid=$(passwd_field "$CLEANUP_USER" 3)
  pgid=$(passwd_field "$CLEANUP_USER" 4)
  home=$(passwd_field "$CLEANUP_USER" 6)
  [ -n "$uid" ] && [ -n "$pgid" ] || fail "user $CLEANUP_USER not found in $PASSWD_FILE; set CLEANUP_USER to an existing user (the image has cleanup-user, UID 1000)"
  export HOME=${home:-/}
  groups=$(user_groups_from_files "$CLEANUP_USER" "$pgid")
  if [ "$how" != files ]; then
    contains_gid "$groups" "$how" || groups="$groups,$how"
  fi
  RUN_AS_DESC="$CLEANUP_USER (UID $uid, groups $groups)"
  if [ "$how" = files ] && [ -z "$ROOT" ] && command -v gosu >/dev/null 2>&1; then
    RUN_AS=(gosu "$CLEANUP_USER") # gosu reads /etc/passwd and /etc/group, just updated
  elif command -v setpriv >/dev/null 2>&1; then
    RUN_AS=(setpriv "--reuid=$uid" "--regid=$pgid" "--groups=$groups" --)
  elif command -v gosu >/dev/null 2>&1 && [ "$how" != files ]; then
    RUN_AS=(gosu "$uid:$how") # primary group = the socket's; gosu takes one group by number
    RUN_AS_DESC="$CLEANUP_USER (UID $uid, group $how)"
  elif command -v gosu >/dev/null 2>&1; then
    RUN_AS=(gosu "$uid:$pgid")
  else
    fail "neither gosu nor setpriv is installed: cannot switch to $CLEANUP_USER; run the image as published or add gosu"
  fi
}

# ---- commands that need neither socket nor daemon -------------------------------------------------
case "${1:-}" in
  version | --version | help | --help | -h)
    if [ "$(id -u)" -eq 0 ]; then
      make_run_as files
      exec "${RUN_AS[@]}" "${PROGRAM[@]}" "$@"
    fi
    exec "${PROGRAM[@]}" "$@"
    ;;
esac

# ---- started as non-root (--user): no group changes possible ------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  RUN_AS=()
  RUN_AS_DESC="UID $(id -u) (groups $(id -G | tr ' ' ','))"
  if [ -n "$SOCKET" ]; then
    check_socket
    gid=$(stat -c %g "$SOCKET" 2>/dev/null) || fail "cannot read the group of $SOCKET; check the mount ($MOUNT_HINT)"
    if ! { [ -r "$SOCKET" ] && [ -w "$SOCKET" ]; }; then
      fail "running as $RUN_AS_DESC without access to $SOCKET (owner $(stat -c '%u:%g, mode %a' "$SOCKET")): started as non-root (--user), the entrypoint cannot add groups. Add the socket's group: --group-add $gid"
    fi
    info "running as $RUN_AS_DESC with access to $SOCKET (GID $gid)"
  fi
  verify_daemon
  exec "${PROGRAM[@]}" "$@"
fi

# ---- root: steps 1-5 ----------------------------------------------------------------------------
prefix_args=()
[ -n "$ROOT" ] && prefix_args=(--prefix "$ROOT")

if [ -z "$SOCKET" ]; then
  make_run_as files
else
  check_socket                                                                   # step 1
  gid=$(stat -c %g "$SOCKET" 2>/dev/null) || fail "cannot read the group of $SOCKET; check the mount ($MOUNT_HINT)" # step 2
  info "Docker socket $SOCKET has GID $gid"
  [ -f "$PASSWD_FILE" ] && [ -n "$(passwd_field "$CLEANUP_USER" 3)" ] \
    || fail "user $CLEANUP_USER not found in $PASSWD_FILE; set CLEANUP_USER to an existing user (the image has cleanup-user, UID 1000)"
  pgid=$(passwd_field "$CLEANUP_USER" 4)
  if [ "$gid" = 0 ]; then
    warn "$SOCKET belongs to GID 0 (root's group): $CLEANUP_USER joins group 0, which also opens root-group files in the container; prefer a dedicated socket group on the host (such as docker)"
  fi

  group=$(group_name_of_gid "$gid")                                              # step 3
  if is_member_in_files "$CLEANUP_USER" "$gid" "$pgid"; then
    info "$CLEANUP_USER is already in GID $gid${group:+ ($group)}"
    make_run_as files
  elif [ ! -w "$GROUP_FILE" ] || [ ! -w "$PASSWD_FILE" ]; then
    # read-only root filesystem: join the GID for this process only
    warn "$GROUP_FILE is read-only (read-only root filesystem?): joining GID $gid by number, without editing files"
    make_run_as "$gid"
  else
    if [ -n "$group" ]; then
      info "reusing group $group (GID $gid)"
    else
      group=docker
      if [ -n "$(gid_of_group_name docker)" ]; then group="docker-$gid"; fi # `docker` has another GID
      err=$(groupadd "${prefix_args[@]}" --gid "$gid" "$group" 2>&1) \
        || fail "could not create group $group with GID $gid: $err. Run the container with --group-add $gid instead, or fix $GROUP_FILE"
      info "created group $group (GID $gid)"
    fi
    err=$(usermod "${prefix_args[@]}" --append --groups "$group" "$CLEANUP_USER" 2>&1) \
      || fail "could not add $CLEANUP_USER to group $group (GID $gid): $err. Run the container with --group-add $gid instead"
    info "added $CLEANUP_USER to group $group"                                    # step 4
    is_member_in_files "$CLEANUP_USER" "$gid" "$pgid" \
      || fail "$CLEANUP_USER is not in group $group (GID $gid) after usermod; check $GROUP_FILE"   # step 5
    make_run_as files
  fi

  # step 5, as the process will really be: the switched user has the socket's GID
  real_groups=$("${RUN_AS[@]}" id -G 2>&1) \
    || fail "could not switch to $CLEANUP_USER with ${RUN_AS[0]}: $real_groups"
  contains_gid "$real_groups" "$gid" \
    || fail "$CLEANUP_USER does not get GID $gid when switched (groups: $real_groups); run the container with --group-add $gid"
  info "running as $RUN_AS_DESC"
fi

verify_daemon "${RUN_AS[@]}"                                                     # step 6
exec "${RUN_AS[@]}" "${PROGRAM[@]}" "$@"                                         # step 7

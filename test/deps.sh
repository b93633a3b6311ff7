#!/usr/bin/env bash
# Installs what the end-to-end tests need beyond Go: Debian packages (swaks,
# isync, vdirsyncer, litmus, ...) and the npm projects under test/clients.
# Each concern has one idempotent script in test/deps.d; this runs them all
# in name order. `make test` calls it first, so a fresh machine needs no
# manual step. Set APIARY_SKIP_DEPS=1 to skip it (offline work).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${APIARY_SKIP_DEPS:-}" = 1 ] && { echo "deps: skipped (APIARY_SKIP_DEPS=1)"; exit 0; }

# apt_install PKG... installs the Debian packages that are missing, running
# apt-get update at most once per call of this script.
apt_updated=""
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# npm_ci DIR installs DIR's node_modules from its package-lock.json when the
# lock file is newer than the installed tree.
npm_ci() {
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

for f in test/deps.d/*.sh; do
  [ -e "$f" ] || continue
  echo "deps: $f"
  # shellcheck source=/dev/null
  . "$f"
done

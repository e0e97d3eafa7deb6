#!/bin/sh
# SecondLook offline install for the current user (Linux, macOS). Needs no network: pip installs
# from this bundle's wheels/ only (--no-index), ignoring any pip configuration on the PC.
#
#   ./install.sh [--python PATH] [--prefix DIR] [--no-service] [--force]
#
#   --python PATH  the Python to use (default: pythonX.Y of the bundle, else python3); it must be
#                  the version the bundle was built for (bundle.json "python")
#   --prefix DIR   where the companion goes (default: Linux ${XDG_DATA_HOME:-~/.local/share}/secondlook,
#                  macOS ~/Library/Application Support/SecondLook/companion)
#   --no-service   do not register the login service (systemd user unit, LaunchAgent)
#   --force        run the install steps even when this version is installed already (a login script can
#                  run install.sh at every login: an up-to-date install returns at once)
#
# Also: a launcher ~/.local/bin/secondlook, and the log folder. Upgrading is running a newer
# bundle's install.sh: the running service is stopped, the companion upgraded in place and the
# service registered and started again; the user's config, pairing secret and logs live outside
# the prefix and are kept. Exit status: 0 installed, 1 installed but the service could not be
# registered, 2 not installed (one line on stderr says why).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=""
prefix=""
service=1
force=0
fail() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --python) [ $# -ge 2 ] || fail "--python needs a path"; python=$2; shift 2 ;;
        --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; prefix=$2; shift 2 ;;
        --no-service) service=0; shift ;;
        --force) force=1; shift ;;
        *) fail "unknown option $1 (options: --python PATH, --prefix DIR, --no-service, --force)" ;;
    esac
done

[ -f "$here/bundle.json" ] && [ -d "$here/wheels" ] || fail "run me from an unpacked bundle (bundle.json, wheels/)"
find_python() {
    for candidate in "$@"; do
        if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
    done
    return 1
}
# bundle.json is written by build.py bundle with one key a line
bundle_field() { sed -n "s/^ *\"$1\": \"\([^\"]*\)\",*\$/\1/p" "$here/bundle.json"; }
want=$(bundle_field python)
version=$(bundle_field version)
if [ -z "$python" ]; then
    python=$(find_python "python$want" python3) || fail "no Python $want found; install it or pass --python PATH"
fi
[ -x "$python" ] || fail "--python $python is not an executable"
have=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$have" = "$want" ] || fail "this bundle is for Python $want; $python is $have (pass --python PATH)"

case "$(uname -s)" in
    Darwin)
        default_prefix="$HOME/Library/Application Support/SecondLook/companion"
        logs="$HOME/Library/Logs/SecondLook" ;;
    *)
        default_prefix="${XDG_DATA_HOME:-$HOME/.local/share}/secondlook"
        logs="${XDG_STATE_HOME:-$HOME/.local/state}/secondlook" ;;
esac
prefix=${prefix:-$default_prefix}
venv="$prefix/venv"
bindir="$HOME/.local/bin"

# Never reach an index: no pip configuration, no index, only the bundle's wheels.
PIP_CONFIG_FILE=/dev/null
PIP_NO_INDEX=1
PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_CONFIG_FILE PIP_NO_INDEX PIP_DISABLE_PIP_VERSION_CHECK
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL 2>/dev/null || true

if [ "$force" = 0 ] && [ -x "$venv/bin/secondlook" ] \
        && [ "$("$venv/bin/secondlook" --version 2>/dev/null)" = "secondlook $version" ]; then
    echo "SecondLook $version is already installed in $prefix"
    exit 0
fi
if [ -x "$venv/bin/secondlook" ]; then
    echo "upgrading the SecondLook in $prefix to $version"
    "$venv/bin/secondlook" service stop >/dev/null 2>&1 || true
    "$venv/bin/python" -c 'import sys; sys.exit(0 if "%d.%d" % sys.version_info[:2] == sys.argv[1] else 1)' "$want" \
        || rm -rf "$venv"  # another Python: start afresh (the user's files are elsewhere)
fi
mkdir -p "$prefix" "$logs" "$bindir"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv" || fail "could not create $venv"
"$venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" --upgrade "secondlook==$version" \
    || fail "pip could not install secondlook $version from $here/wheels"
ln -sf "$venv/bin/secondlook" "$bindir/secondlook"
echo "SecondLook $version installed in $prefix; launcher $bindir/secondlook; logs in $logs"
case ":$PATH:" in
    *":$bindir:"*) ;;
    *) echo "note: $bindir is not on PATH; add it, or run $bindir/secondlook" ;;
esac

if [ "$service" = 1 ]; then
    if ! "$venv/bin/secondlook" service install; then
        echo "install.sh: installed, but the login service could not be registered; run \`secondlook service install\` in the user's desktop session" >&2
        exit 1
    fi
fi
exit 0

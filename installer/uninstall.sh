#!/bin/sh
# Remove SecondLook for the current user (Linux, macOS): the login service, the launcher and the
# companion. The user's config and pairing secret and the logs stay unless --purge is given.
#
#   ./uninstall.sh [--prefix DIR] [--purge]
set -eu

prefix=""
purge=0
fail() { echo "uninstall.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; prefix=$2; shift 2 ;;
        --purge) purge=1; shift ;;
        *) fail "unknown option $1 (options: --prefix DIR, --purge)" ;;
    esac
done

case "$(uname -s)" in
    Darwin)
        default_prefix="$HOME/Library/Application Support/SecondLook/companion"
        config="$HOME/Library/Application Support/SecondLook"
        logs="$HOME/Library/Logs/SecondLook" ;;
    *)
        default_prefix="${XDG_DATA_HOME:-$HOME/.local/share}/secondlook"
        config="${XDG_CONFIG_HOME:-$HOME/.config}/secondlook"
        logs="${XDG_STATE_HOME:-$HOME/.local/state}/secondlook" ;;
esac
prefix=${prefix:-$default_prefix}
launcher="$HOME/.local/bin/secondlook"

if [ -x "$prefix/venv/bin/secondlook" ]; then
    "$prefix/venv/bin/secondlook" service uninstall || echo "uninstall.sh: the login service could not be removed" >&2
fi
if [ -L "$launcher" ] && [ "$(readlink "$launcher")" = "$prefix/venv/bin/secondlook" ]; then
    rm -f "$launcher"
fi
rm -rf "$prefix"
echo "SecondLook removed from $prefix"
if [ "$purge" = 1 ]; then
    rm -rf "$config" "$logs"
    echo "removed the user's config and pairing secret ($config) and logs ($logs)"
else
    echo "kept the user's config and pairing secret ($config) and logs ($logs); --purge removes them"
fi

# Debian packages the scripts need: installs those missing (as root), in one
# apt-get call. Source it; it defines install_missing_packages only.

# install_missing_packages SCRIPT_NAME PACKAGE...: 0 when all are installed
# (after installing the missing ones), 1 when some are missing and this is
# not root.
install_missing_packages() {
    local who=$1 missing=() package
    shift
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "$who: missing packages ${missing[*]} (run as root to install them)" >&2
        return 1
    fi
    printf '== %s: installing %s\n' "$who" "${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
}

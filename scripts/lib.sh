#!/usr/bin/env bash
# Shared set-up for scripts/test and scripts/demo; sourced, not run.
#
# Provides:
#   paas_setup_venv       .venv/ with requirements-dev.txt (rebuilt only when that file changes)
#   paas_python_for X.Y   path of a Python X.Y (PATH, then pyenv's versions), or status 1
#   paas_core_venv CORE X.Y  venv of another supported ansible-core on Python X.Y, cached outside the checkout
#   paas_setup_get_pip    ansible-test's offline pip bootstrap stand-in in ~/.ansible/test/cache/
#   paas_setup_awx_collection  awx.awx unpacked in .venv/awx-collections (PAAS_AWX_COLLECTIONS), for lint and its test
#   paas_copy_tree DIR    copy of the working tree at DIR/ansible_collections/paas/ops
#   paas_scratch          a temporary directory removed on exit (with paas_on_exit hooks)
#
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Repository root (= collection root), whatever the caller's working directory.
PAAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PAAS_VENV="${PAAS_ROOT}/.venv"
PAAS_REQUIREMENTS="${PAAS_ROOT}/requirements-dev.txt"
# The controller Python: ansible-core 2.19 runs on 3.11-3.13; CI and sanity use 3.11.
PAAS_PYTHON_VERSION="${PAAS_PYTHON_VERSION:-3.11}"
PAAS_SCRATCH=""
PAAS_EXIT_HOOKS=()

paas_log() {
    printf '==> %s\n' "$*" >&2
}

paas_die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Seconds since the epoch with sub-second precision (bash 5 EPOCHREALTIME, else date).
paas_now() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then
        printf '%s\n' "${EPOCHREALTIME/,/.}"
    else
        date +%s.%N
    fi
}

# Format a duration given as start and end timestamps: "4.2s" or "3m 07s".
paas_duration() {
    awk -v s="$1" -v e="$2" 'BEGIN {
        d = e - s; if (d < 0) d = 0
        if (d < 60) printf "%.1fs\n", d
        else printf "%dm %02ds\n", int(d / 60), int(d) % 60
    }'
}

# Register a command line to run on exit (before the scratch directory is removed).
paas_on_exit() {
    PAAS_EXIT_HOOKS+=("$1")
}

_paas_exit_trap() {
    local status=$? hook
    for hook in "${PAAS_EXIT_HOOKS[@]}"; do
        eval "${hook}" || true
    done
    if [[ -n "${PAAS_SCRATCH}" && -d "${PAAS_SCRATCH}" ]]; then
        # ansible-test and pip can leave read-only files behind.
        chmod -R u+w "${PAAS_SCRATCH}" 2>/dev/null || true
        rm -rf "${PAAS_SCRATCH}"
    fi
    exit "${status}"
}

# Create the scratch directory and install the exit trap. Sets PAAS_SCRATCH.
paas_scratch() {
    PAAS_SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/paas-ops.XXXXXX")"
    trap _paas_exit_trap EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# paas_python_for VERSION: print the path of a Python interpreter of VERSION (e.g. 3.12), or return 1 when this
# machine has none. Looks on PATH, then in pyenv's versions (they need not be on PATH: pyenv root/versions/X.Y.*),
# newest patch release first. Every candidate is run: a pyenv shim for a version that is not installed fails there.
paas_python_for() {
    local version="$1" candidate pyenv_root
    local candidates=()
    if command -v "python${version}" >/dev/null 2>&1; then
        candidates+=("$(command -v "python${version}")")
    fi
    pyenv_root="$(pyenv root 2>/dev/null || printf '%s' "${PYENV_ROOT:-${HOME}/.pyenv}")"
    if [[ -d "${pyenv_root}/versions" ]]; then
        while IFS= read -r candidate; do
            candidates+=("${candidate}")
        done < <(find "${pyenv_root}/versions" -mindepth 3 -maxdepth 3 -path "*/versions/${version}.*/bin/python${version}" 2>/dev/null | sort -rV)
    fi
    candidates+=("/usr/bin/python${version}" "/usr/local/bin/python${version}")
    for candidate in "${candidates[@]}"; do
        [[ -x "${candidate}" ]] || continue
        if [[ "$("${candidate}" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" == "${version}" ]] \
            && "${candidate}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            printf '%s\n' "${candidate}"
            return 0
        fi
    done
    return 1
}

# Print the path of the main controller Python (PAAS_PYTHON_VERSION), or stop: nothing runs without it.
paas_find_python() {
    paas_python_for "${PAAS_PYTHON_VERSION}" ||
        paas_die "Python ${PAAS_PYTHON_VERSION} not found on PATH or under pyenv (needed for ansible-core 2.19 and ansible-test --python ${PAAS_PYTHON_VERSION})"
}

# paas_build_venv DIR REQUIREMENTS [PYTHON]: create the venv DIR from a requirements file with PYTHON (default: the
# main controller Python), or reuse it when its stamp (hash of the file and the Python version) still matches.
paas_build_venv() {
    local venv="$1" requirements="$2" python="${3:-}" stamp_file wanted lock_file log
    [[ -n "${python}" ]] || python="$(paas_find_python)"
    stamp_file="${venv}/.requirements.stamp"
    wanted="$( { sha256sum "${requirements}" | cut -d' ' -f1; "${python}" -VV; } | tr '\n' ' ')"

    # Two commands started at once must not build the same venv concurrently.
    lock_file="${TMPDIR:-/tmp}/paas-ops-venv-$(printf '%s' "${venv}" | sha256sum | cut -c1-16).lock"
    exec 9>"${lock_file}"
    if command -v flock >/dev/null 2>&1; then
        flock 9
    fi

    if [[ -x "${venv}/bin/python" && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${wanted}" ]] \
        && "${venv}/bin/python" -c 'import ansible, requests' >/dev/null 2>&1; then
        paas_log "venv: ${venv} is up to date with $(basename "${requirements}")"
    else
        paas_log "venv: creating ${venv} with $("${python}" -V 2>&1) from $(basename "${requirements}") (about a minute)"
        rm -rf "${venv}"
        "${python}" -m venv "${venv}"
        log="$(mktemp "${TMPDIR:-/tmp}/paas-ops-pip.XXXXXX")"
        if ! "${venv}/bin/python" -m pip install --disable-pip-version-check -r "${requirements}" >"${log}" 2>&1; then
            cat "${log}" >&2
            rm -f "${log}"
            rm -rf "${venv}"
            paas_die "pip install -r $(basename "${requirements}") failed"
        fi
        rm -f "${log}"
        printf '%s' "${wanted}" >"${stamp_file}"
    fi
    exec 9>&-
}

# Venvs of the other supported ansible-core releases live outside the checkout, so that every clone on this machine
# reuses them; each is keyed by its requirements file's hash and its Python (the stamp of paas_build_venv).
PAAS_CACHE_DIR="${PAAS_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/paas-ops}"

# paas_core_venv CORE X.Y: build or reuse the venv of ansible-core CORE (requirements-ansible-CORE.txt) on Python X.Y,
# with ansible-test's offline pip bootstrap for it, and print its path; status 1, with nothing built, when this
# machine has no Python X.Y.
paas_core_venv() {
    local core="$1" version="$2" python requirements venv
    python="$(paas_python_for "${version}")" || return 1
    requirements="${PAAS_ROOT}/requirements-ansible-${core}.txt"
    [[ -f "${requirements}" ]] || paas_die "no ${requirements#"${PAAS_ROOT}/"} for ansible-core ${core}"
    venv="${PAAS_CACHE_DIR}/venv-ansible-${core}-py${version}-$(sha256sum "${requirements}" | cut -c1-12)"
    mkdir -p "${PAAS_CACHE_DIR}"
    paas_build_venv "${venv}" "${requirements}" "${python}"
    paas_setup_get_pip "${venv}"
    printf '%s\n' "${venv}"
}

# Create .venv/ from requirements-dev.txt (see paas_build_venv) and put .venv/bin first on PATH.
paas_setup_venv() {
    paas_build_venv "${PAAS_VENV}" "${PAAS_REQUIREMENTS}"
    export VIRTUAL_ENV="${PAAS_VENV}"
    export PATH="${PAAS_VENV}/bin:${PATH}"
    # The venv python must win over pyenv shims and any other python on PATH.
    hash -r
}

# awx.awx for ansible-lint's syntax-check of extensions/awx/register_credential_types.yml and for its test: unpacked
# from the ansible package on PyPI once per venv (tests/awx_collection.py says why), found through PAAS_AWX_COLLECTIONS.
paas_setup_awx_collection() {
    PAAS_AWX_COLLECTIONS="${PAAS_VENV}/awx-collections"
    "${PAAS_VENV}/bin/python" "${PAAS_ROOT}/tests/awx_collection.py" "${PAAS_AWX_COLLECTIONS}" >/dev/null
    export PAAS_AWX_COLLECTIONS
}

# ansible-test bootstraps pip in every venv it creates by running get-pip.py downloaded
# from a CI host that is not reachable here; it uses ~/.ansible/test/cache/get_pip_<X_Y>.py
# when present. The stand-in installs pip with ensurepip, then runs `pip install` with the
# arguments ansible-test passes (pip==<version> ...), minus the get-pip-only options.
paas_setup_get_pip() {
    local venv="${1:-${PAAS_VENV}}" ansible_test_dir pip_version cache_file
    ansible_test_dir="$("${venv}/bin/python" -c 'import os, ansible_test; print(os.path.dirname(ansible_test.__file__))')"
    # The pinned bootstrap pip version of that ansible-test (2.19: default_packages = dict(pip='24.2'); 2.20, 2.21: 25.2).
    pip_version="$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "${ansible_test_dir}/_internal/python_requirements.py" | head -n1)"
    [[ -n "${pip_version}" ]] || pip_version="24.2"
    cache_file="${HOME}/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    if [[ -f "${cache_file}" ]]; then
        paas_log "ansible-test: pip bootstrap ${cache_file} present"
        return 0
    fi
    paas_log "ansible-test: writing offline pip bootstrap stand-in ${cache_file}"
    mkdir -p "$(dirname "${cache_file}")"
    cat >"${cache_file}.tmp" <<'PYTHON'
"""Offline stand-in for get-pip.py, written by paas.ops scripts/lib.sh.

ansible-test runs this file (as GET_PIP) with pip options and pinned packages, e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``, inside a new
virtual environment. Install pip from the interpreter's bundled wheel (ensurepip), then
let that pip install the requested packages from the package index. Output is shown
only when a step fails.
"""
import subprocess
import sys

GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def run(command):
    process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if process.returncode:
        sys.stdout.write(process.stdout.decode('utf-8', 'replace'))
        sys.exit(process.returncode)


run([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
run([sys.executable, '-m', 'pip', 'install', '--quiet']
    + [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY])
PYTHON
    mv "${cache_file}.tmp" "${cache_file}"
}

# Copy the working tree (tracked files plus untracked files that are not ignored, so
# uncommitted work is tested too) to DEST/ansible_collections/paas/ops. ansible-test
# needs a real directory there: a symlink is rejected. The copy is made a git work tree
# with the same .gitignore so that ansible-test and ansible-lint see the same files as in
# the checkout. Prints the collection directory.
paas_copy_tree() {
    local dest="$1" collection path
    collection="${dest}/ansible_collections/paas/ops"
    mkdir -p "${collection}"
    if git -C "${PAAS_ROOT}" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (
            cd "${PAAS_ROOT}" || exit
            git ls-files -z --cached --others --exclude-standard |
                while IFS= read -r -d '' path; do
                    # Deleted but still in the index: skip. Never copy venvs or test output.
                    if [[ -e "${path}" || -L "${path}" ]]; then
                        case "${path}" in
                            .venv/* | .venv-*/* | tests/output/* | .ansible/* | .collections/*) ;;
                            *) printf '%s\0' "${path}" ;;
                        esac
                    fi
                done |
                tar --null --no-recursion -T - -cf -
        ) | tar -xf - -C "${collection}"
    else
        tar -C "${PAAS_ROOT}" -cf - \
            --exclude=./.git --exclude=./.venv --exclude='./.venv-*' --exclude=./tests/output \
            --exclude=./.ansible --exclude=./.collections --exclude=__pycache__ --exclude=.pytest_cache . |
            tar -xf - -C "${collection}"
    fi
    (
        cd "${collection}" || exit
        git init -q .
        git add -A .
    )
    printf '%s\n' "${collection}"
}

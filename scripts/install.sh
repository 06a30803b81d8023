#!/usr/bin/env bash
# Install newswatch into .venv, saying what it does and how long each step took.
#
#   scripts/install.sh runtime   # what `make run` needs: newswatch and its runtime dependencies
#   scripts/install.sh dev-tools # the test and lint tools of the `dev` extra (after runtime)
#
# newswatch is installed from a wheel (not editable) so that run, test and bench use what the image
# ships: building the wheel compiles the analysis hot path with mypyc (hatch_build.py). That build is
# the slow step (a minute or more), so the wheel is kept in a cache keyed by everything it is built
# from (sources, schemas, pyproject.toml, hatch_build.py, Python version, NEWSWATCH_PURE): a second
# clone or a `make clean` of the same sources reinstalls it without compiling again.
# Environment: PYTHON (python3.11), NEWSWATCH_PURE, NEWSWATCH_REQUIRE_COMPILED (see hatch_build.py),
# NEWSWATCH_WHEEL_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/newswatch/wheels; empty: no cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

what=${1:-runtime}
PYTHON=${PYTHON:-python3.11}
VENV=.venv
BIN=$VENV/bin
export PIP_DISABLE_PIP_VERSION_CHECK=1
CACHE=${NEWSWATCH_WHEEL_CACHE-${XDG_CACHE_HOME:-$HOME/.cache}/newswatch/wheels}

say() { printf '[install] %s\n' "$*" >&2; }
step() { # step "what" command...: run it, then say how long it took
  local name=$1 t0=$SECONDS
  shift
  say "$name..."
  "$@"
  say "$name: done in $((SECONDS - t0)) s"
}

if [ ! -x $BIN/python ]; then
  step "creating $VENV with $PYTHON" "$PYTHON" -m venv $VENV
fi

if [ "$what" = dev-tools ]; then
  # The dev extra's requirements alone, so that the wheel is not built or installed again.
  reqs=$(mktemp)
  trap 'rm -f "$reqs"' EXIT
  $BIN/python - >"$reqs" <<'PY'
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["dev"]))
PY
  step "installing the dev tools (pytest, ruff, mypy, ...)" $BIN/pip install -q -r "$reqs"
  exit 0
fi

# What the wheel is built from; a change to any of it builds a new one. README.md (the wheel's long
# description) is left out: a cached wheel with an older one installs the same code.
key=$(
  {
    find services schemas -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
    sha256sum pyproject.toml hatch_build.py
    $BIN/python -c 'import sys; print(sys.version)'
    echo "pure=${NEWSWATCH_PURE:-0}"
  } | sha256sum | cut -c1-16
)
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

# The runtime dependencies install while the wheel builds: one is mostly unpacking, the other
# compiling, so on two cores they overlap well.
$BIN/python - >"$wheels/requirements.txt" <<'PY'
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
say "installing the runtime dependencies (in the background)..."
t_deps=$SECONDS
# --no-compile: pip would byte-compile every file of every package (most of its CPU time here);
# Python compiles the modules it imports on first use instead.
$BIN/pip install -q --no-compile -r "$wheels/requirements.txt" >"$wheels/deps.log" 2>&1 &
deps=$!

cached="${CACHE:+$CACHE/$key}"
if [ -n "$cached" ] && compgen -G "$cached/newswatch-*.whl" >/dev/null; then
  say "newswatch wheel for these sources found in $cached (no compile needed)"
  cp "$cached"/newswatch-*.whl "$wheels/"
else
  step "building the newswatch wheel (compiles the analysis with mypyc and gcc; the slow step)" \
    $BIN/pip wheel -q --no-deps --wheel-dir "$wheels" .
  # Only a compiled wheel is worth keeping: a pure one (no compiler) builds in seconds.
  if [ -n "$cached" ] && ! compgen -G "$wheels/newswatch-*-none-any.whl" >/dev/null; then
    mkdir -p "$cached" && cp "$wheels"/newswatch-*.whl "$cached/"
  fi
fi
if ! wait $deps; then
  cat "$wheels/deps.log" >&2
  say "installing the runtime dependencies failed"
  exit 1
fi
say "installing the runtime dependencies: done in $((SECONDS - t_deps)) s"
wheel=$(ls "$wheels"/newswatch-*.whl)
step "installing the newswatch wheel" $BIN/pip install -q --no-compile --force-reinstall --no-deps "$wheel"
step "checking its runtime dependencies" $BIN/pip install -q --no-compile "$wheel"

$BIN/python -c 'import importlib.util as u, newswatch.analysis.regions.matcher as m; print("[install] newswatch analysis:", "compiled (mypyc and C extensions)" if m.__file__.endswith((".so", ".pyd")) and u.find_spec("newswatch.analysis.topics._sums") and u.find_spec("newswatch.analysis.regions._capitals") else "pure Python")' >&2

#!/usr/bin/env bash
# Runs scripts/compare-pocketsphinx.py (PocketSphinx forced alignment scored like `ground eval`)
# in its own venv, made on first use outside the repository so nothing lands in the work tree.
# Usage: scripts/compare-pocketsphinx.sh PATH[@SPLIT] [--limit N] [--report OUT.json] [--oov espeak]
# GROUND_PS_VENV picks the venv's folder (default: ../venv-ps beside the repository).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${GROUND_PS_VENV:-$(dirname "$repo")/venv-ps}"

if ! "$venv/bin/python" -c 'import pocketsphinx, soundfile' 2>/dev/null; then
  echo "compare-pocketsphinx: setting up $venv" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # 5.x: set_align_text and the bundled en-us model are what the script relies on.
  "$venv/bin/pip" install -q "pocketsphinx>=5,<6" soundfile >&2
fi
exec "$venv/bin/python" "$repo/scripts/compare-pocketsphinx.py" "$@"

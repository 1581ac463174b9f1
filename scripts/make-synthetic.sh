#!/usr/bin/env bash
# Generates synthetic English speech with exact word times (espeak-ng, flite, festival) as
# training and evaluation data for ground, in the manifest format of shared/data/README.md.
#
#   bash scripts/make-synthetic.sh --out /work/data/synthetic --hours 3 --seed 1 [--jobs 2]
#        [--dev-hours H] [--heldout-hours H] [--max-clip-seconds 15] [--min-clip-seconds 1]
#        [--long-clips] [--clean-fraction 0.35] [--format flac|wav] [--shard-minutes 5]
#        [--engines espeak=0.45,flite=0.3,festival=0.25]
#
# The data goes to --out (default /work/data/synthetic), never into the repository. Work is
# done in shards with their own seeds; a finished shard is kept, so running the same command
# again resumes an interrupted run or does nothing. See scripts/synth/README.md.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNTH_DIR="$HERE/synth"
die() { echo "make-synthetic: error: $*" >&2; exit 1; }
log() { echo "make-synthetic: $*" >&2; }

OUT=/work/data/synthetic
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --out) OUT="${args[i+1]:-}" ;;
        --out=*) OUT="${args[i]#--out=}" ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    esac
done
[[ -n "$OUT" ]] || die "--out needs a directory"
REPO=$(cd "$HERE/.." && pwd)
case "$(realpath -m "$OUT")/" in
    "$REPO/"*) die "--out must be outside the repository ($REPO)" ;;
esac

# --- Packages ----------------------------------------------------------------------------
# Engines and their C headers, the festival voices, the FLAC encoder, the text sources
# (fortunes, jargon-text, wamerican-large) and a C compiler.
PACKAGES=(espeak-ng libespeak-ng-dev flite flite1-dev festival festvox-us-slt-hts
          festvox-kallpc16k festvox-kdlpc16k flac fortunes jargon-text wamerican-large
          gcc libc6-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
PYTHON=python3
if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
    PYTHON=/usr/bin/python3
    "$PYTHON" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
fi
if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "missing packages (${missing[*]}); run as root or install them"
    log "installing ${missing[*]}"
    apt-get update -qq
    for pkg in "${missing[@]}"; do
        cand=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
        [[ -n "$cand" && "$cand" != "(none)" ]] || die "package $pkg is not available from apt"
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- The synth program ---------------------------------------------------------------------
# Built next to the data, keyed by the source's hash, so the repository stays clean and a
# changed synth.c is rebuilt.
TOOLS="$OUT/.tools"
mkdir -p "$TOOLS"
hash=$(sha256sum "$SYNTH_DIR/synth.c" | cut -c1-12)
SYNTH="$TOOLS/synth-$hash"
if [[ ! -x "$SYNTH" ]]; then
    log "building $SYNTH"
    gcc -O2 -Wall -o "$SYNTH.tmp" "$SYNTH_DIR/synth.c" -lespeak-ng \
        -lflite_cmu_us_slt -lflite_cmu_us_awb -lflite_cmu_us_rms -lflite_cmu_us_kal16 \
        -lflite_usenglish -lflite_cmulex -lflite -lm
    mv "$SYNTH.tmp" "$SYNTH"
fi

exec "$PYTHON" "$SYNTH_DIR/generate.py" --synth "$SYNTH" "$@"

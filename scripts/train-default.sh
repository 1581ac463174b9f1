#!/usr/bin/env bash
# Reproduces the bundled default model (Poisson head, phone CTC alignment prior, 4.0 M parameters)
# from scratch on a 2-core CPU, then evaluates it and installs it as the bundled model:
#
#   bash scripts/train-default.sh [--work /work/data] [--runs runs] [--install] [--head binary] [--characters]
#
# Stage 1 (6,000 steps, 30–50 min): 3 h of synthetic speech (seed 1) + speechocean762 `train`, phone
# CTC targets from the CMU dictionary (Debian pocketsphinx-en-us; characters for unlisted words).
# Stage 2 (2,000 steps from stage 1's weights, peak rate 2e-4, ~10 min): more real speech (55 % of
# batches from speechocean762 `train`), 16 h more synthetic speech (seed 7, broader vocabulary) and
# the `all` task (every occurrence of a word, so Λ(T) counts them for `--occurrence all`).
# Every stage evaluates periodically on synthetic `dev` and speechocean `test` and resumes where it
# stopped when the script is run again. The final model is stored in f16 (RUNS/<stage>/model.f16.ground)
# and evaluated so; --install copies it to Sources/GroundCLI/Resources/ground-default.ground with its
# evaluation report next to it.
#
# --characters runs the previous character pipeline instead (RUNS/default-stage1..3: stage 1 as
# above without phones, stage 2 8,000 steps with the 16 h set, stage 3 1,500 steps with `all`;
# ~90 min), the one the Poisson-vs-binary comparison was made with; --head binary trains the
# binary-head model of either pipeline with the same data and schedule (never installed).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=/work/data RUNS=runs INSTALL=0 HEAD=poisson CHARACTERS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --head) HEAD="$2"; shift 2 ;;
    --characters) CHARACTERS=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "train-default: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$HEAD" in
  poisson|binary) ;;
  *) echo "train-default: --head must be poisson or binary" >&2; exit 2 ;;
esac
if [ "$INSTALL" = 1 ] && { [ "$HEAD" != poisson ] || [ "$CHARACTERS" = 1 ]; }; then
  echo "train-default: only the Poisson phone model is installed" >&2; exit 2
fi
if [ "$CHARACTERS" = 1 ]; then
  NAME=default; [ "$HEAD" = poisson ] || NAME=binary
else
  NAME=phones; [ "$HEAD" = poisson ] || NAME=phones-binary
  LEXICON=/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict
  if [ ! -f "$LEXICON" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "train-default: needs pocketsphinx-en-us (run as root or install it)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pocketsphinx-en-us >/dev/null
  fi
fi
SHARED=../shared/data
[ -f "$SHARED/speechocean762-silver/manifest.jsonl" ] || { echo "train-default: needs $SHARED (speechocean762-silver, ljspeech-mfa)" >&2; exit 1; }

bash scripts/setup.sh
GROUND=.build/release/ground
bash scripts/make-synthetic.sh --out "$WORK/synthetic" --hours 3 --seed 1
bash scripts/make-synthetic.sh --out "$WORK/synthetic20" --hours 16 --seed 7 --dev-hours 0.1 --heldout-hours 0.1

SO="$SHARED/speechocean762-silver/manifest.jsonl"
DEV="$WORK/synthetic/manifest.jsonl@dev,$SO@test"
ALL_TASKS=transcript:1,query:1,absent:0.2,partial:0.5,all:0.4

# Runs `ground train` for one stage, resuming its checkpoint when there is one.
stage() {
  local out="$1"; shift
  if [ -f "$out/model.ground" ]; then echo "train-default: $out done" >&2; return; fi
  local resume=()
  [ -f "$out/checkpoint.ground" ] && resume=(--resume)
  mkdir -p "$out"
  "$GROUND" train "$@" --out "$out" --dev "$DEV" --dev-limit 150 --prior --head "$HEAD" "${resume[@]}" 2>>"$out/stderr.log"
}

start=$(date +%s)
if [ "$CHARACTERS" = 1 ]; then
  stage "$RUNS/$NAME-stage1" --data "$WORK/synthetic/manifest.jsonl@train:0.6,$SO@train:0.4" --steps 6000 --batch 16 --eval-every 500
  stage "$RUNS/$NAME-stage2" --init "$RUNS/$NAME-stage1/model.ground" \
    --data "$WORK/synthetic/manifest.jsonl@train:0.2,$WORK/synthetic20/manifest.jsonl@train:0.4,$SO@train:0.4" \
    --steps 8000 --batch 16 --lr 0.0005 --warmup 300 --eval-every 1000
  stage "$RUNS/$NAME-stage3" --init "$RUNS/$NAME-stage2/model.ground" \
    --data "$WORK/synthetic/manifest.jsonl@train:0.2,$WORK/synthetic20/manifest.jsonl@train:0.4,$SO@train:0.4" \
    --tasks "$ALL_TASKS" --steps 1500 --batch 16 --lr 0.0002 --warmup 100 --eval-every 500
  FINAL="$RUNS/$NAME-stage3"
else
  stage "$RUNS/$NAME-stage1" --data "$WORK/synthetic/manifest.jsonl@train:0.6,$SO@train:0.4" --steps 6000 --batch 16 \
    --eval-every 500 --lexicon "$LEXICON"
  stage "$RUNS/$NAME-stage2" --init "$RUNS/$NAME-stage1/model.ground" \
    --data "$WORK/synthetic/manifest.jsonl@train:0.15,$WORK/synthetic20/manifest.jsonl@train:0.3,$SO@train:0.55" \
    --tasks "$ALL_TASKS" --steps 2000 --batch 16 --lr 0.0002 --warmup 100 --eval-every 500
  FINAL="$RUNS/$NAME-stage2"
fi
echo "train-default: training took $(( $(date +%s) - start )) s" >&2

# The model is evaluated as it is shipped: with f16 weights (within ~0.3 points of f32).
MODEL="$FINAL/model.f16.ground"
"$GROUND" convert "$FINAL/model.ground" --precision f16 --output "$MODEL" >/dev/null
# Evaluation: real speech, unseen synthetic voices, and 30-60 s clips for length generalisation.
bash scripts/make-synthetic.sh --out "$WORK/synthetic-long" --long-clips --hours 0 --dev-hours 0.3 --heldout-hours 0.3 --seed 2
LONG="$WORK/synthetic-long/manifest.jsonl"
"$GROUND" eval --model "$MODEL" --limit 300 --quiet \
  --data "$SHARED/ljspeech-mfa/manifest.jsonl,$SO@test,$WORK/synthetic/manifest.jsonl@heldout,$LONG@dev,$LONG@heldout" \
  --report "$FINAL/eval.json" | tee "$FINAL/eval.txt"

if [ "$INSTALL" = 1 ]; then
  mkdir -p Sources/GroundCLI/Resources
  cp "$MODEL" Sources/GroundCLI/Resources/ground-default.ground
  cp "$FINAL/eval.txt" Sources/GroundCLI/Resources/ground-default.eval.txt
  echo "train-default: installed Sources/GroundCLI/Resources/ground-default.ground" >&2
fi

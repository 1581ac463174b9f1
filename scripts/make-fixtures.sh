#!/usr/bin/env bash
# Regenerates every file in Fixtures/ from scratch: synthetic speech, format variants of it,
# test tones, deliberately broken inputs, a README describing them and a SHA-256 manifest.
#
#   bash scripts/make-fixtures.sh
#
# Fixtures/ is owned by this script: anything else in it is deleted. Nothing is replaced
# until every new file has been built and checked, so a failed run leaves the old set intact.
#
# Everything is made from text and parameters (no recordings), so the set can be rebuilt on
# any Debian machine. Identical tool versions give byte-identical files; see the README's
# "Reproducibility" section for what can differ elsewhere.
set -euo pipefail
export LC_ALL=C   # stable sort order and number formatting in the generated README
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/Fixtures"

die() { echo "make-fixtures: error: $*" >&2; exit 1; }
log() { echo "make-fixtures: $*"; }

# --- Tools -------------------------------------------------------------------------------
# sox's own FLAC and Ogg Vorbis writers (in libsox-fmt-base) cover those formats, so the
# separate flac/vorbis-tools encoders and libsox-fmt-all are not needed. sox 14.4 cannot
# write Opus, hence opus-tools. sndfile-programs gives us libsndfile's own view of each
# file, which is what `ground` will see.
PACKAGES=(espeak-ng sox libsox-fmt-base opus-tools sndfile-programs coreutils)

ensure_packages() {
    local missing=() pkg
    for pkg in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) == 0 ]] || die "missing packages (${missing[*]}); run as root or install them"
    log "installing ${missing[*]}"
    # The package lists may be absent or stale on a fresh machine; refresh once, only when needed.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
ensure_packages

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

# --- Scratch space -----------------------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/Fixtures"
mkdir "$STAGE"

# sox with the options every call needs:
#   -R  fixed seed for anything pseudo-random (Ogg serial numbers, AIFF timestamps), and
#   -D  no automatic dither: dither adds noise we would have to explain in sample-exact tests,
#       and keeps the 6-channel file bit-identical to the master in every channel.
# Any warning (e.g. clipping) is treated as a failure: a fixture that silently clipped is a
# fixture that lies about its content.
sx() {
    if ! sox -R -D -V2 "$@" 2>"$WORK/sox.err" || [[ -s "$WORK/sox.err" ]]; then
        cat "$WORK/sox.err" >&2
        die "sox $*"
    fi
}

# --- 1. Speech masters -------------------------------------------------------------------
MASTER=speech-16k-mono.wav
SPEECH_TEXT="how much wood would a woodchuck chuck"
PANGRAM=pangram-16k-mono.wav
PANGRAM_TEXT="the quick brown fox jumps over the lazy dog"

# Pinned speed/pitch/amplitude so a different espeak-ng default cannot change the timing.
ESPEAK_OPTS=(-s 175 -p 50 -a 100)

# speak VOICE TEXT OUTPUT
# espeak-ng renders at 22.05 kHz and appends ~0.3 s of digital silence. We cut that tail
# back to 0.1 s (every derived variant pays for each extra second; the three big PCM
# variants alone cost ~0.65 MB per second) and resample to 16 kHz, the rate ASR models use.
# `silence 1 1s 0` on the reversed signal removes only exact zeros, never speech.
speak() {
    local voice=$1 text=$2 out=$3
    espeak-ng -v "$voice" "${ESPEAK_OPTS[@]}" -w "$WORK/espeak.wav" "$text"
    sx "$WORK/espeak.wav" -c 1 -b 16 -e signed-integer --comment "" "$STAGE/$out" \
        reverse silence 1 1s 0 reverse pad 0 0.1 rate -h 16000
    printf '%s\n' "$text" >"$STAGE/${out%.*}.txt"
}
speak en-us "$SPEECH_TEXT" "$MASTER"
# A second voice (female variant) so tests are not tuned to one speaker.
speak en-us+f3 "$PANGRAM_TEXT" "$PANGRAM"

# --- 2. Variants of the speech master ----------------------------------------------------
# derive NAME OUTPUT-FORMAT-OPTIONS... -- EFFECTS...
# Multichannel variants copy the mono signal into every channel (remix 1 1 ...), so any
# mixdown (mean of channels) equals the mono signal at that rate.
derive() {
    local name=$1 fmt=()
    shift
    while [[ $1 != -- ]]; do fmt+=("$1"); shift; done
    shift
    sx "$STAGE/$MASTER" "${fmt[@]}" --comment "" "$STAGE/$name" "$@"
}
derive speech-44k1-stereo-pcm24.wav -c 2 -b 24 -e signed-integer  -- remix 1 1 rate -h 44100
derive speech-8k-mono-pcm32.wav     -c 1 -b 32 -e signed-integer  -- rate -h 8000
derive speech-48k-mono-float.wav    -c 1 -b 32 -e floating-point  -- rate -h 48000
derive speech-22k05-mono.flac       -c 1 -b 16                    -- rate -h 22050
derive speech-16k-mono.ogg          -c 1 -C 3                     --
derive speech-16k-mono.aiff         -c 1 -b 16 -e signed-integer  --
# No resampling, so every channel is bit-identical to the master (checked below). sox tags
# 6-channel WAVE_FORMAT_EXTENSIBLE with the 5.1 mask 0x3F (L R C LFE Ls Rs).
derive speech-16k-6ch.wav           -c 6 -b 16 -e signed-integer  -- remix 1 1 1 1 1 1

# Opus: libsndfile decodes an Ogg Opus file at the "input sample rate" stored in its header,
# not always at 48 kHz, so the encoder must be fed 48 kHz audio for the file to open as
# 48 kHz. The float variant is that signal without a second rounding step. The serial
# number is fixed because opusenc otherwise picks a random one.
OPUS=speech-48k-mono.opus
if ! opusenc --quiet --serial 1 --bitrate 32 --comp 10 \
        "$STAGE/speech-48k-mono-float.wav" "$STAGE/$OPUS" 2>"$WORK/opusenc.err"; then
    cat "$WORK/opusenc.err" >&2
    die "opusenc failed"
fi

# --- 3. Tones ----------------------------------------------------------------------------
# A known sine gives tests an exact expectation for level and frequency (peak 16384).
tone() { sx -n -r "$2" -c 1 -b 16 -e signed-integer --comment "" "$STAGE/$1" synth 1.0 sine 1000 vol 0.5; }
tone tone-1k-44k1.wav 44100
tone tone-1k-8k.wav 8000

# --- 4. Bad inputs -----------------------------------------------------------------------
printf '%s\n' "This is plain text, not audio." \
    "It has a .wav name so that tests can check that ground reports a decode error" \
    "instead of trusting the file extension." >"$STAGE/not-audio.wav"
# A well-formed 44-byte header whose data chunk is empty: libsndfile opens it happily, so
# `ground` has to notice the zero length itself.
sx -n -r 16000 -c 1 -b 16 -e signed-integer --comment "" "$STAGE/empty.wav" trim 0 0
# 30 bytes ends inside the fmt chunk: the RIFF header still says WAVE, but there is no data.
head -c 30 "$STAGE/$MASTER" >"$STAGE/truncated.wav"

# --- Catalogue ---------------------------------------------------------------------------
# name|expected rate|expected channels|format|how it was made|what it is for
# (expected rate 0 = must NOT decode, -1 = must decode with zero frames)
CATALOGUE=$(cat <<EOF
$MASTER|16000|1|WAV, PCM 16-bit|espeak-ng -v en-us ${ESPEAK_OPTS[*]}; trailing silence cut to 0.1 s; sox rate -h 16000|Speech master; contains the word "much". Transcript: \`speech-16k-mono.txt\`
$PANGRAM|16000|1|WAV, PCM 16-bit|espeak-ng -v en-us+f3 ${ESPEAK_OPTS[*]}; trailing silence cut to 0.1 s; sox rate -h 16000|Second speaker/sentence. Transcript: \`pangram-16k-mono.txt\`
speech-44k1-stereo-pcm24.wav|44100|2|WAV (EXTENSIBLE, mask L R), PCM 24-bit|sox from master: remix 1 1, rate -h 44100|Resampling from 44.1 kHz, 24-bit samples, stereo mixdown
speech-8k-mono-pcm32.wav|8000|1|WAV (EXTENSIBLE), PCM 32-bit int|sox from master: rate -h 8000|Upsampling from telephone rate, 32-bit int samples
speech-48k-mono-float.wav|48000|1|WAV, IEEE float 32-bit|sox from master: rate -h 48000|Float samples, 48 kHz input
speech-22k05-mono.flac|22050|1|FLAC, 16-bit|sox from master: rate -h 22050|FLAC decoding, non-integer-ratio resampling
speech-16k-mono.ogg|16000|1|Ogg Vorbis (sox -C 3)|sox from master|Lossy Vorbis decoding
$OPUS|48000|1|Ogg Opus, 32 kbit/s VBR|opusenc --serial 1 --bitrate 32 --comp 10 from speech-48k-mono-float.wav|Lossy Opus decoding
speech-16k-mono.aiff|16000|1|AIFF, PCM 16-bit big-endian|sox from master|Non-WAV container, big-endian samples
speech-16k-6ch.wav|16000|6|WAV (EXTENSIBLE, mask 5.1), PCM 16-bit|sox from master: remix 1 1 1 1 1 1|Multichannel (5.1) mixdown; every channel is bit-identical to the master
tone-1k-44k1.wav|44100|1|WAV, PCM 16-bit|sox synth 1.0 sine 1000 vol 0.5|Exact level/frequency checks (peak 16384 = 0.5 FS)
tone-1k-8k.wav|8000|1|WAV, PCM 16-bit|sox synth 1.0 sine 1000 vol 0.5|Same tone at 8 kHz (upsampling path)
empty.wav|-1|1|WAV, PCM 16-bit, 0 frames|sox -n ... trim 0 0 (header only, 44 bytes)|Error test: valid file with no audio
truncated.wav|0|-|WAV cut to its first 30 bytes|head -c 30 speech-16k-mono.wav|Error test: truncated header
not-audio.wav|0|-|plain text|printf (three lines of English)|Error test: wrong content behind a .wav name
EOF
)

# --- Check every file with libsndfile ----------------------------------------------------
# sndfile-info exits 0 even when it cannot open a file, so decoding is judged by
# sndfile-convert's exit code (a full decode through libsndfile) and the numbers are taken
# from sndfile-info's summary block.
declare -A FRAMES RATE CHANS ERRMSG
while IFS='|' read -r name want_rate want_ch _; do
    f="$STAGE/$name"
    [[ -f $f ]] || die "$name was not produced"
    if [[ $want_rate == 0 ]]; then
        if sndfile-convert -float32 "$f" "$WORK/decoded.wav" >"$WORK/conv.out" 2>&1; then
            die "$name was meant to be unreadable, but libsndfile decoded it"
        fi
        # The second line is sf_strerror()'s text, recorded so error tests know what to expect.
        ERRMSG[$name]=$(sed -n 2p "$WORK/conv.out")
        continue
    fi
    # sndfile-convert refuses to convert zero frames, so the empty file is judged by
    # sndfile-info alone.
    if [[ $want_rate != -1 ]]; then
        sndfile-convert -float32 "$f" "$WORK/decoded.wav" >"$WORK/conv.out" 2>&1 \
            || { cat "$WORK/conv.out" >&2; die "libsndfile cannot decode $name"; }
    fi
    info=$(sndfile-info "$f")
    ! grep -q '^Error : Not able to open' <<<"$info" || die "sndfile-info cannot open $name"
    info=$(sed -n '/^-----/,$p' <<<"$info")
    frames=$(awk -F' *: *' '$1=="Frames"{print $2}' <<<"$info")
    rate=$(awk -F' *: *' '$1=="Sample Rate"{print $2}' <<<"$info")
    ch=$(awk -F' *: *' '$1=="Channels"{print $2}' <<<"$info")
    [[ $frames =~ ^[0-9]+$ ]] || die "sndfile-info gave no frame count for $name"
    FRAMES[$name]=$frames RATE[$name]=$rate CHANS[$name]=$ch
    if [[ $want_rate == -1 ]]; then
        ((frames == 0)) || die "$name should have 0 frames, has $frames"
        continue
    fi
    ((frames > 0)) || die "$name decoded to 0 frames"
    [[ $rate == "$want_rate" ]] || die "$name: libsndfile says $rate Hz, expected $want_rate"
    [[ $ch == "$want_ch" ]] || die "$name: libsndfile says $ch channels, expected $want_ch"
done <<<"$CATALOGUE"

# The "mixdown equals the mono signal" promise in the README rests on these.
channel_hash() { sox -D "$1" -t raw - remix "$2" | sha256sum | cut -d' ' -f1; }
same_channels() {
    local file=$1 n=$2 ref=$3 k
    for ((k = 1; k <= n; k++)); do
        [[ $(channel_hash "$file" "$k") == "$ref" ]] || die "$(basename "$file"): channel $k differs"
    done
}
same_channels "$STAGE/speech-44k1-stereo-pcm24.wav" 2 "$(channel_hash "$STAGE/speech-44k1-stereo-pcm24.wav" 1)"
same_channels "$STAGE/speech-16k-6ch.wav" 6 "$(channel_hash "$STAGE/$MASTER" 1)"

# --- README ------------------------------------------------------------------------------
LIBSNDFILE_VERSION=$(pkg_version libsndfile1)
seconds() { awk -v f="$1" -v r="$2" 'BEGIN { printf "%.3f s", f / r }'; }
{
    cat <<EOF
# Test fixtures

Generated by \`scripts/make-fixtures.sh\`; do not edit by hand. To rebuild, run
\`bash scripts/make-fixtures.sh\` (it installs its Debian packages if they are missing).
The script replaces the whole folder, then checks each file with libsndfile, which is
the library \`ground\` uses to decode audio. \`MANIFEST.sha256\` holds the checksums
(\`cd Fixtures && sha256sum -c MANIFEST.sha256\`).

All speech is synthetic (espeak-ng), so there are no recordings and no licensing questions.
Rate, channels and duration in the table are what libsndfile $LIBSNDFILE_VERSION reports.

| File | Made with | Format | Rate | Ch | Duration | Purpose |
| --- | --- | --- | --- | --- | --- | --- |
EOF
    while IFS='|' read -r name want_rate _ format how purpose; do
        if [[ $want_rate == 0 ]]; then
            rate="-" ch="-" dur="unreadable: \"${ERRMSG[$name]}\""
        else
            rate="${RATE[$name]} Hz" ch=${CHANS[$name]}
            dur="$(seconds "${FRAMES[$name]}" "${RATE[$name]}") (${FRAMES[$name]} frames)"
        fi
        # shellcheck disable=SC2016  # the backticks are Markdown, not command substitution
        printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$name" "$how" "$format" "$rate" "$ch" "$dur" "$purpose"
    done <<<"$CATALOGUE"
    cat <<EOF

Transcripts (one line, lowercase words, no punctuation):

| File | Text |
| --- | --- |
| \`speech-16k-mono.txt\` | $SPEECH_TEXT |
| \`pangram-16k-mono.txt\` | $PANGRAM_TEXT |

## Notes

- **Every \`speech-*\` file is the same utterance** as \`$MASTER\`, so
  \`speech-16k-mono.txt\` is the transcript for all of them and word timings should agree
  across them (within resampling and lossy-codec tolerance).
- **Multichannel files carry the same signal in every channel.** In
  \`speech-16k-6ch.wav\` each of the six channels is bit-identical to the master, so a
  mixdown (mean of channels) reproduces the master exactly. In
  \`speech-44k1-stereo-pcm24.wav\` both channels are identical, so the mixdown equals the
  mono master resampled to 44.1 kHz. The script checks both claims.
- **Opus and sample rate.** libsndfile opens an Ogg Opus file at the original input rate
  stored in its header, not always at 48 kHz. \`$OPUS\` was encoded from 48 kHz audio
  and therefore opens as 48 kHz.
- **Silence.** espeak-ng leaves about 12 ms of silence before the first word; the trailing
  silence is cut to 0.1 s to keep the files small.
- **Bad inputs.** The "Duration" cell for the unreadable files gives the libsndfile error
  text (\`sf_strerror\`) seen when opening them. \`empty.wav\` is *not* an error for
  libsndfile: it opens fine with 0 frames.
- **Reproducibility.** With the same tool versions, every run gives byte-identical files. The
  PCM and FLAC files depend only on espeak-ng and the sox resampler. The Vorbis and Opus
  encoders use floating-point code that can differ with other library versions or CPU
  features, so on another machine those two files (and their checksums) may differ while
  decoding to the same speech. The versions used:
  espeak-ng $(pkg_version espeak-ng), sox $(pkg_version sox), opus-tools $(pkg_version opus-tools),
  libopus $(pkg_version libopus0), libvorbis $(pkg_version libvorbis0a), libFLAC $(pkg_version libflac12),
  libsndfile $LIBSNDFILE_VERSION.
EOF
} >"$STAGE/README.md"

(cd "$STAGE" && find . -maxdepth 1 -type f -printf '%f\n' | sort | xargs sha256sum) >"$WORK/manifest"
mv "$WORK/manifest" "$STAGE/MANIFEST.sha256"

# --- Publish -----------------------------------------------------------------------------
mkdir -p "$OUT"
find "$OUT" -mindepth 1 -delete
cp "$STAGE"/* "$OUT"/

log "wrote $OUT:"
while IFS='|' read -r name want_rate _; do
    size=$(stat -c %s "$OUT/$name")
    if [[ $want_rate == 0 ]]; then
        printf '  %-30s %8d B  unreadable by libsndfile (as intended): %s\n' "$name" "$size" "${ERRMSG[$name]}"
    else
        printf '  %-30s %8d B  %6s Hz  %s ch  %s\n' "$name" "$size" "${RATE[$name]}" "${CHANS[$name]}" \
            "$(seconds "${FRAMES[$name]}" "${RATE[$name]}")"
    fi
done <<<"$CATALOGUE"
for extra in speech-16k-mono.txt pangram-16k-mono.txt README.md MANIFEST.sha256; do
    printf '  %-30s %8d B\n' "$extra" "$(stat -c %s "$OUT/$extra")"
done
log "total $(du -cb "$OUT"/* | tail -1 | cut -f1) bytes in $(find "$OUT" -type f | wc -l) files"

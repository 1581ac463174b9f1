#!/usr/bin/env python3
"""Word timings of PocketSphinx 5 forced alignment, scored like `ground eval`.

Gives the README an established aligner's numbers next to ground's, on the same real speech:
the share of word starts and ends within 20/40/100 ms of the reference and the mean absolute
deviation in seconds (the paper's §3.3 metrics, `TimingMetrics.swift`).

    scripts/compare-pocketsphinx.sh ../shared/data/ljspeech-mfa/manifest.jsonl
    scripts/compare-pocketsphinx.sh ../shared/data/speechocean762-silver/manifest.jsonl@test --limit 300

Needs `pocketsphinx` (5.x, which ships its en-us model and CMUdict) and `soundfile`; the .sh
beside this file makes a venv with them. Optional: `espeak-ng` for `--oov espeak`.

Choices, so that the numbers sit beside ground's:
- Utterances are selected as `ground eval` selects them (DataSpec.swift): the split, not
  `suspect`, every word already in normalized form (so no `<unk>`), at least one word; then the
  first `--limit`. `--all` turns that filter off (the split still applies).
- Words missing from CMUdict: `--oov skip` (default) leaves the utterance out and counts it;
  `--oov espeak` adds a pronunciation made from espeak-ng's IPA.
- Predicted words are matched to reference words 1:1 by position. An utterance whose alignment
  fails or returns other words than the transcript's is a failure: left out of the main rows and
  reported; an extra row scores the failures' words as misses (beyond every tolerance).
"""

import argparse
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

from pocketsphinx import Decoder

SAMPLE_RATE = 16_000  # the en-us acoustic model's rate
TOLERANCES = (0.020, 0.040, 0.100)


# ---------------------------------------------------------------------------------------------
# Metrics


class TimingMetrics:
    """Mirrors GroundCore's TimingMetrics so both tools count a boundary the same way."""

    def __init__(self):
        self.count = 0
        self.within = [0] * len(TOLERANCES)
        self.error_sum = 0.0

    def add(self, predicted, reference):
        error = abs(predicted - reference)
        self.count += 1
        for i, tolerance in enumerate(TOLERANCES):
            # A hair of tolerance so that times rounded to milliseconds count on the boundary.
            if error <= tolerance + 1e-9:
                self.within[i] += 1
        self.error_sum += error

    def add_miss(self):
        """A word with no usable prediction: counts in n, within no tolerance, not in the MAD."""
        self.count += 1

    def shares(self):
        return [n / self.count if self.count else 0.0 for n in self.within]

    def mad(self):
        return self.error_sum / self.count if self.count else 0.0

    def fields(self):
        s20, s40, s100 = self.shares()
        return {"within_20ms": s20, "within_40ms": s40, "within_100ms": s100,
                "mad_seconds": self.mad(), "count": self.count}


def row(name, metrics, with_mad=True):
    # Same layout as `ground eval`'s table, so the two can be read side by side.
    shares = "  ".join(f"{100 * s:5.1f} %" for s in metrics.shares())
    mad = f"{metrics.mad():7.3f} s" if with_mad else "      — "
    return f"{name:<34}{shares}  {mad}  {metrics.count:6d}"


# ---------------------------------------------------------------------------------------------
# Data


def normalize(text):
    """The word form TextNormalizer.swift produces, to reproduce `ground eval`'s selection."""
    words, current = [], ""
    for ch in text.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            current += ch
        elif ch in "'\u2019\u2018\u02bc":
            if current:
                current += "'"
        else:
            words.append(current.rstrip("'"))
            current = ""
    words.append(current.rstrip("'"))
    return " ".join(w for w in words if w)


def read_manifest(spec, limit, keep_all):
    path, split = spec, None
    if "@" in os.path.basename(spec):
        path, split = spec.rsplit("@", 1)
    folder = os.path.dirname(os.path.abspath(path))
    total_in_split, selected = 0, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            if split is not None and entry.get("split") != split:
                continue
            total_in_split += 1
            words = entry["words"]
            usable = bool(words) and not entry.get("suspect", False) and all(
                w["word"] and normalize(w["word"]) == w["word"] for w in words)
            if not (usable or keep_all) or not words:
                continue
            audio = entry["audio"]
            entry["audio_path"] = audio if os.path.isabs(audio) else os.path.join(folder, audio)
            entry.setdefault("utt_id", os.path.splitext(os.path.basename(audio))[0])
            selected.append(entry)
    usable_count = len(selected)
    if limit is not None:
        selected = selected[:limit]
    return selected, usable_count, total_in_split


# ---------------------------------------------------------------------------------------------
# Audio


def resample(x, rate_in, rate_out, half_width=32, beta=8.6):
    """Kaiser-windowed sinc interpolation, polyphase.

    Enough for an aligner's 16 kHz MFCCs (its alignments match those on sox-resampled audio)
    without pulling in scipy or depending on a sox binary being installed.
    """
    if rate_in == rate_out:
        return x
    # With integer rates every output time falls on one of `up` fractional phases between input
    # samples, so the kernel is tabulated once per phase instead of per output sample.
    common = math.gcd(int(rate_in), int(rate_out))
    up, down = int(rate_out) // common, int(rate_in) // common
    # Cut off a little below the lower Nyquist so the transition band does not alias.
    cutoff = min(1.0, rate_out / rate_in) * 0.92
    offsets = np.arange(-half_width + 1, half_width + 1)
    distance = (np.arange(up) / up)[:, None] - offsets[None, :]      # (phase, tap)
    window = np.i0(beta * np.sqrt(np.clip(1 - (distance / half_width) ** 2, 0, None))) / np.i0(beta)
    table = cutoff * np.sinc(cutoff * distance) * window

    n_out = len(x) * up // down
    padded = np.concatenate([np.zeros(half_width, x.dtype), x, np.zeros(half_width + 1, x.dtype)])
    out = np.empty(n_out, dtype=np.float64)
    chunk = 8192  # bounds the (chunk x taps) work arrays to a few MB
    for begin in range(0, n_out, chunk):
        n = np.arange(begin, min(begin + chunk, n_out))
        base, phase = np.divmod(n * down, up)
        taps = base[:, None] + offsets[None, :] + half_width         # indices into `padded`
        out[begin:begin + len(n)] = np.einsum("ij,ij->i", padded[taps], table[phase])
    return out


def load_pcm16(path):
    """16 kHz mono 16-bit PCM bytes, as PocketSphinx's process_raw wants."""
    audio, rate = sf.read(path, dtype="float64", always_2d=True)
    mono = audio.mean(axis=1)
    mono = resample(mono, rate, SAMPLE_RATE)
    pcm = np.clip(np.round(mono * 32767), -32768, 32767).astype("<i2")
    return pcm.tobytes(), len(audio) / rate


# ---------------------------------------------------------------------------------------------
# Pronunciations for words CMUdict lacks

# espeak-ng's en-us IPA to the model's ARPAbet phones. Longest symbols are matched first, so
# diphthongs and affricates win over their parts; stress and length marks are dropped.
IPA_TO_ARPABET = {
    "aɪə": "AY ER", "aɪɚ": "AY ER", "eɪ": "EY", "aɪ": "AY", "ɔɪ": "OY", "aʊ": "AW", "oʊ": "OW",
    "əʊ": "OW", "tʃ": "CH", "dʒ": "JH", "ɪɹ": "IH R", "ɛɹ": "EH R", "ʊɹ": "UH R", "ɑɹ": "AA R",
    "ɔɹ": "AO R", "oɹ": "AO R", "ɪə": "IH R", "ɛə": "EH R", "ʊə": "UH R", "ɚɹ": "ER", "ɜɹ": "ER",
    "i": "IY", "ɪ": "IH", "ᵻ": "IH", "e": "EY", "ɛ": "EH", "æ": "AE", "a": "AE", "ɑ": "AA",
    "ɒ": "AA", "ɔ": "AO", "o": "OW", "ʊ": "UH", "u": "UW", "ʌ": "AH", "ə": "AH", "ɐ": "AH",
    "ɚ": "ER", "ɜ": "ER", "ɝ": "ER",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "ɡ": "G", "f": "F", "v": "V",
    "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH", "m": "M",
    "n": "N", "ŋ": "NG", "l": "L", "ɫ": "L", "ɹ": "R", "r": "R", "w": "W", "j": "Y",
    "ɾ": "T", "ʔ": "T", "x": "K",
}
IPA_DROP = re.compile("[ˈˌːˑ\u200d\u0329\u0361\\s-]")


def espeak_pronunciation(word):
    """ARPAbet phones for `word` from espeak-ng, or None if espeak is missing or a symbol is not mapped."""
    try:
        ipa = subprocess.run(["espeak-ng", "-q", "-v", "en-us", "--ipa=3", word],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    ipa = IPA_DROP.sub("", ipa)
    phones, i = [], 0
    longest = max(map(len, IPA_TO_ARPABET))
    while i < len(ipa):
        for size in range(longest, 0, -1):
            if ipa[i:i + size] in IPA_TO_ARPABET:
                phones.append(IPA_TO_ARPABET[ipa[i:i + size]])
                i += size
                break
        else:
            return None
    return " ".join(phones) or None


# ---------------------------------------------------------------------------------------------
# Alignment


def align(decoder, pcm, words):
    """Word (start, end) seconds in transcript order, or None when the alignment did not give the transcript's words."""
    decoder.set_align_text(" ".join(words))
    decoder.start_utt()
    # full_utt: the whole utterance is here, so cepstral mean normalization can use all of it.
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    frame_rate = decoder.config["frate"]
    timed = []
    for seg in decoder.seg() or []:  # None when the search found no path through the text
        name = seg.word
        if name.startswith("<") or name.startswith("["):  # <s>, </s>, <sil>, [NOISE]: not words
            continue
        name = re.sub(r"\(\d+\)$", "", name)  # alternate pronunciations are spelled "word(2)"
        # end_frame is the last frame of the word, inclusive.
        timed.append((name, seg.start_frame / frame_rate, (seg.end_frame + 1) / frame_rate))
    if [name for name, _, _ in timed] != words:
        return None
    return [(start, end) for _, start, end in timed]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", metavar="PATH[@SPLIT]", help="manifest (JSONL), optionally a split")
    parser.add_argument("--limit", type=int, help="at most N utterances (after selection)")
    parser.add_argument("--report", metavar="OUT.json", help="also write the numbers as JSON")
    parser.add_argument("--oov", choices=("skip", "espeak"), default="skip",
                        help="words missing from the dictionary: skip the utterance (default) "
                             "or add an espeak-ng pronunciation")
    parser.add_argument("--all", action="store_true",
                        help="do not apply ground eval's selection (suspect, <unk>, unnormalized words)")
    parser.add_argument("--hmm", help="acoustic model folder (default: the pocketsphinx package's en-us)")
    parser.add_argument("--dict", help="pronunciation dictionary (default: the package's CMUdict)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")
    args = parser.parse_args()

    utterances, usable_count, total_in_split = read_manifest(args.data, args.limit, args.all)
    if not utterances:
        sys.exit(f"{args.data}: no usable utterances")

    options = {"lm": None, "loglevel": "FATAL"}
    if args.hmm:
        options["hmm"] = args.hmm
    if args.dict:
        options["dict"] = args.dict
    # Only for dictionary look-ups and the configuration; each utterance gets a fresh decoder
    # (see below).
    decoder = Decoder(**options)
    progress = not args.quiet and sys.stderr.isatty()

    starts, ends = TimingMetrics(), TimingMetrics()
    starts_all, ends_all = TimingMetrics(), TimingMetrics()  # failures' words counted as misses
    skipped, failures, added = {}, [], {}
    audio_seconds = load_seconds = setup_seconds = align_seconds = 0.0
    wall_begin = time.perf_counter()

    for number, utt in enumerate(utterances, 1):
        reference = utt["words"]
        words = [w["word"].lower() for w in reference]
        missing = sorted({w for w in words if decoder.lookup_word(w) is None})
        if missing and args.oov == "espeak":
            for w in missing:
                # Placeholders such as <unk> stand for unknown speech, not a spelling to pronounce.
                phones = espeak_pronunciation(w) if normalize(w) == w else None
                if phones:
                    decoder.add_word(w, phones)
                    added[w] = phones
            missing = [w for w in missing if decoder.lookup_word(w) is None]
        if missing:
            skipped[utt["utt_id"]] = missing
            continue

        began = time.perf_counter()
        pcm, seconds = load_pcm16(utt["audio_path"])
        loaded = time.perf_counter()
        # A decoder carries feature-normalization state from one utterance to the next (the same
        # audio aligned after others moved a word start by 60 ms), which would make an
        # utterance's result depend on its place in the manifest and on --limit. A fresh one
        # costs about 0.13 s and aligns each file as a one-off run of PocketSphinx would.
        fresh = Decoder(**options)
        for w, phones in added.items():
            fresh.add_word(w, phones)
        ready = time.perf_counter()
        try:
            timings = align(fresh, pcm, words)
        except RuntimeError:  # e.g. an empty search graph; counts as a failed alignment
            timings = None
        # Kept apart: decoding and resampling are this script's cost, not PocketSphinx's.
        load_seconds += loaded - began
        setup_seconds += ready - loaded
        align_seconds += time.perf_counter() - ready
        audio_seconds += seconds

        if timings is None:
            failures.append(utt["utt_id"])
            for _ in reference:
                starts_all.add_miss()
                ends_all.add_miss()
        else:
            for (start, end), ref in zip(timings, reference):
                for metrics in (starts, starts_all):
                    metrics.add(start, ref["start"])
                for metrics in (ends, ends_all):
                    metrics.add(end, ref["end"])
        if progress and (number % 25 == 0 or number == len(utterances)):
            print(f"\r{args.data}: {number}/{len(utterances)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    wall_seconds = time.perf_counter() - wall_begin

    aligned = len(utterances) - len(skipped) - len(failures)
    title = (f"{args.data} — {aligned} utterances aligned, "
             f"PocketSphinx {importlib.metadata.version('pocketsphinx')} "
             f"forced alignment ({os.path.basename(decoder.config['hmm'])})")
    lines = [title, " " * 34 + "≤20 ms   ≤40 ms   ≤100 ms      MAD       n",
             row("word starts", starts), row("word ends", ends)]
    if failures:
        lines += [row("starts, failures as misses", starts_all, with_mad=False),
                  row("ends, failures as misses", ends_all, with_mad=False)]
    lines.append(
        f"utterances: {len(utterances)} selected"
        + (f" (the first {len(utterances)} of {usable_count})" if usable_count > len(utterances) else "")
        + (f", {total_in_split - usable_count} of {total_in_split} left out by ground eval's filter"
           if total_in_split > usable_count else "")
        + f", {aligned} aligned, {len(skipped)} skipped for words not in the dictionary"
        + f", {len(failures)} failed")
    if skipped:
        lines.append("  skipped: " + ", ".join(f"{u} ({' '.join(w)})" for u, w in skipped.items()))
    if added:
        lines.append("  espeak pronunciations: " + ", ".join(f"{w} = {p}" for w, p in added.items()))
    if failures:
        lines.append("  failed: " + ", ".join(failures))
    rtf = align_seconds / audio_seconds if audio_seconds else 0.0
    lines.append(f"time: {wall_seconds:.1f} s wall for {audio_seconds:.1f} s of audio; alignment "
                 f"{align_seconds:.1f} s, real-time factor {rtf:.3f} (one thread); "
                 f"model loading {setup_seconds:.1f} s, audio loading and resampling {load_seconds:.1f} s")
    print("\n".join(lines))

    if args.report:
        report = {
            "data": args.data, "aligner": "pocketsphinx", "model": decoder.config["hmm"],
            "dictionary": decoder.config["dict"], "oov": args.oov, "selection": "all" if args.all else "ground eval",
            "utterances_selected": len(utterances), "utterances_aligned": aligned,
            "skipped_oov": skipped, "failures": failures, "espeak_pronunciations": added,
            "word_starts": starts.fields(), "word_ends": ends.fields(),
            "word_starts_failures_as_misses": starts_all.fields(),
            "word_ends_failures_as_misses": ends_all.fields(),
            "audio_seconds": audio_seconds, "align_seconds": align_seconds, "load_seconds": load_seconds,
            "model_setup_seconds": setup_seconds,
            "wall_seconds": wall_seconds,
            "real_time_factor": rtf,
        }
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()

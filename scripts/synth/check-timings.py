#!/usr/bin/env python3
"""Checks the word times of a synthetic (or any) manifest against the audio.

    python3 scripts/synth/check-timings.py /work/data/synthetic/manifest.jsonl [-n 300] [--seed 1]
        [--split train] [--synth PATH] [--isolated 400]

1. Onset test, over N random clips: the share of word starts where the energy in the 30 ms
   before the start is at least 10 dB below the energy in the 100 ms after it. The same test at
   starts moved by -50, +50 ms and by a random +-100 ms is printed as a baseline: correct times
   should score clearly higher than shifted ones. In connected speech many words start with no
   dip at all (vowel after vowel, "we are"), so even perfect times do not reach 100 %; the split
   by context (after a pause vs inside a phrase) shows where the misses are.
2. Offset test, for words followed by a pause: energy in the 30 ms after the end at least 10 dB
   below the 100 ms before it.
3. espeak and flite (needs the built `synth`): each sampled word of a clean clip is spoken alone
   with the clip's voice and settings, and the energy envelope of its first 120 ms (from the
   engine's own start of the word) is slid over the clip's envelope around the labelled start;
   the best lag is how far the label is from where the isolated word matches. Prosody differs
   between a word alone and in a phrase, so this is noisy per word; its median shows bias. Words
   after a pause are skipped (their starts are moved to the acoustic onset on purpose); espeak's
   merged words are reported separately.

4. espeak merged-word estimator (needs `synth`): merged words get their start from phoneme
   events. The same estimator is also computed for words that do have a WORD event ("ps" in
   synth's reply), so re-speaking the transcripts of sampled espeak clips measures it directly
   against real events.

Needs only the standard library, numpy and the `flac` command (for FLAC files).
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import wave
from collections import defaultdict

import numpy as np


def read_audio(path: str) -> tuple[np.ndarray, int]:
    if path.endswith(".flac"):
        data = subprocess.run(["flac", "-d", "-c", "-s", path], capture_output=True, check=True).stdout
        f = wave.open(io.BytesIO(data))
    elif path.endswith(".wav"):
        f = wave.open(path)
    else:
        data = subprocess.run(["sox", path, "-t", "wav", "-b", "16", "-"], capture_output=True,
                              check=True).stdout
        f = wave.open(io.BytesIO(data))
    with f:
        sr, ch, n = f.getframerate(), f.getnchannels(), f.getnframes()
        x = np.frombuffer(f.readframes(n), dtype="<i2").astype(np.float64) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(1)
    return x, sr


def power(x: np.ndarray, sr: int, a: float, b: float) -> float:
    i, j = max(0, int(round(a * sr))), min(len(x), int(round(b * sr)))
    if j <= i:
        return 0.0
    return float(np.mean(x[i:j] ** 2))


def onset_ok(x, sr, t, before=0.03, after=0.10, db=10.0) -> bool:
    pb, pa = power(x, sr, t - before, t), power(x, sr, t, t + after)
    eps = 1e-12
    return 10 * np.log10(pb + eps) <= 10 * np.log10(pa + eps) - db


def offset_ok(x, sr, t, before=0.10, after=0.03, db=10.0) -> bool:
    pb, pa = power(x, sr, t - before, t), power(x, sr, t, t + after)
    eps = 1e-12
    return 10 * np.log10(pa + eps) <= 10 * np.log10(pb + eps) - db


def share(v):
    return f"{100.0 * sum(v) / len(v):5.1f} % of {len(v)}" if v else "    - (none)"


def log_env(x, sr, hop=0.005, floor_db=50.0):
    """5 ms log energy, floored 50 dB below the loudest frame so digital silence and low noise
    floors compare alike."""
    h = int(sr * hop)
    n = len(x) // h
    e = 10 * np.log10((x[:n * h].reshape(n, h) ** 2).mean(1) + 1e-12)
    return np.maximum(e, e.max() - floor_db) if n else e


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("manifest")
    ap.add_argument("-n", type=int, default=300, help="clips to sample")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", default=None)
    ap.add_argument("--synth", default=None, help="synth binary for the espeak isolated-word test")
    ap.add_argument("--isolated", type=int, default=400, help="words for the isolated-word test")
    a = ap.parse_args()

    base = os.path.dirname(os.path.abspath(a.manifest))
    rows = [json.loads(l) for l in open(a.manifest)]
    if a.split:
        rows = [r for r in rows if r.get("split") == a.split]
    rng = random.Random(a.seed)
    sample = rng.sample(rows, min(a.n, len(rows)))

    res = defaultdict(list)
    iso_candidates = []
    for r in sample:
        x, sr = read_audio(os.path.join(base, r["audio"]))
        engine = r.get("source", "?").split(":")[0]
        clean = "clean" if not r.get("augment") else "augmented"
        words = r["words"]
        for i, w in enumerate(words):
            t = w["start"]
            if t < 0.03:
                continue
            after_pause = i == 0 or t - words[i - 1]["end"] >= 0.02
            ctx = "after pause" if after_pause else "in phrase"
            ok = onset_ok(x, sr, t)
            for key in ("all", f"engine {engine}", f"{clean}", f"{ctx}",
                        f"{engine} {clean} {ctx}"):
                res[key].append(ok)
            if w.get("timing") == "espeak-merged":
                res["espeak merged words"].append(ok)
            res["baseline -50 ms"].append(onset_ok(x, sr, t - 0.05))
            res["baseline +50 ms"].append(onset_ok(x, sr, t + 0.05))
            res["baseline random +-100 ms"].append(onset_ok(x, sr, t + rng.uniform(-0.1, 0.1)))
            nxt = words[i + 1]["start"] if i + 1 < len(words) else None
            if nxt is None or nxt - w["end"] >= 0.05:
                res["offset before pause"].append(offset_ok(x, sr, w["end"]))
                res["offset before pause, +50 ms baseline"].append(offset_ok(x, sr, w["end"] - 0.05))
            if engine in ("espeak-ng", "flite") and clean == "clean" and not after_pause:
                iso_candidates.append((r, i, x, sr))

    print(f"{len(sample)} clips, {len(res['all'])} word starts from {a.manifest}")
    print("onset test: energy in the 30 ms before a start >= 10 dB below the 100 ms after it")
    order = ["all"] + sorted(k for k in res if k.startswith("engine ")) + \
        ["clean", "augmented", "after pause", "in phrase"] + \
        sorted(k for k in res if k.count(" ") >= 2 and k.split()[0] in ("espeak-ng", "flite", "festival")) + \
        ["espeak merged words", "baseline -50 ms", "baseline +50 ms", "baseline random +-100 ms",
         "offset before pause", "offset before pause, +50 ms baseline"]
    for k in order:
        if k in res:
            print(f"  {k:38s} {share(res[k])}")

    synth = a.synth
    if synth is None:
        found = sorted(glob.glob(os.path.join(base, ".tools", "synth-*")), key=os.path.getmtime)
        synth = found[-1] if found else None
    if not synth or not iso_candidates:
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from generate import resample  # noqa: E402
    rng.shuffle(iso_candidates)
    picks = iso_candidates[:a.isolated]
    lags = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        req = os.path.join(tmp, "req.tsv")
        with open(req, "w") as f:
            for k, (r, i, _, _) in enumerate(picks):
                p = r["voice_params"]
                eng, voice = r["source"].split(":", 1)
                nums = [p["rate"], p["pitch"], p["range"], 0] if eng == "espeak-ng" else \
                    [p["stretch"], p["pitch"], 0, 0]
                f.write("\t".join([str(k), "espeak" if eng == "espeak-ng" else "flite", voice,
                                   *map(str, nums), os.path.join(tmp, f"{k}.raw"),
                                   r["words"][i]["word"]]) + "\n")
        with open(req) as fin:
            out = subprocess.run([synth], stdin=fin, capture_output=True, text=True).stdout
        reps = {}
        for line in out.splitlines():
            d = json.loads(line)
            reps[int(d["id"])] = d
        for k, (r, i, x, sr) in enumerate(picks):
            d = reps.get(k)
            if not d or not d["ok"] or not d["words"]:
                continue
            iso = np.fromfile(os.path.join(tmp, f"{k}.raw"), dtype="<i2").astype(np.float64) / 32768
            iso = resample(iso[d["words"][0]["s"]:], d["sr"]).astype(np.float64)
            ti = log_env(iso, sr)[:24]                   # first 120 ms of the isolated word
            if len(ti) < 10:
                continue
            env = log_env(x, sr)
            t0 = int(round(r["words"][i]["start"] / 0.005))
            best, best_lag = None, 0
            for lag in range(-20, 21):                  # +-100 ms in 5 ms steps
                j = t0 + lag
                if j < 0 or j + len(ti) > len(env):
                    continue
                seg = env[j:j + len(ti)]
                # compare shapes, not levels: the clip has its own gain and prosody
                err = np.mean(np.abs((seg - seg.mean()) - (ti - ti.mean())))
                if best is None or err < best:
                    best, best_lag = err, lag
            if best is None:
                continue
            key = "espeak merged (estimated)" if r["words"][i].get("timing") == "espeak-merged" \
                else "espeak word event" if r["source"].startswith("espeak") else "flite segments"
            lags[key].append(best_lag * 5)
    ps_err = []
    esp = [r for r in sample if r.get("source", "").startswith("espeak-ng")]
    with tempfile.TemporaryDirectory() as tmp:
        req = os.path.join(tmp, "req.tsv")
        with open(req, "w") as f:
            for k, r in enumerate(esp):
                p = r["voice_params"]
                f.write("\t".join([str(k), "espeak", r["source"].split(":", 1)[1], str(p["rate"]),
                                   str(p["pitch"]), str(p["range"]), "0",
                                   os.path.join(tmp, "x.raw"), r["transcript"]]) + "\n")
        with open(req) as fin:
            out = subprocess.run([synth], stdin=fin, capture_output=True, text=True).stdout
    for line in out.splitlines():
        d = json.loads(line)
        if not d.get("ok"):
            continue
        for i, w in enumerate(d["words"]):
            if i > 0 and not w["m"] and w.get("ps", -1) >= 0:
                ps_err.append((w["ps"] - w["s"]) * 1000.0 / d["sr"])

    print("isolated-word test (clean clips, words inside phrases): lag between the labelled start")
    print("and the best match of the same word spoken alone by the same voice (5 ms steps, +-100 ms)")
    for k, v in sorted(lags.items()):
        s = np.array(v)
        v = np.abs(s)
        print(f"  {k:26s} n={len(v):4d}  signed median {np.median(s):+4.0f} ms, |lag| median {np.median(v):3.0f} ms  "
              f"within 10 ms {100 * np.mean(v <= 10):5.1f} %  within 20 ms {100 * np.mean(v <= 20):5.1f} %  "
              f"p90 {np.percentile(v, 90):4.0f} ms")
    if ps_err:
        e = np.abs(np.array(ps_err))
        print("espeak merged-word estimator on words that have a real WORD event "
              f"(n={len(e)}): within 5 ms {100 * np.mean(e <= 5):.1f} %, 10 ms "
              f"{100 * np.mean(e <= 10):.1f} %, 20 ms {100 * np.mean(e <= 20):.1f} %, 50 ms "
              f"{100 * np.mean(e <= 50):.1f} %, median {np.median(e):.1f} ms")


if __name__ == "__main__":
    main()

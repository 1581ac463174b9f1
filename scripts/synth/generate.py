"""Synthetic speech with exact word times, for training and evaluating `ground`.

Called by scripts/make-synthetic.sh, which installs the Debian packages and builds `synth`;
see scripts/synth/README.md for the design. In short: each split is cut into shards of a fixed
amount of audio; a shard is planned from its own seed (so the data does not depend on --jobs or
on which shards already exist), its utterances are spoken by espeak-ng and flite (through the
`synth` C program) and festival (one `festival --batch` run), word times are taken from the
engines and tidied with the audio's energy, utterances of one voice are joined into clips with
random pauses, the clips are augmented, written as FLAC, and the shard's manifest lines are
written last, atomically. A shard whose manifest exists with the same settings is skipped, so an
interrupted run resumes where it stopped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
import wave
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textgen  # noqa: E402

GENERATOR_VERSION = 1
SR = 16000
HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------------------------ voices ----

ESPEAK_LANGS = ["en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan",
                "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
# Variants change the formant voice (sex, age, breathiness) and, for klatt*, the synthesiser.
ESPEAK_TRAIN_VARIANTS = ["", "m1", "m2", "m3", "m4", "m5", "m6", "m8", "f1", "f2", "f3", "f4",
                         "klatt", "klatt2", "klatt3", "klatt4", "Annie", "linda", "steph",
                         "david", "edward", "grandma", "grandpa", "john", "paul", "quincy",
                         "travis", "victor", "shelby", "benjamin", "caleb", "michel"]
# Held out: never in train or dev (see README): two espeak timbres and festival's ked voice.
ESPEAK_HELDOUT_VARIANTS = ["m7", "f5"]
FLITE_VOICES = ["slt", "awb", "rms", "kal16"]
FESTIVAL_TRAIN = ["cmu_us_slt_arctic_hts", "kal_diphone"]
FESTIVAL_HELDOUT = ["ked_diphone"]


@dataclass(frozen=True)
class Voice:
    engine: str        # espeak | flite | festival
    name: str          # what the engine is given
    weight: float

    @property
    def source(self) -> str:
        return {"espeak": "espeak-ng", "flite": "flite", "festival": "festival"}[self.engine] \
            + ":" + self.name

    @property
    def speaker(self) -> str:
        return self.source.replace(":", "-").replace("+", "-")

    @property
    def timing(self) -> str:
        return {"espeak": "espeak-events", "flite": "flite-segments",
                "festival": "festival-segments"}[self.engine]


def voices_for(split: str, engines: dict[str, float]) -> list[Voice]:
    """Voices a split draws from, each weighted so the engines get their share of clips."""
    out: list[Voice] = []

    def add(engine, names):
        if engines.get(engine, 0) > 0 and names:
            out.extend(Voice(engine, n, engines[engine] / len(names)) for n in names)

    if split == "heldout":
        add("espeak", [f"{lang}+{v}" for lang in ESPEAK_LANGS for v in ESPEAK_HELDOUT_VARIANTS])
        add("festival", FESTIVAL_HELDOUT)
    else:
        add("espeak", [lang + (f"+{v}" if v else "") for lang in ESPEAK_LANGS
                       for v in ESPEAK_TRAIN_VARIANTS])
        add("flite", FLITE_VOICES)
        add("festival", FESTIVAL_TRAIN)
    return out


def voice_params(v: Voice, rng: random.Random) -> dict:
    """Per-clip speaking style. espeak rates stay below 450 wpm, where libsonic would speed the
    audio up after the word events were stamped and the events would no longer match."""
    if v.engine == "espeak":
        return {"rate": rng.randint(130, 250), "pitch": rng.randint(25, 75),
                "range": rng.randint(20, 80),
                "wordgap": rng.randint(1, 3) if rng.random() < 0.1 else 0}
    return {"stretch": round(rng.uniform(0.8, 1.3), 3), "pitch": round(rng.uniform(0.85, 1.2), 3)}


def seconds_per_word(v: Voice, p: dict) -> float:
    """Rough planning estimate; clips are packed from measured durations afterwards."""
    if v.engine == "espeak":
        return 60.0 / p["rate"] * 1.05
    return 0.36 * p["stretch"]


# ------------------------------------------------------------------------- signal bits ----

def resample(x: np.ndarray, sr_in: int) -> np.ndarray:
    """Band-limited resampling to 16 kHz by FFT. Zero-phase, so word times do not move; the
    spectrum is tapered over its top 10 % to keep the brick-wall ringing small."""
    if sr_in == SR:
        return x.astype(np.float32)
    n = len(x)
    m = int(round(n * SR / sr_in))
    pad = 256
    xp = np.concatenate([np.zeros(pad), x, np.zeros(pad)])
    npad = len(xp)
    mp = int(round(npad * SR / sr_in))
    X = np.fft.rfft(xp)
    keep = min(len(X), mp // 2 + 1)
    Y = np.zeros(mp // 2 + 1, dtype=complex)
    Y[:keep] = X[:keep]
    taper_start = int(keep * 0.9)
    Y[taper_start:keep] *= 0.5 * (1 + np.cos(np.linspace(0, np.pi, keep - taper_start)))
    y = np.fft.irfft(Y, mp) * (mp / npad)
    off = int(round(pad * SR / sr_in))
    return y[off:off + m].astype(np.float32)


def envelope(x: np.ndarray, sr: int, ms: float = 5.0) -> np.ndarray:
    w = max(1, int(sr * ms / 1000))
    c = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    half = w // 2
    idx = np.arange(len(x))
    lo = np.clip(idx - half, 0, len(x))
    hi = np.clip(idx - half + w, 0, len(x))
    return np.sqrt((c[hi] - c[lo]) / np.maximum(hi - lo, 1))


def band_mask(n: int, lo: float, hi: float, width: float = 100.0) -> np.ndarray:
    """Zero-phase band-pass gain for an rfft of length n (raised-cosine edges)."""
    f = np.fft.rfftfreq(n, 1.0 / SR)
    g = np.ones_like(f)
    if lo > 0:
        g *= np.clip((f - (lo - width / 2)) / width, 0, 1)
    if hi < SR / 2:
        g *= np.clip(((hi + width / 2) - f) / width, 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * g)


# ------------------------------------------------------------------------ word timing ----

REL_DB = -45.0       # "silent" = this far below the word's own loudest 5 ms
ABS_FLOOR = 10 ** (-75 / 20)
EDGE_MAX_S = 0.25    # onset/offset refinement never moves a time further than this


def refine_words(x: np.ndarray, sr: int, engine: str, raw: list[dict]) -> list[tuple[float, float, str]]:
    """Engine word times (samples) -> (start s, end s, flag) with the conventions of the README:
      * start: the engine's time; but a word after a pause (or at the utterance start) starts at
        its acoustic onset, since in silence a stop's closure cannot be heard and aligners of
        real speech put such starts at the onset too;
      * end: flite/festival: the last segment's end, pulled back over trailing silence before a
        pause; espeak has no end events, so the end is the last non-silent 5 ms frame before the
        next word's start (a following stop's closure therefore belongs to the next word, as in
        espeak's own word events).
    """
    n = len(x)
    env = envelope(x, sr)
    starts = [w["s"] for w in raw]
    out = []
    for i, w in enumerate(raw):
        s = w["s"]
        span_end = starts[i + 1] if i + 1 < len(raw) else n
        if engine == "espeak":
            e = span_end
            ten_ms = int(0.01 * sr)
            pp = s <= 0 or not np.any(np.abs(x[max(0, s - ten_ms):s]) > 1.5 / 32768)
            fp = True
        else:
            e = w["e"]
            pp, fp = bool(w["pp"]), bool(w["fp"])
        s0 = max(0, min(s, n - 1))
        e0 = max(s0 + 1, min(e, n))
        seg = env[s0:e0]
        thr = max(seg.max() * 10 ** (REL_DB / 20), ABS_FLOOR)
        loud = np.nonzero(seg > thr)[0]
        if len(loud) == 0:
            raise ValueError("silent word")
        lim = int(EDGE_MAX_S * sr)
        s, e = s0, e0
        if pp:
            s = s0 + min(int(loud[0]), lim)
        if engine == "espeak":
            e = s0 + int(loud[-1]) + 1
        elif fp:
            e = max(s0 + int(loud[-1]) + 1, e0 - lim)
        e = max(e, s + 1)
        out.append((s / sr, e / sr, w.get("m", "")))
    return out


# ----------------------------------------------------------------------------- engines ----

def run_synth(synth_bin: str, reqs: list[dict], tmp: str) -> dict[str, dict]:
    """espeak-ng and flite requests through one `synth` process; returns replies by id."""
    if not reqs:
        return {}
    path = os.path.join(tmp, "synth-requests.tsv")
    with open(path, "w") as f:
        for r in reqs:
            p = r["params"]
            if r["voice"].engine == "espeak":
                nums = (p["rate"], p["pitch"], p["range"], p["wordgap"])
            else:
                nums = (p["stretch"], p["pitch"], 0, 0)
            f.write("\t".join([r["id"], r["voice"].engine, r["voice"].name, *map(str, nums),
                               r["raw"], r["text"]]) + "\n")
    with open(path) as fin:
        proc = subprocess.run([synth_bin], stdin=fin, capture_output=True, text=True)
    replies = {}
    for line in proc.stdout.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        replies[d["id"]] = d
    if proc.returncode != 0:
        sys.stderr.write(f"synth exited {proc.returncode}: {proc.stderr[-500:]}\n")
    return replies


def _scm_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_festival(reqs: list[dict], tmp: str) -> dict[str, dict]:
    """All festival requests of a shard in one `festival --batch` run, grouped by voice."""
    if not reqs:
        return {}
    job = os.path.join(tmp, "festival-job.scm")
    with open(job, "w") as f:
        f.write(f"(load {_scm_str(os.path.join(HERE, 'festival-synth.scm'))})\n")
        by_voice: dict[str, list[dict]] = {}
        for r in reqs:
            by_voice.setdefault(r["voice"].name, []).append(r)
        for name in sorted(by_voice):
            f.write(f"(ground-voice {_scm_str(name)})\n")
            for r in by_voice[name]:
                p = r["params"]
                # unwind-protect: one utterance the front end chokes on must not end the batch
                f.write(f"(unwind-protect (ground-synth {_scm_str(r['text'])} {p['stretch']} "
                        f"{p['pitch']} {_scm_str(r['raw'])} {_scm_str(r['raw'] + '.times')}) "
                        f"(format stderr \"ground: failed {r['id']}\\n\"))\n")
    proc = subprocess.run(["festival", "--batch", job], capture_output=True, text=True)
    replies = {}
    for r in reqs:
        tpath = r["raw"] + ".times"
        if not (os.path.exists(r["raw"]) and os.path.exists(tpath)):
            continue
        try:
            with wave.open(r["raw"]) as w:
                sr = w.getframerate()
                nframes = w.getnframes()
            words = []
            for line in open(tpath):
                a = line.split()
                words.append({"s": int(round(float(a[0]) * sr)), "e": int(round(float(a[1]) * sr)),
                              "pp": int(a[2]), "fp": int(a[3]), "m": ""})
            replies[r["id"]] = {"ok": True, "sr": sr, "n": nframes, "words": words, "wav": True}
        except (OSError, ValueError, IndexError, wave.Error):
            continue
    if proc.returncode != 0 and not replies:
        sys.stderr.write(f"festival exited {proc.returncode}: {proc.stderr[-500:]}\n")
    return replies


def load_utterance(req: dict, rep: dict):
    """Reply -> (16 kHz float audio trimmed around the words, [(word, start, end, flag)])."""
    if rep.get("wav"):
        with wave.open(req["raw"]) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    else:
        pcm = np.fromfile(req["raw"], dtype="<i2")
    sr = rep["sr"]
    x = pcm.astype(np.float32) / 32768.0
    words = req["words"]
    if len(rep["words"]) != len(words) or len(x) < sr * 0.05:
        raise ValueError(f"{len(rep['words'])} timed tokens for {len(words)} words")
    timed = refine_words(x, sr, req["voice"].engine, rep["words"])
    for i in range(1, len(timed)):
        if timed[i][0] < timed[i - 1][0]:
            raise ValueError("starts out of order")
    # Trim to a little around the speech; clip assembly adds its own pauses.
    a = max(0, int((timed[0][0] - 0.03) * sr))
    b = min(len(x), int(math.ceil((timed[-1][1] + 0.06) * sr)))
    y = resample(x[a:b], sr)
    off = a / sr
    dur = len(y) / SR
    out = [(w, max(0.0, s - off), min(dur, e - off), m) for w, (s, e, m) in zip(words, timed)]
    return y, out


# ------------------------------------------------------------------------ augmentation ----

def speech_power(x: np.ndarray, words) -> float:
    idx = np.zeros(len(x), dtype=bool)
    for _, s, e, _ in words:
        idx[int(s * SR):int(e * SR)] = True
    seg = x[idx] if idx.any() else x
    return float(np.mean(seg.astype(np.float64) ** 2)) + 1e-12


def fft_convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = 1 << int(math.ceil(math.log2(len(x) + len(h))))
    return np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(h, n), n)[:len(x)]


def augment(x: np.ndarray, words, rng: np.random.Generator, babble_pool, clean: bool):
    """Returns (audio, [description]). Every operation is time-invariant and zero-delay or
    causal with its direct path at t = 0, so word times are unchanged."""
    ops = []
    x = x.astype(np.float64)
    if not clean:
        if rng.random() < 0.4:
            rt60 = rng.uniform(0.1, 0.6)
            n = int(rt60 * 1.2 * SR)
            t = np.arange(n) / SR
            tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60)
            tail[:int(rng.uniform(0.001, 0.01) * SR)] = 0.0      # the direct path comes first
            drr = rng.uniform(-3.0, 12.0)
            tail *= math.sqrt(10 ** (-drr / 10) / (np.sum(tail ** 2) + 1e-12))
            h = tail
            h[0] = 1.0
            x = fft_convolve(x, h)
            ops.append(f"reverb(rt60={rt60:.2f},drr={drr:.1f}dB)")
        if rng.random() < 0.7:
            kind = rng.choice(["white", "pink", "babble"] if babble_pool else ["white", "pink"])
            n = len(x)
            if kind == "white":
                noise = rng.standard_normal(n)
            elif kind == "pink":
                spec = np.fft.rfft(rng.standard_normal(n))
                f = np.fft.rfftfreq(n, 1.0 / SR)
                spec /= np.sqrt(np.maximum(f, 20.0))
                noise = np.fft.irfft(spec, n)
            else:
                k = int(rng.integers(3, 7))
                noise = np.zeros(n)
                for j in rng.choice(len(babble_pool), size=min(k, len(babble_pool)), replace=False):
                    b = babble_pool[j]
                    b = b / (np.sqrt(np.mean(b.astype(np.float64) ** 2)) + 1e-9)
                    reps = int(math.ceil(n / len(b))) + 1
                    tiled = np.tile(b, reps)
                    st = int(rng.integers(0, len(b)))
                    noise += tiled[st:st + n] * rng.uniform(0.5, 1.0)
            snr = rng.uniform(0.0, 30.0)
            pn = float(np.mean(noise ** 2)) + 1e-12
            x = x + noise * math.sqrt(speech_power(x, words) / pn / 10 ** (snr / 10))
            ops.append(f"noise({kind},snr={snr:.1f}dB)")
        if rng.random() < 0.3:
            r = rng.random()
            if r < 0.5:
                lo, hi, name = 300.0, 3400.0, "telephone"
            elif r < 0.8:
                lo, hi, name = 0.0, rng.uniform(2500, 6500), "lowpass"
            else:
                lo, hi, name = rng.uniform(150, 400), SR / 2, "highpass"
            n = len(x)
            x = np.fft.irfft(np.fft.rfft(x) * band_mask(n, lo, hi), n)
            ops.append(f"band({name},{lo:.0f}-{hi:.0f}Hz)")
    peak_db = rng.uniform(-24.0, -1.0)
    peak = float(np.max(np.abs(x))) + 1e-9
    g = 10 ** (peak_db / 20) / peak
    x = x * g
    ops.append(f"gain(peak={peak_db:.1f}dBFS)")
    return x.astype(np.float32), ops


# ------------------------------------------------------------------------------ shards ----

def shard_seed(seed: int, name: str) -> int:
    return int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:15], 16)


def write_wav(path: str, x: np.ndarray):
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def make_shard(job: dict) -> dict:
    """Generates one shard end to end; returns its statistics."""
    t0 = time.time()
    out, name, split, target = job["out"], job["name"], job["split"], job["target"]
    cfg = job["cfg"]
    seed = shard_seed(cfg["seed"], name)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    sampler = textgen.TextSampler(cfg["cache"], split)
    voices = voices_for(split, cfg["engines"])
    weights = [v.weight for v in voices]
    adir = os.path.join(out, "audio", name)
    tmp = os.path.join(out, "tmp", name)
    for d in (adir, tmp):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

    # 1. plan clips: voice, style, texts. Planned with ~25 % extra audio: clips are packed from
    # real durations below, and surplus utterances serve as babble noise.
    clips, reqs = [], []
    planned = 0.0
    while planned < target * 1.25 + 10:
        v = rng.choices(voices, weights=weights, k=1)[0]
        p = voice_params(v, rng)
        spw = seconds_per_word(v, p)
        T = rng.uniform(cfg["min_clip"], cfg["max_clip"])
        lead, tail = rng.uniform(0.05, 0.5), rng.uniform(0.05, 0.5)
        clip = {"voice": v, "params": p, "target": T, "lead": lead, "tail": tail, "utts": []}
        remaining = T - lead - tail
        while True:
            max_words = int(remaining / spw)
            if clip["utts"] and max_words < 2:
                break
            utt, kind = sampler.sample(rng, max(1, min(max_words, 30)))
            uid = f"{len(clips)}-{len(clip['utts'])}"
            r = {"id": uid, "voice": v, "params": p, "words": [w for w, _ in utt], "kind": kind,
                 "text": textgen.tts_text(utt), "raw": os.path.join(tmp, uid + ".raw"),
                 "pause": rng.uniform(0.1, 1.5)}
            if v.engine == "festival":
                r["raw"] = os.path.join(tmp, uid + ".wav")
            clip["utts"].append(r)
            reqs.append(r)
            remaining -= len(utt) * spw + r["pause"]
            if remaining <= 0:
                break
        clips.append(clip)
        planned += T

    # 2. speak
    t1 = time.time()
    replies = run_synth(cfg["synth"], [r for r in reqs if r["voice"].engine != "festival"], tmp)
    t2 = time.time()
    replies.update(run_festival([r for r in reqs if r["voice"].engine == "festival"], tmp))
    t3 = time.time()

    # 3. word times, trimming, resampling
    failed = 0
    fail_by_engine: dict[str, int] = {}
    fail_reasons: dict[str, int] = {}
    for r in reqs:
        rep = replies.get(r["id"])
        try:
            if not rep or not rep.get("ok"):
                raise ValueError(rep.get("error", "no reply") if rep else "no reply")
            r["audio"], r["timed"] = load_utterance(r, rep)
        except (ValueError, OSError) as exc:
            failed += 1
            fail_by_engine[r["voice"].engine] = fail_by_engine.get(r["voice"].engine, 0) + 1
            reason = f"{r['voice'].engine}: {str(exc)[:60]}"
            fail_reasons[reason] = fail_reasons.get(reason, 0) + 1
            r["audio"] = None
            r["error"] = str(exc)
        for f in (r["raw"], r["raw"] + ".times"):
            if os.path.exists(f):
                os.remove(f)

    # 4. pack clips from real durations
    packed = []
    total = 0.0
    for ci, clip in enumerate(clips):
        if total >= target:
            break
        good = [u for u in clip["utts"] if u["audio"] is not None]
        if not good:
            continue
        lead, tail = clip["lead"], clip["tail"]
        parts, t = [], lead
        for u in good:
            d = len(u["audio"]) / SR
            gap = u["pause"] if parts else 0.0
            if t + gap + d + tail > cfg["max_clip"]:
                if parts:
                    break
                lead = tail = 0.05                     # a long first utterance: shrink edges
                t = lead
                if t + d + tail > cfg["max_clip"]:
                    break
            parts.append((u, t + gap))
            u["used"] = True
            t += gap + d
        if not parts:
            continue
        dur = max(t + tail, cfg["min_clip"])
        packed.append((ci, clip, parts, dur))
        total += dur
    pool = [u["audio"] for c in clips for u in c["utts"] if u["audio"] is not None]

    # 5. assemble, augment, write
    rows = []
    for ci, clip, parts, dur in packed:
        n = int(round(dur * SR))
        x = np.zeros(n, dtype=np.float32)
        words = []
        kinds = []
        for u, at in parts:
            o = int(round(at * SR))
            seg = u["audio"][:max(0, n - o)]
            x[o:o + len(seg)] += seg
            for w, s, e, m in u["timed"]:
                words.append((w, o / SR + s, o / SR + e, m))
            kinds.append(u["kind"])
        v = clip["voice"]
        # babble from the shard's other voices, so the target voice is not also the noise
        other_voices = [u["audio"] for c in clips if c["voice"] != v for u in c["utts"]
                        if u["audio"] is not None]
        clean = rng.random() < cfg["clean_fraction"]
        y, ops = augment(x, words, nrng, other_voices or pool, clean)
        utt_id = f"syn{cfg['seed']}-{name}-{ci:04d}"
        rel = f"audio/{name}/{utt_id}.wav"
        write_wav(os.path.join(out, rel), y)
        wl = []
        merged = False
        for w, s, e, m in words:
            d = {"word": w, "start": round(s, 3), "end": round(max(e, s + 0.001), 3)}
            if m:
                d["timing"] = "espeak-merged"
                merged = True
            wl.append(d)
        suspect = any(d["end"] - d["start"] > 2.0 or d["end"] - d["start"] < 0.015 for d in wl)
        rows.append({
            "audio": rel.replace(".wav", "." + cfg["format"]) if cfg["format"] != "wav" else rel,
            "words": wl, "transcript": " ".join(d["word"] for d in wl),
            "duration": round(len(y) / SR, 3), "speaker": v.speaker, "utt_id": utt_id,
            "split": split, "source": v.source,
            "timing": v.timing + ("+espeak-merged" if merged else ""), "suspect": suspect,
            "augment": [] if clean else ops[:-1], "gain": ops[-1],
            "voice_params": clip["params"], "text_kinds": sorted(set(kinds)),
        })
    t4 = time.time()
    if cfg["format"] == "flac" and rows:
        wavs = sorted(f for f in os.listdir(adir) if f.endswith(".wav"))
        subprocess.run(["flac", "--silent", "--force", "--delete-input-file", "-5", *wavs],
                       cwd=adir, check=True)
    t5 = time.time()
    shutil.rmtree(tmp, ignore_errors=True)
    stats = {"name": name, "split": split, "target": target, "clips": len(rows),
             "seconds": round(sum(r["duration"] for r in rows), 3),
             "utterances": len(reqs), "failed": failed, "failed_by_engine": fail_by_engine,
             "fail_reasons": fail_reasons,
             "wall": round(t5 - t0, 2),
             "time": {"plan": round(t1 - t0, 2), "espeak+flite": round(t2 - t1, 2),
                      "festival": round(t3 - t2, 2), "post": round(t4 - t3, 2),
                      "flac": round(t5 - t4, 2)},
             "config": job["cfg_hash"]}
    sdir = os.path.join(out, "shards")
    with open(os.path.join(sdir, name + ".jsonl.tmp"), "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    with open(os.path.join(sdir, name + ".json"), "w") as f:
        json.dump(stats, f)
    os.replace(os.path.join(sdir, name + ".jsonl.tmp"), os.path.join(sdir, name + ".jsonl"))
    return stats


def shard_done(out: str, name: str, target: float, cfg_hash: str) -> dict | None:
    sdir = os.path.join(out, "shards")
    try:
        stats = json.load(open(os.path.join(sdir, name + ".json")))
    except (OSError, ValueError):
        return None
    if not os.path.exists(os.path.join(sdir, name + ".jsonl")):
        return None
    if stats.get("config") != cfg_hash or abs(stats.get("target", -1) - target) > 1e-6:
        return None
    return stats


# -------------------------------------------------------------------------------- main ----

def _sum_dicts(ds):
    out: dict = {}
    for d in ds:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/work/data/synthetic")
    ap.add_argument("--hours", type=float, default=3.0, help="train audio, hours")
    ap.add_argument("--dev-hours", type=float, default=None, help="default: hours / 10")
    ap.add_argument("--heldout-hours", type=float, default=None, help="default: hours / 10")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-clip-seconds", type=float, default=None)
    ap.add_argument("--max-clip-seconds", type=float, default=None)
    ap.add_argument("--long-clips", action="store_true",
                    help="30-60 s clips for length-generalisation evaluation")
    ap.add_argument("--clean-fraction", type=float, default=0.35)
    ap.add_argument("--format", choices=["flac", "wav"], default="flac")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shard-minutes", type=float, default=5.0)
    ap.add_argument("--engines", default="espeak=0.45,flite=0.3,festival=0.25",
                    help="share of clips per engine, e.g. espeak=1 for espeak only")
    ap.add_argument("--synth", required=True, help="path of the built synth program")
    ap.add_argument("--cache", default=None, help="text corpus cache (default OUT/.cache)")
    a = ap.parse_args()

    min_clip = a.min_clip_seconds if a.min_clip_seconds is not None else (30.0 if a.long_clips else 1.0)
    max_clip = a.max_clip_seconds if a.max_clip_seconds is not None else (60.0 if a.long_clips else 15.0)
    if not 0 < min_clip <= max_clip:
        ap.error("need 0 < min clip seconds <= max clip seconds")
    engines = {}
    for part in a.engines.split(","):
        k, _, w = part.partition("=")
        engines[k.strip()] = float(w or 1)
    out = os.path.abspath(a.out)
    cache = a.cache or os.path.join(out, ".cache")
    os.makedirs(os.path.join(out, "shards"), exist_ok=True)
    t0 = time.time()
    info = textgen.build(cache)
    print(f"text: {info['sentences']} sentences ({info['prose_word_types']} word types), "
          f"{info['broad_word_types']} word types in the broad list", flush=True)

    cfg = {"seed": a.seed, "min_clip": min_clip, "max_clip": max_clip, "format": a.format,
           "clean_fraction": a.clean_fraction, "engines": engines, "version": GENERATOR_VERSION,
           "shard_minutes": a.shard_minutes}
    # The code is part of the configuration: a changed engine program or script regenerates
    # the shards instead of mixing old and new data.
    code = hashlib.sha256()
    for f in ("generate.py", "textgen.py", "festival-synth.scm", "synth.c"):
        code.update(open(os.path.join(HERE, f), "rb").read())
    cfg["code"] = code.hexdigest()[:16]
    cfg_hash = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]
    cfg.update({"synth": os.path.abspath(a.synth), "cache": cache})

    hours = {"train": a.hours,
             "dev": a.dev_hours if a.dev_hours is not None else a.hours / 10,
             "heldout": a.heldout_hours if a.heldout_hours is not None else a.hours / 10}
    jobs, done = [], []
    shard_s = a.shard_minutes * 60
    for split in ("train", "dev", "heldout"):
        total = hours[split] * 3600
        k = 0
        while total > 1:
            target = min(shard_s, total)
            name = f"{split}-{k:04d}"
            job = {"out": out, "name": name, "split": split, "target": target, "cfg": cfg,
                   "cfg_hash": cfg_hash}
            st = shard_done(out, name, target, cfg_hash)
            (done if st else jobs).append(st or job)
            total -= target
            k += 1
    all_names = [d["name"] for d in done] + [j["name"] for j in jobs]
    goal = sum(hours.values()) * 3600
    have = sum(d["seconds"] for d in done)
    print(f"plan: {len(all_names)} shards ({len(done)} already done, {have / 3600:.2f} h), "
          f"target {goal / 3600:.2f} h, clips {min_clip:g}-{max_clip:g} s, {a.jobs} jobs", flush=True)

    stats = list(done)
    if jobs:
        made = 0.0
        t_start = time.time()
        with ProcessPoolExecutor(max_workers=a.jobs) as ex:
            futs = {ex.submit(make_shard, j): j for j in jobs}
            for fut in as_completed(futs):
                st = fut.result()
                stats.append(st)
                made += st["seconds"]
                el = time.time() - t_start
                rate = made / 3600 / (el / 60)
                left = goal - have - made
                eta = left / 3600 / rate if rate > 0 else float("nan")
                fails = f", {st['failed']} failed utterances {st['failed_by_engine']}" if st["failed"] else ""
                print(f"[{len(stats)}/{len(all_names)}] {st['name']}: {st['seconds']:.0f} s in "
                      f"{st['clips']} clips, {st['wall']:.0f} s wall{fails}; "
                      f"{(have + made) / 3600:.2f}/{goal / 3600:.2f} h, "
                      f"{rate:.3f} audio-h/min, ETA {eta:.0f} min", flush=True)

    try:
        os.rmdir(os.path.join(out, "tmp"))        # per-shard scratch dirs are gone by now
    except OSError:
        pass
    # manifest: every shard of this configuration, in a stable order
    order = {n: i for i, n in enumerate(all_names)}
    tmpm = os.path.join(out, "manifest.jsonl.tmp")
    n_rows = 0
    with open(tmpm, "w") as f:
        for name in sorted(all_names, key=order.get):
            for line in open(os.path.join(out, "shards", name + ".jsonl")):
                f.write(line)
                n_rows += 1
    os.replace(tmpm, os.path.join(out, "manifest.jsonl"))
    by_split: dict[str, float] = {}
    for s in stats:
        by_split[s["split"]] = by_split.get(s["split"], 0) + s["seconds"]
    summary = {"clips": n_rows, "hours": {k: round(v / 3600, 3) for k, v in by_split.items()},
               "failed_utterances": sum(s["failed"] for s in stats),
               "fail_reasons": _sum_dicts(s.get("fail_reasons", {}) for s in stats),
               "utterances": sum(s["utterances"] for s in stats),
               "config": {k: v for k, v in cfg.items() if k not in ("synth", "cache")},
               "config_hash": cfg_hash}
    json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
    el = time.time() - t0
    print(f"done: {n_rows} clips, " + ", ".join(f"{k} {v:.2f} h" for k, v in summary["hours"].items())
          + f"; manifest {os.path.join(out, 'manifest.jsonl')} ({el / 60:.1f} min this run)", flush=True)


if __name__ == "__main__":
    main()

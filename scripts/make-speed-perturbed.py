#!/usr/bin/env python3
"""Speed-perturbed copies of a manifest's real speech (Kaldi-style 0.9x / 1.1x), word times rescaled.

    python3 scripts/make-speed-perturbed.py --manifest ../shared/data/speechocean762-silver/manifest.jsonl \
        --split train --out /work/data/speechocean-speed [--factors 0.9,1.1] [--jobs 2]

`sox IN OUT speed F` plays the audio F times faster (tempo and pitch together, like a different vocal
tract and speaking rate), so every time becomes t / F. The real training speech is only a few hours
from 250 speakers; perturbed copies add speaking rates and voice pitches the model would otherwise not
hear. Utterances marked `suspect` are skipped. Output (FLAC, 16 kHz mono) and manifest go to --out,
never into the repository; a finished file is kept, so running the command again resumes.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", required=True)
    parser.add_argument("--factors", default="0.9,1.1")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    repo = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
    out = os.path.realpath(args.out)
    if out == repo or out.startswith(repo + os.sep):
        sys.exit(f"make-speed-perturbed: --out must be outside the repository ({repo})")
    factors = [float(f) for f in args.factors.split(",")]
    base = os.path.dirname(os.path.realpath(args.manifest))
    with open(args.manifest) as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    records = [r for r in records if r.get("split") == args.split and not r.get("suspect")]
    os.makedirs(os.path.join(out, "audio"), exist_ok=True)

    jobs = []
    for record in records:
        stem = os.path.splitext(os.path.basename(record["audio"]))[0]
        for factor in factors:
            name = f"audio/{stem}-sp{factor:g}.flac"
            jobs.append((record, factor, name))

    def convert(job):
        record, factor, name = job
        target = os.path.join(out, name)
        if not os.path.exists(target):
            partial = target + ".part.flac"
            subprocess.run(["sox", os.path.join(base, record["audio"]), "-r", "16000", "-c", "1", partial,
                            "speed", f"{factor:g}", "rate", "16000"], check=True, stderr=subprocess.DEVNULL)
            os.replace(partial, target)
        scaled = dict(record)
        scaled["audio"] = name
        scaled["utt_id"] = f"{record.get('utt_id', '')}-sp{factor:g}"
        scaled["duration"] = round(record["duration"] / factor, 3)
        scaled["words"] = [dict(w, start=round(w["start"] / factor, 3), end=round(w["end"] / factor, 3))
                           for w in record["words"]]
        scaled["source"] = f"{record.get('source', '')} speed {factor:g}"
        return scaled

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(convert, jobs))
    manifest = os.path.join(out, "manifest.jsonl")
    with open(manifest + ".tmp", "w") as handle:
        for record in results:
            handle.write(json.dumps(record) + "\n")
    os.replace(manifest + ".tmp", manifest)
    hours = sum(r["duration"] for r in results) / 3600
    print(f"make-speed-perturbed: {len(results)} utterances, {hours:.2f} h -> {manifest}", file=sys.stderr)


if __name__ == "__main__":
    main()

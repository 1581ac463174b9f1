#!/usr/bin/env python3
"""Print the development curve of a `ground train` log: word starts within 20/40/100 ms for the
transcript task, its random-words control, and the query task, per evaluation."""
import json
import sys


def share(metrics):
    return "/".join(f"{100 * metrics[k]:.1f}" for k in ("within_20ms", "within_40ms", "within_100ms"))


def main(path):
    print(f"{'step':>6} {'audio h':>8}  {'data':<52} {'transcript':>16} {'control':>16} {'query':>16}")
    with open(path) as log:
        for line in log:
            entry = json.loads(line)
            if entry.get("event") != "dev":
                continue
            print(f"{entry['step']:>6} {entry['audio_hours']:>8.1f}  {entry['data'][-52:]:<52} "
                  f"{share(entry['transcript_starts']):>16} {share(entry['control_random_words_starts']):>16} "
                  f"{share(entry['query_starts']):>16}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: curves.py TRAIN_LOG")
    main(sys.argv[1])

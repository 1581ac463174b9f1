#!/usr/bin/env python3
"""Read a TextGrid written by `ground --format textgrid` with praatio (an independent reader,
`pip install praatio`) and check it: one IntervalTier "words" whose intervals tile the file's
domain, each lasting more than zero seconds. With a JSON result of the same run
(`ground ... --format json`), also check that the words are those of the result, in order.

    python3 scripts/check-textgrid.py x.TextGrid [x.json]

Prints the words with their times (seconds) and exits 1 on the first problem."""
import json
import sys

from praatio import textgrid


def main(path, json_path=None):
    try:
        grid = textgrid.openTextgrid(path, includeEmptyIntervals=True, reportingMode="error")
    except Exception as error:  # praatio rejects overlaps and malformed files with its own errors
        print(f"check-textgrid: {path}: praatio cannot read it: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    problems = []
    if list(grid.tierNames) != ["words"]:
        return report(path, [f"tiers {list(grid.tierNames)}, expected ['words']"])
    tier = grid.getTier("words")
    if tier.tierType != "IntervalTier":
        problems.append("the 'words' tier is not an IntervalTier")
    time = grid.minTimestamp
    for start, end, label in tier.entries:
        if start != time:
            problems.append(f"interval '{label}' starts at {start}, the previous one ended at {time}")
        if not end > start:
            problems.append(f"interval '{label}' is empty or reversed: {start}–{end}")
        time = end
    if time != grid.maxTimestamp:
        problems.append(f"the intervals end at {time}, the file at {grid.maxTimestamp}")
    words = [(label, start, end) for start, end, label in tier.entries if label]
    if json_path:
        with open(json_path) as file:
            result = json.load(file)
        expected = [stamp["word"] for stamp in result["timestamps"]]
        if [word for word, _, _ in words] != expected:
            problems.append(f"words {[w for w, _, _ in words]} differ from the JSON result's {expected}")
    for word, start, end in words:
        print(f"{start:9.3f} {end:9.3f}  {word}")
    return report(path, problems)


def report(path, problems):
    for problem in problems:
        print(f"check-textgrid: {path}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))

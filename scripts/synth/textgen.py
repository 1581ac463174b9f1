"""English text for the synthetic-speech generator, from what Debian packages ship offline.

Why these sources:
  * fortunes (fortune-mod's `fortunes` package): ~15,000 quotations, jokes and short stories,
    about 450,000 words of real English prose with names, dialogue and numbers; their
    attributions ("-- Mark Twain") add many proper names.
  * jargon-text: the Jargon File, ~100,000 more words of prose in a different register.
  * wamerican-large (/usr/share/dict/american-english-large): ~115,000 word types without
    possessives, including place and person names. Random sequences drawn from it put rare words
    into the data, which prose alone would almost never contain.
Prose gives natural prosody and function-word contexts; random sequences give vocabulary breadth;
templates give numbers, dates, times and money, written with digits and normalised to words
here, so transcripts never contain digits or symbols.

Every utterance is a list of (word, punct) pairs: word is [a-z0-9']+ (in practice [a-z']+, since
numbers are spelled out), punct is "" or one of , . ? ! and only shapes the engine's prosody and
pauses; the transcript is the words alone.

Run `python3 textgen.py build CACHE_DIR` to build the corpus cache (done by generate.py), or
`python3 textgen.py sample CACHE_DIR N` to print N sample utterances.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import sys
import unicodedata
from collections import Counter

FORTUNE_DIR = "/usr/share/games/fortunes"
JARGON = "/usr/share/doc/jargon-text/jargon.txt.gz"
WORDLIST = "/usr/share/dict/american-english-large"
CACHE_VERSION = 3

# A few slurs are kept out of the random-word draws and out of prose. They are stored as
# truncated SHA-1 digests so this file does not spell them out.
_BLOCKED = {
    '0391a1e58f32', '0b77230a89e4', '17544c65e715', '21554666d275', '23c1bf668c18',
    '28ddedf202cc', '2f9396139d37', '320d1a474a0d', '36b7542f9635', '3844f1150f73',
    '3852a12677f0', '38cbc7bbe54a', '4717776eff52', '737de7673447', '85fe8de475bc',
    '8c4947e96c7c', '8f709233af3e', '926dee392274', '9d3ec51f6f84', 'ab440bfa3242',
    'ac04b70e6de3', 'b1aa14315bdb', 'c016fad84319', 'c79f5fd8553f', 'cdb96284a9ff',
    'd64a57b064fd', 'f76ed590b7a5', 'f8a17e958f70', 'f9c8390832e5', 'fefacb3323cc',
}


def blocked(word: str) -> bool:
    return hashlib.sha1(word.encode()).hexdigest()[:12] in _BLOCKED


# ----------------------------------------------------------------------------- numbers ----

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORD_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                  "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def cardinal(n: int) -> list[str]:
    """English cardinal, no "and": 1234 -> one thousand two hundred thirty four."""
    if n < 0:
        return ["minus"] + cardinal(-n)
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        t, o = divmod(n, 10)
        return [_TENS[t]] + ([_ONES[o]] if o else [])
    if n < 1000:
        h, r = divmod(n, 100)
        return [_ONES[h], "hundred"] + (cardinal(r) if r else [])
    for value, name in _SCALES:
        if n >= value:
            q, r = divmod(n, value)
            return cardinal(q) + [name] + (cardinal(r) if r else [])
    raise AssertionError


def ordinal(n: int) -> list[str]:
    words = cardinal(n)
    last = words[-1]
    if last in _ORD_IRREGULAR:
        last = _ORD_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last = last + "th"
    return words[:-1] + [last]


def year(n: int) -> list[str]:
    """Years the way they are read: 1984 -> nineteen eighty four, 2005 -> two thousand five."""
    if 2000 <= n <= 2009:
        return cardinal(n)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return cardinal(hi) + ["hundred"]
    if lo < 10:
        return cardinal(hi) + ["oh", _ONES[lo]]
    return cardinal(hi) + cardinal(lo)


def digits(s: str) -> list[str]:
    return ["oh" if c == "0" else _ONES[int(c)] for c in s]


# ------------------------------------------------------------------------ normalising ----

_ABBREV = {
    "mr": ["mister"], "mrs": ["missus"], "ms": ["miz"], "dr": ["doctor"], "st": ["saint"],
    "jr": ["junior"], "sr": ["senior"], "vs": ["versus"], "etc": ["et", "cetera"],
    "prof": ["professor"], "gen": ["general"], "sen": ["senator"], "rev": ["reverend"],
    "capt": ["captain"], "lt": ["lieutenant"], "col": ["colonel"], "sgt": ["sergeant"],
    "wm": ["william"], "co": ["company"], "inc": ["incorporated"], "ltd": ["limited"],
    "mt": ["mount"], "ft": ["feet"], "lb": ["pounds"], "lbs": ["pounds"], "oz": ["ounces"],
    "no": ["no"], "vol": ["volume"], "ch": ["chapter"], "pp": ["pages"], "p": ["page"],
}
_SYMBOL_WORDS = {"&": ["and"], "%": ["percent"], "+": ["plus"], "=": ["equals"], "@": ["at"]}
_CLAUSE_PUNCT = {",": ",", ";": ",", ":": ",", ".": ".", "?": "?", "!": "!"}
_WORD_RE = re.compile(r"^[a-z]+(?:'[a-z]+)*$")
_NUM_RE = re.compile(r"^(\$|£)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%|st|nd|rd|th|s|'s)?$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(am|pm)?$")


class Reject(Exception):
    """The text holds something that cannot be read out unambiguously (code, URLs, symbols)."""


def _number_words(tok: str) -> list[str]:
    m = _TIME_RE.match(tok)
    if m:
        h, mm, ap = int(m.group(1)), int(m.group(2)), m.group(3)
        out = cardinal(h)
        if mm == 0:
            out += ["o'clock"] if not ap else []
        elif mm < 10:
            out += ["oh", _ONES[mm]]
        else:
            out += cardinal(mm)
        if ap:
            out += [ap[0], "m"]
        return out
    m = _NUM_RE.match(tok)
    if not m:
        raise Reject(tok)
    cur, whole, frac, suffix = m.group(1), m.group(2).replace(",", ""), m.group(3), m.group(4)
    n = int(whole)
    if len(whole) > 13:
        raise Reject(tok)
    if suffix in ("st", "nd", "rd", "th"):
        return ordinal(n)
    if suffix in ("s", "'s"):                          # the 1960s, 747s
        words = year(n) if 1100 <= n <= 2099 and not cur else cardinal(n)
        last = words[-1]
        words[-1] = last[:-1] + "ies" if last.endswith("y") else last + "s"
        return words
    if cur:
        unit = "dollar" if cur == "$" else "pound"
        out = cardinal(n) + [unit if n == 1 else unit + "s"]
        if frac and int(frac[:2].ljust(2, "0")):
            cents = int(frac[:2].ljust(2, "0"))
            out += ["and"] + cardinal(cents) + ["cent" if cents == 1 else "cents"]
        return out
    if frac is not None:
        out = cardinal(n) + ["point"] + digits(frac)
    elif 1100 <= n <= 2099 and "," not in m.group(2) and len(whole) == 4:
        out = year(n)
    elif len(whole) > 1 and whole.startswith("0"):
        out = digits(whole)                           # 007, zip codes
    else:
        out = cardinal(n)
    if suffix == "%":
        out += ["percent"]
    return out


def normalise(text: str) -> list[tuple[str, str]]:
    """Raw English text -> [(word, punct)]. Raises Reject for text that cannot be read out."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("--", ", ").replace("...", ". ")
    out: list[tuple[str, str]] = []
    for raw in text.split():
        # split hyphenated and slashed compounds; keep each piece's trailing punctuation
        pieces = [p for p in re.split(r"(?<=[A-Za-z0-9])[-/](?=[A-Za-z0-9$])", raw) if p]
        for tok in pieces:
            tok = tok.strip("\"`()[]{}<>*_")
            punct = ""
            while tok and tok[-1] in ",.;:!?\"')]}*_":
                if tok[-1] in _CLAUSE_PUNCT and not punct:
                    punct = _CLAUSE_PUNCT[tok[-1]]
                tok = tok[:-1]
            tok = tok.lstrip("'\"(`[{*_")
            if not tok:
                if punct and out and not out[-1][1]:
                    out[-1] = (out[-1][0], punct)
                continue
            low = tok.lower()
            if low in _SYMBOL_WORDS:
                words = _SYMBOL_WORDS[low]
            elif low.rstrip(".") in _ABBREV and (raw.endswith(".") or low in ("mr", "mrs", "dr")):
                words = _ABBREV[low.rstrip(".")]
                if punct == ".":
                    punct = ""                         # "Mr." does not end the sentence
            elif _WORD_RE.match(low):
                words = [low]
            elif re.match(r"^[$£]?\d", low):
                words = _number_words(low)
            elif re.match(r"^[a-z]+'$", low):           # goin', students'
                words = [low[:-1]]
            elif "." in low and re.match(r"^([a-z]\.)+[a-z]?$", low):
                words = [c for c in low if c != "."]      # U.S.A -> u s a
            else:
                raise Reject(tok)
            if tok.isupper() and len(tok) > 1 and len(tok) <= 5 and words == [low] \
                    and not re.search(r"[aeiouy]", low):
                words = list(low)                      # unpronounceable acronym: spell it
            for w in words:
                if blocked(w):
                    raise Reject("blocked")
            for w in words[:-1]:
                out.append((w, ""))
            out.append((words[-1], punct))
    return out


def transcript(utt: list[tuple[str, str]]) -> str:
    return " ".join(w for w, _ in utt)


def tts_text(utt: list[tuple[str, str]]) -> str:
    return " ".join(w + p for w, p in utt)


# ---------------------------------------------------------------------------- corpus ----

def _fortune_entries():
    for name in sorted(os.listdir(FORTUNE_DIR)):
        path = os.path.join(FORTUNE_DIR, name)
        if "." in name or name in ("ascii-art",) or not os.path.isfile(path):
            continue
        u8 = path + ".u8"
        data = open(u8 if os.path.exists(u8) else path, encoding="utf-8", errors="replace").read()
        for entry in data.split("\n%\n"):
            body, attribution = [], []
            for line in entry.splitlines():
                s = line.strip()
                if s.startswith("--"):
                    attribution.append(s.lstrip("- "))
                elif attribution:
                    attribution.append(s)
                else:
                    body.append(s)
            yield " ".join(body)
            if attribution:
                yield " ".join(attribution)


def _jargon_paragraphs():
    with gzip.open(JARGON, "rt", encoding="utf-8", errors="replace") as f:
        para: list[str] = []
        for line in f:
            s = line.strip()
            if not s:
                if para:
                    yield " ".join(para)
                para = []
            else:
                para.append(s)
        if para:
            yield " ".join(para)


_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])")


def _sentences(paragraph: str):
    for s in _SENT_SPLIT.split(paragraph):
        s = s.strip()
        if s:
            yield s


def build(cache: str) -> dict:
    """Writes CACHE/sentences.jsonl and CACHE/words.json once; returns summary counts."""
    os.makedirs(cache, exist_ok=True)
    stamp = os.path.join(cache, "corpus.json")
    if os.path.exists(stamp):
        info = json.load(open(stamp))
        if info.get("version") == CACHE_VERSION:
            return info
    seen = set()
    sentences = []
    rejected = 0
    freq: Counter = Counter()
    for source, paragraphs in (("fortunes", _fortune_entries()), ("jargon", _jargon_paragraphs())):
        for para in paragraphs:
            for s in _sentences(para):
                try:
                    utt = normalise(s)
                except Reject:
                    rejected += 1
                    continue
                if not (2 <= len(utt) <= 40):
                    continue
                key = transcript(utt)
                if key in seen:
                    continue
                seen.add(key)
                # A stable hash, not the shuffled position, decides the split, so adding sources
                # later never moves a sentence between train and dev/heldout.
                h = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 100
                split = "dev" if h < 5 else "heldout" if h < 10 else "train"
                sentences.append({"u": tts_text(utt), "split": split, "src": source})
                freq.update(w for w, _ in utt)
    words = set()
    for line in open(WORDLIST, encoding="utf-8", errors="replace"):
        w = line.strip()
        if w.endswith("'s") or not w:
            continue
        low = unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode().lower()
        if _WORD_RE.match(low) and (len(low) > 1 or low in ("a", "i")) and not blocked(low):
            words.add(low)
    common = [w for w, c in freq.most_common(3000)]
    with open(os.path.join(cache, "sentences.jsonl.tmp"), "w") as f:
        for s in sentences:
            f.write(json.dumps(s) + "\n")
    os.replace(os.path.join(cache, "sentences.jsonl.tmp"), os.path.join(cache, "sentences.jsonl"))
    json.dump({"broad": sorted(words), "common": common,
               "common_counts": [freq[w] for w in common]},
              open(os.path.join(cache, "words.json"), "w"))
    info = {"version": CACHE_VERSION, "sentences": len(sentences), "rejected": rejected,
            "prose_word_types": len(freq), "broad_word_types": len(words),
            "by_split": dict(Counter(s["split"] for s in sentences))}
    json.dump(info, open(stamp, "w"), indent=1)
    return info


# --------------------------------------------------------------------------- sampling ----

_MONTHS = ("january february march april may june july august september october november "
           "december").split()
_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()


class TextSampler:
    """Draws utterances for one split. All randomness comes from the caller's random.Random."""

    def __init__(self, cache: str, split: str):
        self.sent = []
        for line in open(os.path.join(cache, "sentences.jsonl")):
            d = json.loads(line)
            if d["split"] == split:
                self.sent.append([(t[:-1], t[-1]) if t[-1] in ",.?!" else (t, "")
                                  for t in d["u"].split()])
        w = json.load(open(os.path.join(cache, "words.json")))
        self.broad = w["broad"]
        self.common = w["common"]
        total = float(sum(w["common_counts"]))
        acc, self.common_cum = 0.0, []
        for c in w["common_counts"]:
            acc += c / total
            self.common_cum.append(acc)

    def _common_word(self, rng: random.Random) -> str:
        return rng.choices(self.common, cum_weights=self.common_cum, k=1)[0]

    def prose(self, rng: random.Random, max_words: int):
        i = rng.randrange(len(self.sent))
        out = list(self.sent[i])
        while len(out) < max_words * 0.6 and i + 1 < len(self.sent) and rng.random() < 0.5:
            i += 1
            if len(out) + len(self.sent[i]) > max_words:
                break
            out += self.sent[i]
        if len(out) > max_words:
            # a run of whole clauses if possible, else any contiguous stretch
            start = rng.randrange(len(out) - max_words + 1)
            out = out[start:start + max_words]
        if out:
            out[-1] = (out[-1][0], out[-1][1] or ".")
        return out

    def random_words(self, rng: random.Random, n: int):
        # Rare words from the broad list, interleaved with frequent words so the engines still
        # produce phrase-like rhythm and the model sees rare words in connected speech.
        p_rare = rng.uniform(0.3, 0.9)
        out = []
        for k in range(n):
            w = rng.choice(self.broad) if rng.random() < p_rare else self._common_word(rng)
            punct = "," if k < n - 1 and rng.random() < 0.06 else ""
            out.append((w, punct))
        out[-1] = (out[-1][0], rng.choice([".", ".", "?", "!"]))
        return out

    def numbers(self, rng: random.Random):
        name = rng.choice(self.broad)
        noun = self._common_word(rng)
        day, nth = rng.randint(1, 31), rng.randint(1, 120)
        templates = [
            lambda: f"On {rng.choice(_MONTHS).title()} {day}{_ordinal_suffix(day)}, "
                    f"{rng.randint(1700, 2099)} the {noun} was sold for ${rng.randint(1, 99999)}.",
            lambda: f"Call {name} at {rng.randint(200, 999)} {rng.randint(100, 999)} "
                    f"{rng.randint(1000, 9999)} before {rng.randint(1, 12)}:{rng.choice(['00', '15', '30', '45', '05'])}.",
            lambda: f"{rng.randint(2, 999999):,} {noun}s and {rng.randint(1, 99)}.{rng.randint(0, 99)} percent",
            lambda: f"The {nth}{_ordinal_suffix(nth)} {noun} cost ${rng.randint(1, 500)}.{rng.randint(10, 99)}",
            lambda: f"In the {rng.choice(['18', '19', '20'])}{rng.randint(0, 9)}0s there were "
                    f"{rng.randint(1, 10**rng.randint(1, 9))} of them.",
            lambda: f"Meet me on {rng.choice(_DAYS).title()} at {rng.randint(1, 12)}:"
                    f"{rng.randint(0, 59):02d} {rng.choice(['am', 'pm'])}, room {rng.randint(1, 999)}.",
            lambda: f"{rng.randint(1, 9999)} {rng.choice(['plus', 'minus', 'times'])} "
                    f"{rng.randint(1, 999)} is {rng.randint(1, 999999)}.",
            lambda: f"Chapter {rng.randint(1, 60)}, page {rng.randint(1, 900)}, line {rng.randint(1, 40)}.",
        ]
        for _ in range(5):
            try:
                return normalise(rng.choice(templates)())
            except Reject:
                continue
        return normalise("one two three.")

    def sample(self, rng: random.Random, max_words: int):
        """One utterance of at most max_words words, and which kind it is."""
        max_words = max(1, max_words)
        x = rng.random()
        if x < 0.12 and max_words >= 8:
            utt, kind = self.numbers(rng), "numbers"
            if len(utt) <= max_words:
                return utt, kind
        if x < 0.42:
            n = rng.randint(min(3, max_words), min(max_words, rng.choice([6, 10, 14, 20])))
            return self.random_words(rng, n), "random"
        return self.prose(rng, max_words), "prose"


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "build":
        print(json.dumps(build(sys.argv[2]), indent=1))
    elif len(sys.argv) >= 4 and sys.argv[1] == "sample":
        build(sys.argv[2])
        ts = TextSampler(sys.argv[2], "train")
        rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
        for _ in range(int(sys.argv[3])):
            u, k = ts.sample(rng, rng.randint(3, 30))
            print(f"[{k}] {tts_text(u)}")
    else:
        sys.exit(__doc__)

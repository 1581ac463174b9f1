/*
 * synth: one long-lived process that speaks text with espeak-ng or flite and reports where every
 * word starts (and, for flite, ends) in the samples it wrote. generate.py drives it through a pipe
 * so the engines' start-up cost (voice loading, dictionary) is paid once per shard, not per line.
 *
 * Request, one line on stdin, tab-separated:
 *     id  engine  voice  rate  pitch  range  wordgap  out_path  text
 *   engine espeak: voice "en-us+m3", rate in words/minute, pitch and range 0..100, wordgap in 10 ms
 *   engine flite:  voice slt|awb|rms|kal16, rate = duration stretch (1 = normal, >1 slower),
 *                  pitch = multiplier of the voice's mean F0; range and wordgap are ignored.
 *   text: space-separated words, each optionally followed by punctuation (",.?!;:") that only
 *   shapes prosody and pauses. generate.py guarantees the words are [a-z0-9']+.
 *
 * Reply, one JSON line on stdout per request:
 *     {"id":..,"ok":true,"sr":22050,"n":samples,"words":[{"s":start,"e":end,"ps":..,"pp":0|1,"fp":0|1,"m":""},..]}
 *   s/e in samples at the engine's own rate (e = -1: unknown, generate.py finds it from energy);
 *   pp/fp: a pause (or the utterance edge) precedes/follows the word; m: "" for an exact time,
 *   "phonemes" or "chars" for a word whose start had to be estimated inside an espeak merged unit;
 *   ps (espeak, words with a WORD event): the phoneme-based estimate of the same start, -1 if none,
 *   reported only so the merged-word estimator can be measured against real events.
 *   Audio goes to out_path as raw 16-bit little-endian mono at rate sr.
 *
 * Why the espeak merge handling lives here: espeak pronounces some word pairs from its *_list
 * dictionary as one unit ("of the", "out of", "in the") and emits a WORD event only for the first
 * word. The second word's start is then estimated from PHONEME events: each word of the unit is
 * synthesised alone to count its phonemes, and if the counts add up to the unit's phoneme count the
 * boundary is the first phoneme event of the later word, moved back over any digital silence right
 * before it (espeak puts a stop's closure and other pre-pauses before the phoneme event but after
 * the word event, so this reproduces where the word event would have been). If the counts do not
 * add up, the unit's span is split in proportion to the words' letter counts. Either way the words
 * are flagged so consumers can weight or drop them.
 */
#include <espeak-ng/speak_lib.h>
#include <flite/flite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

cst_voice *register_cmu_us_slt(const char *);
cst_voice *register_cmu_us_awb(const char *);
cst_voice *register_cmu_us_rms(const char *);
cst_voice *register_cmu_us_kal16(const char *);

#define MAXW 512

/* ---------------------------------------------------------------- espeak ---- */

typedef struct { int type, tp, len, sample; char ph[9]; } Ev;

typedef struct {           /* what one espeak_Synth call produced */
    short *pcm; int n, cap;
    Ev *ev; int nev, evcap;
} Take;

static Take *sink;         /* where the callback appends: the utterance or a single-word probe */

static int espeak_cb(short *wav, int n, espeak_EVENT *e)
{
    for (; e->type != espeakEVENT_LIST_TERMINATED; e++) {
        if (e->type != espeakEVENT_WORD && e->type != espeakEVENT_PHONEME && e->type != espeakEVENT_END)
            continue;
        if (sink->nev == sink->evcap) {
            sink->evcap = sink->evcap ? 2 * sink->evcap : 256;
            sink->ev = realloc(sink->ev, sink->evcap * sizeof(Ev));
        }
        Ev *v = &sink->ev[sink->nev++];
        v->type = e->type; v->tp = e->text_position; v->len = e->length;
        /* `sample` is the exact sample index of the event within this Synth call (audio_position
         * is the same in whole ms); rates stay below espeakRATE_MAXIMUM, where libsonic would
         * compress the audio after the positions were taken. */
        v->sample = e->sample;
        v->ph[0] = 0;
        if (e->type == espeakEVENT_PHONEME) { memcpy(v->ph, e->id.string, 8); v->ph[8] = 0; }
    }
    if (wav && n > 0) {
        if (sink->n + n > sink->cap) {
            sink->cap = (sink->n + n) * 2;
            sink->pcm = realloc(sink->pcm, sink->cap * sizeof(short));
        }
        memcpy(sink->pcm + sink->n, wav, n * sizeof(short));
        sink->n += n;
    }
    return 0;
}

static void take_reset(Take *t) { t->n = 0; t->nev = 0; }

static void espeak_say(Take *t, const char *text)
{
    take_reset(t);
    sink = t;
    espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
    espeak_Synchronize();
}

/* Pauses and ';' (a zero-length palatalisation mark) are not phonemes of a word. */
static int is_pause_ph(const char *ph) { return ph[0] == '_' || ph[0] == ';' || ph[0] == 0; }

/* Non-pause phonemes espeak produces for one word said alone (same voice and settings). */
static int word_phoneme_count(const char *word)
{
    static Take probe;
    espeak_say(&probe, word);
    int c = 0;
    for (int i = 0; i < probe.nev; i++)
        if (probe.ev[i].type == espeakEVENT_PHONEME && !is_pause_ph(probe.ev[i].ph)) c++;
    return c;
}

typedef struct { int pos, len; char w[64]; } Tok;   /* pos: 1-based char index, len: word chars */

static int split_words(const char *text, Tok *tok)
{
    int n = 0, i = 0, L = strlen(text);
    while (i < L && n < MAXW) {
        while (i < L && text[i] == ' ') i++;
        if (i >= L) break;
        int j = i;
        while (j < L && text[j] != ' ') j++;
        int k = i;
        while (k < j && (isalnum((unsigned char)text[k]) || text[k] == '\'')) k++;
        tok[n].pos = i + 1; tok[n].len = k - i;
        int m = k - i < 63 ? k - i : 63;
        memcpy(tok[n].w, text + i, m); tok[n].w[m] = 0;
        n++; i = j;
    }
    return n;
}

static char cur_espeak_voice[128];

static int run_espeak(const char *voice, double rate, double pitch, double range, double wordgap,
                      const char *text, FILE *audio, int *start, int *pstart, char (*mflag)[12], int *nw_out,
                      int *sr_out, int *n_out)
{
    static Take u;
    static Tok tok[MAXW];
    if (strcmp(voice, cur_espeak_voice) != 0) {
        if (espeak_SetVoiceByName(voice) != EE_OK) return -1;
        snprintf(cur_espeak_voice, sizeof cur_espeak_voice, "%s", voice);
    }
    espeak_SetParameter(espeakRATE, (int)rate, 0);
    espeak_SetParameter(espeakPITCH, (int)pitch, 0);
    espeak_SetParameter(espeakRANGE, (int)range, 0);
    espeak_SetParameter(espeakWORDGAP, (int)wordgap, 0);

    int nw = split_words(text, tok);
    espeak_say(&u, text);

    /* Map WORD events to our words. Positions are not always exact: the first word of a later
     * sentence is reported on the space before it, and the word after some dictionary phrases
     * ("such as", "most of", "so many") is reported inside the previous word. So an event goes to
     * the last word starting at or before its position (minus one), or, if its position lies in a
     * word already passed, to the next word still without one. Words skipped over get no event:
     * they are the later words of merged units. Length-0 events are skipped (see below). */
    int evword[MAXW];            /* index into u.ev of the word's WORD event, -1 if none */
    for (int i = 0; i < nw; i++) { evword[i] = -1; start[i] = -1; mflag[i][0] = 0; }
    int wi = 0;
    for (int k = 0; k < u.nev && wi < nw; k++) {
        /* length-0 WORD events are not words: espeak sometimes emits one for the punctuation
         * that ends a clause, at the clause's end or (depending on its internal state) later */
        if (u.ev[k].type != espeakEVENT_WORD || u.ev[k].len == 0) continue;
        int tp = u.ev[k].tp;
        if (tp >= tok[wi].pos - 1)
            while (wi + 1 < nw && tok[wi + 1].pos - 1 <= tp) wi++;
        evword[wi] = k; start[wi] = u.ev[k].sample;
        wi++;
    }
    if (nw == 0 || evword[0] < 0) return -2;

    /* Merged units: a word with an event followed by words without one. */
    for (int i = 0; i < nw; ) {
        int j = i + 1;
        while (j < nw && evword[j] < 0) j++;
        if (j == i + 1) { i = j; continue; }
        /* words i..j-1 form one unit; its phoneme events run from evword[i] to the next WORD/END */
        int phs[256], nph = 0, unit_end = u.n;
        for (int k = evword[i] + 1; k < u.nev; k++) {
            if ((u.ev[k].type == espeakEVENT_WORD && u.ev[k].len > 0) || u.ev[k].type == espeakEVENT_END) {
                unit_end = u.ev[k].sample; break;
            }
            if (u.ev[k].type == espeakEVENT_PHONEME && !is_pause_ph(u.ev[k].ph) && nph < 256)
                phs[nph++] = u.ev[k].sample;
        }
        int cnt[MAXW], total = 0;
        for (int q = i; q < j; q++) { cnt[q] = word_phoneme_count(tok[q].w); total += cnt[q]; }
        /* Counts that add up: boundaries counted from the front. Otherwise count from the back,
         * since the extra phonemes are usually linking sounds at the end of the earlier word
         * ("for a" -> f 3 r- @). If neither fits, split the span by letter counts. */
        int front = (total == nph), ok = 1;
        for (int q = i + 1; q < j; q++) {
            int before = 0, after = 0;
            for (int r = i; r < q; r++) before += cnt[r];
            for (int r = q; r < j; r++) after += cnt[r];
            int b = front ? before : nph - after;
            if (b >= 1 && b < nph && (front || after >= 1)) {
                start[q] = phs[b];
                strcpy(mflag[q], "phonemes");
            } else {
                int chars = 0, lb = 0;
                for (int r = i; r < j; r++) chars += tok[r].len;
                for (int r = i; r < q; r++) lb += tok[r].len;
                start[q] = start[i] + (int)((double)(unit_end - start[i]) * lb / (chars ? chars : 1));
                strcpy(mflag[q], "chars");
                ok = 0;
            }
        }
        strcpy(mflag[i], ok ? "phonemes" : "chars");
        i = j;
    }
    /* Phoneme-estimated starts: step back over the digital silence espeak inserts before a
     * stop's burst (its closure) so the estimate follows the same convention as a WORD event. */
    for (int i = 0; i < nw; i++) {
        if (strcmp(mflag[i], "phonemes") != 0 || i == 0 || evword[i] >= 0) continue;
        int s = start[i], lim = s - 22050 / 5;
        while (s > 0 && s > lim && s > start[i - 1] && u.pcm[s - 1] == 0) s--;
        start[i] = s;
    }
    /* For words that do have a WORD event, the same phoneme-based estimate is reported as "ps",
     * so the estimator used for merged words can be checked against the real events. */
    for (int i = 0; i < nw; i++) {
        pstart[i] = -1;
        if (evword[i] < 0) continue;
        for (int k = evword[i] + 1; k < u.nev && !(u.ev[k].type == espeakEVENT_WORD && u.ev[k].len > 0); k++) {
            if (u.ev[k].type == espeakEVENT_PHONEME && !is_pause_ph(u.ev[k].ph)) {
                int s = u.ev[k].sample, lim = s - 22050 / 5;
                while (s > 0 && s > lim && (i == 0 || s > start[i - 1]) && u.pcm[s - 1] == 0) s--;
                pstart[i] = s;
                break;
            }
        }
    }
    fwrite(u.pcm, sizeof(short), u.n, audio);
    *nw_out = nw; *sr_out = 22050; *n_out = u.n;
    return 0;
}

/* ----------------------------------------------------------------- flite ---- */

static cst_voice *flite_voice(const char *name, float *f0_default)
{
    static cst_voice *v[4]; static float f0[4];
    static const char *names[4] = {"slt", "awb", "rms", "kal16"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) != 0) continue;
        if (!v[i]) {
            switch (i) {
            case 0: v[i] = register_cmu_us_slt(NULL); break;
            case 1: v[i] = register_cmu_us_awb(NULL); break;
            case 2: v[i] = register_cmu_us_rms(NULL); break;
            default: v[i] = register_cmu_us_kal16(NULL); break;
            }
            /* only diphone voices (kal16) define a target mean; 0 = leave it alone */
            f0[i] = feat_present(v[i]->features, "int_f0_target_mean")
                        ? get_param_float(v[i]->features, "int_f0_target_mean", 100.0) : 0.0f;
        }
        *f0_default = f0[i];
        return v[i];
    }
    return NULL;
}

static const char *seg_name(cst_item *s) { return s ? item_feat_string(s, "name") : "pau"; }

static int run_flite(const char *voice, double stretch, double pitch, const char *text, FILE *audio,
                     int *start, int *end, int *pp, int *fp, int *nw_out, int *sr_out, int *n_out)
{
    float f0d;
    cst_voice *v = flite_voice(voice, &f0d);
    if (!v) return -1;
    feat_set_float(v->features, "duration_stretch", (float)stretch);
    if (f0d > 0)
        feat_set_float(v->features, "int_f0_target_mean", (float)(f0d * pitch));
    else   /* clustergen voices scale their predicted F0 by f0_shift instead */
        feat_set_float(v->features, "f0_shift", (float)pitch);
    cst_utterance *u = flite_synth_text(text, v);
    if (!u) return -2;
    cst_wave *w = utt_wave(u);
    int sr = w->sample_rate, nw = 0;
    /* One entry per Token: a token the front end expands into several words ("mr" -> "mister",
     * a spelled acronym) spans from its first word's first segment to its last word's last one. */
    for (cst_item *t = relation_head(utt_relation(u, "Token")); t && nw < MAXW; t = item_next(t)) {
        cst_item *first = NULL, *last = NULL;
        for (cst_item *wd = item_daughter(t); wd; wd = item_next(wd)) {
            cst_item *s1 = path_to_item(wd, "R:SylStructure.daughter1.daughter1");
            cst_item *s2 = path_to_item(wd, "R:SylStructure.daughtern.daughtern");
            if (!s1 || !s2) continue;          /* punctuation-only words have no segments */
            if (!first) first = item_as(s1, "Segment");
            last = item_as(s2, "Segment");
        }
        if (!first) continue;
        cst_item *prev = item_prev(first), *next = item_next(last);
        double s = prev ? item_feat_float(prev, "end") : 0.0;
        double e = item_feat_float(last, "end");
        start[nw] = (int)(s * sr + 0.5);
        end[nw] = (int)(e * sr + 0.5);
        pp[nw] = !prev || strcmp(seg_name(prev), "pau") == 0;
        fp[nw] = !next || strcmp(seg_name(next), "pau") == 0;
        nw++;
    }
    fwrite(w->samples, sizeof(short), w->num_samples, audio);
    *nw_out = nw; *sr_out = sr; *n_out = w->num_samples;
    delete_utterance(u);
    return 0;
}

/* ------------------------------------------------------------------ main ---- */

static char *field(char **p)
{
    char *s = *p, *t = strchr(s, '\t');
    if (t) { *t = 0; *p = t + 1; } else *p = s + strlen(s);
    return s;
}

int main(void)
{
    static char line[65536];
    static int start[MAXW], end[MAXW], pp[MAXW], fp[MAXW], pstart[MAXW];
    static char mflag[MAXW][12];
    int espeak_ready = 0, flite_ready = 0;

    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        char *p = line;
        char *id = field(&p), *engine = field(&p), *voice = field(&p);
        double rate = atof(field(&p)), pitch = atof(field(&p)), range = atof(field(&p));
        double wordgap = atof(field(&p));
        char *out = field(&p), *text = field(&p);
        FILE *audio = fopen(out, "wb");
        int nw = 0, sr = 0, n = 0, rc;
        if (!audio) { printf("{\"id\":\"%s\",\"ok\":false,\"error\":\"cannot open output\"}\n", id); fflush(stdout); continue; }
        for (int i = 0; i < MAXW; i++) { end[i] = pstart[i] = -1; pp[i] = fp[i] = 0; mflag[i][0] = 0; }
        if (strcmp(engine, "espeak") == 0) {
            if (!espeak_ready) {
                /* option 1: PHONEME events, needed to place words inside merged units */
                if (espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 1) != 22050) {
                    fprintf(stderr, "synth: espeak-ng did not initialise at 22050 Hz\n");
                    return 2;
                }
                espeak_SetSynthCallback(espeak_cb);
                espeak_ready = 1;
            }
            rc = run_espeak(voice, rate, pitch, range, wordgap, text, audio, start, pstart, mflag, &nw, &sr, &n);
        } else if (strcmp(engine, "flite") == 0) {
            if (!flite_ready) { flite_init(); flite_ready = 1; }
            rc = run_flite(voice, rate, pitch, text, audio, start, end, pp, fp, &nw, &sr, &n);
        } else rc = -9;
        fclose(audio);
        if (rc != 0) {
            printf("{\"id\":\"%s\",\"ok\":false,\"error\":\"engine failed (%d)\"}\n", id, rc);
            fflush(stdout);
            continue;
        }
        printf("{\"id\":\"%s\",\"ok\":true,\"sr\":%d,\"n\":%d,\"words\":[", id, sr, n);
        for (int i = 0; i < nw; i++)
            printf("%s{\"s\":%d,\"e\":%d,\"ps\":%d,\"pp\":%d,\"fp\":%d,\"m\":\"%s\"}",
                   i ? "," : "", start[i], end[i], pstart[i], pp[i], fp[i], mflag[i]);
        printf("]}\n");
        fflush(stdout);
    }
    return 0;
}

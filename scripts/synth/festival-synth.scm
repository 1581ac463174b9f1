;; Festival side of the synthetic-speech generator. generate.py writes one job file per shard
;; that loads this file, then calls (ground-voice 'NAME) once per voice and (ground-synth ...)
;; once per utterance, and runs it with `festival --batch`: one Festival start-up per shard.
;;
;; For every input token it writes a line "START END PP FP" (seconds, and 1/0 flags for a pause
;; or the utterance edge before/after the token) to the times file. Times come from the
;; utterance's own Segment relation after synthesis: the diphone and HTS back ends generate the
;; waveform to those segment durations, so they are the times in the wave, not a later guess.
;; A token's start is the end of the segment before its first segment (0 at the utterance start),
;; its end is the end of its last segment; tokens the front end expands into several words
;; (abbreviations, spelled letters) span all of them.

(define (ground-voice name)
  "Select voice NAME and remember its pitch settings so each utterance can scale them."
  (eval (list (intern (string-append "voice_" name))))
  (set! ground-voice-name name)
  (set! ground-hts (string-matches name ".*_hts"))
  (if ground-hts
      (set! ground-hts-params hts_engine_params)
      (set! ground-int-lr int_lr_params)))

(define (ground-scale-param params name factor)
  (mapcar (lambda (p) (if (equal? (car p) name) (list name (* factor (cadr p))) p)) params))

(define (ground-seg-name seg)
  (if seg (item.name seg) "pau"))

(define (ground-word-segments w)
  "First and last Segment items of word W, or nil for words without phones (punctuation)."
  (let ((syls (item.relation.daughters w 'SylStructure)))
    (if (and syls (item.relation.daughters (car syls) 'SylStructure))
        (list (item.relation (car (item.relation.daughters (car syls) 'SylStructure)) 'Segment)
              (item.relation (car (last (item.relation.daughters (car (last syls)) 'SylStructure)))
                             'Segment))
        nil)))

(define (ground-synth text stretch pitch wavfile timefile)
  (if ground-hts
      ;; HTS: its own duration model ignores Duration_Stretch; hts_engine's -r is the speed
      ;; (>1 faster). Its pitch cannot be shifted from here, so pitch is ignored.
      (set! hts_engine_params (append ground-hts-params (list (list "-r" (/ 1.0 stretch)))))
      (begin
        (Parameter.set 'Duration_Stretch stretch)
        (set! int_lr_params
              (ground-scale-param (ground-scale-param ground-int-lr 'target_f0_mean pitch)
                                  'target_f0_std pitch))))
  (let ((utt (SynthText text))
        (fd (fopen timefile "w")))
    (utt.save.wave utt wavfile 'riff)
    (mapcar
     (lambda (tok)
       (let ((first nil) (lastseg nil))
         (mapcar (lambda (w)
                   (let ((fl (ground-word-segments w)))
                     (if fl
                         (begin
                           (if (not first) (set! first (car fl)))
                           (set! lastseg (cadr fl))))))
                 (item.daughters tok))
         (if first
             (let ((prev (item.prev first)) (next (item.next lastseg)))
               (format fd "%s %s %d %d\n"
                       (if prev (item.feat prev "end") 0)
                       (item.feat lastseg "end")
                       (if (string-equal (ground-seg-name prev) "pau") 1 0)
                       (if (string-equal (ground-seg-name next) "pau") 1 0))))))
     (utt.relation.items utt 'Token))
    (fclose fd)))

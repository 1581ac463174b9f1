import Foundation

/// `--plot`: a picture of one file's result as SVG, to see at a glance what the model heard and
/// why it chose its times.
///
/// From top to bottom: the title (file and task) and the model; the words at their chosen
/// starts; the waveform as its envelope (minimum and maximum of the samples under each pixel
/// column) with each word's [start, end] shaded; the log-mel spectrogram the model read, when
/// given (an embedded PNG showing the top 10 nepers ≈ 43 dB of the clip in viridis colours); the
/// frame head's curves for word starts and word ends (Poisson head: intensity λ_t, the expected
/// number of events in a 40 ms frame; binary head: probability p_t), drawn as steps, one per
/// frame, or the maximum under each pixel column when frames outnumber pixels; and a time axis
/// in seconds from the start of the file. Each chosen start is a vertical line through all
/// panels.
///
/// Elements carry a `class` (`waveform`, `spectrogram`, `curve starts`, `curve ends`,
/// `timestamp`, `word`, `word-span`, `tick-label`, `axis-label`) so tests and style sheets can
/// find them.
public struct SVGPlot {
    public var result: GroundingResult
    /// The audio the result was computed from (mono, any rate).
    public var audio: Audio
    /// Seconds from the start of the file to the first sample (the `--start` of a trimmed clip).
    public var audioStart: Double
    /// The clip's log-mel features (natural log of power), frame j describing
    /// [j, j + 1) · `featureConfig.frameDuration` seconds after `audioStart`; nil for no spectrogram.
    public var features: FeatureMatrix?
    public var featureConfig: FeatureConfig

    public init(
        result: GroundingResult, audio: Audio, audioStart: Double = 0, features: FeatureMatrix? = nil,
        featureConfig: FeatureConfig = FeatureConfig()
    ) {
        self.result = result
        self.audio = audio
        self.audioStart = audioStart
        self.features = features
        self.featureConfig = featureConfig
    }

    // MARK: - Layout (pixels)

    static let width = 960.0
    static let left = 72.0
    static let right = 20.0
    static let plotWidth = width - left - right
    static let labelRowHeight = 15.0
    static let maximumLabelRows = 3
    static let waveformHeight = 110.0
    static let curveHeight = 150.0
    static let spectrogramHeight = 96.0
    /// The spectrogram shows this many nepers (natural-log units of power) below the clip's
    /// loudest value: 10 Np ≈ 43 dB.
    static let spectrogramRange: Float = 10
    static let panelGap = 18.0

    static let waveformColour = "#4a6278"
    static let startColour = "#1f6fb4"
    static let endColour = "#e6862a"
    static let timestampColour = "#c0392b"
    static let gridColour = "#e4e4e4"
    static let textColour = "#222222"
    static let mutedColour = "#666666"

    /// Seconds shown: from the first sample to the last.
    var timeRange: ClosedRange<Double> {
        audioStart...max(audioStart + audio.duration, audioStart + 1e-3)
    }

    func x(_ seconds: Double) -> Double {
        let range = timeRange
        let fraction = (seconds - range.lowerBound) / (range.upperBound - range.lowerBound)
        return Self.left + min(max(fraction, 0), 1) * Self.plotWidth
    }

    // MARK: - Document

    public func document() -> String {
        let labels = wordLabels()
        let rows = (labels.map(\.row).max() ?? 0) + 1
        let waveformTop = 56 + Double(rows) * Self.labelRowHeight + 6
        // Panels from the top: waveform, then the spectrogram and the curves when there are any.
        var panelsBottom = waveformTop + Self.waveformHeight
        let spectrogramTop = features.map { _ in panelsBottom + Self.panelGap }
        if spectrogramTop != nil { panelsBottom += Self.panelGap + Self.spectrogramHeight }
        let curveTop = result.curves.map { _ in panelsBottom + Self.panelGap }
        if curveTop != nil { panelsBottom += Self.panelGap + Self.curveHeight }

        var svg = SVG(width: Self.width, height: panelsBottom + 46)
        header(&svg)
        timeAxis(&svg, top: waveformTop, bottom: panelsBottom)
        waveform(&svg, top: waveformTop)
        if let features, let spectrogramTop { spectrogram(&svg, features, top: spectrogramTop) }
        if let curves = result.curves, let curveTop { curvePanel(&svg, curves, top: curveTop) }
        timestamps(&svg, labels: labels, labelTop: 56, top: waveformTop, bottom: panelsBottom)
        legend(&svg, y: panelsBottom + 30)
        return svg.document(title: title)
    }

    var title: String {
        let task: String
        switch result.task {
        case .wordQuery(let query, let occurrence):
            task = "query \u{201C}\(query)\u{201D}, occurrence \(occurrence)"
        case .transcript(let words):
            let text = words.joined(separator: " ")
            let shown = text.count > 90 ? String(text.prefix(89)) + "…" : text
            task = "transcript \u{201C}\(shown)\u{201D}"
        }
        return "\(result.file) \u{2014} \(task)"
    }

    private func header(_ svg: inout SVG) {
        svg.add(
            "text", ["class": "title", "x": SVG.number(Self.left), "y": "24", "font-size": "16", "font-weight": "bold",
                     "fill": Self.textColour], text: title)
        var details = [
            "model: \(result.model.name)", "\(result.model.head) head",
            String(format: "%.1f M parameters", Double(result.model.parameters) / 1e6),
            "\(result.timestamps.count) word\(result.timestamps.count == 1 ? "" : "s")",
        ]
        if let count = result.expectedCount { details.append("expected count Λ = \(JSONWriter.number(count))") }
        svg.add(
            "text", ["class": "subtitle", "x": SVG.number(Self.left), "y": "42", "font-size": "12", "fill": Self.mutedColour],
            text: details.joined(separator: " · "))
    }

    // MARK: - Time axis

    /// Grid lines through the panels, ticks and labels in seconds below them, the axis title.
    private func timeAxis(_ svg: inout SVG, top: Double, bottom: Double) {
        let range = timeRange
        let step = Self.niceStep(range.upperBound - range.lowerBound, count: 10)
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let first = Int((range.lowerBound / step - 1e-9).rounded(.up)), last = Int((range.upperBound / step + 1e-9).rounded(.down))
        for index in first...max(first, last) {
            let tick = Double(index) * step
            let x = SVG.number(x(tick))
            svg.add("line", ["class": "grid", "x1": x, "y1": SVG.number(top), "x2": x, "y2": SVG.number(bottom),
                             "stroke": Self.gridColour, "stroke-width": "1"])
            svg.add("line", ["class": "tick", "x1": x, "y1": SVG.number(bottom), "x2": x, "y2": SVG.number(bottom + 5),
                             "stroke": Self.mutedColour, "stroke-width": "1"])
            svg.add(
                "text", ["class": "tick-label", "x": x, "y": SVG.number(bottom + 18), "font-size": "11",
                         "text-anchor": "middle", "fill": Self.mutedColour],
                text: String(format: "%.\(decimals)f", tick))
        }
        svg.add(
            "text", ["class": "axis-label", "x": SVG.number(Self.left + Self.plotWidth / 2), "y": SVG.number(bottom + 34),
                     "font-size": "12", "text-anchor": "middle", "fill": Self.textColour],
            text: "time (s)")
    }

    /// A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`.
    static func niceStep(_ span: Double, count: Int) -> Double {
        let raw = max(span, 1e-9) / Double(count)
        let power = pow(10, (log10(raw)).rounded(.down))
        let multiple = [1.0, 2, 5, 10].first { $0 * power >= raw } ?? 10
        return multiple * power
    }

    /// A round upper bound for a curve's scale whose half is round too: the smallest of
    /// 1, 1.2, 1.6, 2, 3, 4, 5, 6, 8 × 10^k that is at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        let value = max(value, 1e-6)
        let power = pow(10, (log10(value)).rounded(.down))
        let multiple = [1.0, 1.2, 1.6, 2, 3, 4, 5, 6, 8, 10].first { $0 * power >= value * (1 - 1e-9) } ?? 10
        return multiple * power
    }

    // MARK: - Waveform

    private func waveform(_ svg: inout SVG, top: Double) {
        panelFrame(&svg, top: top, height: Self.waveformHeight, label: "waveform")
        for stamp in result.timestamps {
            svg.add("rect", ["class": "word-span", "x": SVG.number(x(stamp.start)), "y": SVG.number(top),
                             "width": SVG.number(max(x(stamp.end) - x(stamp.start), 1)),
                             "height": SVG.number(Self.waveformHeight), "fill": Self.timestampColour,
                             "fill-opacity": "0.07"])
        }
        let samples = audio.samples
        let peak = max(samples.lazy.map { abs($0) }.max() ?? 0, 1e-6)
        let columns = Int(Self.plotWidth)
        let middle = top + Self.waveformHeight / 2, half = Self.waveformHeight / 2 - 4
        var upper: [(x: Double, y: Double)] = [], lower: [(x: Double, y: Double)] = []
        for column in 0..<columns {
            let first = column * samples.count / columns
            let last = max((column + 1) * samples.count / columns, first + 1)
            guard first < samples.count else { break }
            let slice = samples[first..<min(last, samples.count)]
            let x = Self.left + Double(column) + 0.5
            upper.append((x, middle - Double(slice.max()! / peak) * half))
            lower.append((x, middle - Double(slice.min()! / peak) * half))
        }
        svg.add("path", ["class": "waveform", "d": "M" + SVG.points(upper + lower.reversed()) + " Z",
                         "fill": Self.waveformColour, "stroke": Self.waveformColour, "stroke-width": "0.6",
                         "stroke-linejoin": "round"])
    }

    // MARK: - Spectrogram

    private func spectrogram(_ svg: inout SVG, _ features: FeatureMatrix, top: Double) {
        panelFrame(&svg, top: top, height: Self.spectrogramHeight, label: "log-mel")
        guard features.bins > 0, features.frames > 0 else { return }
        let frameDuration = featureConfig.frameDuration
        // Whole frames inside the audio (the last, partial frame would stretch the picture).
        let frames = min(features.frames, max(1, Int((audio.duration / frameDuration + 1e-9).rounded(.down))))
        let columns = min(frames, Int(Self.plotWidth)), bins = features.bins
        let loudest = features.values.max()!
        var pixels = [UInt8](repeating: 0, count: columns * bins)
        for column in 0..<columns {
            let first = column * frames / columns, last = (column + 1) * frames / columns
            for bin in 0..<bins {
                let mean = (first..<last).reduce(Float(0)) { $0 + features[$1, bin] } / Float(last - first)
                let level = min(max((mean - loudest) / Self.spectrogramRange + 1, 0), 1)
                pixels[(bins - 1 - bin) * columns + column] = UInt8((level * 255).rounded())
            }
        }
        let png = PNGEncoder.indexed(width: columns, height: bins, pixels: pixels, palette: Self.viridis)
        let width = x(audioStart + Double(frames) * frameDuration) - Self.left
        svg.add("image", ["class": "spectrogram", "x": SVG.number(Self.left), "y": SVG.number(top),
                          "width": SVG.number(width), "height": SVG.number(Self.spectrogramHeight),
                          "preserveAspectRatio": "none",
                          "xlink:href": "data:image/png;base64," + png.base64EncodedString()])
        let labels = [
            (top + 11, String(format: "%g kHz", featureConfig.maxFrequency / 1000)),
            (top + Self.spectrogramHeight - 3, String(format: "%g kHz", featureConfig.minFrequency / 1000)),
        ]
        for (y, text) in labels {
            svg.add(
                "text", ["class": "tick-label", "x": SVG.number(Self.left - 6), "y": SVG.number(y), "font-size": "11",
                         "text-anchor": "end", "fill": Self.mutedColour],
                text: text)
        }
    }

    /// 256 colours of matplotlib's viridis (dark blue → green → yellow), interpolated from five
    /// of its stops: readable in grey and for colour-blind readers, and the red timestamp lines
    /// stand out on it.
    static let viridis: [(UInt8, UInt8, UInt8)] = {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        return (0..<256).map { index in
            let position = Double(index) / 255 * Double(stops.count - 1)
            let lower = min(Int(position), stops.count - 2), fraction = position - Double(lower)
            let (a, b) = (stops[lower], stops[lower + 1])
            let mix = { (p: Double, q: Double) in UInt8((p + (q - p) * fraction).rounded()) }
            return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        }
    }()

    // MARK: - Curves

    private func curvePanel(_ svg: inout SVG, _ curves: FrameCurves, top: Double) {
        let unit = curves.kind == .intensity ? "λ per 40 ms frame" : "probability"
        panelFrame(&svg, top: top, height: Self.curveHeight, label: unit)
        let largest = Double(max(curves.starts.max() ?? 0, curves.ends.max() ?? 0))
        let scale = curves.kind == .probability ? 1 : Self.niceCeiling(largest)
        for fraction in [0.0, 0.5, 1.0] {
            let y = SVG.number(top + Self.curveHeight * (1 - fraction))
            svg.add(
                "text", ["class": "tick-label", "x": SVG.number(Self.left - 6), "y": y, "font-size": "11",
                         "text-anchor": "end", "dominant-baseline": "middle", "fill": Self.mutedColour],
                text: JSONWriter.number(scale * fraction))
        }
        for (values, kind, colour) in [(curves.ends, "ends", Self.endColour), (curves.starts, "starts", Self.startColour)] {
            let points = steps(values, curves: curves).map { time, value in
                (x: x(time), y: top + Self.curveHeight * (1 - min(Double(value) / scale, 1)))
            }
            svg.add("polyline", ["class": "curve \(kind)", "points": SVG.points(points), "fill": "none", "stroke": colour,
                                 "stroke-width": "1.6", "stroke-linejoin": "round"])
        }
    }

    /// The curve as a step function, (time, value) at both edges of each step: one step per frame,
    /// or per group of frames (their maximum, so no peak disappears) when there are more frames
    /// than pixel columns. Steps are clipped to the audio.
    private func steps(_ values: [Float], curves: FrameCurves) -> [(Double, Float)] {
        let bins = min(values.count, Int(Self.plotWidth))
        var points: [(Double, Float)] = []
        for bin in 0..<bins {
            let first = bin * values.count / bins, last = (bin + 1) * values.count / bins
            let value = values[first..<last].max()!
            let start = curves.offset + Double(first) * curves.frameDuration
            let end = min(curves.offset + Double(last) * curves.frameDuration, timeRange.upperBound)
            guard start < end else { break }
            points += [(start, value), (end, value)]
        }
        return points
    }

    // MARK: - Timestamps

    /// A word label's place: its text starts at the word's start line, in the first row where it
    /// does not run into the previous label (rows stack upwards; the last row takes the rest).
    struct WordLabel {
        var stamp: GroundingResult.Timestamp
        var row: Int
    }

    func wordLabels() -> [WordLabel] {
        var rowEnds = [Double](repeating: -.infinity, count: Self.maximumLabelRows)
        return result.timestamps.map { stamp in
            let start = x(stamp.start)
            let row = rowEnds.firstIndex { $0 + 4 <= start } ?? rowEnds.indices.min { rowEnds[$0] < rowEnds[$1] }!
            rowEnds[row] = start + 3 + Self.estimatedWidth(stamp.word)
            return WordLabel(stamp: stamp, row: row)
        }
    }

    /// The width of a 12 px label, estimated (the SVG is written without font metrics).
    static func estimatedWidth(_ text: String) -> Double {
        Double(text.count) * 7.2
    }

    private func timestamps(_ svg: inout SVG, labels: [WordLabel], labelTop: Double, top: Double, bottom: Double) {
        let rows = (labels.map(\.row).max() ?? 0) + 1
        for label in labels {
            let x = SVG.number(x(label.stamp.start))
            let baseline = labelTop + Double(rows - label.row) * Self.labelRowHeight - 3
            svg.add("line", ["class": "timestamp", "x1": x, "y1": SVG.number(baseline - 11), "x2": x,
                             "y2": SVG.number(bottom), "stroke": Self.timestampColour, "stroke-width": "1.2",
                             "stroke-opacity": "0.85"])
            // A label that would run off the picture ends at its line instead.
            let start = self.x(label.stamp.start)
            let fits = start + 3 + Self.estimatedWidth(label.stamp.word) <= Self.width - 2
            svg.add(
                "text", ["class": "word", "x": SVG.number(fits ? start + 3 : start - 3), "y": SVG.number(baseline),
                         "text-anchor": fits ? "start" : "end", "font-size": "12", "fill": Self.textColour],
                text: label.stamp.word)
        }
    }

    // MARK: - Frames and legend

    private func panelFrame(_ svg: inout SVG, top: Double, height: Double, label: String) {
        svg.add("rect", ["class": "panel", "x": SVG.number(Self.left), "y": SVG.number(top),
                         "width": SVG.number(Self.plotWidth), "height": SVG.number(height), "fill": "none",
                         "stroke": "#bbbbbb", "stroke-width": "1"])
        let x = SVG.number(Self.left - 40), y = SVG.number(top + height / 2)
        svg.add(
            "text", ["class": "axis-label", "x": x, "y": y, "font-size": "12", "text-anchor": "middle",
                     "transform": "rotate(-90 \(x) \(y))", "fill": Self.textColour],
            text: label)
    }

    private func legend(_ svg: inout SVG, y: Double) {
        var entries = [("chosen word start", Self.timestampColour)]
        if result.curves != nil { entries = [("word starts", Self.startColour), ("word ends", Self.endColour)] + entries }
        var x = Self.left + Self.plotWidth
        for (text, colour) in entries.reversed() {
            x -= Self.estimatedWidth(text) * 0.9 + 8
            svg.add("text", ["class": "legend", "x": SVG.number(x), "y": SVG.number(y), "font-size": "11",
                             "dominant-baseline": "middle", "fill": Self.mutedColour], text: text)
            svg.add("line", ["class": "legend", "x1": SVG.number(x - 24), "y1": SVG.number(y), "x2": SVG.number(x - 6),
                             "y2": SVG.number(y), "stroke": colour, "stroke-width": "2"])
            x -= 40
        }
    }
}

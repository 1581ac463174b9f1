import Foundation

/// A small reader for Praat's long TextGrid text format, written for the tests independently of
/// `TextGridWriter`: it reads the file's domain, then each tier's class, name, domain and
/// intervals (xmin, xmax, text), and checks the declared sizes against what it found.
struct PraatTextGrid: Equatable {
    struct Interval: Equatable {
        var xmin: Double
        var xmax: Double
        var text: String
    }

    struct Tier: Equatable {
        var tierClass = ""
        var name = ""
        var xmin = Double.nan
        var xmax = Double.nan
        var intervals: [Interval] = []
        var declaredSize = -1
    }

    var xmin = Double.nan
    var xmax = Double.nan
    var tiers: [Tier] = []

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard lines.count > 2, lines[0] == "File type = \"ooTextFile\"", lines[1] == "Object class = \"TextGrid\"" else {
            throw Malformed(description: "not a long-format TextGrid header")
        }
        var declaredTiers = -1
        var inInterval = false
        for line in lines.dropFirst(2) where !line.isEmpty {
            if line.hasPrefix("item [") && line.hasSuffix("]:") && line != "item []:" {
                tiers.append(Tier())
                inInterval = false
                continue
            }
            if line.hasPrefix("intervals [") && line.hasSuffix("]:") {
                guard !tiers.isEmpty else { throw Malformed(description: "interval outside a tier") }
                tiers[tiers.count - 1].intervals.append(Interval(xmin: .nan, xmax: .nan, text: ""))
                inInterval = true
                continue
            }
            if line == "tiers? <exists>" || line == "item []:" { continue }
            guard let equals = line.range(of: " = ") else { throw Malformed(description: "unexpected line: \(line)") }
            let key = String(line[..<equals.lowerBound]), value = String(line[equals.upperBound...])
            switch key {
            case "xmin", "xmax":
                guard let number = Double(value) else { throw Malformed(description: "bad number: \(line)") }
                if inInterval {
                    let last = tiers[tiers.count - 1].intervals.count - 1
                    if key == "xmin" { tiers[tiers.count - 1].intervals[last].xmin = number }
                    else { tiers[tiers.count - 1].intervals[last].xmax = number }
                } else if !tiers.isEmpty {
                    if key == "xmin" { tiers[tiers.count - 1].xmin = number } else { tiers[tiers.count - 1].xmax = number }
                } else if key == "xmin" {
                    xmin = number
                } else {
                    xmax = number
                }
            case "text":
                guard inInterval else { throw Malformed(description: "text outside an interval") }
                let last = tiers[tiers.count - 1].intervals.count - 1
                tiers[tiers.count - 1].intervals[last].text = try Self.string(value)
            case "class": tiers[tiers.count - 1].tierClass = try Self.string(value)
            case "name": tiers[tiers.count - 1].name = try Self.string(value)
            case "size": declaredTiers = Int(value) ?? -1
            case "intervals: size": tiers[tiers.count - 1].declaredSize = Int(value) ?? -1
            default: throw Malformed(description: "unknown key: \(line)")
            }
        }
        guard declaredTiers == tiers.count else { throw Malformed(description: "size = \(declaredTiers), found \(tiers.count) tiers") }
        for tier in tiers where tier.declaredSize != tier.intervals.count {
            throw Malformed(description: "tier \(tier.name): size = \(tier.declaredSize), found \(tier.intervals.count)")
        }
    }

    /// A Praat string: in double quotes, an inner quote written twice.
    static func string(_ literal: String) throws -> String {
        guard literal.count >= 2, literal.hasPrefix("\""), literal.hasSuffix("\"") else {
            throw Malformed(description: "not a string: \(literal)")
        }
        let body = literal.dropFirst().dropLast()
        var out = "", pendingQuote = false
        for character in body {
            if character == "\"" {
                if pendingQuote { out.append("\""); pendingQuote = false } else { pendingQuote = true }
            } else {
                guard !pendingQuote else { throw Malformed(description: "lone quote in \(literal)") }
                out.append(character)
            }
        }
        guard !pendingQuote else { throw Malformed(description: "lone quote in \(literal)") }
        return out
    }

    /// Problems with the tier as a tiling of the file: each interval non-empty, starting where the
    /// previous one ended, from the file's xmin to its xmax.
    func tilingProblems(of tier: Tier) -> [String] {
        var problems: [String] = []
        var time = xmin
        for (index, interval) in tier.intervals.enumerated() {
            if interval.xmin != time { problems.append("interval \(index + 1) starts at \(interval.xmin), not \(time)") }
            if !(interval.xmax > interval.xmin) { problems.append("interval \(index + 1) is empty or reversed") }
            time = interval.xmax
        }
        if time != xmax { problems.append("the tier ends at \(time), not \(xmax)") }
        if tier.xmin != xmin || tier.xmax != xmax { problems.append("the tier's domain differs from the file's") }
        return problems
    }

    /// The intervals with text: (word, start, end).
    func words(of tier: Tier) -> [Interval] {
        tier.intervals.filter { !$0.text.isEmpty }
    }
}

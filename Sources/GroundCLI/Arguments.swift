import Foundation

/// A command-line option: `--long VALUE` or `--long=VALUE` (and `-s VALUE` if it has a short
/// name), or a flag that takes no value.
public struct OptionSpec: Sendable {
    public let long: String
    public let short: Character?
    /// Placeholder shown in help; nil for a flag without a value.
    public let valueName: String?
    /// The default shown in help; nil when there is none to show.
    public let defaultDescription: String?
    public let help: String

    public static func option(
        _ long: String, short: Character? = nil, value: String, default defaultDescription: String? = nil,
        help: String
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: value, defaultDescription: defaultDescription, help: help)
    }

    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: nil, defaultDescription: nil, help: help)
    }

    var takesValue: Bool { valueName != nil }
}

/// A usage mistake: printed as one line with a pointer to `--help`, exit status 2.
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The result of parsing: option values by long name, flags present, and positional arguments.
public struct ParsedArguments: Equatable {
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    public func value(_ long: String) -> String? { values[long] }
    public func has(_ long: String) -> Bool { flags.contains(long) || values[long] != nil }

    /// The option's value as an integer within `range`.
    public func integer(_ long: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[long] else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(long) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// The option's value as a finite number of seconds ≥ 0.
    public func seconds(_ long: String) throws -> Double? {
        guard let text = values[long] else { return nil }
        guard let number = Double(text), number.isFinite, number >= 0 else {
            throw UsageError("--\(long) must be a non-negative number of seconds, got '\(text)'")
        }
        return number
    }
}

/// Hand-written parser: options may appear anywhere; `--` ends options; an option given twice,
/// an unknown option or a missing value is a `UsageError`.
public struct ArgumentParser {
    public let options: [OptionSpec]

    public init(options: [OptionSpec]) {
        self.options = options
    }

    public func parse(_ arguments: [String]) throws -> ParsedArguments {
        var result = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                result.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            let (spec, inlineValue) = try lookUp(argument)
            if result.has(spec.long) {
                throw UsageError("option --\(spec.long) is given more than once")
            }
            guard spec.takesValue else {
                if inlineValue != nil { throw UsageError("option --\(spec.long) takes no value") }
                result.flags.insert(spec.long)
                continue
            }
            if let inlineValue {
                result.values[spec.long] = inlineValue
            } else if index < arguments.count, !looksLikeOption(arguments[index]) {
                result.values[spec.long] = arguments[index]
                index += 1
            } else {
                throw UsageError("option --\(spec.long) needs a value (\(spec.valueName!))")
            }
        }
        return result
    }

    private func lookUp(_ argument: String) throws -> (OptionSpec, String?) {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let value = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            guard let spec = options.first(where: { $0.long == name }) else {
                throw UsageError("unknown option --\(name)\(suggestion(for: name))")
            }
            return (spec, value)
        }
        let body = argument.dropFirst()
        guard body.count == 1, let spec = options.first(where: { $0.short == body.first }) else {
            throw UsageError("unknown option \(argument)")
        }
        return (spec, nil)
    }

    /// A value may itself start with "-" when it is a number ("-5" is rejected later as a
    /// negative value, with a clearer message than "needs a value").
    private func looksLikeOption(_ argument: String) -> Bool {
        argument.hasPrefix("-") && argument != "-" && Double(argument) == nil
    }

    private func suggestion(for name: String) -> String {
        let close = options.map(\.long).min { editDistance($0, name) < editDistance($1, name) }
        guard let close, editDistance(close, name) <= max(1, name.count / 3) else { return "" }
        return " (did you mean --\(close)?)"
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Help lines for the options: `  -s, --long VALUE   help (default: x)`.
    public func helpText() -> String {
        let lefts = options.map { spec -> String in
            let short = spec.short.map { "-\($0), " } ?? "    "
            return "  \(short)--\(spec.long)" + (spec.valueName.map { " \($0)" } ?? "")
        }
        let width = (lefts.map(\.count).max() ?? 0) + 2
        return zip(lefts, options).map { left, spec in
            let padded = left.padding(toLength: width, withPad: " ", startingAt: 0)
            let defaultText = spec.defaultDescription.map { " (default: \($0))" } ?? ""
            return padded + spec.help + defaultText
        }.joined(separator: "\n")
    }
}

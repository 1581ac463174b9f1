import Foundation
import GroundCore

/// Entry point of the `ground` executable: picks the subcommand, runs it, and turns every error
/// into one line on stderr and a non-zero exit status (2 for usage mistakes, 1 for the rest).
public enum GroundCommand {
    static let subcommands: [String: (([String]) throws -> Void)] = [
        "bench": BenchCommand.run,
        "train": TrainCommand.run,
        "eval": EvalCommand.run,
        "convert": ConvertCommand.run,
        "batch": BatchCommand.run,
        "help": { _ in print(help) },
    ]

    public static func main() -> Never {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Runs `ground` with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        do {
            if let first = arguments.first, let subcommand = subcommands[first] {
                try subcommand(Array(arguments.dropFirst()))
            } else {
                try AlignCommand.run(arguments)
            }
            return 0
        } catch let error as UsageError {
            printError("\(error.message) (see 'ground --help')")
            return 2
        } catch let error as GroundError {
            printError(error.message)
            return 1
        } catch {
            printError(String(describing: error))
            return 1
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ground: error: \(message)\n".utf8))
    }

    static var help: String {
        """
        ground \(GroundVersion.string) — find when words are spoken in an audio file.

        USAGE:
          ground FILE... --query WORD [--occurrence K|all] [options]
          ground FILE... --transcript "TEXT" | --transcript-file PATH [options]
          ground train --data PATH[@SPLIT][:W],... --out DIR [options]   (ground train --help)
          ground eval [--model PATH] --data PATH[@SPLIT],... [options]    (ground eval --help)
          ground batch DIR|MANIFEST|LIST... --output OUT.jsonl [options]  (ground batch --help)
          ground bench [features|kernels|model|extraction]... [options]  (ground bench --help)
          ground convert MODEL [--precision f16|f32] [--output PATH]     (describe or convert a model)
          ground help | --help | --version

        Reads any format libsndfile reads (WAV, FLAC, Ogg Vorbis, Ogg Opus, AIFF, ...), any sample
        rate and channel count. Timestamps are seconds from the start of the file, printed as JSON
        unless --format (or the extension of --output) asks for another format.
        A file named like a subcommand can be given as ./bench.

        OPTIONS:
        \(AlignCommand.parser.helpText())

        EXIT STATUS: 0 success, 1 a file or model could not be processed, 2 a usage mistake.
        """
    }
}

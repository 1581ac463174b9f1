import Foundation

/// Process resource figures for benchmarks.
public enum ResourceUsage {
    /// Peak resident set size of this process so far, in bytes (Linux reports ru_maxrss in KiB).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// Wall-clock seconds taken by `body`.
    public static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

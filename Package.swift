// swift-tools-version:5.9
import Foundation
import PackageDescription

/// Numeric code must be compiled for a CPU with FMA and wide vectors, or the SIMD kernels fall
/// back to scalar code (measured per core: < 1 GFLOP/s at baseline x86-64, ~115 GFLOP/s with
/// x86-64-v3 = AVX2 + FMA, ~230 GFLOP/s with x86-64-v4 = AVX-512). SwiftPM builds from source on
/// the machine that runs the tool, so the manifest picks v4 when this machine has AVX-512 and v3
/// otherwise. Set GROUND_TARGET_CPU to override (e.g. `x86-64-v3` for a binary to copy to
/// older machines, `native`, or `generic` for none).
let targetCPU: String? = {
    if let cpu = Context.environment["GROUND_TARGET_CPU"] { return cpu == "generic" ? nil : cpu }
    #if arch(x86_64)
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
    let avx512 = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"].allSatisfy { flags.contains(Substring($0)) }
    return avx512 ? "x86-64-v4" : "x86-64-v3"
    #elseif arch(arm64)
    return nil  // NEON is part of the arm64 baseline.
    #else
    return nil
    #endif
}()

/// Swift takes its CPU features from the Clang importer's target, so `-Xcc -march` sets both.
let numericSwiftFlags: [SwiftSetting] =
    targetCPU.map { [.unsafeFlags(["-Xcc", "-march=\($0)"])] } ?? []

let package = Package(
    name: "ground",
    products: [
        .library(name: "GroundCore", targets: ["GroundCore"]),
        .executable(name: "ground", targets: ["ground"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        .target(
            name: "GroundCore",
            dependencies: ["CSndFile"],
            swiftSettings: numericSwiftFlags
        ),
        .target(
            name: "GroundCLI",
            dependencies: ["GroundCore"],
            resources: [.copy("Resources")],
            swiftSettings: numericSwiftFlags
        ),
        .executableTarget(
            name: "ground",
            dependencies: ["GroundCLI"],
            swiftSettings: numericSwiftFlags
        ),
        .testTarget(
            name: "GroundCoreTests",
            dependencies: ["GroundCore"],
            swiftSettings: numericSwiftFlags
        ),
        .testTarget(
            name: "GroundCLITests",
            dependencies: ["GroundCLI", "GroundCore"],
            // Read from the source tree by FixtureRegressionTests (and re-recorded there).
            exclude: ["FixtureExpectations.json"],
            swiftSettings: numericSwiftFlags
        ),
    ]
)

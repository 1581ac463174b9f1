// swift-tools-version:5.9
import PackageDescription

/// Numeric code must be compiled for a CPU with FMA and 256-bit vectors, or the SIMD kernels
/// fall back to scalar code (measured: < 1 GFLOP/s at baseline x86-64 vs ~110 GFLOP/s with
/// x86-64-v3). The manifest is compiled for the host, so `#if arch` picks the host's family.
/// Set GROUND_TARGET_CPU to override (e.g. `x86-64-v4`, `native`, or `generic` for none).
let targetCPU: String? = {
    if let cpu = Context.environment["GROUND_TARGET_CPU"] { return cpu == "generic" ? nil : cpu }
    #if arch(x86_64)
    return "x86-64-v3"
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
            swiftSettings: numericSwiftFlags
        ),
    ]
)

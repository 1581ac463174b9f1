import Foundation

// MARK: - Packing workspace

/// Scratch memory for one GEMM call: the packed block of B, a zero-padded copy of the last
/// rows of A that do not fill a micro-tile, and one C tile for partial edge tiles.
///
/// Workspaces are recycled through a process-wide pool so that steady-state calls do not
/// allocate, while concurrent callers each get their own.
final class GemmWorkspace {
    let packedB: UnsafeMutablePointer<Float>
    let edgeA: UnsafeMutablePointer<Float>
    let tile: UnsafeMutablePointer<Float>
    private let base: UnsafeMutableRawPointer

    private init() {
        let packedCount = Gemm.maxDepth * Gemm.maxColumns
        let edgeCount = GemmMicroKernel.maxRows * Gemm.maxDepth
        let tileCount = GemmMicroKernel.maxRows * GemmMicroKernel.maxColumns
        let count = packedCount + edgeCount + tileCount
        // 64-byte alignment: every packed row of 16 floats is one cache line.
        base = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
        let floats = base.bindMemory(to: Float.self, capacity: count)
        packedB = floats
        edgeA = floats + packedCount
        tile = edgeA + edgeCount
    }

    deinit { base.deallocate() }

    // MARK: Pool

    private static let pool = Pool()

    /// Runs `body` with a workspace that no other thread uses for the duration of the call.
    static func with<R>(_ body: (GemmWorkspace) -> R) -> R {
        let workspace = pool.take() ?? GemmWorkspace()
        defer { pool.give(workspace) }
        return body(workspace)
    }

    private final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var free: [GemmWorkspace] = []

        func take() -> GemmWorkspace? {
            lock.lock()
            defer { lock.unlock() }
            return free.popLast()
        }

        func give(_ workspace: GemmWorkspace) {
            lock.lock()
            defer { lock.unlock() }
            free.append(workspace)
        }
    }
}

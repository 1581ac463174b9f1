import Foundation

/// Real-input FFT of a fixed power-of-two size n, computed as a complex FFT of size n/2 on the
/// even/odd samples packed as real/imaginary parts, then split into the n/2 + 1 bins of the real
/// spectrum:
///
///     X[k] = ½(Z[k] + Z*[n/2−k]) − ½ i e^{−2πik/n} (Z[k] − Z*[n/2−k]),   k = 0…n/2.
///
/// The complex FFT is iterative radix-2 decimation in time on split real/imaginary arrays with
/// precomputed twiddles. An instance owns its scratch buffers: use one per thread.
public final class RealFFT {
    public let size: Int
    private let half: Int
    private let bitReverse: [Int32]
    private let twiddleRe: [Float]  // e^{−2πij/half}, j < half/2
    private let twiddleIm: [Float]
    private let splitRe: [Float]  // e^{−2πik/n}, k ≤ half
    private let splitIm: [Float]
    private var re: [Float]
    private var im: [Float]

    public init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "FFT size must be a power of two ≥ 4")
        self.size = size
        half = size / 2
        let bits = half.trailingZeroBitCount
        bitReverse = (0..<half).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return Int32(r)
        }
        twiddleRe = (0..<max(1, half / 2)).map { Float(cos(-2 * Double.pi * Double($0) / Double(size / 2))) }
        twiddleIm = (0..<max(1, half / 2)).map { Float(sin(-2 * Double.pi * Double($0) / Double(size / 2))) }
        splitRe = (0...half).map { Float(cos(-2 * Double.pi * Double($0) / Double(size))) }
        splitIm = (0...half).map { Float(sin(-2 * Double.pi * Double($0) / Double(size))) }
        re = [Float](repeating: 0, count: half)
        im = [Float](repeating: 0, count: half)
    }

    /// Power spectrum |X[k]|², k = 0…n/2, of `input` (n samples) into `power` (n/2 + 1 values).
    public func powerSpectrum(_ input: UnsafePointer<Float>, into power: UnsafeMutablePointer<Float>) {
        re.withUnsafeMutableBufferPointer { reBuf in
            im.withUnsafeMutableBufferPointer { imBuf in
                let re = reBuf.baseAddress!, im = imBuf.baseAddress!
                bitReverse.withUnsafeBufferPointer { rev in
                    for j in 0..<half {
                        let r = Int(rev[j])
                        re[r] = input[2 &* j]
                        im[r] = input[2 &* j &+ 1]
                    }
                }
                butterflies(re, im)
                splitRe.withUnsafeBufferPointer { wr in
                    splitIm.withUnsafeBufferPointer { wi in
                        for k in 0...half {
                            let a = k == half ? 0 : k
                            let b = k == 0 ? 0 : half - k
                            // E = ½(Z[k] + Z*[half−k]), O = −½i(Z[k] − Z*[half−k])
                            let eRe = 0.5 * (re[a] + re[b]), eIm = 0.5 * (im[a] - im[b])
                            let oRe = 0.5 * (im[a] + im[b]), oIm = -0.5 * (re[a] - re[b])
                            let xRe = eRe + wr[k] * oRe - wi[k] * oIm
                            let xIm = eIm + wr[k] * oIm + wi[k] * oRe
                            power[k] = xRe * xRe + xIm * xIm
                        }
                    }
                }
            }
        }
    }

    private func butterflies(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>) {
        twiddleRe.withUnsafeBufferPointer { twr in
            twiddleIm.withUnsafeBufferPointer { twi in
                var span = 1
                while span < half {
                    let stride = half / (2 * span)  // twiddle index step at this stage
                    var start = 0
                    while start < half {
                        for j in 0..<span {
                            let wr = twr[j &* stride], wi = twi[j &* stride]
                            let p = start &+ j, q = p &+ span
                            let tr = re[q] * wr - im[q] * wi
                            let ti = re[q] * wi + im[q] * wr
                            re[q] = re[p] - tr
                            im[q] = im[p] - ti
                            re[p] += tr
                            im[p] += ti
                        }
                        start &+= 2 &* span
                    }
                    span &*= 2
                }
            }
        }
    }
}

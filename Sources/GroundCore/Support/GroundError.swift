/// The one error type the library throws: a message a user can act on, already naming the file
/// or value at fault. The CLI prints it as a single line; nothing is printed by the library.
public struct GroundError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    /// An error about one file: `"<path>: <problem>"`.
    public init(file path: String, _ problem: String) {
        self.message = "\(path): \(problem)"
    }

    public var description: String { message }
}

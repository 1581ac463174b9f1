/// The version of the `ground` library and command, following semantic versioning.
public enum GroundVersion {
    public static let string = "0.1.0"
}

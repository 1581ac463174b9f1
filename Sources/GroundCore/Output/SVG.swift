import Foundation

/// A minimal SVG 1.1 writer for `SVGPlot`: elements are appended as text, coordinates printed in
/// pixels with one decimal, text and attribute values escaped, so the document is always
/// well-formed XML.
struct SVG {
    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attributes…/>`, or `<name attributes…>text</name>` when `text` is given.
    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        let attributeText = attributes.map { " \($0.key)=\"\(Self.escaped($0.value))\"" }.joined()
        elements.append(
            text.map { "<\(name)\(attributeText)>\(Self.escaped($0))</\(name)>" } ?? "<\(name)\(attributeText)/>")
    }

    /// The whole document: white background, `title` for screen readers and file browsers.
    func document(title: String) -> String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" \(size) viewBox="0 0 \(Self.number(width)) \(Self.number(height))" \
            font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(Self.escaped(title))</title>
            <rect width="100%" height="100%" fill="white"/>

            """ + elements.map { $0 + "\n" }.joined() + "</svg>\n"
    }

    /// Pixels with at most one decimal: 12 → "12", 12.25 → "12.3".
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        let text = tenths.truncatingRemainder(dividingBy: 10) == 0
            ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
        return text == "-0" ? "0" : text
    }

    /// Points as the `points` of a polyline or the body of a path: "x,y x,y …".
    static func points(_ points: [(x: Double, y: Double)]) -> String {
        points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 forbids most control characters, and every text here is one line.
            case _ where character.unicodeScalars.contains { $0.value < 0x20 }: out += " "
            default: out.append(character)
            }
        }
        return out
    }
}

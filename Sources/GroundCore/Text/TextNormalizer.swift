import Foundation

/// Brings user text to the model's alphabet: lower-case letters a–z, digits, apostrophe, and
/// single spaces between words. Case is folded, typographic apostrophes become "'", letters with
/// diacritics lose them ("café" → "cafe"), hyphens and other punctuation separate words.
public enum TextNormalizer {
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        for scalar in folded.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9":
                current.unicodeScalars.append(scalar)
            case "'", "\u{2019}", "\u{2018}", "\u{02BC}":
                if !current.isEmpty { current.append("'") }  // a leading quote is punctuation
            default:
                flush(&current, into: &words)
            }
        }
        flush(&current, into: &words)
        return words
    }

    public static func normalize(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    private static func flush(_ word: inout String, into words: inout [String]) {
        while word.hasSuffix("'") { word.removeLast() }  // closing quote, not a contraction
        if !word.isEmpty { words.append(word) }
        word = ""
    }
}

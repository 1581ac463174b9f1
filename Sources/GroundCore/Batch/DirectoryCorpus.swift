import Foundation

/// Finds the utterances of a folder tree, walked recursively (hidden files and folders skipped).
///
/// A folder holding a `*.trans.txt` file is a LibriSpeech chapter (`speaker/chapter/`): its
/// lines are `UTTID WORD WORD ...`, and each audio file `UTTID.flac` (any audio extension) is
/// aligned against its line. An audio file without a line, or a line without an audio file, is
/// an error item. Anywhere else an audio file takes its transcript from a sidecar with the same
/// name, `.txt` or `.lab` (the Montreal Forced Aligner's convention); audio with neither is an
/// error item.
///
/// Ids: a chapter's utterances keep their LibriSpeech id (`UTTID`); other audio files are named
/// by their path below `root` without the extension (`speaker1/clip`), which is unique in a tree.
public enum DirectoryCorpus {
    /// Extensions of formats libsndfile decodes (in this build: WAV, FLAC, Ogg Vorbis and Opus,
    /// AIFF, AU, CAF, W64 and MP3), in lower case.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "mp3",
    ]

    static let chapterSuffix = ".trans.txt"
    static let sidecarExtensions = ["txt", "lab"]

    // MARK: - Walking the tree

    public static func items(root: String) throws -> [BatchItem] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw GroundError(file: root, "cannot read the folder")
        }
        var folders: [String: [String]] = [:]
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            folders[(relative as NSString).deletingLastPathComponent, default: []].append(name)
        }
        var items: [BatchItem] = []
        for (folder, names) in folders.sorted(by: { $0.key < $1.key }) {
            let transcripts = names.filter { $0.hasSuffix(chapterSuffix) }.sorted()
            let audio = names.filter { audioExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            let folderPath = folder.isEmpty ? root : (root as NSString).appendingPathComponent(folder)
            if transcripts.isEmpty {
                items += sidecarItems(audio: audio, names: Set(names), folder: folderPath, relativeFolder: folder)
            } else {
                items += chapterItems(audio: audio, transcripts: transcripts, folder: folderPath)
            }
        }
        return items
    }

    // MARK: - LibriSpeech chapters

    /// An unreadable `*.trans.txt` turns the chapter's audio into error items naming it.
    private static func chapterItems(audio: [String], transcripts: [String], folder: String) -> [BatchItem] {
        var lines: [String: (text: String, file: String)] = [:]
        var unreadable: [String] = []
        for name in transcripts {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                unreadable.append(path)
                continue
            }
            for line in text.split(whereSeparator: \.isNewline) {
                let fields = line.split(separator: " ", maxSplits: 1)
                guard let id = fields.first else { continue }
                lines[String(id)] = (fields.count > 1 ? String(fields[1]) : "", path)
            }
        }
        let transcriptPaths = transcripts.map { (folder as NSString).appendingPathComponent($0) }.joined(separator: ", ")
        let missingLine = { (id: String) in
            unreadable.isEmpty
                ? "no transcript line for \(id) in \(transcriptPaths)"
                : "no transcript line for \(id): cannot read \(unreadable.joined(separator: ", ")) (unreadable or not UTF-8)"
        }
        var items: [BatchItem] = []
        var matched: Set<String> = []
        for name in audio {
            let id = (name as NSString).deletingPathExtension
            let path = (folder as NSString).appendingPathComponent(name)
            if let line = lines[id] {
                matched.insert(id)
                items.append(BatchItem(id: id, audioPath: path, transcript: line.text, source: "the transcript line of \(id) in \(line.file)"))
            } else {
                items.append(BatchItem(id: id, audioPath: path, problem: missingLine(id)))
            }
        }
        for (id, line) in lines where !matched.contains(id) {
            items.append(BatchItem(id: id, audioPath: line.file, problem: "\(line.file) has a line for \(id) but there is no audio file \(id).*"))
        }
        return items
    }

    // MARK: - Sidecar transcripts

    private static func sidecarItems(audio: [String], names: Set<String>, folder: String, relativeFolder: String) -> [BatchItem] {
        audio.map { name in
            let stem = (name as NSString).deletingPathExtension
            let id = relativeFolder.isEmpty ? stem : (relativeFolder as NSString).appendingPathComponent(stem)
            let path = (folder as NSString).appendingPathComponent(name)
            guard let sidecar = sidecarExtensions.map({ stem + "." + $0 }).first(where: names.contains) else {
                return BatchItem(
                    id: id, audioPath: path,
                    problem: "no transcript: \(folder) has no *\(chapterSuffix) and there is no \(stem).txt or \(stem).lab beside the audio")
            }
            let sidecarPath = (folder as NSString).appendingPathComponent(sidecar)
            guard let text = try? String(contentsOfFile: sidecarPath, encoding: .utf8) else {
                return BatchItem(id: id, audioPath: path, problem: "cannot read the transcript \(sidecarPath) (unreadable or not UTF-8)")
            }
            return BatchItem(id: id, audioPath: path, transcript: text, source: "the transcript \(sidecarPath)")
        }
    }
}

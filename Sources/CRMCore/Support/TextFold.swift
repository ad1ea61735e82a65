/// Folds text for search: lower case, no accents, ligatures spelled out,
/// one kind of apostrophe, single spaces.
///
/// - Letters with diacritics from Latin-1 Supplement, Latin Extended-A and
///   the common Latin Extended-B letters become their base letters through
///   a written table (`É` → `e`, `ł` → `l`, `ş` → `s`, `İ` and `ı` → `i`).
/// - Combining marks (general category Mn) are dropped, so decomposed
///   input (`e` + U+0301) folds like precomposed input (`é`).
/// - Ligatures are spelled out: `œ` → `oe`, `æ` → `ae`, `ß` → `ss`,
///   `ĳ` → `ij`, `ﬁ` → `fi`, and `þ` becomes `th`.
/// - `’ ‘ ʼ ´` and the backtick become `'`.
/// - Runs of whitespace, including no-break spaces, become one space, and
///   the result is trimmed.
///
/// Other letters are lower-cased with Unicode's default mapping.
// NOTE: precomposed letters outside the table keep their accents, for
// example Vietnamese letters from Latin Extended Additional (`ế`), unless
// they arrive decomposed.
public func searchKey(_ text: String) -> String {
    if let folded = TextFold.asciiSearchKey(text) { return folded }
    var folded = ""
    var pendingSpace = false

    for scalar in text.unicodeScalars {
        if scalar.properties.isWhitespace {
            pendingSpace = !folded.isEmpty
            continue
        }
        if scalar.properties.generalCategory == .nonspacingMark {
            continue
        }
        if pendingSpace {
            folded.append(" ")
            pendingSpace = false
        }

        if TextFold.apostrophes.contains(scalar) {
            folded.append("'")
        } else if let base = TextFold.baseLetters[scalar] {
            folded.append(base)
        } else {
            folded.append(scalar.properties.lowercaseMapping)
        }
    }
    return folded
}

/// Folds text for near-duplicate detection: `searchKey`, then punctuation
/// folded so that "Pyramid Construction Inc." and "PYRAMID  construction
/// inc" give the same key.
///
/// Dots, apostrophes and quotation marks are removed, because they sit
/// inside words and abbreviations (`S.A.` → `sa`, `L'Oréal` → `loreal`).
/// Every other punctuation mark (Unicode category P: hyphens, dashes,
/// commas, colons, semicolons, slashes, brackets...) becomes a space, so
/// `Saint-Gobain` and `Saint Gobain` match. Spaces are then collapsed and
/// trimmed.
public func identityKey(_ text: String) -> String {
    if let folded = TextFold.asciiIdentityKey(text) { return folded }
    var folded = ""
    var pendingSpace = false

    for scalar in searchKey(text).unicodeScalars {
        if TextFold.removedPunctuation.contains(scalar) {
            continue
        }
        let category = scalar.properties.generalCategory
        if TextFold.punctuationCategories.contains(category) {
            pendingSpace = !folded.isEmpty
            continue
        }
        if scalar == " " {
            pendingSpace = !folded.isEmpty
            continue
        }
        if pendingSpace {
            folded.append(" ")
            pendingSpace = false
        }
        folded.unicodeScalars.append(scalar)
    }
    return folded
}

/// The tables behind `searchKey` and `identityKey`, and their ASCII fast paths.
enum TextFold {
    /// `searchKey` of text that is all ASCII, computed on bytes; nil when
    /// the text has a byte above 0x7F. ASCII letters only change case, the
    /// backtick becomes an apostrophe, and runs of ASCII white space (tab,
    /// line feed, vertical tab, form feed, carriage return and space, the
    /// ASCII part of Unicode's White_Space property) become one space.
    static func asciiSearchKey(_ text: String) -> String? {
        var contiguous = text
        contiguous.makeContiguousUTF8()
        return contiguous.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            var output = [UInt8]()
            output.reserveCapacity(bytes.count)
            var pendingSpace = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if isASCIIWhitespace(byte) {
                    pendingSpace = !output.isEmpty
                    continue
                }
                if pendingSpace {
                    output.append(0x20)
                    pendingSpace = false
                }
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): output.append(byte + 0x20)
                case UInt8(ascii: "`"): output.append(UInt8(ascii: "'"))
                default: output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        } ?? nil
    }

    /// `identityKey` of text that is all ASCII; nil otherwise. After the
    /// `searchKey` folding, dots, apostrophes and double quotes are removed
    /// and every other ASCII punctuation mark becomes a space. `$ + < = > ^ |
    /// ~` are symbols, not punctuation, in Unicode, so they stay.
    static func asciiIdentityKey(_ text: String) -> String? {
        guard let searched = asciiSearchKey(text) else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(searched.utf8.count)
        var pendingSpace = false
        for byte in searched.utf8 {
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") { continue }
            if byte == 0x20 || asciiPunctuation.contains(byte) {
                pendingSpace = !output.isEmpty
                continue
            }
            if pendingSpace {
                output.append(0x20)
                pendingSpace = false
            }
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        (0x09...0x0D).contains(byte) || byte == 0x20
    }

    /// ASCII characters of Unicode's punctuation categories (P*), other
    /// than those `identityKey` removes.
    static let asciiPunctuation: Set<UInt8> = Set("!#%&()*,-/:;?@[\\]_{}".utf8)

    static let apostrophes: Set<Unicode.Scalar> = [
        "\u{2019}",  // right single quotation mark
        "\u{2018}",  // left single quotation mark
        "\u{02BC}",  // modifier letter apostrophe
        "\u{00B4}",  // acute accent
        "\u{0060}",  // grave accent (backtick)
    ]

    /// Removed by `identityKey`. The middle dot is the Catalan `l·l`.
    static let removedPunctuation: Set<Unicode.Scalar> = [
        ".", "'", "\"", "\u{00B7}",
        "\u{00AB}", "\u{00BB}",  // « »
        "\u{201C}", "\u{201D}", "\u{201E}",  // “ ” „
        "\u{2039}", "\u{203A}",  // ‹ ›
    ]

    static let punctuationCategories: Set<Unicode.GeneralCategory> = [
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
    ]

    /// Each folded form followed by the letters, upper and lower case, that
    /// fold to it. Every letter here is precomposed (NFC).
    static let foldings: [(String, String)] = [
        ("a", "ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǞǟǠǡǺǻȀȁȂȃȦȧȺ"),
        ("ae", "ÆæǢǣǼǽ"),
        ("b", "ƀƁƂƃɃ"),
        ("c", "ÇçĆćĈĉĊċČčƇƈȻȼ"),
        ("d", "ÐðĎďĐđƉƊƋƌȡ"),
        ("dz", "ǄǅǆǱǲǳ"),
        ("e", "ÈÉÊËèéêëĒēĔĕĖėĘęĚěȄȅȆȇȨȩɆɇ"),
        ("f", "Ƒƒ"),
        ("g", "ĜĝĞğĠġĢģƓǤǥǦǧǴǵ"),
        ("h", "ĤĥĦħȞȟ"),
        ("i", "ÌÍÎÏìíîïĨĩĪīĬĭĮįİıƗǏǐȈȉȊȋ"),
        ("ij", "Ĳĳ"),
        ("j", "ĴĵǰɈɉ"),
        ("k", "ĶķĸƘƙǨǩ"),
        ("l", "ĹĺĻļĽľĿŀŁłƚȽ"),
        ("lj", "Ǉǈǉ"),
        ("n", "ÑñŃńŅņŇňŊŋƝƞǸǹȠ"),
        ("'n", "ŉ"),
        ("nj", "Ǌǋǌ"),
        ("o", "ÒÓÔÕÖØòóôõöøŌōŎŏŐőƟƠơǑǒǪǫǬǭǾǿȌȍȎȏȪȫȬȭȮȯȰȱ"),
        ("oe", "Œœ"),
        ("r", "ŔŕŖŗŘřȐȑȒȓɌɍ"),
        ("s", "ŚśŜŝŞşŠšſȘș"),
        ("ss", "ß\u{1E9E}"),
        ("t", "ŢţŤťŦŧƫƬƭƮȚțȾ"),
        ("th", "Þþ"),
        ("u", "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưǓǔǕǖǗǘǙǚǛǜȔȕȖȗ"),
        ("w", "Ŵŵ"),
        ("y", "ÝýÿŶŷŸƳƴȲȳɎɏ"),
        ("z", "ŹźŻżŽžƵƶȤȥ"),
        ("ff", "\u{FB00}"),
        ("fi", "\u{FB01}"),
        ("fl", "\u{FB02}"),
        ("ffi", "\u{FB03}"),
        ("ffl", "\u{FB04}"),
    ]

    static let baseLetters: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [:]
        for (base, letters) in foldings {
            for scalar in letters.unicodeScalars {
                precondition(table[scalar] == nil, "letter \(scalar) is listed twice")
                table[scalar] = base
            }
        }
        return table
    }()
}
